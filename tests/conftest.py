"""Shared fixtures: the sandbox on a free loopback port. Tests never leave loopback."""

from __future__ import annotations

import pytest

from sandbox.server import SandboxServer


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
