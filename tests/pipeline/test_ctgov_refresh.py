"""ClinicalTrials.gov end to end: sandbox -> flow -> published warehouse (issue 3)."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest

from warehouse.ledger import Ledger, ledger_path

REVIEW = "msc_liver"


def query(db: Path, sql: str, params=None):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def totals(db: Path) -> dict[str, int]:
    rows = query(
        db,
        """select scope, total from mart.search_totals where source = 'ctgov'
           qualify row_number() over (partition by scope order by run_at desc) = 1""",
    )
    return dict(rows)


def snapshot(db: Path) -> dict[str, list]:
    """The warehouse's content, less what differs between any two runs (ids, times, URLs)."""
    matched = "where nct_id in (select nct_id from core.ctgov_query_match)"
    tables = {
        "core.ctgov_study": "select nct_id, overall_status, enrollment, first_post_date, "
        f"content_hash from core.ctgov_study {matched}",
        "core.ctgov_location": f"select * from core.ctgov_location {matched}",
        "core.ctgov_query_match": "select query_id, nct_id from core.ctgov_query_match",
        "mart.fig1b": "select * from mart.trials_by_country",
        "totals": "select source, query_id, scope, total from mart.search_totals",
    }
    return {name: sorted(map(repr, query(db, sql))) for name, sql in tables.items()}


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_first_refresh_publishes_fig1b_and_reconciles(make_sandbox, refresh_against):
    server = make_sandbox()
    summary = refresh_against(server)
    db = refresh_against.db
    assert summary["status"] == "ok"
    # both totals are the sandbox engine's answers to countTotal, reconciled by the checks
    assert totals(db)["cutoff"] == 63
    assert totals(db)["current"] > 63
    by_scope = dict(
        query(db, "select scope, count(*) from mart.trials_by_country group by scope")
    )
    assert set(by_scope) == {"current", "cutoff"}
    # every cut-off trial is counted at least once in Fig. 1B
    assert query(db, "select sum(trials) from mart.trials_by_country "
                     "where scope = 'cutoff'")[0][0] >= 63


def test_fig1b_counts_countries_once_per_trial_and_unknown_once(make_sandbox, refresh_against):
    server = make_sandbox()
    refresh_against(server)
    db = refresh_against.db
    codes = {row[0] for row in query(db, "select distinct country_code "
                                         "from core.ctgov_location where country_raw is not null")}
    assert {"CN", "KR", "IR", "EG"} <= codes
    korea = query(db, "select country from mart.trials_by_country "
                      "where country_code = 'KR' limit 1")
    assert korea == [("Korea",)]
    # a trial with sites in two countries counts in both; never twice in one
    per_trial = query(db, """
        select m.nct_id, count(distinct l.country_code) as n, count(l.country_code) as sites
        from core.ctgov_query_match m join core.ctgov_location l using (nct_id)
        group by m.nct_id having count(distinct l.country_code) > 1""")
    assert per_trial, "the default corpus has multi-country trials"
    unknown = query(db, "select trials from mart.trials_by_country "
                        "where scope = 'current' and country = 'Unknown'")
    no_country = query(db, """
        select count(*) from core.ctgov_query_match m
        where not exists (select 1 from core.ctgov_location l
                          where l.nct_id = m.nct_id and l.country_raw is not null)""")
    assert unknown and unknown[0][0] == no_country[0][0] > 0


def test_published_file_opens_in_the_duckdb_cli(make_sandbox, refresh_against):
    refresh_against(make_sandbox())
    cli = shutil.which("duckdb") or str(Path(__file__).parents[2] / ".venv/bin/duckdb")
    out = subprocess.run(
        [cli, "-readonly", str(refresh_against.db), "-csv", "-c",
         "select count(*) from core.ctgov_study"],
        capture_output=True, text=True, timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert int(out.stdout.split()[-1]) > 63


def test_nothing_changed_is_a_skipped_run_with_at_most_two_requests(make_sandbox, refresh_against):
    server = make_sandbox()
    refresh_against(server)
    before = file_digest(refresh_against.db)
    sent_before = len(server.log)
    summary = refresh_against(server)
    assert summary["status"] == "skipped"
    assert len(server.log) - sent_before <= 2
    assert file_digest(refresh_against.db) == before
    runs = Ledger(ledger_path(refresh_against.db)).runs()
    assert [r["status"] for r in runs] == ["ok", "skipped"]


def test_incremental_run_fetches_only_changes_and_records_history(make_sandbox, refresh_against):
    server = make_sandbox()
    refresh_against(server)
    db = refresh_against.db
    corpus = server.ctgov_corpus
    matched = [r[0] for r in query(db, "select nct_id from core.ctgov_query_match order by 1")]
    changed, leaving = matched[0], matched[1]
    corpus.set_overall_status(changed, "TERMINATED")
    added = corpus.add_matching_study()
    corpus.remove_from_review_query(leaving)
    sent_before = len(server.log)
    summary = refresh_against(server)
    assert summary["status"] == "ok"
    assert summary["harvest"]["ctgov"]["queries"][REVIEW]["mode"].startswith("incremental")
    studies_sent = [r for r in server.log[sent_before:] if r.endpoint == "studies"]
    assert len(studies_sent) <= 6  # delta, changed, totals; never the whole query
    now = {r[0] for r in query(db, "select nct_id from core.ctgov_query_match")}
    assert added in now and leaving not in now and changed in now
    history = query(db, "select overall_status, previous_status from core.ctgov_study_history "
                        "where nct_id = ? order by valid_from", [changed])
    assert history[-1] == ("TERMINATED", history[0][0])
    assert len(history) == 2
    # and the incremental warehouse equals a full harvest of the same corpus
    full_db = db.with_name("full.duckdb")
    refresh_against(server, db=full_db, full=True)
    incremental, full = snapshot(db), snapshot(full_db)
    for name in ("core.ctgov_study", "core.ctgov_location", "core.ctgov_query_match", "mart.fig1b"):
        assert incremental[name] == full[name], name


@pytest.mark.parametrize(
    "faults",
    [
        "studies:429(1)x3",  # a burst of 429s with Retry-After
        "studies:429x2",  # 429 without Retry-After: backoff
        "studies:503#2",
        "studies:reset#2",
        "studies:truncate#2",
        "version:slow(3)#1",
        "studies:empty-page",
        "ctgov:html#3",
    ],
)
def test_faults_end_in_exactly_the_warehouse_of_a_clean_run(
    make_sandbox, refresh_against, tmp_path, faults
):
    clean = make_sandbox()
    refresh_against(clean, db=tmp_path / "clean.duckdb")
    faulty = make_sandbox(faults=faults)
    summary = refresh_against(faulty, db=tmp_path / "faulty.duckdb")
    assert summary["status"] == "ok"
    assert any(rec.faults for rec in faulty.log), "the fault was injected"
    assert snapshot(tmp_path / "faulty.duckdb") == snapshot(tmp_path / "clean.duckdb")


def test_an_api_failing_everything_leaves_the_published_file_byte_identical(
    make_sandbox, refresh_against
):
    server = make_sandbox()
    refresh_against(server)
    db = refresh_against.db
    before = file_digest(db)
    server.set_faults("ctgov:500")
    with pytest.raises(Exception, match="HTTP 500"):
        refresh_against(server, full=True)
    assert file_digest(db) == before
    last = Ledger(ledger_path(db)).runs()[-1]
    assert last["status"] == "failed"
    assert "HTTP 500" in last["error"]
    assert not list(db.parent.glob("*.building-*")), "no build file left behind"
    # the failed row is visible to analysts through ops.runs, without a new publish
    assert query(db, "select status from ops.runs order by started_at desc limit 1") == [
        ("failed",)
    ]


def test_a_reader_does_not_block_a_refresh_and_keeps_its_snapshot(make_sandbox, refresh_against):
    server = make_sandbox()
    refresh_against(server)
    db = refresh_against.db
    reader = duckdb.connect(str(db), read_only=True)
    try:
        before = reader.execute("select count(*) from core.ctgov_study").fetchone()[0]
        server.ctgov_corpus.add_matching_study()
        assert refresh_against(server)["status"] == "ok"
        assert reader.execute("select count(*) from core.ctgov_study").fetchone()[0] == before
    finally:
        reader.close()
    assert query(db, "select count(*) from core.ctgov_study")[0][0] == before + 1


def test_raw_pages_keep_request_metadata_without_secrets(make_sandbox, refresh_against):
    refresh_against(make_sandbox())
    rows = query(refresh_against.db, "select purpose, url, data_timestamp, fetched_at "
                                     "from raw.ctgov_page")
    assert rows and all(url.startswith("http://127.0.0.1") for _, url, _, _ in rows)
    assert all(stamp for _, _, stamp, _ in rows)
    record = query(refresh_against.db, "select record from raw.ctgov_study limit 1")[0][0]
    assert json.loads(record)["protocolSection"]["identificationModule"]["nctId"].startswith("NCT")
