"""Fixtures for the reliability suite: the flow against the sandbox, in-process or by the CLI.

The spec (reliability_helpers.SPEC) is the pipeline tests' (both APIs, 2 s client timeouts) with
a narrower PubMed query (~45 records published since 2019, efetch batches of 25, so a handful
of per-year counts): every request kind still occurs, more than once, and a run takes a few
seconds rather than ten.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from reliability_helpers import run_refresh, write_spec


@pytest.fixture(scope="session")
def prefect_session(prefect_server):
    """In-process runs use the run's one Prefect server (tests/conftest.py)."""
    return prefect_server


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


@pytest.fixture(scope="session")
def prefect_api(prefect_server):
    """The same server for the CLI runs (crash, concurrency): its URL for PREFECT_API_URL and
    its PREFECT_HOME, so each `review refresh` process starts no temporary server of its own."""
    return {"url": prefect_server.url, "home": prefect_server.home}


@pytest.fixture(autouse=True)
def _fast_retries(fast_retries):
    return fast_retries
