"""The `fields` parameter: which parts of a study record to return.

A name is a section or module piece name (ProtocolSection, StatusModule, ...), a field piece
name (NCTId, LocationCountry, ...; see FIELD_PIECES), or a dotted path
(protocolSection.identificationModule.nctId). The projection keeps the record's nesting and
maps over lists, so LocationCountry gives {"protocolSection": {"contactsLocationsModule":
{"locations": [{"country": ...}, ...]}}}. List items left empty by the projection are dropped.

Simplifications: piece names are matched case-insensitively; a dotted path is accepted when its
section and module exist and its deeper segments are plain identifiers (the sandbox keeps no
full data dictionary); `@query` returns the whole protocolSection.
"""

from __future__ import annotations

import re

SECTIONS: dict[str, tuple[str, ...]] = {
    "protocolSection": (
        "identificationModule",
        "statusModule",
        "sponsorCollaboratorsModule",
        "oversightModule",
        "descriptionModule",
        "conditionsModule",
        "designModule",
        "armsInterventionsModule",
        "outcomesModule",
        "eligibilityModule",
        "contactsLocationsModule",
        "referencesModule",
        "ipdSharingStatementModule",
    ),
    "resultsSection": (
        "participantFlowModule",
        "baselineCharacteristicsModule",
        "outcomeMeasuresModule",
        "adverseEventsModule",
        "moreInfoModule",
    ),
    "annotationSection": ("annotationModule",),
    "documentSection": ("largeDocumentModule",),
    "derivedSection": ("miscInfoModule", "conditionBrowseModule", "interventionBrowseModule"),
}

_ID, _ST = "protocolSection.identificationModule.", "protocolSection.statusModule."
_SP, _CO = "protocolSection.sponsorCollaboratorsModule.", "protocolSection.conditionsModule."
_DE, _AI = "protocolSection.designModule.", "protocolSection.armsInterventionsModule."
_CL, _EL = "protocolSection.contactsLocationsModule.", "protocolSection.eligibilityModule."
_RE, _OU = "protocolSection.referencesModule.", "protocolSection.outcomesModule."
_CB, _IB = "derivedSection.conditionBrowseModule.", "derivedSection.interventionBrowseModule."

FIELD_PIECES: dict[str, str] = {
    "NCTId": _ID + "nctId",
    "NCTIdAlias": _ID + "nctIdAliases",
    "OrgStudyId": _ID + "orgStudyIdInfo.id",
    "SecondaryId": _ID + "secondaryIdInfos.id",
    "BriefTitle": _ID + "briefTitle",
    "OfficialTitle": _ID + "officialTitle",
    "Acronym": _ID + "acronym",
    "OrgFullName": _ID + "organization.fullName",
    "OverallStatus": _ST + "overallStatus",
    "LastKnownStatus": _ST + "lastKnownStatus",
    "WhyStopped": _ST + "whyStopped",
    "StatusVerifiedDate": _ST + "statusVerifiedDate",
    "StartDate": _ST + "startDateStruct.date",
    "StartDateType": _ST + "startDateStruct.type",
    "StartDateStruct": _ST + "startDateStruct",
    "PrimaryCompletionDate": _ST + "primaryCompletionDateStruct.date",
    "PrimaryCompletionDateStruct": _ST + "primaryCompletionDateStruct",
    "CompletionDate": _ST + "completionDateStruct.date",
    "CompletionDateStruct": _ST + "completionDateStruct",
    "StudyFirstSubmitDate": _ST + "studyFirstSubmitDate",
    "StudyFirstPostDate": _ST + "studyFirstPostDateStruct.date",
    "StudyFirstPostDateStruct": _ST + "studyFirstPostDateStruct",
    "LastUpdateSubmitDate": _ST + "lastUpdateSubmitDate",
    "LastUpdatePostDate": _ST + "lastUpdatePostDateStruct.date",
    "LastUpdatePostDateStruct": _ST + "lastUpdatePostDateStruct",
    "ResultsFirstPostDate": _ST + "resultsFirstPostDateStruct.date",
    "LeadSponsor": _SP + "leadSponsor",
    "LeadSponsorName": _SP + "leadSponsor.name",
    "LeadSponsorClass": _SP + "leadSponsor.class",
    "Collaborator": _SP + "collaborators",
    "CollaboratorName": _SP + "collaborators.name",
    "BriefSummary": "protocolSection.descriptionModule.briefSummary",
    "DetailedDescription": "protocolSection.descriptionModule.detailedDescription",
    "Condition": _CO + "conditions",
    "Keyword": _CO + "keywords",
    "StudyType": _DE + "studyType",
    "Phase": _DE + "phases",
    "DesignInfo": _DE + "designInfo",
    "DesignAllocation": _DE + "designInfo.allocation",
    "EnrollmentInfo": _DE + "enrollmentInfo",
    "EnrollmentCount": _DE + "enrollmentInfo.count",
    "EnrollmentType": _DE + "enrollmentInfo.type",
    "ArmGroup": _AI + "armGroups",
    "ArmGroupLabel": _AI + "armGroups.label",
    "ArmGroupType": _AI + "armGroups.type",
    "ArmGroupDescription": _AI + "armGroups.description",
    "ArmGroupInterventionName": _AI + "armGroups.interventionNames",
    "Intervention": _AI + "interventions",
    "InterventionName": _AI + "interventions.name",
    "InterventionType": _AI + "interventions.type",
    "InterventionDescription": _AI + "interventions.description",
    "InterventionOtherName": _AI + "interventions.otherNames",
    "InterventionArmGroupLabel": _AI + "interventions.armGroupLabels",
    "PrimaryOutcome": _OU + "primaryOutcomes",
    "PrimaryOutcomeMeasure": _OU + "primaryOutcomes.measure",
    "SecondaryOutcome": _OU + "secondaryOutcomes",
    "EligibilityCriteria": _EL + "eligibilityCriteria",
    "Sex": _EL + "sex",
    "MinimumAge": _EL + "minimumAge",
    "MaximumAge": _EL + "maximumAge",
    "HealthyVolunteers": _EL + "healthyVolunteers",
    "StdAge": _EL + "stdAges",
    "OverallOfficial": _CL + "overallOfficials",
    "OverallOfficialName": _CL + "overallOfficials.name",
    "CentralContact": _CL + "centralContacts",
    "Location": _CL + "locations",
    "LocationFacility": _CL + "locations.facility",
    "LocationCity": _CL + "locations.city",
    "LocationState": _CL + "locations.state",
    "LocationCountry": _CL + "locations.country",
    "LocationStatus": _CL + "locations.status",
    "LocationGeoPoint": _CL + "locations.geoPoint",
    "Reference": _RE + "references",
    "ReferencePMID": _RE + "references.pmid",
    "ReferenceType": _RE + "references.type",
    "ReferenceCitation": _RE + "references.citation",
    "SeeAlsoLink": _RE + "seeAlsoLinks",
    "VersionHolder": "derivedSection.miscInfoModule.versionHolder",
    "RemovedCountry": "derivedSection.miscInfoModule.removedCountries",
    "ConditionMesh": _CB + "meshes",
    "ConditionMeshTerm": _CB + "meshes.term",
    "ConditionMeshId": _CB + "meshes.id",
    "ConditionAncestorTerm": _CB + "ancestors.term",
    "InterventionMesh": _IB + "meshes",
    "InterventionMeshTerm": _IB + "meshes.term",
    "InterventionAncestorTerm": _IB + "ancestors.term",
    "HasResults": "hasResults",
}


def _all_pieces() -> dict[str, str]:
    pieces = dict(FIELD_PIECES)
    for section, modules in SECTIONS.items():
        pieces[section[0].upper() + section[1:]] = section
        for module in modules:
            pieces[module[0].upper() + module[1:]] = f"{section}.{module}"
    return {name.casefold(): path for name, path in pieces.items()}


_PIECES = _all_pieces()
_ITEM_RE = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9\-. ]*|@query)$")
_SEGMENT_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9]*$")


class FieldsError(ValueError):
    """A malformed `fields` value (HTTP 400)."""


class UnknownField(ValueError):
    """A well-formed but unknown name: the real API answers HTTP 500, every time."""

    def __init__(self, name: str):
        super().__init__(name)
        self.name = name


def _dotted_path(name: str) -> str | None:
    segments = name.split(".")
    if segments[0] == "hasResults":
        return name if len(segments) == 1 else None
    modules = SECTIONS.get(segments[0])
    if modules is None or (len(segments) > 1 and segments[1] not in modules):
        return None
    if not all(_SEGMENT_RE.match(segment) for segment in segments[2:]):
        return None
    return name


def resolve(name: str) -> str:
    """The dotted path a `fields` item stands for."""
    if name == "@query":
        return "protocolSection"
    path = _PIECES.get(name.casefold())
    if path is None and (name in SECTIONS or "." in name or name == "hasResults"):
        path = _dotted_path(name)
    if path is None:
        raise UnknownField(name)
    return path


Selection = dict  # key -> Selection, or True for "everything below"


def parse_fields(values: list[str]) -> Selection | None:
    """The selection tree for the `fields` parameter values (None: the whole record)."""
    if not values:
        return None
    items = [item.strip() for value in values for item in re.split(r"[,|]", value)]
    if not any(items):
        raise FieldsError("`fields` must be a non-empty list of field names")
    tree: Selection = {}
    for item in filter(None, items):
        if not _ITEM_RE.match(item):
            raise FieldsError(f"`fields` item {item!r} is not a valid field name")
        _add_path(tree, resolve(item).split("."))
    return tree


def _add_path(tree: Selection, keys: list[str]) -> None:
    node = tree
    for key in keys[:-1]:
        child = node.get(key)
        if child is True:
            return  # an ancestor is already selected whole
        node = node.setdefault(key, {})
    node[keys[-1]] = True


_MISSING = object()


def _apply(node: object, tree: Selection | bool) -> object:
    if tree is True:
        return node
    if isinstance(node, list):
        items = [_apply(item, tree) for item in node]
        kept = [item for item in items if item is not _MISSING]
        return kept if kept else _MISSING
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():  # the record's key order, as the API keeps it
            if key in tree:
                picked = _apply(value, tree[key])
                if picked is not _MISSING:
                    out[key] = picked
        return out if out else _MISSING
    return _MISSING


def project(record: dict, tree: Selection | None) -> dict:
    """The parts of `record` selected by `tree` (the whole record when tree is None)."""
    if tree is None:
        return record
    picked = _apply(record, tree)
    return {} if picked is _MISSING else picked  # type: ignore[return-value]
