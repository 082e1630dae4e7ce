"""The sandbox's second topic (iPSC-cardiomyocyte therapies for heart failure, cut-off
2024-06-30) beside the default review: both asked over HTTP, counts from the engines.

Every study the corpus builds, the second topic's included, is checked against the official
OpenAPI spec by test_ctgov_corpus.py::test_every_study_validates_against_the_spec.
"""

from __future__ import annotations

import io
import json
import urllib.parse
import urllib.request

import pytest
from Bio import Entrez

from sandbox.ctgov import essie
from sandbox.ctgov.corpus import CUTOFF_FILTER, REVIEW_TERM, CtgovCorpus, review_trial_ids
from sandbox.ctgov.topic_ipsc import topic_specs, topic_trial_ids
from sandbox.eutils.corpus import CUTOFF_TERM, REVIEW_QUERY, PubmedCorpus
from sandbox.eutils.query import QueryEngine
from sandbox.second_topic import (
    SECOND_TOPIC_CTGOV_CUTOFF_FILTER,
    SECOND_TOPIC_CTGOV_PLANNED,
    SECOND_TOPIC_CTGOV_TERM,
    SECOND_TOPIC_CUTOFF,
    SECOND_TOPIC_PUBMED_CUTOFF_TERM,
    SECOND_TOPIC_PUBMED_PLANNED,
    SECOND_TOPIC_PUBMED_TERM,
)

FIRST_CTGOV = (REVIEW_TERM, CUTOFF_FILTER)
SECOND_CTGOV = (SECOND_TOPIC_CTGOV_TERM, SECOND_TOPIC_CTGOV_CUTOFF_FILTER)
FIRST_PUBMED = (REVIEW_QUERY, CUTOFF_TERM)
SECOND_PUBMED = (SECOND_TOPIC_PUBMED_TERM, SECOND_TOPIC_PUBMED_CUTOFF_TERM)


def _get(url: str, params: dict, data: dict | None = None) -> bytes:
    body = urllib.parse.urlencode(data).encode() if data else None
    query = urllib.parse.urlencode(params)
    with urllib.request.urlopen(f"{url}?{query}", data=body, timeout=10) as response:
        return response.read()


def _ctgov(server, term: str, cutoff: str | None = None, fields: str = "NCTId") -> list[dict]:
    """Every study of a query, paged as the pipeline pages (countTotal checked)."""
    params = {"query.term": term, "pageSize": "1000", "countTotal": "true", "fields": fields}
    if cutoff:
        params["filter.advanced"] = cutoff
    page = json.loads(_get(server.ctgov_base_url + "/studies", params))
    total, studies = page["totalCount"], page["studies"]
    while "nextPageToken" in page:
        params = {**params, "pageToken": page["nextPageToken"]}
        page = json.loads(_get(server.ctgov_base_url + "/studies", params))
        studies += page["studies"]
    assert total == len(studies)
    return studies


def _nct_ids(server, term: str, cutoff: str | None = None) -> set[str]:
    studies = _ctgov(server, term, cutoff)
    return {s["protocolSection"]["identificationModule"]["nctId"] for s in studies}


def _pmids(server, term: str, cutoff_term: str | None = None) -> set[str]:
    full = f"{term} AND {cutoff_term}" if cutoff_term else term
    params = {"db": "pubmed", "term": full, "retmode": "json", "retmax": "9999"}
    result = json.loads(_get(server.eutils_base_url + "/esearch.fcgi", params))["esearchresult"]
    assert int(result["count"]) == len(result["idlist"])
    return set(result["idlist"])


def test_the_first_topics_counts_do_not_move(sandbox_server):
    assert len(_nct_ids(sandbox_server, *FIRST_CTGOV)) == 63
    assert len(_nct_ids(sandbox_server, REVIEW_TERM)) == 88
    assert len(_pmids(sandbox_server, *FIRST_PUBMED)) == 1290
    assert len(_pmids(sandbox_server, REVIEW_QUERY)) == 2266


def test_the_second_topic_has_studies_and_records_at_and_after_its_cutoff(sandbox_server):
    at_cutoff, now = (
        _nct_ids(sandbox_server, *SECOND_CTGOV),
        _nct_ids(sandbox_server, SECOND_TOPIC_CTGOV_TERM),
    )
    assert 0 < len(at_cutoff) < len(now)
    assert at_cutoff < now
    assert (len(at_cutoff), len(now)) == SECOND_TOPIC_CTGOV_PLANNED
    records_at_cutoff = _pmids(sandbox_server, *SECOND_PUBMED)
    records_now = _pmids(sandbox_server, SECOND_TOPIC_PUBMED_TERM)
    assert 0 < len(records_at_cutoff) < len(records_now)
    assert records_at_cutoff < records_now
    assert (len(records_at_cutoff), len(records_now)) == SECOND_TOPIC_PUBMED_PLANNED


def test_the_cutoff_day_is_inside_and_the_next_day_outside(sandbox_server):
    day, next_day = SECOND_TOPIC_CUTOFF, "2024-07-01"
    studies = _ctgov(sandbox_server, SECOND_TOPIC_CTGOV_TERM, fields="NCTId,StudyFirstPostDate")
    posted = {
        s["protocolSection"]["identificationModule"]["nctId"]: s["protocolSection"]["statusModule"][
            "studyFirstPostDateStruct"
        ]["date"]
        for s in studies
    }
    at_cutoff = _nct_ids(sandbox_server, *SECOND_CTGOV)
    assert {n for n, d in posted.items() if d <= day} == at_cutoff
    assert day in posted.values() and next_day in posted.values()
    for when, inside in (("2024/06/30", True), ("2024/07/01", False)):
        created = _pmids(sandbox_server, SECOND_TOPIC_PUBMED_TERM, f"{when}[crdt]")
        assert created
        assert (created <= _pmids(sandbox_server, *SECOND_PUBMED)) is inside


def test_no_study_or_record_belongs_to_both_topics(sandbox_server):
    first_trials = _nct_ids(sandbox_server, REVIEW_TERM)
    second_trials = _nct_ids(sandbox_server, SECOND_TOPIC_CTGOV_TERM)
    assert first_trials and second_trials and not first_trials & second_trials
    first_records = _pmids(sandbox_server, REVIEW_QUERY)
    second_records = _pmids(sandbox_server, SECOND_TOPIC_PUBMED_TERM)
    assert first_records and second_records and not first_records & second_records


def test_the_second_topics_trials_span_countries(sandbox_server):
    fields = "NCTId,LocationCountry,LocationFacility"
    studies = _ctgov(sandbox_server, SECOND_TOPIC_CTGOV_TERM, fields=fields)
    countries, no_country, multi = set(), 0, 0
    for study in studies:
        locations = study["protocolSection"].get("contactsLocationsModule", {}).get("locations", [])
        names = {loc.get("country") for loc in locations} - {None}
        countries |= names
        no_country += not names
        multi += len(names) > 1
    assert {"Japan", "United States", "China", "Germany"} <= countries
    assert no_country >= 2 and multi >= 2


def test_the_second_topics_records_validate_and_cite_its_trials(sandbox_server):
    pmids = sorted(_pmids(sandbox_server, SECOND_TOPIC_PUBMED_TERM), key=int)
    xml = _get(
        sandbox_server.eutils_base_url + "/efetch.fcgi",
        {},
        {"db": "pubmed", "retmode": "xml", "id": ",".join(pmids)},
    )
    articles = Entrez.read(io.BytesIO(xml), validate=True)["PubmedArticle"]
    assert len(articles) == len(pmids)
    trials = {nct for nct, _ in topic_trial_ids()}
    cited = {
        accession
        for article in articles
        for bank in article["MedlineCitation"]["Article"].get("DataBankList", [])
        for accession in bank["AccessionNumberList"]
    }
    assert cited and cited <= trials


def test_each_word_alone_finds_more_than_the_query(sandbox_server):
    """Near misses on both APIs share words with the second topic's query."""
    now = _pmids(sandbox_server, SECOND_TOPIC_PUBMED_TERM)
    for part in ("induced pluripotent stem cell", "heart failure"):
        assert _pmids(sandbox_server, part) > now
    trials = _nct_ids(sandbox_server, SECOND_TOPIC_CTGOV_TERM)
    for part in ("induced pluripotent stem cell", "heart failure", "pluripotent AND heart"):
        assert _nct_ids(sandbox_server, part) > trials


# --- in process: the separation holds record by record, for other seeds too ---


def _essie(corpus: CtgovCorpus, *queries: str) -> set[str]:
    rows = corpus.index.all_rows()
    for query in queries:
        rows &= essie.evaluate(essie.parse(query), corpus.index)
    return {corpus.index.nct_ids[row] for row in rows}


@pytest.mark.parametrize("seed", [20220429, 7])
def test_ctgov_topics_are_disjoint_by_design(seed):
    corpus = CtgovCorpus.build(seed=seed)
    matching, near_misses = topic_specs(seed, corpus.data_date)
    second = {spec.nct_id for spec in matching}
    built = second | {spec.nct_id for spec in near_misses}
    first = {nct for nct, _ in review_trial_ids(seed)}
    assert len(corpus.nct_ids()) == len(set(corpus.nct_ids()))
    assert built <= set(corpus.nct_ids()) and not built & first
    assert _essie(corpus, SECOND_TOPIC_CTGOV_TERM) == second
    assert _essie(corpus, REVIEW_TERM) == first == set(corpus.review_trials())
    assert len(_essie(corpus, *SECOND_CTGOV)) == SECOND_TOPIC_CTGOV_PLANNED[0]
    assert len(_essie(corpus, *FIRST_CTGOV)) == 63


def test_pubmed_topics_are_disjoint_by_design_for_another_seed():
    corpus = PubmedCorpus.build(seed=7)
    engine = QueryEngine(corpus)
    kinds = {a.pmid: a.kind for a in corpus.articles}
    assert len(kinds) == len(corpus.articles)
    pmids = [a.pmid for a in corpus.articles]
    crdts = [a.crdt for a in corpus.articles]
    assert pmids == sorted(pmids) and crdts == sorted(crdts)  # PMIDs rise with the create date
    second = engine.search(SECOND_TOPIC_PUBMED_TERM).pmids
    assert {kinds[p] for p in second} == {"ipsc_core"}
    assert {kinds[p] for p in engine.search(REVIEW_QUERY).pmids} == {"core"}
    assert engine.search(" AND ".join(FIRST_PUBMED)).count == 1290
    assert len(second) == SECOND_TOPIC_PUBMED_PLANNED[1]
    assert engine.search(" AND ".join(SECOND_PUBMED)).count == SECOND_TOPIC_PUBMED_PLANNED[0]
