"""E-utilities endpoints, called directly (no socket): shapes, errors and history."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET

import pytest
from Bio import Entrez

from sandbox.eutils.api import EutilsApi
from sandbox.eutils.corpus import CUTOFF_TERM, REVIEW_QUERY, PubmedCorpus


@pytest.fixture(scope="module")
def corpus() -> PubmedCorpus:
    return PubmedCorpus.build()


@pytest.fixture(scope="module")
def api(corpus) -> EutilsApi:
    return EutilsApi(corpus)


def call(api: EutilsApi, endpoint: str, **params: str):
    return api.handle(endpoint, list(params.items()))


def esearch_json(api: EutilsApi, **params: str) -> dict:
    reply = call(api, "esearch.fcgi", db="pubmed", retmode="json", **params)
    assert reply.status == 200 and reply.content_type.startswith("application/json")
    return json.loads(reply.body)


def test_esearch_xml_parses_with_biopython(api):
    reply = call(
        api,
        "esearch.fcgi",
        db="pubmed",
        term=f"{REVIEW_QUERY} AND {CUTOFF_TERM}",
        api_key="k",
        tool="t",
        email="e@example.org",
    )
    assert reply.status == 200 and reply.content_type.startswith("text/xml")
    record = Entrez.read(io.BytesIO(reply.body))
    assert record["Count"] == "1290"
    assert len(record["IdList"]) == 20 and record["RetMax"] == "20"
    assert record["IdList"] == sorted(record["IdList"], key=int, reverse=True)
    assert record["QueryTranslation"].endswith("AND 1800/01/01:2022/04/29[Date - Create]")


def test_esearch_json_numbers_are_strings(api):
    body = esearch_json(api, term=REVIEW_QUERY, retmax="5", retstart="3")
    assert body["header"] == {"type": "esearch", "version": "0.3"}
    result = body["esearchresult"]
    assert int(result["count"]) > 1290
    assert (result["retmax"], result["retstart"]) == ("5", "3")
    assert all(isinstance(i, str) for i in result["idlist"]) and len(result["idlist"]) == 5
    assert result["translationset"][0]["from"] == "mesenchymal stem cell"
    assert "querytranslation" in result and "errorlist" not in result


def test_rettype_count(api):
    reply = call(api, "esearch.fcgi", db="pubmed", term="liver[ti]", rettype="count")
    root = ET.fromstring(reply.body)
    assert [child.tag for child in root] == ["Count"]
    body = esearch_json(api, term="liver[ti]", rettype="count")
    assert body["esearchresult"] == {"count": root.findtext("Count")}


def test_date_window_parameters(api):
    body = esearch_json(
        api, term=REVIEW_QUERY, datetype="crdt", mindate="1800/01/01", maxdate="2022/04/29"
    )
    assert body["esearchresult"]["count"] == "1290"
    assert body["esearchresult"]["querytranslation"].endswith(
        ' AND "liver"[Title] AND 1800/01/01:2022/04/29[Date - Create]'
    )
    recent = esearch_json(api, term="liver[tiab]", datetype="edat", reldate="60")
    assert recent["esearchresult"]["querytranslation"].endswith(
        "AND 2026/09/25:2026/11/24[Date - Entry]"
    )
    assert 0 < int(recent["esearchresult"]["count"]) < 9999


def test_mindate_without_maxdate_is_an_error(api):
    body = esearch_json(api, term="liver", datetype="pdat", mindate="2020")
    assert "ERROR" in body["esearchresult"] and "count" not in body["esearchresult"]
    reply = call(api, "esearch.fcgi", db="pubmed", term="liver", maxdate="2020")
    assert b"<ERROR>" in reply.body and b"<Count>" not in reply.body


def test_retstart_beyond_9998_is_the_backend_error(api):
    reply = call(api, "esearch.fcgi", db="pubmed", term="liver[tiab]", retstart="9999")
    root = ET.fromstring(reply.body)
    assert root.findtext("ERROR").startswith(
        "Search Backend failed: Exception:\n'retstart' cannot be larger than 9998."
    )
    body = esearch_json(api, term="liver[tiab]", retstart="10000")
    assert "cannot be larger than 9998" in body["esearchresult"]["ERROR"]
    # The last reachable page is clamped to the first 9,999 records.
    last = esearch_json(api, term="liver[tiab]", retstart="9990", retmax="100")
    assert len(last["esearchresult"]["idlist"]) == 9


def test_retmax_is_capped_at_10000(api):
    body = esearch_json(api, term="liver[tiab]", retmax="20000")
    assert len(body["esearchresult"]["idlist"]) == 9999


def test_phrase_not_found_is_shaped_like_esearch8(api):
    reply = call(api, "esearch.fcgi", db="pubmed", term="abcXYZ")
    text = reply.body.decode()
    assert text.endswith(
        "<eSearchResult><Count>0</Count><RetMax>0</RetMax><RetStart>0</RetStart><IdList/>"
        "<TranslationSet/><QueryTranslation>(abcXYZ[All Fields])</QueryTranslation>"
        "<ErrorList><PhraseNotFound>abcXYZ</PhraseNotFound></ErrorList><WarningList>"
        "<OutputMessage>No items found.</OutputMessage></WarningList></eSearchResult>\n"
    )
    record = Entrez.read(io.BytesIO(reply.body))
    assert record["ErrorList"]["PhraseNotFound"] == ["abcXYZ"]
    body = esearch_json(api, term='"abc def" OR liver[nosuch]')
    assert body["esearchresult"]["warninglist"]["quotedphrasesnotfound"] == ['"abc def"']
    assert body["esearchresult"]["errorlist"]["fieldsnotfound"] == ["nosuch"]


@pytest.mark.parametrize("term", ["(mesenchymal stem cell OR liver[ti]", "liver) AND (", ""])
def test_bad_queries_are_error_bodies_not_zero(api, term):
    reply = call(api, "esearch.fcgi", db="pubmed", term=term)
    root = ET.fromstring(reply.body)
    assert root.find("ERROR") is not None and root.find("Count") is None
    assert "ERROR" in esearch_json(api, term=term)["esearchresult"]


def test_other_db_is_an_error(api):
    reply = call(api, "esearch.fcgi", db="pubmedx", term="liver")
    assert ET.fromstring(reply.body).findtext("ERROR") == "Invalid db name specified: pubmedx"


def test_usehistory_then_efetch_by_webenv(api):
    body = esearch_json(api, term=f"{REVIEW_QUERY} AND {CUTOFF_TERM}", usehistory="y")
    result = body["esearchresult"]
    assert result["querykey"] == "1" and result["webenv"].startswith("MCID_")
    reply = call(
        api,
        "efetch.fcgi",
        db="pubmed",
        WebEnv=result["webenv"],
        query_key=result["querykey"],
        retstart="1280",
        retmax="50",
        retmode="xml",
    )
    articles = Entrez.read(io.BytesIO(reply.body), validate=True)["PubmedArticle"]
    assert len(articles) == 10
    second = esearch_json(api, term="liver[ti]", usehistory="y", WebEnv=result["webenv"])
    assert second["esearchresult"]["querykey"] == "2"
    assert second["esearchresult"]["webenv"] == result["webenv"]


def test_unknown_webenv_is_an_error(api):
    reply = call(api, "efetch.fcgi", db="pubmed", WebEnv="MCID_nope", query_key="1", retmode="xml")
    assert b"<ERROR>Unable to obtain query #1</ERROR>" in reply.body


def _history(api: EutilsApi) -> dict:
    return esearch_json(api, term=REVIEW_QUERY, usehistory="y")["esearchresult"]


def _efetch_pmids(api: EutilsApi, history: dict, **modes) -> list[str]:
    params = {"db": "pubmed", "WebEnv": history["webenv"], "query_key": history["querykey"],
              "retstart": "100", "retmax": "20", "retmode": "xml"}  # fmt: skip
    reply = api.handle("efetch.fcgi", list(params.items()), **modes)
    assert reply.status == 200
    if b"<ERROR>" in reply.body:
        return [reply.body.decode().split("<ERROR>")[1].split("</ERROR>")[0]]
    return [str(a["MedlineCitation"]["PMID"])
            for a in Entrez.read(io.BytesIO(reply.body))["PubmedArticle"]]  # fmt: skip


def test_short_page_fault_leaves_out_the_last_records(api):
    history = _history(api)
    whole = _efetch_pmids(api, history)
    assert len(whole) == 20
    assert _efetch_pmids(api, history, short_by=3) == whole[:17]
    assert _efetch_pmids(api, history) == whole, "the next request is whole again"


def test_expired_webenv_fault_forgets_the_session_for_good(api):
    history = _history(api)
    assert len(_efetch_pmids(api, history)) == 20
    gone = ["Unable to obtain query #1"]
    assert _efetch_pmids(api, history, expire_webenv=True) == gone
    assert _efetch_pmids(api, history) == gone
    assert len(_efetch_pmids(api, _history(api))) == 20, "a new search gives a new WebEnv"


def test_efetch_xml_validates_with_databank_and_dates(api, corpus):
    links = corpus.databank_links
    split = corpus.split_year_pmids()[:3]
    ids = ",".join([*links, *map(str, split), "1"])  # PMID 1 is unknown: skipped
    reply = call(api, "efetch.fcgi", db="pubmed", id=ids, retmode="xml")
    doctype = reply.body.splitlines()[1].decode()
    assert doctype.endswith('"https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">')
    articles = Entrez.read(io.BytesIO(reply.body), validate=True)["PubmedArticle"]
    assert len(articles) == len(links) + len(split)
    seen = {}
    for article in articles[: len(links)]:
        citation = article["MedlineCitation"]
        banks = citation["Article"]["DataBankList"]
        assert banks[0]["DataBankName"] == "ClinicalTrials.gov"
        seen[str(citation["PMID"])] = tuple(banks[0]["AccessionNumberList"])
        history = {d.attributes["PubStatus"]: d for d in article["PubmedData"]["History"]}
        crdt = corpus.get(int(citation["PMID"])).crdt
        entrez = history["entrez"]
        assert int(entrez["Year"]) * 10000 + int(entrez["Month"]) * 100 + int(entrez["Day"]) == crdt
    assert seen == links
    for article in articles[len(links) :]:
        dates = article["MedlineCitation"]["Article"]["ArticleDate"]
        assert dates[0].attributes["DateType"] == "Electronic"


def test_efetch_medline_dates_render(api, corpus):
    pmids = [str(a.pmid) for a in corpus.articles if "Dec-" in a.medline_date][:2]
    reply = call(api, "efetch.fcgi", db="pubmed", id=",".join(pmids), retmode="xml")
    articles = Entrez.read(io.BytesIO(reply.body), validate=True)["PubmedArticle"]
    pub_date = articles[0]["MedlineCitation"]["Article"]["Journal"]["JournalIssue"]["PubDate"]
    assert pub_date["MedlineDate"].endswith("Jan")


def test_efetch_by_post_form_ids(api, corpus):
    ids = ",".join(str(a.pmid) for a in corpus.articles[:250])
    reply = api.handle("efetch.fcgi", [("db", "pubmed"), ("retmode", "xml"), ("id", ids)])
    assert len(Entrez.read(io.BytesIO(reply.body))["PubmedArticle"]) == 250


def test_efetch_without_retmode_is_the_html_page(api, corpus):
    pmid = str(corpus.articles[0].pmid)
    for params in ({}, {"rettype": "abstract"}, {"retmode": "text"}):
        reply = call(api, "efetch.fcgi", db="pubmed", id=pmid, **params)
        assert reply.content_type.startswith("text/html")
        assert reply.body.startswith(b"<html><head><title>PmFetch response</title>")


def test_efetch_without_ids_is_an_error(api):
    reply = call(api, "efetch.fcgi", db="pubmed", retmode="xml")
    assert b"<ERROR>Empty id list - nothing todo</ERROR>" in reply.body


def test_esummary_json_shape_and_limit(api, corpus):
    pmids = [str(a.pmid) for a in corpus.articles[-3:]]
    reply = call(api, "esummary.fcgi", db="pubmed", id=",".join([*pmids, "1"]), retmode="json")
    body = json.loads(reply.body)
    assert body["result"]["uids"] == [*pmids, "1"]
    summary = body["result"][pmids[0]]
    for key in ("uid", "pubdate", "epubdate", "source", "title", "pubtype", "history"):
        assert key in summary
    assert body["result"]["1"]["error"]
    too_many = ",".join(str(a.pmid) for a in corpus.articles[:501])
    body = json.loads(call(api, "esummary.fcgi", db="pubmed", id=too_many, retmode="json").body)
    assert body["error"].startswith("Too many UIDs in request. Maximum number of UIDs is 500")
    assert "result" not in body


def test_esummary_xml_parses(api, corpus):
    pmids = ",".join(str(a.pmid) for a in corpus.articles[:5])
    reply = call(api, "esummary.fcgi", db="pubmed", id=pmids)
    records = Entrez.read(io.BytesIO(reply.body), validate=True)
    assert len(records) == 5 and records[0]["Title"]


def test_einfo(api, corpus):
    dblist = Entrez.read(io.BytesIO(call(api, "einfo.fcgi").body))
    assert "pubmed" in dblist["DbList"]
    info = Entrez.read(io.BytesIO(call(api, "einfo.fcgi", db="pubmed").body))
    assert info["DbInfo"][0]["Count"] == str(len(corpus))
    body = json.loads(call(api, "einfo.fcgi", db="pubmed", retmode="json").body)
    assert body["einforesult"]["dbinfo"][0]["count"] == str(len(corpus))


def test_unknown_endpoint_is_404(api):
    assert call(api, "epost.fcgi").status == 404
    assert call(api, "nothing").status == 404
