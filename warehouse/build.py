"""Building a run's warehouse: migrate, load the landing zone into raw, run the models, check.

All of it happens on the build file (warehouse.publish); the published file is never opened
for writing. The SQL lives in transform/ (models, checks, macros) and in migrations.sql here.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import duckdb

from transform.countries import iso_country
from transform.dag import MACROS_FILE, load_checks, load_models
from warehouse.landing import LandingZone

log = logging.getLogger("review.warehouse")
MIGRATIONS = Path(__file__).with_name("migrations.sql")
MAX_JSON_OBJECT = 64 * 1024 * 1024  # the largest study is ~3.6 MB; DuckDB's default cap is 16 MB


class CheckFailed(Exception):
    """A data check found rows; the run fails before publishing. The message lists them."""


@dataclass(frozen=True)
class RunVars:
    run_id: str
    run_seq: int
    run_at: str  # ISO timestamp
    cutoff: str  # YYYY-MM-DD
    data_timestamp: str | None  # the CT.gov dataTimestamp of this run, if it harvested


def migrate(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(MIGRATIONS.read_text(encoding="utf-8"))


def prepare(con: duckdb.DuckDBPyConnection, run: RunVars) -> None:
    """Session state the models read: run variables, macros, the Python helper functions."""
    for name in ("run_id", "run_at", "cutoff", "data_timestamp"):
        value = getattr(run, name)
        con.execute(f"set variable {name} = ?", [value])
    con.execute("set variable run_seq = ?", [run.run_seq])
    con.create_function(
        "iso_country",
        iso_country,
        ["VARCHAR"],
        duckdb.struct_type({"code": "VARCHAR", "name": "VARCHAR"}),
        null_handling="special",
        side_effects=False,
    )
    con.execute(MACROS_FILE.read_text(encoding="utf-8"))


def load_ctgov_landing(con: duckdb.DuckDBPyConnection, landing: LandingZone, run_id: str) -> int:
    """Copy this run's CT.gov files into raw.*; returns the number of study records loaded."""
    if landing.has("ctgov_version.jsonl"):
        con.execute(
            """insert into raw.ctgov_version
               select ?, apiVersion, dataTimestamp, url, fetched_at
               from read_json(?, format = 'newline_delimited')""",
            [run_id, str(landing.path("ctgov_version.jsonl"))],
        )
    if landing.has("ctgov_totals.jsonl"):
        con.execute(
            """insert into raw.ctgov_total
               select ?, query_id, scope, total, url, fetched_at
               from read_json(?, format = 'newline_delimited')""",
            [run_id, str(landing.path("ctgov_totals.jsonl"))],
        )
    if not landing.has("ctgov_pages.jsonl"):
        return 0
    con.execute(
        """insert into raw.ctgov_page
           select ?, query_id, purpose, page_no, file_name, n_studies, total_count,
                  next_page_token, data_timestamp, url, fetched_at, bytes
           from read_json(?, format = 'newline_delimited', columns = {
               query_id: 'varchar', purpose: 'varchar', page_no: 'integer',
               file_name: 'varchar', n_studies: 'integer', total_count: 'bigint',
               next_page_token: 'varchar', data_timestamp: 'varchar', url: 'varchar',
               fetched_at: 'timestamptz', bytes: 'bigint'})""",
        [run_id, str(landing.path("ctgov_pages.jsonl"))],
    )
    if not landing.has("ctgov_studies"):
        return 0
    before = _count(con, "raw.ctgov_study", run_id)
    con.execute(
        f"""insert into raw.ctgov_study
            select ?, parts[1], parts[2], cast(parts[3] as integer),
                   json ->> '$.protocolSection.identificationModule.nctId', json
            from (
                select string_split(parse_filename(filename, true), '.') as parts, json
                from read_ndjson_objects(?, filename = true,
                                         maximum_object_size = {MAX_JSON_OBJECT})
            )""",
        [run_id, str(landing.path("ctgov_studies") / "*.ndjson")],
    )
    return _count(con, "raw.ctgov_study", run_id) - before


def run_models(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Materialize every model in the declared order; rows written per model."""
    written = {}
    for model in load_models():
        body = _strip_trailing_semicolon(model.sql)
        if model.materialized == "view":
            con.execute(f"create or replace view {model.relation} as\n{body}")
            continue
        if model.materialized == "incremental":
            before = con.execute(f"select count(*) from {model.relation}").fetchone()[0]
            con.execute(f"insert into {model.relation} by name\n{body}")
            after = con.execute(f"select count(*) from {model.relation}").fetchone()[0]
            written[model.relation] = after - before
            continue
        con.execute(f"create or replace table {model.relation} as\n{body}")
        written[model.relation] = con.execute(
            f"select count(*) from {model.relation}"
        ).fetchone()[0]
    return written


def run_checks(con: duckdb.DuckDBPyConnection) -> None:
    """Every check query must return no rows; all failures are reported together."""
    failures = []
    for name, sql in load_checks():
        rows = con.execute(_strip_trailing_semicolon(sql)).fetchall()
        if rows:
            shown = "; ".join(str(tuple(r)) for r in rows[:5])
            more = f" (+{len(rows) - 5} more)" if len(rows) > 5 else ""
            failures.append(f"{name}: {shown}{more}")
    if failures:
        raise CheckFailed("data checks failed: " + " | ".join(failures))


def _count(con, table: str, run_id: str) -> int:
    return con.execute(f"select count(*) from {table} where run_id = ?", [run_id]).fetchone()[0]


def _strip_trailing_semicolon(sql: str) -> str:
    return sql.strip().rstrip(";")
