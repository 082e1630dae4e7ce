"""Two nights against the sandbox, then what screeners and a methods section get from them
(issue 13): `review new` as RIS, read back with rispy, `review searchlog`, the report's "New
since the last run" and the run's summary artifact."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest
import rispy
from typer.testing import CliRunner

from flows.cli import app
from report import build_report
from report.artifacts import change_rows, headline_rows, summary_markdown

ENTERED = """select source, record_id from mart.record_changes
             where run_id = ? and change = 'entered'"""


def rows(db, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def review_new(db, out) -> list[dict]:
    result = CliRunner().invoke(app, ["new", "--db", str(db), "--format", "ris",
                                      "--out", str(out)])
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8") as fh:
        return rispy.load(fh)


@pytest.fixture
def two_nights(make_sandbox, refresh_against, tmp_path):
    """A first night; then the registry gains a matching trial and PubMed three matching
    records; a second night. Returns the two runs' summaries, what was added and the first
    night's RIS."""
    server = make_sandbox(ncbi_rate_limit=False)
    first = refresh_against(server, source="all")
    first_ris = review_new(refresh_against.db, tmp_path / "first.ris")
    added = set(server.pubmed_corpus.add_articles(3, "2026/11/25"))
    added.add(server.ctgov_corpus.add_matching_study())
    second = refresh_against(server, source="all")
    assert (first["status"], second["status"]) == ("ok", "ok")
    return first, second, added, first_ris


def test_review_new_writes_what_the_latest_night_added_as_ris(two_nights, refresh_against,
                                                               tmp_path):
    first, second, added, first_ris = two_nights
    db = refresh_against.db
    # the first night lists every record of both queries
    assert len(first_ris) == len(rows(db, ENTERED, [first["run_id"]]))

    entries = review_new(db, tmp_path / "new.ris")
    entered = rows(db, ENTERED, [second["run_id"]])
    assert {e["accession_number"] for e in entries} == added
    assert len(entries) == len(entered) == len(added)
    assert {record_id for _source, record_id in entered} == added

    articles = [e for e in entries if e["type_of_reference"] == "JOUR"]
    (trial,) = [e for e in entries if e["type_of_reference"] == "DBASE"]
    assert len(articles) == 3
    for article in articles:
        for key in ("authors", "title", "abstract", "doi", "journal_name", "volume", "number",
                    "start_page", "year", "keywords"):
            assert article.get(key), (key, article)
        assert article["urls"] == [f"https://pubmed.ncbi.nlm.nih.gov/"
                                   f"{article['accession_number']}/"]
    assert trial["urls"] == [f"https://clinicaltrials.gov/study/{trial['accession_number']}"]
    assert trial["title"] and trial["keywords"]  # the registry's conditions
    assert "Overall status: RECRUITING" in trial["notes"]


def test_the_report_and_the_run_summary_count_what_entered(two_nights, refresh_against,
                                                            tmp_path):
    _first, second, _added, _ris = two_nights
    db = refresh_against.db
    changes = change_rows(db, second["run_id"])
    summary = summary_markdown(second, headline_rows(db), changes)
    assert "## New since the last run" in summary
    assert "- pubmed msc_liver: 3 entered, 0 left, 0 updated" in summary
    assert "- ctgov msc_liver: 1 entered, 0 left, 0 updated" in summary
    assert f"`review new --db {db}`" in summary

    index = build_report(db, tmp_path / "report", cutoff=date(2022, 4, 29))
    page = index.read_text(encoding="utf-8")
    section = page[page.index("<h2>New since the last run</h2>"):]
    section = section[: section.index("</section>")]
    assert section.count("<tr>") == 1 + 2  # the header, PubMed entered, trials entered
    assert "<td>PubMed</td><td>msc_liver</td><td>entered</td><td class=\"num\">3</td>" in section


def test_review_searchlog_prints_each_search_with_its_query_and_count(two_nights,
                                                                      refresh_against):
    first, second, _added, _ris = two_nights
    result = CliRunner().invoke(app, ["searchlog", "--db", str(refresh_against.db),
                                      "--format", "md"])
    assert result.exit_code == 0, result.output
    searches = rows(refresh_against.db, "select database, scope, query, total, previous_run_id "
                                        "from mart.search_log where run_id = ?",
                    [second["run_id"]])
    assert len(searches) == 4  # each source's `current` and `cutoff` search
    text = result.stdout
    assert f"run {second['run_id']}" in text
    for database, scope, query, total, previous in searches:
        assert f"## {database}: query `msc_liver`" in text
        assert f"`{query}` gave {total:,}" in text, (scope, query)
        assert previous == first["run_id"]
    assert "(item 8)" in text and "(item 13)" in text and "[crdt]" in text
