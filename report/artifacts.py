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


def change_rows(db_path: Path, run_id: str) -> list[dict]:
    """Trials that changed status, entered or left a query, and PubMed translation changes."""
    con = connect_read_only(db_path)
    try:
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
    return [dict(zip(keys, r, strict=True)) for r in [*status, *membership, *translation]]


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
    lines += ["", f"{len(changes)} change(s) in this run (see the table artifact)."]
    return "\n".join(lines)
