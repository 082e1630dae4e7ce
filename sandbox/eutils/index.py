"""Inverted indexes over the PubMed corpus: words, MeSH, publication types, dates.

Text search is token postings (token -> set of PMIDs) narrowed by set intersection, then a
phrase is verified on the record's normalized text (a space-joined token string, so the check
is one C-level substring test). Dates are sorted (yyyymmdd, pmid) lists cut with bisect.
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sandbox.eutils.corpus import Article

_WORD = re.compile(r"[a-z0-9]+")


def normalize_token(token: str) -> str:
    """Light plural folding so "cells" finds "cell" (and "therapies" finds "therapy").

    Words ending in -ss, -us or -is keep their s ("stress", "virus", "fibrosis").
    """
    if len(token) > 4 and token.endswith("ies"):
        return token[:-3] + "y"
    if len(token) > 3 and token.endswith("s") and not token.endswith(("ss", "us", "is")):
        return token[:-1]
    return token


def tokens(text: str) -> list[str]:
    return [normalize_token(t) for t in _WORD.findall(text.lower())]


def phrase_key(text: str) -> str:
    """The normalized form used to compare phrases and MeSH headings."""
    return " ".join(tokens(text))


class TextField:
    """Postings and normalized text of one searchable text field (title or abstract)."""

    def __init__(self) -> None:
        self.postings: dict[str, set[int]] = defaultdict(set)
        self.text: dict[int, str] = {}
        # Phrase answers, kept until a record is added: the pipeline repeats its phrases.
        self._phrases: dict[str, frozenset[int]] = {}

    def add(self, pmid: int, raw: str) -> None:
        self._phrases.clear()
        toks = tokens(raw)
        self.text[pmid] = " " + " ".join(toks) + " "
        for tok in toks:
            self.postings[tok].add(pmid)

    def phrase(self, key: str) -> frozenset[int]:
        cached = self._phrases.get(key)
        if cached is None:
            cached = self._phrases[key] = frozenset(self._find_phrase(key))
        return cached

    def _find_phrase(self, key: str) -> set[int]:
        words = key.split()
        if not words:
            return set()
        lists = sorted((self.postings.get(w, set()) for w in words), key=len)
        if len(words) == 1:
            return set(lists[0])
        candidates = set.intersection(*lists)
        needle = f" {key} "
        return {pmid for pmid in candidates if needle in self.text[pmid]}

    def prefix(self, stem: str) -> set[int]:
        """Truncation (`hepato*`): every token that starts with the stem."""
        hits: set[int] = set()
        for tok, pmids in self.postings.items():
            if tok.startswith(stem):
                hits |= pmids
        return hits


class DateField:
    """A sorted list of (yyyymmdd, pmid) for one date type."""

    def __init__(self) -> None:
        self.entries: list[tuple[int, int]] = []

    def add(self, day: int, pmid: int) -> None:
        if day:
            bisect.insort(self.entries, (day, pmid))

    def extend_sorted(self, pairs: list[tuple[int, int]]) -> None:
        self.entries = sorted(self.entries + [p for p in pairs if p[0]])

    def between(self, low: int, high: int) -> set[int]:
        start = bisect.bisect_left(self.entries, (low, -1))
        stop = bisect.bisect_right(self.entries, (high, 1 << 62))
        return {pmid for _, pmid in self.entries[start:stop]}


# MeSH explosion: searching a heading also finds its narrower headings, as [mh] does.
MESH_CHILDREN: dict[str, tuple[str, ...]] = {
    "liver disease": (
        "liver cirrhosis",
        "liver cirrhosis experimental",
        "liver failure acute",
        "acute on chronic liver failure",
        "end stage liver disease",
        "non alcoholic fatty liver disease",
        "chemical and drug induced liver injury",
        "liver neoplasm",
    ),
    "liver cirrhosis": ("liver cirrhosis experimental",),
    "heart failure": ("heart failure systolic", "heart failure diastolic"),  # second topic
}


class CorpusIndex:
    """All indexes of the corpus; `add` keeps them current when records are appended."""

    def __init__(self) -> None:
        self.title = TextField()
        self.abstract = TextField()
        self.mesh: dict[str, set[int]] = defaultdict(set)
        self.mesh_major: dict[str, set[int]] = defaultdict(set)
        self.mesh_names: dict[str, str] = {}  # normalized key -> heading as written
        self.pubtype: dict[str, set[int]] = defaultdict(set)
        self.accession: dict[str, set[int]] = defaultdict(set)
        self.journal: dict[str, set[int]] = defaultdict(set)
        self.dates: dict[str, DateField] = {
            name: DateField() for name in ("pdat", "epdat", "edat", "crdt", "mdat")
        }
        self.all_pmids: set[int] = set()

    def add_all(self, articles: list[Article]) -> None:
        pending: dict[str, list[tuple[int, int]]] = {name: [] for name in self.dates}
        for article in articles:
            self._add_text(article)
            for name, day in article.date_values().items():
                pending[name].append((day, article.pmid))
        for name, pairs in pending.items():
            self.dates[name].extend_sorted(pairs)

    def add(self, article: Article) -> None:
        self._add_text(article)
        for name, day in article.date_values().items():
            self.dates[name].add(day, article.pmid)

    def _add_text(self, article: Article) -> None:
        pmid = article.pmid
        self.all_pmids.add(pmid)
        self.title.add(pmid, article.title)
        self.abstract.add(pmid, article.abstract)
        for position, heading in enumerate(article.mesh):
            key = phrase_key(heading)
            self.mesh[key].add(pmid)
            self.mesh_names.setdefault(key, heading)
            if article.is_major(position):
                self.mesh_major[key].add(pmid)
        for ptype in article.pubtypes:
            self.pubtype[phrase_key(ptype)].add(pmid)
        for accession in article.nct:
            self.accession[accession.lower()].add(pmid)
        self.journal[phrase_key(article.journal_abbrev)].add(pmid)

    def mesh_exploded(self, key: str, major: bool = False) -> set[int]:
        table = self.mesh_major if major else self.mesh
        hits = set(table.get(key, set()))
        for child in MESH_CHILDREN.get(key, ()):
            hits |= table.get(child, set())
        return hits

    def has_mesh(self, key: str) -> bool:
        return key in self.mesh
