"""Fast SQL tests, github-to-sqlite style: an in-memory DuckDB, migrated; records landed
through the real landing zone and loader; the run's parameters set as data; the models run in
their derived order; rows asserted. No HTTP, no Prefect, a few hundred milliseconds a test.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote_plus

import duckdb
import pytest

# The record builders live in a module of their own: a test file imports them from there,
# because `from conftest import ...` picks whichever folder's conftest pytest loaded first
# when one session collects several test folders. Re-exported here for older imports.
from sql_records import fixture_study, pubmed_record, study  # noqa: F401

from extract.ctgov import StudiesPage
from extract.eutils import SearchResult
from extract.http import RawResponse
from flows.settings import (
    DEFAULT_SPEC,
    PROJECT_ROOT,
    QueryFingerprint,
    load_settings,
    query_fingerprint,
)
from warehouse import build as wh
from warehouse import load
from warehouse.db import SCHEMAS
from warehouse.landing import LandingZone

CUTOFF = "2022-04-29"


def _raw(url: str = "http://127.0.0.1/api/v2/studies") -> RawResponse:
    return RawResponse(url, 200, "application/json", b"{}", datetime.now(UTC))


EUTILS = "http://127.0.0.1/entrez/eutils"


def _search(term: str, count: int, translation: str, url: str) -> SearchResult:
    raw = RawResponse(url, 200, "application/json", b"{}", datetime.now(UTC))
    return SearchResult(term, count, translation, [], [], None, None, raw)


@dataclass
class Run:
    """One run's landing zone: what a harvest would have saved, then loaded and built."""

    warehouse: SqlWarehouse
    run_id: str
    run_seq: int
    data_timestamp: str
    cutoff: str
    landing: LandingZone
    queries: list[QueryFingerprint] = field(default_factory=list)
    _pages: dict = field(default_factory=dict)

    def query(self, query_id: str, source: str = "ctgov", **definition) -> Run:
        definition = definition or {"query.term": f"{query_id} terms"}
        fingerprint = query_fingerprint(source, definition, datetime.fromisoformat(self.cutoff))
        self.queries.append(QueryFingerprint(source, query_id, definition, fingerprint))
        return self

    def page(self, query_id: str, purpose: str, studies: list[dict]) -> Run:
        """A /studies page; `sweep` pages carry ids only, as `fields=NCTId` answers."""
        if purpose == "sweep":
            studies = [{"protocolSection": {"identificationModule": {
                "nctId": s["protocolSection"]["identificationModule"]["nctId"]}}}
                for s in studies]
        key = (query_id, purpose)
        self._pages[key] = self._pages.get(key, 0) + 1
        page = StudiesPage(_raw(), self._pages[key], {}, studies, None, None)
        self.landing.save_ctgov_page(query_id, purpose, page, self.data_timestamp)
        return self

    def total(self, query_id: str, scope: str, total: int) -> Run:
        self.landing.save_ctgov_total(query_id, scope, total, _raw())
        return self

    def pubmed(self, query_id: str, records: list[dict], *, term: str | None = None,
               translation: str | None = None) -> Run:
        """What a PubMed harvest of one query lands: its `current` and `cutoff` searches, their
        per-year [dp] counts from the first year to the last (counted from the records as
        PubMed counts [dp]: each in its dedup_year and, if its electronic date (article_date)
        falls in another year, in that year too; shared/reference/README.md "Dates"), and one
        efetch batch of the records."""
        term = term or f"{query_id} terms"
        cut = f"({term}) AND 1800/01/01:{self.cutoff.replace('-', '/')}[crdt]"
        by_cutoff = [r for r in records if (r.get("create_date") or "9") <= self.cutoff]
        for scope, sent, found in (("current", term, records), ("cutoff", cut, by_cutoff)):
            url = f"{EUTILS}/esearch.fcgi?db=pubmed&term={quote_plus(sent)}&retmode=json"
            self.landing.save_pubmed_search(query_id, scope, _search(
                sent, len(found), translation or f"{sent}[All Fields]", url))
            years = [y for r in found for y in _dp_years(r)]
            for year in range(min(years, default=0), max(years, default=-1) + 1):  # no gaps
                in_year = years.count(year)
                self.landing.save_pubmed_year_count(query_id, scope, year, _search(
                    f"({sent}) AND {year}:{year}[dp]", in_year, "", url))
        raw = RawResponse(f"{EUTILS}/efetch.fcgi?db=pubmed", 200, "text/xml",
                          b"<PubmedArticleSet/>", datetime.now(UTC))
        self.landing.save_pubmed_articles(query_id, 1, raw, records)
        return self

    def build(self, *, max_total_drop: float = 0.05, accept_drop: bool = False) -> SqlWarehouse:
        con = self.warehouse.con
        _forget_python_functions(con)
        run_at = f"2026-12-{self.run_seq:02d}T02:00:00+00:00"  # the time its run_id names
        wh.prepare(con, wh.BuildParams(self.run_id, self.run_seq, run_at, self.cutoff,
                                       self.data_timestamp, max_total_drop, accept_drop))
        wh.land_spec(con, self.run_id, self.queries, self.cutoff)
        load.load_ctgov_landing(con, self.landing, self.run_id)
        load.load_pubmed_landing(con, self.landing, self.run_id)
        load.load_curated(con, self.warehouse.settings.curated)
        wh.run_models(con, self.warehouse.dag)
        con.execute("insert into ops.published_run values (?, ?, now(), 'all', ?)",
                    [self.run_id, self.run_seq, self.data_timestamp])
        return self.warehouse


def _dp_years(record: dict) -> set[int]:
    """The years PubMed's [dp] counts a record in: its issue's (dedup_year) and its electronic
    date's. (A record without an issue year has its dedup_year from that electronic date.)"""
    years = {record.get("dedup_year")}
    if record.get("article_date"):
        years.add(int(record["article_date"][:4]))
    return {y for y in years if y}


def _forget_python_functions(con: duckdb.DuckDBPyConnection) -> None:
    """wh.prepare registers the models' Python helpers on its connection, and a flow gives each
    build a connection of its own; here one connection builds run after run."""
    with contextlib.suppress(duckdb.Error):  # the first build: nothing registered yet
        con.remove_function("iso_country")


@dataclass
class SqlWarehouse:
    con: duckdb.DuckDBPyConnection
    dag: object
    root: Path
    settings: object  # the default review's (its curated tables and its own models)
    runs: int = 0

    def run(self, *, cutoff: str = CUTOFF, data_timestamp: str | None = None) -> Run:
        self.runs += 1
        run_id = f"2026120{self.runs}T020000-test{self.runs:02d}"
        stamp = data_timestamp or f"2026-12-0{self.runs}T09:00:06"
        return Run(self, run_id, self.runs, stamp, cutoff,
                   LandingZone(self.root / run_id))

    def rows(self, sql: str, params: list | None = None) -> list[tuple]:
        return self.con.execute(sql, params or []).fetchall()

    def checks_failing(self) -> str | None:
        try:
            wh.run_checks(self.con, self.dag)
        except wh.CheckFailed as exc:
            return str(exc)
        return None


@pytest.fixture(scope="session")
def review_settings():
    """The default review (reviews/msc_liver): the engine's models plus its own."""
    return load_settings(PROJECT_ROOT / DEFAULT_SPEC, env={})


@pytest.fixture(scope="session")
def model_dag(review_settings):
    return wh.model_dag(review_settings.model_dirs, review_settings.curated)


@pytest.fixture
def warehouse(tmp_path, model_dag, review_settings) -> SqlWarehouse:
    con = duckdb.connect()
    for schema in SCHEMAS:
        con.execute(f"create schema if not exists {schema}")
    wh.migrate(con, model_dag)
    yield SqlWarehouse(con, model_dag, tmp_path, review_settings)
    con.close()
