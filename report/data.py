"""Everything the report shows, read from the published warehouse (read-only): the panels the
review's spec defines, the paper's printed numbers beside the warehouse's, and the history."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from warehouse.db import connect_read_only

# What each kind of panel reads from its relation when the spec names no columns.
DEFAULT_COLUMNS = {
    "publications_by_year": ("query_id", "scope", "year", "publications", "publications_dedup"),
    "trials_by_country": ("query_id", "scope", "country_code", "country", "trials"),
    "bar": ("*",),
    "pie": ("*",),
    "ranges": ("label", "low", "high", "unit"),
}


@dataclass
class ReportData:
    db_path: Path
    panels: dict[str, list[tuple]] = field(default_factory=dict)  # panel name -> rows
    totals: list[tuple] = field(default_factory=list)  # (run_id, run_at, source, query, scope, n)
    status_changes: list[tuple] = field(default_factory=list)
    translation_changes: list[tuple] = field(default_factory=list)
    # (source, query_id, change, records, first titles) of the last published run
    record_changes: list[tuple] = field(default_factory=list)
    paper_values: dict[str, object] = field(default_factory=dict)  # sql -> value or {key: value}
    last_run: tuple | None = None


QUERIES = {
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
    # what the last published run changed in the present spec's queries, with a few titles
    "record_changes": """
        select c.source, c.query_id, c.change, count(*) as records,
               list(c.title order by length(c.record_id), c.record_id)[1:5] as first_titles
        from mart.record_changes as c
        join core.review_query as q using (source, query_id)
        where c.run_id = (select run_id from ops.published_run order by run_seq desc limit 1)
        group by all
        order by c.source desc, c.query_id, c.change""",
}


def read_report_data(db_path: Path, panels=(), paper: dict | None = None) -> ReportData:
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
        for panel in panels:
            if panel.relation in existing:
                columns = ", ".join(panel.columns or DEFAULT_COLUMNS[panel.kind])
                data.panels[panel.name] = con.execute(
                    f"select {columns} from {panel.relation}").fetchall()
        data.paper_values = _paper_values(con, paper or {}, existing)
        if "ops.runs" in existing:
            data.last_run = con.execute(
                "select run_id, finished_at, status from ops.runs "
                "where status = 'ok' order by started_at desc limit 1"
            ).fetchone()
    finally:
        con.close()
    return data


def _paper_values(con, paper: dict, existing: set[str]) -> dict[str, object]:
    """The warehouse's value for each printed number and breakdown of the spec's [paper]."""
    values: dict[str, object] = {}
    for item in paper.get("numbers", []):
        if all(rel in existing for rel in _relations(item["sql"])):
            values[item["sql"]] = con.execute(item["sql"]).fetchone()[0]
    for item in paper.get("breakdowns", []):
        if all(rel in existing for rel in _relations(item["sql"])):
            values[item["sql"]] = dict(con.execute(item["sql"]).fetchall())
    return values


def _relations(sql: str) -> list[str]:
    """The schema.table names a query reads (enough for these simple queries)."""
    words = sql.replace("\n", " ").replace("(", " ").replace(")", " ").split()
    return [w for i, w in enumerate(words) if i and words[i - 1] in ("from", "join")]
