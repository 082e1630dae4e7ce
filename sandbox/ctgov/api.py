"""ClinicalTrials.gov API v2 over the sandbox corpus: /studies, /studies/{nctId}, /version.

Errors follow the real service: 400 and 404 are text/plain; an unknown `fields` name is a 500
every time. Query results are evaluated once per distinct query (the ordered row list is
cached until the corpus changes), so paging through a large result is linear.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re

from sandbox.ctgov import essie
from sandbox.ctgov.corpus import STATUSES, CtgovCorpus
from sandbox.ctgov.fields import FieldsError, UnknownField, parse_fields, project
from sandbox.reply import Params, Reply, json_reply, param, param_values, text_reply

API_VERSION = "2.0.5"
QUERY_AREAS = {
    "query.cond": "cond",
    "query.term": "term",
    "query.locn": "locn",
    "query.titles": "titles",
    "query.intr": "intr",
    "query.outc": "outc",
    "query.spons": "spons",
    "query.lead": "lead",
    "query.id": "id",
    "query.patient": "patient",
}
_FILTERS = (
    "filter.overallStatus",
    "filter.ids",
    "filter.advanced",
    "filter.geo",
    "filter.synonyms",
)
_POST_FILTERS = tuple("postFilter." + name.split(".")[1] for name in _FILTERS)
_PAGING = ("countTotal", "pageSize", "pageToken")
STUDIES_PARAMS = frozenset(
    [
        *QUERY_AREAS,
        *_FILTERS,
        *_POST_FILTERS,
        *_PAGING,
        "format",
        "markupFormat",
        "aggFilters",
        "geoDecay",
        "fields",
        "sort",
    ]
)
STUDY_PARAMS = frozenset(["format", "markupFormat", "fields"])
_UNSUPPORTED = (
    "filter.geo",
    "postFilter.geo",
    "filter.synonyms",
    "postFilter.synonyms",
    "aggFilters",
)
# Parameters that define the result set: a page token is bound to them.
_QUERY_KEYS = (*QUERY_AREAS, *_FILTERS, *_POST_FILTERS, "sort")
_SORTABLE = {
    "studyfirstpostdate": ("first_post", True),
    "lastupdatepostdate": ("last_update", True),
    "startdate": ("start", True),
    "primarycompletiondate": ("primary_completion", True),
    "completiondate": ("completion", True),
    "enrollmentcount": ("enrollment", False),
}
_NCT_RE = re.compile(r"^[Nn][Cc][Tt]0*([1-9]\d{0,7})$")
_CACHE_SIZE = 32


class BadRequest(ValueError):
    """Answered as HTTP 400 text/plain."""


def _nct(raw: str) -> str:
    match = _NCT_RE.match(raw.strip())
    if not match:
        raise BadRequest(f"Invalid NCT number: {raw}")
    return f"NCT{int(match.group(1)):08d}"


def _split(value: str, pattern: str = r"[,|]") -> list[str]:
    return [item.strip() for item in re.split(pattern, value) if item.strip()]


def _check_params(params: Params, allowed: frozenset[str]) -> None:
    for name, _ in params:
        if name not in allowed:
            raise BadRequest(f"`{name}` is unknown parameter")


def _check_format(params: Params, supported: tuple[str, ...]) -> None:
    fmt = param(params, "format", "json")
    if fmt in supported:
        raise BadRequest(f"format={fmt} is not supported by the sandbox (use json)")
    if fmt != "json":
        raise BadRequest(f"`format` has invalid value: {fmt}")
    markup = param(params, "markupFormat", "markdown")
    if markup not in ("markdown", "legacy"):
        raise BadRequest(f"`markupFormat` has invalid value: {markup}")


def _page_size(params: Params) -> int:
    raw = param(params, "pageSize")
    if raw is None:
        return 10
    try:
        size = int(raw)
    except ValueError:
        raise BadRequest(f"`pageSize` must be an integer: {raw}") from None
    if size < 0:
        raise BadRequest(f"`pageSize` must not be negative: {raw}")
    return min(size, 1000) if size else 10  # 0 means the default, as the spec says


def _count_total(params: Params) -> bool:
    raw = param(params, "countTotal", "false").lower()
    if raw not in ("true", "false"):
        raise BadRequest(f"`countTotal` must be true or false: {raw}")
    return raw == "true"


def _dumps(obj: object) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class CtgovApi:
    def __init__(self, corpus: CtgovCorpus):
        self.corpus = corpus
        self._cache: dict[tuple, list[int]] = {}
        self._cache_version = corpus.version

    def handle(
        self,
        subpath: str,
        params: Params,
        *,
        trailing_empty_page: bool = False,
        empty_midstream: bool = False,
    ) -> Reply:
        """The answer to GET /api/v2{subpath}. Fault modes (server.py sets them): a token after
        an exactly full last page (`trailing_empty_page`); this page empty, its token leading
        on to the studies it held back (`empty_midstream`)."""
        path = "/" + subpath.strip("/")
        try:
            if path == "/version":
                return json_reply(
                    {"apiVersion": API_VERSION, "dataTimestamp": self.corpus.data_timestamp}
                )
            if path == "/studies":
                return self._studies(params, trailing_empty_page, empty_midstream)
            if path.startswith("/studies/") and path.count("/") == 2:
                return self._study(path.rsplit("/", 1)[1], params)
        except BadRequest as exc:
            return text_reply(400, str(exc))
        except FieldsError as exc:
            return text_reply(400, str(exc))
        except UnknownField as exc:
            return text_reply(500, f"Unknown field in `fields`: {exc.name}")
        return text_reply(404, f"Not found: /api/v2{path}")

    # --- /studies/{nctId} ---

    def _study(self, raw_id: str, params: Params) -> Reply:
        if raw_id in ("metadata", "search-areas", "enums"):
            return text_reply(404, f"/studies/{raw_id} is not available in the sandbox")
        _check_params(params, STUDY_PARAMS)
        nct_id = _nct(raw_id)
        _check_format(params, ("csv", "json.zip", "fhir.json", "ris"))
        tree = parse_fields(param_values(params, "fields"))
        row = self.corpus.index.row_of.get(nct_id)
        if row is None:
            return text_reply(404, f"Study {nct_id} not found")
        if tree is None:
            body = self.corpus.record_bytes(row)
        else:
            body = _dumps(project(self.corpus.record(row), tree))
        return Reply(200, body, "application/json; charset=utf-8")

    # --- /studies ---

    def _studies(self, params: Params, trailing_empty_page: bool, empty_midstream: bool) -> Reply:
        _check_params(params, STUDIES_PARAMS)
        _check_format(params, ("csv",))
        for name in _UNSUPPORTED:
            if param(params, name):
                raise BadRequest(f"`{name}` is not supported by the sandbox")
        tree = parse_fields(param_values(params, "fields"))
        size, count_total = _page_size(params), _count_total(params)
        key = tuple((name, value.strip()) for name, value in params if name in _QUERY_KEYS)
        key = tuple(sorted(key))
        digest = hashlib.sha256(repr(key).encode()).hexdigest()[:16]
        token = param(params, "pageToken")
        offset, hop = (0, 0) if token is None else _token_position(token, digest)
        rows = self._matches(key, params)
        if empty_midstream:
            # The spec: "A page may have empty `studies` array", and only the last page lacks a
            # token. A new token each time (hop), as the real ones never repeat.
            page, next_token = [], _make_token(offset, digest, hop + 1)
        else:
            page = rows[offset : offset + size]
            end = offset + size
            full_last = trailing_empty_page and end == len(rows) and len(page) == size
            next_token = _make_token(end, digest) if end < len(rows) or full_last else None
        parts = [b'{"studies":[', b",".join(self._study_json(row, tree) for row in page), b"]"]
        if next_token:
            parts.append(b',"nextPageToken":"' + next_token.encode() + b'"')
        if count_total and token is None:
            parts.append(b',"totalCount":' + str(len(rows)).encode())
        parts.append(b"}")
        return Reply(200, b"".join(parts), "application/json; charset=utf-8")

    def _study_json(self, row: int, tree: dict | None) -> bytes:
        if tree is None:
            return self.corpus.record_bytes(row)
        return _dumps(project(self.corpus.record(row), tree))

    def _matches(self, key: tuple, params: Params) -> list[int]:
        """Ordered matching rows, cached per query until the corpus changes."""
        if self._cache_version != self.corpus.version:
            self._cache.clear()
            self._cache_version = self.corpus.version
        rows = self._cache.get(key)
        if rows is None:
            rows = self._order(self._evaluate(params), param(params, "sort"))
            if len(self._cache) >= _CACHE_SIZE:
                self._cache.pop(next(iter(self._cache)))
            self._cache[key] = rows
        return rows

    def _evaluate(self, params: Params) -> set[int]:
        index = self.corpus.index
        nodes: list[essie.Node] = []
        ids_only = False
        for name, area in QUERY_AREAS.items():
            value = param(params, name)
            if value and value.strip():
                node, is_ids = _query_node(value, area)
                nodes.append(node)
                ids_only = ids_only or is_ids
        allowed: set[int] | None = None
        if not ids_only:  # the spec: a query of only NCT ids makes the API ignore filters
            nodes += _filter_nodes(params)
            allowed = self._id_filter(params)
        result = index.all_rows() if allowed is None else allowed
        for node in sorted(nodes, key=lambda n: isinstance(n, essie.Not)):
            if not result:
                break
            result &= essie.evaluate(node, index)
        return result

    def _id_filter(self, params: Params) -> set[int] | None:
        result = None
        for name in ("filter.ids", "postFilter.ids"):
            value = param(params, name)
            if value is None:
                continue
            ids = {_nct(item) for item in _split(value, r"[,|\s]+")}
            rows = {self.corpus.index.row_of[i] for i in ids if i in self.corpus.index.row_of}
            result = rows if result is None else result & rows
        return result

    def _order(self, rows: set[int], sort: str | None) -> list[int]:
        """NCT id order by default (and for @relevance); date/number sorts are stable."""
        index = self.corpus.index
        ordered = sorted(rows, key=index.nct_ids.__getitem__)
        items = _split(sort) if sort else []
        if len(items) > 2:
            raise BadRequest("`sort` takes at most 2 items")
        for item in reversed(items):
            name, _, direction = item.partition(":")
            if direction not in ("", "asc", "desc"):
                raise BadRequest(f"`sort` has invalid direction: {item}")
            if name == "@relevance":
                continue
            if name.casefold() not in _SORTABLE:
                raise BadRequest(f"`sort` by {name} is not supported by the sandbox")
            column_name, desc_default = _SORTABLE[name.casefold()]
            column = index.columns[column_name]
            desc = direction == "desc" or (direction == "" and desc_default)
            present = [row for row in ordered if column[row] >= 0]
            missing = [row for row in ordered if column[row] < 0]
            ordered = sorted(present, key=column.__getitem__, reverse=desc) + missing
        return ordered


def _query_node(value: str, area: str) -> tuple[essie.Node, bool]:
    """The parsed query and whether it was a bare list of NCT ids (then an OR of them)."""
    items = _split(value, r"[,\s]+")
    if items and all(_NCT_RE.match(item) for item in items):
        terms = tuple(essie.Term("id", (_nct(item).casefold(),)) for item in items)
        return (terms[0] if len(terms) == 1 else essie.Or(terms)), True
    try:
        node = essie.parse(value, area)
    except essie.EssieError as exc:
        raise BadRequest(f"Invalid query in search parameter: {exc}") from None
    assert node is not None
    return node, False


def _filter_nodes(params: Params) -> list[essie.Node]:
    nodes: list[essie.Node] = []
    for name in ("filter.overallStatus", "postFilter.overallStatus"):
        value = param(params, name)
        if value is None:
            continue
        statuses = _split(value)
        bad = [s for s in statuses if s not in STATUSES]
        if bad or not statuses:
            raise BadRequest(f"`{name}` has invalid value: {value}")
        nodes.append(essie.Or(tuple(essie.Term("status", (s.casefold(),)) for s in statuses)))
    for name in ("filter.advanced", "postFilter.advanced"):
        value = param(params, name)
        if value and value.strip():
            try:
                node = essie.parse(value, "term")
            except essie.EssieError as exc:
                raise BadRequest(f"Invalid `{name}`: {exc}") from None
            if node is not None:
                nodes.append(node)
    return nodes


def _make_token(offset: int, digest: str, hop: int = 0) -> str:
    """urlsafe base64 of `offset:digest`, plus `:hop` for the n-th empty page met on the way
    to that offset (so no token repeats)."""
    text = f"{offset}:{digest}" + (f":{hop}" if hop else "")
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _token_position(token: str, digest: str) -> tuple[int, int]:
    """(offset, hop) a page token encodes; 400 if it is garbled or made for other parameters."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        offset_text, token_digest, *rest = raw.split(":")
        offset, hop = int(offset_text), int(rest[0]) if rest else 0
        if len(rest) > 1:
            raise ValueError(raw)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise BadRequest(f"Invalid pageToken: {token}") from None
    if token_digest != digest or offset < 0 or hop < 0:
        raise BadRequest("pageToken does not belong to these query parameters")
    return offset, hop
