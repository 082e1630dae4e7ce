"""What the published warehouse knows that the next run's plan depends on (read-only), and the
plan itself: per query, harvest in full, harvest what changed, or leave as published.

A shortcut is only ever taken for a query whose fingerprint (source, every parameter as sent,
cut-off) equals the one the published warehouse was built from (issue 15). A new or edited
query is harvested in full and starts a fresh membership history under its id.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from warehouse.db import connect_read_only


@dataclass(frozen=True)
class PublishedQuery:
    fingerprint: str
    definition: dict
    run_id: str  # the run that last harvested it under this fingerprint


@dataclass
class PublishedState:
    run_seq: int = 0
    ctgov_data_timestamp: str | None = None
    queries: dict[tuple[str, str], PublishedQuery] = field(default_factory=dict)
    spec_queries: set[tuple[str, str]] = field(default_factory=set)  # the published spec's
    ctgov_members: dict[str, frozenset[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class QueryPlan:
    query_id: str
    mode: str  # full, incremental, unchanged
    reason: str  # one line, for the log, the ledger and the run summary


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
        if _exists(con, "core", "query_harvest"):
            # the wording each query was last searched with (not merely what the spec said
            # then: a `--source pubmed` run does not search an edited CT.gov query)
            for source, query_id, fingerprint, definition, run_id in con.execute(
                "select source, query_id, fingerprint, definition, run_id "
                "from core.query_harvest where fingerprint is not null "
                "qualify row_number() over (partition by source, query_id "
                "order by run_id desc) = 1"
            ).fetchall():
                state.queries[(source, query_id)] = PublishedQuery(
                    fingerprint, json.loads(definition), run_id
                )
        if _exists(con, "core", "review_query"):
            state.spec_queries = set(
                con.execute("select source, query_id from core.review_query").fetchall()
            )
        if _exists(con, "core", "ctgov_query_match"):
            members: dict[str, set[str]] = {}
            for query_id, nct_id in con.execute(
                "select query_id, nct_id from core.ctgov_query_match"
            ).fetchall():
                members.setdefault(query_id, set()).add(nct_id)
            state.ctgov_members = {q: frozenset(ids) for q, ids in members.items()}
        return state
    finally:
        con.close()


def plan_ctgov_queries(
    fingerprints, state: PublishedState, data_timestamp: str, full: bool
) -> list[QueryPlan]:
    """Per CT.gov query of the spec: what this run must fetch, and why, in one line."""
    plans = []
    for fp in fingerprints:
        if fp.source != "ctgov":
            continue
        published = state.queries.get(("ctgov", fp.query_id))
        if full:
            plans.append(QueryPlan(fp.query_id, "full", "--full asked, full harvest"))
        elif published is None:
            plans.append(QueryPlan(fp.query_id, "full", "new query, full harvest"))
        elif published.fingerprint != fp.fingerprint:
            what = changed_keys(published.definition, fp.definition) or "review.cutoff"
            plans.append(QueryPlan(fp.query_id, "full", f"query changed since run "
                                   f"{published.run_id} ({what}), full harvest"))
        elif state.ctgov_data_timestamp is None:
            plans.append(QueryPlan(fp.query_id, "full", "no registry snapshot published yet, "
                                   "full harvest"))
        elif state.ctgov_data_timestamp == data_timestamp:
            plans.append(QueryPlan(fp.query_id, "unchanged",
                                   f"registry unchanged since {data_timestamp}, nothing to fetch"))
        else:
            since = state.ctgov_data_timestamp[:10]
            plans.append(QueryPlan(fp.query_id, "incremental",
                                   f"id listing, and records updated since {since}"))
    return plans


def removed_queries(fingerprints, state: PublishedState, source: str) -> list[str]:
    """Queries the published warehouse holds that the spec no longer has."""
    wanted = {fp.query_id for fp in fingerprints if fp.source == source}
    return sorted(qid for src, qid in state.spec_queries if src == source and qid not in wanted)


def changed_keys(before: dict, after: dict) -> str:
    keys = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
    return ", ".join(keys)


def changed_since(state: PublishedState) -> date:
    return date.fromisoformat(state.ctgov_data_timestamp[:10])


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
