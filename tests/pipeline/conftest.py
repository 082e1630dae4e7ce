"""Fixtures for running the real `refresh` flow against the sandbox, on the run's Prefect server."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from flows.settings import DEFAULT_SPEC, PROJECT_ROOT

SPEC = """
[review]
id = "msc_liver"
title = "test review"
cutoff = 2022-04-29

[[ctgov.queries]]
id = "msc_liver"
"query.term" = "mesenchymal stem cell AND liver diseases"

[[pubmed.queries]]
id = "msc_liver"
term = "mesenchymal stem cell OR mesenchymal stromal cell AND liver [Title]"

[ctgov]
requests_per_second = 200.0
timeout_seconds = 2.0

[pubmed]
requests_per_second = 200.0
timeout_seconds = 2.0
efetch_batch_size = 500
"""


@pytest.fixture(scope="session", autouse=True)
def prefect_harness(prefect_server):
    """Every test here runs the flow: the run's one Prefect server (tests/conftest.py)."""
    return prefect_server


@pytest.fixture
def spec_file(tmp_path) -> Path:
    path = tmp_path / "review.toml"
    path.write_text(SPEC, encoding="utf-8")
    return path


@pytest.fixture
def refresh_against(monkeypatch, spec_file, tmp_path):
    """Run the flow against a given sandbox; returns the flow's summary."""
    from flows.refresh import refresh

    db = tmp_path / "data" / "review.duckdb"

    def run(server, **kwargs):
        monkeypatch.setenv("CTGOV_BASE_URL", server.ctgov_base_url)
        monkeypatch.setenv("EUTILS_BASE_URL", server.eutils_base_url)
        kwargs.setdefault("source", "ctgov")
        spec = kwargs.pop("spec", spec_file)
        return refresh(spec=str(spec), db=str(kwargs.pop("db", db)), **kwargs)

    run.db = db
    return run


@pytest.fixture(autouse=True)
def _fast_retries(fast_retries):
    return fast_retries


@pytest.fixture
def msc_review(tmp_path) -> Path:
    """A copy of reviews/msc_liver (spec, Table 2, its models), unthrottled for the sandbox."""
    folder = tmp_path / "msc_liver"
    shutil.copytree((PROJECT_ROOT / DEFAULT_SPEC).parent, folder)
    spec = folder / "review.toml"
    text = spec.read_text(encoding="utf-8")
    text = text.replace("requests_per_second = 1.0", "requests_per_second = 200.0")
    text = text.replace('tool = "review-stats"',
                        'tool = "review-stats"\nrequests_per_second = 200.0')
    spec.write_text(text, encoding="utf-8")
    return spec
