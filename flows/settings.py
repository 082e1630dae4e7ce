"""The review spec (reviews/<id>/review.toml) and the environment, read and checked once,
before any work.

A review is a folder: its spec, its curated tables (CSV, each declared in the spec with its
columns), and its own SQL models under `models/`. The default is this paper's review,
`reviews/msc_liver/review.toml`.

A bad spec is a usage error: the CLI exits 2 with a message naming the key, and nothing is
touched. Environment variables override the file (DESIGN.md, "Contracts").
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from flows.review_folder import (
    DEFAULT_PANELS,
    CuratedTable,
    Panel,
    curated_tables,
    paper_numbers,
    report_panels,
)
from flows.spec_values import (
    SpecError,
    as_date,
    balanced,
    each_table,
    identifier,
    nct_ids,
    positive,
    refuse_unknown,
    share,
    unique,
)

__all__ = ["DEFAULT_PANELS", "CuratedTable", "Panel", "Settings", "SpecError", "load_settings"]

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SPEC = Path("reviews/msc_liver/review.toml")
CTGOV_QUERY_KEYS = {"query.cond", "query.term", "query.intr", "query.titles", "query.locn",
                    "query.spons", "query.outc", "query.id", "filter.overallStatus",
                    "filter.ids", "filter.advanced"}
ALLOWED = {
    "review": {"id", "title", "cutoff", "max_total_drop"},
    "pubmed": {"queries", "base_url", "tool", "email", "efetch_batch_size",
               "requests_per_second", "timeout_seconds"},
    "ctgov": {"queries", "base_url", "requests_per_second", "timeout_seconds"},
    "schedule": {"cron", "timezone"},
    "warehouse": {"path"},
    # the numbers the paper prints, for the report's "paper vs now" table
    "paper": {"pubmed_publications", "ctgov_trials", "numbers", "breakdowns"},
    "curated": set(),  # an array of tables, checked entry by entry
    "report": {"panels"},
}


@dataclass(frozen=True)
class CtgovQuery:
    id: str
    params: dict[str, str]


@dataclass(frozen=True)
class PubmedQuery:
    id: str
    term: str


@dataclass(frozen=True)
class QueryFingerprint:
    """One query as the APIs will be asked it, and the hash of everything that decides its
    result set (issue 15): a shortcut between runs is only taken when this hash is unchanged."""

    source: str  # 'ctgov' or 'pubmed'
    query_id: str
    definition: dict  # the parameters as sent (CT.gov) or {"term": ...} (PubMed)
    fingerprint: str


def query_fingerprint(source: str, definition: dict, cutoff: date) -> str:
    canonical = json.dumps(
        {"source": source, "query": definition, "cutoff": cutoff.isoformat()},
        sort_keys=True, separators=(",", ":"), ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Settings:
    spec_path: Path
    review_id: str
    title: str
    cutoff: date
    db_path: Path
    ctgov_queries: tuple[CtgovQuery, ...] = ()
    pubmed_queries: tuple[PubmedQuery, ...] = ()
    ctgov_base_url: str = "https://clinicaltrials.gov/api/v2"
    ctgov_requests_per_second: float = 1.0
    ctgov_timeout_seconds: float = 60.0
    eutils_base_url: str = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils"
    pubmed_tool: str = "review-stats"
    ncbi_email: str | None = None
    ncbi_api_key: str | None = field(default=None, repr=False)  # never printed
    efetch_batch_size: int = 500
    pubmed_timeout_seconds: float = 60.0
    pubmed_requests_per_second: float | None = None  # None: NCBI's 3/s, or 10/s with a key
    schedule_cron: str = "0 2 * * *"
    schedule_timezone: str = "America/New_York"
    paper: dict = field(default_factory=dict)
    # a query's total falling by more than this share from the last published run (with an
    # unchanged QueryTranslation) refuses to publish unless `--accept-drop` (issue 11)
    max_total_drop: float = 0.05
    curated: tuple[CuratedTable, ...] = ()
    panels: tuple[Panel, ...] = DEFAULT_PANELS

    @property
    def review_dir(self) -> Path:
        return self.spec_path.resolve().parent

    @property
    def model_dirs(self) -> list[Path]:
        """The engine's models, then the review's own (`<review folder>/models`), if any."""
        own = self.review_dir / "models"
        return [PROJECT_ROOT / "transform" / "models"] + ([own] if own.is_dir() else [])

    def ctgov_query(self, query_id: str) -> CtgovQuery:
        return next(q for q in self.ctgov_queries if q.id == query_id)

    def query_fingerprints(self) -> list[QueryFingerprint]:
        found = [("ctgov", q.id, dict(q.params)) for q in self.ctgov_queries]
        found += [("pubmed", q.id, {"term": q.term}) for q in self.pubmed_queries]
        return [QueryFingerprint(source, qid, definition,
                                 query_fingerprint(source, definition, self.cutoff))
                for source, qid, definition in found]


def load_settings(
    spec_path: Path | str | None = None,
    db_path: Path | str | None = None,
    env: dict[str, str] | None = None,
) -> Settings:
    env = dict(os.environ if env is None else env)
    path = Path(spec_path) if spec_path else DEFAULT_SPEC
    spec = _read_toml(path)
    _check_keys(spec)
    review = spec.get("review", {})
    ctgov, pubmed = spec.get("ctgov", {}), spec.get("pubmed", {})
    review_id = identifier(review.get("id", "review"), "review.id")
    settings = Settings(
        spec_path=path,
        review_id=review_id,
        title=str(review.get("title", "")),
        cutoff=as_date(review.get("cutoff"), "review.cutoff"),
        db_path=Path(db_path or env.get("REVIEW_DB")
                     or spec.get("warehouse", {}).get("path", f"data/{review_id}.duckdb")),
        ctgov_queries=tuple(_ctgov_queries(ctgov.get("queries", []))),
        pubmed_queries=tuple(_pubmed_queries(pubmed.get("queries", []))),
        ctgov_base_url=env.get("CTGOV_BASE_URL") or ctgov.get("base_url", Settings.ctgov_base_url),
        ctgov_requests_per_second=positive(ctgov.get("requests_per_second", 1.0),
                                            "ctgov.requests_per_second"),
        ctgov_timeout_seconds=positive(ctgov.get("timeout_seconds", 60.0),
                                        "ctgov.timeout_seconds"),
        eutils_base_url=env.get("EUTILS_BASE_URL")
        or pubmed.get("base_url", Settings.eutils_base_url),
        pubmed_tool=str(pubmed.get("tool", "review-stats")),
        ncbi_email=env.get("NCBI_EMAIL") or pubmed.get("email"),
        ncbi_api_key=env.get("NCBI_API_KEY") or None,
        pubmed_timeout_seconds=positive(pubmed.get("timeout_seconds", 60.0),
                                         "pubmed.timeout_seconds"),
        pubmed_requests_per_second=(
            positive(pubmed["requests_per_second"], "pubmed.requests_per_second")
            if "requests_per_second" in pubmed else None
        ),
        efetch_batch_size=int(positive(pubmed.get("efetch_batch_size", 500),
                                        "pubmed.efetch_batch_size")),
        schedule_cron=str(spec.get("schedule", {}).get("cron", Settings.schedule_cron)),
        schedule_timezone=str(spec.get("schedule", {}).get("timezone",
                                                           Settings.schedule_timezone)),
        paper=paper_numbers(spec.get("paper", {})),
        max_total_drop=share(review.get("max_total_drop", 0.05), "review.max_total_drop"),
        curated=tuple(curated_tables(spec.get("curated", []), path.parent)),
        panels=tuple(report_panels(spec.get("report", {}).get("panels"))),
    )
    if not settings.ctgov_queries and not settings.pubmed_queries:
        raise SpecError(f"{path}: no queries: add [[ctgov.queries]] or [[pubmed.queries]]")
    return settings


def _read_toml(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SpecError(f"spec file not found: {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"{path} is not valid TOML: {exc}") from None


def _check_keys(spec: dict) -> None:
    for section, value in spec.items():
        if section not in ALLOWED:
            raise SpecError(f"unknown section [{section}] (known: {', '.join(sorted(ALLOWED))})")
        if section == "curated":
            continue  # [[curated]] entries are checked one by one
        if not isinstance(value, dict):
            raise SpecError(f"[{section}] must be a table")
        refuse_unknown(value, ALLOWED[section], section)


def _ctgov_queries(items: list) -> list[CtgovQuery]:
    queries = []
    for where, item in each_table(items, "ctgov.queries", CTGOV_QUERY_KEYS | {"id"}):
        qid = identifier(item.get("id"), f"{where}.id")
        params = {k: v for k, v in item.items() if k != "id"}
        if not any(str(v).strip() for k, v in params.items() if k.startswith("query.")):
            raise SpecError(f"{where} ({qid}): empty query: give at least one query.* term")
        nct = r"[Nn][Cc][Tt]0*[1-9]\d{0,7}"  # the spec's NCT id pattern
        for key, value in params.items():
            if not isinstance(value, str) or not value.strip():
                raise SpecError(f"{where}.{key} must be a non-empty string")
            if key.startswith("query."):
                balanced(value, f"{where}.{key}")
            # ctg-oas-v2.yaml, GET /studies: "If any query parameter contains only NCT IDs
            # (comma- and/or space-separated), filters are ignored": the cut-off's too.
            if key.startswith("query.") and re.fullmatch(rf"{nct}(?:[\s,]+{nct})*", value.strip()):
                raise SpecError(
                    f"{where}.{key} ({qid}): only NCT ids, so the API would ignore every filter, "
                    "the cut-off (filter.advanced) included; list them in filter.ids beside a "
                    "query.* term"
                )
        if "filter.ids" in params:
            nct_ids(params["filter.ids"], f"{where}.filter.ids")
        queries.append(CtgovQuery(qid, {k: v.strip() for k, v in params.items()}))
    unique([q.id for q in queries], "ctgov.queries")
    return queries


def _pubmed_queries(items: list) -> list[PubmedQuery]:
    queries = []
    for where, item in each_table(items, "pubmed.queries", {"id", "term"}):
        term = item.get("term")
        if not isinstance(term, str) or not term.strip():
            raise SpecError(f"{where}.term: empty query")
        balanced(term, f"{where}.term")
        queries.append(PubmedQuery(identifier(item.get("id"), f"{where}.id"), term.strip()))
    unique([q.id for q in queries], "pubmed.queries")
    return queries
