"""A documented subset of Essie, the query language of ClinicalTrials.gov.

Supported: words and "quoted phrases" (case-insensitive, light plural folding), the upper-case
operators AND / OR / NOT with Essie's precedence (NOT binds tightest, then AND, then OR),
adjacent terms without an operator ANDed, parentheses, and the context operator
`AREA[Name]` followed by a term, a phrase, a parenthesised expression or `RANGE[lo,hi]`.
Not supported (rejected as a syntax error): EXPANSION[], COVERAGE[], SEARCH[], MISSING,
distance and other Essie operators. Synonym expansion is replaced by searching the MeSH terms
and ancestors of a record, which is how "liver diseases" finds a cirrhosis trial.

Parsing yields a small tree; `evaluate` turns it into a set of study row numbers through a
`Backend` (the search index), so each leaf is one scan and the Boolean part is set algebra.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

_WORD_RE = re.compile(r"\w+")
_NCT_RE = re.compile(r"^nct0*([1-9]\d{0,7})$")


class EssieError(ValueError):
    """A query the sandbox cannot parse; the API answers it with HTTP 400."""


def fold(word: str) -> str:
    """Light plural folding: cells ~ cell, diseases ~ disease, therapies ~ therapy.

    Applied identically to records and queries, so it only has to be consistent, not
    linguistically right. Words ending in -ss, -us, -is (cirrhosis, virus) are left alone.
    """
    if len(word) <= 3 or word.isdigit():
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def tokens(text: str) -> list[str]:
    """Case-folded, plural-folded word tokens of a text (punctuation separates words)."""
    return [fold(w) for w in _WORD_RE.findall(text.casefold())]


def nct_number(token: str) -> str | None:
    """The canonical NCT id (NCT + 8 digits) if a folded token is one, else None."""
    match = _NCT_RE.match(token)
    return f"NCT{int(match.group(1)):08d}" if match else None


# --- the tree -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    area: str  # canonical area key, see AREAS
    words: tuple[str, ...]  # folded tokens; more than one means an exact phrase


@dataclass(frozen=True)
class Range:
    area: str
    low: int  # yyyymmdd, inclusive
    high: int


@dataclass(frozen=True)
class And:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    item: Node


Node = Term | Range | And | Or | Not

# AREA[...] names -> (kind, area key). Kinds: "text" searches a text area of the record,
# "value" compares an enum value, "date" takes RANGE[...] or a single (partial) date.
AREAS: dict[str, tuple[str, str]] = {
    "basicsearch": ("text", "term"),
    "conditionsearch": ("text", "cond"),
    "interventionsearch": ("text", "intr"),
    "titlesearch": ("text", "titles"),
    "outcomesearch": ("text", "outc"),
    "sponsorsearch": ("text", "spons"),
    "locationsearch": ("text", "locn"),
    "idsearch": ("text", "id"),
    "nctid": ("text", "id"),
    "brieftitle": ("text", "brief_title"),
    "officialtitle": ("text", "official_title"),
    "acronym": ("text", "acronym"),
    "condition": ("text", "condition"),
    "keyword": ("text", "keyword"),
    "conditionmeshterm": ("text", "mesh"),
    "conditionancestorterm": ("text", "mesh"),
    "interventionname": ("text", "intervention_name"),
    "leadsponsorname": ("text", "lead"),
    "locationcountry": ("text", "country"),
    "locationcity": ("text", "city"),
    "locationfacility": ("text", "facility"),
    "overallstatus": ("value", "status"),
    "phase": ("value", "phase"),
    "studytype": ("value", "study_type"),
    "studyfirstpostdate": ("date", "first_post"),
    "lastupdatepostdate": ("date", "last_update"),
    "startdate": ("date", "start"),
    "primarycompletiondate": ("date", "primary_completion"),
    "completiondate": ("date", "completion"),
}

# --- lexer ----------------------------------------------------------------------------------

_LEX_RE = re.compile(
    r'\s*(?:(?P<lp>\()|(?P<rp>\))|"(?P<phrase>[^"]*)"'
    r"|(?P<op>[A-Z]+)\[(?P<arg>[^\]]*)\]|(?P<word>[^\s()\"]+))"
)


def _lex(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        match = _LEX_RE.match(text, pos)
        if not match or match.end() == pos:
            raise EssieError(f"cannot parse query near {text[pos : pos + 20]!r}")
        pos = match.end()
        if match.group("lp"):
            out.append(("(", "("))
        elif match.group("rp"):
            out.append((")", ")"))
        elif match.group("phrase") is not None:
            out.append(("phrase", match.group("phrase")))
        elif match.group("op"):
            out.append((match.group("op"), match.group("arg")))
        else:
            word = match.group("word")
            out.append((word, word) if word in ("AND", "OR", "NOT") else ("word", word))
    return out


# --- parser ---------------------------------------------------------------------------------


class _Parser:
    def __init__(self, text: str, area: str):
        self.items = _lex(text)
        self.pos = 0
        self.area = area

    def peek(self) -> str | None:
        return self.items[self.pos][0] if self.pos < len(self.items) else None

    def take(self) -> tuple[str, str]:
        item = self.items[self.pos]
        self.pos += 1
        return item

    def parse(self) -> Node | None:
        if not self.items:
            return None
        node = self.or_expr(self.area)
        if self.pos != len(self.items):
            raise EssieError(f"unexpected {self.items[self.pos][1]!r} in query")
        return node

    def or_expr(self, area: str) -> Node:
        items = [self.and_expr(area)]
        while self.peek() == "OR":
            self.take()
            items.append(self.and_expr(area))
        return items[0] if len(items) == 1 else Or(tuple(items))

    def and_expr(self, area: str) -> Node:
        items = [self.not_expr(area)]
        while self.peek() not in (None, "OR", ")"):
            if self.peek() == "AND":
                self.take()
            items.append(self.not_expr(area))
        return items[0] if len(items) == 1 else And(tuple(items))

    def not_expr(self, area: str) -> Node:
        if self.peek() == "NOT":
            self.take()
            return Not(self.not_expr(area))
        return self.primary(area)

    def primary(self, area: str) -> Node:
        if self.peek() is None:
            raise EssieError("query ends where a term was expected")
        kind, value = self.take()
        if kind == "(":
            node = self.or_expr(area)
            if self.peek() != ")":
                raise EssieError("missing closing parenthesis")
            self.take()
            return node
        if kind in ("word", "phrase"):
            return _term(area, value)
        if kind == "AREA":
            return self.area_operand(value)
        if kind == "RANGE":
            return _range(area, value)
        raise EssieError(f"unsupported operator {kind!r}")

    def area_operand(self, name: str) -> Node:
        key = name.strip().replace(" ", "").casefold()
        if key not in AREAS:
            raise EssieError(f"unknown search area {name!r}")
        kind, area = AREAS[key]
        if kind != "date":
            return self.not_expr(area)
        if self.peek() == "RANGE":
            return _range(area, self.take()[1])
        if self.peek() in ("word", "phrase"):
            value = self.take()[1]
            return Range(area, _date_bound(value, low=True), _date_bound(value, low=False))
        raise EssieError(f"AREA[{name}] needs RANGE[...] or a date")


def _term(area: str, raw: str) -> Node:
    words = tuple(tokens(raw))
    if not words:
        raise EssieError(f"empty search term {raw!r}")
    return Term(area, words)


def _range(area: str, arg: str) -> Range:
    parts = [p.strip() for p in arg.split(",")]
    if len(parts) != 2:
        raise EssieError(f"RANGE[{arg}] needs two bounds")
    if area not in {a for kind, a in AREAS.values() if kind == "date"}:
        raise EssieError("RANGE[...] is supported only on date areas in the sandbox")
    return Range(area, _date_bound(parts[0], low=True), _date_bound(parts[1], low=False))


_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
_US_DATE_RE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def _date_bound(text: str, *, low: bool) -> int:
    """A bound as yyyymmdd; a partial bound covers its whole year or month."""
    value = text.strip().upper()
    if value == "MIN":
        return 0
    if value == "MAX":
        return 99999999
    us = _US_DATE_RE.match(value)
    if us:
        value = f"{us.group(3)}-{us.group(1)}-{us.group(2)}"
    match = _DATE_RE.match(value)
    if not match:
        raise EssieError(f"bad date {text!r} in RANGE (use yyyy, yyyy-MM, yyyy-MM-dd, MIN, MAX)")
    year, month, day = match.groups()
    month_n = int(month) if month else (1 if low else 12)
    day_n = int(day) if day else (1 if low else 31)
    return int(year) * 10000 + month_n * 100 + day_n


def date_key(value: str | None) -> int:
    """A record's (partial) date as yyyymmdd, a partial date standing for its first day.

    -1 when absent, so a study without the date never falls in any range (not even MIN..MAX).
    """
    if not value:
        return -1
    match = _DATE_RE.match(value)
    if not match:
        return -1
    year, month, day = match.groups()
    return int(year) * 10000 + int(month or 1) * 100 + int(day or 1)


def parse(text: str, area: str = "term") -> Node | None:
    """Parse an Essie expression whose bare terms search `area`; None for an empty query."""
    return _Parser(text, area).parse()


# --- evaluation -----------------------------------------------------------------------------


class Backend(Protocol):
    def all_rows(self) -> set[int]: ...
    def match_text(self, area: str, words: tuple[str, ...]) -> set[int]: ...
    def match_value(self, area: str, words: tuple[str, ...]) -> set[int]: ...
    def match_range(self, area: str, low: int, high: int) -> set[int]: ...


_VALUE_AREAS = {a for kind, a in AREAS.values() if kind == "value"}


def evaluate(node: Node, backend: Backend) -> set[int]:
    """The rows matching `node`. NOT is the complement within all rows."""
    if isinstance(node, Term):
        if node.area in _VALUE_AREAS:
            return backend.match_value(node.area, node.words)
        return backend.match_text(node.area, node.words)
    if isinstance(node, Range):
        return backend.match_range(node.area, node.low, node.high)
    if isinstance(node, Not):
        return backend.all_rows() - evaluate(node.item, backend)
    if isinstance(node, And):
        # Positive parts first, so the running set is small before any complement is taken.
        result: set[int] | None = None
        for item in sorted(node.items, key=lambda n: isinstance(n, Not)):
            if isinstance(item, Not) and result is not None:
                result = result - evaluate(item.item, backend)
            else:
                part = evaluate(item, backend)
                result = part if result is None else result & part
            if not result:
                return set()
        return result or set()
    result = set()
    for item in node.items:
        result |= evaluate(item, backend)
    return result
