"""Which ClinicalTrials.gov requests a run makes: a full harvest, or only what changed.

The decisions need a little state from the published warehouse (passed in as plain values, so
this module still knows nothing of DuckDB) and hand every page to callbacks that land it.

Incremental, per query (requests in brackets, for 100,000 matching studies and 1% changed):
- `delta`: the query's studies with LastUpdatePostDate on or after the watermark less a day
  of overlap, full records [1-2];
- `changed`: the NCT ids of every study updated since then, registry-wide, ids only [1-2]; a
  known match among them that is not in `delta` has left the query;
- `current` and `cutoff` totals, the API's own counts [2].
If the known matches, plus what came and less what left, do not add up to the API's total (a
study can leave a query without being updated, e.g. when the registry re-indexes), the run
falls back to an id-only `sweep` of the whole query and fetches the missing records by id.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from extract.ctgov import ID_FIELDS, STUDY_FIELDS, CtgovClient, StudiesPage
from extract.http import RawResponse

SavePage = Callable[[str, StudiesPage], None]  # (purpose, page)
SaveTotal = Callable[[str, int, RawResponse], None]  # (scope, total, raw)
IDS_PER_REQUEST = 100  # filter.ids in the query string; keeps URLs well under 8 KB


@dataclass
class QueryState:
    """What the published warehouse knows about one query (None fields: first run)."""

    known_ids: set[str] = field(default_factory=set)
    watermark: date | None = None  # the latest LastUpdatePostDate among its studies


@dataclass
class QueryHarvest:
    mode: str  # 'full' or 'incremental' (+ ' with sweep' when the fallback ran)
    studies: int = 0
    current_total: int | None = None


def cutoff_filter(cutoff: date) -> str:
    return f"AREA[StudyFirstPostDate]RANGE[MIN,{cutoff.isoformat()}]"


def with_filter(params: dict[str, str], expression: str) -> dict[str, str]:
    """AND an Essie expression onto the query's own filter.advanced, if it has one."""
    existing = params.get("filter.advanced")
    combined = f"({existing}) AND {expression}" if existing else expression
    return {**params, "filter.advanced": combined}


def harvest_query(
    client: CtgovClient,
    params: dict[str, str],
    cutoff: date,
    state: QueryState | None,
    save_page: SavePage,
    save_total: SaveTotal,
) -> QueryHarvest:
    if state is None or state.watermark is None:
        result = _full(client, params, save_page, save_total)
    else:
        result = _incremental(client, params, state, save_page, save_total)
    cutoff_params = with_filter(params, cutoff_filter(cutoff))
    total, raw = client.fetch_total(cutoff_params)
    save_total("cutoff", total, raw)
    return result


def _full(client, params, save_page, save_total) -> QueryHarvest:
    result = QueryHarvest("full")
    for page in client.iter_studies_pages({**params, "fields": ",".join(STUDY_FIELDS)}):
        if page.page_no == 1 and page.total_count is not None:
            result.current_total = page.total_count
            save_total("current", page.total_count, page.raw)
        save_page("harvest", page)
        result.studies += len(page.studies)
    return result


def _incremental(client, params, state: QueryState, save_page, save_total) -> QueryHarvest:
    since = (state.watermark - timedelta(days=1)).isoformat()
    recent = f"AREA[LastUpdatePostDate]RANGE[{since},MAX]"
    result = QueryHarvest("incremental")
    delta_ids: set[str] = set()
    for page in client.iter_studies_pages(
        {**with_filter(params, recent), "fields": ",".join(STUDY_FIELDS)}
    ):
        save_page("delta", page)
        delta_ids.update(_nct_ids(page))
        result.studies += len(page.studies)
    changed_ids: set[str] = set()
    for page in client.iter_studies_pages({"filter.advanced": recent, "fields": "NCTId"}):
        save_page("changed", page)
        changed_ids.update(_nct_ids(page))
    total, raw = client.fetch_total(params)
    save_total("current", total, raw)
    result.current_total = total
    expected = (state.known_ids - (changed_ids - delta_ids)) | delta_ids
    if len(expected) != total:
        result.mode = "incremental with sweep"
        result.studies += _sweep(client, params, state.known_ids | delta_ids, save_page)
    return result


def _sweep(client, params, have_ids: set[str], save_page) -> int:
    """Ids of the whole query; then the records of matches the warehouse has never seen."""
    swept: set[str] = set()
    for page in client.iter_studies_pages({**params, "fields": ",".join(ID_FIELDS)}):
        save_page("sweep", page)
        swept.update(_nct_ids(page))
    missing = sorted(swept - have_ids)
    fetched = 0
    for start in range(0, len(missing), IDS_PER_REQUEST):
        chunk = missing[start : start + IDS_PER_REQUEST]
        by_id = {"filter.ids": ",".join(chunk), "fields": ",".join(STUDY_FIELDS)}
        for page in client.iter_studies_pages(by_id):
            page.page_no += start  # unique page numbers across chunks
            save_page("by_id", page)
            fetched += len(page.studies)
    return fetched


def _nct_ids(page: StudiesPage) -> list[str]:
    return [
        s.get("protocolSection", {}).get("identificationModule", {}).get("nctId")
        for s in page.studies
    ]
