"""`review serve` under a real `prefect server start`: deployment runs with parameters, one at
a time (issue 6). Slow: the serve process takes seconds to come up, the three runs ~30 s."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from warehouse.ledger import Ledger, ledger_path

BIN = Path(sys.executable).parent
# a narrow PubMed query (~45 records): the point is the deployment, not the corpus
SPEC = """
[review]
id = "msc_liver"
cutoff = 2022-04-29

[[ctgov.queries]]
id = "msc_liver"
"query.term" = "mesenchymal stem cell AND liver diseases"

[[pubmed.queries]]
id = "msc_liver"
term = "mesenchymal stromal cell AND liver fibrosis [Title] AND 2019:3000[dp]"

[ctgov]
requests_per_second = 200.0

[pubmed]
requests_per_second = 200.0
"""


def wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture(scope="module")
def prefect_api(prefect_server):
    """The run's one `prefect server start` (tests/conftest.py): its API URL and home."""
    return prefect_server.url, prefect_server.home


@pytest.fixture
def served(prefect_api, make_sandbox, tmp_path):
    api, home = prefect_api
    sandbox = make_sandbox(ncbi_rate_limit=False)
    spec = tmp_path / "review.toml"
    spec.write_text(SPEC, encoding="utf-8")
    db = tmp_path / "data" / "review.duckdb"
    env = {**os.environ, "PREFECT_API_URL": api, "PREFECT_HOME": str(home),
           "CTGOV_BASE_URL": sandbox.ctgov_base_url,
           "EUTILS_BASE_URL": sandbox.eutils_base_url,
           # the runner looks for triggered runs every second, not every 10 s (the default)
           "PREFECT_RUNNER_POLL_FREQUENCY": "1",
           # review serve is also a worker of the pool: ask for runs every second, not 10 s
           "PREFECT_WORKER_QUERY_SECONDS": "1"}
    log = (tmp_path / "serve.log").open("w")
    proc = subprocess.Popen([str(BIN / "review"), "serve", "--spec", str(spec), "--db", str(db)],
                            env=env, stdout=log, stderr=subprocess.STDOUT, cwd=tmp_path)

    def deployed():
        r = requests.post(api + "/deployments/filter",
                          json={"deployments": {"name": {"any_": ["msc_liver"]}}}, timeout=5)
        return r.ok and r.json()

    try:
        deployment = wait_for(deployed, 120, "the deployment refresh/msc_liver")[0]
        yield {"env": env, "db": db, "deployment": deployment, "log": tmp_path / "serve.log"}
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def trigger(env, *params: str) -> None:
    args = [str(BIN / "prefect"), "deployment", "run", "refresh/msc_liver"]
    for param in params:
        args += ["--param", param]
    out = subprocess.run(args, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr


def finished_runs(db: Path) -> list[dict]:
    return [r for r in Ledger(ledger_path(db)).runs() if r["status"] != "running"]


@pytest.mark.slow
def test_the_reviews_deployment_schedule_parameters_and_one_run_at_a_time(served):
    deployment = served["deployment"]
    cron = deployment["schedules"][0]["schedule"]
    assert cron["cron"] == "0 2 * * *" and cron["timezone"] == "America/New_York"
    assert deployment["global_concurrency_limit"]["limit"] == 1

    trigger(served["env"], "source=ctgov", "full=true")
    runs = wait_for(lambda: finished_runs(served["db"]), 180, "the triggered run")
    assert runs[0]["status"] == "ok", runs[0]
    assert runs[0]["params"] | {"source": "ctgov", "full": True} == runs[0]["params"]

    # two triggers at once: both complete, never overlapping
    trigger(served["env"], "source=pubmed")
    trigger(served["env"], "source=pubmed")
    runs = wait_for(lambda: len(finished_runs(served["db"])) >= 3 and finished_runs(served["db"]),
                    300, "the two concurrent triggers")
    assert [r["status"] for r in runs] == ["ok", "ok", "ok"], runs
    second, third = runs[1], runs[2]
    assert second["finished_at"] <= third["started_at"], "runs overlapped"
