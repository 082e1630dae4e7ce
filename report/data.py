"""Everything the report shows, read from the published warehouse's marts (read-only)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from warehouse.db import connect_read_only


@dataclass
class ReportData:
    db_path: Path
    fig1a: list[tuple] = field(default_factory=list)  # (query_id, scope, year, pubs, dedup)
    fig1b: list[tuple] = field(default_factory=list)  # (query_id, scope, code, country, trials)
    fig1c: list[tuple] = field(default_factory=list)  # (country, trials)
    fig1d: list[tuple] = field(default_factory=list)  # (row_no, author, year, low, high, unit)
    fig1e: list[tuple] = field(default_factory=list)  # (route_class, trials)
    totals: list[tuple] = field(default_factory=list)  # (run_id, run_at, source, query, scope, n)
    status_changes: list[tuple] = field(default_factory=list)
    translation_changes: list[tuple] = field(default_factory=list)
    last_run: tuple | None = None


QUERIES = {
    "fig1a": "select query_id, scope, year, publications, publications_dedup "
    "from mart.fig1a_publications_by_year order by query_id, scope, year",
    "fig1b": "select query_id, scope, country_code, country, trials "
    "from mart.fig1b_trials_by_country order by query_id, scope, trials desc, country",
    "fig1c": "select country, trials from mart.fig1c_table2_by_country "
    "order by trials desc, country",
    "fig1d": "select row_no, first_author, year, dose_low, dose_high, dose_unit "
    "from mart.fig1d_iv_dose order by dose_unit, dose_low",
    "fig1e": "select route_class, trials from mart.fig1e_infusion_route order by trials desc",
    # the queries of the present spec only: a removed query leaves the report (its rows stay
    # in mart.search_totals)
    "totals": "select t.run_id, t.run_at, t.source, t.query_id, t.scope, t.total "
    "from mart.search_totals as t join core.review_query as q using (source, query_id) "
    "order by t.run_at, t.source, t.query_id, t.scope",
    # trials whose status changed in the latest run that saw a change of content
    "status_changes": """
        select h.nct_id, h.previous_status, h.overall_status, h.valid_from, s.brief_title
        from core.ctgov_study_history h
        left join core.ctgov_study s using (nct_id)
        where h.previous_status is not null
          and h.previous_status <> h.overall_status
          and h.run_id = (select max(run_id) from core.ctgov_study_history)
        order by h.nct_id""",
    "translation_changes": """
        select run_id, query_id, scope, previous_translation, query_translation, fetched_at
        from core.pubmed_search where translation_changed order by fetched_at desc""",
}


def read_report_data(db_path: Path) -> ReportData:
    data = ReportData(db_path)
    con = connect_read_only(db_path)
    try:
        existing = {
            f"{schema}.{name}"
            for schema, name in con.execute(
                "select table_schema, table_name from information_schema.tables"
            ).fetchall()
        }
        for attr, sql in QUERIES.items():
            if all(rel in existing for rel in _relations(sql)):
                setattr(data, attr, con.execute(sql).fetchall())
        if "ops.runs" in existing:
            data.last_run = con.execute(
                "select run_id, finished_at, status from ops.runs "
                "where status = 'ok' order by started_at desc limit 1"
            ).fetchone()
    finally:
        con.close()
    return data


def _relations(sql: str) -> list[str]:
    """The schema.table names a query reads (enough for these fixed queries)."""
    words = sql.replace("\n", " ").replace("(", " ").replace(")", " ").split()
    return [w for i, w in enumerate(words) if i and words[i - 1] in ("from", "join")]
