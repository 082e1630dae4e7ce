"""Several reviews on several workers, one NCBI key (issue 13).

One Prefect server (the run's, tests/conftest.py), one `review serve --reviews DIR --no-worker`
for both review folders (copies of reviews/msc_liver and reviews/ipsc_heart pointed at the
sandbox), two `prefect worker start --pool ...` processes, and one sandbox that enforces
NCBI's 3 requests/s per client as NCBI does (all loopback: one client). Both deployments are
triggered at once; each worker takes one (`--limit 1`). Both must publish their own warehouse,
without a single 429, and the E-utilities requests of the two runs together must never put
more than 3 in any 1.0 s window: the runs share the limit through the Prefect server instead
of taking 3/s each.

Slow: worker processes and flow-run subprocesses start in seconds, and ~80 PubMed requests at
NCBI's rate take ~30 s however they are spread.
"""

from __future__ import annotations

import bisect
import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import duckdb
import pytest
import requests

from flows.settings import PROJECT_ROOT
from warehouse.ledger import Ledger, ledger_path

BIN = Path(sys.executable).parent
REVIEWS = ("msc_liver", "ipsc_heart")
NCBI_LIMIT = 3  # requests per client in any one-second window (no key)
TERMINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}
STARTUP_TIMEOUT = 90  # workers online
RUNS_TIMEOUT = 200  # both runs finished, from the trigger


class TimedLog(list):
    """The sandbox's request log, with the monotonic time each request arrived (the sandbox
    appends a request's record before its rate-limit check, so this is the time NCBI's
    window would count)."""

    def __init__(self) -> None:
        super().__init__()
        self.times: list[float] = []

    def append(self, record) -> None:
        self.times.append(time.monotonic())
        super().append(record)


def review_copy(name: str, root: Path, sandbox, suffix: str) -> tuple[str, Path]:
    """reviews/<name> copied under root, its spec pointed at the sandbox and at its own
    warehouse under root/data. Its id gets a suffix: the run's Prefect server is shared with
    other tests (tests/flows/test_serve.py registers a `refresh/msc_liver` of its own)."""
    folder = root / "reviews" / name
    shutil.copytree(PROJECT_ROOT / "reviews" / name, folder)
    spec = folder / "review.toml"
    text = spec.read_text("utf-8")
    review_id = f"{name}_{suffix}"
    edits = [
        (r'^id = "\w+"$', f'id = "{review_id}"'),  # the first id is [review]'s
        (r'^base_url = "https://clinicaltrials\.gov/api/v2"$',
         f'base_url = "{sandbox.ctgov_base_url}"'),
        (r'^base_url = "https://eutils\.ncbi\.nlm\.nih\.gov/entrez/eutils"$',
         f'base_url = "{sandbox.eutils_base_url}"'),
        # CT.gov's politeness wait is not what this test is about (the sandbox has no limit
        # for it); PubMed keeps its default rate, NCBI's
        (r"^requests_per_second = 1\.0$", "requests_per_second = 50.0"),
    ]
    for pattern, replacement in edits:
        text, n = re.subn(pattern, replacement, text, count=1, flags=re.M)
        assert n == 1, f"{spec}: no line matches {pattern!r}; update this test's edits"
    db = root / "data" / f"{review_id}.duckdb"
    text += f'\n[warehouse]\npath = "{db}"\n'
    spec.write_text(text, "utf-8")
    return review_id, db


def start(args: list[str], env: dict, log: Path) -> subprocess.Popen:
    with log.open("wb") as out:  # the child keeps its own descriptor
        return subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True,
                                cwd=log.parent)


def stop(proc: subprocess.Popen) -> None:
    """SIGTERM to the process group (a worker stops its flow runs), SIGKILL if it lingers."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    except ProcessLookupError:
        pass


def kill_flow_run_process(api: str, run_id: str) -> None:
    """A flow run still running when the test gives up: its process (a process worker starts
    it in a session of its own, so killing the worker's group does not reach it)."""
    try:
        run = requests.get(f"{api}/flow_runs/{run_id}", timeout=5).json()
    except (requests.RequestException, ValueError):
        return
    if (run.get("state") or {}).get("type") in TERMINAL:
        return
    pid = str(run.get("infrastructure_pid") or "").rpartition(":")[2]
    if pid.isdigit():
        try:
            os.killpg(int(pid), signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(int(pid), signal.SIGKILL)


def wait_for(predicate, timeout: float, what: str, every: float = 0.5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def max_in_window(times: list[float], width: float = 1.0) -> int:
    """The most requests any closed window [t, t + width] holds (a 4th request exactly 1.0 s
    after the 1st counts as inside: stricter than NCBI, and than the sandbox)."""
    ordered = sorted(times)
    return max((bisect.bisect_right(ordered, t + width) - i for i, t in enumerate(ordered)),
               default=0)


def min_span(times: list[float], n: int) -> float:
    """The shortest time n consecutive requests took (NCBI's limit: more than 1 s for n = 4)."""
    ordered = sorted(times)
    return min((ordered[i + n - 1] - ordered[i] for i in range(len(ordered) - n + 1)),
               default=float("inf"))


@pytest.mark.slow
def test_two_reviews_on_two_workers_share_ncbis_rate(prefect_server, make_sandbox, tmp_path):
    api = prefect_server.url
    sandbox = make_sandbox(ncbi_rate_limit=True)
    sandbox.app.log = TimedLog()
    suffix = uuid.uuid4().hex[:6]
    pool = f"many-reviews-{suffix}"
    copies = dict(review_copy(name, tmp_path, sandbox, suffix) for name in REVIEWS)
    env = {k: v for k, v in os.environ.items()
           if k not in {"REVIEW_DB", "CTGOV_BASE_URL", "EUTILS_BASE_URL", "NCBI_API_KEY"}}
    env |= {"PREFECT_API_URL": api, "PREFECT_HOME": str(tmp_path / "prefect-home"),
            # workers look for runs every second, not every 10 s; INFO shows what they take
            "PREFECT_WORKER_QUERY_SECONDS": "1", "PREFECT_LOGGING_LEVEL": "INFO"}
    procs: list[subprocess.Popen] = []
    run_ids: dict[str, str] = {}
    try:
        serve = start([str(BIN / "review"), "serve", "--reviews", str(tmp_path / "reviews"),
                       "--pool", pool, "--no-worker"], env, tmp_path / "serve.log")
        procs.append(serve)

        def pool_made() -> bool:
            assert serve.poll() in (None, 0), (tmp_path / "serve.log").read_text()
            return requests.get(f"{api}/work_pools/{pool}", timeout=5).ok

        # the workers start as soon as `review serve` has made the pool, while it registers
        wait_for(pool_made, STARTUP_TIMEOUT, "review serve to create the work pool", 0.2)
        workers = {f"w{i}-{suffix}": tmp_path / f"worker{i}.log" for i in (1, 2)}
        for name, log in workers.items():
            procs.append(start([str(BIN / "prefect"), "worker", "start", "--pool", pool,
                                "--name", name, "--limit", "1"], env, log))
        serve.wait(timeout=STARTUP_TIMEOUT)
        served = (tmp_path / "serve.log").read_text()
        assert serve.returncode == 0, served
        for review_id in copies:
            assert f"refresh/{review_id}: cron" in served, served

        def online() -> bool:
            r = requests.post(f"{api}/work_pools/{pool}/workers/filter", json={}, timeout=5)
            return r.ok and {w["name"] for w in r.json() if w["status"] == "ONLINE"} >= set(
                workers)

        wait_for(online, STARTUP_TIMEOUT, "two online workers")

        # both deployments at once
        began = time.monotonic()
        triggers = [subprocess.Popen([str(BIN / "prefect"), "deployment", "run",
                                      f"refresh/{review_id}"],
                                     env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True, start_new_session=True)
                    for review_id in copies]
        procs += triggers
        for review_id, trigger in zip(copies, triggers, strict=True):
            out = trigger.communicate(timeout=60)[0]
            assert trigger.returncode == 0, out
            run_ids[review_id] = re.search(r"UUID: ([0-9a-f-]{36})", out)[1]

        def states() -> dict[str, str]:
            return {review_id: requests.get(f"{api}/flow_runs/{run_id}", timeout=5)
                    .json()["state"]["type"] for review_id, run_id in run_ids.items()}

        final = wait_for(lambda: (s := states()) and set(s.values()) <= TERMINAL and s,
                         RUNS_TIMEOUT, "both flow runs to finish", every=1.0)
        took = time.monotonic() - began
    finally:
        for run_id in run_ids.values():
            kill_flow_run_process(api, run_id)
        for proc in procs:
            stop(proc)

    log = sandbox.log
    eutils = [t for t, r in zip(log.times, log, strict=True) if r.api == "eutils"]
    too_many = sum(r.status == 429 for r in log)
    spans = {name: [t for t, r in zip(log.times, log, strict=True)
                    if r.api == "eutils" and r.endpoint == "esearch"
                    and marker in dict(r.params).get("term", "")]
             for name, marker in (("msc_liver", "mesenchymal"), ("ipsc_heart", "pluripotent"))}
    span = max(eutils) - min(eutils) if len(eutils) > 1 else float("nan")
    print(f"\nmany reviews: runs {final}, {took:.1f} s from trigger to both finished; "
          f"{len(eutils)} E-utilities requests ({(len(eutils) - 1) / span:.2f}/s over their "
          f"{span:.1f} s), max {max_in_window(eutils)} in any 1.0 s window (the closest 4 "
          f"span {min_span(eutils, NCBI_LIMIT + 1):.3f} s), {too_many} HTTP "
          "429; esearch spans " + ", ".join(
              f"{k} {min(v) - began:.1f}-{max(v) - began:.1f} s" if v else f"{k} none"
              for k, v in spans.items()))

    assert set(final.values()) == {"COMPLETED"}, (final, _tails(tmp_path))
    # each review published its own warehouse, from its own searches
    for (review_id, db), name in zip(copies.items(), REVIEWS, strict=True):
        runs = Ledger(ledger_path(db)).runs()
        assert [r["status"] for r in runs] == ["ok"], runs
        con = duckdb.connect(str(db), read_only=True)
        try:
            queries = {q for (q,) in con.execute(
                "select distinct query_id from mart.search_totals").fetchall()}
        finally:
            con.close()
        assert queries == {name}, (review_id, queries)
    # the two workers shared the work: one run each
    for name, path in workers.items():
        text = path.read_text(errors="replace")
        # both may reach for the same run first; the server lets one have it
        taken = [rid for rid in run_ids.values() if f"submitting flow run '{rid}'" in text
                 and f"Aborted submission of flow run '{rid}'" not in text]
        assert len(taken) == 1, (name, taken, text[-2000:])
    # NCBI's limit held for both runs together, and they did overlap
    assert too_many == 0
    assert max_in_window(eutils) <= NCBI_LIMIT
    assert max(map(min, spans.values())) < min(map(max, spans.values())), "runs did not overlap"
    limit = requests.get(f"{api}/v2/concurrency_limits/"
                         f"eutils-{sandbox.host}:{sandbox.port}-no-key", timeout=5).json()
    assert (limit["limit"], limit["slot_decay_per_second"]) == (1, pytest.approx(2.7))


def _tails(root: Path) -> str:
    return "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}"
                     for p in sorted(root.glob("worker*.log")))
