"""Shared fixtures: the sandbox on a free loopback port, and one Prefect server per test run.

Tests never leave loopback.

One Prefect server per run: `prefect server start` takes 10-20 s on 2 cores, so the process
that runs the session (pytest itself, or xdist's controller under `-n`) starts a single one in
`pytest_configure`, in the background while the tests are collected, and stops it in
`pytest_unconfigure`. Its URL is put in PREFECT_API_URL before any xdist worker is spawned, so
every worker's in-process flows and every CLI subprocess a test starts use it (no CLI starts a
temporary server of its own). The `prefect_server` fixture waits until it answers (up to 120 s);
everything that runs a flow depends on it. Each process gets its own client PREFECT_HOME in a
temporary directory, never the repo's .prefect.
"""

from __future__ import annotations

import inspect
import os
import pickle
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from sandbox.server import SandboxServer

# set by the process that started the run's server; inherited by xdist workers and subprocesses
RUN_ROOT = "REVIEW_TESTS_ROOT"
SERVER_URL = "REVIEW_TESTS_PREFECT_URL"
SERVER_PID = "REVIEW_TESTS_PREFECT_PID"
STARTUP_TIMEOUT = 120
# test folders that never run a flow: a run of only these starts no server
NO_FLOWS = {("unit",), ("sandbox",), ("extract",), ("sql",)}
# the longest tests, collected first so that under xdist they start at once, not last
LONG_FIRST = (
    "tests/reliability/test_crash.py",
    "tests/flows/test_many_reviews.py",
    "tests/flows/test_serve.py",
    "tests/reliability/test_concurrent.py",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _die_with_parent():
    """On Linux, the server gets SIGTERM when pytest dies without cleaning up (killed by a
    timeout, say), instead of living on: prctl(PR_SET_PDEATHSIG)."""
    try:
        import ctypes

        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    return lambda: prctl(1, signal.SIGTERM)  # 1: PR_SET_PDEATHSIG


@dataclass
class PrefectServer:
    """A `prefect server start` process (in its own process group) and where it lives."""

    url: str
    home: Path
    pid: int
    process: subprocess.Popen | None = None  # only in the process that started it

    @classmethod
    def start(cls, root: Path) -> PrefectServer:
        home = root / "server-home"
        home.mkdir(parents=True, exist_ok=True)
        port = free_port()
        env = {
            **os.environ,
            "PREFECT_HOME": str(home),
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PREFECT_UI_ENABLED": "false",
            "PREFECT_LOGGING_LEVEL": "WARNING",
        }
        env.pop("PREFECT_API_URL", None)
        with (home / "server.log").open("wb") as log:
            process = subprocess.Popen(
                [str(Path(sys.executable).with_name("prefect")), "server", "start",
                 "--host", "127.0.0.1", "--port", str(port)],
                env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True, preexec_fn=_die_with_parent(),
            )  # fmt: skip
        return cls(f"http://127.0.0.1:{port}/api", home, process.pid, process)

    @classmethod
    def from_environment(cls) -> PrefectServer | None:
        if not os.environ.get(SERVER_URL):
            return None
        home = Path(os.environ[RUN_ROOT]) / "server-home"
        return cls(os.environ[SERVER_URL], home, int(os.environ[SERVER_PID]))

    def export(self) -> None:
        """Into this process's environment: xdist workers and subprocesses inherit it."""
        os.environ.update({SERVER_URL: self.url, SERVER_PID: str(self.pid),
                           "PREFECT_API_URL": self.url})  # fmt: skip

    def alive(self) -> bool:
        if self.process is not None:
            return self.process.poll() is None
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            pass
        return True

    def log_tail(self) -> str:
        try:
            return (self.home / "server.log").read_text(errors="replace")[-3000:]
        except OSError as exc:
            return f"(no server log: {exc})"

    def wait_until_healthy(self, timeout: float = STARTUP_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while True:
            if not self.alive():
                raise RuntimeError(f"prefect server exited while starting:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/health", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"prefect server not up in {timeout:.0f} s:\n{self.log_tail()}")
            time.sleep(0.25)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def _runs_flows(config: pytest.Config) -> bool:
    """False only when every path given is inside a test folder that runs no flow."""
    if config.option.collectonly:
        return False
    tests = config.rootpath / "tests"
    for arg in config.args:
        path = Path(arg.split("::")[0]).resolve()
        if not (path.is_relative_to(tests) and path.relative_to(tests).parts[:1] in NO_FLOWS):
            return True
    return False


def pytest_configure(config: pytest.Config) -> None:
    os.environ["PREFECT_LOGGING_LEVEL"] = "WARNING"
    os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    worker = getattr(config, "workerinput", {}).get("workerid")
    if worker is None or not os.environ.get(RUN_ROOT):  # the session's process: set the run up
        root = Path(tempfile.mkdtemp(prefix="review-tests-"))
        os.environ[RUN_ROOT] = str(root)
        config._review_tests_root = root  # removed in pytest_unconfigure
        if _runs_flows(config):
            server = PrefectServer.start(root)
            server.export()
            config._review_prefect_server = server
    # this process's client PREFECT_HOME, made before Prefect is imported (Prefect creates only
    # the last level of its home)
    home = Path(os.environ[RUN_ROOT]) / f"client-home-{worker or 'main'}"
    home.mkdir(parents=True, exist_ok=True)
    os.environ["PREFECT_HOME"] = str(home)


def pytest_unconfigure(config: pytest.Config) -> None:
    server = getattr(config, "_review_prefect_server", None)
    if server is not None:
        server.stop()
    root = getattr(config, "_review_tests_root", None)
    if root is not None:
        shutil.rmtree(root, ignore_errors=True)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        path = item.path.as_posix()
        return next((i for i, p in enumerate(LONG_FIRST) if path.endswith(p)), len(LONG_FIRST))

    items.sort(key=rank)  # stable: the rest keep their order


@pytest.fixture(scope="session")
def prefect_server():
    """The run's Prefect server, up; this process's flows and CLI subprocesses use it."""
    server = PrefectServer.from_environment()
    started = None
    if server is None:  # a run _runs_flows() judged flow-free ran a flow after all
        started = server = PrefectServer.start(Path(os.environ[RUN_ROOT]) / "late")
        server.export()
    try:
        server.wait_until_healthy()
        from prefect.settings import PREFECT_API_URL, temporary_settings

        # in case Prefect was imported before PREFECT_API_URL was set
        with temporary_settings(updates={PREFECT_API_URL: server.url}):
            yield server
            _drain_prefect_workers()
    finally:
        if started is not None:
            started.stop()


def _drain_prefect_workers() -> None:
    """Send the last logs and events while the server is up (as prefect_test_harness does)."""
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker
    from prefect.utilities.asyncutils import run_coro_as_sync

    async def drain() -> None:
        try:
            result = APILogWorker.instance().drain()
            if inspect.isawaitable(result):
                await result
        except RuntimeError:
            pass  # it never started
        result = EventsWorker.drain_all()
        if inspect.isawaitable(result):
            await result

    run_coro_as_sync(drain())


@pytest.fixture(scope="session", autouse=True)
def _pubmed_corpus_built_once():
    """Every sandbox builds its PubMed corpus from a seed (~0.7 s on 2 cores; ~90 sandboxes a
    run); the same seed always builds the same corpus. So each sandbox gets its own copy of one
    build per seed instead (unpickled, ~0.3 s): as fresh as a new build, free to mutate. Only
    the sandbox's builds; tests of the corpus itself still build it."""
    import sandbox.server

    built: dict[str, bytes] = {}
    original = sandbox.server.PubmedCorpus

    class BuildOnce:
        def __getattr__(self, name):
            return getattr(original, name)

        @staticmethod
        def build(*args, **kwargs):
            key = repr((args, sorted(kwargs.items())))
            if key not in built:
                built[key] = pickle.dumps(original.build(*args, **kwargs), pickle.HIGHEST_PROTOCOL)
            return pickle.loads(built[key])

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sandbox.server, "PubmedCorpus", BuildOnce())
        yield


@pytest.fixture(scope="session")
def sandbox_server():
    """One clean sandbox for read-only tests (no faults, no NCBI rate limit)."""
    with SandboxServer(port=0, ncbi_rate_limit=False) as server:
        yield server


@pytest.fixture
def make_sandbox():
    """A factory for sandboxes a test may break or change: faults, limits, corpus mutations."""
    started: list[SandboxServer] = []

    def make(**kwargs) -> SandboxServer:
        server = SandboxServer(port=0, **kwargs).start()
        started.append(server)
        return server

    yield make
    for server in started:
        server.stop()


@pytest.fixture
def fast_retries(monkeypatch):
    """Retries keep their logic (what is retried, how often) but not their minutes of waiting.
    The extract, pipeline and reliability suites use it for every test (their conftest.py)."""
    from tenacity import wait_fixed

    import extract.http

    monkeypatch.setattr(extract.http, "_backoff", wait_fixed(0.01))
    monkeypatch.setattr(extract.http, "MAX_RETRY_AFTER", 0.05)
    monkeypatch.setattr(extract.http, "THROTTLE_BACKOFF", 0.01)  # a 403's 30 s, 60 s
