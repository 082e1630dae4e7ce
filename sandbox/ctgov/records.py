"""Turn a compact `StudySpec` into a full API v2 study record (the `Study` schema's shape).

Only the record's layout lives here; what goes into a spec (Table 2 facts, seeded synthetic
trials) is decided in `synth.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sandbox.ctgov.corpus_data import MESH, PROFILES

# Before the registry's January 2017 rule change, post dates were "ESTIMATED".
_ACTUAL_POST_DATES_FROM = "2017-01-18"

Arm = tuple[str, str, str, list[str]]  # label, type, description, intervention names
Intervention = tuple[str, str, str, list[str], list[str]]  # type, name, desc, arms, other names
Site = tuple[str, str, str | None, float, float]  # facility, city, country, lat, lon
Ref = tuple[str | None, str, str]  # pmid, type, citation


@dataclass
class StudySpec:
    nct_id: str
    org_id: str
    brief_title: str
    official_title: str
    sponsor: str
    status: str
    first_post: str  # yyyy-MM-dd
    last_update: str
    summary: str
    conditions: list[str]
    profile: str  # key of corpus_data.PROFILES
    eligibility: str
    start: str | None = None  # partial date allowed
    start_actual: bool = True
    completion: str | None = None
    completion_actual: bool = False
    phases: list[str] | None = None
    enrollment: int = 0
    enrollment_actual: bool = True
    acronym: str | None = None
    sponsor_class: str = "OTHER"
    collaborators: list[str] = field(default_factory=list)
    last_known: str | None = None
    why_stopped: str | None = None
    allocation: str = "NA"
    keywords: list[str] = field(default_factory=list)
    description: str | None = None
    arms: list[Arm] = field(default_factory=list)
    interventions: list[Intervention] = field(default_factory=list)
    outcomes: list[tuple[str, str]] = field(default_factory=list)
    secondary: list[tuple[str, str]] = field(default_factory=list)
    officials: list[tuple[str, str]] = field(default_factory=list)
    sites: list[Site] = field(default_factory=list)
    references: list[Ref] = field(default_factory=list)
    removed_countries: list[str] = field(default_factory=list)


def _post_struct(date: str) -> dict:
    kind = "ACTUAL" if date >= _ACTUAL_POST_DATES_FROM else "ESTIMATED"
    return {"date": date, "type": kind}


def _partial_struct(date: str, actual: bool) -> dict:
    # Month-precision dates of older records often come without a type (as in the real data).
    if len(date) < 10 and actual:
        return {"date": date}
    return {"date": date, "type": "ACTUAL" if actual else "ESTIMATED"}


def _status_module(spec: StudySpec) -> dict:
    module: dict = {"statusVerifiedDate": spec.last_update[:7], "overallStatus": spec.status}
    if spec.last_known:
        module["lastKnownStatus"] = spec.last_known
    if spec.why_stopped:
        module["whyStopped"] = spec.why_stopped
    module["expandedAccessInfo"] = {"hasExpandedAccess": False}
    if spec.start:
        module["startDateStruct"] = _partial_struct(spec.start, spec.start_actual)
    if spec.completion:
        done = _partial_struct(spec.completion, spec.completion_actual)
        module["primaryCompletionDateStruct"] = dict(done)
        module["completionDateStruct"] = done
    module["studyFirstSubmitDate"] = spec.first_post
    module["studyFirstSubmitQcDate"] = spec.first_post
    module["studyFirstPostDateStruct"] = _post_struct(spec.first_post)
    module["lastUpdateSubmitDate"] = spec.last_update
    module["lastUpdatePostDateStruct"] = _post_struct(spec.last_update)
    return module


def _design_module(spec: StudySpec) -> dict:
    module: dict = {"studyType": "INTERVENTIONAL"}
    if spec.phases:
        module["phases"] = list(spec.phases)
    model = "PARALLEL" if spec.allocation == "RANDOMIZED" else "SINGLE_GROUP"
    module["designInfo"] = {
        "allocation": spec.allocation,
        "interventionModel": model,
        "primaryPurpose": "TREATMENT",
        "maskingInfo": {"masking": "NONE"},
    }
    kind = "ACTUAL" if spec.enrollment_actual else "ESTIMATED"
    module["enrollmentInfo"] = {"count": spec.enrollment, "type": kind}
    return module


def _arms_module(spec: StudySpec) -> dict:
    arms = [
        {"label": label, "type": kind, "description": desc, "interventionNames": list(names)}
        for label, kind, desc, names in spec.arms
    ]
    interventions = []
    for kind, name, desc, labels, others in spec.interventions:
        item: dict = {
            "type": kind,
            "name": name,
            "description": desc,
            "armGroupLabels": list(labels),
        }
        if others:
            item["otherNames"] = list(others)
        interventions.append(item)
    return {"armGroups": arms, "interventions": interventions}


def _contacts_module(spec: StudySpec) -> dict:
    module: dict = {}
    if spec.status in ("RECRUITING", "NOT_YET_RECRUITING"):
        module["centralContacts"] = [
            {
                "name": spec.officials[0][0] if spec.officials else "Study Coordinator",
                "role": "CONTACT",
                "phone": "+00 000 0000",
            }
        ]
    if spec.officials:
        module["overallOfficials"] = [
            {"name": name, "affiliation": aff, "role": "PRINCIPAL_INVESTIGATOR"}
            for name, aff in spec.officials
        ]
    if spec.sites:
        module["locations"] = [_location(site, spec.status) for site in spec.sites]
    return module


def _location(site: Site, status: str) -> dict:
    facility, city, country, lat, lon = site
    loc: dict = {"facility": facility}
    if status in ("RECRUITING", "NOT_YET_RECRUITING", "ACTIVE_NOT_RECRUITING"):
        loc["status"] = status
    loc["city"] = city
    if country:
        loc["country"] = country
    loc["geoPoint"] = {"lat": lat, "lon": lon}
    return loc


def _mesh(ids: list[str]) -> list[dict]:
    return [{"id": "D" + short[1:].zfill(9), "term": MESH[short]} for short in ids]


def _derived_section(spec: StudySpec, version_holder: str) -> dict:
    misc: dict = {"versionHolder": version_holder}
    if spec.removed_countries:
        misc["removedCountries"] = list(spec.removed_countries)
    section: dict = {"miscInfoModule": misc}
    meshes, ancestors = PROFILES[spec.profile]
    if meshes:
        leaves = [
            {"id": "M" + short[3:], "name": MESH[short], "relevance": rel}
            for ids, rel in ((meshes, "HIGH"), (ancestors, "LOW"))
            for short in ids
        ]
        section["conditionBrowseModule"] = {
            "meshes": _mesh(meshes),
            "ancestors": _mesh(ancestors),
            "browseLeaves": leaves,
            "browseBranches": [{"abbrev": "All", "name": "All Conditions"}],
        }
    return section


def build_record(spec: StudySpec, version_holder: str) -> dict:
    """The study as `GET /studies/{nctId}` serves it (key order as the real API's)."""
    ident: dict = {
        "nctId": spec.nct_id,
        "orgStudyIdInfo": {"id": spec.org_id},
        "organization": {"fullName": spec.sponsor, "class": spec.sponsor_class},
        "briefTitle": spec.brief_title,
        "officialTitle": spec.official_title,
    }
    if spec.acronym:
        ident["acronym"] = spec.acronym
    sponsors: dict = {
        "responsibleParty": {"type": "SPONSOR"},
        "leadSponsor": {"name": spec.sponsor, "class": spec.sponsor_class},
    }
    if spec.collaborators:
        sponsors["collaborators"] = [{"name": n, "class": "OTHER"} for n in spec.collaborators]
    description = {"briefSummary": spec.summary}
    if spec.description:
        description["detailedDescription"] = spec.description
    protocol: dict = {
        "identificationModule": ident,
        "statusModule": _status_module(spec),
        "sponsorCollaboratorsModule": sponsors,
        "oversightModule": {"oversightHasDmc": spec.allocation == "RANDOMIZED"},
        "descriptionModule": description,
        "conditionsModule": {"conditions": list(spec.conditions)},
        "designModule": _design_module(spec),
        "armsInterventionsModule": _arms_module(spec),
        "outcomesModule": _outcomes(spec),
        "eligibilityModule": {
            "eligibilityCriteria": spec.eligibility,
            "healthyVolunteers": False,
            "sex": "ALL",
            "minimumAge": "18 Years",
            "maximumAge": "75 Years",
            "stdAges": ["ADULT", "OLDER_ADULT"],
        },
        "contactsLocationsModule": _contacts_module(spec),
    }
    if spec.keywords:
        protocol["conditionsModule"]["keywords"] = list(spec.keywords)
    if spec.references:
        protocol["referencesModule"] = {"references": [_reference(ref) for ref in spec.references]}
    return {
        "protocolSection": protocol,
        "derivedSection": _derived_section(spec, version_holder),
        "hasResults": False,
    }


def _outcomes(spec: StudySpec) -> dict:
    module = {"primaryOutcomes": [{"measure": m, "timeFrame": t} for m, t in spec.outcomes]}
    if spec.secondary:
        module["secondaryOutcomes"] = [{"measure": m, "timeFrame": t} for m, t in spec.secondary]
    return module


def _reference(ref: Ref) -> dict:
    pmid, kind, citation = ref
    out: dict = {}
    if pmid:
        out["pmid"] = pmid
    out["type"] = kind
    out["citation"] = citation
    return out
