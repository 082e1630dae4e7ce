"""A country spelling nobody knows reaches the warehouse as itself: NULL code, raw name, its own
row in Fig. 1B, and a line in warehouse.build.unknown_country_spellings. The models run through
warehouse.build.run_models on an in-memory DuckDB, as a build runs them."""

from __future__ import annotations

import json

import duckdb
import pytest

from flows.settings import DEFAULT_SPEC, PROJECT_ROOT, load_settings
from transform.dag import Dag
from warehouse import build as wh
from warehouse.db import SCHEMAS

# The chain from a study's sites to the paper's Fig. 1B; core.ctgov_study and
# core.ctgov_query_scope are given as rows, the rest is the models' own SQL.
MODELS = ("core.ctgov_location", "mart.trials_by_country", "mart.fig1b_trials_by_country")


@pytest.fixture(scope="module")
def dag() -> Dag:
    settings = load_settings(PROJECT_ROOT / DEFAULT_SPEC, env={})
    return wh.model_dag(settings.model_dirs, settings.curated)


@pytest.fixture
def con(dag):
    con = duckdb.connect()
    for schema in SCHEMAS:
        con.execute(f"create schema if not exists {schema}")
    wh.migrate(con, dag)
    wh.prepare(con, wh.BuildParams(run_id="20261201T020000-test", run_seq=1,
                                   run_at="2026-12-01T02:00:00+00:00", cutoff="2022-04-29",
                                   data_timestamp="2026-12-01T09:00:06"))
    con.execute("create table core.ctgov_study (nct_id varchar, record json)")
    con.execute("create table core.ctgov_query_scope "
                "(query_id varchar, scope varchar, nct_id varchar)")
    yield con
    con.close()


def add_study(con, nct_id: str, countries: list[str]) -> None:
    """A study whose sites name these countries, matching query q1 now."""
    locations = [{"facility": f"Site {i}", "city": "City", "country": c}
                 for i, c in enumerate(countries)]
    record = {"protocolSection": {"identificationModule": {"nctId": nct_id},
                                  "contactsLocationsModule": {"locations": locations}}}
    con.execute("insert into core.ctgov_study values (?, ?)", [nct_id, json.dumps(record)])
    con.execute("insert into core.ctgov_query_scope values ('q1', 'current', ?)", [nct_id])


def build(con, dag: Dag) -> None:
    wh.run_models(con, Dag([dag.model(relation) for relation in MODELS]))


def test_unknown_spelling_lands_with_null_code_and_its_raw_name(con, dag):
    # "New Guinea" is an island of two countries; a fuzzy match made it Papua New Guinea
    add_study(con, "NCT00000001", ["New Guinea", "China"])
    build(con, dag)
    rows = con.execute("""select country_raw, country_code, country from core.ctgov_location
                          order by country_raw""").fetchall()
    assert rows == [("China", "CN", "China"), ("New Guinea", None, "New Guinea")]


def test_old_spelling_lands_under_its_iso_code(con, dag):
    add_study(con, "NCT00000002", ["Zaire", "Netherlands Antilles"])
    build(con, dag)
    rows = con.execute("""select country_raw, country_code from core.ctgov_location
                          order by country_raw""").fetchall()
    assert rows == [("Netherlands Antilles", "AN"), ("Zaire", "CD")]


def test_fig1b_counts_an_unknown_spelling_as_its_own_row(con, dag):
    add_study(con, "NCT00000001", ["New Guinea", "China", "China"])
    add_study(con, "NCT00000002", ["Republic of Atlantis"])
    add_study(con, "NCT00000003", ["New Guinea"])
    add_study(con, "NCT00000004", ["Zaire"])
    build(con, dag)
    rows = con.execute("""select country_code, country, trials
                          from mart.fig1b_trials_by_country
                          where query_id = 'q1' and scope = 'current'
                          order by country""").fetchall()
    assert rows == [
        ("CN", "China", 1),
        ("CD", "Congo, The Democratic Republic of the", 1),
        (None, "New Guinea", 2),
        (None, "Republic of Atlantis", 1),
    ]
    # none of them fell to 'Unknown', the row of trials that name no country at all
    assert all(country != "Unknown" for _, country, _ in rows)


def test_unknown_country_spellings_lists_each_once_sorted(con, dag):
    add_study(con, "NCT00000001", ["New Guinea", "China", "Republic of Atlantis"])
    add_study(con, "NCT00000002", ["New Guinea", "Zaire", "Former Yugoslavia"])
    build(con, dag)
    assert wh.unknown_country_spellings(con) == ["New Guinea", "Republic of Atlantis"]


def test_prepare_lands_every_spelling_row_as_given(con):
    # prepare() inserts the three columns as lists zipped by unnest; a misaligned zip would
    # pair a spelling with another country's code
    from transform.countries import spelling_rows

    landed = con.execute("select spelling, country_code, country from core.country_spelling "
                         "order by spelling").fetchall()
    assert landed == sorted(spelling_rows())
