"""Building a run's warehouse: migrate, run the models in order, check.

All of it happens on the build file (warehouse.publish); the published file is never opened
for writing. The SQL lives in transform/ (models, checks, macros) and in migrations.sql here.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

import duckdb

from transform.countries import spelling_rows
from transform.dag import (
    MACROS_FILE,
    Dag,
    build_dag,
    defined_tables,
    key_checks,
    load_checks,
)
from warehouse.ledger import ledger_path, runs_view_sql

log = logging.getLogger("review.warehouse")
MIGRATIONS = Path(__file__).with_name("migrations.sql")
RETENTION = Path(__file__).with_name("retention.sql")
# Relations the build itself makes, outside the models and migrations.
BUILD_TABLES = {
    "ops.build_params": "the run's parameters (warehouse.build.prepare)",
    "ops.runs": "the run ledger beside the file (warehouse.ledger)",
    "core.country_spelling": "transform/countries.py (warehouse.build.prepare)",
}


class CheckFailed(Exception):
    """A data check found rows; the run fails before publishing. The message lists them."""


class SuddenDrop(CheckFailed):
    """A total fell by more than the spec allows with the query unchanged (ops.total_drop)."""


@dataclass(frozen=True)
class BuildParams:
    """The run's parameters, written as the one-row table ops.build_params: models read it
    there (not session variables), so any model runs as pasted into a plain `duckdb` shell."""

    run_id: str
    run_seq: int
    run_at: str  # ISO timestamp
    cutoff: str  # YYYY-MM-DD
    data_timestamp: str | None  # the CT.gov dataTimestamp the warehouse reflects
    max_total_drop: float = 0.05
    accept_drop: bool = False
    # the dataTimestamp this run harvested (None: it did not harvest CT.gov): what the next
    # run's delta starts from (ops.published_run)
    data_timestamp_published: str | None = None


def prune_raw(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(RETENTION.read_text(encoding="utf-8"))


def prepare(con: duckdb.DuckDBPyConnection, params: BuildParams) -> None:
    """ops.build_params, the country spellings and the macros the models read: all of it
    data in the file, so a model runs as pasted into a plain duckdb shell."""
    con.execute(
        """create or replace table ops.build_params as
           select ?::varchar as run_id, ?::bigint as run_seq, ?::timestamptz as run_at,
                  ?::date as cutoff, ?::timestamp as data_timestamp,
                  now()::timestamptz as built_at, ?::double as max_total_drop,
                  ?::boolean as accept_drop""",
        [params.run_id, params.run_seq, params.run_at, params.cutoff, params.data_timestamp,
         params.max_total_drop, params.accept_drop],
    )
    con.execute("create or replace table core.country_spelling "
                "(spelling varchar primary key, country_code varchar, country varchar)")
    # one statement with three lists, zipped by unnest: executemany inserts row by row, and
    # its 1,188 rows took 1.3 s of every build
    spellings, codes, names = (list(column) for column in zip(*spelling_rows(), strict=True))
    con.execute("insert into core.country_spelling select unnest(?::varchar[]), "
                "unnest(?::varchar[]), unnest(?::varchar[])", [spellings, codes, names])
    con.execute(MACROS_FILE.read_text(encoding="utf-8"))


def land_spec(con: duckdb.DuckDBPyConnection, run_id: str, fingerprints, cutoff: str) -> None:
    """The spec's queries as this run sends them, with their fingerprints (raw.spec_query)."""
    con.executemany(
        "insert into raw.spec_query values (?, ?, ?, ?, ?, ?)",
        [[run_id, fp.source, fp.query_id, fp.fingerprint,
          json.dumps(fp.definition, sort_keys=True), cutoff] for fp in fingerprints],
    )


def record_published_run(con: duckdb.DuckDBPyConnection, params: BuildParams, source: str,
                         db_path: Path) -> None:
    """The build's last writes, then a checkpoint: ops.runs (a view of the run ledger beside
    db_path) and this run's row in ops.published_run, which the next run reads its sequence
    and its CT.gov delta start from. A file that then fails its checks is discarded whole."""
    con.execute(runs_view_sql(ledger_path(db_path)))
    con.execute("insert into ops.published_run values (?, ?, now(), ?, ?)",
                [params.run_id, params.run_seq, source, params.data_timestamp_published])
    con.execute("checkpoint")


def sudden_drops(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Totals that fell by more than the spec's share since the last published run of the same
    query (ops.total_drop); the caller refuses to publish them unless the drop was accepted."""
    cursor = con.execute("select * from ops.total_drop order by source, query_id, scope")
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def describe_drop(drop: dict) -> str:
    return (f"{drop['source']} {drop['query_id']} {drop['scope']} total fell "
            f"{drop['drop_share']:.0%} ({drop['previous_total']} -> {drop['total']}) since run "
            f"{drop['previous_run_id']} with the query unchanged")


def unknown_country_spellings(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The registry's country spellings that transform.countries does not know, sorted: they
    are counted under their raw name with a NULL code, never guessed, and each one listed
    here is a line to add to countries.REGISTRY_SPELLINGS."""
    rows = con.execute(
        """select distinct country_raw from core.ctgov_location
           where country_code is null and country_raw is not null
           order by country_raw"""
    ).fetchall()
    return [row[0] for row in rows]


def model_dag(model_dirs: list[Path] | None = None, curated=()) -> Dag:
    """The models in build order (the engine's, then a review's own), with the relations the
    warehouse defines outside them: migrations, the build's own tables, the curated tables."""
    external = {name: str(MIGRATIONS.name) for name in defined_tables(_migrations_sql())}
    external |= BUILD_TABLES
    external |= {f"curated.{t.name}": f"{t.path} (curated, declared in the spec)"
                 for t in curated}
    return build_dag(external, model_dirs)


def migrate(con: duckdb.DuckDBPyConnection, dag: Dag | None = None) -> None:
    """The raw, curated and ops tables, then each incremental model's own table."""
    con.execute(_migrations_sql())
    for model in (dag or model_dag()).models:
        if model.ddl:
            con.execute(model.ddl)


def run_models(con: duckdb.DuckDBPyConnection, dag: Dag | None = None) -> dict[str, int]:
    """Materialize every model in build order; rows written per model."""
    written = {}
    for model in (dag or model_dag()).models:
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


def run_checks(con: duckdb.DuckDBPyConnection, dag: Dag | None = None) -> None:
    """Every check query must return no rows; all failures are reported together. The checks
    are transform/checks/*.sql and one per key each model declares (unique, not_null)."""
    failures = []
    for name, sql in load_checks() + key_checks((dag or model_dag()).models):
        rows = con.execute(_strip_trailing_semicolon(sql)).fetchall()
        if rows:
            shown = "; ".join(str(tuple(r)) for r in rows[:5])
            more = f" (+{len(rows) - 5} more)" if len(rows) > 5 else ""
            failures.append(f"{name}: {shown}{more}")
    if failures:
        raise CheckFailed("data checks failed: " + " | ".join(failures))


def _migrations_sql() -> str:
    return MIGRATIONS.read_text(encoding="utf-8")


def _strip_trailing_semicolon(sql: str) -> str:
    return sql.strip().rstrip(";")
