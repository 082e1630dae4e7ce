"""PubMed answers into plain values: efetch XML via Biopython, esearch JSON via json.

Biopython parses (Bio.Entrez.read on the bytes, against the DTDs it ships) and does no HTTP:
a document naming a DTD Biopython does not ship (NCBI dates a new one every January) is pointed
at the newest shipped one, since Biopython would otherwise download it.
"""

from __future__ import annotations

import io
import json
import os
import re
from datetime import date

from Bio import Entrez
from Bio.Entrez.Parser import CorruptedXMLError, DataHandler, NotXMLError, ValidationError

from extract.http import TransientError

NCT_ID = re.compile(r"NCT\d{8}")
YEAR = re.compile(r"\b(1[89]\d\d|2\d\d\d)\b")
CLINICALTRIALS_BANK = "clinicaltrials.gov"
_DOCTYPE_DTD = re.compile(rb'(<!DOCTYPE\s+PubmedArticleSet\s+PUBLIC\s+"[^"]*"\s+")([^"]+)(")')
# A quoted phrase PubMed cannot find is dropped from the search like any phrase not found
# (esearch8.xml shows PhraseNotFound; sandbox/eutils/README.md "Not found"), so the count is no
# longer the query's: an error, whichever list carries it. Biopython's esearch.dtd puts
# QuotedPhraseNotFound in the WarningList; issue 11 reports it in the ErrorList.
_ERROR_LABELS = {
    "phrasesnotfound": "PhraseNotFound",
    "fieldsnotfound": "FieldNotFound",
    "quotedphrasesnotfound": "QuotedPhraseNotFound",
}
_WARNINGS_THAT_ARE_ERRORS = {"quotedphrasesnotfound": "QuotedPhraseNotFound"}
_WARNING_LABELS = {"phrasesignored": "PhraseIgnored", "outputmessages": "OutputMessage"}


# ---- esearch JSON ---------------------------------------------------------------------------


def parse_esearch_json(body: bytes) -> dict:
    """count (int), query_translation, warnings, errors, webenv, query_key of an esearch answer.

    Raises TransientError for anything that is not a count PubMed gave: unparsable JSON, NCBI's
    `ERROR` body, a missing or non-numeric count. A zero is only ever PubMed's own zero.
    """
    try:
        # strict=False: PubMed's JSON can carry raw control characters inside strings
        document = json.loads(body, strict=False)
    except (ValueError, UnicodeDecodeError):
        raise TransientError(f"esearch answer is not JSON ({len(body)} bytes)") from None
    result = document.get("esearchresult") if isinstance(document, dict) else None
    if not isinstance(result, dict):
        raise TransientError("esearch answer without an esearchresult")
    if "ERROR" in result:
        raise TransientError(f"NCBI error in a 200: {str(result['ERROR'])[:200]}")
    count = result.get("count")
    if not (isinstance(count, int) or (isinstance(count, str) and count.strip().isdigit())):
        raise TransientError(f"esearch answer without a count (count={count!r})")
    return {
        "count": int(count),
        "query_translation": str(result.get("querytranslation") or ""),
        "errors": _labelled(result.get("errorlist"), _ERROR_LABELS)
        + _labelled(result.get("warninglist"), _WARNINGS_THAT_ARE_ERRORS),
        "warnings": _labelled(result.get("warninglist"), _WARNING_LABELS),
        "webenv": result.get("webenv") or None,
        "query_key": str(result["querykey"]) if result.get("querykey") else None,
    }


def _labelled(section, labels: dict[str, str]) -> list[str]:
    """["PhraseNotFound: abcXYZ", ...] from an errorlist or warninglist, in esearch.dtd order."""
    if not isinstance(section, dict):
        return []
    found = []
    for key, label in labels.items():
        found += [f"{label}: {value}" for value in section.get(key) or []]
    return found


# ---- efetch XML -----------------------------------------------------------------------------


def parse_articles(xml: bytes) -> list[dict]:
    """One JSON-serializable dict per PubmedArticle (and PubmedBookArticle) of an efetch page.

    Raises TransientError when the bytes are not a PubmedArticleSet (an HTML page, an NCBI
    `<ERROR>`, a truncated body), so a caller never mistakes a failure for an empty page.
    """
    if not re.search(rb"<PubmedArticleSet[\s>/]", xml[:4096]):
        raise TransientError(f"not a PubmedArticleSet ({len(xml)} bytes): {xml[:80]!r}")
    if b"<ERROR>" in xml:
        # markup in text arrives escaped, so a literal <ERROR> is NCBI's, never an abstract's
        raise TransientError("NCBI <ERROR> inside a PubmedArticleSet")
    try:
        # validate=False: an element newer than the shipped DTD is skipped, not a failed night
        document = Entrez.read(io.BytesIO(_pin_known_dtd(xml)), validate=False)
    except (NotXMLError, CorruptedXMLError, ValidationError, RuntimeError) as exc:
        raise TransientError(f"unparsable PubmedArticleSet: {str(exc)[:200]}") from None
    if not isinstance(document, dict) or "PubmedArticle" not in document:
        raise TransientError("parsed document is not a PubmedArticleSet")
    articles = [_article(record) for record in document.get("PubmedArticle", [])]
    articles += [_book(record) for record in document.get("PubmedBookArticle", [])]
    return articles


def _pin_known_dtd(xml: bytes) -> bytes:
    """Point the DOCTYPE at a DTD Biopython ships, so it never goes online to fetch one."""
    match = _DOCTYPE_DTD.search(xml[:1024])
    if match is None:
        return xml
    wanted = os.path.basename(match.group(2).decode("ascii", "replace"))
    shipped = _shipped_pubmed_dtds()
    if wanted in shipped or not shipped:
        return xml
    newest = shipped[-1].encode()
    url = b"https://dtd.nlm.nih.gov/ncbi/pubmed/out/" + newest
    return xml[: match.start(2)] + url + xml[match.end(2) :]


def _shipped_pubmed_dtds() -> list[str]:
    names = [
        n for n in os.listdir(DataHandler.global_dtd_dir) if re.fullmatch(r"pubmed_\d{6}\.dtd", n)
    ]
    return sorted(names)


def _article(record) -> dict:
    citation = record["MedlineCitation"]
    article = citation.get("Article", {})
    journal = article.get("Journal", {})
    issue = journal.get("JournalIssue", {})
    pub_date = issue.get("PubDate", {})
    pub_year, medline_date = _pub_year(pub_date)
    article_date = _electronic_date(article.get("ArticleDate", []))
    return {
        "pmid": str(citation["PMID"]),
        "title": _text(article.get("ArticleTitle")),
        "journal": _text(journal.get("Title")),
        "journal_iso": _text(journal.get("ISOAbbreviation")),
        # what screeners read and reference managers import (review new)
        "authors": _authors(article.get("AuthorList", [])),
        "abstract": _abstract(article.get("Abstract")),
        "doi": _doi(article.get("ELocationID", []),
                    record.get("PubmedData", {}).get("ArticleIdList", [])),
        "volume": _text(issue.get("Volume")),
        "issue": _text(issue.get("Issue")),
        "pages": _pages(article.get("Pagination")),
        "pub_year": pub_year,
        "medline_date": medline_date,
        "article_date": article_date,
        "create_date": _create_date(record.get("PubmedData", {}).get("History", [])),
        "dedup_year": _dedup_year(pub_year, article_date),
        "publication_types": [str(t) for t in article.get("PublicationTypeList", [])],
        "mesh_headings": [
            str(h["DescriptorName"])
            for h in citation.get("MeshHeadingList", [])
            if "DescriptorName" in h
        ],
        "nct_ids": _nct_ids(article.get("DataBankList", [])),
    }


def _book(record) -> dict:
    """A PubMed book chapter: few of the fields apply, but its PMID counts in the total."""
    document = record["BookDocument"]
    book = document.get("Book", {})
    pub_year, medline_date = _pub_year(book.get("PubDate", {}))
    return {
        "pmid": str(document["PMID"]),
        "title": _text(document.get("ArticleTitle") or book.get("BookTitle")),
        "journal": None,
        "journal_iso": None,
        "authors": _authors(_first_author_list(document.get("AuthorList", []))),
        "abstract": _abstract(document.get("Abstract")),
        "doi": _doi([], record.get("PubmedBookData", {}).get("ArticleIdList", [])),
        "volume": None,
        "issue": None,
        "pages": None,
        "pub_year": pub_year,
        "medline_date": medline_date,
        "article_date": None,
        "create_date": _create_date(record.get("PubmedBookData", {}).get("History", [])),
        "dedup_year": pub_year,
        "publication_types": [str(t) for t in document.get("PublicationType", [])],
        "mesh_headings": [],
        "nct_ids": [],
    }


def _text(value) -> str | None:
    return str(value) if value is not None else None


def _authors(author_list) -> list[str]:
    """"LastName, ForeName" (Initials when there is no ForeName), or a CollectiveName: the
    form RIS's AU tag asks for ("Lastname, Firstname"; rispy's TAG_KEY_MAPPING: AU authors)."""
    names = []
    for author in author_list:
        if "CollectiveName" in author:
            names.append(_plain(author["CollectiveName"]))
        elif "LastName" in author:
            given = author.get("ForeName") or author.get("Initials")
            names.append(f"{author['LastName']}, {given}" if given else str(author["LastName"]))
    return [name for name in names if name]


def _first_author_list(author_lists) -> list:
    """A book's AuthorList is repeated per Type (authors, editors); the first one is authors."""
    if isinstance(author_lists, list) and author_lists and isinstance(author_lists[0], list):
        return author_lists[0]
    return author_lists


def _abstract(abstract) -> str | None:
    """The AbstractText parts on one line, each structured part after its Label ("METHODS:
    ..."); CopyrightInformation left out. One line, so that a RIS or CSV row stays one row."""
    if not abstract:
        return None
    parts = []
    for part in abstract.get("AbstractText", []):
        label = getattr(part, "attributes", {}).get("Label")
        text = _plain(part)
        parts.append(f"{label}: {text}" if label else text)
    return " ".join(p for p in parts if p) or None


_INLINE_MARKUP = re.compile(r"</?(?:b|i|u|sup|sub|sc)>")  # pubmed_250101.dtd's %text; elements


def _plain(value) -> str:
    """Biopython keeps AbstractText's inline markup (<sub>, <i>, ...) as text: drop the tags,
    collapse the whitespace."""
    return " ".join(_INLINE_MARKUP.sub("", str(value)).split())


def _doi(elocation_ids, article_ids) -> str | None:
    """The Article's ELocationID of EIdType doi, else PubmedData's ArticleId of IdType doi
    (older records carry it only there, as 9997 in pubmed1.xml does)."""
    for value, kind in [(e, "EIdType") for e in elocation_ids] + [
        (a, "IdType") for a in article_ids
    ]:
        if getattr(value, "attributes", {}).get(kind) == "doi" and str(value).strip():
            return str(value).strip()
    return None


def _pages(pagination) -> str | None:
    """MedlinePgn as PubMed prints it ("113-25"), else StartPage-EndPage."""
    if not pagination:
        return None
    if pagination.get("MedlinePgn"):
        return str(pagination["MedlinePgn"])
    start, end = pagination.get("StartPage"), pagination.get("EndPage")
    if start and end:
        return f"{start}-{end}"
    return _text(start)


def _pub_year(pub_date) -> tuple[int | None, str | None]:
    """(Year, else the first year in MedlineDate; the MedlineDate text itself or None)."""
    medline_date = str(pub_date["MedlineDate"]) if "MedlineDate" in pub_date else None
    if "Year" in pub_date and str(pub_date["Year"]).isdigit():
        return int(pub_date["Year"]), medline_date
    found = YEAR.search(medline_date or "")
    return (int(found.group(1)) if found else None), medline_date


def _iso(parts) -> str | None:
    """'YYYY-MM-DD' from a Year/Month/Day element with numeric parts, else None."""
    try:
        return date(int(parts["Year"]), int(parts["Month"]), int(parts["Day"])).isoformat()
    except (KeyError, ValueError, TypeError):
        return None


def _electronic_date(article_dates) -> str | None:
    for article_date in article_dates:
        if getattr(article_date, "attributes", {}).get("DateType") == "Electronic":
            return _iso(article_date)
    return None


def _create_date(history) -> str | None:
    """[crdt]: PubMedPubDate 'entrez'; records without one fall back on 'pubmed' ([edat])."""
    by_status = {}
    for event in history:
        status = getattr(event, "attributes", {}).get("PubStatus")
        by_status.setdefault(status, event)
    for status in ("entrez", "pubmed"):
        if status in by_status:
            created = _iso(by_status[status])
            if created:
                return created
    return None


def _dedup_year(pub_year: int | None, article_date: str | None) -> int | None:
    """DESIGN.md: the issue's PubDate year (or MedlineDate's first), else the ArticleDate year."""
    if pub_year is not None:
        return pub_year
    return int(article_date[:4]) if article_date else None


def _nct_ids(databanks) -> list[str]:
    found: list[str] = []
    for bank in databanks:
        if str(bank.get("DataBankName", "")).strip().lower() != CLINICALTRIALS_BANK:
            continue
        for accession in bank.get("AccessionNumberList", []):
            nct_id = str(accession).strip().upper()
            if NCT_ID.fullmatch(nct_id) and nct_id not in found:
                found.append(nct_id)
    return found
