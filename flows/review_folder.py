"""The parts of a review spec that make a review a folder: its curated tables (CSV beside the
spec), the report's panels, and the paper's printed numbers shown beside the warehouse's."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from flows.spec_values import (
    ID,
    SpecError,
    each_table,
    identifier,
    is_count,
    tables,
    unique,
)

CURATED_TYPES = {"varchar", "integer", "bigint", "double", "boolean", "date"}
CURATED_KEYS = {"name", "file", "title", "notes", "columns", "key", "check"}
PANEL_KEYS = {"name", "title", "kind", "relation", "columns", "labels", "source"}
PANEL_KINDS = {"publications_by_year", "trials_by_country", "bar", "ranges", "pie"}


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


def curated_tables(items, review_dir: Path) -> list[CuratedTable]:
    found = []
    for where, item in each_table(items, "curated", CURATED_KEYS):
        name = identifier(item.get("name"), f"{where}.name")
        columns = item.get("columns")
        if not isinstance(columns, dict) or not columns:
            raise SpecError(f"{where} ({name}): declare its columns, e.g. columns = {{ id = "
                            '"integer", label = "varchar" }')
        for column, kind in columns.items():
            if not ID.match(column) or str(kind).lower() not in CURATED_TYPES:
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
        found.append(CuratedTable(name, csv_path, {c: str(t).lower() for c, t in
                                                    columns.items()},
                                   str(item.get("title", "")), notes, key, item.get("check")))
    unique([t.name for t in found], "curated")
    return found


def report_panels(items) -> list[Panel]:
    if items is None:
        return list(DEFAULT_PANELS)
    panels = []
    for where, item in each_table(items, "report.panels", PANEL_KEYS):
        if item.get("kind") not in PANEL_KINDS:
            raise SpecError(f"{where}.kind must be one of {', '.join(sorted(PANEL_KINDS))}")
        if not re.fullmatch(r"[a-z_]+\.[a-z0-9_]+", str(item.get("relation", ""))):
            raise SpecError(f"{where}.relation must be schema.name, e.g. mart.my_mart")
        panels.append(Panel(identifier(item.get("name"), f"{where}.name"),
                            str(item.get("title", "")), item["kind"], item["relation"],
                            tuple(item.get("columns", ())), dict(item.get("labels", {})),
                            str(item.get("source", ""))))
    unique([p.name for p in panels], "report.panels")
    return panels


def paper_numbers(paper: dict) -> dict:
    for key in ("pubmed_publications", "ctgov_trials"):
        if key in paper and not is_count(paper[key]):
            raise SpecError(f"paper.{key}: expected a whole number, got {paper[key]!r}")
    for i, item in enumerate(tables(paper.get("numbers", []), "paper.numbers")):
        if set(item) != {"what", "printed", "sql"} or not is_count(item["printed"]):
            raise SpecError(f"paper.numbers[{i}]: give what, printed (a whole number) and sql")
    for i, item in enumerate(tables(paper.get("breakdowns", []), "paper.breakdowns")):
        printed = item.get("printed")
        if set(item) != {"what", "printed", "sql"} or not isinstance(printed, dict) \
                or not all(is_count(v) for v in printed.values()):
            raise SpecError(f"paper.breakdowns[{i}]: give what, printed (a table of whole "
                            "numbers) and sql (two columns: key, value)")
    return paper
