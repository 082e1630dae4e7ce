"""NCBI's rate shared beyond one process (issue 13): which limit a review's E-utilities client
shares, and the client's hook for it. The limit itself, across workers, is exercised by
tests/flows/test_many_reviews.py."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from extract.http import HttpClient, TransientError
from flows.clients import PrefectRateLimit, SharedRate, eutils_client, shared_ncbi_rate
from flows.settings import Settings

KEY = "0123456789abcdef0123456789abcdef0123"


def settings(**changes) -> Settings:
    return Settings(Path("review.toml"), "r", "", date(2022, 4, 29), Path("r.duckdb"), **changes)


def test_the_shared_limit_is_named_for_the_key_and_host_without_revealing_the_key():
    assert shared_ncbi_rate(settings()) == SharedRate("ncbi-eutils-no-key", pytest.approx(2.7))
    keyed = shared_ncbi_rate(settings(ncbi_api_key=KEY))
    assert keyed.name.startswith("ncbi-eutils-key-") and len(keyed.name) == 24
    assert KEY[:8] not in keyed.name and keyed.per_second == pytest.approx(9.0)
    sandbox = settings(eutils_base_url="http://127.0.0.1:8765/entrez/eutils")
    assert shared_ncbi_rate(sandbox).name == "eutils-127.0.0.1:8765-no-key"


def test_a_lower_own_rate_still_shares_a_higher_one_is_not_ncbi():
    assert shared_ncbi_rate(settings(pubmed_requests_per_second=1.0)).per_second == (
        pytest.approx(2.7))  # the key's limit; the review's 1/s stays in its own process
    assert shared_ncbi_rate(settings(pubmed_requests_per_second=200.0)) is None


def test_the_client_takes_the_shared_limit_only_under_a_prefect_server():
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings(restore_defaults={PREFECT_API_URL}):
        assert eutils_client(settings()).http.throttle is None
    with temporary_settings(updates={PREFECT_API_URL: "http://127.0.0.1:9/api"}):
        throttle = eutils_client(settings()).http.throttle
        assert isinstance(throttle, PrefectRateLimit)
        assert throttle.rate.name == "ncbi-eutils-no-key"
        fast = settings(pubmed_requests_per_second=200.0)
        assert eutils_client(fast).http.throttle is None


class Answer:
    def __init__(self, status: int):
        self.status_code, self.content, self.headers, self.text = status, b"{}", {}, ""


class Session:
    """Answers 503 once, then 200; records when the throttle had been called."""

    def __init__(self, calls: list[str]):
        self.headers: dict[str, str] = {}
        self.calls = calls
        self.statuses = [503, 200]

    def get(self, url, params=None, timeout=None):
        self.calls.append("request")
        return Answer(self.statuses.pop(0))


def test_http_client_calls_the_throttle_before_every_attempt(fast_retries):
    calls: list[str] = []

    def check(response) -> None:
        if response.status_code != 200:
            raise TransientError("503")

    client = HttpClient("http://example.invalid", requests_per_second=1000,
                        session=Session(calls), throttle=lambda: calls.append("throttle"))
    client.call("esearch.fcgi", {"term": "x"}, check)
    assert calls == ["throttle", "request", "throttle", "request"]
