"""Diagnosis, not a benchmark: where a 100,000-study refresh spends its time and memory.

    python -m bench.profile_build [--extra-studies N] [--setting "SQL; ..."]... [--landing DIR]

1. harvests the review query from a sandbox (in its own process) into a landing zone with the
   pipeline's own code (CtgovClient, harvest_query, LandingZone) but without Prefect, timing it;
2. replays the flow's `build` and `check` steps on that landing zone in a fresh process per
   DuckDB configuration (`--setting`, e.g. "set memory_limit = '300MB'"; the first
   configuration is always the pipeline's as it is), printing seconds and the peak RSS reached after
   each step (ru_maxrss is a high-water mark: the step that raises it is the one that needs it).

The settings are applied by wrapping warehouse.db's connection function in the child process
only; no pipeline code is changed.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from bench.common import REVIEW_QUERY_ID, REVIEW_TERM, Sandbox, table, workspace

CUTOFF = date(2022, 4, 29)


def harvest(base_url: str, landing_dir: Path) -> dict:
    from extract.ctgov import CtgovClient
    from extract.ctgov_harvest import harvest_query
    from warehouse.landing import LandingZone

    client = CtgovClient(base_url, requests_per_second=1000.0, timeout=(5.0, 120.0))
    landing = LandingZone(landing_dir)
    version, raw = client.fetch_version()
    landing.save_ctgov_version(version, raw)
    stamp = version["dataTimestamp"]
    started = time.perf_counter()
    result = harvest_query(
        client,
        {"query.term": REVIEW_TERM},
        CUTOFF,
        None,
        lambda purpose, page: landing.save_ctgov_page(REVIEW_QUERY_ID, purpose, page, stamp),
        lambda scope, total, raw: landing.save_ctgov_total(REVIEW_QUERY_ID, scope, total, raw),
    )
    return {
        "seconds": time.perf_counter() - started,
        "studies": result.studies,
        "requests": client.stats.requests,
        "data_timestamp": stamp,
    }


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build_child(
    landing_dir: Path, db_file: Path, stamp: str, settings: list[str], steps: list
) -> None:
    """The flow's build + check steps, timed one by one (runs in its own process)."""
    import warehouse.db as wdb
    from flows.settings import load_settings
    from warehouse import build as wh
    from warehouse import load
    from warehouse.build import model_dag
    from warehouse.landing import LandingZone

    original = wdb._attached

    def attached(path, read_only):
        con = original(path, read_only)
        for statement in settings:
            con.execute(statement)
        return con

    wdb._attached = attached
    for statement in list(settings):
        if statement.startswith("max_json_object="):  # not SQL: warehouse.load's constant
            load.MAX_JSON_OBJECT = int(statement.split("=", 1)[1])
            settings.remove(statement)
    run_id = "20990101T000000-bench0"

    def step(name, fn):
        started = time.perf_counter()
        try:
            fn()
        except Exception:
            steps.append([f"{name} (FAILED)", time.perf_counter() - started, _peak_mb()])
            raise
        steps.append([name, time.perf_counter() - started, _peak_mb()])

    steps.append(["(imports)", 0.0, _peak_mb()])
    wdb.create_empty(db_file)
    con = wdb.connect_build(db_file)
    variables = wh.BuildParams(run_id, 1, "2099-01-01T00:00:00+00:00", CUTOFF.isoformat(),
                               stamp)
    review = load_settings()
    step("migrate + prepare", lambda: (wh.migrate(con), wh.prepare(con, variables)))
    landing = LandingZone(landing_dir)
    step("load_ctgov_landing", lambda: load.load_ctgov_landing(con, landing, run_id))
    step("load_curated", lambda: load.load_curated(con, review.curated))
    for model in model_dag(review.model_dirs, review.curated).models:
        body = wh._strip_trailing_semicolon(model.sql)
        if model.materialized == "view":
            sql = f"create or replace view {model.relation} as\n{body}"
        elif model.materialized == "incremental":
            sql = f"insert into {model.relation} by name\n{body}"
        else:
            sql = f"create or replace table {model.relation} as\n{body}"
        step(model.relation, lambda sql=sql: con.execute(sql))
    step("prune_raw", lambda: wh.prune_raw(con))
    step("checkpoint", lambda: con.execute("checkpoint"))
    step("checks", lambda: wh.run_checks(con))
    con.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--extra-studies", type=int, default=100_000)
    parser.add_argument(
        "--setting",
        action="append",
        default=[],
        help="one extra configuration: DuckDB statements separated by ';', "
        "and/or max_json_object=BYTES (warehouse.load's constant); repeatable",
    )
    parser.add_argument(
        "--landing", type=Path, help="keep/reuse the landing zone here (harvested once if empty)"
    )
    parser.add_argument(
        "--child", nargs=4, metavar=("LANDING", "DB", "STAMP", "SETTINGS"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.child:
        landing, db, stamp, settings = args.child
        steps: list = []
        try:
            build_child(Path(landing), Path(db), stamp, json.loads(settings), steps)
        except Exception as exc:
            print(json.dumps({"steps": steps, "error": " ".join(str(exc).split())[:300]}))
            sys.exit(1)
        print(json.dumps({"steps": steps, "error": None}))
        return

    configs = [[]] + [[x.strip() for x in s.split(";") if x.strip()] for s in args.setting]
    with workspace("profile") as wd:
        landing = args.landing or wd / "landing"
        if (landing / "ctgov_version.jsonl").exists():  # reuse a landing zone (--landing)
            first = (landing / "ctgov_version.jsonl").read_text().splitlines()[0]
            harvested = {"data_timestamp": json.loads(first)["dataTimestamp"]}
        else:
            with Sandbox(extra_studies=args.extra_studies, ncbi_rate_limit=False) as sandbox:
                harvested = harvest(sandbox.ctgov_base_url, landing)
            print(
                f"harvest (pipeline code, no Prefect): {harvested['seconds']:.1f} s, "
                f"{harvested['studies']:,} studies, {harvested['requests']} requests"
            )
        for i, settings in enumerate(configs):
            db = wd / f"build-{i}.duckdb"
            started = time.perf_counter()
            out = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "bench.profile_build",
                    "--child",
                    str(landing),
                    str(db),
                    harvested["data_timestamp"],
                    json.dumps(settings),
                ],
                capture_output=True,
                text=True,
                env=os.environ,
            )
            total = time.perf_counter() - started
            try:
                result = json.loads(out.stdout.strip().splitlines()[-1])
            except (ValueError, IndexError):
                result = {"steps": [], "error": out.stderr.strip()[-300:]}
            steps = result["steps"]
            outcome = f"FAILED: {result['error']}" if result["error"] else "ok"
            peak = max((s[2] for s in steps), default=float("nan"))
            print(
                f"\nbuild + check with {settings or 'the pipeline as it is'}: {total:.1f} s, "
                f"peak RSS {peak:.0f} MB, {outcome}\n"
            )
            shown = [s for s in steps if s[1] >= 0.2 or s[0] == "(imports)" or "FAIL" in s[0]]
            print(
                table(
                    ["step", "seconds", "peak RSS so far (MB)"],
                    [[name, round(sec, 2), round(mb)] for name, sec, mb in shown],
                )
            )


if __name__ == "__main__":
    main()
