"""Two refreshes at once: one runs, the other refuses at once with a clear message and exit 1.

Both are real `review refresh` processes started together against one sandbox and one
Prefect server. Whichever takes the lock first runs; the other must not wait, must not write a
ledger line or any file, and must say why in one line.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from reliability_helpers import file_digest, leftovers, query, snapshot, write_spec

from sandbox.server import SandboxServer
from warehouse.ledger import Ledger, ledger_path

pytestmark = pytest.mark.slow

REVIEW = str(Path(sys.executable).with_name("review"))


@pytest.fixture(scope="module")
def race(prefect_api, tmp_path_factory):
    """A published warehouse, then two refreshes of it started together."""
    root = tmp_path_factory.mktemp("race")
    spec = write_spec(root / "review.toml")
    db = root / "data" / "review.duckdb"
    with SandboxServer(port=0, ncbi_rate_limit=False) as server:
        env = {
            **os.environ,
            "PREFECT_API_URL": prefect_api["url"],
            "PREFECT_HOME": str(prefect_api["home"]),
            "PREFECT_LOGGING_LEVEL": "WARNING",
            "CTGOV_BASE_URL": server.ctgov_base_url,
            "EUTILS_BASE_URL": server.eutils_base_url,
        }
        command = [REVIEW, "refresh", "--source", "all", "--spec", str(spec), "--db", str(db)]
        first = subprocess.run(command, env=env, cwd=root, capture_output=True, text=True,
                               timeout=120)  # fmt: skip
        assert first.returncode == 0, first.stderr
        server.ctgov_corpus.add_matching_study()  # so a second publish would show
        # from now on every /version and /studies answer takes 1 s (under the 2 s timeout):
        # the lock holder, the flow that got it first, holds it for many seconds, so the other
        # process finds it taken whichever starts first and however slowly its Prefect client
        # starts (the first run, above, is only the setup: it needs no slow answers)
        server.set_faults("version:slow(1);studies:slow(1)")
        before = {"snapshot": snapshot(db), "digest": file_digest(db),
                  "ledger_lines": ledger_path(db).read_text().count("\n")}  # fmt: skip
        both = [
            subprocess.Popen(
                command,
                env=env,
                cwd=root,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )  # fmt: skip
            for _ in range(2)
        ]
        results = [(p.wait(timeout=120), *p.communicate()) for p in both]
    return {"db": db, "before": before, "results": results}


def test_two_refreshes_started_together_one_runs_the_other_refuses(race):
    db, before, results = race["db"], race["before"], race["results"]
    assert sorted(code for code, _, _ in results) == [0, 1], results
    (_, _, refused) = next(r for r in results if r[0] == 1)
    reason = refused[refused.rindex("error: ") :]  # the CLI's own message comes last
    assert "another refresh is running" in " ".join(reason.split()), refused

    # the published file is whole and is the winner's, and nothing was left behind
    runs = Ledger(ledger_path(db)).runs()
    assert [r["status"] for r in runs] == ["ok", "ok"], "the refused run wrote no ledger line"
    assert ledger_path(db).read_text().count("\n") == before["ledger_lines"] + 2  # running, ok
    assert file_digest(db) != before["digest"]
    assert snapshot(db) != before["snapshot"]
    published = query(db, "select run_id from ops.published_run order by run_seq")
    assert [r[0] for r in published] == [r["run_id"] for r in runs]
    assert query(db, "select status, count(*) from ops.runs group by status") == [("ok", 2)]
    assert not leftovers(db)


def test_the_refusal_is_one_line(race):
    (_, _, refused) = next(r for r in race["results"] if r[0] == 1)
    assert len(refused.strip().splitlines()) == 1, refused
