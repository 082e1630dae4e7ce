"""Which ClinicalTrials.gov requests a run makes for one query: everything, or what changed.

A plan yields typed items (a page of studies with its purpose, a total); the flow lands each
one with a single call. Nothing here knows of DuckDB: what the published warehouse knows comes
in as a `KnownQuery`.

Membership is decided by identity, every night (issue 11). A re-index of the registry's
synonyms or MeSH terms can swap a query's members without moving either record's
LastUpdatePostDate, and the total stays the same, so neither a delta nor a count can see it.
So the incremental plan asks, per query (requests for 100,000 matches and 1% changed):
- `sweep`: the NCT ids of the whole query, `fields=NCTId`, 1,000 a page [100, a few KB each];
  its first page carries the API's `current` total. The query's members are exactly these ids.
- `delta`: full records of the query's studies whose LastUpdatePostDate is on or after the
  date of the last published run's `dataTimestamp` [1-2];
- `by_id`: full records of ids that entered the listing without being in the delta [0-1].
A full harvest (first run, `--full`, or a query whose fingerprint changed) lists full records
of the whole query (`harvest`). Both end with the API's `cutoff` total.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from extract.ctgov import ID_FIELDS, STUDY_FIELDS, CtgovClient, StudiesPage
from extract.http import RawResponse, TransientError

IDS_PER_REQUEST = 100  # filter.ids in the query string; keeps URLs well under 8 KB


@dataclass(frozen=True)
class KnownQuery:
    """What the published warehouse knows of a query whose fingerprint is unchanged."""

    member_ids: frozenset[str]
    # The date of the last published run's dataTimestamp. LastUpdatePostDate has day
    # granularity, so that whole day is asked again: an update posted later on the same date
    # as the snapshot the last run read would otherwise fall between the two runs.
    changed_since: date


@dataclass(frozen=True)
class PageItem:
    purpose: str  # harvest, sweep, delta, by_id
    page: StudiesPage


@dataclass(frozen=True)
class TotalItem:
    scope: str  # current, cutoff
    total: int
    raw: RawResponse


HarvestItem = PageItem | TotalItem


def cutoff_filter(cutoff: date) -> str:
    return f"AREA[StudyFirstPostDate]RANGE[MIN,{cutoff.isoformat()}]"


def changed_filter(since: date) -> str:
    return f"AREA[LastUpdatePostDate]RANGE[{since.isoformat()},MAX]"


def with_filter(params: dict[str, str], expression: str) -> dict[str, str]:
    """AND an Essie expression onto the query's own filter.advanced, if it has one."""
    existing = params.get("filter.advanced")
    combined = f"({existing}) AND {expression}" if existing else expression
    return {**params, "filter.advanced": combined}


def plan_query(
    client: CtgovClient, params: dict[str, str], cutoff: date, known: KnownQuery | None
) -> Iterator[HarvestItem]:
    """Every page and total one query needs this run, in the order they are fetched."""
    if known is None:
        yield from _full(client, params)
    else:
        yield from _incremental(client, params, known)
    total, raw = client.fetch_total(with_filter(params, cutoff_filter(cutoff)))
    yield TotalItem("cutoff", total, raw)


def _full(client: CtgovClient, params: dict[str, str]) -> Iterator[HarvestItem]:
    for page in client.iter_studies_pages({**params, "fields": ",".join(STUDY_FIELDS)}):
        if page.page_no == 1:
            yield _current_total(page)
        yield PageItem("harvest", page)


def _incremental(
    client: CtgovClient, params: dict[str, str], known: KnownQuery
) -> Iterator[HarvestItem]:
    # only the listed ids the warehouse does not know: the whole listing is the query's
    # members (every id of it is landed), and only the new ones can need a by_id fetch; a set
    # of every listed id would hold ~60 MB at the registry's 600,000 (issue 14)
    listed_new: set[str] = set()
    for page in client.iter_studies_pages({**params, "fields": ",".join(ID_FIELDS)}):
        if page.page_no == 1:
            yield _current_total(page)
        yield PageItem("sweep", page)
        listed_new.update(i for i in nct_ids(page) if i not in known.member_ids)
    updated: set[str] = set()
    recent = with_filter(params, changed_filter(known.changed_since))
    for page in client.iter_studies_pages({**recent, "fields": ",".join(STUDY_FIELDS)}):
        yield PageItem("delta", page)
        updated.update(nct_ids(page))
    entered = sorted(listed_new - updated)
    yield from _by_id(client, entered)


def _by_id(client: CtgovClient, nct_ids_wanted: list[str]) -> Iterator[HarvestItem]:
    """Full records of the given ids, IDS_PER_REQUEST to a request."""
    for start in range(0, len(nct_ids_wanted), IDS_PER_REQUEST):
        chunk = nct_ids_wanted[start : start + IDS_PER_REQUEST]
        by_id = {"filter.ids": ",".join(chunk), "fields": ",".join(STUDY_FIELDS)}
        for page in client.iter_studies_pages(by_id):
            page.page_no += start  # unique page numbers across chunks
            yield PageItem("by_id", page)


def _current_total(page: StudiesPage) -> TotalItem:
    if page.total_count is None:
        raise TransientError(f"countTotal asked but no totalCount in {page.raw.url}")
    return TotalItem("current", page.total_count, page.raw)


def nct_ids(page: StudiesPage) -> list[str]:
    return [
        s.get("protocolSection", {}).get("identificationModule", {}).get("nctId")
        for s in page.studies
    ]
