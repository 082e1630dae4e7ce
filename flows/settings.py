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

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SPEC = Path("reviews/msc_liver/review.toml")
CURATED_TYPES = {"varchar", "integer", "bigint", "double", "boolean", "date"}
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
CURATED_KEYS = {"name", "file", "title", "notes", "columns", "key", "check"}
PANEL_KEYS = {"name", "title", "kind", "relation", "columns", "labels", "source"}
PANEL_KINDS = {"publications_by_year", "trials_by_country", "bar", "ranges", "pie"}
_ID = re.compile(r"^[a-z][a-z0-9_]{0,40}$")


class SpecError(ValueError):
    """The spec or the environment is unusable; the message says which key and why."""


@dataclass(frozen=True)
class CtgovQuery:
    id: str
    params: dict[str, str]


@dataclass(frozen=True)
class PubmedQuery:
    id: str
    term: str


@dataclass(frozen=True)
class CuratedTable:
    """A table of the review's own, kept by hand as CSV beside its spec: schema `curated`."""

    name: str
    path: Path
    columns: dict[str, str]  # column -> DuckDB type, in the CSV's order
    title: str = ""
    notes: Path | None = None
    key: tuple[str, ...] = ()
    check: str | None = None  # "module:function" that checks the parsed rows


@dataclass(frozen=True)
class Panel:
    """A figure of the report: what it draws (kind), from which relation, under which title."""

    name: str
    title: str
    kind: str
    relation: str
    columns: tuple[str, ...] = ()  # SQL expressions, when the relation's own are not the kind's
    labels: dict = field(default_factory=dict)
    source: str = ""


DEFAULT_PANELS = (
    Panel("publications_by_year", "PubMed publications per year", "publications_by_year",
          "mart.publications_by_year"),
    Panel("trials_by_country", "ClinicalTrials.gov trials by country", "trials_by_country",
          "mart.trials_by_country"),
)


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
    review_id = _identifier(review.get("id", "review"), "review.id")
    settings = Settings(
        spec_path=path,
        review_id=review_id,
        title=str(review.get("title", "")),
        cutoff=_date(review.get("cutoff"), "review.cutoff"),
        db_path=Path(db_path or env.get("REVIEW_DB")
                     or spec.get("warehouse", {}).get("path", f"data/{review_id}.duckdb")),
        ctgov_queries=tuple(_ctgov_queries(ctgov.get("queries", []))),
        pubmed_queries=tuple(_pubmed_queries(pubmed.get("queries", []))),
        ctgov_base_url=env.get("CTGOV_BASE_URL") or ctgov.get("base_url", Settings.ctgov_base_url),
        ctgov_requests_per_second=_positive(ctgov.get("requests_per_second", 1.0),
                                            "ctgov.requests_per_second"),
        ctgov_timeout_seconds=_positive(ctgov.get("timeout_seconds", 60.0),
                                        "ctgov.timeout_seconds"),
        eutils_base_url=env.get("EUTILS_BASE_URL")
        or pubmed.get("base_url", Settings.eutils_base_url),
        pubmed_tool=str(pubmed.get("tool", "review-stats")),
        ncbi_email=env.get("NCBI_EMAIL") or pubmed.get("email"),
        ncbi_api_key=env.get("NCBI_API_KEY") or None,
        pubmed_timeout_seconds=_positive(pubmed.get("timeout_seconds", 60.0),
                                         "pubmed.timeout_seconds"),
        pubmed_requests_per_second=(
            _positive(pubmed["requests_per_second"], "pubmed.requests_per_second")
            if "requests_per_second" in pubmed else None
        ),
        efetch_batch_size=int(_positive(pubmed.get("efetch_batch_size", 500),
                                        "pubmed.efetch_batch_size")),
        schedule_cron=str(spec.get("schedule", {}).get("cron", Settings.schedule_cron)),
        schedule_timezone=str(spec.get("schedule", {}).get("timezone",
                                                           Settings.schedule_timezone)),
        paper=_paper_numbers(spec.get("paper", {})),
        max_total_drop=_share(review.get("max_total_drop", 0.05), "review.max_total_drop"),
        curated=tuple(_curated(spec.get("curated", []), path.parent)),
        panels=tuple(_panels(spec.get("report", {}).get("panels"))),
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
        unknown = set(value) - ALLOWED[section]
        if unknown:
            raise SpecError(f"unknown key {section}.{sorted(unknown)[0]}")


def _ctgov_queries(items: list) -> list[CtgovQuery]:
    queries = []
    for i, item in enumerate(_tables(items, "ctgov.queries")):
        where = f"ctgov.queries[{i}]"
        qid = _identifier(item.get("id"), f"{where}.id")
        params = {k: v for k, v in item.items() if k != "id"}
        unknown = set(params) - CTGOV_QUERY_KEYS
        if unknown:
            raise SpecError(f"unknown key {where}.{sorted(unknown)[0]}")
        if not any(str(v).strip() for k, v in params.items() if k.startswith("query.")):
            raise SpecError(f"{where} ({qid}): empty query: give at least one query.* term")
        nct = r"[Nn][Cc][Tt]0*[1-9]\d{0,7}"  # the spec's NCT id pattern
        for key, value in params.items():
            if not isinstance(value, str) or not value.strip():
                raise SpecError(f"{where}.{key} must be a non-empty string")
            if key.startswith("query."):
                _balanced(value, f"{where}.{key}")
            # ctg-oas-v2.yaml, GET /studies: "If any query parameter contains only NCT IDs
            # (comma- and/or space-separated), filters are ignored": the cut-off's too.
            if key.startswith("query.") and re.fullmatch(rf"{nct}(?:[\s,]+{nct})*", value.strip()):
                raise SpecError(
                    f"{where}.{key} ({qid}): only NCT ids, so the API would ignore every filter, "
                    "the cut-off (filter.advanced) included; list them in filter.ids beside a "
                    "query.* term"
                )
        if "filter.ids" in params:
            _nct_ids(params["filter.ids"], f"{where}.filter.ids")
        queries.append(CtgovQuery(qid, {k: v.strip() for k, v in params.items()}))
    _unique([q.id for q in queries], "ctgov.queries")
    return queries


def _pubmed_queries(items: list) -> list[PubmedQuery]:
    queries = []
    for i, item in enumerate(_tables(items, "pubmed.queries")):
        where = f"pubmed.queries[{i}]"
        unknown = set(item) - {"id", "term"}
        if unknown:
            raise SpecError(f"unknown key {where}.{sorted(unknown)[0]}")
        term = item.get("term")
        if not isinstance(term, str) or not term.strip():
            raise SpecError(f"{where}.term: empty query")
        _balanced(term, f"{where}.term")
        queries.append(PubmedQuery(_identifier(item.get("id"), f"{where}.id"), term.strip()))
    _unique([q.id for q in queries], "pubmed.queries")
    return queries


def _paper_numbers(paper: dict) -> dict:
    for key in ("pubmed_publications", "ctgov_trials"):
        if key in paper and not _count(paper[key]):
            raise SpecError(f"paper.{key}: expected a whole number, got {paper[key]!r}")
    for i, item in enumerate(_tables(paper.get("numbers", []), "paper.numbers")):
        if set(item) != {"what", "printed", "sql"} or not _count(item["printed"]):
            raise SpecError(f"paper.numbers[{i}]: give what, printed (a whole number) and sql")
    for i, item in enumerate(_tables(paper.get("breakdowns", []), "paper.breakdowns")):
        printed = item.get("printed")
        if set(item) != {"what", "printed", "sql"} or not isinstance(printed, dict) \
                or not all(_count(v) for v in printed.values()):
            raise SpecError(f"paper.breakdowns[{i}]: give what, printed (a table of whole "
                            "numbers) and sql (two columns: key, value)")
    return paper


def _count(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _curated(items, review_dir: Path) -> list[CuratedTable]:
    tables = []
    for i, item in enumerate(_tables(items, "curated")):
        where = f"curated[{i}]"
        unknown = set(item) - CURATED_KEYS
        if unknown:
            raise SpecError(f"unknown key {where}.{sorted(unknown)[0]}")
        name = _identifier(item.get("name"), f"{where}.name")
        columns = item.get("columns")
        if not isinstance(columns, dict) or not columns:
            raise SpecError(f"{where} ({name}): declare its columns, e.g. columns = {{ id = "
                            '"integer", label = "varchar" }')
        for column, kind in columns.items():
            if not _ID.match(column) or str(kind).lower() not in CURATED_TYPES:
                raise SpecError(f"{where}.columns.{column}: type must be one of "
                                f"{', '.join(sorted(CURATED_TYPES))}, got {kind!r}")
        csv_path = review_dir / str(item.get("file", f"{name}.csv"))
        if not csv_path.is_file():
            raise SpecError(f"{where} ({name}): no file {csv_path}")
        notes = review_dir / item["notes"] if item.get("notes") else None
        key = tuple(item.get("key", []) if isinstance(item.get("key", []), list)
                    else [item["key"]])
        if not set(key) <= set(columns):
            raise SpecError(f"{where}.key: {list(key)} are not all declared columns")
        tables.append(CuratedTable(name, csv_path, {c: str(t).lower() for c, t in
                                                    columns.items()},
                                   str(item.get("title", "")), notes, key, item.get("check")))
    _unique([t.name for t in tables], "curated")
    return tables


def _panels(items) -> list[Panel]:
    if items is None:
        return list(DEFAULT_PANELS)
    panels = []
    for i, item in enumerate(_tables(items, "report.panels")):
        where = f"report.panels[{i}]"
        unknown = set(item) - PANEL_KEYS
        if unknown:
            raise SpecError(f"unknown key {where}.{sorted(unknown)[0]}")
        if item.get("kind") not in PANEL_KINDS:
            raise SpecError(f"{where}.kind must be one of {', '.join(sorted(PANEL_KINDS))}")
        if not re.fullmatch(r"[a-z_]+\.[a-z0-9_]+", str(item.get("relation", ""))):
            raise SpecError(f"{where}.relation must be schema.name, e.g. mart.my_mart")
        panels.append(Panel(_identifier(item.get("name"), f"{where}.name"),
                            str(item.get("title", "")), item["kind"], item["relation"],
                            tuple(item.get("columns", ())), dict(item.get("labels", {})),
                            str(item.get("source", ""))))
    _unique([p.name for p in panels], "report.panels")
    return panels


def _tables(items, where: str) -> list[dict]:
    if not isinstance(items, list) or not all(isinstance(x, dict) for x in items):
        raise SpecError(f"{where} must be an array of tables ([[{where}]])")
    return items


def _identifier(value, where: str) -> str:
    if not isinstance(value, str) or not _ID.match(value):
        raise SpecError(f"{where} must be a lower-case identifier like 'msc_liver', got {value!r}")
    return value


def _date(value, where: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise SpecError(f"{where}: bad date {value!r} (expected YYYY-MM-DD)") from None


def _positive(value, where: str) -> float:
    if not isinstance(value, int | float) or value <= 0:
        raise SpecError(f"{where} must be a positive number, got {value!r}")
    return float(value)


def _share(value, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise SpecError(f"{where} must be a share between 0 and 1 (0.05 is 5%), got {value!r}")
    return float(value)


def _balanced(text: str, where: str) -> None:
    depth = 0
    for ch in text:
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth < 0:
            break
    if depth != 0 or text.count('"') % 2:
        raise SpecError(f"{where}: unbalanced parentheses or quotes in {text!r}")


def _nct_ids(text: str, where: str) -> None:
    for nct in re.split(r"[\s,|]+", text.strip()):
        if not re.fullmatch(r"NCT\d{8}", nct):
            raise SpecError(f"{where}: invalid NCT id {nct!r} (expected NCT followed by 8 digits)")


def _unique(ids: list[str], where: str) -> None:
    seen = set()
    for qid in ids:
        if qid in seen:
            raise SpecError(f"{where}: duplicate id {qid!r}")
        seen.add(qid)
