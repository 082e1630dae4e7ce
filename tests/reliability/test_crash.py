"""SIGKILL `review refresh` at 20 seeded moments: the published file survives every one.

After each kill the published warehouse opens (read-only) and holds the state before the run
or the state after it, never anything else; the next run succeeds with no manual cleanup (it
removes the dead run's build file and landing zone) and closes the dead run's ledger row.

Each kill needs its own process, so the module starts one `prefect server start` (10-30 s) and
runs the CLI against it: a run then takes seconds, not the 15 s of a temporary server.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from reliability_helpers import file_digest, leftovers, query, snapshot, write_spec

from sandbox.server import SandboxServer
from warehouse.ledger import Ledger, ledger_path

pytestmark = pytest.mark.slow

SEED = 20220429
RANDOM_KILLS = 13
REVIEW = str(Path(sys.executable).with_name("review"))


@dataclass
class CliRun:
    """A `review refresh` subprocess and the lines it printed (Prefect logs the task phases)."""

    process: subprocess.Popen
    started: float
    lines: list[str] = field(default_factory=list)

    def saw(self, text: str) -> bool:
        return any(text in line for line in list(self.lines))


@pytest.fixture(scope="module")
def cli(prefect_api, tmp_path_factory):
    """Start `review refresh --source all` against the module's sandbox and Prefect server."""
    root = tmp_path_factory.mktemp("crash")
    spec = write_spec(root / "review.toml")
    db = root / "data" / "review.duckdb"
    with SandboxServer(port=0, ncbi_rate_limit=False) as sandbox:
        env = {
            **os.environ,
            "PREFECT_API_URL": prefect_api["url"],
            "PREFECT_HOME": str(prefect_api["home"]),
            "PREFECT_LOGGING_LEVEL": "INFO",
            "CTGOV_BASE_URL": sandbox.ctgov_base_url,
            "EUTILS_BASE_URL": sandbox.eutils_base_url,
        }

        def start() -> CliRun:
            process = subprocess.Popen(
                [REVIEW, "refresh", "--source", "all", "--spec", str(spec), "--db", str(db)],
                env=env, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            )  # fmt: skip
            run = CliRun(process, time.monotonic())
            threading.Thread(target=lambda: run.lines.extend(process.stdout), daemon=True).start()
            return run

        start.db, start.sandbox, start.env, start.root = db, sandbox, env, root
        yield start


def finish(run: CliRun, timeout: float = 120) -> int:
    code = run.process.wait(timeout=timeout)
    time.sleep(0.05)  # the reader thread takes the last lines
    return code


def build_files(db: Path) -> list[Path]:
    return list(db.parent.glob(f"{db.name}.building-*"))


def landing_dirs(db: Path) -> list[Path]:
    landing = db.parent / "landing"
    return list(landing.iterdir()) if landing.exists() else []


def wait_for(run: CliRun, condition, timeout: float = 60) -> bool:
    """Poll every 5 ms; False when the run ended (or the time ran out) first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and run.process.poll() is None:
        if condition():
            return True
        time.sleep(0.005)
    return False


def kill_moments(duration: float) -> list[tuple[str, object]]:
    """13 seeded random delays within an uninterrupted run, and 7 forced into late phases."""
    rng = random.Random(SEED)
    moments: list[tuple[str, object]] = [
        ("delay", round(rng.uniform(0.2, duration), 2)) for _ in range(RANDOM_KILLS)
    ]
    moments += [
        ("landing", 0.0),  # harvest: the run's landing zone just appeared
        ("landing", 0.5),
        ("build", 0.0),  # build: the build file just appeared (a copy being written)
        ("build", 0.3),
        ("log", "Task run 'build-"),  # checks: the build task has finished
        ("log", "Task run 'check-"),  # publish: the checks have finished
        ("published", None),  # the build file was swapped in; the ledger not yet written
    ]
    return moments


def kill_at(run: CliRun, db: Path, moment: tuple[str, object]) -> None:
    kind, arg = moment
    if kind == "delay":
        wait_for(run, lambda: time.monotonic() - run.started >= arg)
    elif kind == "landing":
        if wait_for(run, lambda: landing_dirs(db)):
            time.sleep(arg)
    elif kind == "build":
        if wait_for(run, lambda: build_files(db)):
            time.sleep(arg)
    elif kind == "log":
        wait_for(run, lambda: run.saw(arg) and any(
            arg in line and "Finished" in line for line in list(run.lines)))  # fmt: skip
    elif kind == "published" and wait_for(run, lambda: build_files(db)):
        wait_for(run, lambda: not build_files(db))
    if run.process.poll() is None:
        run.process.send_signal(signal.SIGKILL)


def published_run_id(db: Path) -> str:
    return query(db, "select run_id from ops.published_run order by run_seq desc limit 1")[0][0]


def test_sigkill_at_20_moments_never_damages_the_published_warehouse(cli):
    db = cli.db
    first = cli()
    assert finish(first) == 0, "".join(first.lines)
    duration = time.monotonic() - first.started
    killed, published_by_killed = 0, []
    for i, moment in enumerate(kill_moments(duration)):
        # upstream moves on, so the state after a run differs from the state before it
        cli.sandbox.ctgov_corpus.add_matching_study()
        before_digest, before = file_digest(db), snapshot(db)
        runs_before = {r["run_id"] for r in Ledger(ledger_path(db)).runs()}
        victim = cli()
        kill_at(victim, db, moment)
        code = finish(victim)
        killed += code == -signal.SIGKILL
        where = f"kill {i} at {moment}: exit {code}"
        # the published file opens read-only and is the old one or a whole new one
        after_kill_digest = file_digest(db)
        after_kill = snapshot(db)
        if after_kill_digest != before_digest:
            assert published_run_id(db) not in runs_before, where
        victim_rows = [r for r in Ledger(ledger_path(db)).runs() if r["run_id"] not in runs_before]
        assert len(victim_rows) <= 1, where
        # the next run succeeds with no cleanup by hand
        nxt = cli()
        assert finish(nxt) == 0, f"{where}; next run: {''.join(nxt.lines)[-3000:]}"
        assert not leftovers(db), where
        after = snapshot(db)
        if after_kill_digest != before_digest:
            assert after_kill == after, f"{where}: a published state that is neither"
        else:
            assert after_kill == before, where
        assert after != before, "the next run published upstream's change"
        runs = {r["run_id"]: r for r in Ledger(ledger_path(db)).runs()}
        assert list(runs.values())[-1]["status"] == "ok", where
        for row in victim_rows:
            final = runs[row["run_id"]]
            if final["status"] == "ok":  # it recorded its end before it died (or finished)
                assert after_kill_digest != before_digest, f"{where}: 'ok' but not published"
                continue
            # the dead run's row is closed by the next run, which took the lock after it
            assert final["status"] != "running", f"{where}: stale 'running' row"
            assert final["status"] == "failed" and "killed" in final["error"], where
            if after_kill_digest != before_digest:
                # killed after os.replace, before its ledger line: published, yet 'failed'
                published_by_killed.append(row["run_id"])
    assert killed >= 15, f"only {killed} of 20 runs were killed before they finished"
    assert not [r for r in Ledger(ledger_path(db)).runs() if r["status"] == "running"]
    status = subprocess.run(
        [REVIEW, "status", "--db", str(db), "--last", "50"],
        env=cli.env, cwd=cli.root, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert status.returncode == 0, status.stderr
    assert "running" not in status.stdout
    assert "failed" in status.stdout
    print(f"{killed} runs killed; published before they died: {published_by_killed}")
