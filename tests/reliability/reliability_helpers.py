"""Helpers of the reliability suite: the test spec, running the flow, comparing warehouses.

Comparing warehouses: their content less what differs between any two runs.

Like `snapshot()` in tests/pipeline/test_ctgov_refresh.py, extended to the PubMed tables and
marts. History tables (search_totals, pubmed_search) keep one row per run; only the latest
state of each key is compared, so "the state after run N" does not depend on how many runs
published before it.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import duckdb


def query(db: Path, sql: str, params=None) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


MATCHED = "where nct_id in (select nct_id from core.ctgov_query_match)"
TABLES = {
    "core.ctgov_study": "select nct_id, overall_status, enrollment, first_post_date, "
    f"content_hash from core.ctgov_study {MATCHED}",
    "core.ctgov_location": f"select * from core.ctgov_location {MATCHED}",
    "core.ctgov_query_match": "select query_id, nct_id from core.ctgov_query_match",
    "mart.fig1b": "select * from mart.trials_by_country",
    "core.pubmed_article": "select * exclude (run_id) from core.pubmed_article",
    "core.pubmed_article_trial": "select * from core.pubmed_article_trial",
    "core.pubmed_query_match": "select * from core.pubmed_query_match",
    "core.pubmed_year_count": "select * exclude (run_id) from core.pubmed_year_count",
    "core.pubmed_search": """select query_id, scope, term, count, query_translation
                             from core.pubmed_search
                             qualify row_number() over (partition by query_id, scope
                                                        order by fetched_at desc) = 1""",
    "mart.fig1a": "select * from mart.publications_by_year",
    "mart.trial_publications": "select * from mart.trial_publications",
    "totals": """select source, query_id, scope, total from mart.search_totals
                 qualify row_number() over (partition by source, query_id, scope
                                            order by run_at desc) = 1""",
}


def snapshot(db: Path) -> dict[str, list[str]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {
            name: sorted(map(repr, con.execute(sql).fetchall())) for name, sql in TABLES.items()
        }
    finally:
        con.close()


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def leftovers(db: Path) -> list[Path]:
    """Build files and landing zones a run left behind beside the warehouse."""
    found = list(db.parent.glob(f"{db.name}.building-*"))
    landing = db.parent / "landing"
    if landing.exists():
        found += list(landing.iterdir())
    return found


SPEC = """
[review]
id = "msc_liver"
title = "reliability test review"
cutoff = 2022-04-29

[[ctgov.queries]]
id = "msc_liver"
"query.term" = "mesenchymal stem cell AND liver diseases"

[[pubmed.queries]]
id = "msc_liver"
term = "mesenchymal stromal cell AND liver fibrosis [Title] AND 2019:3000[dp]"

[ctgov]
requests_per_second = 200.0
timeout_seconds = {timeout}

[pubmed]
requests_per_second = 200.0
timeout_seconds = {timeout}
efetch_batch_size = 25
"""


def write_spec(path: Path, timeout: float = 2.0) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(SPEC.format(timeout=timeout), encoding="utf-8")
    return path


def run_refresh(server, db: Path, spec: Path, **kwargs) -> dict:
    """The flow, in this process, against `server`; CTGOV/EUTILS_BASE_URL set for the call."""
    from flows.refresh import refresh

    saved = {k: os.environ.get(k) for k in ("CTGOV_BASE_URL", "EUTILS_BASE_URL")}
    os.environ["CTGOV_BASE_URL"] = server.ctgov_base_url
    os.environ["EUTILS_BASE_URL"] = server.eutils_base_url
    try:
        kwargs.setdefault("source", "all")
        return refresh(spec=str(spec), db=str(db), **kwargs)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
