"""Fig. 1B (mart.fig1b_trials_by_country, the default review's name for mart.trials_by_country):
the counting rules of DESIGN.md "Semantics" and docs/warehouse.md section 3.

- a trial counts once per distinct country among its sites (spellings normalised to ISO 3166-1);
- a site without a country adds nothing;
- a trial with no site naming a country counts once under country_code NULL, country 'Unknown';
- scope 'cutoff': trials first posted on or before ops.build_params.cutoff, a partial date
  counting from its first day (transform/macros.sql partial_date_start).

The records are the real AACT record NCT02552212 (tests/fixtures/ctgov) re-labelled by
sql_records.study; `locations[].country` is a plain string per site (ctg-oas-v2.yaml, schema
Location; shared/reference/README.md "Countries").
"""

from __future__ import annotations

import pytest
from sql_records import fixture_study, study

FIG1B = """select scope, country_code, country, trials from mart.fig1b_trials_by_country
           where query_id = ? order by scope, country"""


def harvest(warehouse, trials: list[dict], *, cutoff_total: int | None = None,
            cutoff: str = "2022-04-29", query_id: str = "q"):
    """A first run of one query: its full records and the API's two totals."""
    run = warehouse.run(cutoff=cutoff).query(query_id)
    run.page(query_id, "harvest", trials)
    run.total(query_id, "current", len(trials))
    run.total(query_id, "cutoff", len(trials) if cutoff_total is None else cutoff_total)
    run.build()
    return run


def both_scopes(rows: list[tuple]) -> list[tuple]:
    """The same (country_code, country, trials) rows in both scopes, as FIG1B orders them."""
    return [(scope, *row) for scope in ("current", "cutoff") for row in rows]


def without_locations_module(nct_id: str) -> dict:
    """A record with no contactsLocationsModule at all: the API leaves out an empty module."""
    record = study(nct_id)
    del record["protocolSection"]["contactsLocationsModule"]
    return record


def with_locations(nct_id: str, locations: list[dict]) -> dict:
    record = study(nct_id)
    record["protocolSection"]["contactsLocationsModule"]["locations"] = locations
    return record


def test_several_sites_in_one_country_count_once(warehouse):
    harvest(warehouse, [study("NCT00000001", sites=["China", "China", "China"])])
    assert warehouse.rows(FIG1B, ["q"]) == both_scopes([("CN", "China", 1)])
    assert warehouse.checks_failing() is None


def test_a_trial_in_two_countries_counts_in_both(warehouse):
    harvest(warehouse, [
        study("NCT00000001", sites=["China", "China", "Korea, Republic of"]),
        study("NCT00000002", sites=["China"]),
    ])
    assert warehouse.rows(FIG1B, ["q"]) == both_scopes([("CN", "China", 2), ("KR", "Korea", 1)])
    # the sum over countries is not the number of trials (docs/warehouse.md section 8)
    assert warehouse.rows("select sum(trials) from mart.fig1b_trials_by_country "
                          "where scope = 'current'") == [(3,)]
    assert warehouse.checks_failing() is None


def test_the_registrys_spellings_of_one_country_count_once(warehouse):
    """"Korea, Republic of", "South Korea" and a padded, upper-case spelling are one country
    (transform/countries.py REGISTRY_SPELLINGS; the join is on lower(trim(country)))."""
    spellings = ["Korea, Republic of", "South Korea", "  KOREA, REPUBLIC OF "]
    harvest(warehouse, [study("NCT00000001", sites=spellings)])
    assert warehouse.rows(FIG1B, ["q"]) == both_scopes([("KR", "Korea", 1)])


def test_the_real_records_sites_count_once_per_country(warehouse):
    """NCT02552212 as AACT recorded it: 105 sites in 9 countries."""
    harvest(warehouse, [study("NCT00000001")])  # sites=None: the record's own locations
    locations = fixture_study()["protocolSection"]["contactsLocationsModule"]["locations"]
    assert len(locations) == 105
    assert warehouse.rows("select count(*) from core.ctgov_location") == [(105,)]
    assert warehouse.rows("select country_code, trials from mart.fig1b_trials_by_country "
                          "where scope = 'current' order by country_code") == [
        (code, 1) for code in ("AU", "BG", "CA", "CZ", "HU", "PL", "RU", "TW", "US")]
    assert warehouse.rows("select country from mart.fig1b_trials_by_country "
                          "where country_code = 'RU' and scope = 'current'") == [("Russia",)]


def test_a_site_without_a_country_adds_nothing(warehouse):
    harvest(warehouse, [study("NCT00000001", sites=[None, "Spain", None])])
    assert warehouse.rows(FIG1B, ["q"]) == both_scopes([("ES", "Spain", 1)])
    assert warehouse.rows("select count(*) from core.ctgov_location") == [(3,)]


@pytest.mark.parametrize("record", [
    pytest.param(lambda n: study(n, sites=[]), id="empty-locations"),
    pytest.param(without_locations_module, id="no-locations-module"),
    pytest.param(lambda n: study(n, sites=[None, None]), id="sites-without-country"),
    pytest.param(lambda n: with_locations(n, [{"facility": "A", "country": ""},
                                              {"facility": "B", "country": "   "}]),
                 id="blank-countries"),
])
def test_a_trial_with_no_site_naming_a_country_counts_once_as_unknown(warehouse, record):
    harvest(warehouse, [record("NCT00000001"), record("NCT00000002"),
                        study("NCT00000003", sites=["Egypt"])])
    assert warehouse.rows(FIG1B, ["q"]) == both_scopes([
        ("EG", "Egypt", 1), (None, "Unknown", 2)])
    assert warehouse.checks_failing() is None


def test_an_unknown_spelling_is_its_own_row_beside_unknown(warehouse):
    """No guessing (transform/countries.py): an unknown spelling keeps its raw name, code NULL,
    and it is not 'Unknown' (that is a trial without any country)."""
    harvest(warehouse, [study("NCT00000001", sites=["Republic of Atlantis"]),
                        study("NCT00000002", sites=[])])
    assert warehouse.rows(FIG1B, ["q"]) == both_scopes([
        (None, "Republic of Atlantis", 1), (None, "Unknown", 1)])


def test_the_cutoff_scope_counts_trials_first_posted_on_or_before_the_cutoff(warehouse):
    harvest(warehouse, [
        study("NCT00000001", first_posted="2019-06-01", sites=["China"]),
        study("NCT00000002", first_posted="2022-04-29",
              sites=["China", "Iran, Islamic Republic of"]),
        study("NCT00000003", first_posted="2022-04-30", sites=["China", "Egypt"]),
        study("NCT00000004", first_posted="2024-01-02", sites=[]),
    ], cutoff_total=2)
    assert warehouse.rows(FIG1B, ["q"]) == [
        ("current", "CN", "China", 3), ("current", "EG", "Egypt", 1),
        ("current", "IR", "Iran", 1), ("current", None, "Unknown", 1),
        ("cutoff", "CN", "China", 2), ("cutoff", "IR", "Iran", 1),
    ]
    assert warehouse.rows("select scope, count(*) from core.ctgov_query_scope "
                          "group by scope order by scope") == [("current", 4), ("cutoff", 2)]
    assert warehouse.checks_failing() is None  # and it reconciles with the API's cutoff total


# transform/macros.sql partial_date_start: a registry date is yyyy, yyyy-MM or yyyy-MM-dd
# (ctg-oas-v2.yaml PartialDate; shared/reference/README.md "Dates are partial") and counts from
# its first possible day: '2022-04' is 2022-04-01, '2022' is 2022-01-01.
@pytest.mark.parametrize("first_posted, cutoff, counted", [
    ("2022-04", "2022-04-29", True),
    ("2022-04", "2022-04-01", True),    # its first day is the cut-off itself
    ("2022-04", "2022-03-31", False),
    ("2022", "2022-01-01", True),
    ("2022", "2021-12-31", False),
    ("2022-04-29", "2022-04-29", True),  # "on or before"
    ("2022-04-30", "2022-04-29", False),
])
def test_a_partial_first_post_date_counts_from_its_first_day(
        warehouse, first_posted, cutoff, counted):
    harvest(warehouse, [study("NCT00000001", first_posted=first_posted, sites=["Brazil"])],
            cutoff=cutoff, cutoff_total=int(counted))
    assert warehouse.rows("select first_post_date::varchar from core.ctgov_study") == [
        ({4: f"{first_posted}-01-01", 7: f"{first_posted}-01"}.get(len(first_posted),
                                                                   first_posted),)]
    cutoff_rows = warehouse.rows("select country, trials from mart.fig1b_trials_by_country "
                                 "where scope = 'cutoff'")
    assert cutoff_rows == ([("Brazil", 1)] if counted else [])
    assert warehouse.checks_failing() is None


def test_only_members_of_the_query_count(warehouse):
    """core.ctgov_study keeps every study ever harvested; Fig. 1B counts the query's members."""
    harvest(warehouse, [study("NCT00000001", sites=["China"]),
                        study("NCT00000002", sites=["Spain"])])
    later = warehouse.run().query("q")
    later.page("q", "sweep", [study("NCT00000001")]).page("q", "delta", [])
    later.total("q", "current", 1).total("q", "cutoff", 1).build()
    assert warehouse.rows(FIG1B, ["q"]) == both_scopes([("CN", "China", 1)])
    assert warehouse.rows("select count(*) from core.ctgov_study") == [(2,)]
    assert warehouse.checks_failing() is None


def test_each_query_counts_its_own_trials(warehouse):
    run = warehouse.run().query("q").query("r")
    run.page("q", "harvest", [study("NCT00000001", sites=["China"])])
    run.page("r", "harvest", [study("NCT00000001", sites=["China"]),
                              study("NCT00000002", sites=["China"])])
    for query_id, n in (("q", 1), ("r", 2)):
        run.total(query_id, "current", n).total(query_id, "cutoff", n)
    run.build()
    assert warehouse.rows(FIG1B, ["q"]) == both_scopes([("CN", "China", 1)])
    assert warehouse.rows(FIG1B, ["r"]) == both_scopes([("CN", "China", 2)])
    assert warehouse.checks_failing() is None
