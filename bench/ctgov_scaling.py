"""(d) How the full ClinicalTrials.gov refresh scales: 10,000, 100,000 and 600,000 extra studies.

    python -m bench.ctgov_scaling [--repeats R] [--reuse] [--sizes 10000,100000,600000]

For each size, a sandbox (its own process) with that many extras, and `review refresh
--source ctgov --full` on a new warehouse, R times; the time is the ledger's (harvest, build,
check, publish). With --reuse (bench.run_all passes it), the runs this session already made
are used instead of running them again: the 100,000-study runs of bench.ctgov_full_harvest (a)
and the 600,000-study full runs of bench.ctgov_registry (e) (BENCH_RESULTS_DIR/*.json).

Targets (about linear): time at 100,000 at most 11x the time at 10,000 (10x the studies);
time at 600,000 at most 6.6x the time at 100,000 (6x the studies).
"""

from __future__ import annotations

import argparse

from bench.common import (
    Sandbox,
    Target,
    banner,
    finish,
    load_results,
    median,
    prefect_server,
    run_refresh,
    table,
    targets_table,
    workspace,
    write_spec,
)

NAME = "ctgov_scaling"
SIZES = (10_000, 100_000, 600_000)
# (smaller, larger, the most the larger may take): ~linear, with 10% to spare
RATIO_GOALS = ((10_000, 100_000, 11.0), (100_000, 600_000, 6.6))


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


def _reused(size: int) -> list[dict] | None:
    """This session's runs of `size` made by (a) or (e), if any."""
    if size == 100_000:
        previous = load_results("ctgov_full_harvest")
        if previous and previous.get("extra_studies") == size:
            return previous["runs"]["pipeline"]
    if size == 600_000:
        previous = load_results("ctgov_registry")
        if previous and previous.get("extra_studies") == size:
            return previous["full"]
    return None


def measure(repeats: int, reuse: bool, sizes: tuple[int, ...] = SIZES) -> dict:
    found = {}
    for size in sizes:
        reused = _reused(size) if reuse else None
        if reused:
            print(f"  {size:,} extras: reusing the {len(reused)} runs already made", flush=True)
            found[str(size)] = {"runs": reused, "reused": True}
            continue
        found[str(size)] = {"runs": measure_size(size, repeats), "reused": False}
    return {"sizes": found}


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
                f"{int(size):,}" + (" (runs of (a) / (e))" if entry["reused"] else ""),
                runs[0]["total"],
                len(runs),
                flow,
                harvest,
                build,
                round(runs[0]["total"] / flow),
                round(median([r["maxrss_mb"] for r in runs])),
            ]
        )
    ratios, targets = [], []
    for small_n, large_n, goal in RATIO_GOALS:
        if small_n not in medians or large_n not in medians:
            continue
        small, large = medians[small_n], medians[large_n]
        ratio = large[0] / small[0]
        ratios.append(
            f"ratios {large_n:,} / {small_n:,}: refresh {ratio:.2f}, harvest "
            f"{large[1] / small[1]:.2f}, build+check+publish {large[2] / small[2]:.2f}"
        )
        targets.append(
            Target(
                f"time at {large_n:,} / time at {small_n:,}",
                f"{ratio:.2f}",
                f"<= {goal}",
                ratio <= goal,
                "" if ratio <= goal else "grows faster than the number of studies",
            )
        )
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
        *ratios,
        "",
        targets_table(targets) if targets else "(no size pair with a goal)",
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
    parser.add_argument("--sizes", default=",".join(str(n) for n in SIZES),
                        help="extra studies, comma-separated")
    args = parser.parse_args(argv)
    sizes = tuple(int(n) for n in args.sizes.split(","))
    banner("(d) full ClinicalTrials.gov refresh: how its time grows with the registry")
    data = measure(args.repeats, args.reuse, sizes)
    return finish(NAME, data, report)


if __name__ == "__main__":
    main()
