"""Records the SQL tests land: real CT.gov study records re-labelled, and PubMed records in the
shape extract.pubmed_parse gives. Import them from here (`from sql_records import study`), not
from conftest: with several test folders in one session, `conftest` may be another folder's."""

from __future__ import annotations

import copy
import json
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def fixture_study(name: str = "NCT02552212") -> dict:
    """A real study record (tests/fixtures/ctgov, from AACT's test data), a private copy."""
    return json.loads((FIXTURES / "ctgov" / f"{name}.json").read_text(encoding="utf-8"))


def study(nct_id: str, *, first_posted: str = "2020-01-15", sites: list | None = None,
          status: str = "RECRUITING", base: str = "NCT02552212") -> dict:
    """A real record re-labelled: its id, first-posted date, status and sites replaced.
    `sites` is a list of country names (None in the list: a site without a country)."""
    record = copy.deepcopy(fixture_study(base))
    protocol = record["protocolSection"]
    protocol["identificationModule"]["nctId"] = nct_id
    protocol["statusModule"]["studyFirstPostDateStruct"] = {"date": first_posted, "type": "ACTUAL"}
    protocol["statusModule"]["overallStatus"] = status
    if sites is not None:
        locations = [{"facility": f"Site {i}", "city": "City"} | ({"country": c} if c else {})
                     for i, c in enumerate(sites)]
        protocol.setdefault("contactsLocationsModule", {})["locations"] = locations
    return record



def pubmed_record(pmid: str, title: str | None = None, *, created: str = "2020-01-15",
                  **fields) -> dict:
    """A record as extract.pubmed_parse.parse_articles gives it (the shape raw.pubmed_article
    holds); `fields` replace any of its values."""
    year = int(created[:4])
    return {
        "pmid": pmid, "title": title or f"Article {pmid}", "journal": "Hepatology",
        "journal_iso": "Hepatology", "authors": ["Roe, Jane", "Doe, J"],
        "abstract": f"Abstract of {pmid}.", "doi": f"10.5555/test.{pmid}", "volume": "12",
        "issue": "3", "pages": "101-9", "pub_year": year, "medline_date": None,
        "article_date": None, "create_date": created, "dedup_year": year,
        "publication_types": ["Journal Article"], "mesh_headings": [], "nct_ids": [],
    } | fields
