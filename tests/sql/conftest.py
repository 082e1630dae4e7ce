"""Fast SQL tests, github-to-sqlite style: an in-memory DuckDB, migrated; records landed
through the real landing zone and loader; the run's parameters set as data; the models run in
their derived order; rows asserted. No HTTP, no Prefect, a few hundred milliseconds a test.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from extract.ctgov import StudiesPage
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

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
CUTOFF = "2022-04-29"


def fixture_study(name: str = "NCT02552212") -> dict:
    """A real study record (tests/fixtures/ctgov, from AACT's test data), a private copy."""
    return json.loads((FIXTURES / "ctgov" / f"{name}.json").read_text(encoding="utf-8"))


def study(nct_id: str, *, first_posted: str = "2020-01-15", sites: list | None = None,
          status: str = "RECRUITING", base: str = "NCT02552212") -> dict:
    """A real record re-labelled: its id, first-posted date, status and sites replaced.
    `sites` is a list of country names (None in the list: a site without a country)."""
    record = copy.deepcopy(fixture_study(base))
    protocol = record["protocolSection"]
    protocol["identificationModule"]["nctId"] = nct_id
    protocol["statusModule"]["studyFirstPostDateStruct"] = {"date": first_posted, "type": "ACTUAL"}
    protocol["statusModule"]["overallStatus"] = status
    if sites is not None:
        locations = [{"facility": f"Site {i}", "city": "City"} | ({"country": c} if c else {})
                     for i, c in enumerate(sites)]
        protocol.setdefault("contactsLocationsModule", {})["locations"] = locations
    return record


def _raw(url: str = "http://127.0.0.1/api/v2/studies") -> RawResponse:
    return RawResponse(url, 200, "application/json", b"{}", datetime.now(UTC))


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

    def build(self) -> SqlWarehouse:
        con = self.warehouse.con
        wh.prepare(con, wh.BuildParams(self.run_id, self.run_seq, "2026-12-01T02:00:00+00:00",
                                       self.cutoff, self.data_timestamp))
        wh.land_spec(con, self.run_id, self.queries, self.cutoff)
        load.load_ctgov_landing(con, self.landing, self.run_id)
        load.load_pubmed_landing(con, self.landing, self.run_id)
        load.load_curated(con, self.warehouse.settings.curated)
        wh.run_models(con, self.warehouse.dag)
        con.execute("insert into ops.published_run values (?, ?, now(), 'all', ?)",
                    [self.run_id, self.run_seq, self.data_timestamp])
        return self.warehouse


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
