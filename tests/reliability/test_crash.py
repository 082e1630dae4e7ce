"""SIGKILL `review refresh` at 20 seeded moments: the published file survives every one.

After each kill the published warehouse opens (read-only) and holds the state before the run
or the state after it, never anything else; the next run succeeds with no manual cleanup (it
removes the dead run's build file and landing zone) and closes the dead run's ledger row.

Each kill needs its own process. Every run is a process of its own running `review refresh`
as the console script does (`sys.exit(flows.cli.app())`), forked from a zygote that has
already imported what the command imports: the SIGKILL hits the run's own process, and a run
skips the ~1.5 s of imports (40-odd runs). The runs use the test run's one `prefect server
start` (tests/conftest.py), not a temporary server each. The 20 moments are played by two
chains at once (alternate moments; each chain its own warehouse, sandbox and zygote); every
assertion is per kill, and the count of runs killed before they finished is over all 20.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import random
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from reliability_helpers import file_digest, leftovers, query, snapshot, write_spec

from sandbox.server import SandboxServer
from warehouse.ledger import Ledger, ledger_path

pytestmark = pytest.mark.slow

SEED = 20220429
RANDOM_KILLS = 13
CHAINS = 2  # independent warehouses the 20 moments are dealt to, played at once
REVIEW = str(Path(sys.executable).with_name("review"))


# The zygote: imports what `review refresh` imports, then forks one child per request
# ({"argv", "cwd", "output"}) that runs the command as the console script does. It reports
# {"pid"} at the fork and {"pid", "exit"} when the child ends (exit: the returncode, -9 for a
# SIGKILL), and reaps the child only at the next request: until the test has moved on, the pid
# stays the child's (a zombie at worst), so a late SIGKILL can never hit another process.
ZYGOTE = r"""
import json, os, sys
import flows.cli, flows.settings, warehouse.publish, warehouse.runs
from flows.prefect_env import configure_prefect
configure_prefect()
import flows.refresh, prefect.exceptions
child = None
for line in sys.stdin:
    if child:
        os.waitpid(child, 0)
    request = json.loads(line)
    child = os.fork()
    if child == 0:
        break
    print(json.dumps({"pid": child}), flush=True)
    info = os.waitid(os.P_PID, child, os.WEXITED | os.WNOWAIT)
    code = info.si_status if info.si_code == os.CLD_EXITED else -info.si_status
    print(json.dumps({"pid": child, "exit": code}), flush=True)
else:
    if child:
        os.waitpid(child, 0)
    sys.exit(0)
out = os.open(request["output"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
os.dup2(out, 1)
os.dup2(out, 2)
os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
os.chdir(request["cwd"])
sys.argv = request["argv"]
sys.exit(flows.cli.app())
"""


class Zygote:
    """One zygote process; `start(argv, output)` forks a run (one at a time)."""

    def __init__(self, env: dict, root: Path):
        self.root = root
        self.log = root / "zygote.log"
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-c", ZYGOTE], env=env, cwd=root, stdin=subprocess.PIPE,
                stdout=subprocess.PIPE, stderr=log, text=True,
            )  # fmt: skip
        self.messages: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.messages.put(json.loads(line))
        self.messages.put({"eof": True})

    def next_message(self, timeout: float) -> dict:
        message = self.messages.get(timeout=timeout)
        if message.get("eof"):
            self.messages.put(message)  # and for whoever asks next
            raise RuntimeError(f"the zygote died: {self.log.read_text()[-3000:]}")
        return message

    def start(self, argv: list[str], output: Path) -> ForkedRun:
        request = {"argv": argv, "cwd": str(self.root), "output": str(output)}
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        return ForkedRun(self, self.next_message(timeout=120)["pid"])

    def close(self) -> None:
        self.process.stdin.close()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class ForkedRun:
    """Popen's poll/wait/send_signal for a child of the zygote."""

    def __init__(self, zygote: Zygote, pid: int):
        self.zygote, self.pid, self.returncode = zygote, pid, None

    def poll(self) -> int | None:
        if self.returncode is None:
            with contextlib.suppress(queue.Empty):
                self.returncode = self.zygote.next_message(timeout=0)["exit"]
        return self.returncode

    def wait(self, timeout: float) -> int:
        if self.returncode is None:
            self.returncode = self.zygote.next_message(timeout=timeout)["exit"]
        return self.returncode

    def send_signal(self, sig: int) -> None:
        os.kill(self.pid, sig)  # unreaped until the next run starts: still the run's pid


@dataclass
class CliRun:
    """A `review refresh` process and what it printed (Prefect logs the task phases)."""

    process: ForkedRun
    started: float
    output: Path

    @property
    def lines(self) -> list[str]:
        try:
            return self.output.read_text(errors="replace").splitlines(keepends=True)
        except FileNotFoundError:
            return []

    def saw(self, text: str) -> bool:
        return any(text in line for line in self.lines)


@pytest.fixture(scope="module")
def clis(prefect_api, tmp_path_factory):
    """Per chain: start `review refresh --source all` against the chain's own sandbox and
    warehouse, and the run's Prefect server."""
    with contextlib.ExitStack() as stack:
        yield [make_cli(prefect_api, tmp_path_factory.mktemp(f"crash-{i}"), stack)
               for i in range(CHAINS)]  # fmt: skip


def make_cli(prefect_api, root: Path, stack: contextlib.ExitStack):
    spec = write_spec(root / "review.toml")
    db = root / "data" / "review.duckdb"
    sandbox = stack.enter_context(SandboxServer(port=0, ncbi_rate_limit=False))
    env = {
        **os.environ,
        "PREFECT_API_URL": prefect_api["url"],
        "PREFECT_HOME": str(prefect_api["home"]),
        "PREFECT_LOGGING_LEVEL": "INFO",
        "CTGOV_BASE_URL": sandbox.ctgov_base_url,
        "EUTILS_BASE_URL": sandbox.eutils_base_url,
    }

    zygote = Zygote(env, root)
    stack.callback(zygote.close)
    runs = iter(range(1_000_000))

    def start() -> CliRun:
        output = root / f"run-{next(runs):02d}.log"
        process = zygote.start(
            [REVIEW, "refresh", "--source", "all", "--spec", str(spec), "--db", str(db)], output
        )
        return CliRun(process, time.monotonic(), output)

    start.db, start.sandbox, start.env, start.root = db, sandbox, env, root
    return start


def finish(run: CliRun, timeout: float = 120) -> int:
    return run.process.wait(timeout=timeout)


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


def kill_moments() -> list[tuple[str, object]]:
    """13 seeded random points within an uninterrupted run, and 7 forced into late phases.

    A random point is a fraction u: the kill comes 0.2 + (d - 0.2) * u seconds after the start
    (the same seeded draws as `uniform(0.2, d)`), d the shortest uninterrupted run of the chain
    so far. Not the first run's: the first harvests everything, the later ones are incremental
    and shorter, and the machine's load changes during the test (other tests run beside it);
    scaled to the first run, a late point would often fall after the run had ended."""
    rng = random.Random(SEED)
    moments: list[tuple[str, object]] = [("delay", rng.random()) for _ in range(RANDOM_KILLS)]
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


def delay(fraction: float, duration: float) -> float:
    return round(0.2 + (duration - 0.2) * fraction, 2)


def kill_at(run: CliRun, db: Path, moment: tuple[str, object], duration: float) -> None:
    kind, arg = moment
    if kind == "delay":
        seconds = delay(arg, duration)
        wait_for(run, lambda: time.monotonic() - run.started >= seconds)
    elif kind == "landing":
        if wait_for(run, lambda: landing_dirs(db)):
            time.sleep(arg)
    elif kind == "build":
        if wait_for(run, lambda: build_files(db)):
            time.sleep(arg)
    elif kind == "log":
        wait_for(run, lambda: any(arg in line and "Finished" in line for line in run.lines))
    elif kind == "published" and wait_for(run, lambda: build_files(db)):
        wait_for(run, lambda: not build_files(db))
    if run.process.poll() is None:
        run.process.send_signal(signal.SIGKILL)


def published_run_id(db: Path) -> str:
    return query(db, "select run_id from ops.published_run order by run_seq desc limit 1")[0][0]


def test_sigkill_at_20_moments_never_damages_the_published_warehouse(clis):
    failed = threading.Event()  # one chain failed: the others stop at their next kill

    def chain(i: int, cli) -> tuple[int, list[str]]:
        try:
            # chain i plays every CHAINS-th of the seeded moments
            return kill_and_recover(cli, list(enumerate(kill_moments()))[i::CHAINS], failed)
        except BaseException:
            failed.set()
            raise

    with ThreadPoolExecutor(CHAINS) as pool:
        futures = [pool.submit(chain, i, cli) for i, cli in enumerate(clis)]
        errors = [future.exception() for future in futures]
    for error in filter(None, errors):
        raise error
    outcomes = [future.result() for future in futures]
    killed = sum(n for n, _ in outcomes)
    published_by_killed = [run_id for _, ids in outcomes for run_id in ids]
    assert killed >= 15, f"only {killed} of 20 runs were killed before they finished"
    for cli in clis:
        db = cli.db
        assert not [r for r in Ledger(ledger_path(db)).runs() if r["status"] == "running"]
        status = subprocess.run(
            [REVIEW, "status", "--db", str(db), "--last", "50"],
            env=cli.env, cwd=cli.root, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert status.returncode == 0, status.stderr
        assert "running" not in status.stdout
        assert "failed" in status.stdout
    print(f"{killed} runs killed; published before they died: {published_by_killed}")


def kill_and_recover(cli, moments, failed: threading.Event) -> tuple[int, list[str]]:
    """Each moment: kill a run there, check the published file, recover with the next run."""
    db = cli.db
    first = cli()
    assert finish(first) == 0, "".join(first.lines)
    duration = time.monotonic() - first.started
    killed, published_by_killed = 0, []
    for i, moment in moments:
        if failed.is_set():
            break
        # upstream moves on, so the state after a run differs from the state before it
        cli.sandbox.ctgov_corpus.add_matching_study()
        before_digest, before = file_digest(db), snapshot(db)
        runs_before = {r["run_id"] for r in Ledger(ledger_path(db)).runs()}
        victim = cli()
        kill_at(victim, db, moment, duration)
        code = finish(victim)
        killed += code == -signal.SIGKILL
        at = f"delay {delay(moment[1], duration)} s" if moment[0] == "delay" else moment
        where = f"kill {i} at {at}: exit {code}"
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
        duration = min(duration, time.monotonic() - nxt.started)  # see kill_moments()
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
    return killed, published_by_killed
