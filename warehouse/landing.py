"""The landing zone: raw pages written to disk as they arrive, loaded into `raw.*` in one go.

Writing pages to files (not holding them in memory) keeps a 100,000-study harvest within a
small, flat memory budget, and lets DuckDB's own JSON reader do the loading. Studies are one
JSON object per line: DuckDB caps a single JSON object at 16 MiB, and a page of 1,000 large
records can pass that.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from extract.ctgov import StudiesPage
from extract.ctgov_harvest import PageItem
from extract.http import RawResponse
from extract.pubmed_harvest import SearchItem, YearCountItem
from warehouse.content_hash import study_line_and_hash

# one encoder for every line (json.dumps with options builds one per call)
_compact = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


class LandingZone:
    def __init__(self, root: Path):
        self.root = root
        (self.root / "ctgov_studies").mkdir(parents=True, exist_ok=True)
        (self.root / "pubmed_articles").mkdir(exist_ok=True)
        (self.root / "pubmed_xml").mkdir(exist_ok=True)
        self.pages = 0
        self.records = 0

    # --- ClinicalTrials.gov -------------------------------------------------------------
    def save_ctgov_page(
        self, query_id: str, purpose: str, page: StudiesPage, data_timestamp: str
    ) -> None:
        """purpose: 'harvest' (full records of the whole query), 'sweep' (its ids only),
        'delta' (records updated since the last run), 'by_id' (records of ids that entered)."""
        name = f"{query_id}.{purpose}.{page.page_no:05d}.ndjson"
        if purpose == "sweep":  # an id listing carries no record to hash
            lines, hashes = [_compact(study) for study in page.studies], None
        else:  # each record serialized once, for its line and its content hash
            pairs = [study_line_and_hash(study) for study in page.studies]
            lines, hashes = [line for line, _ in pairs], [hashed for _, hashed in pairs]
        with (self.root / "ctgov_studies" / name).open("w", encoding="utf-8") as fh:
            fh.write("".join(f"{line}\n" for line in lines))
        if hashes is not None:
            self._save_hashes(query_id, purpose, page, hashes)
        self._append_meta(
            "ctgov_pages.jsonl",
            {
                "query_id": query_id,
                "purpose": purpose,
                "page_no": page.page_no,
                "file_name": name,
                "n_studies": len(page.studies),
                "total_count": page.total_count,
                "next_page_token": page.next_page_token,
                "data_timestamp": data_timestamp,
                **_request_meta(page.raw),
            },
        )
        self.pages += 1
        self.records += len(page.studies)

    def _save_hashes(self, query_id: str, purpose: str, page: StudiesPage, hashes) -> None:
        """Each record's content hash, computed where the dict exists (issue 14)."""
        with (self.root / "ctgov_hashes.jsonl").open("a", encoding="utf-8") as fh:
            for study, content_hash in zip(page.studies, hashes, strict=True):
                nct_id = study.get("protocolSection", {}).get("identificationModule", {}).get(
                    "nctId")
                fh.write(json.dumps({"query_id": query_id, "purpose": purpose,
                                     "page_no": page.page_no, "nct_id": nct_id,
                                     "content_hash": content_hash}) + "\n")

    def save_ctgov_total(self, query_id: str, scope: str, total: int, raw: RawResponse) -> None:
        """The API's own count for a query and scope; the checks reconcile against it."""
        self._append_meta(
            "ctgov_totals.jsonl",
            {"query_id": query_id, "scope": scope, "total": total, **_request_meta(raw)},
        )
        self.pages += 1

    def save_ctgov_item(self, query_id: str, item, data_timestamp: str) -> None:
        """One item of a query's harvest plan (extract.ctgov_harvest): a page or a total."""
        if isinstance(item, PageItem):
            self.save_ctgov_page(query_id, item.purpose, item.page, data_timestamp)
        else:
            self.save_ctgov_total(query_id, item.scope, item.total, item.raw)

    def save_ctgov_version(self, version: dict, raw: RawResponse) -> None:
        self._append_meta("ctgov_version.jsonl", {**version, **_request_meta(raw)})

    # --- PubMed -----------------------------------------------------------------------
    def save_pubmed_item(self, query_id: str, item) -> None:
        """One item of a query's PubMed plan (extract.pubmed_harvest)."""
        if isinstance(item, SearchItem):
            self.save_pubmed_search(query_id, item.scope, item.result)
        elif isinstance(item, YearCountItem):
            self.save_pubmed_year_count(query_id, item.scope, item.year, item.result)
        else:
            self.save_pubmed_articles(query_id, item.batch_no, item.raw, item.articles)

    def save_pubmed_search(self, query_id: str, scope: str, result) -> None:
        """A search's count with its QueryTranslation, warnings and errors (extract.eutils)."""
        self._append_meta("pubmed_searches.jsonl", {"query_id": query_id, "scope": scope,
                                                    **_search_meta(result)})
        self.pages += 1

    def save_pubmed_year_count(self, query_id: str, scope: str, year: int, result) -> None:
        self._append_meta("pubmed_year_counts.jsonl", {"query_id": query_id, "scope": scope,
                                                       "year": year, **_search_meta(result)})
        self.pages += 1

    def save_pubmed_articles(
        self, query_id: str, batch_no: int, raw: RawResponse, articles: list[dict]
    ) -> None:
        """The efetch XML verbatim, and its parsed articles one JSON object per line."""
        name = f"{query_id}.{batch_no:05d}"
        (self.root / "pubmed_xml" / f"{name}.xml").write_bytes(raw.body)
        with (self.root / "pubmed_articles" / f"{name}.ndjson").open("w", encoding="utf-8") as fh:
            for article in articles:
                fh.write(json.dumps(article, ensure_ascii=False, separators=(",", ":")) + "\n")
        self._append_meta("pubmed_batches.jsonl", {"query_id": query_id, "batch_no": batch_no,
                                                   "n_articles": len(articles),
                                                   **_request_meta(raw)})
        self.pages += 1
        self.records += len(articles)

    # --- shared -----------------------------------------------------------------------
    def path(self, name: str) -> Path:
        return self.root / name

    def has(self, name: str) -> bool:
        target = self.root / name
        return target.exists() and (target.is_file() or any(target.iterdir()))

    def remove(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def _append_meta(self, file_name: str, row: dict) -> None:
        with (self.root / file_name).open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(row, default=str) + "\n")


def _search_meta(result) -> dict:
    return {
        "term": result.term,
        "count": result.count,
        "query_translation": result.query_translation,
        "warnings": list(result.warnings),
        "errors": list(result.errors),
        **_request_meta(result.raw),
    }


def _request_meta(raw: RawResponse) -> dict:
    return {"url": raw.url, "fetched_at": raw.fetched_at.isoformat(), "bytes": len(raw.body)}
