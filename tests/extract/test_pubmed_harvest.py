"""A PubMed query's harvest against the sandbox: counts, records, years, and reconciliation."""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta

import pytest

from extract.eutils import EutilsClient, HistoryExpired
from extract.pubmed_harvest import (
    ArticlesItem,
    HarvestMismatch,
    PubmedHarvest,
    SearchItem,
    YearCountItem,
    plan_pubmed_query,
)
from sandbox.eutils.corpus import CUTOFF, CUTOFF_COUNT, CUTOFF_TERM, REVIEW_QUERY
from sandbox.eutils.query import QueryEngine

CUTOFF_DATE = date(2022, 4, 29)
CURRENT_YEAR = 2026  # the sandbox corpus's today is 2026/11/24


class Landing:
    """Records what the harvest's plan yields, as the flow's landing would."""

    def __init__(self):
        self.searches: dict[str, object] = {}
        self.years: dict[str, dict[int, int]] = {"current": {}, "cutoff": {}}
        self.batches: list[tuple[int, int]] = []  # (batch_no, articles)
        self.articles: list[dict] = []

    def save_search(self, scope, result):
        assert scope not in self.searches
        self.searches[scope] = result

    def save_year_count(self, scope, year, result):
        self.years[scope][year] = result.count

    def save_articles(self, batch_no, raw, articles):
        assert raw.body.lstrip().startswith(b"<?xml")
        self.batches.append((batch_no, len(articles)))
        self.articles += articles

    def land(self, items) -> PubmedHarvest:
        """Consume a plan; the last item is its summary."""
        for item in items:
            if isinstance(item, PubmedHarvest):
                return item
            if isinstance(item, SearchItem):
                self.save_search(item.scope, item.result)
            elif isinstance(item, YearCountItem):
                self.save_year_count(item.scope, item.year, item.result)
            else:
                assert isinstance(item, ArticlesItem)
                self.save_articles(item.batch_no, item.raw, item.articles)
        raise AssertionError("the plan ended without its summary")


def harvest(server, term, landing, **kwargs) -> PubmedHarvest:
    client = kwargs.pop("client", None) or EutilsClient(
        server.eutils_base_url, requests_per_second=1000
    )
    return landing.land(plan_pubmed_query(client, term, CUTOFF_DATE, CURRENT_YEAR, **kwargs))


def engine_count(server, term: str) -> int:
    return QueryEngine(server.pubmed_corpus).search(term).count


@pytest.fixture(scope="module")
def review_harvest(sandbox_server):
    landing = Landing()
    before = len(sandbox_server.log)
    summary = harvest(sandbox_server, REVIEW_QUERY, landing)
    return summary, landing, sandbox_server.log[before:]


def test_review_query_counts_are_the_sandboxs(review_harvest, sandbox_server):
    summary, landing, _ = review_harvest
    assert f"1800/01/01:{CUTOFF_DATE:%Y/%m/%d}[crdt]" == CUTOFF_TERM and CUTOFF == "2022/04/29"
    cutoff_count = engine_count(sandbox_server, f"({REVIEW_QUERY}) AND {CUTOFF_TERM}")
    assert summary.cutoff_count == landing.searches["cutoff"].count == cutoff_count
    assert cutoff_count == CUTOFF_COUNT == 1290  # the corpus's designed value: the paper's
    current = engine_count(sandbox_server, REVIEW_QUERY)
    assert summary.current_count == landing.searches["current"].count == current == 2266
    assert '"liver"[Title]' in landing.searches["current"].query_translation
    assert "2022/04/29" in landing.searches["cutoff"].query_translation


def test_review_query_records_reconcile_with_the_count(review_harvest):
    summary, landing, _ = review_harvest
    pmids = [a["pmid"] for a in landing.articles]
    assert len(pmids) == len(set(pmids)) == summary.pmids_fetched == summary.current_count
    assert [no for no, _ in landing.batches] == list(range(1, summary.batches + 1))
    assert [n for _, n in landing.batches] == [500, 500, 500, 500, 266]
    created = [a["create_date"] for a in landing.articles]
    assert sum(c <= "2022-04-29" for c in created) == summary.cutoff_count
    assert all(a["dedup_year"] for a in landing.articles)


def test_review_query_years_are_pubmeds_own_per_year_counts(review_harvest, sandbox_server):
    summary, landing, _ = review_harvest
    first = min(
        min(a["pub_year"] or 9999, int((a["article_date"] or "9999")[:4])) for a in landing.articles
    )
    last = max(
        max(a["pub_year"] or 0, int((a["article_date"] or "0")[:4])) for a in landing.articles
    )
    # every year a record counts in, this year at least (print dates can be next year's)
    assert list(landing.years["current"]) == list(range(first, max(last, CURRENT_YEAR) + 1))
    assert list(landing.years["cutoff"]) == list(range(first, CUTOFF_DATE.year + 2))
    assert landing.years["cutoff"][2022] == 83  # the sandbox README's [dp] count at the cut-off
    assert landing.years["cutoff"][2023] == engine_count(
        sandbox_server, f"({REVIEW_QUERY}) AND 2023:2023[dp] AND {CUTOFF_TERM}"
    )
    for scope, total in (("current", summary.current_count), ("cutoff", summary.cutoff_count)):
        dp_sum = sum(landing.years[scope].values())
        # a record e-published in one year and printed in the next counts in both
        assert total < dp_sum < 1.2 * total
        assert dp_sum == getattr(summary, f"dp_sum_{scope}")


def test_review_query_requests_by_kind(review_harvest):
    summary, landing, log = review_harvest
    years = len(landing.years["current"]) + len(landing.years["cutoff"])
    expected = {"esearch": 2 + years, "efetch": math.ceil(summary.current_count / 500)}
    assert summary.requests == expected
    assert summary.retries == 0
    assert len(log) == sum(expected.values())
    assert {rec.endpoint.removesuffix(".fcgi") for rec in log} == set(expected)


def test_more_than_9999_records_are_split_by_create_date(sandbox_server):
    landing = Landing()
    summary = harvest(sandbox_server, "liver[tiab]", landing, batch_size=5000)
    assert summary.current_count == engine_count(sandbox_server, "liver[tiab]") > 9999
    pmids = {a["pmid"] for a in landing.articles}
    assert len(pmids) == len(landing.articles) == summary.pmids_fetched == summary.current_count
    windows = [_window(w) for w in summary.windows]
    assert len(windows) > 1
    assert windows[0][0] == date(1800, 1, 1) and windows[-1][1] >= date(CURRENT_YEAR, 11, 24)
    for (_, end), (start, _) in zip(windows, windows[1:], strict=False):
        assert start == end + timedelta(days=1), "windows touch, never overlap"
    for first, last in windows:
        term = f"(liver[tiab]) AND {first:%Y/%m/%d}:{last:%Y/%m/%d}[crdt]"
        assert engine_count(sandbox_server, term) <= 9999


def _window(text: str) -> tuple[date, date]:
    first, last = text.removesuffix("[crdt]").split(":")
    return tuple(datetime.strptime(d, "%Y/%m/%d").date() for d in (first, last))


def test_a_short_record_list_fails_the_harvest(sandbox_server):
    class LosesOnePerPage(EutilsClient):
        def fetch_articles_xml(self, **kwargs):
            kwargs["retmax"] -= 1
            return super().fetch_articles_xml(**kwargs)

    client = LosesOnePerPage(sandbox_server.eutils_base_url, requests_per_second=1000)
    with pytest.raises(HarvestMismatch, match="2266"):
        harvest(sandbox_server, REVIEW_QUERY, Landing(), client=client)


def test_faults_during_a_harvest_are_retried(make_sandbox):
    server = make_sandbox(
        ncbi_rate_limit=False, faults="esearch:ncbi-error#2;efetch:html#1;efetch:truncate#3"
    )
    landing = Landing()
    summary = harvest(server, REVIEW_QUERY, landing, batch_size=1000)
    assert summary.cutoff_count == 1290 and summary.pmids_fetched == 2266
    assert summary.retries == 3
    assert summary.requests["efetch"] == 3 + 2


def test_a_query_with_no_records(sandbox_server):
    landing = Landing()
    summary = harvest(sandbox_server, "abcXYZ", landing)
    assert (summary.current_count, summary.pmids_fetched) == (0, 0)
    assert landing.searches["current"].errors == ["PhraseNotFound: abcXYZ"]
    assert landing.batches == [] and landing.years == {"current": {}, "cutoff": {}}
    assert summary.requests == {"esearch": 2}
    # PubMed drops a phrase it cannot find and answers for the rest: here, only the date
    # range. The count is PubMed's, and the error beside it says why (the flow records both).
    cutoff = landing.searches["cutoff"]
    assert cutoff.count == engine_count(sandbox_server, f"(abcXYZ) AND {CUTOFF_TERM}") > 0
    assert cutoff.errors == ["PhraseNotFound: abcXYZ"]


# --- failures in a 200 that the harvest mends (issue 11) ---------------------------------------


def efetches(server) -> list:
    return [rec for rec in server.log if rec.endpoint == "efetch"]


def test_a_short_efetch_page_is_asked_again_at_once(make_sandbox, review_harvest):
    _, clean, _ = review_harvest
    server = make_sandbox(ncbi_rate_limit=False, faults="efetch:short-page(7)#2")
    landing = Landing()
    summary = harvest(server, REVIEW_QUERY, landing)
    assert [a["pmid"] for a in landing.articles] == [a["pmid"] for a in clean.articles]
    assert landing.batches == clean.batches, "the short page is never handed on"
    assert summary.requests["efetch"] == 5 + 1 and summary.retries == 1


def test_a_page_short_every_time_fails_at_that_page(make_sandbox):
    server = make_sandbox(ncbi_rate_limit=False, faults="efetch:short-page#2-4")
    landing = Landing()
    with pytest.raises(HarvestMismatch, match=r"499 of the 500 records at retstart 500.*2266"):
        harvest(server, REVIEW_QUERY, landing)
    assert len(efetches(server)) == 1 + 3, "asked three times, then no further page"
    assert [n for _, n in landing.batches] == [500]


def test_an_expired_webenv_is_searched_again_and_the_harvest_goes_on(
    make_sandbox, review_harvest
):
    _, clean, _ = review_harvest
    server = make_sandbox(ncbi_rate_limit=False, faults="efetch:expired-webenv#3")
    landing = Landing()
    summary = harvest(server, REVIEW_QUERY, landing)
    assert [a["pmid"] for a in landing.articles] == [a["pmid"] for a in clean.articles]
    assert summary.pmids_fetched == 2266 and summary.retries == 1
    fetched = efetches(server)
    assert len(fetched) == 5 + 1
    webenvs = [dict(rec.params)["WebEnv"] for rec in fetched]
    assert webenvs[2] == webenvs[0] != webenvs[3] == webenvs[-1], "the new WebEnv from then on"
    retstarts = [dict(rec.params)["retstart"] for rec in fetched]
    assert retstarts == ["0", "500", "1000", "1000", "1500", "2000"]


def test_a_webenv_that_keeps_expiring_fails_after_two_new_searches(make_sandbox):
    server = make_sandbox(ncbi_rate_limit=False, faults="efetch:expired-webenv")
    with pytest.raises(HistoryExpired, match="searched .* again 2 times"):
        harvest(server, REVIEW_QUERY, Landing())
    assert [rec.endpoint for rec in server.log] == [
        "esearch", "esearch", "efetch", "esearch", "efetch", "esearch", "efetch",
    ]  # fmt: skip


def test_a_new_search_that_counts_otherwise_is_not_mixed_in(make_sandbox):
    server = make_sandbox(ncbi_rate_limit=False, faults="efetch:expired-webenv#2")
    landing = Landing()

    def growing_upstream(items):
        for item in items:
            yield item
            if isinstance(item, ArticlesItem):  # upstream moves between two pages
                server.pubmed_corpus.add_articles(3, "2026/11/24")

    client = EutilsClient(server.eutils_base_url, requests_per_second=1000)
    plan = plan_pubmed_query(client, REVIEW_QUERY, CUTOFF_DATE, CURRENT_YEAR)
    with pytest.raises(HarvestMismatch, match="2266 records .* then 2269 .* not mixing"):
        landing.land(growing_upstream(plan))
    assert landing.batches == [(1, 500)]
