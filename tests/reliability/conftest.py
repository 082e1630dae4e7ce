"""Fixtures for the reliability suite: the flow against the sandbox, in-process or by the CLI.

The spec (reliability_helpers.SPEC) is the pipeline tests' (both APIs, 2 s client timeouts) with
a narrower PubMed query (~45 records published since 2019, efetch batches of 25, so a handful
of per-year counts): every request kind still occurs, more than once, and a run takes a few
seconds rather than ten.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from reliability_helpers import run_refresh, write_spec


@pytest.fixture(scope="session")
def prefect_session(tmp_path_factory):
    """One temporary Prefect server for the session; reuses one another conftest started."""
    os.environ.setdefault("PREFECT_HOME", str(tmp_path_factory.mktemp("prefect-home")))
    os.environ["PREFECT_LOGGING_LEVEL"] = "WARNING"
    from prefect.settings import PREFECT_API_URL

    if PREFECT_API_URL.value():  # tests/pipeline's harness (or the caller's server) is up
        yield
        return
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture
def spec_file(tmp_path) -> Path:
    return write_spec(tmp_path / "review.toml")


@pytest.fixture
def refresh_against(prefect_session, spec_file, tmp_path):
    """Run the flow against a given sandbox; returns the flow's summary."""
    db = tmp_path / "data" / "review.duckdb"

    def run(server, **kwargs):
        return run_refresh(
            server, Path(kwargs.pop("db", db)), Path(kwargs.pop("spec", spec_file)), **kwargs
        )

    run.db = db
    return run


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def prefect_api(tmp_path_factory):
    """One real Prefect server for the module's CLI runs; its URL for PREFECT_API_URL."""
    home = tmp_path_factory.mktemp("prefect-server-home")
    port = free_port()
    env = {
        **os.environ,
        "PREFECT_HOME": str(home),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_UI_ENABLED": "false",
    }
    env.pop("PREFECT_API_URL", None)
    log = (home / "server.log").open("wb")
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("prefect")), "server", "start",
         "--host", "127.0.0.1", "--port", str(port)],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/api"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert server.poll() is None, (home / "server.log").read_text()[-2000:]
            try:
                with urllib.request.urlopen(f"{url}/health", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, "prefect server did not start in 120 s"
            time.sleep(0.5)
        yield {"url": url, "home": home}
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()


@pytest.fixture(autouse=True)
def _fast_retries(fast_retries):
    return fast_retries
