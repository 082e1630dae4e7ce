"""What the published warehouse knows that the next run's plan depends on (read-only)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from warehouse.db import connect_read_only


@dataclass
class PublishedState:
    run_seq: int = 0
    ctgov_data_timestamp: str | None = None
    ctgov_known_ids: dict[str, set[str]] = field(default_factory=dict)
    ctgov_watermarks: dict[str, date] = field(default_factory=dict)


def read_published_state(db_path: Path) -> PublishedState:
    if not db_path.exists():
        return PublishedState()
    con = connect_read_only(db_path)
    try:
        state = PublishedState()
        state.run_seq = con.execute(
            "select coalesce(max(run_seq), 0) from ops.published_run"
        ).fetchone()[0]
        row = con.execute(
            "select ctgov_data_timestamp from ops.published_run "
            "where ctgov_data_timestamp is not null order by run_seq desc limit 1"
        ).fetchone()
        state.ctgov_data_timestamp = row[0] if row else None
        if _exists(con, "core", "ctgov_query_match"):
            for query_id, nct_id in con.execute(
                "select query_id, nct_id from core.ctgov_query_match"
            ).fetchall():
                state.ctgov_known_ids.setdefault(query_id, set()).add(nct_id)
            for query_id, watermark in con.execute(
                """select m.query_id, max(s.last_update_post_date)
                   from core.ctgov_query_match m join core.ctgov_study s using (nct_id)
                   group by m.query_id"""
            ).fetchall():
                state.ctgov_watermarks[query_id] = watermark
        return state
    finally:
        con.close()


def _exists(con, schema: str, table: str) -> bool:
    return bool(
        con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = ? and table_name = ?",
            [schema, table],
        ).fetchone()[0]
    )


def published_run_ids(db_path: Path) -> set[str]:
    """The runs whose data the published file holds (for closing runs that died after it)."""
    if not db_path.exists():
        return set()
    con = connect_read_only(db_path)
    try:
        return {r[0] for r in con.execute("select run_id from ops.published_run").fetchall()}
    finally:
        con.close()
