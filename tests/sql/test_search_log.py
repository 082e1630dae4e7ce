"""mart.search_log: one row per search a run sent, with what PRISMA-S asks to report
(issue 13, item 4)."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlencode

import pytest
from sql_records import pubmed_record, study

from extract.http import RawResponse
from report.searchlog import RunNotFound, read_search_log, to_markdown

API = "http://127.0.0.1:8765/api/v2"
TERM = "mesenchymal stem cell AND liver diseases + IL-2"  # a '+' sent as %2B
CUTOFF_FILTER = "AREA[StudyFirstPostDate]RANGE[MIN,2022-04-29]"


def raw(url: str) -> RawResponse:
    return RawResponse(url, 200, "application/json", b"{}", datetime.now(UTC))


def ctgov_searches(run, *, listing: str = "harvest") -> None:
    """The two CT.gov searches of a run, with the URLs the client sends (extract.ctgov):
    the listing's first page carries the `current` total; the cut-off total is its own."""
    fields = "NCTId" if listing == "sweep" else "IdentificationModule,StatusModule"
    current = urlencode({"pageSize": 1000, "query.term": TERM, "fields": fields,
                         "countTotal": "true"})
    cutoff = urlencode({"query.term": TERM, "filter.advanced": CUTOFF_FILTER,
                        "fields": "NCTId", "pageSize": 1, "countTotal": "true"})
    run.landing.save_ctgov_version({"apiVersion": "2.0.5", "dataTimestamp": run.data_timestamp},
                                   raw(f"{API}/version"))
    run.page("q", listing, [study("NCT00000001")])
    run.landing.save_ctgov_total("q", "current", 1, raw(f"{API}/studies?{current}"))
    run.landing.save_ctgov_total("q", "cutoff", 1, raw(f"{API}/studies?{cutoff}"))


def one_night(warehouse, listing: str = "harvest"):
    run = warehouse.run().query("q").query("p", "pubmed", term="msc AND liver[Title]")
    ctgov_searches(run, listing=listing)
    run.pubmed("p", [pubmed_record("101"), pubmed_record("102", created="2023-05-01")],
               term="msc AND liver[Title]", translation='"msc"[All Fields] AND liver[Title]')
    run.build()
    return run


LOG = """select source, database, interface, query_id, scope, query, translation, total, limits
         from mart.search_log where run_id = ? order by source, scope"""


def test_one_row_per_search_with_what_prisma_s_asks(warehouse):
    run = one_night(warehouse)
    assert warehouse.rows(LOG, [run.run_id]) == [
        ("ctgov", "ClinicalTrials.gov", f"ClinicalTrials.gov API v2, version 2.0.5 ({API})",
         "q", "current", f"query.term={TERM}", None, 1, None),
        ("ctgov", "ClinicalTrials.gov", f"ClinicalTrials.gov API v2, version 2.0.5 ({API})",
         "q", "cutoff", f"query.term={TERM}&filter.advanced={CUTOFF_FILTER}", None, 1,
         f"filter.advanced={CUTOFF_FILTER}"),
        ("pubmed", "PubMed", "NCBI E-utilities esearch (http://127.0.0.1/entrez/eutils)",
         "p", "current", "msc AND liver[Title]", '"msc"[All Fields] AND liver[Title]', 2, None),
        ("pubmed", "PubMed", "NCBI E-utilities esearch (http://127.0.0.1/entrez/eutils)",
         "p", "cutoff", "(msc AND liver[Title]) AND 1800/01/01:2022/04/29[crdt]",
         '"msc"[All Fields] AND liver[Title]', 1, "1800/01/01:2022/04/29[crdt]"),
    ]
    assert warehouse.checks_failing() is None


def test_the_url_as_sent_the_time_and_the_previous_run(warehouse):
    first = one_night(warehouse)
    second = one_night(warehouse, listing="sweep")
    rows = warehouse.rows("""select source, scope, url, searched_at, previous_run_id, fingerprint
                             from mart.search_log where run_id = ? order by source, scope""",
                          [second.run_id])
    assert [r[4] for r in rows] == [first.run_id] * 4
    assert all(r[5] for r in rows)
    ctgov_current = rows[0]
    assert "fields=NCTId" in ctgov_current[2] and "pageSize=1000" in ctgov_current[2]
    assert "%2B" in ctgov_current[2]  # the URL as sent; `query` is its decoded reading
    assert all(isinstance(r[3], datetime) and r[3].tzinfo for r in rows)


def test_a_run_that_did_not_search_a_source_logs_no_search_of_it(warehouse):
    one_night(warehouse)
    pubmed_only = warehouse.run().query("q").query("p", "pubmed", term="msc AND liver[Title]")
    pubmed_only.pubmed("p", [pubmed_record("101")], term="msc AND liver[Title]").build()
    rows = warehouse.rows("select source, count(*) from mart.search_log where run_id = ? "
                          "group by source", [pubmed_only.run_id])
    assert rows == [("pubmed", 2)]


def test_the_markdown_names_each_search_and_the_queries_not_searched(warehouse):
    first = one_night(warehouse)
    pubmed_only = warehouse.run().query("q").query("p", "pubmed", term="msc AND liver[Title]")
    pubmed_only.pubmed("p", [pubmed_record("101")], term="msc AND liver[Title]").build()
    text = to_markdown(read_search_log(warehouse.con))  # the last published run
    assert text.startswith(f"# Search log of run {pubmed_only.run_id}")
    assert "`msc AND liver[Title]` gave 1 records" in text
    assert "1800/01/01:2022/04/29[crdt]" in text and "(item 9)" in text
    assert f"previous run of this search: {first.run_id}" in text
    not_searched = text[text.index("## Not searched in this run"):]
    assert f"ClinicalTrials.gov `q`: last searched in run {first.run_id}" in not_searched
    assert "## ClinicalTrials.gov" not in text


def test_an_unknown_run_is_refused(warehouse):
    one_night(warehouse)
    with pytest.raises(RunNotFound, match="no published run 20991231T000000-x"):
        read_search_log(warehouse.con, "20991231T000000-x")
