"""The CT.gov client against the sandbox: paging, retries, and what it never retries."""

from __future__ import annotations

import pytest

import extract.http
from extract.ctgov import CtgovClient, PagingError
from extract.http import ApiError, Throttled, TransientError

QUERY = {"query.term": "mesenchymal stem cell AND liver diseases"}


def client_for(server, **kwargs) -> CtgovClient:
    return CtgovClient(server.ctgov_base_url, requests_per_second=100, **kwargs)


def test_pages_through_a_query_to_exactly_the_total(sandbox_server):
    client = client_for(sandbox_server)
    pages = list(client.iter_studies_pages({**QUERY, "pageSize": "7", "fields": "NCTId"}))
    ids = [s["protocolSection"]["identificationModule"]["nctId"] for p in pages for s in p.studies]
    assert pages[0].total_count == len(ids) == len(set(ids))
    assert all(p.total_count is None for p in pages[1:])
    assert all(p.params == pages[0].params for p in pages), "same parameters on every page"


def test_unknown_fields_name_fails_at_once_without_retries(make_sandbox):
    server = make_sandbox()
    client = client_for(server)
    with pytest.raises(ApiError, match="fields"):
        client.fetch_studies_page({**QUERY, "fields": "NoSuchField"})
    assert len(server.log) == 1
    assert client.stats.retries == 0


def test_400_is_not_retried(make_sandbox):
    server = make_sandbox()
    client = client_for(server)
    with pytest.raises(ApiError, match="400"):
        client.fetch_studies_page({**QUERY, "filter.phase": "PHASE2"})
    assert len(server.log) == 1


def test_transient_failures_are_retried_then_succeed(make_sandbox):
    server = make_sandbox(faults="studies:503#1;studies:reset#2;studies:truncate#3")
    client = client_for(server)
    page = client.fetch_studies_page({**QUERY, "fields": "NCTId"}, count_total=True)
    assert page.total_count and page.studies
    assert client.stats.retries == 3
    assert len(server.log) == 4


def test_persistent_failure_gives_up_with_the_reason(make_sandbox):
    server = make_sandbox(faults="studies:503")
    client = client_for(server, max_attempts=3)
    with pytest.raises(TransientError, match="HTTP 503"):
        client.fetch_studies_page(QUERY)
    assert len(server.log) == 3


def test_html_page_in_a_200_is_not_data(make_sandbox):
    server = make_sandbox(faults="studies:html#1")
    client = client_for(server)
    page = client.fetch_studies_page({**QUERY, "fields": "NCTId"})
    assert page.studies and client.stats.retries == 1


def test_trailing_empty_page_ends_paging(make_sandbox):
    server = make_sandbox(faults="studies:empty-page")
    client = client_for(server)
    total = client.fetch_total(QUERY)[0]
    pages = list(client.iter_studies_pages({**QUERY, "pageSize": str(total), "fields": "NCTId"}))
    assert [len(p.studies) for p in pages] == [total, 0]


# --- empty pages that carry a token (issue 11) -------------------------------------------------
# The spec (ctg-oas-v2.yaml, GET /studies): "A page may have empty `studies` array", and only
# the last page lacks a `nextPageToken`; so an empty page with a token is followed, not an end.

PAGED = {**QUERY, "pageSize": "7", "fields": "NCTId"}


def listed_ids(pages) -> list[str]:
    return [s["protocolSection"]["identificationModule"]["nctId"] for p in pages for s in p.studies]


def followed_tokens(server) -> list[str]:
    return [v for rec in server.log for k, v in rec.params if k == "pageToken"]


@pytest.mark.parametrize("hit", ["#1", "#2", "#3-5"], ids=["first", "second", "three-in-a-row"])
def test_empty_pages_with_a_token_are_followed_to_every_study(make_sandbox, sandbox_server, hit):
    expected = listed_ids(client_for(sandbox_server).iter_studies_pages(PAGED))
    server = make_sandbox(faults=f"studies:empty-midstream{hit}")
    pages = list(client_for(server).iter_studies_pages(PAGED))
    assert listed_ids(pages) == expected and len(expected) == pages[0].total_count
    assert sum(not p.studies for p in pages) == sum(bool(r.faults) for r in server.log) > 0
    assert [p.page_no for p in pages] == list(range(1, len(pages) + 1))
    assert len(set(followed_tokens(server))) == len(followed_tokens(server)) == len(pages) - 1


def test_a_fourth_empty_page_in_a_row_with_a_token_fails(make_sandbox):
    server = make_sandbox(faults="studies:empty-midstream#2-5")
    client = client_for(server)
    seen = []
    with pytest.raises(PagingError, match="4 empty pages in a row"):
        for page in client.iter_studies_pages(PAGED):
            seen.append(len(page.studies))
    assert seen == [7, 0, 0, 0] and len(server.log) == 5


def test_a_token_that_comes_back_fails_instead_of_looping(sandbox_server):
    class TokenGoesRound(CtgovClient):
        """Answers every follow-up page with the token it was asked with."""

        calls = 0

        def fetch_studies_page(self, params, *, page_token=None, **kwargs):
            TokenGoesRound.calls += 1
            assert TokenGoesRound.calls < 10, "the client loops on a repeated token"
            page = super().fetch_studies_page(params, page_token=page_token, **kwargs)
            if page_token:
                page.next_page_token = page_token
            return page

    client = TokenGoesRound(sandbox_server.ctgov_base_url, requests_per_second=100)
    with pytest.raises(PagingError, match="came back again after page 2"):
        list(client.iter_studies_pages(PAGED))
    assert TokenGoesRound.calls == 2


def test_an_empty_page_with_a_token_after_an_exactly_full_last_page_ends(make_sandbox):
    """The reference's trailing token, whose empty page carries a token of its own: followed,
    and the answer after it (empty, no token) ends the listing."""
    server = make_sandbox(faults="studies:empty-page;studies:empty-midstream#3")
    client = client_for(server)
    total = client.fetch_total(QUERY)[0]  # request 1
    pages = list(client.iter_studies_pages({**QUERY, "pageSize": str(total), "fields": "NCTId"}))
    assert [len(p.studies) for p in pages] == [total, 0, 0]
    assert pages[1].next_page_token and pages[2].next_page_token is None
    assert len(server.log) == 4


# --- CT.gov's firewall throttles with 403 (issue 11) -------------------------------------------


def record_sleeps(client) -> list[float]:
    """The waits tenacity chose before each retry of this client's calls."""
    sleeps: list[float] = []
    note = client.http._note_retry

    def noting(shown, state):
        sleeps.append(state.upcoming_sleep)
        note(shown, state)

    client.http._note_retry = noting
    return sleeps


def test_a_403_is_retried_after_a_long_wait(make_sandbox, monkeypatch):
    monkeypatch.setattr(extract.http, "THROTTLE_BACKOFF", 0.2)  # the real one is 30 s
    server = make_sandbox(faults="studies:403#1;studies:403#2;studies:503#3")
    client = client_for(server)
    sleeps = record_sleeps(client)
    page = client.fetch_studies_page({**QUERY, "fields": "NCTId"}, count_total=True)
    assert page.total_count and client.stats.retries == 3 and len(server.log) == 4
    first, second, after_503 = sleeps
    assert 0.2 <= first <= 0.3 and 0.4 <= second <= 0.5, "long, and doubled"
    assert after_503 == pytest.approx(0.01), "a 503 keeps the ordinary backoff"


def test_a_403_honours_retry_after(make_sandbox):
    server = make_sandbox(faults="version:403(7)#1")
    client = client_for(server)
    sleeps = record_sleeps(client)
    assert client.fetch_version()[0]["dataTimestamp"]
    assert sleeps == [extract.http.MAX_RETRY_AFTER]  # 7 s asked, capped (0.05 s in tests)


def test_a_403_that_persists_gives_up_after_three_tries(make_sandbox):
    server = make_sandbox(faults="studies:403")
    client = client_for(server)  # 6 attempts for other failures
    with pytest.raises(Throttled, match="HTTP 403"):
        client.fetch_studies_page(QUERY)
    assert len(server.log) == extract.http.THROTTLE_TRIES == 3


def test_404_is_not_retried_like_a_403(make_sandbox):
    server = make_sandbox()
    client = CtgovClient(server.ctgov_base_url + "/nowhere", requests_per_second=100)
    with pytest.raises(ApiError, match="404") as failure:
        client.fetch_version()
    assert not isinstance(failure.value, TransientError)
    assert len(server.log) == 1
