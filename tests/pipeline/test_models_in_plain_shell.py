"""Every model's SQL runs as pasted into the analysts' own shell, read-only, on a published
warehouse (issue 12): models read their parameters from ops.build_params and their country
spellings from core.country_spelling, data in the file, not session state of the build."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from flows.settings import load_settings
from warehouse.build import model_dag

CLI = shutil.which("duckdb") or str(Path(__file__).parents[2] / ".venv" / "bin" / "duckdb")


@pytest.mark.slow
def test_each_models_sql_runs_in_the_duckdb_cli_on_the_published_file(
    make_sandbox, refresh_against, msc_review
):
    refresh_against(make_sandbox(ncbi_rate_limit=False), source="all", spec=msc_review)
    settings = load_settings(msc_review, env={})
    dag = model_dag(settings.model_dirs, settings.curated)
    failures = []
    for model in dag.models:
        sql = model.sql.strip().rstrip(";")
        out = subprocess.run(
            [CLI, "-readonly", str(refresh_against.db), "-csv", "-c",
             f"select count(*) from ({sql})"],
            capture_output=True, text=True, timeout=60,
        )
        if out.returncode != 0:
            failures.append(f"{model.path.name}: {out.stderr.strip()[:200]}")
    assert failures == []
    assert len(dag.models) > 25  # the engine's models and the review's own
