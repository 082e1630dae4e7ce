"""Building a run's warehouse: migrate, run the models in order, check.

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

log = logging.getLogger("review.warehouse")
MIGRATIONS = Path(__file__).with_name("migrations.sql")
RETENTION = Path(__file__).with_name("retention.sql")


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


def prune_raw(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(RETENTION.read_text(encoding="utf-8"))


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


def drop_build_views(con: duckdb.DuckDBPyConnection) -> None:
    """Staging views read this run's variables; published, they would read as empty."""
    for (name,) in con.execute(
        "select view_name from duckdb_views() where schema_name = 'staging' "
        "and database_name = current_database()"
    ).fetchall():
        con.execute(f"drop view staging.{name}")


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


def _strip_trailing_semicolon(sql: str) -> str:
    return sql.strip().rstrip(";")
