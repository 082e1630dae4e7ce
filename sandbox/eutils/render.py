"""E-utilities bodies: eSearchResult (XML/JSON), PubmedArticleSet, eSummaryResult, eInfoResult.

Shapes follow the recorded responses in shared/reference/pubmed; the PubmedArticle element
order follows pubmed_250101.dtd. Dates in PubmedData/History: PubStatus="entrez" is the
create date [crdt] (with the hour and minute of creation) and PubStatus="pubmed" the Entrez
date [edat] (same day, 06:00); "medline" is the day indexing completed.
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from sandbox.eutils import textgen
from sandbox.eutils.corpus import MONTHS, Article
from sandbox.eutils.query import SearchResult

ESEARCH_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" ?>\n<!DOCTYPE eSearchResult PUBLIC '
    '"-//NLM//DTD esearch 20060628//EN" '
    '"https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20060628/esearch.dtd">\n'
)
PUBMED_HEAD = (
    '<?xml version="1.0" ?>\n<!DOCTYPE PubmedArticleSet PUBLIC '
    '"-//NLM//DTD PubMedArticle, 1st January 2025//EN" '
    '"https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">\n'
)
ESUMMARY_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" ?>\n<!DOCTYPE eSummaryResult PUBLIC '
    '"-//NLM//DTD esummary v1 20041029//EN" '
    '"https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20041029/esummary-v1.dtd">\n'
)
EINFO_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" ?>\n<!DOCTYPE eInfoResult PUBLIC '
    '"-//NLM//DTD einfo 20190110//EN" '
    '"https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20190110/einfo.dtd">\n'
)
EFETCH_HEAD = '<?xml version="1.0" encoding="UTF-8" ?>\n'


def el(name: str, text: object = None, **attrs: str) -> str:
    """One element; `text` is escaped unless it is already markup (a list of strings)."""
    attr = "".join(f" {key}={quoteattr(value)}" for key, value in attrs.items())
    if text is None:
        return f"<{name}{attr}/>"
    body = "".join(text) if isinstance(text, list) else escape(str(text))
    return f"<{name}{attr}>{body}</{name}>"


def error_body(root: str, message: str) -> str:
    head = ESEARCH_HEAD if root == "eSearchResult" else EFETCH_HEAD
    return f"{head}<{root}>{el('ERROR', message)}</{root}>\n"


# ---- PubmedArticleSet --------------------------------------------------------------------


def _ymd_parts(value: int, zero_pad: bool = True) -> list[str]:
    year, month, day = value // 10000, value // 100 % 100, value % 100
    if zero_pad:
        return [el("Year", year), el("Month", f"{month:02d}"), el("Day", f"{day:02d}")]
    return [el("Year", year), el("Month", month), el("Day", day)]


def _history_date(status: str, value: int, hour: int, minute: int) -> str:
    parts = _ymd_parts(value, zero_pad=False) + [el("Hour", hour), el("Minute", minute)]
    return el("PubMedPubDate", parts, PubStatus=status)


def _pub_date(a: Article) -> str:
    if a.medline_date:
        return el("PubDate", [el("MedlineDate", a.medline_date)])
    parts = [el("Year", a.pub_year)]
    if a.pub_month:
        parts.append(el("Month", MONTHS[a.pub_month - 1]))
        if a.pub_day:
            parts.append(el("Day", f"{a.pub_day:02d}"))
    return el("PubDate", parts)


def volume_issue_pages(pmid: int) -> tuple[str, str, int, int]:
    start = pmid % 900 + 1
    return str(pmid % 60 + 1), str(pmid % 12 + 1), start, start + pmid % 12 + 3


def doi(pmid: int) -> str:
    return f"10.5555/sandbox.{pmid}"  # 10.5555 is the DOI test prefix: never a real article


def _journal(a: Article) -> str:
    title, iso, issn, _ = textgen.JOURNALS[a.journal]
    volume, issue, _, _ = volume_issue_pages(a.pmid)
    issue_el = el(
        "JournalIssue",
        [el("Volume", volume), el("Issue", issue), _pub_date(a)],
        CitedMedium="Internet" if a.epub else "Print",
    )
    return el(
        "Journal",
        [
            el("ISSN", issn, IssnType="Electronic"),
            issue_el,
            el("Title", title),
            el("ISOAbbreviation", iso),
        ],
    )


def _authors(pmid: int) -> str:
    people = []
    for last, fore in textgen.authors_for(pmid):
        initials = "".join(part[0] for part in fore.replace("-", " ").split())
        people.append(
            el(
                "Author",
                [el("LastName", last), el("ForeName", fore), el("Initials", initials)],
                ValidYN="Y",
            )
        )
    return el("AuthorList", people, CompleteYN="Y")


def _article(a: Article) -> str:
    _, _, start, end = volume_issue_pages(a.pmid)
    parts = [
        _journal(a),
        el("ArticleTitle", a.title),
        el(
            "Pagination",
            [el("StartPage", start), el("EndPage", end), el("MedlinePgn", f"{start}-{end}")],
        ),
        el("ELocationID", doi(a.pmid), EIdType="doi", ValidYN="Y"),
        el("Abstract", [el("AbstractText", a.abstract)]),
        _authors(a.pmid),
        el("Language", "eng"),
    ]
    if a.nct:
        accessions = el("AccessionNumberList", [el("AccessionNumber", n) for n in a.nct])
        bank = el("DataBank", [el("DataBankName", "ClinicalTrials.gov"), accessions])
        parts.append(el("DataBankList", [bank], CompleteYN="Y"))
    parts.append(
        el(
            "PublicationTypeList",
            [el("PublicationType", pt, UI=textgen.PUBTYPE_UI[pt]) for pt in a.pubtypes],
        )
    )
    if a.epub:
        parts.append(el("ArticleDate", _ymd_parts(a.epub), DateType="Electronic"))
    return el("Article", parts, PubModel=a.pub_model)


def _medline_citation(a: Article) -> str:
    _, iso, issn, country = textgen.JOURNALS[a.journal]
    parts = [el("PMID", a.pmid, Version="1")]
    if a.completed:
        parts.append(el("DateCompleted", _ymd_parts(a.completed)))
    parts += [
        el("DateRevised", _ymd_parts(a.mdat)),
        _article(a),
        el(
            "MedlineJournalInfo",
            [el("Country", country), el("MedlineTA", iso), el("ISSNLinking", issn)],
        ),
    ]
    if a.completed:
        parts.append(el("CitationSubset", "IM"))
    headings = [
        el(
            "MeshHeading",
            [
                el(
                    "DescriptorName",
                    h,
                    UI=textgen.MESH_UI[h],
                    MajorTopicYN="Y" if a.is_major(i) else "N",
                )
            ],
        )
        for i, h in enumerate(a.mesh)
    ]
    if headings:
        parts.append(el("MeshHeadingList", headings))
    status = "MEDLINE" if a.completed else "In-Data-Review"
    return el("MedlineCitation", parts, Status=status, Owner="NLM")


def publication_status(a: Article, today: int) -> str:
    if a.pub_model == "Electronic":
        return "epublish"
    return "aheadofprint" if a.epub and a.pdat > today else "ppublish"


def pubmed_article(a: Article, today: int) -> str:
    minute_of_day = a.pmid % (18 * 60)  # a stable creation time between 00:00 and 17:59
    history = [
        _history_date("pubmed", a.crdt, 6, 0),
        _history_date("medline", a.completed or a.crdt, 6, 0),
        _history_date("entrez", a.crdt, minute_of_day // 60, minute_of_day % 60),
    ]
    ids = el(
        "ArticleIdList",
        [el("ArticleId", a.pmid, IdType="pubmed"), el("ArticleId", doi(a.pmid), IdType="doi")],
    )
    data = el(
        "PubmedData",
        [el("History", history), el("PublicationStatus", publication_status(a, today)), ids],
    )
    return el("PubmedArticle", [_medline_citation(a), data])


def pubmed_article_set(articles: list[Article], today: int) -> str:
    body = "\n".join(pubmed_article(a, today) for a in articles)
    return f"{PUBMED_HEAD}<PubmedArticleSet>\n{body}\n</PubmedArticleSet>\n"


# ---- eSearchResult ------------------------------------------------------------------------


@dataclass
class EsearchPage:
    result: SearchResult
    retstart: int
    ids: list[int]
    query_key: int | None = None
    webenv: str | None = None


def _message_lists(result: SearchResult) -> tuple[dict, dict]:
    errors = {
        "phrasesnotfound": result.phrases_not_found,
        "fieldsnotfound": result.fields_not_found,
    }
    outputs = ["No items found."] if result.count == 0 else []
    warnings = {
        "phrasesignored": [],
        "quotedphrasesnotfound": result.quoted_not_found,
        "outputmessages": outputs,
    }
    return errors, warnings


def esearch_xml(page: EsearchPage) -> str:
    result = page.result
    parts = [el("Count", result.count), el("RetMax", len(page.ids)), el("RetStart", page.retstart)]
    if page.webenv:
        parts += [el("QueryKey", page.query_key), el("WebEnv", page.webenv)]
    ids = "".join(f"\n<Id>{pmid}</Id>" for pmid in page.ids)
    parts.append(f"<IdList>{ids}\n</IdList>" if page.ids else "<IdList/>")
    # PubMed's own odd whitespace inside Translation, as in esearch2.xml.
    translations = "".join(
        f"<Translation>     {el('From', source)}     {el('To', target)}    </Translation>"
        for source, target in result.translation_set
    )
    parts.append(
        f"<TranslationSet>{translations}</TranslationSet>" if translations else "<TranslationSet/>"
    )
    parts.append(el("QueryTranslation", result.translation))
    errors, warnings = _message_lists(result)
    error_items = [el("PhraseNotFound", p) for p in errors["phrasesnotfound"]]
    error_items += [el("FieldNotFound", f) for f in errors["fieldsnotfound"]]
    if error_items:
        parts.append(el("ErrorList", error_items))
    warning_items = [el("QuotedPhraseNotFound", q) for q in warnings["quotedphrasesnotfound"]]
    warning_items += [el("OutputMessage", m) for m in warnings["outputmessages"]]
    if warning_items:
        parts.append(el("WarningList", warning_items))
    return f"{ESEARCH_HEAD}<eSearchResult>{''.join(parts)}</eSearchResult>\n"


ESEARCH_JSON_HEADER = {"type": "esearch", "version": "0.3"}


def esearch_json(page: EsearchPage) -> dict:
    """Every number is a string, as in the real JSON."""
    result = page.result
    body: dict = {
        "count": str(result.count),
        "retmax": str(len(page.ids)),
        "retstart": str(page.retstart),
    }
    if page.webenv:
        body["querykey"] = str(page.query_key)
        body["webenv"] = page.webenv
    body["idlist"] = [str(pmid) for pmid in page.ids]
    body["translationset"] = [{"from": s, "to": t} for s, t in result.translation_set]
    body["querytranslation"] = result.translation
    errors, warnings = _message_lists(result)
    if any(errors.values()):
        body["errorlist"] = errors
    if any(warnings.values()):
        body["warninglist"] = warnings
    return {"header": ESEARCH_JSON_HEADER, "esearchresult": body}


def esearch_count_xml(count: int) -> str:
    return f"{ESEARCH_HEAD}<eSearchResult>{el('Count', count)}</eSearchResult>\n"


def esearch_count_json(count: int) -> dict:
    return {"header": ESEARCH_JSON_HEADER, "esearchresult": {"count": str(count)}}


def esearch_error_json(message: str) -> dict:
    return {"header": ESEARCH_JSON_HEADER, "esearchresult": {"ERROR": message}}
