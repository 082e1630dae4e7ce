"""(a) A full ClinicalTrials.gov refresh of the review query at 100,000 extra studies, against
the bare-fetch floor and a dlt rest_api pipeline loading the same pages into DuckDB.

    python -m bench.ctgov_full_harvest [--extra-studies N] [--repeats R] [--dlt-repeats R]

Per repeat, interleaved so that load from elsewhere on the machine hits all three alike:
the floor (bench.baselines floor), the pipeline (`review refresh --source ctgov --full` in a
fresh process, on a new warehouse), dlt (bench.baselines dlt). The pipeline's time is the
ledger's started_at -> finished_at (harvest, build, check, publish; not Prefect's or Python's
start-up); its harvest and build phases come from the Prefect task log. Requests are counted by
the sandbox (its log), peak RSS is that of the refresh process alone.

Targets: pipeline within 2x of the floor; dlt at least 3x the pipeline's time; /studies
requests at most ceil(N/1000)+1 (the pages, and the cut-off total); peak RSS at most 500 MB.
"""

from __future__ import annotations

import argparse
import math
import shutil
import sys

from bench.common import (
    Sandbox,
    Target,
    banner,
    finish,
    median,
    prefect_server,
    run_child,
    run_refresh,
    table,
    targets_table,
    workspace,
    write_spec,
)

NAME = "ctgov_full_harvest"


def measure(extra_studies: int, repeats: int, dlt_repeats: int) -> dict:
    runs: dict[str, list] = {"floor": [], "pipeline": [], "dlt": []}
    with workspace(NAME) as wd, Sandbox(extra_studies=extra_studies, ncbi_rate_limit=False) as sb:
        print(f"sandbox: {extra_studies:,} extra studies, built in {sb.build_s:.1f} s", flush=True)
        with prefect_server(wd) as prefect_env:
            spec = write_spec(wd / "spec.toml")
            env = {**prefect_env, **sb.env()}
            for i in range(repeats):
                floor = run_child(
                    [sys.executable, "-m", "bench.baselines", "floor", sb.ctgov_base_url],
                    wd / f"floor-{i}.log",
                )
                runs["floor"].append({**floor.result, "maxrss_mb": floor.maxrss_mb})
                print(f"  floor {i + 1}/{repeats}: {floor.result['seconds']:.1f} s", flush=True)

                mark = sb.log_len()
                db = wd / f"pipeline-{i}" / "review.duckdb"
                run = run_refresh(source="ctgov", spec=spec, db=db, env=env, full=True).check()
                log = sb.log_summary(mark)
                query = run.details["harvest"]["ctgov"]["queries"]["msc_liver"]
                runs["pipeline"].append(
                    {
                        "flow_s": run.flow_s,
                        "wall_s": run.wall_s,
                        "phases": run.phases,
                        "maxrss_mb": run.maxrss_mb,
                        "requests": log["requests"],
                        "studies_requests": log["studies_requests"],
                        "ledger_requests": run.requests,
                        "studies": query["studies"],
                        "total": query.get("current_total", query["studies"]),
                        "by_status": log["by_status"],
                    }
                )
                print(
                    f"  pipeline {i + 1}/{repeats}: {run.flow_s:.1f} s (ledger), "
                    f"{run.maxrss_mb:.0f} MB peak",
                    flush=True,
                )
                shutil.rmtree(db.parent, ignore_errors=True)

                if i < dlt_repeats:
                    work = wd / f"dlt-{i}"
                    dlt = run_child(
                        [
                            sys.executable,
                            "-m",
                            "bench.baselines",
                            "dlt",
                            sb.ctgov_base_url,
                            str(work),
                        ],
                        wd / f"dlt-{i}.log",
                    )
                    runs["dlt"].append({**dlt.result, "maxrss_mb": dlt.maxrss_mb})
                    print(f"  dlt {i + 1}/{dlt_repeats}: {dlt.result['seconds']:.1f} s", flush=True)
                    shutil.rmtree(work, ignore_errors=True)
    return {"extra_studies": extra_studies, "repeats": repeats, "runs": runs}


def report(data: dict) -> str:
    runs = data["runs"]
    floor, pipe, dlt = runs["floor"], runs["pipeline"], runs["dlt"]
    n = pipe[0]["total"]
    floor_s = median([r["seconds"] for r in floor])
    flow_s = median([r["flow_s"] for r in pipe])
    harvest_s = median([r["phases"].get("harvest_ctgov", float("nan")) for r in pipe])
    build_s = median([sum(v for k, v in r["phases"].items() if k != "harvest_ctgov") for r in pipe])
    dlt_s = median([r["seconds"] for r in dlt])
    rss = median([r["maxrss_mb"] for r in pipe])
    studies_requests = max(r["studies_requests"] for r in pipe)
    expected = math.ceil(n / 1000) + 1
    rows = [
        [
            "floor: bare requests loop",
            len(floor),
            floor_s,
            round(n / floor_s),
            1.0,
            floor[0]["pages"],
            round(median([r["maxrss_mb"] for r in floor])),
        ],
        [
            "pipeline: refresh (ledger)",
            len(pipe),
            flow_s,
            round(n / flow_s),
            flow_s / floor_s,
            round(median([r["requests"] for r in pipe])),
            round(rss),
        ],
        [
            "  of which harvest_ctgov",
            len(pipe),
            harvest_s,
            round(n / harvest_s),
            harvest_s / floor_s,
            "",
            "",
        ],
        ["  of which build+check+publish", len(pipe), build_s, round(n / build_s), "", "", ""],
        [
            "  refresh process, start to exit",
            len(pipe),
            median([r["wall_s"] for r in pipe]),
            "",
            "",
            "",
            "",
        ],
    ]
    if dlt:
        rows.append(
            [
                f"dlt rest_api -> duckdb ({dlt[0]['format']})",
                len(dlt),
                dlt_s,
                round(n / dlt_s),
                dlt_s / floor_s,
                floor[0]["pages"],
                round(median([r["maxrss_mb"] for r in dlt])),
            ]
        )
        rows.append(
            [
                "  dlt extract / normalize / load",
                len(dlt),
                " / ".join(
                    f"{median([r[k] for r in dlt]):.1f}"
                    for k in ("extract_s", "normalize_s", "load_s")
                ),
                "",
                "",
                "",
                "",
            ]
        )
    lines = [
        f"{n:,} matching studies ({data['extra_studies']:,} extras); medians of the runs",
        "",
        table(["run", "runs", "seconds", "studies/s", "x floor", "requests", "peak RSS MB"], rows),
        "",
        f"pipeline requests: {studies_requests} to /studies (pages + cut-off total) + 1 to "
        f"/version = {max(r['requests'] for r in pipe)}; ledger says "
        f"{max(r['ledger_requests'] for r in pipe)}; statuses {pipe[0]['by_status']}",
        "",
    ]
    ratio_floor = flow_s / floor_s
    targets = [
        Target(
            "pipeline vs bare-fetch floor",
            f"{ratio_floor:.2f}x ({flow_s:.1f} s vs {floor_s:.1f} s)",
            "<= 2x",
            ratio_floor <= 2,
            ""
            if ratio_floor <= 2
            else f"harvest alone is {harvest_s / floor_s:.2f}x the floor; the build after it "
            f"takes {build_s:.1f} s ({build_s / flow_s:.0%} of the run)",
        ),
        Target(
            "/studies requests",
            f"{studies_requests}",
            f"<= ceil(N/1000)+1 = {expected}",
            studies_requests <= expected,
            "" if studies_requests <= expected else "more pages than needed",
        ),
        Target(
            "peak RSS of the refresh",
            f"{rss:.0f} MB",
            "<= 500 MB",
            rss <= 500,
            ""
            if rss <= 500
            else "DuckDB in the build step (harvest stays ~200 MB): "
            "default memory_limit is 80% of RAM; see bench.profile_build",
        ),
    ]
    if dlt:
        speedup = dlt_s / flow_s
        targets.insert(
            1,
            Target(
                "pipeline vs dlt on the same pages",
                f"{speedup:.2f}x faster ({dlt_s:.1f} s vs {flow_s:.1f} s)",
                ">= 3x faster",
                speedup >= 3,
                ""
                if speedup >= 3
                else f"dlt takes {dlt_s / floor_s:.1f}x the floor; for 3x the pipeline "
                f"would need <= {dlt_s / 3:.1f} s (its harvest alone takes {harvest_s:.1f} s)",
            ),
        )
    lines.append(targets_table(targets))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--extra-studies", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--dlt-repeats", type=int, default=None, help="dlt runs (default: as many as --repeats)"
    )
    args = parser.parse_args(argv)
    banner("(a) full ClinicalTrials.gov harvest: pipeline vs bare fetch vs dlt")
    dlt_repeats = args.repeats if args.dlt_repeats is None else args.dlt_repeats
    data = measure(args.extra_studies, args.repeats, dlt_repeats)
    return finish(NAME, data, report)


if __name__ == "__main__":
    main()
