"""The sandbox's ClinicalTrials.gov corpus: deterministic from a seed, mutable like a registry.

Storage: the ~115 studies of the default corpus are kept as dicts (with their JSON bytes
cached); benchmark extras are *not* stored at all: study `i` is regenerated from (seed, i) when
served, and the search index keeps for it only a few column values and a pointer to one of a
few hundred shared texts. That keeps `extra_studies=100_000` small and quick to build.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import re
from pathlib import Path

from sandbox.ctgov import synth, topic_ipsc
from sandbox.ctgov.essie import date_key
from sandbox.ctgov.index import SearchIndex, make_doc, row_facts
from sandbox.ctgov.records import StudySpec, build_record
from sandbox.ctgov.synth import DEFAULT_SEED, TABLE2_NCT_IDS

__all__ = [
    "CUTOFF_FILTER",
    "CtgovCorpus",
    "DEFAULT_SEED",
    "REVIEW_TERM",
    "STATUSES",
    "TABLE2_NCT_IDS",
    "review_trial_ids",
]

REVIEW_TERM = "mesenchymal stem cell AND liver diseases"
CUTOFF_FILTER = "AREA[StudyFirstPostDate]RANGE[MIN,2022-04-29]"
DATA_TIMESTAMP = dt.datetime(2026, 11, 24, 9, 0, 6)  # the default corpus's /version time
REAL_DIR = Path(__file__).resolve().parent.parent / "data" / "ctgov_real"
STATUSES = (
    "ACTIVE_NOT_RECRUITING",
    "COMPLETED",
    "ENROLLING_BY_INVITATION",
    "NOT_YET_RECRUITING",
    "RECRUITING",
    "SUSPENDED",
    "TERMINATED",
    "WITHDRAWN",
    "AVAILABLE",
    "NO_LONGER_AVAILABLE",
    "TEMPORARILY_NOT_AVAILABLE",
    "APPROVED_FOR_MARKETING",
    "WITHHELD",
    "UNKNOWN",
)
_ADDED_ID_BASE = 8_000_000  # studies added by add_matching_study: NCT08000001, ...


def _dumps(record: dict) -> bytes:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _spec_facts(spec: StudySpec) -> dict:
    """Column values of a spec's record without building it (same as index.row_facts)."""
    return {
        "first_post": date_key(spec.first_post),
        "last_update": date_key(spec.last_update),
        "start": date_key(spec.start),
        "primary_completion": date_key(spec.completion),
        "completion": date_key(spec.completion),
        "status": spec.status.casefold(),
        "phase": tuple(p.casefold() for p in spec.phases or ()),
        "study_type": "interventional",
        "enrollment": spec.enrollment,
    }


def _base_specs(seed: int) -> tuple[list[StudySpec], list[StudySpec]]:
    """(designed to match the review query, designed not to: near misses and the second
    topic)."""
    used = set(TABLE2_NCT_IDS) | {path.stem for path in REAL_DIR.glob("NCT*.json")}
    matching = synth.table2_specs(synth.DATA_DATE)
    matching += synth.matching_specs(seed, synth.DATA_DATE, used)
    others = synth.near_miss_specs(seed, synth.DATA_DATE, used)
    # The second topic (topic_ipsc.py): its own generators and NCT id bands.
    second, second_misses = topic_ipsc.topic_specs(seed, synth.DATA_DATE)
    return matching, others + second + second_misses


def review_trial_ids(seed: int = DEFAULT_SEED) -> list[tuple[str, str]]:
    """(NCT id, first post date) of the default corpus's trials built to match the review
    query (Table 2 + synthetic), for the PubMed sandbox to cite. Extras are not included."""
    return [(spec.nct_id, spec.first_post) for spec in _base_specs(seed)[0]]


class CtgovCorpus:
    """Studies by row; `index` answers queries, `record`/`record_bytes` serve rows."""

    def __init__(self, seed: int, extra_studies: int) -> None:
        if not 0 <= extra_studies <= synth.MAX_EXTRAS:
            raise ValueError(f"extra_studies must be between 0 and {synth.MAX_EXTRAS}")
        self.seed = seed
        self.version = 0  # bumped on every mutation; the API keys its caches on it
        self.index = SearchIndex()
        self._timestamp = DATA_TIMESTAMP
        self._stored: dict[int, dict] = {}
        self._bytes: dict[int, bytes] = {}
        self._extra_start = 0
        self._extra_count = extra_studies
        self._added = 0
        self._review: list[str] = []

    @classmethod
    def build(cls, seed: int = DEFAULT_SEED, extra_studies: int = 0) -> CtgovCorpus:
        corpus = cls(seed, extra_studies)
        matching, near_misses = _base_specs(seed)
        for spec in matching + near_misses:
            corpus._store(build_record(spec, corpus.data_date))
        corpus._review = [spec.nct_id for spec in matching]
        for path in sorted(REAL_DIR.glob("NCT*.json")):
            corpus._store(corpus._with_version_holder(json.loads(path.read_text("utf-8"))))
        corpus._add_extras(extra_studies)
        return corpus

    # --- reading ---

    @property
    def data_timestamp(self) -> str:
        return self._timestamp.isoformat()

    @property
    def data_date(self) -> str:
        return self._timestamp.date().isoformat()

    def nct_ids(self) -> list[str]:
        return list(self.index.nct_ids)

    def review_trials(self) -> list[str]:
        """NCT ids built to match the review query (Table 2, synthetic, added; no extras)."""
        return list(self._review)

    def study(self, nct_id: str) -> dict | None:
        row = self.index.row_of.get(nct_id)
        return None if row is None else json.loads(self.record_bytes(row))

    def record(self, row: int) -> dict:
        """The record of a row, possibly shared: callers must not modify it."""
        stored = self._stored.get(row)
        if stored is not None:
            return stored
        spec = synth.extra_spec(self.seed, row - self._extra_start, synth.DATA_DATE)
        return build_record(spec, self.data_date)

    def record_bytes(self, row: int) -> bytes:
        cached = self._bytes.get(row)
        if cached is None:
            cached = _dumps(self.record(row))
            if row in self._stored:
                self._bytes[row] = cached
        return cached

    # --- building ---

    def _store(self, record: dict, doc_id: int | None = None) -> int:
        nct_id = record["protocolSection"]["identificationModule"]["nctId"]
        if doc_id is None:
            doc_id = self.index.add_doc(make_doc(record))
        row = self.index.add_row(nct_id, doc_id, row_facts(record))
        self._stored[row] = record
        return row

    def _with_version_holder(self, record: dict) -> dict:
        misc = record.get("derivedSection", {}).get("miscInfoModule")
        if misc is not None:
            misc["versionHolder"] = self.data_date
        return record

    def _add_extras(self, count: int) -> None:
        self._extra_start = len(self.index.nct_ids)
        variant_docs: dict[int, int] = {}
        for i in range(count):
            spec = synth.extra_spec(self.seed, i, synth.DATA_DATE)
            variant = synth.extra_variant(self.seed, i)
            doc_id = variant_docs.get(variant)
            if doc_id is None:
                doc = make_doc(build_record(spec, self.data_date), with_ids=False)
                doc_id = variant_docs[variant] = self.index.add_doc(doc)
            self.index.add_row(spec.nct_id, doc_id, _spec_facts(spec))

    # --- mutations (each one is a registry refresh: the data date moves on by a day) ---

    def _row(self, nct_id: str) -> int:
        row = self.index.row_of.get(nct_id)
        if row is None:
            raise KeyError(f"no study {nct_id} in the sandbox corpus")
        return row

    def _advance(self) -> str:
        previous = self.data_date
        self._timestamp += dt.timedelta(days=1)
        self._bytes.clear()  # every record's versionHolder moves with the data date
        for record in self._stored.values():
            self._with_version_holder(record)
        self.version += 1
        return previous

    def _edit(self, nct_id: str) -> tuple[int, dict]:
        """Advance the data date and hand out a private, stored copy of the study to edit."""
        row = self._row(nct_id)
        previous = self._advance()
        record = json.loads(self.record_bytes(row))
        status = record["protocolSection"].setdefault("statusModule", {})
        status["lastUpdateSubmitDate"] = previous
        status["lastUpdatePostDateStruct"] = {"date": self.data_date, "type": "ACTUAL"}
        return row, record

    def _save(self, row: int, record: dict) -> None:
        self._stored[row] = record
        self._bytes.pop(row, None)
        self.index.update_row(row, make_doc(record), row_facts(record))

    def set_overall_status(self, nct_id: str, status: str) -> None:
        if status not in STATUSES:
            raise ValueError(f"{status!r} is not a Status value")
        row, record = self._edit(nct_id)
        record["protocolSection"]["statusModule"]["overallStatus"] = status
        self._save(row, record)

    def remove_from_review_query(self, nct_id: str) -> None:
        """The sponsor renames the product: every "mesenchymal" becomes "stromal"."""
        row, record = self._edit(nct_id)
        self._save(row, _replace_strings(record, re.compile("mesenchymal", re.IGNORECASE)))

    def reindex_swap(self, leaving: str, entering: str) -> None:
        """The registry re-maps its synonyms and MeSH terms overnight: `leaving` stops matching
        the review query and `entering` starts to, while neither record is updated (the records
        served and their LastUpdatePostDate stay as they were; only the search index moves).

        This is the night a count cannot see (issue 11): the total is unchanged, no delta by
        LastUpdatePostDate finds either study, and only an id listing of the query tells.
        """
        self._advance()
        leaving_row, entering_row = self._row(leaving), self._row(entering)
        mesenchymal = re.compile("mesenchymal", re.IGNORECASE)
        leaving_doc = make_doc(_replace_strings(self.record(leaving_row), mesenchymal))
        self.index.update_row(leaving_row, leaving_doc, row_facts(self.record(leaving_row)))
        mapped = json.loads(self.record_bytes(entering_row))
        browse = mapped.setdefault("derivedSection", {}).setdefault("conditionBrowseModule", {})
        # only the index sees these terms: the record served does not change
        browse.setdefault("meshes", []).append({"term": "Mesenchymal Stem Cells"})
        browse.setdefault("ancestors", []).append({"term": "Liver Diseases"})
        entering_facts = row_facts(self.record(entering_row))
        self.index.update_row(entering_row, make_doc(mapped), entering_facts)
        self._review = [n for n in self._review if n != leaving] + [entering]

    def replace_record(self, nct_id: str, record: dict) -> None:
        """Test hook (schema drift): serve `record` for `nct_id` from now on, exactly as given.

        The record is neither validated against the spec nor re-indexed: the study keeps
        matching the queries, dates and totals of its original record while the API serves the
        drifted shape (unknown fields, missing modules, a list where a string was). The data
        date does not move. Every record the corpus builds itself is still spec-valid.
        """
        row = self._row(nct_id)
        self._stored[row] = record
        self._bytes.pop(row, None)
        self.version += 1

    def add_matching_study(self, first_post_date: str | None = None) -> str:
        """A new registration matching the review query (first posted today by default)."""
        self._advance()
        self._added += 1
        nct_id = f"NCT{_ADDED_ID_BASE + self._added:08d}"
        first_post = first_post_date or self.data_date
        rng = random.Random(self.seed * 31 + self._added)
        spec = synth.cell_trial(rng, nct_id, first_post, "RECRUITING", "China", self.data_date)
        spec.last_update = self.data_date
        record = build_record(spec, self.data_date)
        self._store(record)
        self._review.append(nct_id)
        return nct_id


def _replace_strings(node: object, pattern: re.Pattern) -> object:
    def keep_case(match: re.Match) -> str:
        return "Stromal" if match.group(0)[0].isupper() else "stromal"

    if isinstance(node, str):
        return pattern.sub(keep_case, node)
    if isinstance(node, dict):
        return {key: _replace_strings(value, pattern) for key, value in node.items()}
    if isinstance(node, list):
        return [_replace_strings(value, pattern) for value in node]
    return node
