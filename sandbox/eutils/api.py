"""E-utilities endpoints over the synthetic PubMed: esearch, efetch, esummary, einfo.

`EutilsApi.handle(endpoint, params)` is all the server calls. Rate limits and fault injection
live in the server; `api_key`, `tool` and `email` are accepted and ignored here.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import OrderedDict
from pathlib import Path

from sandbox.eutils import render, render_summary
from sandbox.eutils.corpus import PubmedCorpus, ymd
from sandbox.eutils.query import (
    DATE_TAGS,
    DateRange,
    QueryEngine,
    QueryError,
    SearchResult,
    date_bound,
)
from sandbox.reply import (
    Params,
    Reply,
    html_reply,
    json_reply,
    param,
    param_values,
    text_reply,
    xml_reply,
)

NO_RETMODE_PAGE = Path(__file__).resolve().parent.parent / "data" / "efetch_no_retmode.html"
PUBMED_RETSTART_LIMIT = 9998  # PubMed serves only the first 9,999 records of a search
RETMAX_LIMIT = 10_000
ESUMMARY_JSON_LIMIT = 500
RETSTART_ERROR = (
    "Search Backend failed: Exception:\n'retstart' cannot be larger than 9998. For PubMed, "
    "ESearch can only retrieve the first 9,999 records matching the query. To obtain more "
    "than 9,999 PubMed records, consider using EDirect that contains additional logic to "
    "batch PubMed search results automatically so that an arbitrary number can be retrieved. "
    "For details see https://www.ncbi.nlm.nih.gov/books/NBK25499/"
)
ESUMMARY_LIMIT_ERROR = (
    "Too many UIDs in request. Maximum number of UIDs is 500 for JSON format output."
)
EMPTY_IDS = "Empty id list - nothing todo"
XML_RETTYPES = ("", "xml", "full", "abstract", "medline")


class ParamError(ValueError):
    """A request the real service answers with an ERROR body."""


class History:
    """The Entrez history server: WebEnv -> stored result sets (query_key 1, 2, ...)."""

    MAX_WEBENVS = 2000  # oldest sessions are forgotten, as the real ones expire

    def __init__(self) -> None:
        self._sessions: OrderedDict[str, list[list[int]]] = OrderedDict()
        self._counter = 0

    def store(self, webenv: str | None, pmids: list[int]) -> tuple[str, int]:
        if not webenv or webenv not in self._sessions:
            self._counter += 1
            webenv = f"MCID_{0x6927D6E7FEE3E90F00000000 + self._counter:024x}"
            self._sessions[webenv] = []
            if len(self._sessions) > self.MAX_WEBENVS:
                self._sessions.popitem(last=False)
        self._sessions[webenv].append(pmids)
        return webenv, len(self._sessions[webenv])

    def forget(self, webenv: str | None) -> None:
        """Expire a session now, as NCBI's do after some idle hours (fault `expired-webenv`)."""
        self._sessions.pop(webenv or "", None)

    def get(self, webenv: str | None, query_key: str | None) -> list[int]:
        sets = self._sessions.get(webenv or "")
        number = int(query_key) if query_key and query_key.isdigit() else 1
        if not sets or not 1 <= number <= len(sets):
            raise ParamError(f"Unable to obtain query #{number}")
        return sets[number - 1]


def _int_param(params: Params, name: str, default: int) -> int:
    value = (param(params, name) or "").strip()
    return int(value) if value.isdigit() else default


def _wants_json(params: Params) -> bool:
    return (param(params, "retmode") or "xml").strip().lower() == "json"


def _ids(params: Params) -> list[int]:
    """`id` values (repeated and/or comma-separated), in order, without repeats."""
    ids: list[int] = []
    for value in param_values(params, "id"):
        ids.extend(int(token) for token in re.split(r"[,\s]+", value) if token.isdigit())
    return list(dict.fromkeys(ids))


class EutilsApi:
    def __init__(self, corpus: PubmedCorpus):
        self.corpus = corpus
        self.engine = QueryEngine(corpus)
        self.history = History()
        self._no_retmode_page: bytes | None = None

    @property
    def today(self) -> int:
        return ymd(self.corpus.today)

    def handle(
        self, endpoint: str, params: Params, *, short_by: int = 0, expire_webenv: bool = False
    ) -> Reply:
        """The answer to /entrez/eutils/{endpoint}. Fault modes (server.py sets them): the
        WebEnv the request names is forgotten first (`expire_webenv`), so this request and every
        later one naming it get "Unable to obtain query #1" in a 200; an efetch page lacks its
        last `short_by` records, still HTTP 200 (`short_by`)."""
        name = endpoint.strip("/").removesuffix(".fcgi")
        handler = {
            "esearch": self.esearch,
            "efetch": self.efetch,
            "esummary": self.esummary,
            "einfo": self.einfo,
        }.get(name)
        if handler is None:
            return text_reply(404, f"Not Found: {endpoint}")
        if expire_webenv:
            self.history.forget(param(params, "WebEnv"))
        if name == "efetch":
            return self.efetch(params, short_by=short_by)
        return handler(params)

    # ---- esearch --------------------------------------------------------------------------

    def esearch(self, params: Params) -> Reply:
        as_json = _wants_json(params)
        try:
            return self._esearch(params, as_json)
        except (ParamError, QueryError) as error:
            if as_json:
                return json_reply(render.esearch_error_json(str(error)))
            return xml_reply(render.error_body("eSearchResult", str(error)))

    def _esearch(self, params: Params, as_json: bool) -> Reply:
        _check_db(params)
        term = (param(params, "term") or "").strip()
        webenv, query_key = param(params, "WebEnv"), param(params, "query_key")
        if not term and not query_key:
            raise ParamError("Empty term and query_key - nothing todo")
        window = self._date_window(params)
        result = self.engine.search(term, window) if term else None
        if query_key:
            result = self._restrict_to_history(result, webenv, query_key)
        assert result is not None
        if (param(params, "rettype") or "").lower() == "count":
            count = result.count
            if as_json:
                return json_reply(render.esearch_count_json(count))
            return xml_reply(render.esearch_count_xml(count))
        page = self._page(params, result)
        if (param(params, "usehistory") or "").lower() == "y":
            page.webenv, page.query_key = self.history.store(webenv, result.pmids)
        if as_json:
            return json_reply(render.esearch_json(page))
        return xml_reply(render.esearch_xml(page))

    def _page(self, params: Params, result: SearchResult) -> render.EsearchPage:
        retstart = _int_param(params, "retstart", 0)
        retmax = min(_int_param(params, "retmax", 20), RETMAX_LIMIT)
        if retstart > PUBMED_RETSTART_LIMIT and result.count > PUBMED_RETSTART_LIMIT + 1:
            raise ParamError(RETSTART_ERROR)
        stop = min(retstart + retmax, PUBMED_RETSTART_LIMIT + 1)
        return render.EsearchPage(result, retstart, result.pmids[retstart:stop])

    def _restrict_to_history(
        self, result: SearchResult | None, webenv: str | None, query_key: str
    ) -> SearchResult:
        """`WebEnv` + `query_key` on esearch: AND the term with a stored set."""
        stored = self.history.get(webenv, query_key)
        if result is None:
            return SearchResult(list(stored), f"#{query_key}")
        kept = set(stored)
        return SearchResult(
            [p for p in result.pmids if p in kept],
            f"#{query_key} AND ({result.translation})",
            list(result.translation_set),
            list(result.phrases_not_found),
            list(result.quoted_not_found),
            list(result.fields_not_found),
        )

    def _date_window(self, params: Params) -> DateRange | None:
        """datetype + mindate/maxdate (both required) or reldate, as an extra AND clause."""
        datetype = (param(params, "datetype") or "pdat").strip().lower()
        if datetype not in DATE_TAGS:
            raise ParamError(f"Invalid datetype: {datetype}")
        low, high = param(params, "mindate"), param(params, "maxdate")
        if low or high:
            if not (low and high):
                raise ParamError("Both mindate and maxdate must be specified")
            first, last = date_bound(low, upper=False), date_bound(high, upper=True)
            if first is None or last is None:
                raise ParamError(f"Invalid date range: {low} - {high}")
            return DateRange(_slashed(first), _slashed(min(last, _month_end(last))), datetype)
        reldate = (param(params, "reldate") or "").strip()
        if reldate.isdigit():
            start = self.corpus.today - dt.timedelta(days=int(reldate))
            return DateRange(_slashed(ymd(start)), _slashed(self.today), datetype)
        return None

    # ---- efetch / esummary ----------------------------------------------------------------

    def _requested_ids(self, params: Params) -> list[int]:
        ids = _ids(params)
        if ids:
            return ids
        if param(params, "query_key") or param(params, "WebEnv"):
            stored = self.history.get(param(params, "WebEnv"), param(params, "query_key"))
            retstart = _int_param(params, "retstart", 0)
            retmax = min(_int_param(params, "retmax", 20), RETMAX_LIMIT)
            # History retrieval for PubMed stops at the first 9,999 records.
            return stored[retstart : min(retstart + retmax, PUBMED_RETSTART_LIMIT + 1)]
        raise ParamError(EMPTY_IDS)

    def efetch(self, params: Params, *, short_by: int = 0) -> Reply:
        try:
            _check_db(params)
            ids = self._requested_ids(params)
        except ParamError as error:
            return xml_reply(render.error_body("eFetchResult", str(error)))
        if short_by:
            ids = ids[: max(len(ids) - short_by, 0)]
        retmode = (param(params, "retmode") or "").strip().lower()
        rettype = (param(params, "rettype") or "").strip().lower()
        if retmode != "xml" or rettype not in XML_RETTYPES:
            return html_reply(self._html_page())  # what PubMed sends without retmode=xml
        articles = [a for a in (self.corpus.get(pmid) for pmid in ids) if a is not None]
        return xml_reply(render.pubmed_article_set(articles, self.today))

    def _html_page(self) -> bytes:
        if self._no_retmode_page is None:
            self._no_retmode_page = NO_RETMODE_PAGE.read_bytes()
        return self._no_retmode_page

    def esummary(self, params: Params) -> Reply:
        as_json = _wants_json(params)
        header = render_summary.ESUMMARY_JSON_HEADER
        try:
            _check_db(params)
            ids = self._requested_ids(params)
        except ParamError as error:
            if as_json:
                return json_reply({"header": header, "esummaryresult": [str(error)]})
            return xml_reply(render.error_body("eSummaryResult", str(error)))
        if as_json:
            if len(ids) > ESUMMARY_JSON_LIMIT:
                return json_reply({"header": header, "error": ESUMMARY_LIMIT_ERROR})
            uids = [str(pmid) for pmid in ids]
            found = {str(p): a for p in ids if (a := self.corpus.get(p)) is not None}
            return json_reply(render_summary.esummary_json(uids, found, self.today))
        articles = [a for a in (self.corpus.get(pmid) for pmid in ids) if a is not None]
        return xml_reply(render_summary.esummary_xml(articles, self.today))

    # ---- einfo ----------------------------------------------------------------------------

    def einfo(self, params: Params) -> Reply:
        db = (param(params, "db") or "").strip().lower()
        as_json = _wants_json(params)
        if db and db != "pubmed":
            message = f"Invalid DB name: {db}"
            if as_json:
                return json_reply(
                    {
                        "header": {"type": "einfo", "version": "0.3"},
                        "einforesult": {"ERROR": message},
                    }
                )
            return xml_reply(render.error_body("eInfoResult", message))
        count = len(self.corpus) if db else None
        if as_json:
            return json_reply(render_summary.einfo_json(count, self.today))
        return xml_reply(render_summary.einfo_xml(count, self.today))


def _check_db(params: Params) -> None:
    db = (param(params, "db") or "pubmed").strip().lower()
    if db != "pubmed":
        raise ParamError(f"Invalid db name specified: {db}")


def _slashed(value: int) -> str:
    return f"{value // 10000}/{value // 100 % 100:02d}/{value % 100:02d}"


def _month_end(value: int) -> int:
    """Clamp an upper bound like 2022/02/31 to the month's real last day."""
    year, month = value // 10000, value // 100 % 100
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return ymd(following - dt.timedelta(days=1))
