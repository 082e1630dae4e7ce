"""(e) The whole registry's size: a full ClinicalTrials.gov refresh at 600,000 extra studies, and
the nightly incremental run after 1,000 of them changed, each beside the same run's floor.

    python -m bench.ctgov_registry [--extra-studies N] [--repeats R] [--nightly-repeats R]
                                   [--changed N]

Per repeat, interleaved: the floor (bench.baselines floor: the full harvest's pages, fetched
bare), then `review refresh --source ctgov --full` in a fresh process on a new warehouse. The
first full run's warehouse is the published one for the night. Then one registry refresh
upstream (the data date moves on a day) in which `--changed` of the matching studies change
(bench.common's Sandbox applies it, as in (b)). Per nightly repeat, interleaved: the nightly
floor (bench.baselines floor-nightly: the query's NCT ids and the records updated since the last
run's data date, fetched bare), then the nightly refresh (no --full) on a copy of the published
warehouse and its ledger.

For every refresh: time (ledger), phases (Prefect task log), peak RSS (os.wait4), requests and
response bytes (sandbox log), and what copy-build-swap cost (warehouse.publish's log lines): the
published file's size, the seconds to copy it into the build file, the build task's seconds
without that copy, and the fsync + os.replace that publishes the result.

Targets: peak RSS at most 500 MB, full and nightly; the full refresh's time at 600,000 at most
6.6 times its time at 100,000 (bench.ctgov_scaling reports the ratio with (a)'s runs).
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from bench.common import (
    REVIEW_QUERY_ID,
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

NAME = "ctgov_registry"


def _copy_published(src: Path, dst: Path) -> Path:
    dst.mkdir(parents=True, exist_ok=True)
    for name in ("review.duckdb", "review.duckdb.runs.jsonl"):
        shutil.copyfile(src / name, dst / name)
    return dst / "review.duckdb"


def _row(run, log: dict, db: Path) -> dict:
    query = run.details["harvest"]["ctgov"]["queries"][REVIEW_QUERY_ID]
    build_s = run.phases.get("build", float("nan"))
    copy_s = run.swap.get("copy_s", 0.0)
    return {
        "flow_s": run.flow_s,
        "wall_s": run.wall_s,
        "phases": run.phases,
        "maxrss_mb": run.maxrss_mb,
        "requests": log["requests"],
        "bytes": log["bytes"],
        "mode": query["mode"],
        "studies": query["studies"],
        "total": query.get("current_total"),
        "pages": query.get("pages", {}),
        "copy_s": copy_s,
        "copy_mb": run.swap.get("copy_mb", 0.0),
        "build_only_s": build_s - copy_s,
        "publish_s": run.swap.get("publish_s"),
        "file_mb": db.stat().st_size / 1e6,
    }


def _floor(args: list[str], log_path: Path) -> dict:
    floor = run_child([sys.executable, "-m", "bench.baselines", *args], log_path)
    return {**floor.result, "maxrss_mb": floor.maxrss_mb}


def measure(extra_studies: int, repeats: int, nightly_repeats: int, changed: int) -> dict:
    full, full_floor, nightly, nightly_floor = [], [], [], []
    with (
        workspace(NAME) as wd,
        Sandbox(extra_studies=extra_studies, ncbi_rate_limit=False) as sb,
        prefect_server(wd) as prefect_env,
    ):
        print(f"sandbox: {extra_studies:,} extra studies, built in {sb.build_s:.1f} s", flush=True)
        spec = write_spec(wd / "review.toml")
        env = {**prefect_env, **sb.env()}
        for i in range(repeats):
            full_floor.append(_floor(["floor", sb.ctgov_base_url], wd / f"floor-{i}.log"))
            print(f"  floor {i + 1}/{repeats}: {full_floor[-1]['seconds']:.1f} s", flush=True)
            db = wd / f"full-{i}" / "review.duckdb"
            mark = sb.log_len()
            run = run_refresh(source="ctgov", spec=spec, db=db, env=env, full=True).check()
            full.append(_row(run, sb.log_summary(mark), db))
            print(
                f"  full {i + 1}/{repeats}: {run.flow_s:.1f} s (ledger), {run.maxrss_mb:.0f} MB "
                f"peak, file {full[-1]['file_mb']:,.0f} MB",
                flush=True,
            )
            if i > 0:
                shutil.rmtree(db.parent, ignore_errors=True)
        night = sb.change_extras(changed, extra_studies)
        since = night["previous_data_date"]
        print(
            f"  upstream: {night['changed']:,} studies changed in {night['seconds']:.1f} s "
            f"(data timestamp {since} -> {night['data_timestamp']})",
            flush=True,
        )
        for i in range(nightly_repeats):
            nightly_floor.append(
                _floor(
                    ["floor-nightly", sb.ctgov_base_url, "--since", since],
                    wd / f"floor-nightly-{i}.log",
                )
            )
            print(
                f"  nightly floor {i + 1}/{nightly_repeats}: {nightly_floor[-1]['seconds']:.1f} s",
                flush=True,
            )
            db = _copy_published(wd / "full-0", wd / f"nightly-{i}")
            mark = sb.log_len()
            run = run_refresh(source="ctgov", spec=spec, db=db, env=env).check()
            nightly.append(_row(run, sb.log_summary(mark), db))
            print(
                f"  nightly {i + 1}/{nightly_repeats}: {run.flow_s:.1f} s (ledger), "
                f"{run.maxrss_mb:.0f} MB peak, {nightly[-1]['requests']} requests, "
                f"{nightly[-1]['bytes'] / 1e6:,.1f} MB, copy {nightly[-1]['copy_s']:.1f} s",
                flush=True,
            )
            shutil.rmtree(db.parent, ignore_errors=True)
    return {
        "extra_studies": extra_studies,
        "changed": night["changed"],
        "night": night,
        "full": full,
        "full_floor": full_floor,
        "nightly": nightly,
        "nightly_floor": nightly_floor,
    }


def _m(runs: list[dict], key: str) -> float:
    return median([r[key] for r in runs if r.get(key) is not None])


def _phase(runs: list[dict], name: str) -> float:
    return median([r["phases"].get(name, float("nan")) for r in runs])


def report(data: dict) -> str:
    rows = []
    for label, runs, floors in (
        ("full (--full)", data["full"], data["full_floor"]),
        (f"nightly, {data['changed']:,} changed", data["nightly"], data["nightly_floor"]),
    ):
        flow, floor = _m(runs, "flow_s"), _m(floors, "seconds")
        rows.append(
            [
                label,
                len(runs),
                flow,
                floor,
                flow / floor,
                _phase(runs, "harvest_ctgov"),
                _m(runs, "build_only_s"),
                _phase(runs, "check"),
                round(_m(runs, "requests")),
                _m(runs, "bytes") / 1e6,
                round(_m(runs, "maxrss_mb")),
            ]
        )
    swap_rows = []
    for label, runs in (("full (--full)", data["full"]), ("nightly", data["nightly"])):
        swap_rows.append(
            [
                label,
                _m(runs, "file_mb"),
                _m(runs, "copy_mb") if any(r["copy_mb"] for r in runs) else "-",
                _m(runs, "copy_s") if any(r["copy_mb"] for r in runs) else "- (new file)",
                _m(runs, "build_only_s"),
                _m(runs, "publish_s"),
                f"{_m(runs, 'copy_s') / _m(runs, 'flow_s'):.1%}",
            ]
        )
    full, nightly = data["full"], data["nightly"]
    n = full[0]["total"]
    rss = max(_m(full, "maxrss_mb"), _m(nightly, "maxrss_mb"))
    lines = [
        f"{n:,} matching studies ({data['extra_studies']:,} extras); nightly after "
        f"{data['changed']:,} changed ({data['night']['previous_data_date']} -> "
        f"{data['night']['data_timestamp'][:10]}); medians",
        "",
        table(
            [
                "run",
                "runs",
                "seconds (ledger)",
                "floor s",
                "x floor",
                "harvest s",
                "build s (no copy)",
                "check s",
                "requests",
                "MB transferred",
                "peak RSS MB",
            ],
            rows,
        ),
        "",
        "What copy-build-swap cost (warehouse.publish's log): the published file the run "
        "copied (the full run starts a new file), the copy, the build without it, and the "
        "fsync + os.replace that publishes.",
        "",
        table(
            [
                "run",
                "published file MB (after)",
                "copied MB",
                "copy s",
                "build s (no copy)",
                "fsync + replace s",
                "copy / run",
            ],
            swap_rows,
        ),
        "",
        "Nightly pages: "
        + ", ".join(f"{k} {v}" for k, v in nightly[0]["pages"].items())
        + f"; records fetched {nightly[0]['studies']:,}; floor: "
        f"{data['nightly_floor'][0]['pages']} pages ({data['nightly_floor'][0]['ids']:,} ids, "
        f"{data['nightly_floor'][0]['studies']:,} records).",
        "",
        targets_table(
            [
                Target(
                    "peak RSS, full and nightly",
                    f"{_m(full, 'maxrss_mb'):.0f} / {_m(nightly, 'maxrss_mb'):.0f} MB",
                    "<= 500 MB",
                    rss <= 500,
                    "" if rss <= 500 else "see bench.profile_build's step table",
                ),
            ]
        ),
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--extra-studies", type=int, default=600_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--nightly-repeats", type=int, default=None, help="default: --repeats")
    parser.add_argument("--changed", type=int, default=1000)
    args = parser.parse_args(argv)
    banner("(e) the registry's size: full and nightly refresh at 600,000 extra studies")
    nightly = args.repeats if args.nightly_repeats is None else args.nightly_repeats
    data = measure(args.extra_studies, args.repeats, nightly, args.changed)
    return finish(NAME, data, report)


if __name__ == "__main__":
    main()
