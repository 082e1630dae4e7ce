"""Trial membership by identity (DESIGN.md "Semantics"; docs/warehouse.md section 4), one test
per page purpose a run lands (extract/ctgov_harvest.py, warehouse/landing.py):

- `harvest`: the full records of the whole query (a first run, or a new fingerprint);
- `sweep`: the NCT ids of the whole query, `fields=NCTId` (a page of
  `{"protocolSection": {"identificationModule": {"nctId": ...}}}`, ctg-oas-v2.yaml: `fields`
  keeps only the named pieces); the members after the run are exactly these ids;
- `delta`: the full records of the query's studies updated since the last run;
- `by_id`: the full records of ids that entered the listing without being in the delta;

and transform/checks/ctgov_members_equal_listing.sql, which refuses a warehouse whose members are
not the listing, id for id, or whose listing is not the API's totalCount, or whose member has
no record.
"""

from __future__ import annotations

from sql_records import study

EVENTS = """select run_seq, nct_id, in_query from core.ctgov_membership_event
            where query_id = 'q' order by run_seq, nct_id"""
MEMBERS = "select nct_id, matched_since_run from core.ctgov_query_match order by nct_id"
IDENTITY = "ctgov_members_equal_listing"


def first_run(warehouse, nct_ids: list[str]):
    run = warehouse.run().query("q")
    run.page("q", "harvest", [study(n, sites=["China"]) for n in nct_ids])
    run.total("q", "current", len(nct_ids)).total("q", "cutoff", len(nct_ids))
    run.build()
    return run


def nightly(warehouse, listed: list[str], *, delta: list[dict] = (), by_id: list[dict] = (),
            current: int | None = None):
    """A later run: the sweep of `listed`, then the delta and by-id records."""
    run = warehouse.run().query("q")
    run.page("q", "sweep", [study(n) for n in listed])
    run.page("q", "delta", list(delta))
    if by_id:
        run.page("q", "by_id", list(by_id))
    total = len(listed) if current is None else current
    run.total("q", "current", total).total("q", "cutoff", total)
    run.build()
    return run


def test_harvest_a_first_run_enters_every_record(warehouse):
    run = first_run(warehouse, ["NCT00000001", "NCT00000002"])
    assert warehouse.rows(EVENTS) == [(1, "NCT00000001", True), (1, "NCT00000002", True)]
    assert warehouse.rows(MEMBERS) == [("NCT00000001", run.run_id), ("NCT00000002", run.run_id)]
    assert warehouse.rows("select count(*) from core.ctgov_study_version") == [(2,)]
    assert warehouse.checks_failing() is None


def test_sweep_a_member_not_listed_leaves_and_a_listed_new_id_enters(warehouse):
    first = first_run(warehouse, ["NCT00000001", "NCT00000002"])
    second = nightly(warehouse, ["NCT00000001", "NCT00000003"],
                     by_id=[study("NCT00000003")])
    assert warehouse.rows(EVENTS) == [
        (1, "NCT00000001", True), (1, "NCT00000002", True),
        (2, "NCT00000002", False), (2, "NCT00000003", True),
    ]
    assert warehouse.rows(MEMBERS) == [("NCT00000001", first.run_id),
                                       ("NCT00000003", second.run_id)]
    # the study that left stays in core.ctgov_study (docs/warehouse.md section 8)
    assert warehouse.rows("select nct_id from core.ctgov_study order by 1") == [
        ("NCT00000001",), ("NCT00000002",), ("NCT00000003",)]
    assert warehouse.checks_failing() is None


def test_sweep_an_unchanged_listing_adds_no_event(warehouse):
    first_run(warehouse, ["NCT00000001", "NCT00000002"])
    nightly(warehouse, ["NCT00000002", "NCT00000001"])
    assert warehouse.rows("select count(*) from core.ctgov_membership_event") == [(2,)]
    assert warehouse.checks_failing() is None


def test_sweep_a_study_that_left_and_came_back_enters_again(warehouse):
    first_run(warehouse, ["NCT00000001", "NCT00000002"])
    nightly(warehouse, ["NCT00000001"])
    back = nightly(warehouse, ["NCT00000001", "NCT00000002"], by_id=[study("NCT00000002")])
    assert warehouse.rows("select run_seq, in_query from core.ctgov_membership_event "
                          "where nct_id = 'NCT00000002' order by run_seq") == [
        (1, True), (2, False), (3, True)]
    assert ("NCT00000002", back.run_id) in warehouse.rows(MEMBERS)
    assert warehouse.checks_failing() is None


def test_sweep_of_a_query_that_now_matches_nothing_empties_it(warehouse):
    """An empty listing with a totalCount of 0 is still a search (stg_ctgov_listing keeps a
    row with a NULL nct_id): every member leaves."""
    first_run(warehouse, ["NCT00000001", "NCT00000002"])
    nightly(warehouse, [])
    assert warehouse.rows("select nct_id from core.ctgov_membership_event "
                          "where not in_query order by 1") == [("NCT00000001",), ("NCT00000002",)]
    assert warehouse.rows(MEMBERS) == []
    assert warehouse.rows("select * from mart.fig1b_trials_by_country") == []
    assert warehouse.checks_failing() is None


def test_a_query_the_run_did_not_search_keeps_its_members(warehouse):
    """Without a `current` total the query was not searched this run: nothing leaves."""
    first = first_run(warehouse, ["NCT00000001"])
    warehouse.run().query("q").build()
    assert warehouse.rows(MEMBERS) == [("NCT00000001", first.run_id)]
    assert warehouse.rows("select count(*) from core.ctgov_membership_event") == [(1,)]


def test_by_id_the_record_of_an_entering_id_is_stored(warehouse):
    first_run(warehouse, ["NCT00000001"])
    entering = study("NCT00000009", status="ACTIVE_NOT_RECRUITING",
                     sites=["Iran, Islamic Republic of"])
    nightly(warehouse, ["NCT00000001", "NCT00000009"], by_id=[entering])
    assert warehouse.rows("select nct_id, overall_status from core.ctgov_study "
                          "where nct_id = 'NCT00000009'") == [
        ("NCT00000009", "ACTIVE_NOT_RECRUITING")]
    assert warehouse.rows("select country_code, trials from mart.fig1b_trials_by_country "
                          "where scope = 'current' order by country_code") == [
        ("CN", 1), ("IR", 1)]
    assert warehouse.checks_failing() is None


def test_delta_an_updated_member_gets_a_new_version_and_history_row(warehouse):
    first = first_run(warehouse, ["NCT00000001", "NCT00000002"])
    second = nightly(warehouse, ["NCT00000001", "NCT00000002"],
                     delta=[study("NCT00000001", status="COMPLETED", sites=["China"])])
    assert warehouse.rows("select nct_id, run_id, overall_status from core.ctgov_study_version "
                          "order by nct_id, observed_at") == [
        ("NCT00000001", first.run_id, "RECRUITING"),
        ("NCT00000001", second.run_id, "COMPLETED"),
        ("NCT00000002", first.run_id, "RECRUITING"),
    ]
    history = warehouse.rows("""
        select run_id, valid_from::varchar, valid_to::varchar, overall_status, previous_status
        from core.ctgov_study_history where nct_id = 'NCT00000001' order by valid_from""")
    # valid_from is the registry's dataTimestamp of the run that saw the version
    assert history == [
        (first.run_id, "2026-12-01 09:00:06", "2026-12-02 09:00:06", "RECRUITING", None),
        (second.run_id, "2026-12-02 09:00:06", None, "COMPLETED", "RECRUITING"),
    ]
    assert warehouse.rows("select overall_status from core.ctgov_study "
                          "where nct_id = 'NCT00000001'") == [("COMPLETED",)]
    # a delta changes records, not membership
    assert warehouse.rows("select count(*) from core.ctgov_membership_event") == [(2,)]
    assert warehouse.checks_failing() is None


def test_the_identity_check_fails_when_a_member_has_no_record(warehouse):
    """An id entered through the sweep, but its by-id page never landed."""
    first_run(warehouse, ["NCT00000001"])
    nightly(warehouse, ["NCT00000001", "NCT00000009"])  # no by_id page
    failing = warehouse.checks_failing()
    assert failing is not None and IDENTITY in failing
    assert "'NCT00000009', 'a member without a study record'" in failing


def test_the_identity_check_fails_when_the_listing_is_short_of_the_total(warehouse):
    """Two ids listed where the API's totalCount says three: a lost page, a truncated answer."""
    first_run(warehouse, ["NCT00000001", "NCT00000002", "NCT00000003"])
    nightly(warehouse, ["NCT00000001", "NCT00000002"], current=3)
    failing = warehouse.checks_failing()
    assert failing is not None and IDENTITY in failing
    assert "listing has 2 ids, totalCount 3" in failing


def test_the_identity_check_fails_on_a_first_run_short_of_the_total(warehouse):
    run = warehouse.run().query("q")
    run.page("q", "harvest", [study("NCT00000001")])
    run.total("q", "current", 2).total("q", "cutoff", 1).build()
    failing = warehouse.checks_failing()
    assert failing is not None and "listing has 1 ids, totalCount 2" in failing


def test_the_identity_check_fails_when_a_listed_id_is_not_a_member(warehouse):
    """Pages landed for a query the spec does not hold: listed by the API, member of nothing."""
    run = warehouse.run().query("q")
    run.page("q", "harvest", [study("NCT00000001")])
    run.page("stray", "harvest", [study("NCT00000002")])
    for query_id in ("q", "stray"):
        run.total(query_id, "current", 1).total(query_id, "cutoff", 1)
    run.build()
    failing = warehouse.checks_failing()
    assert failing is not None
    assert "('stray', 'NCT00000002', 'listed by the API, not a member')" in failing
