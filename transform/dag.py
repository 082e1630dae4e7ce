"""The declared order of the SQL models and checks: staging -> core -> mart.

Each model is one file under transform/models/<layer>/<name>.sql ending in `select * from
final`; its first lines say how it is materialized (`-- materialized: table|incremental`;
staging models are views). Incremental models append their rows to a table created by the
warehouse migrations.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).parent
MODELS_DIR = ROOT / "models"
CHECKS_DIR = ROOT / "checks"
MACROS_FILE = ROOT / "macros.sql"

MODEL_ORDER = (
    "staging/stg_ctgov_study",
    "staging/stg_ctgov_query_page_ids",
    "staging/stg_pubmed_latest_run",
    "staging/stg_pubmed_article",
    "core/query_harvest",
    "core/review_query",
    "core/ctgov_study_version",
    "core/ctgov_membership_event",
    "core/ctgov_study",
    "core/ctgov_study_history",
    "core/ctgov_query_match",
    "core/ctgov_condition",
    "core/ctgov_intervention",
    "core/ctgov_location",
    "core/ctgov_reference",
    "core/pubmed_search",
    "core/pubmed_year_count",
    "core/pubmed_article",
    "core/pubmed_query_match",
    "core/pubmed_article_trial",
    "core/table2_registry_link",
    "mart/fig1a_publications_by_year",
    "mart/fig1b_trials_by_country",
    "mart/fig1c_table2_by_country",
    "mart/fig1d_iv_dose",
    "mart/fig1e_infusion_route",
    "mart/trial_publications",
    "mart/search_totals",
    "ops/total_drop",
)


@dataclass(frozen=True)
class Model:
    relation: str  # schema.name
    materialized: str  # view, table or incremental
    sql: str


def load_models() -> list[Model]:
    models = []
    for entry in MODEL_ORDER:
        layer, name = entry.split("/")
        sql = (MODELS_DIR / f"{entry}.sql").read_text(encoding="utf-8")
        models.append(Model(f"{layer}.{name}", _materialization(sql, layer), sql))
    return models


def load_checks() -> list[tuple[str, str]]:
    return [(p.stem, p.read_text(encoding="utf-8")) for p in sorted(CHECKS_DIR.glob("*.sql"))]


def _materialization(sql: str, layer: str) -> str:
    for line in sql.splitlines()[:5]:
        if line.startswith("-- materialized:"):
            return line.split(":", 1)[1].strip()
    return "view" if layer == "staging" else "table"
