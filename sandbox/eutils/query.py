"""The PubMed query engine: parser, left-to-right Boolean evaluator, QueryTranslation.

PubMed's rules, as this engine applies them (README.md has the full list):
- AND, OR, NOT (upper case) bind strictly left to right, no precedence:
  `A OR B AND C` is `(A OR B) AND C`. Two operands with no operator between are ANDed.
- Consecutive words without an operator form one term; a [tag] applies to that term only.
- Untagged, unquoted terms go through a stand-in for Automatic Term Mapping (ATM): a phrase in
  title or abstract, OR the MeSH heading with the same words.
- A term found nowhere is reported (PhraseNotFound / QuotedPhraseNotFound) and left out of
  the evaluation, as PubMed does; an unknown tag is reported (FieldNotFound) and the term is
  searched untagged.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass, field

from sandbox.eutils.corpus import PubmedCorpus
from sandbox.eutils.index import normalize_token, phrase_key


class QueryError(ValueError):
    """A query PubMed cannot parse; answered with an ERROR body, never a count of 0."""


@dataclass
class Term:
    text: str
    quoted: bool = False
    tag: str | None = None


@dataclass
class DateRange:
    low: str
    high: str
    tag: str


@dataclass
class Group:
    child: Node


@dataclass
class BinOp:
    op: str
    left: Node
    right: Node


Node = Term | DateRange | Group | BinOp

# tag (lower case) -> (date index, PubMed's display name)
DATE_TAGS: dict[str, tuple[str, str]] = {}
for _names, _target in (
    (("dp", "pdat", "publication date", "date - publication"), ("pdat", "Date - Publication")),
    (("edat", "entrez date", "date - entry"), ("edat", "Date - Entry")),
    (("crdt", "create date", "date - create"), ("crdt", "Date - Create")),
    (("mdat", "lr", "modification date", "date - modification"), ("mdat", "Date - Modification")),
    (
        ("epdat", "electronic publication date", "date - electronic publication"),
        ("epdat", "Date - Electronic Publication"),
    ),
):
    DATE_TAGS.update(dict.fromkeys(_names, _target))

# tag (lower case) -> (field, display name)
TEXT_TAGS: dict[str, tuple[str, str]] = {}
for _names, _target in (
    (("ti", "title"), ("title", "Title")),
    (("tiab", "title/abstract"), ("tiab", "Title/Abstract")),
    (("ab", "abstract"), ("abstract", "Abstract")),
    (("mh", "mesh", "mesh terms"), ("mesh", "MeSH Terms")),
    (("mh:noexp", "mesh:noexp", "mesh terms:noexp"), ("mesh_noexp", "MeSH Terms:noexp")),
    (("majr", "mesh major topic"), ("majr", "MeSH Major Topic")),
    (("pt", "publication type"), ("pt", "Publication Type")),
    (("si", "secondary source id"), ("si", "Secondary Source ID")),
    (("ta", "journal", "jour"), ("journal", "Journal")),
    (("uid", "pmid"), ("uid", "UID")),
    (("all", "all fields"), ("all", "All Fields")),
):
    TEXT_TAGS.update(dict.fromkeys(_names, _target))

# translation_variant >= 1: ATM also maps these phrases to a MeSH heading (an entry term).
MESH_SYNONYMS = {"mesenchymal stromal cell": "mesenchymal stem cell"}

_LEXER = re.compile(
    r'\s*(?:(?P<lp>\()|(?P<rp>\))|"(?P<quoted>[^"]*)"|(?P<badquote>")'
    r'|\[(?P<tag>[^\]]*)\]|(?P<badtag>\[)|(?P<word>[^\s()\[\]"]+))'
)
_DATE = re.compile(r"^(\d{4})(?:[/.-](\d{1,2})(?:[/.-](\d{1,2}))?)?$")


def lex(query: str) -> list[tuple[str, str]]:
    """(kind, value) tokens: lp, rp, quoted, tag, op, colon, word."""
    out: list[tuple[str, str]] = []
    position = 0
    query = query.rstrip()
    while position < len(query):
        match = _LEXER.match(query, position)
        if not match:
            raise QueryError(f"Unexpected character at position {position}")
        kind = match.lastgroup or ""
        value = match.group(kind) or ""
        if kind == "badquote":
            raise QueryError("Unmatched quotation mark in query")
        if kind == "badtag":
            raise QueryError("Unmatched square bracket in query")
        if kind == "word" and value in ("AND", "OR", "NOT"):
            kind = "op"
        elif kind == "word" and value == ":":
            kind = "colon"
        out.append((kind, value))
        position = match.end()
    return out


class Parser:
    """Recursive descent over the tokens; operators fold left to right."""

    def __init__(self, query: str):
        self.tokens = lex(query)
        self.pos = 0

    def peek(self) -> str:
        return self.tokens[self.pos][0] if self.pos < len(self.tokens) else "end"

    def take(self) -> str:
        value = self.tokens[self.pos][1]
        self.pos += 1
        return value

    def parse(self) -> Node:
        if not self.tokens:
            raise QueryError("Empty term and query_key - nothing todo")
        node = self.expression()
        if self.peek() == "rp":
            raise QueryError("Unbalanced parentheses: unexpected ')'")
        return node

    def expression(self) -> Node:
        node = self.operand()
        while self.peek() not in ("end", "rp"):
            op = self.take() if self.peek() == "op" else "AND"  # adjacency means AND
            node = BinOp(op, node, self.operand())
        return node

    def operand(self) -> Node:
        kind = self.peek()
        if kind == "lp":
            self.take()
            inner = self.expression()
            if self.peek() != "rp":
                raise QueryError("Unbalanced parentheses: missing ')'")
            self.take()
            return Group(inner)
        if kind in ("word", "quoted"):
            return self.term()
        if kind == "end":
            raise QueryError("Incomplete query: an operator lacks its right-hand term")
        raise QueryError(f"Unexpected {self.tokens[self.pos][1]!r} where a term belongs")

    def term(self) -> Node:
        if self.peek() == "quoted":
            node = Term(self.take(), quoted=True)
        else:
            words = [self.take()]
            while self.peek() == "word":
                words.append(self.take())
            node = Term(" ".join(words))
        if self.peek() == "tag":
            node.tag = self.take().strip()
        if self.peek() == "colon":  # "2020/01/01"[crdt] : "2022/04/29"[crdt]
            self.take()
            if self.peek() not in ("word", "quoted"):
                raise QueryError("Incomplete date range")
            high = self.take()
            tag = self.take().strip() if self.peek() == "tag" else node.tag
            return DateRange(node.text, high, tag or "")
        if node.tag and node.tag.lower() in DATE_TAGS and ":" in node.text:
            low, _, high = node.text.partition(":")
            return DateRange(low.strip(), high.strip(), node.tag)
        return node


def parse(query: str) -> Node:
    return Parser(query).parse()


def date_bound(text: str, upper: bool) -> int | None:
    """yyyy, yyyy/mm or yyyy/mm/dd as yyyymmdd; an upper bound covers the whole period."""
    match = _DATE.match(text.strip().strip('"'))
    if not match:
        return None
    year, month, day = (int(g) if g else 0 for g in match.groups())
    if upper:
        return year * 10000 + (month or 12) * 100 + (day or 31)
    return year * 10000 + (month or 1) * 100 + (day or 1)


@dataclass
class SearchResult:
    pmids: list[int]  # most recent first: PMID descending (PMIDs rise with the create date)
    translation: str
    translation_set: list[tuple[str, str]] = field(default_factory=list)
    phrases_not_found: list[str] = field(default_factory=list)
    quoted_not_found: list[str] = field(default_factory=list)
    fields_not_found: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.pmids)


Hits = set[int] | None  # None: the term was not found and drops out, as in PubMed


class Evaluator:
    """Evaluates one parsed query against the corpus and writes its QueryTranslation."""

    def __init__(self, corpus: PubmedCorpus):
        self.corpus = corpus
        self.index = corpus.index
        self.result = SearchResult([], "")

    def run(self, node: Node) -> tuple[Hits, str]:
        if isinstance(node, BinOp):
            return self._binop(node)
        if isinstance(node, Group):
            hits, text = self.run(node.child)
            return hits, f"({text})"
        if isinstance(node, DateRange):
            return self._date_range(node.low, node.high, node.tag)
        return self._term(node)

    def _binop(self, node: BinOp) -> tuple[Hits, str]:
        left, left_text = self.run(node.left)
        right, right_text = self.run(node.right)
        text = f"{left_text} {node.op} {right_text}"
        if left is None or right is None:
            return (right if left is None and node.op != "NOT" else left), text
        if node.op == "AND":
            return left & right, text
        if node.op == "OR":
            return left | right, text
        return left - right, text

    def _term(self, term: Term) -> tuple[Hits, str]:
        tag = (term.tag or "").lower()
        if tag in DATE_TAGS:
            return self._date_range(term.text, term.text, tag)
        if tag and tag not in TEXT_TAGS:
            self.result.fields_not_found.append(term.tag or "")
            tag = ""
        if tag:
            field_name, display = TEXT_TAGS[tag]
            hits = self._field(field_name, term.text)
            shown = (
                term.text if field_name == "uid" else f'"{_display_case(field_name, term.text)}"'
            )
            return self._found(term, hits, f"{shown}[{display}]")
        if term.quoted:
            return self._found(term, self._field("all", term.text), f'"{term.text}"[All Fields]')
        return self._automatic_term_mapping(term)

    def _found(self, term: Term, hits: set[int], text: str) -> tuple[Hits, str]:
        if hits:
            return hits, text
        if term.quoted:
            self.result.quoted_not_found.append(f'"{term.text}"')
        else:
            self.result.phrases_not_found.append(term.text)
        return None, text

    def _date_range(self, low: str, high: str, tag: str) -> tuple[Hits, str]:
        date_field, display = DATE_TAGS.get(tag.lower(), ("pdat", "Date - Publication"))
        low_text, high_text = low.strip('"'), high.strip('"')
        text = (
            f"{low_text}[{display}]"
            if low_text == high_text
            else f"{low_text}:{high_text}[{display}]"
        )
        first, last = date_bound(low_text, upper=False), date_bound(high_text, upper=True)
        if first is None or last is None:
            self.result.phrases_not_found.append(low_text if first is None else high_text)
            return None, text
        hits = self.index.dates[date_field].between(first, last)
        if date_field == "pdat":  # [dp] covers the print and the electronic date
            hits |= self.index.dates["epdat"].between(first, last)
        return hits, text

    def _text(self, key: str, wildcard: bool, fields: tuple[str, ...]) -> set[int]:
        hits: set[int] = set()
        for name in fields:
            text_field = self.index.title if name == "title" else self.index.abstract
            hits |= text_field.prefix(key) if wildcard else text_field.phrase(key)
        return hits

    def _field(self, name: str, raw: str) -> set[int]:
        wildcard = raw.endswith("*")
        key = raw.rstrip("*").lower() if wildcard else phrase_key(raw)
        index = self.index
        if name in ("title", "abstract"):
            return self._text(key, wildcard, (name,))
        if name == "tiab":
            return self._text(key, wildcard, ("title", "abstract"))
        if name in ("mesh", "mesh_noexp", "majr"):
            if name == "mesh_noexp":
                return set(index.mesh.get(key, set()))
            return index.mesh_exploded(key, major=name == "majr")
        if name == "pt":
            return set(index.pubtype.get(key, set()))
        if name == "si":
            return set(index.accession.get(raw.strip().lower(), set()))
        if name == "journal":
            return set(index.journal.get(key, set()))
        if name == "uid":
            return {int(raw)} if raw.isdigit() and int(raw) in self.corpus.by_pmid else set()
        found = self._text(key, wildcard, ("title", "abstract"))
        for other in ("mesh", "pt", "si", "journal"):
            found |= self._field(other, raw)
        return found

    def _automatic_term_mapping(self, term: Term) -> tuple[Hits, str]:
        """Title/abstract phrase OR the MeSH heading of the same words (see README)."""
        typed = term.text.lower()
        wildcard = typed.endswith("*")
        key = typed.rstrip("*") if wildcard else phrase_key(typed)
        hits = self._text(key, wildcard, ("title", "abstract"))
        clauses = []
        for heading in self._mesh_headings(key, wildcard):
            clauses.append(f'"{self.index.mesh_names[heading].lower()}"[MeSH Terms]')
            hits |= self.index.mesh_exploded(heading)
        if wildcard:
            clauses.append(f"{typed}[All Fields]")
        else:
            clauses.extend(f'"{form}"[Title/Abstract]' for form in _surface_forms(typed))
        if not hits:
            self.result.phrases_not_found.append(term.text)
            return None, f"({term.text}[All Fields])"
        mapping = " OR ".join(clauses)
        self.result.translation_set.append((term.text, mapping))
        return hits, f"({mapping})"

    def _mesh_headings(self, key: str, wildcard: bool) -> list[str]:
        if wildcard:
            return []
        headings = [key] if self.index.has_mesh(key) else []
        synonym = MESH_SYNONYMS.get(key)
        if self.corpus.translation_variant >= 1 and synonym and self.index.has_mesh(synonym):
            headings.append(synonym)
        return headings


def _surface_forms(typed: str) -> list[str]:
    """The typed phrase and its other number ("cell"/"cells"), as PubMed lists both."""
    words = typed.split()
    last = words[-1]
    if normalize_token(last) != last:
        other = normalize_token(last)
    elif normalize_token(last + "s") == last:
        other = last + "s"
    else:
        return [typed]
    return [typed, " ".join([*words[:-1], other])]


class QueryEngine:
    """Parses and evaluates queries, with a small cache (the pipeline repeats them)."""

    CACHE_SIZE = 512

    def __init__(self, corpus: PubmedCorpus):
        self.corpus = corpus
        self._cache: OrderedDict[tuple, SearchResult] = OrderedDict()

    def search(self, query: str, window: DateRange | None = None) -> SearchResult:
        """Raises QueryError for a query PubMed would reject."""
        corpus = self.corpus
        key = (corpus.generation, corpus.translation_variant, query, repr(window))
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            return cached
        node = parse(query)
        if window is not None:
            node = BinOp("AND", node, window)
        evaluator = Evaluator(corpus)
        hits, translation = evaluator.run(node)
        result = evaluator.result
        result.pmids = sorted(hits or (), reverse=True)
        result.translation = translation
        self._cache[key] = result
        if len(self._cache) > self.CACHE_SIZE:
            self._cache.popitem(last=False)
        return result


def _display_case(field_name: str, text: str) -> str:
    """PubMed lower-cases words in a translation but keeps accession numbers as typed."""
    return text if field_name == "si" else text.lower()
