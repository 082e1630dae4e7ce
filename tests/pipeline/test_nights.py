"""The nights after the first (issue 11): membership by identity, not by counts.

A re-index of the registry can swap one trial out of a query and another in without updating
either record, so the total stays equal and no LastUpdatePostDate moves. Only an id listing of
the whole query sees it (shared/reference/README.md: the registry re-indexes; records carry a
day-granular LastUpdatePostDate; counts alone prove nothing, DESIGN.md "Semantics").
"""

from __future__ import annotations

import duckdb
import pytest
from test_ctgov_refresh import query, snapshot

CUTOFF = "2022-04-29"


def members(db) -> set[str]:
    return {r[0] for r in query(db, "select nct_id from core.ctgov_query_match")}


def first_posted(server, nct_id: str) -> str:
    study = server.ctgov_corpus.study(nct_id)
    return study["protocolSection"]["statusModule"]["studyFirstPostDateStruct"]["date"]


def swap_candidates(server, matched: set[str]) -> tuple[str, str]:
    """A matched trial and a non-matching one, both first posted by the cut-off, so that the
    swap leaves both the current and the cut-off totals as they were."""
    corpus = server.ctgov_corpus
    leaving = next(n for n in sorted(matched) if first_posted(server, n) <= CUTOFF)
    entering = next(n for n in corpus.nct_ids()
                    if n not in matched and first_posted(server, n) <= CUTOFF
                    and n.startswith("NCT0"))
    return leaving, entering


def test_a_reindex_swap_is_caught_by_identity_and_equals_a_full_refresh(
    make_sandbox, refresh_against
):
    server = make_sandbox()
    refresh_against(server)
    db = refresh_against.db
    before = members(db)
    totals_before = dict(query(db, "select scope, total from mart.search_totals"))
    leaving, entering = swap_candidates(server, before)

    server.ctgov_corpus.reindex_swap(leaving, entering)
    updated = sorted(before - {leaving})[0]
    server.ctgov_corpus.set_overall_status(updated, "TERMINATED")
    posted = server.ctgov_corpus.add_matching_study()

    summary = refresh_against(server)
    assert summary["status"] == "ok"
    after = members(db)
    assert after == (before - {leaving}) | {entering, posted}
    # a nightly run: an id listing, not a full harvest
    pages = summary["harvest"]["ctgov"]["queries"]["msc_liver"]["pages"]
    assert pages.get("sweep") and "harvest" not in pages
    # the swap alone kept the cut-off total: only identity could see it
    totals_after = dict(query(db, "select scope, total from mart.search_totals "
                                  "qualify row_number() over (partition by scope "
                                  "order by run_at desc) = 1"))
    assert totals_after["cutoff"] == totals_before["cutoff"]
    status = query(db, "select overall_status from core.ctgov_study where nct_id = ?", [updated])
    assert status == [("TERMINATED",)]
    left = query(db, "select in_query from core.ctgov_membership_event where nct_id = ? "
                     "order by run_seq", [leaving])
    assert [r[0] for r in left] == [True, False]

    full_db = db.with_name("full.duckdb")
    refresh_against(server, db=full_db, full=True)
    nightly, full = snapshot(db), snapshot(full_db)
    for name in ("core.ctgov_query_match", "mart.fig1b", "core.ctgov_location"):
        assert nightly[name] == full[name], name
    fig1b = "select * from mart.trials_by_country order by all"
    assert query(db, fig1b) == query(full_db, fig1b)


def test_the_delta_starts_at_the_last_runs_data_date_not_the_querys_last_update(
    make_sandbox, refresh_against
):
    server = make_sandbox()
    refresh_against(server)
    stamp = server.ctgov_corpus.data_date
    server.ctgov_corpus.add_matching_study()
    sent_before = len(server.log)
    refresh_against(server)
    deltas = [r for r in server.log[sent_before:]
              if r.endpoint == "studies" and "LastUpdatePostDate" in str(r.params)]
    assert deltas, "the nightly run asked for a delta"
    assert all(f"RANGE[{stamp},MAX]" in str(r.params) for r in deltas)


def test_a_check_refuses_a_warehouse_whose_members_differ_from_the_listing(
    make_sandbox, refresh_against, monkeypatch
):
    """If the plan ever lost an entering study, the identity check stops the publish."""
    import extract.ctgov_harvest as planner

    server = make_sandbox()
    refresh_against(server)
    db = refresh_against.db
    before = query(db, "select count(*) from core.ctgov_query_match")
    server.ctgov_corpus.add_matching_study()
    real_plan = planner._incremental

    def listing_loses_the_last_id(client, params, known):
        for item in real_plan(client, params, known):
            if isinstance(item, planner.PageItem) and item.purpose == "sweep":
                item.page.studies[:] = item.page.studies[:-1]
            yield item

    monkeypatch.setattr(planner, "_incremental", listing_loses_the_last_id)
    with pytest.raises(Exception, match="ctgov_members_equal_listing"):
        refresh_against(server)
    assert query(db, "select count(*) from core.ctgov_query_match") == before


def test_a_sudden_drop_is_refused_and_accept_drop_publishes_it(make_sandbox, refresh_against):
    from warehouse.ledger import Ledger, ledger_path

    server = make_sandbox()
    refresh_against(server)
    db = refresh_against.db
    matched = sorted(members(db))
    for nct_id in matched[: len(matched) // 5]:  # a fifth of the query disappears overnight
        server.ctgov_corpus.remove_from_review_query(nct_id)
    with pytest.raises(Exception, match=r"ctgov msc_liver current total fell \d+%"):
        refresh_against(server)
    last = Ledger(ledger_path(db)).runs()[-1]
    assert last["status"] == "failed" and "--accept-drop" in last["error"]
    assert members(db) == set(matched)

    summary = refresh_against(server, accept_drop=True)
    assert summary["status"] == "ok"
    assert summary["accepted_drops"] and "fell" in summary["accepted_drops"][0]
    assert Ledger(ledger_path(db)).runs()[-1]["details"]["accepted_drops"]
    assert len(members(db)) == len(matched) - len(matched) // 5


def test_published_params_are_data_a_plain_duckdb_reads(make_sandbox, refresh_against):
    refresh_against(make_sandbox())
    con = duckdb.connect(str(refresh_against.db), read_only=True)
    try:
        run_id, cutoff = con.execute("select run_id, cutoff from ops.build_params").fetchone()
        assert str(cutoff) == CUTOFF
        # a staging view still answers in a plain session: it reads ops.build_params
        assert con.execute("select count(*) from staging.stg_ctgov_study").fetchone()[0] > 0
    finally:
        con.close()
    assert run_id


def test_an_unknown_country_spelling_is_counted_under_its_name_and_listed(
    make_sandbox, refresh_against
):
    """Issue 11: no guessing. A spelling the table does not know keeps its raw name, a NULL
    code, and the run still publishes, naming it in the ledger and the summary."""
    from warehouse.ledger import Ledger, ledger_path

    server = make_sandbox()
    refresh_against(server)
    db = refresh_against.db
    nct_id = sorted(members(db))[0]
    record = server.ctgov_corpus.study(nct_id)
    sites = record["protocolSection"]["contactsLocationsModule"]["locations"]
    sites[0]["country"] = "Republic of Atlantis"
    server.ctgov_corpus.replace_record(nct_id, record)
    server.ctgov_corpus.set_overall_status(nct_id, "COMPLETED")  # an update: the delta sees it
    summary = refresh_against(server)
    assert summary["status"] == "ok"
    assert summary["unknown_countries"] == ["Republic of Atlantis"]
    assert Ledger(ledger_path(db)).runs()[-1]["details"]["unknown_countries"] == [
        "Republic of Atlantis"]
    rows = query(db, "select country_code, trials from mart.trials_by_country "
                     "where scope = 'current' and country = 'Republic of Atlantis'")
    assert rows == [(None, 1)]
