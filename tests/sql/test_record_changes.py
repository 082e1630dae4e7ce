"""mart.record_changes and core.pubmed_membership_event: what each run changed in each query's
result set (issue 13, item 3), built from the membership histories of both sources and the trial
versions."""

from __future__ import annotations

import pytest
from sql_records import pubmed_record, study

from warehouse import build as wh

CHANGES = """select source, query_id, record_id, change, title, detail
             from mart.record_changes where run_id = ? order by source, change, record_id"""


def trial(nct_id: str, *, status: str = "RECRUITING", enrollment: int = 40,
          sites: tuple = ("China",), title: str | None = None) -> dict:
    record = study(nct_id, status=status, sites=list(sites))
    protocol = record["protocolSection"]
    protocol["designModule"]["enrollmentInfo"]["count"] = enrollment
    protocol["identificationModule"]["briefTitle"] = title or f"Trial {nct_id}"
    return record


def night(warehouse, trials: list[dict], articles: list[dict], *, first: bool = False,
          term: str = "liver"):
    """One run of both sources: CT.gov full records (first night) or a sweep with the
    records as a delta, and a PubMed harvest of `articles`."""
    run = warehouse.run().query("q").query("p", "pubmed", term=term)
    if first:
        run.page("q", "harvest", trials)
    else:
        run.page("q", "sweep", trials).page("q", "delta", trials)
    run.total("q", "current", len(trials)).total("q", "cutoff", len(trials))
    run.pubmed("p", articles, term=term)
    run.build()
    assert warehouse.checks_failing() is None
    return run


def test_the_first_night_lists_every_record_as_entered(warehouse):
    run = night(warehouse, [trial("NCT00000001"), trial("NCT00000002")],
                [pubmed_record("101", "Stem cells for cirrhosis"), pubmed_record("102")],
                first=True)
    assert warehouse.rows(CHANGES, [run.run_id]) == [
        ("ctgov", "q", "NCT00000001", "entered", "Trial NCT00000001", None),
        ("ctgov", "q", "NCT00000002", "entered", "Trial NCT00000002", None),
        ("pubmed", "p", "101", "entered", "Stem cells for cirrhosis", None),
        ("pubmed", "p", "102", "entered", "Article 102", None),
    ]


def test_entries_exits_and_updates_of_the_second_night(warehouse):
    kept = ["NCT00000001", "NCT00000002", "NCT00000003", "NCT00000004", "NCT00000005"]
    night(warehouse, [trial(n) for n in kept] + [trial("NCT00000009")],
          [pubmed_record("101"), pubmed_record("102", "A paper that goes")], first=True)
    second = [
        trial("NCT00000001", status="COMPLETED"),
        trial("NCT00000002", enrollment=60),
        trial("NCT00000003", sites=("China", "Spain")),
        trial("NCT00000004", sites=("Spain",)),  # the same number of sites, another one
        trial("NCT00000005", title="Renamed, nothing else"),  # a new version, not an update
        trial("NCT00000010"),
    ]
    run = night(warehouse, second, [pubmed_record("101"), pubmed_record("103")])
    assert warehouse.rows(CHANGES, [run.run_id]) == [
        ("ctgov", "q", "NCT00000010", "entered", "Trial NCT00000010", None),
        ("ctgov", "q", "NCT00000009", "left", "Trial NCT00000009", None),
        ("ctgov", "q", "NCT00000001", "updated", "Trial NCT00000001",
         "status RECRUITING -> COMPLETED"),
        ("ctgov", "q", "NCT00000002", "updated", "Trial NCT00000002", "enrollment 40 -> 60"),
        ("ctgov", "q", "NCT00000003", "updated", "Trial NCT00000003", "sites 1 -> 2"),
        ("ctgov", "q", "NCT00000004", "updated", "Trial NCT00000004", "sites 1 -> 1 (edited)"),
        ("pubmed", "p", "103", "entered", "Article 103", None),
        ("pubmed", "p", "102", "left", "A paper that goes", None),
    ]
    assert warehouse.rows("select count(*) from core.ctgov_study_version "
                          "where nct_id = 'NCT00000005'") == [(2,)]


def test_the_history_is_kept_and_a_left_records_title_outlives_raw(warehouse):
    """raw.pubmed_article keeps 3 runs; the title of a record that left is the event's."""
    night(warehouse, [trial("NCT00000001")], [pubmed_record("101"),
                                              pubmed_record("102", "Gone in run 2")], first=True)
    night(warehouse, [trial("NCT00000001")], [pubmed_record("101")])
    for _ in range(3):
        night(warehouse, [trial("NCT00000001")], [pubmed_record("101")])
        wh.prune_raw(warehouse.con)
    assert warehouse.rows("select count(*) from raw.pubmed_article where pmid = '102'") == [(0,)]
    rows = warehouse.rows("select run_seq, record_id, change, title from mart.record_changes "
                          "where source = 'pubmed' order by run_seq, record_id")
    assert rows == [(1, "101", "entered", "Article 101"), (1, "102", "entered", "Gone in run 2"),
                    (2, "102", "left", "Gone in run 2")]


def test_a_run_without_pubmed_adds_no_pubmed_events(warehouse):
    night(warehouse, [trial("NCT00000001")], [pubmed_record("101")], first=True)
    ctgov_only = warehouse.run().query("q").query("p", "pubmed", term="liver")
    ctgov_only.page("q", "sweep", [trial("NCT00000001")]).page("q", "delta", [])
    ctgov_only.total("q", "current", 1).total("q", "cutoff", 1).build()
    assert warehouse.rows(CHANGES, [ctgov_only.run_id]) == []
    assert warehouse.rows("select count(*) from core.pubmed_membership_event") == [(1,)]


def test_a_reworded_pubmed_query_starts_a_new_history(warehouse):
    night(warehouse, [trial("NCT00000001")], [pubmed_record("101")], first=True)
    run = night(warehouse, [trial("NCT00000001")], [pubmed_record("101"), pubmed_record("102")],
                term="liver OR hepatic")
    rows = warehouse.rows("select record_id, change from mart.record_changes "
                          "where run_id = ? and source = 'pubmed' order by record_id",
                          [run.run_id])
    assert rows == [("101", "entered"), ("102", "entered")]
    fingerprints = warehouse.rows("select count(distinct fingerprint) "
                                  "from core.pubmed_membership_event")
    assert fingerprints == [(2,)]


def test_an_update_counts_only_in_the_queries_the_trial_is_a_member_of(warehouse):
    """A trial of query `other` changes status; query `q` never had it."""
    first = warehouse.run().query("q").query("other")
    first.page("q", "harvest", [trial("NCT00000001")])
    first.page("other", "harvest", [trial("NCT00000002")])
    for query_id in ("q", "other"):
        first.total(query_id, "current", 1).total(query_id, "cutoff", 1)
    first.build()
    second = warehouse.run().query("q").query("other")
    second.page("q", "sweep", [trial("NCT00000001")]).page("q", "delta", [])
    changed = trial("NCT00000002", status="TERMINATED")
    second.page("other", "sweep", [changed]).page("other", "delta", [changed])
    for query_id in ("q", "other"):
        second.total(query_id, "current", 1).total(query_id, "cutoff", 1)
    second.build()
    rows = warehouse.rows("select query_id, record_id, change from mart.record_changes "
                          "where run_id = ?", [second.run_id])
    assert rows == [("other", "NCT00000002", "updated")]


@pytest.mark.parametrize("table", ["mart.record_changes", "core.pubmed_membership_event"])
def test_the_contract_columns_come_first(warehouse, table):
    night(warehouse, [trial("NCT00000001")], [pubmed_record("101")], first=True)
    columns = [r[0] for r in warehouse.rows(f"describe {table}")]
    expected = {
        "mart.record_changes": ["run_id", "source", "query_id", "record_id", "change", "title"],
        "core.pubmed_membership_event": ["query_id", "pmid", "in_query", "run_id", "run_seq"],
    }[table]
    assert columns[: len(expected)] == expected
