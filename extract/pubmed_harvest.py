"""Which E-utilities requests a PubMed refresh of one query makes. A plan yields typed items
(a search, a year's count, a batch of articles, and last the harvest's summary); the flow lands
each one with a single call.

Requests (each an esearch with retmax=0, or an efetch page):
- `current`: the query as typed, with usehistory=y, so the same answer gives the count, the
  QueryTranslation and the history set the records are fetched from [1];
- `cutoff`: the query ANDed with `1800/01/01:<cutoff>[crdt]` [1];
- records: efetch pages of `batch_size` from the history set [count / batch_size]. PubMed serves
  only the first 9,999 records of a search, so a larger query is split into create-date
  windows, each searched with usehistory=y and fetched on its own [windows + pages];
- per publication year Y, PubMed's own count of `(<query>) AND Y:Y[dp]` from the first year the
  records carry to the current year, and the same with the cut-off [one per year and scope].
The distinct PMIDs fetched must equal the current count, or the harvest fails: a short list is
never handed on as if it were the query's answer. Two failures that arrive as HTTP 200 are
mended on the way (issue 11): an efetch page with fewer records than the count promises is asked
again at once [+1 each], and a WebEnv the history server has forgotten is replaced by searching
again [+1 esearch each], as long as the new search counts the same.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

from extract.eutils import EutilsClient, HistoryExpired, SearchResult
from extract.http import RawResponse
from extract.pubmed_parse import parse_articles

HISTORY_LIMIT = 9_999  # esearch/efetch reach only this many records of one search
SHORT_PAGE_RETRIES = 2  # a page short of records is asked again at once, this many times
RESEARCHES_PER_WINDOW = 2  # new searches for a WebEnv that expired, per history set
FIRST_CREATE_DATE = date(1800, 1, 1)
REQUEST_KINDS = {"esearch.fcgi": "esearch", "efetch.fcgi": "efetch"}


class HarvestMismatch(Exception):
    """The records fetched do not add up to PubMed's own count for the query."""


@dataclass
class PubmedHarvest:
    """What one query's harvest did (JSON-serializable, for the run summary and the note)."""

    term: str
    current_count: int = 0
    cutoff_count: int = 0
    pmids_fetched: int = 0  # distinct; equals current_count when the harvest returns
    batches: int = 0
    windows: list[str] = field(default_factory=list)  # [crdt] ranges searched for records
    years_current: list[int] = field(default_factory=list)
    years_cutoff: list[int] = field(default_factory=list)
    dp_sum_current: int = 0  # sum of the per-year [dp] counts (>= count: two-year records)
    dp_sum_cutoff: int = 0
    requests: dict[str, int] = field(default_factory=dict)  # by kind, retries included
    retries: int = 0


@dataclass(frozen=True)
class SearchItem:
    scope: str  # current, cutoff
    result: SearchResult


@dataclass(frozen=True)
class YearCountItem:
    scope: str
    year: int
    result: SearchResult


@dataclass(frozen=True)
class ArticlesItem:
    batch_no: int
    raw: RawResponse  # the efetch XML as received
    articles: list[dict]


PubmedItem = SearchItem | YearCountItem | ArticlesItem | PubmedHarvest


def crdt_range(first: date, last: date) -> str:
    return f"{first:%Y/%m/%d}:{last:%Y/%m/%d}[crdt]"


def plan_pubmed_query(
    client: EutilsClient, term: str, cutoff: date, current_year: int, batch_size: int = 500
) -> Iterator[PubmedItem]:
    """Every search, year count and article batch of one query, in the order they are made;
    the last item is the harvest's PubmedHarvest summary."""
    before = _stats_snapshot(client)
    summary = PubmedHarvest(term)
    current = client.search(term, usehistory=True)
    yield SearchItem("current", current)
    summary.current_count = current.count
    cutoff_result = client.search(f"({term}) AND {crdt_range(FIRST_CREATE_DATE, cutoff)}")
    yield SearchItem("cutoff", cutoff_result)
    summary.cutoff_count = cutoff_result.count

    fetcher = _RecordFetcher(client, batch_size)
    last_day = date(max(current_year, date.today().year), 12, 31)
    if current.count <= HISTORY_LIMIT:
        yield from fetcher.fetch(current)
        summary.windows.append(crdt_range(FIRST_CREATE_DATE, last_day))
    else:
        summary.windows += yield from _fetch_by_windows(client, term, fetcher, last_day,
                                                        current.count)
    if len(fetcher.pmids) != current.count:
        raise HarvestMismatch(
            f"PubMed counts {current.count} records for {term!r} but {len(fetcher.pmids)} "
            f"distinct PMIDs were fetched; not publishing a partial list"
        )
    summary.pmids_fetched = len(fetcher.pmids)
    summary.batches = fetcher.batch_no

    if fetcher.first_year is not None:
        last_current = max(current_year, fetcher.last_year or current_year)
        last_cutoff = max(min(current_year, cutoff.year + 1),
                          fetcher.last_year_created_by(cutoff) or cutoff.year)
        yield from _count_years(client, term, cutoff, fetcher.first_year,
                                (last_current, last_cutoff), summary)
    _add_request_counts(client, before, summary)
    yield summary


@dataclass
class _HistorySet:
    """Where a search's records are fetched from; a new search replaces an expired WebEnv."""

    search: SearchResult
    webenv: str | None
    query_key: str | None
    researches: int = 0


class _RecordFetcher:
    """efetch pages of history sets; numbers the batches and keeps the PMIDs and first year."""

    def __init__(self, client: EutilsClient, batch_size: int):
        self.client = client
        self.batch_size = batch_size
        self.batch_no = 0
        self.pmids: set[str] = set()
        self.first_year: int | None = None
        # the latest year any record counts in, overall and among records created by the
        # cut-off: a print date can be next year's, and PubMed must be asked for that year too
        self.last_year: int | None = None
        self.last_year_by_create: dict[str, int] = {}

    def fetch(self, search: SearchResult) -> Iterator[ArticlesItem]:
        if search.count and not (search.webenv and search.query_key):
            raise HarvestMismatch(f"esearch usehistory=y gave no WebEnv for {search.term!r}")
        history = _HistorySet(search, search.webenv, search.query_key)
        reachable = min(search.count, HISTORY_LIMIT)
        for retstart in range(0, reachable, self.batch_size):
            expected = min(self.batch_size, reachable - retstart)
            raw, articles = self._whole_page(history, retstart, expected)
            self.batch_no += 1
            self._note(articles)
            yield ArticlesItem(self.batch_no, raw, articles)

    def _whole_page(self, history: _HistorySet, retstart: int, expected: int):
        """(raw page, articles) holding all `expected` records. efetch can answer 200 with
        fewer (issue 11); the history set has not changed, so the same request is sent again
        at once rather than the run failing at the end on the count."""
        for attempt in range(1 + SHORT_PAGE_RETRIES):
            if attempt:
                self.client.stats.retries += 1
            raw = self._fetch_page(history, retstart)
            articles = parse_articles(raw.body)
            if len(articles) >= expected:
                return raw, articles
        raise HarvestMismatch(
            f"efetch gave {len(articles)} of the {expected} records at retstart {retstart} of "
            f"{history.search.term!r} (PubMed counts {history.search.count}), "
            f"{1 + SHORT_PAGE_RETRIES} times; not publishing a partial list"
        )

    def _fetch_page(self, history: _HistorySet, retstart: int) -> RawResponse:
        while True:
            try:
                return self.client.fetch_articles_xml(
                    webenv=history.webenv,
                    query_key=history.query_key,
                    retstart=retstart,
                    retmax=self.batch_size,
                )
            except HistoryExpired as expired:
                self._search_again(history, expired)

    def _search_again(self, history: _HistorySet, expired: HistoryExpired) -> None:
        """A fresh WebEnv for the same term. The reference README: failures come back as 200s;
        this one ("Unable to obtain query #1") will not mend by asking again. A new search
        that counts otherwise is another answer, and two answers are never mixed."""
        search = history.search
        if history.researches >= RESEARCHES_PER_WINDOW:
            raise HistoryExpired(
                f"{expired} (searched {search.term!r} again {history.researches} times)"
            ) from None
        history.researches += 1
        self.client.stats.retries += 1
        again = self.client.search(search.term, usehistory=True)
        if again.count != search.count:
            raise HarvestMismatch(
                f"PubMed counted {search.count} records for {search.term!r}, then "
                f"{again.count} when searched again for a new WebEnv; not mixing two answers"
            )
        if not (again.webenv and again.query_key):
            raise HarvestMismatch(f"esearch usehistory=y gave no WebEnv for {search.term!r}")
        history.webenv, history.query_key = again.webenv, again.query_key

    def _note(self, articles: list[dict]) -> None:
        for article in articles:
            self.pmids.add(article["pmid"])
            years = [article["pub_year"]]
            if article["article_date"]:
                years.append(int(article["article_date"][:4]))
            years = [y for y in years if y is not None]
            if not years:
                continue
            self.first_year = min([*years, self.first_year or years[0]])
            self.last_year = max([*years, self.last_year or years[0]])
            created = article.get("create_date") or ""
            self.last_year_by_create[created] = max(
                [*years, self.last_year_by_create.get(created, years[0])]
            )

    def last_year_created_by(self, cutoff: date) -> int | None:
        years = [y for created, y in self.last_year_by_create.items()
                 if created and created <= cutoff.isoformat()]
        return max(years) if years else None


def _fetch_by_windows(client, term, fetcher: _RecordFetcher, last_day: date, total: int):
    """Split [1800/01/01, last_day] by create date until each window has at most 9,999 records.

    Windows are halved on year boundaries while they span more than a year, then by days, so
    they cover every date exactly once; their counts must add up to the query's count.
    """
    pending = _halves(FIRST_CREATE_DATE, last_day)  # the whole range is the count, known too big
    fetched_windows: list[str] = []
    window_sum = 0
    while pending:
        first, last = pending.pop()
        window = client.search(f"({term}) AND {crdt_range(first, last)}", usehistory=True)
        if window.count > HISTORY_LIMIT:
            pending += _halves(first, last)
            continue
        window_sum += window.count
        fetched_windows.append(crdt_range(first, last))
        if window.count:
            yield from fetcher.fetch(window)
    if window_sum != total:
        raise HarvestMismatch(
            f"create-date windows of {term!r} add up to {window_sum}, PubMed counts {total}"
        )
    return fetched_windows


def _halves(first: date, last: date) -> list[tuple[date, date]]:
    """[later half, earlier half] (a stack: the earlier pops first), split on a January 1
    while the window spans years, else by days."""
    if first == last:
        raise HarvestMismatch(f"more than {HISTORY_LIMIT} records created on {first}")
    if last.year > first.year:
        middle = date((first.year + last.year + 1) // 2, 1, 1)
    else:
        middle = first + timedelta(days=(last - first).days // 2 + 1)
    return [(middle, last), (first, middle - timedelta(days=1))]


def _count_years(client, term, cutoff, first_year, last_years, summary):
    """PubMed's own per-year [dp] counts, from the first year any record counts in to the last
    (this year at least; the cut-off scope to cutoff.year + 1 at least, since a record created
    before the cut-off can carry next year's print date)."""
    cutoff_clause = crdt_range(FIRST_CREATE_DATE, cutoff)
    last_current, last_cutoff = last_years
    for year in range(first_year, last_current + 1):
        result = client.search(f"({term}) AND {year}:{year}[dp]")
        yield YearCountItem("current", year, result)
        summary.years_current.append(year)
        summary.dp_sum_current += result.count
    for year in range(first_year, last_cutoff + 1):
        result = client.search(f"({term}) AND {year}:{year}[dp] AND {cutoff_clause}")
        yield YearCountItem("cutoff", year, result)
        summary.years_cutoff.append(year)
        summary.dp_sum_cutoff += result.count


def _stats_snapshot(client: EutilsClient) -> tuple[dict[str, int], int]:
    return dict(client.stats.by_endpoint), client.stats.retries


def _add_request_counts(client: EutilsClient, before, summary: PubmedHarvest) -> None:
    by_endpoint, retries = before
    for endpoint, sent in client.stats.by_endpoint.items():
        kind = REQUEST_KINDS.get(endpoint, endpoint)
        delta = sent - by_endpoint.get(endpoint, 0)
        if delta:
            summary.requests[kind] = summary.requests.get(kind, 0) + delta
    summary.retries = client.stats.retries - retries
