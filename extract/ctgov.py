"""ClinicalTrials.gov API v2 client. Returns raw pages; knows nothing of the warehouse.

Facts it is built on (shared/reference/README.md): pageSize is clamped to 1000; totalCount comes
only on the first page and only with countTotal=true; a page can be empty, and a token can follow
an exactly full last page; every follow-up page repeats the first page's parameters; 400/404 are
text/plain; an unknown name in `fields` answers 500 every time, so that 500 is never retried.
And from the live service (issue 11): its firewall throttles with HTTP 403, retried after long
waits (extract/http.py, Throttled), never confused with a 400/404.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import requests

from extract.http import (
    DEFAULT_TIMEOUT,
    ApiError,
    HttpClient,
    RawResponse,
    TransientError,
    status_error,
)

DEFAULT_BASE_URL = "https://clinicaltrials.gov/api/v2"
MAX_PAGE_SIZE = 1000
# The spec (ctg-oas-v2.yaml, GET /studies): "A page may have empty `studies` array", and only
# "the last page will not contain `nextPageToken`": an empty page with a token is followed. A
# run of them is bounded, so a token that leads nowhere fails the night instead of looping.
MAX_EMPTY_PAGES_IN_A_ROW = 3
# Not in the spec: the firewall in front of the API answers 403 when it throttles (issue 11).
THROTTLE_STATUSES = frozenset({403})

# What the warehouse reads, and nothing more (descriptions, eligibility and results are large).
STUDY_FIELDS = (
    "IdentificationModule",
    "StatusModule",
    "SponsorCollaboratorsModule",
    "ConditionsModule",
    "DesignModule",
    "ArmsInterventionsModule",
    "ContactsLocationsModule",
    "ReferencesModule",
    "ConditionBrowseModule",
    "MiscInfoModule",
)
ID_FIELDS = ("NCTId",)


class PagingError(ApiError):
    """Page tokens that go round in circles or lead only to empty pages: asking again the same
    way cannot end, so the listing fails with what it saw."""


@dataclass
class StudiesPage:
    """One answer of GET /studies: the raw response and what paging needs from it."""

    raw: RawResponse
    page_no: int
    params: dict[str, str]  # as sent, without the token
    studies: list[dict]
    next_page_token: str | None
    total_count: int | None


class CtgovClient:
    """GET /version and paged GET /studies against any base URL (real API, sandbox, test)."""

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        *,
        requests_per_second: float = 1.0,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        max_attempts: int = 6,
        session: requests.Session | None = None,
        prefetch: bool = True,
    ):
        self.prefetch = prefetch  # iter_studies_pages: ask for the next page one page ahead
        self.http = HttpClient(
            base_url,
            requests_per_second=requests_per_second,
            timeout=timeout,
            max_attempts=max_attempts,
            session=session,
        )

    @property
    def stats(self):
        return self.http.stats

    def fetch_version(self) -> tuple[dict, RawResponse]:
        raw = self.http.call("version", {}, _check_json_answer)
        version = _parse_json(raw)
        if "dataTimestamp" not in version:
            raise TransientError(f"/version answered without dataTimestamp: {raw.url}")
        return version, raw

    def fetch_studies_page(
        self,
        params: dict[str, str],
        *,
        page_token: str | None = None,
        page_no: int = 1,
        count_total: bool = False,
    ) -> StudiesPage:
        sent = dict(params)
        if count_total:
            sent["countTotal"] = "true"
        if page_token:
            sent["pageToken"] = page_token
        raw = self.http.call("studies", sent, _check_studies_answer)
        body = _parse_json(raw)
        if not isinstance(body.get("studies"), list):
            raise TransientError(f"page without a 'studies' list: {raw.url}")
        total = body.get("totalCount")
        return StudiesPage(
            raw=raw,
            page_no=page_no,
            params=dict(params),
            studies=body["studies"],
            next_page_token=body.get("nextPageToken") or None,
            total_count=int(total) if total is not None else None,
        )

    def iter_studies_pages(
        self,
        params: dict[str, str],
        *,
        max_empty_pages: int = MAX_EMPTY_PAGES_IN_A_ROW,
        prefetch: bool | None = None,
    ) -> Iterator[StudiesPage]:
        """Every page of a query, the same parameters on each; totalCount asked on page 1 only.

        Follows every `nextPageToken`, an empty page's too (the spec: a page may be empty; the
        reference: a token can follow an exactly full last page, and leads to an empty page
        without one). Raises PagingError on a token seen before, or on more than
        `max_empty_pages` empty pages in a row that still carry a token.

        With `prefetch` (the client's default), page k+1 is asked for on a thread while the
        caller works on page k: one page ahead, through the same rate limiter and retries, and
        only the request the loop would make next anyway (never after a PagingError, never for
        a token seen before). What it raises is raised here when the caller asks for page k+1,
        where the request used to be made, so errors and retries surface as without it.
        """
        prefetch = self.prefetch if prefetch is None else prefetch
        params = {"pageSize": str(MAX_PAGE_SIZE), **params}
        page = self.fetch_studies_page(params, count_total=True)
        followed: set[str] = set()
        empty_in_a_row = 0
        while True:
            empty_in_a_row = 0 if page.studies else empty_in_a_row + 1
            if page.next_page_token and empty_in_a_row > max_empty_pages:
                raise PagingError(
                    f"{empty_in_a_row} empty pages in a row, each with a nextPageToken: "
                    f"{page.raw.url}"
                )
            token = page.next_page_token
            ahead = None
            if prefetch and token and token not in followed:
                ahead = _Ahead(self.fetch_studies_page, params, page_token=token)
            yield page
            if not token:
                return
            if token in followed:
                raise PagingError(
                    f"nextPageToken {token!r} came back again after page {page.page_no}: "
                    f"the listing would loop ({page.raw.url})"
                )
            followed.add(token)
            if ahead is None:
                page = self.fetch_studies_page(params, page_token=token, page_no=page.page_no + 1)
            else:
                # numbered after the caller is done with page k, as the request used to be
                page_no = page.page_no + 1
                page = ahead.result()
                page.page_no = page_no

    def fetch_total(self, params: dict[str, str]) -> tuple[int, RawResponse]:
        """The API's own count for a query: one small request (NCT ids of one page)."""
        small = {**params, "fields": ",".join(ID_FIELDS), "pageSize": "1"}
        page = self.fetch_studies_page(small, count_total=True)
        if page.total_count is None:
            raise TransientError(f"countTotal asked but no totalCount in {page.raw.url}")
        return page.total_count, page.raw


class _Ahead:
    """One call running on a daemon thread; result() waits for it and returns what it returned
    or raises what it raised. A caller that stops listing abandons it: the thread ends with its
    call (a daemon thread never holds up the interpreter's exit)."""

    def __init__(self, fn, *args, **kwargs):
        self._value = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(
            target=self._run, args=(fn, args, kwargs), name="ctgov-prefetch", daemon=True
        )
        self._thread.start()

    def _run(self, fn, args, kwargs) -> None:
        try:
            self._value = fn(*args, **kwargs)
        except BaseException as exc:  # noqa: BLE001 - handed to the caller in result()
            self._error = exc

    def result(self):
        self._thread.join()
        if self._error is not None:
            error, self._error = self._error, None
            raise error
        return self._value


def _check_json_answer(response: requests.Response) -> None:
    if response.status_code != 200:
        raise status_error(response, response.url, throttle_statuses=THROTTLE_STATUSES)
    content_type = response.headers.get("content-type", "")
    if "json" not in content_type:
        # an HTML maintenance page with a 200 is an outage, not data
        raise TransientError(f"expected JSON, got {content_type or 'no content type'}")


def _check_studies_answer(response: requests.Response) -> None:
    if response.status_code == 500 and "field" in response.text[:300].lower():
        raise ApiError(f"HTTP 500, the API rejects a `fields` name: {response.text[:200]}")
    _check_json_answer(response)


def _parse_json(raw: RawResponse) -> dict:
    try:
        body = json.loads(raw.body)
    except ValueError:
        raise TransientError(f"unparsable JSON ({len(raw.body)} bytes) from {raw.url}") from None
    if not isinstance(body, dict):
        raise TransientError(f"expected a JSON object from {raw.url}")
    return body
