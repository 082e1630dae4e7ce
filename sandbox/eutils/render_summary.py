"""ESummary (JSON and esummary-v1 XML) and EInfo (XML and JSON) bodies."""

from __future__ import annotations

from sandbox.eutils import textgen
from sandbox.eutils.corpus import MONTHS, Article
from sandbox.eutils.render import (
    EINFO_HEAD,
    ESUMMARY_HEAD,
    doi,
    el,
    publication_status,
    volume_issue_pages,
)

ESUMMARY_JSON_HEADER = {"type": "esummary", "version": "0.3"}


def _date_text(value: int) -> str:
    """yyyymmdd -> "2018 May 17" (the esummary PubDate style)."""
    if not value:
        return ""
    return f"{value // 10000} {MONTHS[value // 100 % 100 - 1]} {value % 100}"


def pub_date_text(a: Article) -> str:
    if a.medline_date:
        return a.medline_date
    text = str(a.pub_year)
    if a.pub_month:
        text += f" {MONTHS[a.pub_month - 1]}"
        if a.pub_day:
            text += f" {a.pub_day}"
    return text


def _slash(value: int) -> str:
    return f"{value // 10000}/{value // 100 % 100:02d}/{value % 100:02d} 00:00"


def _author_names(a: Article) -> list[str]:
    names = []
    for last, fore in textgen.authors_for(a.pmid):
        names.append(f"{last} {''.join(p[0] for p in fore.replace('-', ' ').split())}")
    return names


def _summary(a: Article, today: int) -> dict:
    title, iso, issn, _ = textgen.JOURNALS[a.journal]
    volume, issue, start, end = volume_issue_pages(a.pmid)
    authors = _author_names(a)
    history = [
        {"pubstatus": "pubmed", "date": _slash(a.crdt)},
        {"pubstatus": "medline", "date": _slash(a.completed or a.crdt)},
        {"pubstatus": "entrez", "date": _slash(a.crdt)},
    ]
    return {
        "uid": str(a.pmid),
        "pubdate": pub_date_text(a),
        "epubdate": _date_text(a.epub),
        "source": iso,
        "authors": [{"name": n, "authtype": "Author", "clusterid": ""} for n in authors],
        "lastauthor": authors[-1],
        "title": a.title,
        "sorttitle": a.title.lower().rstrip("."),
        "volume": volume,
        "issue": issue,
        "pages": f"{start}-{end}",
        "lang": ["eng"],
        "nlmuniqueid": "",
        "issn": "",
        "essn": issn,
        "pubtype": list(a.pubtypes),
        "recordstatus": ("PubMed - indexed for MEDLINE" if a.completed else "PubMed - in process"),
        "pubstatus": publication_status(a, today),
        "articleids": [
            {"idtype": "pubmed", "idtypen": 1, "value": str(a.pmid)},
            {"idtype": "doi", "idtypen": 3, "value": doi(a.pmid)},
        ],
        "history": history,
        "references": [],
        "attributes": ["Has Abstract"],
        "pmcrefcount": "",
        "fulljournalname": title,
        "elocationid": f"doi: {doi(a.pmid)}",
        "doctype": "citation",
        "sortpubdate": _slash(a.pdat),
        "sortfirstauthor": authors[0],
    }


def esummary_json(uids: list[str], found: dict[str, Article], today: int) -> dict:
    result: dict = {"uids": uids}
    for uid in uids:
        article = found.get(uid)
        result[uid] = (
            _summary(article, today)
            if article
            else {"uid": uid, "error": "cannot get document summary"}
        )
    return {"header": ESUMMARY_JSON_HEADER, "result": result}


def _item(name: str, kind: str, value: object) -> str:
    return el("Item", value, Name=name, Type=kind)


def _docsum(a: Article, today: int) -> str:
    s = _summary(a, today)
    items = [
        _item("PubDate", "Date", s["pubdate"]),
        _item("EPubDate", "Date", s["epubdate"]),
        _item("Source", "String", s["source"]),
        _item("AuthorList", "List", [_item("Author", "String", x["name"]) for x in s["authors"]]),
        _item("LastAuthor", "String", s["lastauthor"]),
        _item("Title", "String", s["title"]),
        _item("Volume", "String", s["volume"]),
        _item("Issue", "String", s["issue"]),
        _item("Pages", "String", s["pages"]),
        _item("LangList", "List", [_item("Lang", "String", "English")]),
        _item("ESSN", "String", s["essn"]),
        _item("PubTypeList", "List", [_item("PubType", "String", p) for p in s["pubtype"]]),
        _item("RecordStatus", "String", s["recordstatus"]),
        _item("PubStatus", "String", s["pubstatus"]),
        _item(
            "ArticleIds",
            "List",
            [_item("pubmed", "String", a.pmid), _item("doi", "String", doi(a.pmid))],
        ),
        _item(
            "History", "List", [_item(h["pubstatus"], "Date", h["date"][:-3]) for h in s["history"]]
        ),
        _item("HasAbstract", "Integer", 1),
        _item("FullJournalName", "String", s["fulljournalname"]),
        _item("ELocationID", "String", s["elocationid"]),
    ]
    return el("DocSum", [el("Id", a.pmid), *items])


def esummary_xml(articles: list[Article], today: int) -> str:
    body = "\n".join(_docsum(a, today) for a in articles)
    return f"{ESUMMARY_HEAD}<eSummaryResult>\n{body}\n</eSummaryResult>\n"


# ---- EInfo --------------------------------------------------------------------------------

DATABASES = (
    "pubmed",
    "protein",
    "nuccore",
    "nucleotide",
    "structure",
    "genome",
    "gene",
    "clinvar",
    "pmc",
    "mesh",
    "books",
    "taxonomy",
)

# (Name, FullName, Description, IsDate) of the fields this sandbox searches.
FIELDS = (
    ("ALL", "All Fields", "All terms from all searchable fields", "N"),
    ("UID", "UID", "Unique number assigned to publication", "N"),
    ("TITL", "Title", "Words in title of publication", "N"),
    ("MESH", "MeSH Terms", "Medical Subject Headings assigned to publication", "N"),
    ("MAJR", "MeSH Major Topic", "MeSH terms of major importance to publication", "N"),
    ("JOUR", "Journal", "Journal abbreviation of publication", "N"),
    ("PDAT", "Date - Publication", "Date of publication", "Y"),
    ("EDAT", "Date - Entry", "Date publication first accessible through Entrez", "Y"),
    ("PTYP", "Publication Type", "Type of publication (e.g., review)", "N"),
    ("SI", "Secondary Source ID", "Cross-reference from publication to other databases", "N"),
    ("TIAB", "Title/Abstract", "Free text associated with Abstract/Title", "N"),
    ("MDAT", "Date - Modification", "Date of last modification", "Y"),
    ("EPDT", "Date - Electronic Publication", "Date of Electronic publication", "Y"),
    ("CRDT", "Date - Create", "Date publication first accessible through Entrez", "Y"),
)


def _build_stamp(today: int) -> tuple[str, str]:
    y, m, d = today // 10000, today // 100 % 100, today % 100
    return f"Build-{y}.{m:02d}.{d:02d}.06.33", f"{y}/{m:02d}/{d:02d} 06:33"


def einfo_xml(count: int | None, today: int) -> str:
    if count is None:
        names = "".join(f"\n\t\t{el('DbName', db)}" for db in DATABASES)
        return f"{EINFO_HEAD}<eInfoResult>\n\t<DbList>{names}\n\t</DbList>\n</eInfoResult>\n"
    build, last_update = _build_stamp(today)
    fields = [
        el(
            "Field",
            [
                el("Name", n),
                el("FullName", f),
                el("Description", d),
                el("TermCount"),
                el("IsDate", is_date),
                el("IsNumerical", "N"),
                el("SingleToken", "Y" if is_date == "Y" else "N"),
                el("Hierarchy", "Y" if n in ("MESH", "MAJR") else "N"),
                el("IsHidden", "N"),
            ],
        )
        for n, f, d, is_date in FIELDS
    ]
    info = el(
        "DbInfo",
        [
            el("DbName", "pubmed"),
            el("MenuName", "PubMed"),
            el("Description", "PubMed bibliographic record"),
            el("DbBuild", build),
            el("Count", count),
            el("LastUpdate", last_update),
            el("FieldList", fields),
            el("LinkList", []),
        ],
    )
    return f"{EINFO_HEAD}<eInfoResult>{info}</eInfoResult>\n"


def einfo_json(count: int | None, today: int) -> dict:
    header = {"type": "einfo", "version": "0.3"}
    if count is None:
        return {"header": header, "einforesult": {"dblist": list(DATABASES)}}
    build, last_update = _build_stamp(today)
    fields = [
        {
            "name": n,
            "fullname": f,
            "description": d,
            "termcount": "",
            "isdate": is_date,
            "isnumerical": "N",
            "singletoken": "Y" if is_date == "Y" else "N",
            "hierarchy": "Y" if n in ("MESH", "MAJR") else "N",
            "ishidden": "N",
        }
        for n, f, d, is_date in FIELDS
    ]
    info = {
        "dbname": "pubmed",
        "menuname": "PubMed",
        "description": "PubMed bibliographic record",
        "dbbuild": build,
        "count": str(count),
        "lastupdate": last_update,
        "fieldlist": fields,
        "linklist": [],
    }
    return {"header": header, "einforesult": {"dbinfo": [info]}}
