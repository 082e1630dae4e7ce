"""The search index behind the query engine: searchable texts plus per-study columns.

Rows are study numbers. Text lives in "docs" (one per study, except benchmark extras, which
share one doc per text variant), each a dict area -> " tok tok | tok ", so a word or phrase
test is a substring test and a phrase never spans two field values. Dates, status, phases and
enrollment live in per-row columns that range and value tests scan.
"""

from __future__ import annotations

from sandbox.ctgov.essie import date_key, nct_number, tokens

_DATE_COLUMNS = {
    "first_post": "studyFirstPostDateStruct",
    "last_update": "lastUpdatePostDateStruct",
    "start": "startDateStruct",
    "primary_completion": "primaryCompletionDateStruct",
    "completion": "completionDateStruct",
}
# Composite search areas (query.* parameters and the *Search AREA names) and their parts.
_COMPOSITES = {
    "titles": ("brief_title", "official_title", "acronym"),
    "cond": ("condition", "keyword", "mesh", "brief_title", "official_title", "acronym"),
    "intr": ("intervention_name", "intervention_other"),
    "outc": ("outcome",),
    "spons": ("lead", "collaborator"),
    "locn": ("facility", "city", "state", "country"),
    "id": ("ids", "acronym"),
}


def _text(values: list[str]) -> str:
    return " " + " | ".join(" ".join(tokens(v)) for v in values if v) + " "


def _strings(node: object) -> list[str]:
    """Every string under a node (used for whole free-text modules)."""
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for value in node.values() for s in _strings(value)]
    if isinstance(node, list):
        return [s for value in node for s in _strings(value)]
    return []


def _fields(record: dict, with_ids: bool) -> dict[str, list[str]]:
    p = record.get("protocolSection", {})
    ident, cond = p.get("identificationModule", {}), p.get("conditionsModule", {})
    arms = p.get("armsInterventionsModule", {})
    interventions = arms.get("interventions", [])
    sponsors = p.get("sponsorCollaboratorsModule", {})
    locations = p.get("contactsLocationsModule", {}).get("locations", [])
    derived = record.get("derivedSection", {})
    ids = [ident.get("nctId", ""), ident.get("orgStudyIdInfo", {}).get("id", "")]
    ids += ident.get("nctIdAliases", [])
    ids += [s.get("id", "") for s in ident.get("secondaryIdInfos", [])]
    kinds = ("meshes", "ancestors")
    browse = [derived.get("interventionBrowseModule", {}).get(k, []) for k in kinds]
    mesh = [derived.get("conditionBrowseModule", {}).get(k, []) for k in kinds]
    return {
        "brief_title": [ident.get("briefTitle", "")],
        "official_title": [ident.get("officialTitle", "")],
        "acronym": [ident.get("acronym", "")],
        "ids": ids if with_ids else [],
        "condition": cond.get("conditions", []),
        "keyword": cond.get("keywords", []),
        "mesh": [m.get("term", "") for group in mesh for m in group],
        "intervention_name": [i.get("name", "") for i in interventions],
        "intervention_other": [s for i in interventions for s in i.get("otherNames", [])]
        + [i.get("description", "") for i in interventions]
        + [m.get("term", "") for group in browse for m in group],
        "outcome": _strings(p.get("outcomesModule", {})),
        "lead": [sponsors.get("leadSponsor", {}).get("name", "")],
        "collaborator": [c.get("name", "") for c in sponsors.get("collaborators", [])],
        "facility": [loc.get("facility", "") for loc in locations],
        "city": [loc.get("city", "") for loc in locations],
        "state": [loc.get("state", "") for loc in locations],
        "country": [loc.get("country", "") for loc in locations],
        "other": _strings(p.get("descriptionModule", {}))
        + _strings(arms.get("armGroups", []))
        + _strings(p.get("eligibilityModule", {}).get("eligibilityCriteria", ""))
        + _strings(p.get("contactsLocationsModule", {}).get("overallOfficials", [])),
    }


def make_doc(record: dict, with_ids: bool = True) -> dict[str, str]:
    """The searchable texts of a record; `with_ids=False` for docs shared by many studies."""
    fields = _fields(record, with_ids)
    doc = {area: _text(values) for area, values in fields.items()}
    for area, parts in _COMPOSITES.items():
        doc[area] = " | ".join(doc[part] for part in parts)
    doc["term"] = " | ".join(doc.values())
    doc["patient"] = doc["term"]
    return doc


def row_facts(record: dict) -> dict:
    """The per-row column values of a record."""
    p = record.get("protocolSection", {})
    status = p.get("statusModule", {})
    design = p.get("designModule", {})
    facts = {key: date_key(status.get(name, {}).get("date")) for key, name in _DATE_COLUMNS.items()}
    facts["status"] = status.get("overallStatus", "").casefold()
    facts["phase"] = tuple(ph.casefold() for ph in design.get("phases", []))
    facts["study_type"] = design.get("studyType", "").casefold()
    facts["enrollment"] = design.get("enrollmentInfo", {}).get("count", -1)
    return facts


class SearchIndex:
    """Rows, their docs and columns; implements `essie.Backend`."""

    def __init__(self) -> None:
        self.nct_ids: list[str] = []
        self.row_of: dict[str, int] = {}
        self.docs: list[dict[str, str]] = []
        self.doc_rows: list[list[int]] = []
        self.row_doc: list[int] = []
        self.columns: dict[str, list] = {
            name: [] for name in (*_DATE_COLUMNS, "status", "phase", "study_type", "enrollment")
        }

    def add_doc(self, doc: dict[str, str]) -> int:
        self.docs.append(doc)
        self.doc_rows.append([])
        return len(self.docs) - 1

    def add_row(self, nct_id: str, doc_id: int, facts: dict) -> int:
        row = len(self.nct_ids)
        self.nct_ids.append(nct_id)
        self.row_of[nct_id] = row
        self.row_doc.append(doc_id)
        self.doc_rows[doc_id].append(row)
        for name, column in self.columns.items():
            column.append(facts[name])
        return row

    def update_row(self, row: int, doc: dict[str, str], facts: dict) -> None:
        """Give a row its own, new doc (a mutation of one study) and new column values."""
        self.doc_rows[self.row_doc[row]].remove(row)
        doc_id = self.add_doc(doc)
        self.row_doc[row] = doc_id
        self.doc_rows[doc_id].append(row)
        for name, column in self.columns.items():
            column[row] = facts[name]

    # --- essie.Backend ---

    def all_rows(self) -> set[int]:
        return set(range(len(self.nct_ids)))

    def match_text(self, area: str, words: tuple[str, ...]) -> set[int]:
        needle = " " + " ".join(words) + " "
        rows: set[int] = set()
        for doc_id, doc in enumerate(self.docs):
            if needle in doc.get(area, ""):
                rows.update(self.doc_rows[doc_id])
        # Shared docs hold no ids, so NCT ids are looked up directly.
        nct = nct_number(words[0]) if len(words) == 1 else None
        if nct in self.row_of and area in ("term", "patient", "id"):
            rows.add(self.row_of[nct])
        return rows

    def match_value(self, area: str, words: tuple[str, ...]) -> set[int]:
        value = "_".join(words)
        column = self.columns[area]
        if area == "phase":
            return {row for row, phases in enumerate(column) if value in phases}
        return {row for row, current in enumerate(column) if current == value}

    def match_range(self, area: str, low: int, high: int) -> set[int]:
        return {row for row, day in enumerate(self.columns[area]) if low <= day <= high}
