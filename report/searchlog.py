"""What PRISMA-S asks a methods section to report about each search of a run (`review
searchlog`), read from mart.search_log and written as markdown or CSV.

PRISMA-S: Rethlefsen ML et al., "PRISMA-S: an extension to the PRISMA Statement for Reporting
Literature Searches in Systematic Reviews", Syst Rev 2021;10:39. The items used here: 1 database
name and platform, 3 study registries, 8 full search strategies "exactly as run", 9 limits and
restrictions, 12 updates, 13 dates of searches, 16 deduplication.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from typing import TextIO

import duckdb

SCOPES = {"current": "all records now", "cutoff": "records up to the review's cut-off"}


class RunNotFound(ValueError):
    """--run names no published run (a usage error), or the warehouse has none yet."""


@dataclass(frozen=True)
class Search:
    """One row of mart.search_log."""

    run_id: str
    searched_at: datetime
    source: str
    database: str
    interface: str
    query_id: str
    scope: str
    query: str
    translation: str | None
    total: int
    url: str
    limits: str | None
    fingerprint: str | None
    previous_run_id: str | None


COLUMNS = tuple(f.name for f in fields(Search))


@dataclass
class SearchLog:
    run_id: str
    published_at: datetime
    searches: list[Search]  # the searches this run sent
    # the present spec's queries this run did not search, as last searched before it (a night
    # on which ClinicalTrials.gov had not changed searches PubMed only)
    earlier: list[Search] = field(default_factory=list)


def read_search_log(con: duckdb.DuckDBPyConnection, run_id: str | None = None) -> SearchLog:
    """The searches of a published run (default: the last one)."""
    if run_id is None:
        row = con.execute("select run_id, published_at from ops.published_run "
                          "order by run_seq desc limit 1").fetchone()
        if row is None:
            raise RunNotFound("no published run in this warehouse yet (review refresh makes one)")
    else:
        row = con.execute("select run_id, published_at from ops.published_run where run_id = ?",
                          [run_id]).fetchone()
        if row is None:
            raise RunNotFound(f"no published run {run_id} in this warehouse "
                              "(`review status` lists the runs)")
    run_id, published_at = row
    columns = ", ".join(COLUMNS)
    searches = con.execute(
        f"select {columns} from mart.search_log where run_id = ? "
        "order by source desc, query_id, scope", [run_id]).fetchall()
    earlier = con.execute(
        f"""select {columns} from mart.search_log
            where (source, query_id) in (select source, query_id from core.review_query)
              and (source, query_id) not in (
                  select source, query_id from mart.search_log where run_id = $run)
              and run_id < $run
            qualify dense_rank() over (partition by source, query_id
                                       order by run_id desc) = 1
            order by source desc, query_id, scope""", {"run": run_id}).fetchall()
    return SearchLog(run_id, published_at, [Search(*r) for r in searches],
                     [Search(*r) for r in earlier])


# ---- markdown -------------------------------------------------------------------------------


def to_markdown(log: SearchLog) -> str:
    lines = [
        f"# Search log of run {log.run_id}",
        "",
        f"Published {_when(log.published_at)}. What PRISMA-S (Rethlefsen et al., Syst Rev "
        "2021;10:39) asks a methods section to report about each search, by item number.",
        "",
        "| database | query | scope | searched | records |",
        "|---|---|---|---|---:|",
    ]
    lines += [f"| {s.database} | {s.query_id} | {s.scope} | {_when(s.searched_at)} | "
              f"{s.total:,} |" for s in log.searches]
    for (_source, query_id), searches in _by_query(log.searches).items():
        lines += ["", *_query_section(query_id, searches)]
    if log.earlier:
        lines += ["", "## Not searched in this run", ""]
        for (_source, query_id), searches in _by_query(log.earlier).items():
            first = searches[0]
            counts = ", ".join(f"{s.scope} {s.total:,}" for s in searches)
            lines.append(f"- {first.database} `{query_id}`: last searched in run "
                         f"{first.run_id} on {_when(first.searched_at)} ({counts} records).")
    return "\n".join(lines) + "\n"


def _by_query(searches: list[Search]) -> dict[tuple[str, str], list[Search]]:
    grouped: dict[tuple[str, str], list[Search]] = {}
    for search in searches:
        grouped.setdefault((search.source, search.query_id), []).append(search)
    return grouped


def _query_section(query_id: str, searches: list[Search]) -> list[str]:
    first = searches[0]
    registry = first.source == "ctgov"
    where = ("Study registry (item 3)" if registry else "Database and platform (item 1)")
    lines = [f"## {first.database}: query `{query_id}`", "",
             f"- **{where}**: {first.database}, searched through {first.interface}.",
             "- **Full search strategy (item 8)**, exactly as sent:"]
    for s in searches:
        lines.append(f"  - {SCOPES.get(s.scope, s.scope)} (`{s.scope}`): `{s.query}` gave "
                     f"{s.total:,} {'trials' if registry else 'records'}"
                     + (f"; PubMed's translation: `{s.translation}`" if s.translation else "")
                     + f". Request: <{s.url}>")
    lines.append("- **Limits and restrictions (item 9)**: " + "; ".join(
        f"`{s.scope}`: {_limits(s)}" for s in searches) + ".")
    lines.append("- **Dates of searches (item 13)**: " + ", ".join(
        f"`{s.scope}` {_when(s.searched_at)}" for s in searches) + ".")
    previous = first.previous_run_id
    lines.append("- **Updates (item 12)**: searched again every night by review-stats, and each "
                 "result set compared with the previous run's, record by record "
                 "(mart.record_changes; `review new` lists what entered); "
                 + (f"previous run of this search: {previous}." if previous
                    else "this is the first run of this search."))
    lines.append("- **Deduplication (item 16)**: " + (
        "one trial per NCT id: a query's results are the set of its NCT ids, and a trial "
        "several queries find is listed once by `review new`." if registry else
        "one record per PMID: PubMed returns each PMID once, `publications_dedup` counts each "
        "PMID in one year only, and a PMID several queries find is listed once by "
        "`review new`."))
    return lines


def _limits(search: Search) -> str:
    if not search.limits:
        return "none beyond the query"
    if search.source == "pubmed" and search.limits.endswith("[crdt]"):
        return f"records created in PubMed (Create Date) in {search.limits}"
    return f"`{search.limits}`"


def _when(moment: datetime) -> str:
    """In UTC, whatever the session's time zone (DuckDB gives TIMESTAMPTZ in the local one)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return f"{moment:%Y-%m-%d %H:%M} UTC"


# ---- CSV ------------------------------------------------------------------------------------


def write_csv(log: SearchLog, out: TextIO) -> None:
    """The run's rows of mart.search_log, as they are."""
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for search in log.searches:
        writer.writerow(["" if v is None else v for v in
                         (getattr(search, name) for name in COLUMNS)])
