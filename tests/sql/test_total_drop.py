"""ops.total_drop (docs/warehouse.md section 4): a total of this run that fell by more than
ops.build_params.max_total_drop (the spec's review.max_total_drop, default 0.05) since the last
search of the same query, scope and fingerprint (and, for PubMed, the same QueryTranslation).
The flow refuses to publish its rows without --accept-drop (warehouse.build.sudden_drops); a
reworded query is a new series and is not compared.
"""

from __future__ import annotations

import pytest
from sql_records import pubmed_record, study

DROPS = """select source, query_id, scope, previous_run_id, previous_total, total,
                  round(drop_share, 4), accepted
           from ops.total_drop order by source, query_id, scope"""
TERM = {"query.term": "mesenchymal stem cell AND liver diseases"}


def ids(n: int) -> list[str]:
    return [f"NCT{i:08d}" for i in range(1, n + 1)]


def ctgov_night(warehouse, n: int, *, first: bool = False, definition: dict = TERM,
                **build):
    """A run whose listing and totals agree on n trials (the first n ids)."""
    run = warehouse.run().query("q", **definition)
    trials = [study(nct_id, sites=["China"]) for nct_id in ids(n)]
    if first:
        run.page("q", "harvest", trials)
    else:
        run.page("q", "sweep", trials).page("q", "delta", [])
    run.total("q", "current", n).total("q", "cutoff", n)
    run.build(**build)
    return run


def test_a_fall_of_more_than_five_percent_appears(warehouse):
    first = ctgov_night(warehouse, 20, first=True)
    ctgov_night(warehouse, 18)
    assert warehouse.rows(DROPS) == [
        ("ctgov", "q", "current", first.run_id, 20, 18, 0.1, False),
        ("ctgov", "q", "cutoff", first.run_id, 20, 18, 0.1, False),
    ]
    assert warehouse.checks_failing() is None  # the data are sound; only the flow refuses


@pytest.mark.parametrize("second", [19, 20, 25], ids=["exactly-5-percent", "same", "rise"])
def test_a_fall_of_at_most_five_percent_does_not(warehouse, second):
    ctgov_night(warehouse, 20, first=True)
    ctgov_night(warehouse, second)
    assert warehouse.rows(DROPS) == []


def test_the_share_is_the_specs(warehouse):
    ctgov_night(warehouse, 20, first=True)
    ctgov_night(warehouse, 16, max_total_drop=0.25)  # a 20% fall is within 25%
    assert warehouse.rows(DROPS) == []
    ctgov_night(warehouse, 11, max_total_drop=0.25)  # 16 -> 11: 31%
    assert [row[4:6] for row in warehouse.rows(DROPS)] == [(16, 11), (16, 11)]


def test_an_accepted_drop_says_so(warehouse):
    ctgov_night(warehouse, 20, first=True)
    ctgov_night(warehouse, 10, accept_drop=True)
    assert {row[-1] for row in warehouse.rows(DROPS)} == {True}


def test_the_fall_is_measured_from_the_last_run_not_the_first(warehouse):
    ctgov_night(warehouse, 20, first=True)
    ctgov_night(warehouse, 18, accept_drop=True)
    third = ctgov_night(warehouse, 18)  # 18 against the accepted 18, not the first 20
    assert warehouse.rows(DROPS) == []
    ctgov_night(warehouse, 16)  # 18 -> 16: 11%, against the run just before
    assert {row[3:6] for row in warehouse.rows(DROPS)} == {(third.run_id, 18, 16)}


def test_a_changed_fingerprint_is_not_compared(warehouse):
    ctgov_night(warehouse, 20, first=True)
    ctgov_night(warehouse, 2, first=True, definition={"query.term": "mesenchymal AND cirrhosis"})
    assert warehouse.rows(DROPS) == []
    assert warehouse.checks_failing() is None


def test_a_previous_total_of_zero_is_not_compared(warehouse):
    ctgov_night(warehouse, 0, first=True)
    ctgov_night(warehouse, 0)
    assert warehouse.rows(DROPS) == []


def pubmed_night(warehouse, n: int, *, translation: str | None = None):
    run = warehouse.run().query("p", "pubmed", term="msc")
    run.pubmed("p", [pubmed_record(str(100 + i)) for i in range(n)], term="msc",
               translation=translation)
    run.build()
    return run


def test_a_pubmed_fall_appears_in_both_scopes(warehouse):
    pubmed_night(warehouse, 20)
    pubmed_night(warehouse, 15)
    assert [row[:3] + row[4:7] for row in warehouse.rows(DROPS)] == [
        ("pubmed", "p", "current", 20, 15, 0.25), ("pubmed", "p", "cutoff", 20, 15, 0.25)]


def test_a_pubmed_fall_with_a_changed_translation_is_not_compared(warehouse):
    """PubMed re-mapped the query's terms (a new QueryTranslation): a new series of counts."""
    pubmed_night(warehouse, 20, translation='"msc"[All Fields]')
    pubmed_night(warehouse, 15, translation='"mesenchymal stem cells"[MeSH Terms]')
    assert warehouse.rows(DROPS) == []
