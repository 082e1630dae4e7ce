"""Checks of single values of a review spec; each names the key it refuses, and why."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

ID = re.compile(r"^[a-z][a-z0-9_]{0,40}$")


class SpecError(ValueError):
    """The spec or the environment is unusable; the message says which key and why."""


def tables(items, where: str) -> list[dict]:
    if not isinstance(items, list) or not all(isinstance(x, dict) for x in items):
        raise SpecError(f"{where} must be an array of tables ([[{where}]])")
    return items


def refuse_unknown(keys, allowed: set[str], where: str) -> None:
    unknown = set(keys) - allowed
    if unknown:
        raise SpecError(f"unknown key {where}.{sorted(unknown)[0]}")


def each_table(items, section: str, allowed: set[str]) -> Iterator[tuple[str, dict]]:
    """(where, table) for each table of [[section]], `where` as `section[i]` for messages; a key
    outside `allowed` is refused."""
    for i, item in enumerate(tables(items, section)):
        refuse_unknown(item, allowed, f"{section}[{i}]")
        yield f"{section}[{i}]", item


def identifier(value, where: str) -> str:
    if not isinstance(value, str) or not ID.match(value):
        raise SpecError(f"{where} must be a lower-case identifier like 'msc_liver', got {value!r}")
    return value


def as_date(value, where: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise SpecError(f"{where}: bad date {value!r} (expected YYYY-MM-DD)") from None


def positive(value, where: str) -> float:
    if not isinstance(value, int | float) or value <= 0:
        raise SpecError(f"{where} must be a positive number, got {value!r}")
    return float(value)


def share(value, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise SpecError(f"{where} must be a share between 0 and 1 (0.05 is 5%), got {value!r}")
    return float(value)


def balanced(text: str, where: str) -> None:
    depth = 0
    for ch in text:
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth < 0:
            break
    if depth != 0 or text.count('"') % 2:
        raise SpecError(f"{where}: unbalanced parentheses or quotes in {text!r}")


def nct_ids(text: str, where: str) -> None:
    for nct in re.split(r"[\s,|]+", text.strip()):
        if not re.fullmatch(r"NCT\d{8}", nct):
            raise SpecError(f"{where}: invalid NCT id {nct!r} (expected NCT followed by 8 digits)")


def unique(ids: list[str], where: str) -> None:
    seen = set()
    for qid in ids:
        if qid in seen:
            raise SpecError(f"{where}: duplicate id {qid!r}")
        seen.add(qid)


def is_count(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0
