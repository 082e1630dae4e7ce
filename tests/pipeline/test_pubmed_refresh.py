"""PubMed end to end: counts by year, records, trial links (issue 4)."""

from __future__ import annotations

import logging
from pathlib import Path

import duckdb
import pytest

from warehouse.ledger import Ledger, ledger_path

REVIEW = "msc_liver"
SECRET = "SECRET-NCBI-KEY-5f3a"


def query(db: Path, sql: str, params=None):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def test_pubmed_refresh_gives_fig1a_in_both_scopes(make_sandbox, refresh_against):
    server = make_sandbox(ncbi_rate_limit=False)
    summary = refresh_against(server, source="pubmed")
    db = refresh_against.db
    assert summary["status"] == "ok"
    totals = dict(query(db, "select scope, total from mart.search_totals where source='pubmed'"))
    assert totals["cutoff"] == 1290  # the sandbox engine's answer, reconciled by the checks
    assert totals["current"] > totals["cutoff"]
    rows = query(db, "select scope, sum(publications), sum(publications_dedup) "
                     "from mart.publications_by_year group by scope")
    for scope, publications, dedup in rows:
        assert dedup == totals[scope]
        assert publications > dedup, "records e-published a year before print count twice"
    years = [r[0] for r in query(db, "select year from mart.publications_by_year "
                                     "where scope = 'current' order by year")]
    assert years == list(range(years[0], years[-1] + 1))
    translation = query(db, "select query_translation from core.pubmed_search limit 1")[0][0]
    assert "[Title]" in translation or "[ti]" in translation.lower()


def test_trial_links_join_publications_to_registry_trials(make_sandbox, refresh_against):
    server = make_sandbox(ncbi_rate_limit=False)
    refresh_against(server, source="all")
    db = refresh_against.db
    links = query(db, "select nct_id, trial_in_review_query from mart.trial_publications")
    linked = {nct for nct, _ in links}
    assert "NCT01220492" in linked
    assert any(inside for _, inside in links)
    assert query(db, "select count(*) from core.pubmed_article_trial")[0][0] >= len(linked)


def test_a_changed_query_translation_is_recorded(make_sandbox, refresh_against):
    server = make_sandbox(ncbi_rate_limit=False)
    refresh_against(server, source="pubmed")
    server.pubmed_corpus.translation_variant = 1
    refresh_against(server, source="pubmed")
    rows = query(refresh_against.db, """select run_id, translation_changed, previous_translation,
                                               query_translation
                                        from core.pubmed_search where scope = 'current'
                                        order by fetched_at""")
    assert [changed for _, changed, _, _ in rows] == [False, True]
    assert rows[1][2] == rows[0][3] != rows[1][3]


@pytest.mark.parametrize("fault", ["esearch:ncbi-error", "esearch:html", "efetch:ncbi-error"])
def test_an_error_in_a_200_is_never_a_zero(make_sandbox, refresh_against, fault):
    server = make_sandbox(ncbi_rate_limit=False)
    refresh_against(server, source="pubmed")
    db = refresh_against.db
    before = db.read_bytes()
    server.set_faults(fault)
    with pytest.raises(Exception):  # noqa: B017 - the reason is checked in the ledger
        refresh_against(server, source="pubmed")
    assert db.read_bytes() == before
    last = Ledger(ledger_path(db)).runs()[-1]
    assert last["status"] == "failed" and last["error"]
    zero = query(db, "select count(*) from raw.pubmed_search where count = 0")
    assert zero == [(0,)]


def test_one_error_in_a_200_is_retried_and_the_run_succeeds(make_sandbox, refresh_against):
    server = make_sandbox(ncbi_rate_limit=False, faults="esearch:ncbi-error#1;efetch:html#1")
    summary = refresh_against(server, source="pubmed")
    assert summary["status"] == "ok" and summary["retries"] >= 2
    totals = dict(query(refresh_against.db, "select scope, total from mart.search_totals"))
    assert totals["cutoff"] == 1290


def test_the_api_key_appears_nowhere(make_sandbox, refresh_against, monkeypatch, caplog, capsys):
    monkeypatch.setenv("NCBI_API_KEY", SECRET)
    caplog.set_level(logging.DEBUG)
    server = make_sandbox(
        ncbi_rate_limit=False, faults="esearch:429#2;efetch:503#1;esearch:ncbi-error#5"
    )
    refresh_against(server, source="all")
    server.set_faults("eutils:500")
    with pytest.raises(Exception) as failure:
        refresh_against(server, source="pubmed")
    db = refresh_against.db
    places = {
        "exception": str(failure.value) + repr(failure.value),
        "logs": caplog.text,
        "output": "".join(capsys.readouterr()),
        "ledger": ledger_path(db).read_text(),
        "server log": repr(server.log),
    }
    for name, text in places.items():
        assert SECRET not in text, f"the key leaked into the {name}"
    assert SECRET.encode() not in db.read_bytes()
    for leftover in db.parent.rglob("*"):
        if leftover.is_file():
            assert SECRET.encode() not in leftover.read_bytes(), leftover
    # and it was really sent: the sandbox saw keyed requests (masked in its log)
    assert any(("api_key", "***") in rec.params for rec in server.log)


def test_no_429_at_ncbis_rate_limit(make_sandbox, refresh_against, tmp_path):
    """At 3 requests/s enforced by the sandbox, a full PubMed refresh is never refused."""
    spec = tmp_path / "limited.toml"
    spec.write_text(
        '[review]\nid = "r"\ncutoff = 2022-04-29\n'
        '[[pubmed.queries]]\nid = "msc_liver"\n'
        'term = "mesenchymal stem cell OR mesenchymal stromal cell AND liver [Title]"\n'
        "[pubmed]\ntimeout_seconds = 10.0\nefetch_batch_size = 500\n",
        encoding="utf-8",
    )
    server = make_sandbox()  # NCBI limits on
    summary = refresh_against(server, source="pubmed", spec=spec)
    assert summary["status"] == "ok"
    assert summary["retries"] == 0
    assert not [rec for rec in server.log if rec.status == 429]
