"""The spec's queries and their fingerprints (DESIGN.md "Semantics"; docs/warehouse.md
section 2): a reworded query (a new fingerprint: source, every parameter as sent, cut-off)
starts a fresh membership history under the same id; a query missing from the run's spec
(core.review_query, from raw.spec_query of the run in ops.build_params) leaves every current
relation and keeps its past in mart.search_totals and core.query_harvest.
"""

from __future__ import annotations

from sql_records import pubmed_record, study

OLD = {"query.term": "mesenchymal stem cell AND liver diseases"}
NEW = {"query.term": "mesenchymal AND cirrhosis"}


def ctgov_run(warehouse, query_ids: dict[str, dict], pages: dict[str, list[str]],
              purpose: str = "harvest", by_id: dict[str, list[str]] | None = None):
    """A run whose spec holds `query_ids` (id -> definition), searching those in `pages`."""
    run = warehouse.run()
    for query_id, definition in query_ids.items():
        run.query(query_id, **definition)
    for query_id, nct_ids in pages.items():
        run.page(query_id, purpose, [study(n, sites=["China"]) for n in nct_ids])
        if purpose == "sweep":
            run.page(query_id, "delta", [])
            if by_id and by_id.get(query_id):
                run.page(query_id, "by_id", [study(n, sites=["China"]) for n in by_id[query_id]])
        run.total(query_id, "current", len(nct_ids)).total(query_id, "cutoff", len(nct_ids))
    run.build()
    return run


def test_a_reworded_query_starts_a_fresh_membership_history(warehouse):
    first = ctgov_run(warehouse, {"q": OLD}, {"q": ["NCT00000001", "NCT00000002"]})
    # a new fingerprint: the flow harvests the query in full (extract/ctgov_harvest.py)
    second = ctgov_run(warehouse, {"q": NEW}, {"q": ["NCT00000002", "NCT00000003"]})
    fingerprints = dict(warehouse.rows(
        "select run_id, fingerprint from raw.spec_query where query_id = 'q'"))
    assert fingerprints[first.run_id] != fingerprints[second.run_id]
    # NCT00000002 enters again (new history); NCT00000001 does not "leave" the new one
    assert warehouse.rows("""select nct_id, in_query from core.ctgov_membership_event
                             where run_id = ? order by nct_id""", [second.run_id]) == [
        ("NCT00000002", True), ("NCT00000003", True)]
    assert warehouse.rows("select nct_id, matched_since_run from core.ctgov_query_match "
                          "order by nct_id") == [("NCT00000002", second.run_id),
                                                 ("NCT00000003", second.run_id)]
    assert warehouse.rows("select record_id, change from mart.record_changes "
                          "where run_id = ? order by record_id", [second.run_id]) == [
        ("NCT00000002", "entered"), ("NCT00000003", "entered")]
    assert warehouse.rows("select country, trials from mart.fig1b_trials_by_country "
                          "where scope = 'current'") == [("China", 2)]
    # the old wording's history is kept under its own fingerprint
    assert warehouse.rows("select count(*) from core.ctgov_membership_event "
                          "where fingerprint = ?", [fingerprints[first.run_id]]) == [(2,)]
    assert warehouse.checks_failing() is None


def test_a_reworded_querys_later_sweep_compares_with_the_new_history_only(warehouse):
    ctgov_run(warehouse, {"q": OLD}, {"q": ["NCT00000001", "NCT00000002"]})
    ctgov_run(warehouse, {"q": NEW}, {"q": ["NCT00000002"]})
    third = ctgov_run(warehouse, {"q": NEW}, {"q": ["NCT00000003"]}, purpose="sweep",
                      by_id={"q": ["NCT00000003"]})
    # only the new wording's member leaves; NCT00000001 was never one of it
    assert warehouse.rows("""select nct_id, in_query from core.ctgov_membership_event
                             where run_id = ? order by nct_id""", [third.run_id]) == [
        ("NCT00000002", False), ("NCT00000003", True)]
    assert warehouse.checks_failing() is None


def test_a_moved_cutoff_is_a_new_fingerprint_and_a_new_history_too(warehouse):
    """The cut-off is part of the fingerprint (flows.settings.query_fingerprint), so moving it
    re-enters every member, though the `current` result set does not depend on it."""
    for cutoff in ("2022-04-29", "2019-12-31"):
        run = warehouse.run(cutoff=cutoff).query("q", **OLD)
        run.page("q", "harvest", [study("NCT00000001", first_posted="2019-06-01")])
        run.total("q", "current", 1).total("q", "cutoff", 1).build()
        assert warehouse.checks_failing() is None
    assert warehouse.rows("select run_seq, in_query from core.ctgov_membership_event "
                          "order by run_seq") == [(1, True), (2, True)]
    assert warehouse.rows("select run_seq, change from mart.record_changes "
                          "order by run_seq") == [(1, "entered"), (2, "entered")]


def test_a_query_missing_from_the_spec_leaves_the_current_relations(warehouse):
    first = ctgov_run(warehouse, {"q": OLD, "r": NEW},
                      {"q": ["NCT00000001"], "r": ["NCT00000002", "NCT00000003"]})
    assert warehouse.rows("select distinct query_id from mart.fig1b_trials_by_country "
                          "order by 1") == [("q",), ("r",)]
    second = ctgov_run(warehouse, {"q": OLD}, {"q": ["NCT00000001"]}, purpose="sweep")
    assert warehouse.rows("select query_id from core.review_query") == [("q",)]
    for relation in ("core.ctgov_query_match", "core.ctgov_query_scope",
                     "mart.fig1b_trials_by_country", "mart.trials_by_country"):
        assert warehouse.rows(f"select distinct query_id from {relation}") == [("q",)], relation
    # its past stays: the totals and the searches of the first run, and its events
    assert warehouse.rows("select run_id, scope, total from mart.search_totals "
                          "where query_id = 'r' order by scope") == [
        (first.run_id, "current", 2), (first.run_id, "cutoff", 2)]
    assert warehouse.rows("select run_id from core.query_harvest where query_id = 'r'") == [
        (first.run_id,)]
    assert warehouse.rows("select count(*) from core.ctgov_membership_event "
                          "where query_id = 'r'") == [(2,)]
    # no 'left' rows: the query was not searched, its trials did not leave it
    assert warehouse.rows("select count(*) from mart.record_changes "
                          "where run_id = ?", [second.run_id]) == [(0,)]
    assert warehouse.checks_failing() is None


def test_a_pubmed_query_missing_from_the_spec_leaves_fig1a(warehouse):
    run = warehouse.run().query("p", "pubmed", term="a").query("p2", "pubmed", term="b")
    run.pubmed("p", [pubmed_record("101")], term="a")
    run.pubmed("p2", [pubmed_record("201")], term="b")
    run.build()
    later = warehouse.run().query("p", "pubmed", term="a")
    later.pubmed("p", [pubmed_record("101")], term="a")
    later.build()
    assert warehouse.rows("select distinct query_id from mart.fig1a_publications_by_year") == [
        ("p",)]
    assert warehouse.rows("select distinct query_id from core.pubmed_query_match") == [("p",)]
    assert warehouse.checks_failing() is None


def test_a_reworded_pubmed_query_is_not_answered_by_the_old_wordings_harvest(warehouse):
    """stg_pubmed_latest_run: the latest harvest under the present fingerprint. A run that
    reworded the query but did not search it yet leaves Fig. 1A empty for it."""
    run = warehouse.run().query("p", "pubmed", term="a")
    run.pubmed("p", [pubmed_record("101")], term="a")
    run.build()
    warehouse.run().query("p", "pubmed", term="a OR b").build()
    assert warehouse.rows("select count(*) from mart.fig1a_publications_by_year") == [(0,)]
    assert warehouse.rows("select query_id, harvest_run_id from core.review_query") == [
        ("p", None)]
