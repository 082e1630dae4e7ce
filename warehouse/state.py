"""What the published warehouse knows that the next run's plan depends on (read-only), and the
plan itself: per query, harvest in full, harvest what changed, or leave as published.

A shortcut is only ever taken for a query whose fingerprint (source, every parameter as sent,
cut-off) equals the one the published warehouse was built from (issue 15). A new or edited
query is harvested in full and starts a fresh membership history under its id.
"""

from __future__ import annotations

import json
from array import array
from bisect import bisect_left
from collections.abc import Set as AbcSet
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
    ctgov_members: dict[str, NctIds] = field(default_factory=dict)


class NctIds(AbcSet):
    """A query's members, as a set of NCT ids that takes 4 bytes an id: the 8 digits of each
    NCTnnnnnnnn id in a sorted array, anything else (none is expected) in a frozenset.

    The published members are read before the harvest and live until the run ends, beside
    DuckDB's build; at the registry's 600,000 studies a frozenset of str took ~65 MB of that
    process (issue 14), this takes 2.4 MB. Lookups are a binary search (~1 us)."""

    def __init__(self, ids=()):
        numbers, others = [], set()
        for nct_id in ids:
            if _is_nct(nct_id):
                numbers.append(int(nct_id[3:]))
            else:
                others.add(nct_id)
        self._numbers = array("I", sorted(set(numbers)))
        self._others = frozenset(others)

    @classmethod
    def from_digits(cls, digits: str | None, others) -> NctIds:
        """From the ids' digits concatenated in ascending order (8 a study, no duplicates:
        _MEMBERS_SQL), and the ids of any other shape."""
        ids = cls()
        digits = digits or ""
        ids._numbers = array("I", (int(digits[i : i + 8]) for i in range(0, len(digits), 8)))
        ids._others = frozenset(others or ())
        return ids

    def __contains__(self, nct_id) -> bool:
        if not _is_nct(nct_id):
            return nct_id in self._others
        number = int(nct_id[3:])
        at = bisect_left(self._numbers, number)
        return at < len(self._numbers) and self._numbers[at] == number

    def __iter__(self):
        yield from (f"NCT{number:08d}" for number in self._numbers)
        yield from self._others

    def __len__(self) -> int:
        return len(self._numbers) + len(self._others)

    def __repr__(self) -> str:
        return f"NctIds({len(self)} ids)"


def _is_nct(nct_id) -> bool:
    return (isinstance(nct_id, str) and len(nct_id) == 11 and nct_id.startswith("NCT")
            and nct_id[3:].isascii() and nct_id[3:].isdigit())


# Per query: the digits of its NCTnnnnnnnn members in order, as one string (no tuple or str
# object per member on the way), and its members of any other shape.
_MEMBERS_SQL = """
select query_id,
       string_agg(distinct substr(nct_id, 4), '' order by substr(nct_id, 4))
           filter (where regexp_full_match(nct_id, 'NCT[0-9]{8}')),
       list(distinct nct_id) filter (where not regexp_full_match(nct_id, 'NCT[0-9]{8}'))
from core.ctgov_query_match
where nct_id is not null
group by query_id
"""


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
            state.ctgov_members = {
                query_id: NctIds.from_digits(digits, others)
                for query_id, digits, others in con.execute(_MEMBERS_SQL).fetchall()
            }
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
