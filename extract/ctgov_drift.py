"""Schema drift in ClinicalTrials.gov records: noticed, counted, never fatal.

The registry adds fields and reshapes old ones; a nightly job must neither crash on that nor
let it pass unseen. Each record is compared with the shape the official OpenAPI spec gives
(ctg-oas-v2.yaml, version 2.0.5) for the parts this project requests; what differs is counted
per kind and a few examples are kept, for the run's ledger row and the report. The record
itself is landed as it came.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

# Property names from the spec's schemas (Study, ProtocolSection, DerivedSection and the
# modules in extract.ctgov.STUDY_FIELDS).
KNOWN_KEYS: dict[str, frozenset[str]] = {
    "": frozenset({"protocolSection", "resultsSection", "annotationSection",
                   "documentSection", "derivedSection", "hasResults"}),
    "protocolSection": frozenset({
        "identificationModule", "statusModule", "sponsorCollaboratorsModule",
        "oversightModule", "descriptionModule", "conditionsModule", "designModule",
        "armsInterventionsModule", "outcomesModule", "eligibilityModule",
        "contactsLocationsModule", "referencesModule", "ipdSharingStatementModule"}),
    "derivedSection": frozenset({"miscInfoModule", "conditionBrowseModule",
                                 "interventionBrowseModule"}),
    "protocolSection.identificationModule": frozenset({
        "nctId", "nctIdAliases", "orgStudyIdInfo", "secondaryIdInfos", "briefTitle",
        "officialTitle", "acronym", "organization"}),
    "protocolSection.statusModule": frozenset({
        "statusVerifiedDate", "overallStatus", "lastKnownStatus", "delayedPosting",
        "whyStopped", "expandedAccessInfo", "startDateStruct", "primaryCompletionDateStruct",
        "completionDateStruct", "studyFirstSubmitDate", "studyFirstSubmitQcDate",
        "studyFirstPostDateStruct", "resultsWaived", "resultsFirstSubmitDate",
        "resultsFirstSubmitQcDate", "resultsFirstPostDateStruct", "dispFirstSubmitDate",
        "dispFirstSubmitQcDate", "dispFirstPostDateStruct", "lastUpdateSubmitDate",
        "lastUpdatePostDateStruct"}),
    "protocolSection.conditionsModule": frozenset({"conditions", "keywords"}),
    "protocolSection.designModule": frozenset({
        "studyType", "nPtrsToThisExpAccNctId", "expandedAccessTypes", "patientRegistry",
        "targetDuration", "phases", "designInfo", "bioSpec", "enrollmentInfo"}),
    "protocolSection.armsInterventionsModule": frozenset({"armGroups", "interventions"}),
    "protocolSection.contactsLocationsModule": frozenset({
        "centralContacts", "overallOfficials", "locations"}),
    "protocolSection.referencesModule": frozenset({"references", "seeAlsoLinks", "availIpds"}),
    "protocolSection.sponsorCollaboratorsModule": frozenset({
        "responsibleParty", "leadSponsor", "collaborators"}),
}
# The values the warehouse reads, with the JSON type the spec gives them.
EXPECTED_TYPES: dict[str, type] = {
    "protocolSection.identificationModule.nctId": str,
    "protocolSection.identificationModule.briefTitle": str,
    "protocolSection.identificationModule.officialTitle": str,
    "protocolSection.statusModule.overallStatus": str,
    "protocolSection.statusModule.studyFirstPostDateStruct": dict,
    "protocolSection.statusModule.lastUpdatePostDateStruct": dict,
    "protocolSection.statusModule.startDateStruct": dict,
    "protocolSection.conditionsModule.conditions": list,
    "protocolSection.conditionsModule.keywords": list,
    "protocolSection.designModule.phases": list,
    "protocolSection.designModule.enrollmentInfo": dict,
    "protocolSection.armsInterventionsModule.interventions": list,
    "protocolSection.contactsLocationsModule.locations": list,
    "protocolSection.referencesModule.references": list,
}
# Modules every registered study has; others (references, locations...) may be absent.
REQUIRED_MODULES = ("protocolSection.identificationModule", "protocolSection.statusModule")
MAX_EXAMPLES = 10


@dataclass
class DriftReport:
    counts: Counter = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)

    def note(self, kind: str, nct_id: str | None, path: str) -> None:
        self.counts[kind] += 1
        if len(self.examples) < MAX_EXAMPLES:
            self.examples.append(f"{kind}: {nct_id or '?'} {path}")

    def as_dict(self) -> dict:
        return {**dict(self.counts), "examples": list(self.examples)} if self.counts else {}


def check_study(study: dict, report: DriftReport) -> None:
    """Note every way `study` differs from the spec's shape (only within requested parts)."""
    nct_id = _get(study, "protocolSection.identificationModule.nctId")
    for parent, known in KNOWN_KEYS.items():
        node = _get(study, parent) if parent else study
        if isinstance(node, dict):
            for key in node.keys() - known:
                report.note("unknown_field", nct_id, f"{parent}.{key}".lstrip("."))
    for path in REQUIRED_MODULES:
        if _get(study, path) is None:
            report.note("missing_module", nct_id, path)
    for path, expected in EXPECTED_TYPES.items():
        value = _get(study, path)
        if value is not None and not isinstance(value, expected):
            report.note("type_mismatch", nct_id, f"{path} ({type(value).__name__})")


def _get(node, path: str):
    for part in path.split("."):
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node
