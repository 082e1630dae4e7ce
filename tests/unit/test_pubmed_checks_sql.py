"""PubMed's per-year searches are held to the totals' standard (issue 11): their ErrorList and
WarningList reach raw.pubmed_year_count, a dropped term in any of them fails the run, and no
year's [dp] count may be below that year's deduplicated records.

An in-memory DuckDB, migrated; searches, year counts and articles landed through the real
landing zone and loader; the models up to mart.publications_by_year run as a build runs them;
then each check's SQL, which must return rows for the bad case and none for the good one."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import duckdb
import pytest

from extract.eutils import SearchResult
from extract.http import RawResponse
from flows.settings import DEFAULT_SPEC, PROJECT_ROOT, load_settings
from transform.dag import Dag, load_checks
from warehouse import build as wh
from warehouse import load
from warehouse.db import SCHEMAS
from warehouse.landing import LandingZone

RUN_ID = "20261201T020000-test01"
TERM = "mesenchymal stem cell AND liver [Title]"
DROPPED = 'QuotedPhraseNotFound: "stromal vascular"'


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
    wh.prepare(con, wh.BuildParams(run_id=RUN_ID, run_seq=1,
                                   run_at="2026-12-01T02:00:00+00:00", cutoff="2022-04-29",
                                   data_timestamp=None))
    con.execute("insert into raw.spec_query values (?, 'pubmed', 'q1', 'fp1', '{}', ?)",
                [RUN_ID, "2022-04-29"])
    yield con
    con.close()


@pytest.fixture
def landing(tmp_path) -> LandingZone:
    return LandingZone(tmp_path / RUN_ID)


def result(count: int, term: str = TERM, errors=(), warnings=()) -> SearchResult:
    raw = RawResponse("http://127.0.0.1/entrez/eutils/esearch.fcgi", 200, "application/json",
                      b"{}", datetime.now(UTC))
    return SearchResult(term, count, f"({term})", list(warnings), list(errors), None, None, raw)


def land_query(landing, year_counts: dict[int, int], articles: dict[int, int],
               year_errors: dict[int, list] | None = None) -> None:
    """Query q1 in both scopes: its total, its [dp] count per year, and `articles[year]`
    records whose journal issue is of that year (all created before the cut-off)."""
    total = sum(articles.values())
    for scope in ("current", "cutoff"):
        landing.save_pubmed_search("q1", scope, result(total))
        for year, count in year_counts.items():
            errors = (year_errors or {}).get(year, [])
            landing.save_pubmed_year_count("q1", scope, year,
                                           result(count, f"({TERM}) AND {year}:{year}[dp]",
                                                  errors))
    parsed = [{"pmid": f"{year}{i:04d}", "pub_year": year, "dedup_year": year,
               "create_date": f"{min(year, 2021)}-01-15", "article_date": None}
              for year, n in articles.items() for i in range(n)]
    landing.save_pubmed_articles("q1", 1, result(0).raw, parsed)


def build(con, dag: Dag, landing) -> None:
    """Load the landing, then every model mart.publications_by_year reads, in build order."""
    load.load_pubmed_landing(con, landing, RUN_ID)
    needed, todo = set(), ["mart.publications_by_year"]
    while todo:
        relation = todo.pop()
        if relation not in needed and dag.model(relation):
            needed.add(relation)
            todo += dag.model(relation).inputs
    wh.run_models(con, Dag([m for m in dag.models if m.relation in needed]))


def check_rows(con, name: str) -> list[tuple]:
    sql = dict(load_checks())[name]
    return con.execute(sql.strip().rstrip(";")).fetchall()


# --- loading -------------------------------------------------------------------------


def test_year_count_errors_and_warnings_are_loaded(con, dag, landing):
    land_query(landing, {2020: 3}, {2020: 3}, year_errors={2020: [DROPPED]})
    build(con, dag, landing)
    rows = con.execute("""select scope, errors, warnings from raw.pubmed_year_count
                          where run_id = ? order by scope""", [RUN_ID]).fetchall()
    assert [(s, json.loads(e), json.loads(w)) for s, e, w in rows] == [
        ("current", [DROPPED], []), ("cutoff", [DROPPED], [])]


def test_existing_warehouse_migrates_and_keeps_old_rows_null(dag):
    """A warehouse made before these columns: the migration adds them, old rows stay NULL."""
    con = duckdb.connect()
    for schema in SCHEMAS:
        con.execute(f"create schema if not exists {schema}")
    con.execute("""create table raw.pubmed_year_count (run_id varchar not null,
                   query_id varchar not null, scope varchar not null, year integer not null,
                   term varchar not null, count bigint not null, query_translation varchar,
                   url varchar not null, fetched_at timestamptz not null)""")
    con.execute("insert into raw.pubmed_year_count values "
                "('old', 'q1', 'current', 2020, 't', 4, 't', 'u', now())")
    wh.migrate(con, dag)
    wh.migrate(con, dag)  # idempotent
    assert con.execute("select count, warnings, errors from raw.pubmed_year_count"
                       ).fetchall() == [(4, None, None)]


# --- pubmed_searches_without_errors ---------------------------------------------------


def test_a_dropped_term_in_a_year_search_fails_the_run(con, dag, landing):
    land_query(landing, {2019: 1, 2020: 3}, {2019: 1, 2020: 3}, year_errors={2020: [DROPPED]})
    build(con, dag, landing)
    # an older run's rows (loaded before the columns existed: NULL) are not this run's
    con.execute("""insert into raw.pubmed_year_count (run_id, query_id, scope, year, term,
                   count, url, fetched_at) values ('older', 'q1', 'current', 2018, 't', 0,
                   'u', now())""")
    rows = check_rows(con, "pubmed_searches_without_errors")
    assert sorted((r[1], r[2]) for r in rows) == [("current", 2020), ("cutoff", 2020)]
    assert all(json.loads(r[4]) == [DROPPED] for r in rows)


def test_warnings_alone_pass_and_are_kept(con, dag, landing):
    """PubMed's WarningList (e.g. an ignored stop word) does not change what is counted."""
    notice = "PhraseIgnored: and"
    land_query(landing, {2019: 1, 2020: 3}, {2019: 1, 2020: 3})
    landing.save_pubmed_year_count("q1", "current", 2021,
                                   result(0, f"({TERM}) AND 2021:2021[dp]", warnings=[notice]))
    build(con, dag, landing)
    assert check_rows(con, "pubmed_searches_without_errors") == []
    kept = con.execute("select warnings from raw.pubmed_year_count where year = 2021").fetchone()
    assert json.loads(kept[0]) == [notice]


# --- pubmed_year_counts_cover_dedup ---------------------------------------------------


def test_year_counts_at_or_above_dedup_pass(con, dag, landing):
    # 2021's [dp] count is above its issue-year records: some carry an electronic date then
    land_query(landing, {2020: 2, 2021: 5}, {2020: 2, 2021: 3})
    build(con, dag, landing)
    assert check_rows(con, "pubmed_year_counts_cover_dedup") == []


def test_a_year_count_below_dedup_fails_the_run(con, dag, landing):
    land_query(landing, {2020: 2, 2021: 1}, {2020: 2, 2021: 3})
    build(con, dag, landing)
    rows = check_rows(con, "pubmed_year_counts_cover_dedup")
    assert rows == [("q1", "current", 2021, 1, 3), ("q1", "cutoff", 2021, 1, 3)]


def test_a_year_with_records_but_no_count_fails_the_run(con, dag, landing):
    """A year PubMed was never asked about (or whose answer was lost) would chart as 0."""
    land_query(landing, {2020: 2}, {2020: 2, 2021: 3})
    build(con, dag, landing)
    rows = check_rows(con, "pubmed_year_counts_cover_dedup")
    assert rows == [("q1", "current", 2021, None, 3), ("q1", "cutoff", 2021, None, 3)]
