"""What a run leaves in Prefect's UI: a markdown summary and a table of what changed.

Read from the published warehouse after the run, like the HTML report; the flow hands them to
Prefect's artifact API.
"""

from __future__ import annotations

from pathlib import Path

from warehouse.db import connect_read_only


def headline_rows(db_path: Path) -> list[dict]:
    """Each headline number of the latest run beside the previous run's."""
    con = connect_read_only(db_path)
    try:
        rows = con.execute(
            """with ranked as (
                   select *, dense_rank() over (partition by source, query_id, scope
                                               order by run_at desc) as age
                   from mart.search_totals
                   where (source, query_id) in (select source, query_id from core.review_query))
               select source, query_id, scope,
                      max(total) filter (where age = 1) as now,
                      max(total) filter (where age = 2) as before
               from ranked group by all order by source, query_id, scope"""
        ).fetchall()
    finally:
        con.close()
    return [dict(zip(("source", "query_id", "scope", "now", "before"), r, strict=True))
            for r in rows]


# Kind of the rows of change_rows that count a run's record changes per query (item "<source>
# <query>", after = the count), rather than name one change.
RECORD_COUNT_KIND = "records "


def change_rows(db_path: Path, run_id: str) -> list[dict]:
    """Per query, how many records entered, left or were updated (mart.record_changes); trials
    that changed status, entered or left a query; and PubMed translation changes."""
    con = connect_read_only(db_path)
    try:
        record_counts = con.execute(
            f"""select '{RECORD_COUNT_KIND}' || change, source || ' ' || query_id, null,
                       count(*)
                from mart.record_changes where run_id = ?
                group by all order by 2 desc, 1""", [run_id]).fetchall()
        status = con.execute(
            """select 'status' as kind, nct_id as item,
                      previous_status as before, overall_status as after
               from core.ctgov_study_history
               where run_id = ? and previous_status is distinct from overall_status
                 and previous_status is not null""", [run_id]).fetchall()
        membership = con.execute(
            """select case when in_query then 'entered ' else 'left ' end || query_id,
                      nct_id, null, null
               from core.ctgov_membership_event
               where run_id = ? and run_seq > 1""", [run_id]).fetchall()
        translation = con.execute(
            """select 'translation ' || query_id || ' (' || scope || ')', term,
                      previous_translation, query_translation
               from core.pubmed_search where run_id = ? and translation_changed""",
            [run_id]).fetchall()
    finally:
        con.close()
    keys = ("kind", "item", "before", "after")
    return [dict(zip(keys, r, strict=True))
            for r in [*record_counts, *status, *membership, *translation]]


def summary_markdown(summary: dict, headlines: list[dict], changes: list[dict]) -> str:
    lines = [
        f"# Refresh {summary['run_id']}: {summary['status']}",
        "",
        f"- requests: {summary['requests']} ({summary['retries']} retries)",
        f"- rows loaded: {summary['rows_loaded']}",
        f"- duration: {summary.get('duration_seconds', 0):.1f} s",
        f"- warehouse: `{summary['db']}`",
        "",
        "| source | query | scope | now | previous run | change |",
        "|---|---|---|---:|---:|---:|",
    ]
    for h in headlines:
        delta = "" if h["before"] is None else f"{h['now'] - h['before']:+,}"
        before = "" if h["before"] is None else f"{h['before']:,}"
        lines.append(f"| {h['source']} | {h['query_id']} | {h['scope']} | {h['now']:,} | "
                     f"{before} | {delta} |")
    counted = [c for c in changes if c["kind"].startswith(RECORD_COUNT_KIND)]
    lines += _record_count_lines(counted, summary["db"])
    lines += ["", f"{len(changes) - len(counted)} change(s) in this run (see the table "
                  "artifact)."]
    return "\n".join(lines)


def _record_count_lines(counted: list[dict], db: str) -> list[str]:
    """"- pubmed msc_liver: 7 entered, 1 left, 0 updated", and how to get the records."""
    if not counted:
        return []
    per_query: dict[str, dict[str, int]] = {}
    for row in counted:
        change = row["kind"].removeprefix(RECORD_COUNT_KIND)
        per_query.setdefault(row["item"], {})[change] = row["after"]
    lines = ["", "## New since the last run", ""]
    for query, counts in per_query.items():
        lines.append(f"- {query}: " + ", ".join(
            f"{counts.get(change, 0):,} {change}" for change in ("entered", "left", "updated")))
    lines += ["", f"The entered records, for screening: `review new --db {db}` (RIS; "
                  "`--format csv` for a table). A query's first run lists all its records."]
    return lines
