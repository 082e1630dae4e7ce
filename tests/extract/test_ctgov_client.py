"""The CT.gov client against the sandbox: paging, retries, and what it never retries."""

from __future__ import annotations

import pytest

from extract.ctgov import CtgovClient
from extract.http import ApiError, TransientError

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
