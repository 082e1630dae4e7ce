"""The E-utilities client against the sandbox: counts, retries, the key, the rate limit."""

from __future__ import annotations

import logging
import time

import pytest

import extract.http
from extract.eutils import EutilsClient, HistoryExpired
from extract.http import ApiError, TransientError
from extract.pubmed_parse import parse_articles
from sandbox.eutils.corpus import REVIEW_QUERY
from sandbox.eutils.query import QueryEngine
from sandbox.server import SandboxServer

SECRET = "SECRET-KEY-123"


@pytest.fixture(scope="module")
def shared_server():
    with SandboxServer(port=0, ncbi_rate_limit=False) as server:
        yield server


@pytest.fixture
def faulty(shared_server):
    """The module's server with a clean log and the faults a test sets (building a corpus
    per test would cost a second each)."""

    def with_faults(spec: str = "") -> SandboxServer:
        shared_server.set_faults(spec)
        shared_server.log.clear()
        return shared_server

    yield with_faults
    shared_server.set_faults("")


def client_for(server, **kwargs) -> EutilsClient:
    kwargs.setdefault("requests_per_second", 1000)
    return EutilsClient(server.eutils_base_url, **kwargs)


def engine_count(server, term: str) -> int:
    return QueryEngine(server.pubmed_corpus).search(term).count


def test_search_gives_pubmeds_count_translation_and_history(sandbox_server):
    result = client_for(sandbox_server).search(REVIEW_QUERY, usehistory=True)
    assert result.count == engine_count(sandbox_server, REVIEW_QUERY) == 2266
    assert '"liver"[Title]' in result.query_translation
    assert result.webenv and result.query_key == "1"
    assert result.errors == [] and result.term == REVIEW_QUERY
    assert "esearch.fcgi" in result.raw.url and result.raw.status == 200


def test_phrase_not_found_is_kept_not_retried(faulty):
    server = faulty()
    client = client_for(server)
    result = client.search("liver[ti] AND abcXYZ")
    assert result.count == engine_count(server, "liver[ti]")  # PubMed drops the unknown phrase
    assert result.errors == ["PhraseNotFound: abcXYZ"]
    zero = client.search("abcXYZ")
    assert zero.count == 0 and "OutputMessage: No items found." in zero.warnings
    assert client.stats.retries == 0 and len(server.log) == 2


def test_every_request_says_who_sends_it(faulty):
    server = faulty()
    client = client_for(server, api_key=SECRET, email="ops@example.org", tool="review-test")
    search = client.search(REVIEW_QUERY, usehistory=True)
    client.fetch_articles_xml(webenv=search.webenv, query_key=search.query_key, retmax=3)
    client.fetch_articles_xml(ids=["1", "2"])
    for record in server.log:
        assert ("tool", "review-test") in record.params
        assert ("email", "ops@example.org") in record.params
        assert ("api_key", "***") in record.params  # sent; the sandbox masks it in its log


def test_one_ncbi_error_then_the_right_count(faulty):
    server = faulty("esearch:ncbi-error#1")
    client = client_for(server)
    assert client.search(REVIEW_QUERY).count == 2266
    assert client.stats.retries == 1 and len(server.log) == 2


@pytest.mark.parametrize("fault", ["ncbi-error", "html", "503", "truncate"])
def test_a_failing_esearch_is_never_a_zero(faulty, fault):
    server = faulty(f"esearch:{fault}")
    client = client_for(server, max_attempts=3)
    with pytest.raises(TransientError):
        client.search(REVIEW_QUERY)
    assert len(server.log) == 3
    assert client.stats.requests == 3 and client.stats.retries == 2


def test_404_is_not_retried(faulty):
    server = faulty()
    client = EutilsClient(server.url + "/entrez/nowhere", requests_per_second=1000)
    with pytest.raises(ApiError, match="404"):
        client.search(REVIEW_QUERY)
    assert len(server.log) == 1


@pytest.mark.parametrize("fault", ["ncbi-error#1", "html#1", "truncate#1", "502#1", "reset#1"])
def test_efetch_failures_are_retried(faulty, fault):
    server = faulty(f"efetch:{fault}")
    client = client_for(server)
    search = client.search(REVIEW_QUERY, usehistory=True)
    raw = client.fetch_articles_xml(webenv=search.webenv, query_key=search.query_key, retmax=50)
    assert len(parse_articles(raw.body)) == 50
    assert client.stats.retries == 1


def test_efetch_without_a_good_page_raises(faulty):
    server = faulty("efetch:ncbi-error")
    client = client_for(server, max_attempts=2)
    with pytest.raises(TransientError, match="NCBI error"):
        client.fetch_articles_xml(ids=["1"])
    assert len(server.log) == 2


def test_efetch_history_pages_and_post_for_many_ids(faulty):
    server = faulty()
    client = client_for(server)
    search = client.search(REVIEW_QUERY, usehistory=True)
    first = parse_articles(
        client.fetch_articles_xml(webenv=search.webenv, query_key=search.query_key, retmax=250).body
    )
    second = parse_articles(
        client.fetch_articles_xml(
            webenv=search.webenv, query_key=search.query_key, retstart=250, retmax=250
        ).body
    )
    assert len(first) == len(second) == 250
    assert not {a["pmid"] for a in first} & {a["pmid"] for a in second}
    ids = [a["pmid"] for a in first]
    assert len(parse_articles(client.fetch_articles_xml(ids=ids[:199]).body)) == 199
    assert len(parse_articles(client.fetch_articles_xml(ids=ids[:200]).body)) == 200
    assert [r.method for r in server.log[-2:]] == ["GET", "POST"]


def test_the_api_key_appears_nowhere(make_sandbox, caplog):
    """NCBI's 429 body echoes the key; errors and retries must not carry it on."""
    caplog.set_level(logging.DEBUG)
    server = make_sandbox(ncbi_rate_limit=True)  # 10/s with a key: 1000/s draws 429s
    client = client_for(server, api_key=SECRET, max_attempts=2)
    failures, results = [], []
    for _ in range(15):
        try:
            results.append(client.search("liver[ti]"))
        except TransientError as exc:
            failures.append(exc)
    server.set_faults("esearch:ncbi-error;efetch:html")
    for call in (lambda: client.search("liver[ti]"), lambda: client.fetch_articles_xml(ids=["1"])):
        with pytest.raises(TransientError) as failure:
            call()
        failures.append(failure.value)
    assert any(rec.status == 429 for rec in server.log), "the test needs real 429s"
    assert any("429" in str(exc) for exc in failures) and "HTTP 429" in caplog.text
    shown = [str(e) + repr(e) + repr(e.args) for e in failures]
    shown += [r.raw.url for r in results] + [caplog.text, repr(client.stats)]
    for text in shown:
        assert SECRET not in text
    assert all("api_key=%2A%2A%2A" in r.raw.url for r in results)


@pytest.mark.timeout(10)
def test_default_rate_stays_under_ncbis_limit(make_sandbox):
    """3/s without a key, enforced by the sandbox over any one-second window: no 429."""
    server = make_sandbox(ncbi_rate_limit=True)
    client = EutilsClient(server.eutils_base_url)
    started = time.monotonic()
    for _ in range(10):
        client.search("liver[ti]")
    elapsed = time.monotonic() - started
    assert [rec.status for rec in server.log] == [200] * 10
    assert client.stats.retries == 0
    assert 2.9 < elapsed < 4.0


@pytest.mark.timeout(10)
def test_default_rate_with_a_key_stays_under_ncbis_limit(make_sandbox):
    server = make_sandbox(ncbi_rate_limit=True)
    client = EutilsClient(server.eutils_base_url, api_key=SECRET)
    for _ in range(15):
        client.search("liver[ti]")
    assert [rec.status for rec in server.log] == [200] * 15


@pytest.mark.timeout(10)
def test_a_burst_over_the_limit_waits_out_ncbis_window(make_sandbox, monkeypatch):
    """NCBI's 429 has no Retry-After: the client waits one window (1 s) and gets through."""
    monkeypatch.setattr(extract.http, "MAX_RETRY_AFTER", 120.0)
    server = make_sandbox(ncbi_rate_limit=True)
    client = client_for(server, max_attempts=3)  # 1000/s: far over 3/s
    counts = [client.search("liver[ti]").count for _ in range(5)]
    assert len(set(counts)) == 1 and counts[0] > 0
    assert client.stats.retries >= 1
    assert any(rec.status == 429 for rec in server.log)


def test_a_quoted_phrase_not_found_is_an_error_not_a_warning(faulty):
    """PubMed drops the phrase and counts the rest; the run's check must see it (issue 11)."""
    server = faulty()
    result = client_for(server).search('liver[ti] AND "abc def"')
    assert result.count == engine_count(server, "liver[ti]")
    assert result.errors == ['QuotedPhraseNotFound: "abc def"']
    assert not any("QuotedPhrase" in w for w in result.warnings)


def test_an_expired_webenv_is_not_sent_again(faulty):
    """"Unable to obtain query #1" in a 200 (sandbox/eutils/README.md; the reference README:
    failures come back as 200s): the same request can only fail again."""
    server = faulty("efetch:expired-webenv#1")
    client = client_for(server)
    search = client.search(REVIEW_QUERY, usehistory=True)
    with pytest.raises(HistoryExpired, match="Unable to obtain query #1"):
        client.fetch_articles_xml(webenv=search.webenv, query_key=search.query_key, retmax=5)
    assert client.stats.retries == 0
    assert [rec.endpoint for rec in server.log] == ["esearch", "efetch"]


def test_a_403_from_ncbi_is_not_ctgovs_throttle(faulty):
    server = faulty("esearch:403#1")
    client = client_for(server)
    with pytest.raises(ApiError, match="HTTP 403") as failure:
        client.search(REVIEW_QUERY)
    assert not isinstance(failure.value, TransientError)
    assert len(server.log) == 1
