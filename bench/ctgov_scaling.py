"""(d) How the full ClinicalTrials.gov refresh scales: 10,000 and 100,000 extra studies.

    python -m bench.ctgov_scaling [--repeats R] [--reuse]

For each size, a sandbox (its own process) with that many extras, and `review refresh
--source ctgov --full` on a new warehouse, R times; the time is the ledger's (harvest, build,
check, publish). With --reuse (bench.run_all passes it), the 100,000-study runs that
bench.ctgov_full_harvest just measured in this session are used instead of running them again
(BENCH_RESULTS_DIR/ctgov_full_harvest.json).

Target: time at 100,000 at most 11x the time at 10,000 (about linear: 10x the studies).
"""

from __future__ import annotations

import argparse

from bench.common import (
    Sandbox,
    Target,
    banner,
    load_results,
    median,
    prefect_server,
    run_refresh,
    save_results,
    table,
    targets_table,
    workspace,
    write_spec,
)

NAME = "ctgov_scaling"
SIZES = (10_000, 100_000)


def measure_size(extra_studies: int, repeats: int) -> list[dict]:
    runs = []
    with (
        workspace(f"{NAME}-{extra_studies}") as wd,
        Sandbox(extra_studies=extra_studies, ncbi_rate_limit=False) as sb,
        prefect_server(wd) as prefect_env,
    ):
        spec = write_spec(wd / "spec.toml")
        env = {**prefect_env, **sb.env()}
        for i in range(repeats):
            db = wd / f"run-{i}" / "review.duckdb"
            run = run_refresh(source="ctgov", spec=spec, db=db, env=env, full=True).check()
            query = run.details["harvest"]["ctgov"]["queries"]["msc_liver"]
            runs.append(
                {
                    "flow_s": run.flow_s,
                    "wall_s": run.wall_s,
                    "phases": run.phases,
                    "maxrss_mb": run.maxrss_mb,
                    "total": query.get("current_total", query["studies"]),
                    "requests": run.requests,
                }
            )
            print(f"  {extra_studies:,} extras {i + 1}/{repeats}: {run.flow_s:.1f} s", flush=True)
    return runs


def measure(repeats: int, reuse: bool) -> dict:
    sizes = {}
    reused = None
    if reuse:
        previous = load_results("ctgov_full_harvest")
        if previous and previous.get("extra_studies") == 100_000:
            reused = previous["runs"]["pipeline"]
    for size in SIZES:
        if size == 100_000 and reused:
            print(f"  {size:,} extras: reusing the {len(reused)} runs of (a)", flush=True)
            sizes[str(size)] = {"runs": reused, "reused": True}
            continue
        sizes[str(size)] = {"runs": measure_size(size, repeats), "reused": False}
    return {"sizes": sizes}


def report(data: dict) -> str:
    rows = []
    medians = {}
    for size, entry in data["sizes"].items():
        runs = entry["runs"]
        flow = median([r["flow_s"] for r in runs])
        harvest = median([r["phases"].get("harvest_ctgov", float("nan")) for r in runs])
        build = median(
            [sum(v for k, v in r["phases"].items() if k != "harvest_ctgov") for r in runs]
        )
        medians[int(size)] = (flow, harvest, build)
        rows.append(
            [
                f"{int(size):,}" + (" (runs of (a))" if entry["reused"] else ""),
                runs[0]["total"],
                len(runs),
                flow,
                harvest,
                build,
                round(runs[0]["total"] / flow),
                round(median([r["maxrss_mb"] for r in runs])),
            ]
        )
    small, large = medians[SIZES[0]], medians[SIZES[1]]
    ratio = large[0] / small[0]
    lines = [
        "full refresh (--source ctgov --full); medians",
        "",
        table(
            [
                "extra studies",
                "matching",
                "runs",
                "refresh s (ledger)",
                "harvest s",
                "build+check+publish s",
                "studies/s",
                "peak RSS MB",
            ],
            rows,
        ),
        "",
        f"ratios 100,000 / 10,000: refresh {ratio:.2f}, harvest {large[1] / small[1]:.2f}, "
        f"build+check+publish {large[2] / small[2]:.2f}",
        "",
        targets_table(
            [
                Target(
                    "time at 100,000 / time at 10,000",
                    f"{ratio:.2f}",
                    "<= 11",
                    ratio <= 11,
                    "" if ratio <= 11 else "grows faster than the number of studies",
                ),
            ]
        ),
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="use (a)'s 100,000-study runs from BENCH_RESULTS_DIR if present",
    )
    args = parser.parse_args(argv)
    banner("(d) full ClinicalTrials.gov refresh: 10,000 vs 100,000 extra studies")
    data = measure(args.repeats, args.reuse)
    save_results(NAME, data)
    text = report(data)
    print("\n" + text, flush=True)
    return text


if __name__ == "__main__":
    main()
