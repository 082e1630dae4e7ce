"""docs/warehouse.md against a freshly built warehouse: every relation and column it documents
exists with the documented type, every relation the build makes is documented, and every
example query runs."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "warehouse.md"
SCHEMAS = ("raw", "staging", "core", "curated", "mart", "ops")
HEADING = re.compile(r"^#### `(\w+)\.(\w+)`", re.MULTILINE)
COLUMN_ROW = re.compile(r"^\| `(\w+)` \| ([A-Z][A-Z0-9 \[\]]*?) \|", re.MULTILINE)
SQL_BLOCK = re.compile(r"```sql\n(.*?)```", re.DOTALL)
MENTION = re.compile(r"\b(?:" + "|".join(SCHEMAS) + r")\.[a-z][a-z0-9_]*\b")
# Dotted names in the guide that are files or catalogs, not relations.
NOT_RELATIONS = {"review.toml", "review.duckdb", "review.review"}


def documented(text: str) -> dict[str, list[tuple[str, str]]]:
    """relation -> [(column, type)] from each `#### \\`schema.name\\`` section's table."""
    sections = {}
    matches = list(HEADING.finditer(text))
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        body = text[match.end() : end].split("\n### ")[0]
        sections[f"{match[1]}.{match[2]}"] = COLUMN_ROW.findall(body)
    return sections


@pytest.mark.slow
def test_the_guide_matches_a_built_warehouse(make_sandbox, refresh_against, msc_review):
    """Built from the default review's folder, so its own relations are checked too."""
    refresh_against(make_sandbox(ncbi_rate_limit=False), source="all", spec=msc_review)
    text = GUIDE.read_text(encoding="utf-8")
    con = duckdb.connect()
    con.execute(f"attach '{refresh_against.db}' as warehouse (read_only)")
    con.execute("use warehouse")
    try:
        built = {}
        for schema, table, column, data_type in con.execute(
            "select table_schema, table_name, column_name, data_type "
            "from information_schema.columns where table_catalog = 'warehouse' "
            "order by table_schema, table_name, ordinal_position"
        ).fetchall():
            if schema in SCHEMAS:
                built.setdefault(f"{schema}.{table}", []).append((column, data_type))

        sections = documented(text)
        assert sorted(set(built) - set(sections)) == [], "relations missing from the guide"
        assert sorted(set(sections) - set(built)) == [], "documented relations not built"
        for relation, columns in sections.items():
            if columns:  # staging views are described in prose
                assert columns == built[relation], relation

        mentioned = set(MENTION.findall(text)) - NOT_RELATIONS
        assert sorted(m for m in mentioned if m not in built) == []

        for sql in SQL_BLOCK.findall(text):
            con.execute(sql).fetchall()
    finally:
        con.close()
