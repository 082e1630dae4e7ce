"""NCBI E-utilities client for PubMed: esearch (counts, history) and efetch (records as XML).

Facts it is built on (shared/reference/README.md): 3 requests/s per IP, 10 with an api_key, and
a 429 whose JSON body echoes the key back; many failures arrive as HTTP 200 (an `ERROR` in the
JSON or XML, an HTML maintenance page), and a failure must never be read as a count of 0;
efetch has no JSON, needs retmode=xml, and takes 200 ids or more only by POST.

With an api_key every request is a POST: the key then travels in the body and never in a URL,
which urllib3 logs at DEBUG level (and proxies log too). Messages show URLs with it masked.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit, urlunsplit

import requests

from extract.http import (
    DEFAULT_TIMEOUT,
    ApiError,
    HttpClient,
    RawResponse,
    TransientError,
    redacted_url,
    status_error,
)
from extract.pubmed_parse import parse_esearch_json

DEFAULT_BASE_URL = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils"
# NCBI counts requests over any one-second window; spacing ours a little wider than 1/limit
# keeps loopback and network jitter from ever putting a fourth (or eleventh) request inside it.
RATE_WITHOUT_KEY = 3.0
RATE_WITH_KEY = 10.0
RATE_MARGIN = 0.9  # 4 requests span >= 1.11 s: room for loopback and scheduler jitter
NCBI_WINDOW_SECONDS = 1.0
POST_FROM_IDS = 200  # NCBI: send 200 ids or more by POST
POST_FROM_TERM_CHARS = 2000  # a long term would make an unwieldy URL; esearch takes POST too
MAX_EFETCH_RETMAX = 10_000

# What the history server answers (HTTP 200, an <ERROR> body) for a WebEnv it no longer holds;
# NCBI forgets sessions after a few idle hours. Wording as in sandbox/eutils/README.md.
_HISTORY_GONE = re.compile(rb"Unable to obtain query #\d+")
_ARTICLE_SET_START = re.compile(rb"<PubmedArticleSet[\s>/]")
_ARTICLE_SET_END = re.compile(rb"(</PubmedArticleSet>|<PubmedArticleSet\s*/>)\s*$")


def ncbi_rate(api_key: str | None) -> float:
    """The rate a client keeps to by default: NCBI's limit for a key (or none), less the margin."""
    return (RATE_WITH_KEY if api_key else RATE_WITHOUT_KEY) * RATE_MARGIN


class HistoryExpired(ApiError):
    """efetch's WebEnv is gone from NCBI's history server ("Unable to obtain query #1" in a 200).
    Sending the same request again cannot help (so it is no TransientError): search again."""


@dataclass
class SearchResult:
    """One esearch answer: PubMed's own count and how it read the query."""

    term: str
    count: int
    query_translation: str
    warnings: list[str]
    errors: list[str]
    webenv: str | None
    query_key: str | None
    raw: RawResponse


class EutilsClient:
    """esearch and efetch for PubMed against any base URL (NCBI, the sandbox, a test server)."""

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        *,
        api_key: str | None = None,
        email: str | None = None,
        tool: str = "review-stats",
        requests_per_second: float | None = None,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        max_attempts: int = 6,
        session: requests.Session | None = None,
        throttle: Callable[[], None] | None = None,
    ):
        """`throttle`, when given, is called before every request after this client's own
        rate limiter: NCBI counts per key, so processes sharing a key share one limit
        (flows/clients.py supplies Prefect's; this module stays free of Prefect)."""
        if requests_per_second is None:
            requests_per_second = ncbi_rate(api_key)
        self.http = HttpClient(
            base_url,
            requests_per_second=requests_per_second,
            timeout=timeout,
            max_attempts=max_attempts,
            session=session,
            throttle=throttle,
        )
        if api_key:
            self.http.secrets.append(api_key)
        # NCBI asks every request to say who sends it; the key only raises the rate limit.
        self._identity = {"tool": tool}
        if email:
            self._identity["email"] = email
        if api_key:
            self._identity["api_key"] = api_key

    @property
    def stats(self):
        return self.http.stats

    def search(self, term: str, *, usehistory: bool = False) -> SearchResult:
        """esearch retmode=json retmax=0: the count and translation (and a history set)."""
        params = {"db": "pubmed", "term": term, "retmode": "json", "retmax": "0"}
        if usehistory:
            params["usehistory"] = "y"
        method = self._method(long=len(term) >= POST_FROM_TERM_CHARS)
        raw = self.http.call(
            "esearch.fcgi", self._with_identity(params), _check_esearch, method=method
        )
        parsed = parse_esearch_json(raw.body)
        return SearchResult(
            term=term,
            count=parsed["count"],
            query_translation=parsed["query_translation"],
            warnings=parsed["warnings"],
            errors=parsed["errors"],
            webenv=parsed["webenv"],
            query_key=parsed["query_key"],
            raw=raw,
        )

    def fetch_articles_xml(
        self,
        *,
        webenv: str | None = None,
        query_key: str | None = None,
        ids: list[str] | None = None,
        retstart: int = 0,
        retmax: int = 500,
    ) -> RawResponse:
        """efetch db=pubmed retmode=xml, from a history set (WebEnv + query_key) or by ids."""
        params: dict[str, str] = {"db": "pubmed", "retmode": "xml"}
        many_ids = False
        if ids is not None:
            if not ids:
                raise ValueError("fetch_articles_xml: an empty id list fetches nothing")
            params["id"] = ",".join(ids)
            many_ids = len(ids) >= POST_FROM_IDS
        elif webenv and query_key:
            params.update(
                WebEnv=webenv,
                query_key=query_key,
                retstart=str(retstart),
                retmax=str(min(retmax, MAX_EFETCH_RETMAX)),
            )
        else:
            raise ValueError("fetch_articles_xml needs ids, or webenv and query_key")
        return self.http.call(
            "efetch.fcgi", self._with_identity(params), _check_efetch, method=self._method(many_ids)
        )

    def _method(self, long: bool) -> str:
        return "POST" if long or "api_key" in self._identity else "GET"

    def _with_identity(self, params: dict[str, str]) -> dict[str, str]:
        return {**params, **self._identity}


def _shown(response: requests.Response) -> str:
    """The request as a URL (a POST's form included) with its api_key masked, for messages."""
    parts = urlsplit(response.url)
    base = urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
    params = parse_qsl(parts.query, keep_blank_values=True)
    form = response.request.body if response.request is not None else None
    if form:
        params += parse_qsl(form if isinstance(form, str) else form.decode(), True)
    return redacted_url(base, params)


def _check_status(response: requests.Response) -> None:
    if response.status_code != 200:
        error = status_error(response, _shown(response))
        if response.status_code == 429 and getattr(error, "retry_after", 0) is None:
            # NCBI's 429 names no Retry-After; its window is one second, so wait that long
            error.retry_after = NCBI_WINDOW_SECONDS
        raise error
    content_type = response.headers.get("content-type", "").lower()
    if "html" in content_type:
        # a maintenance page (or efetch's ASN.1-in-HTML) with a 200 is no answer
        raise TransientError(f"HTML page instead of data (HTTP 200) from {_shown(response)}")


def _check_esearch(response: requests.Response) -> None:
    """Raise unless the body is an esearch result with a count (parsing it is cheap)."""
    _check_status(response)
    try:
        parse_esearch_json(response.content)
    except TransientError as exc:
        raise TransientError(f"{exc} from {_shown(response)}") from None


def _check_efetch(response: requests.Response) -> None:
    """Raise unless the body is a whole PubmedArticleSet without an NCBI ERROR in it.

    Structural checks only (the parse happens once, in the harvest): an `<ERROR>` element, an
    eFetchResult, an HTML page, or a body cut short before its closing tag are all retried,
    except an expired WebEnv (HistoryExpired), which only a new search mends.
    """
    _check_status(response)
    body = response.content
    shown = _shown(response)
    if b"<ERROR>" in body:
        message = body.split(b"<ERROR>", 1)[1].split(b"</ERROR>", 1)[0][:200]
        if _HISTORY_GONE.search(message):
            raise HistoryExpired(f"WebEnv expired: {message.decode('utf-8', 'replace')}: {shown}")
        raise TransientError(f"NCBI error in a 200: {message.decode('utf-8', 'replace')}: {shown}")
    if not _ARTICLE_SET_START.search(body[:4096]):
        raise TransientError(
            f"efetch answer is not a PubmedArticleSet ({len(body)} bytes): {shown}"
        )
    if not _ARTICLE_SET_END.search(body[-256:]):
        raise TransientError(f"efetch answer cut short ({len(body)} bytes): {shown}")
