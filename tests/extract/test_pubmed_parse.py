"""PubMed parsing: real recorded efetch XML, the sandbox's, and bodies that are not data."""

from __future__ import annotations

import io
import json
from pathlib import Path

import Bio.Entrez.Parser
import pytest

from extract.eutils import EutilsClient
from extract.http import TransientError
from extract.pubmed_parse import parse_articles, parse_esearch_json

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "pubmed"
HEAD = (
    b'<?xml version="1.0" ?>\n<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, '
    b'1st January 2025//EN" "https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">\n'
)


def article_xml(pmid="1", pub_date="<Year>2015</Year>", extra="", history="") -> bytes:
    """A minimal PubmedArticle in DTD element order; `extra` goes after the title."""
    return (
        f'<PubmedArticle><MedlineCitation Status="MEDLINE" Owner="NLM"><PMID Version="1">{pmid}'
        f'</PMID><Article PubModel="Print"><Journal><JournalIssue CitedMedium="Print"><PubDate>'
        f"{pub_date}</PubDate></JournalIssue><Title>J Test</Title></Journal><ArticleTitle>T"
        f"</ArticleTitle>{extra}</Article></MedlineCitation><PubmedData><History>{history}"
        f"</History></PubmedData></PubmedArticle>"
    ).encode()


def article_set(*articles: bytes) -> bytes:
    return HEAD + b"<PubmedArticleSet>" + b"".join(articles) + b"</PubmedArticleSet>\n"


def by_pmid(xml: bytes) -> dict[str, dict]:
    return {a["pmid"]: a for a in parse_articles(xml)}


def test_real_records_pubmed1():
    articles = by_pmid((FIXTURES / "pubmed1.xml").read_bytes())
    assert set(articles) == {"12091962", "9997"}
    aids = articles["12091962"]
    assert aids["title"] == "The treatment of AIDS behind the walls of correctional facilities."
    assert (aids["journal"], aids["journal_iso"]) == (
        "Social justice (San Francisco, Calif.)",
        "Soc Justice",
    )
    assert aids["pub_year"] == aids["dedup_year"] == 1990  # PubDate with a Season, no Month
    assert aids["create_date"] == "1990-04-01"
    assert aids["publication_types"] == ["Journal Article", "Review"]
    assert "Prisoners" in aids["mesh_headings"]
    assert aids["article_date"] is None and aids["medline_date"] is None
    assert articles["9997"]["create_date"] == "1976-09-28"


def test_real_records_pubmed2():
    articles = by_pmid((FIXTURES / "pubmed2.xml").read_bytes())
    assert set(articles) == {"11748933", "11700088"}
    assert articles["11748933"]["create_date"] == "2001-12-26"
    assert articles["11700088"]["mesh_headings"] == []  # PubMed-not-MEDLINE: no MeSH
    assert all(a["nct_ids"] == [] for a in articles.values())


def test_real_record_with_a_clinicaltrials_gov_databank_link():
    (article,) = parse_articles((FIXTURES / "pubmed-29768149.xml").read_bytes())
    assert article["pmid"] == "29768149"
    assert article["nct_ids"] == ["NCT02149199"]
    assert article["pub_year"] == 2018 and article["create_date"] == "2018-05-17"
    assert "Randomized Controlled Trial" in article["publication_types"]
    assert "Asthma" in article["mesh_headings"]


def test_screening_fields_of_the_real_records_pubmed1():
    """Values read from tests/fixtures/pubmed/pubmed1.xml."""
    articles = by_pmid((FIXTURES / "pubmed1.xml").read_bytes())
    aids = articles["12091962"]
    assert aids["authors"] == ["Olivero, J Michael"]
    assert (aids["volume"], aids["issue"], aids["pages"]) == ("17", "1", "113-25")
    assert aids["abstract"] is None and aids["doi"] is None  # neither is in the record
    heme = articles["9997"]
    assert heme["authors"] == ["Strekas, T C"]
    assert heme["doi"] == "10.1016/0005-2795(76)90109-4"  # only in PubmedData's ArticleIdList
    assert (heme["volume"], heme["issue"], heme["pages"]) == ("446", "1", "179-91")
    assert heme["abstract"].startswith("Electron paramagnetic resonance and magnetic")
    assert heme["abstract"].endswith("a mechanism for heme-flavin interaction.")


def test_screening_fields_of_the_real_records_pubmed2():
    articles = by_pmid((FIXTURES / "pubmed2.xml").read_bytes())
    cryo = articles["11748933"]
    assert len(cryo["authors"]) == 8
    assert cryo["authors"][0] == "Taddei, A R" and cryo["authors"][-1] == "Mazzini, M"
    assert cryo["doi"] == "10.1006/cryo.2001.2328"
    assert (cryo["volume"], cryo["issue"], cryo["pages"]) == ("42", "4", "244-55")
    assert "(P < 0.001)" in cryo["abstract"]  # &lt; unescaped
    assert "Copyright" not in cryo["abstract"]  # CopyrightInformation is not the abstract
    mri = articles["11700088"]
    assert mri["authors"][-1] == "De Luca, F"
    assert (mri["doi"], mri["pages"]) == ("10.1006/jmre.2001.2429", "117-23")


def test_screening_fields_of_a_structured_abstract():
    (article,) = parse_articles((FIXTURES / "pubmed-29768149.xml").read_bytes())
    assert len(article["authors"]) == 10
    assert article["authors"][:2] == ["O'Byrne, Paul M", "FitzGerald, J Mark"]
    assert article["authors"][-1] == "Reddel, Helen K"
    assert article["doi"] == "10.1056/NEJMoa1715274"  # the Article's ELocationID
    assert (article["volume"], article["issue"], article["pages"]) == ("378", "20", "1865-1876")
    abstract = article["abstract"]
    assert abstract.startswith("BACKGROUND: In patients with mild asthma, as-needed use")
    assert " METHODS: We conducted a 52-week, double-blind trial" in abstract
    assert " CONCLUSIONS: In patients with mild asthma" in abstract
    assert "fast-acting \u03b2 2-agonist" in abstract  # <sub>2</sub>: the tag goes, the 2 stays
    assert "\n" not in abstract and "<" not in abstract


def test_collective_and_initials_only_authors():
    authors = (
        '<AuthorList CompleteYN="Y"><Author ValidYN="Y"><LastName>Roe</LastName>'
        '<Initials>J</Initials></Author><Author ValidYN="Y"><CollectiveName>MSC Liver '
        "<i>Study</i> Group</CollectiveName></Author></AuthorList>"
    )
    (article,) = parse_articles(article_set(article_xml(extra=authors)))
    assert article["authors"] == ["Roe, J", "MSC Liver Study Group"]
    assert article["doi"] is None and article["pages"] is None


@pytest.mark.parametrize("name", ["pubmed1.xml", "pubmed2.xml", "pubmed-29768149.xml"])
def test_parsed_records_are_plain_json(name):
    articles = parse_articles((FIXTURES / name).read_bytes())
    assert json.loads(json.dumps(articles)) == articles


def test_sandbox_efetch_output(sandbox_server):
    client = EutilsClient(sandbox_server.eutils_base_url, requests_per_second=1000)
    links = sandbox_server.pubmed_corpus.databank_links
    pmids = sorted(links)
    articles = by_pmid(client.fetch_articles_xml(ids=pmids).body)
    assert set(articles) == set(pmids)
    for pmid, nct_ids in links.items():
        assert articles[pmid]["nct_ids"] == list(nct_ids)
    for article in articles.values():
        assert article["create_date"] and article["dedup_year"]
        assert article["journal_iso"] and article["publication_types"]


def test_sandbox_efetch_carries_the_screening_fields_and_is_valid(sandbox_server):
    """The sandbox's efetch (sandbox/eutils/render.py) emits every element the parser reads for
    screeners, in a document Biopython validates against the DTD it names."""
    client = EutilsClient(sandbox_server.eutils_base_url, requests_per_second=1000)
    pmids = [str(a.pmid) for a in sandbox_server.pubmed_corpus.articles[::500]]
    body = client.fetch_articles_xml(ids=pmids).body
    Bio.Entrez.read(io.BytesIO(body), validate=True)
    for article in parse_articles(body):
        assert article["authors"] and article["abstract"] and article["doi"]
        assert article["volume"] and article["issue"] and article["pages"]


def test_years_dates_and_the_dedup_rule():
    electronic = (
        '<ArticleDate DateType="Electronic"><Year>2014</Year><Month>12</Month><Day>30</Day>'
        "</ArticleDate>"
    )
    entrez = (
        '<PubMedPubDate PubStatus="pubmed"><Year>2015</Year><Month>1</Month><Day>3</Day>'
        '</PubMedPubDate><PubMedPubDate PubStatus="entrez"><Year>2015</Year><Month>1</Month>'
        "<Day>2</Day></PubMedPubDate>"
    )
    only_pubmed = (
        '<PubMedPubDate PubStatus="pubmed"><Year>2011</Year><Month>2</Month><Day>9</Day>'
        "</PubMedPubDate>"
    )
    articles = by_pmid(
        article_set(
            article_xml("1", "<Year>2015</Year><Month>Feb</Month>", electronic, entrez),
            article_xml("2", "<MedlineDate>2010 Dec-2011 Jan</MedlineDate>", history=only_pubmed),
            article_xml("3", "", electronic),
        )
    )
    two_years = articles["1"]
    assert (two_years["pub_year"], two_years["article_date"]) == (2015, "2014-12-30")
    assert two_years["dedup_year"] == 2015  # the year wins over the e-pub year
    assert two_years["create_date"] == "2015-01-02"  # entrez ([crdt]), not pubmed ([edat])
    medline = articles["2"]
    assert (medline["pub_year"], medline["medline_date"]) == (2010, "2010 Dec-2011 Jan")
    assert medline["dedup_year"] == 2010 and medline["create_date"] == "2011-02-09"
    electronic_only = articles["3"]
    assert electronic_only["pub_year"] is None and electronic_only["dedup_year"] == 2014
    assert electronic_only["create_date"] is None


def test_only_clinicaltrials_gov_accessions_that_are_nct_ids():
    banks = (
        "<DataBankList><DataBank><DataBankName>GENBANK</DataBankName><AccessionNumberList>"
        "<AccessionNumber>NCT00000001</AccessionNumber></AccessionNumberList></DataBank>"
        "<DataBank><DataBankName>ClinicalTrials.gov</DataBankName><AccessionNumberList>"
        "<AccessionNumber>nct01220492</AccessionNumber><AccessionNumber>NCT0122049</AccessionNumber>"
        "<AccessionNumber>NCT01220492</AccessionNumber></AccessionNumberList></DataBank>"
        "</DataBankList>"
    )
    (article,) = parse_articles(article_set(article_xml(extra=banks)))
    assert article["nct_ids"] == ["NCT01220492"]


def test_efetch_html_page_is_refused():
    with pytest.raises(TransientError, match="not a PubmedArticleSet"):
        parse_articles((FIXTURES / "pubmed3.html").read_bytes())


@pytest.mark.parametrize(
    "body",
    [
        b"<?xml version='1.0'?>\n<eFetchResult><ERROR>Unable to obtain query #1</ERROR>"
        b"</eFetchResult>",
        article_set(article_xml())[:-60],  # cut short
        article_set(article_xml()).replace(
            b"</PubmedArticleSet>", b"<ERROR>x</ERROR></PubmedArticleSet>"
        ),
        b"",
    ],
    ids=["efetch-error", "truncated", "error-inside", "empty"],
)
def test_bodies_that_are_not_article_sets_are_refused(body):
    with pytest.raises(TransientError):
        parse_articles(body)


def test_an_empty_article_set_is_an_empty_list():
    assert parse_articles(article_set()) == []


def test_an_unshipped_dtd_is_never_downloaded(monkeypatch):
    def no_network(url, *args, **kwargs):
        raise AssertionError(f"Biopython tried to download {url}")

    monkeypatch.setattr(Bio.Entrez.Parser, "urlopen", no_network)
    xml = article_set(article_xml("7")).replace(b"pubmed_250101.dtd", b"pubmed_990101.dtd")
    assert [a["pmid"] for a in parse_articles(xml)] == ["7"]


# ---- esearch JSON ---------------------------------------------------------------------------


def esearch_body(**result) -> bytes:
    return json.dumps({"header": {"type": "esearch"}, "esearchresult": result}).encode()


def test_esearch_json_with_raw_control_characters():
    body = esearch_body(count="12", querytranslation="TAB").replace(b"TAB", b"liver\t[ti]\x01")
    parsed = parse_esearch_json(body)
    assert parsed["count"] == 12 and parsed["query_translation"] == "liver\t[ti]\x01"
    assert parsed["webenv"] is None and parsed["query_key"] is None


def test_esearch_json_errors_and_warnings_are_kept_with_the_count():
    parsed = parse_esearch_json(
        esearch_body(
            count="0",
            querytranslation="(zzz[All Fields])",
            errorlist={"phrasesnotfound": ["zzz"], "fieldsnotfound": []},
            warninglist={"quotedphrasesnotfound": [], "outputmessages": ["No items found."]},
        )
    )
    assert parsed["count"] == 0  # PubMed's own zero, with the reason beside it
    assert parsed["errors"] == ["PhraseNotFound: zzz"]
    assert parsed["warnings"] == ["OutputMessage: No items found."]


@pytest.mark.parametrize("where", ["errorlist", "warninglist"])
def test_esearch_json_quoted_phrase_not_found_is_an_error(where):
    """PubMed drops a quoted phrase it cannot find, like PhraseNotFound: the count is no longer
    the query's, so it must reach `errors`, which fail the run's check (issue 11)."""
    lists = {"errorlist": {"phrasesnotfound": []}, "warninglist": {"outputmessages": []}}
    lists[where]["quotedphrasesnotfound"] = ['"stromal vascular"']
    parsed = parse_esearch_json(esearch_body(count="7", querytranslation="x", **lists))
    assert parsed["errors"] == ['QuotedPhraseNotFound: "stromal vascular"']
    assert parsed["warnings"] == []


@pytest.mark.parametrize(
    "body",
    [
        esearch_body(ERROR="Search Backend failed: Database is not supported: pubmed"),
        esearch_body(querytranslation="liver[ti]"),  # no count
        esearch_body(count=""),
        json.dumps({"error": "API rate limit exceeded"}).encode(),
        b"<html><body>maintenance</body></html>",
        esearch_body(count="12")[:30],
    ],
    ids=["ncbi-error", "no-count", "empty-count", "no-esearchresult", "html", "truncated"],
)
def test_esearch_bodies_without_a_count_never_become_zero(body):
    with pytest.raises(TransientError):
        parse_esearch_json(body)
