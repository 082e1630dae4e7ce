"""Diagnosis, not a benchmark: where a full refresh spends its time and memory, step by step.

    python -m bench.profile_build [--extra-studies N] [--setting "SQL; ..."]... [--landing DIR]
    python -m bench.profile_build --nightly CHANGED [--extra-studies N] [--setting ...]...
    python -m bench.profile_build --harvest-ab R [--extra-studies N]

1. harvests the review query from a sandbox (in its own process) into a landing zone with the
   pipeline's own code (CtgovClient, extract.ctgov_harvest.plan_query, LandingZone.save_ctgov_item,
   the drift check) but without Prefect, timing it;
2. replays the flow's `build`, `check` and `publish` tasks (flows/refresh.py) on that landing
   zone in a fresh process per DuckDB configuration (`--setting`, e.g. "set memory_limit =
   '300MB'"; the first configuration is always the pipeline's as it is), with the bench spec
   (bench.common.write_spec: the review query, no curated tables, the engine's models), printing
   for each step its seconds and CPU seconds (user + system, all threads: steadier than wall
   time on a busy machine), the peak RSS reached so far (ru_maxrss is a high-water mark: the
   step that raises it is the one that needs it), the RSS after it, and the most DuckDB had
   spilled to its temp_directory at any time during the step.

The settings are applied after warehouse.db.connect_build's own (memory_limit, temp_directory),
by wrapping it in the child process only; no pipeline code is changed.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

from bench.common import REVIEW_QUERY_ID, Sandbox, table, workspace, write_spec


def harvest(
    base_url: str,
    landing_dir: Path,
    spec: Path,
    prefetch: bool = True,
    published: Path | None = None,
) -> dict:
    """The review query's pages, landed as the flow's harvest_ctgov lands them: everything, or
    (`published`: a warehouse) the nightly plan against what that warehouse knows."""
    from extract.ctgov import CtgovClient
    from extract.ctgov_drift import DriftReport, check_study
    from extract.ctgov_harvest import KnownQuery, PageItem, plan_query
    from flows.settings import load_settings
    from warehouse.landing import LandingZone
    from warehouse.state import changed_since, read_published_state

    settings = load_settings(spec)
    query = settings.ctgov_query(REVIEW_QUERY_ID)
    known = None
    if published is not None:
        state = read_published_state(published)
        known = KnownQuery(state.ctgov_members.get(query.id, frozenset()), changed_since(state))
    client = CtgovClient(
        base_url, requests_per_second=1000.0, timeout=(5.0, 120.0), prefetch=prefetch
    )
    landing = LandingZone(landing_dir)
    drift = DriftReport()
    started = time.perf_counter()
    version, raw = client.fetch_version()
    landing.save_ctgov_version(version, raw)
    stamp = version["dataTimestamp"]
    studies = 0
    for item in plan_query(client, query.params, settings.cutoff, known):
        if isinstance(item, PageItem):
            for study in item.page.studies:
                check_study(study, drift)
            studies += len(item.page.studies)
        landing.save_ctgov_item(query.id, item, stamp)
    return {
        "seconds": time.perf_counter() - started,
        "studies": studies,
        "requests": client.stats.requests,
        "data_timestamp": stamp,
    }


def harvest_ab(extra_studies: int, repeats: int) -> None:
    """The harvest without and with prefetching, interleaved, each in a fresh process."""
    from bench.common import median

    times: dict[bool, list[float]] = {False: [], True: []}
    with (
        workspace("harvest-ab") as wd,
        Sandbox(extra_studies=extra_studies, ncbi_rate_limit=False) as sandbox,
    ):
        spec = write_spec(wd / "spec.toml")
        for i in range(repeats):
            for prefetch in (False, True):
                landing = wd / f"landing-{i}-{prefetch}"
                code = (
                    "import json, sys; from pathlib import Path; "
                    "from bench.profile_build import harvest; "
                    f"print(json.dumps(harvest({sandbox.ctgov_base_url!r}, Path({str(landing)!r}), "
                    f"Path({str(spec)!r}), {prefetch})))"
                )
                out = subprocess.run(
                    [sys.executable, "-c", code], capture_output=True, text=True, check=True
                )
                result = json.loads(out.stdout.strip().splitlines()[-1])
                times[prefetch].append(result["seconds"])
                print(
                    f"  harvest {i + 1}/{repeats} prefetch={prefetch}: "
                    f"{result['seconds']:.1f} s, {result['requests']} requests",
                    flush=True,
                )
                shutil.rmtree(landing, ignore_errors=True)
    off, on = median(times[False]), median(times[True])
    print(f"\nharvest medians: without prefetch {off:.1f} s, with {on:.1f} s ({on / off:.2f}x)")


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _spilled_mb(directory: Path) -> float:
    if not directory.is_dir():
        return 0.0
    total = 0
    for f in directory.rglob("*"):
        with contextlib.suppress(OSError):  # removed while we looked
            total += f.stat().st_size if f.is_file() else 0
    return total / 2**20


class _SpillWatch:
    """The most DuckDB had spilled to its temp_directory at any time during a step (sampled
    every 50 ms on a thread; DuckDB removes the files when the statement ends)."""

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.most = 0.0

    def start(self, directory: Path) -> None:
        self.most = 0.0
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, args=(directory,), daemon=True)
        self._thread.start()

    def _run(self, directory: Path) -> None:
        while not self._stop.wait(0.05):
            self.most = max(self.most, _spilled_mb(directory))

    def stop(self) -> float:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        return self.most


def build_child(
    landing_dir: Path, db_file: Path, spec: Path, stamp: str, settings: list[str], steps: list
) -> None:
    """The flow's build, check and publish tasks, timed step by step (in its own process)."""
    import warehouse.db as wdb
    from flows.settings import load_settings
    from warehouse import build as wh
    from warehouse import load
    from warehouse.landing import LandingZone
    from warehouse.ledger import Ledger, ledger_path, now_utc
    from warehouse.publish import publish, start_build

    original = wdb.connect_build

    def connect_build(path):
        con = original(path)
        for statement in settings:
            con.execute(statement)
        return con

    wdb.connect_build = connect_build
    for statement in list(settings):
        if statement.startswith("max_json_object="):  # not SQL: warehouse.load's constant
            load.MAX_JSON_OBJECT = int(statement.split("=", 1)[1])
            settings.remove(statement)
        elif statement.startswith("row_group_size="):  # not SQL: warehouse.db's constant
            wdb.BUILD_ROW_GROUP_SIZE = int(statement.split("=", 1)[1])
            settings.remove(statement)
    from warehouse.state import read_published_state

    review = load_settings(spec, db_file)
    seq = read_published_state(db_file).run_seq + 1 if db_file.exists() else 1
    run_id = f"20990101T{seq:06d}-bench{seq}"  # after the file's own runs, as run ids sort
    params = wh.BuildParams(
        run_id=run_id,
        run_seq=seq,
        run_at="2099-01-01T00:00:00+00:00",
        cutoff=review.cutoff.isoformat(),
        data_timestamp=stamp,
        max_total_drop=review.max_total_drop,
        data_timestamp_published=stamp,
    )
    spill = Path(str(wdb.temp_directory(db_file)))

    watch = _SpillWatch()

    def step(name, fn):
        started, cpu = time.perf_counter(), _cpu_s()
        watch.start(spill)
        try:
            fn()
        except Exception:
            steps.append(
                [
                    f"{name} (FAILED)",
                    time.perf_counter() - started,
                    _cpu_s() - cpu,
                    _peak_mb(),
                    _rss_mb(),
                    watch.stop(),
                ]
            )
            raise
        steps.append(
            [
                name,
                time.perf_counter() - started,
                _cpu_s() - cpu,
                _peak_mb(),
                _rss_mb(),
                watch.stop(),
            ]
        )

    steps.append(["(imports)", 0.0, _cpu_s(), _peak_mb(), _rss_mb(), 0.0])
    # the run's ledger line, as warehouse.runs.recorded_run writes it first (ops.runs reads it)
    Ledger(ledger_path(review.db_path)).write(
        {"run_id": run_id, "started_at": now_utc(), "status": "running", "source": "ctgov"}
    )
    dag = wh.model_dag(review.model_dirs, review.curated)
    holder: dict = {}
    step(
        "start_build (copy or create)",
        lambda: holder.update(file=start_build(review.db_path, run_id)),
    )
    build_file = holder["file"]
    spill = Path(str(wdb.temp_directory(build_file)))
    con = wdb.connect_build(build_file)
    landing = LandingZone(landing_dir)
    step("migrate", lambda: wh.migrate(con, dag))
    step("prepare", lambda: wh.prepare(con, params))
    step("land_spec", lambda: wh.land_spec(con, run_id, review.query_fingerprints(), params.cutoff))
    step("load_ctgov_landing", lambda: load.load_ctgov_landing(con, landing, run_id))
    step("load_pubmed_landing", lambda: load.load_pubmed_landing(con, landing, run_id))
    step("load_curated", lambda: load.load_curated(con, review.curated))
    for model in dag.models:
        body = wh._strip_trailing_semicolon(model.sql)
        if model.materialized == "view":
            sql = f"create or replace view {model.relation} as\n{body}"
        elif model.materialized == "incremental":
            sql = f"insert into {model.relation} by name\n{body}"
        else:
            sql = f"create or replace table {model.relation} as\n{body}"
        step(model.relation, lambda sql=sql: con.execute(sql))
    step("prune_raw", lambda: wh.prune_raw(con))
    step(
        "ops.runs + published_run + checkpoint",
        lambda: wh.record_published_run(con, params, "ctgov", review.db_path),
    )
    step("close (build)", con.close)
    con = wdb.connect_build(build_file)
    step("check: prepare", lambda: wh.prepare(con, params))
    step("check: sudden_drops", lambda: wh.sudden_drops(con))
    step("check: run_checks", lambda: wh.run_checks(con, dag))
    step("check: unknown countries", lambda: wh.unknown_country_spellings(con))
    step("close (check)", con.close)
    step("publish (fsync + os.replace)", lambda: publish(build_file, review.db_path))
    steps.append(
        ["(file size MB)", 0.0, 0.0, _peak_mb(), _rss_mb(), review.db_path.stat().st_size / 2**20]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--extra-studies", type=int, default=100_000)
    parser.add_argument(
        "--setting",
        action="append",
        default=[],
        help="one extra configuration: DuckDB statements separated by ';', "
        "and/or max_json_object=BYTES (warehouse.load's constant), row_group_size=ROWS "
        "(warehouse.db's BUILD_ROW_GROUP_SIZE, 0 for DuckDB's default); repeatable",
    )
    parser.add_argument(
        "--landing", type=Path, help="keep/reuse the landing zone here (harvested once if empty)"
    )
    parser.add_argument(
        "--harvest-ab",
        type=int,
        default=0,
        metavar="R",
        help="only the harvest: R interleaved pairs without and with prefetching (one page "
        "ahead), against one sandbox; prints both medians",
    )
    parser.add_argument(
        "--nightly",
        type=int,
        default=0,
        metavar="CHANGED",
        help="profile the nightly run instead: a full harvest and build, then CHANGED studies "
        "change upstream, then the nightly harvest and its build into a copy, per configuration",
    )
    parser.add_argument(
        "--child",
        nargs=5,
        metavar=("LANDING", "DB", "SPEC", "STAMP", "SETTINGS"),
        help=argparse.SUPPRESS,
    )
    args = parser.parse_args()
    if args.child:
        landing, db, spec, stamp, settings = args.child
        steps: list = []
        try:
            build_child(Path(landing), Path(db), Path(spec), stamp, json.loads(settings), steps)
        except Exception as exc:
            print(json.dumps({"steps": steps, "error": " ".join(str(exc).split())[:300]}))
            sys.exit(1)
        print(json.dumps({"steps": steps, "error": None}))
        return

    if args.harvest_ab:
        harvest_ab(args.extra_studies, args.harvest_ab)
        return
    configs = [[]] + [[x.strip() for x in s.split(";") if x.strip()] for s in args.setting]
    with workspace("profile") as wd:
        spec = write_spec(wd / "spec.toml")
        if args.nightly:
            nightly(args.extra_studies, args.nightly, configs, wd, spec)
            return
        landing = args.landing or wd / "landing"
        if (landing / "ctgov_version.jsonl").exists():  # reuse a landing zone (--landing)
            first = (landing / "ctgov_version.jsonl").read_text().splitlines()[0]
            harvested = {"data_timestamp": json.loads(first)["dataTimestamp"]}
        else:
            with Sandbox(extra_studies=args.extra_studies, ncbi_rate_limit=False) as sandbox:
                harvested = harvest(sandbox.ctgov_base_url, landing, spec)
            _print_harvest("harvest", harvested)
        for i, settings in enumerate(configs):
            db = wd / f"build-{i}" / "review.duckdb"
            replay(landing, db, spec, harvested["data_timestamp"], settings)
            shutil.rmtree(db.parent, ignore_errors=True)


def nightly(extra_studies: int, changed: int, configs: list, wd: Path, spec: Path) -> None:
    """A full harvest and build (the published warehouse), then one night upstream in which
    `changed` studies change, the nightly harvest against that warehouse, and its build into a
    copy of it (as the flow's build task does) for each configuration."""
    base = wd / "published" / "review.duckdb"
    with Sandbox(extra_studies=extra_studies, ncbi_rate_limit=False) as sandbox:
        full = harvest(sandbox.ctgov_base_url, wd / "landing-full", spec)
        _print_harvest("full harvest", full)
        replay(wd / "landing-full", base, spec, full["data_timestamp"], [], "full build: ")
        night = sandbox.change_extras(changed, extra_studies)
        print(
            f"\nupstream: {night['changed']:,} studies changed, data timestamp "
            f"{night['previous_data_date']} -> {night['data_timestamp']}"
        )
        inc = harvest(sandbox.ctgov_base_url, wd / "landing-night", spec, published=base)
        _print_harvest("nightly harvest", inc)
    shutil.rmtree(wd / "landing-full", ignore_errors=True)
    for i, settings in enumerate(configs):
        target = wd / f"night-{i}"
        target.mkdir()
        for name in ("review.duckdb", "review.duckdb.runs.jsonl"):
            shutil.copyfile(base.parent / name, target / name)
        replay(
            wd / "landing-night",
            target / "review.duckdb",
            spec,
            inc["data_timestamp"],
            settings,
            "nightly build: ",
        )
        shutil.rmtree(target, ignore_errors=True)


def _print_harvest(label: str, harvested: dict) -> None:
    print(
        f"{label} (pipeline code, no Prefect): {harvested['seconds']:.1f} s, "
        f"{harvested['studies']:,} records, {harvested['requests']} requests",
        flush=True,
    )


def replay(
    landing: Path, db: Path, spec: Path, stamp: str, settings: list[str], label: str = ""
) -> None:
    """build_child in a fresh process (the build file is a copy of `db` if it exists), and its
    step table."""
    started = time.perf_counter()
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.profile_build",
            "--child",
            str(landing),
            str(db),
            str(spec),
            stamp,
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
    size = [s for s in steps if s[0] == "(file size MB)"]
    steps = [s for s in steps if s[0] != "(file size MB)"]
    outcome = f"FAILED: {result['error']}" if result["error"] else "ok"
    peak = max((s[3] for s in steps), default=float("nan"))
    cpu = sum(s[2] for s in steps if s[0] != "(imports)")
    steps_s = sum(s[1] for s in steps)
    print(
        f"\n{label}build + check + publish with {settings or 'the pipeline as it is'}: "
        f"{total:.1f} s in all, {steps_s:.1f} s in the steps ({cpu:.1f} s CPU), "
        f"peak RSS {peak:.0f} MB, {outcome}"
        + (f"; published file {size[0][5]:,.0f} MB" if size else "")
        + "\n",
        flush=True,
    )
    shown = [s for s in steps if s[1] >= 0.2 or s[0] == "(imports)" or "FAIL" in s[0]]
    print(
        table(
            [
                "step",
                "seconds",
                "CPU s",
                "peak RSS so far (MB)",
                "RSS after (MB)",
                "most spilled MB",
            ],
            [
                [name, round(sec, 2), round(cpu_s, 2), round(mb), round(now), round(spilled)]
                for name, sec, cpu_s, mb, now, spilled in shown
            ],
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()
