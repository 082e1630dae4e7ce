"""The sandbox's ClinicalTrials.gov corpus: schema validity, the paper's numbers, mutations."""

from __future__ import annotations

import copy
import json
import re
from collections import Counter
from pathlib import Path

import jsonschema
import pytest
import yaml

from sandbox.ctgov import essie, synth
from sandbox.ctgov.corpus import (
    CUTOFF_FILTER,
    REVIEW_TERM,
    TABLE2_NCT_IDS,
    CtgovCorpus,
    _spec_facts,
    review_trial_ids,
)
from sandbox.ctgov.index import row_facts
from sandbox.ctgov.records import build_record

ROOT = Path(__file__).resolve().parents[2]
# The official OpenAPI spec (tests/fixtures/PROVENANCE.md).
SPEC_PATH = ROOT / "tests/fixtures/ctg-oas-v2.yaml"
REAL_IDS = {p.stem for p in (ROOT / "sandbox/data/ctgov_real").glob("*.json")}
PARTIAL_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


@pytest.fixture(scope="module")
def corpus() -> CtgovCorpus:
    return CtgovCorpus.build()


def _components() -> dict:
    return yaml.safe_load(SPEC_PATH.read_text("utf-8"))["components"]


def _strict(components: dict) -> dict:
    """The spec with additionalProperties false on every object that lists properties,
    to catch misspelt keys in synthetic records (the spec itself allows extra keys)."""
    strict = copy.deepcopy(components)
    for schema in strict["schemas"].values():
        if schema.get("type") == "object" and "properties" in schema:
            schema.setdefault("additionalProperties", False)
    return strict


def _validator(components: dict, name: str) -> jsonschema.Draft7Validator:
    # OpenAPI 3.0 schemas are JSON Schema draft-4/7 compatible here; refs resolve against
    # the root document. `format: date` is not checked by jsonschema unless a format checker
    # is given; partial dates are checked separately below.
    return jsonschema.Draft7Validator(
        {"$ref": f"#/components/schemas/{name}", "components": components}
    )


def _dates(node: object, key: str = "") -> list[str]:
    if isinstance(node, dict):
        return [d for k, v in node.items() for d in _dates(v, k)]
    if isinstance(node, list):
        return [d for v in node for d in _dates(v, key)]
    is_date = key in ("date", "versionHolder") or (key.endswith("Date") and key != "uploadDate")
    return [node] if is_date and isinstance(node, str) else []


def _matching(corpus: CtgovCorpus, *queries: str) -> set[str]:
    rows = corpus.index.all_rows()
    for query in queries:
        node = essie.parse(query)
        assert node is not None
        rows &= essie.evaluate(node, corpus.index)
    return {corpus.index.nct_ids[row] for row in rows}


def test_every_study_validates_against_the_spec(corpus):
    components = _components()
    lenient, strict = _validator(components, "Study"), _validator(_strict(components), "Study")
    assert not strict.is_valid({"protocolSection": {"identificationModule": {"nctid": "x"}}})
    for nct_id in corpus.nct_ids():
        study = corpus.study(nct_id)
        errors = [e.message for e in lenient.iter_errors(study)]
        if nct_id not in REAL_IDS:  # real records carry keys the spec omits (modelPredictions)
            errors += [e.message for e in strict.iter_errors(study)]
        assert not errors, (nct_id, errors[:3])
        bad_dates = [d for d in _dates(study) if not PARTIAL_DATE.match(d)]
        assert not bad_dates, (nct_id, bad_dates)


def test_review_query_has_63_at_cutoff_and_more_now(corpus):
    current = _matching(corpus, REVIEW_TERM)
    cutoff = _matching(corpus, REVIEW_TERM, CUTOFF_FILTER)
    assert len(cutoff) == 63
    assert 20 <= len(current) - len(cutoff) <= 30
    assert set(TABLE2_NCT_IDS) <= cutoff
    assert current == set(corpus.review_trials())
    assert {nct for nct, _ in review_trial_ids()} == current


def test_other_seeds_keep_the_numbers_and_builds_are_deterministic(corpus):
    again = CtgovCorpus.build()
    assert again.nct_ids() == corpus.nct_ids()
    assert all(again.study(i) == corpus.study(i) for i in corpus.nct_ids())
    other = CtgovCorpus.build(seed=7)
    assert len(_matching(other, REVIEW_TERM, CUTOFF_FILTER)) == 63
    assert other.nct_ids() != corpus.nct_ids()


def test_table2_trials_carry_the_papers_facts(corpus):
    facts = {  # nct: (country, n, route words)
        "NCT00420134": ("Switzerland", 8, "portal vein"),
        "NCT01220492": ("China", 219, "peripheral vein"),
        "NCT01662973": ("China", 7, "peripheral vein"),
        "NCT01729221": ("Egypt", 40, "peripheral vein"),
        "NCT01741090": ("Korea, Republic of", 11, "hepatic artery"),
        "NCT01560845": ("China", 56, "hepatic artery"),
        "NCT01499459": ("Turkey (Türkiye)", 25, "peripheral vein"),
        "NCT01875081": ("Korea, Republic of", 72, "hepatic artery"),
        "NCT00956891": ("China", 527, "hepatic artery"),
        "NCT01218464": ("China", 43, "peripheral vein"),
    }
    assert set(facts) == set(TABLE2_NCT_IDS)
    for nct, (country, n, route) in facts.items():
        p = corpus.study(nct)["protocolSection"]
        assert [loc["country"] for loc in p["contactsLocationsModule"]["locations"]] == [country]
        assert p["designModule"]["enrollmentInfo"] == {"count": n, "type": "ACTUAL"}
        assert route in p["armsInterventionsModule"]["interventions"][0]["description"]
        assert p["statusModule"]["studyFirstPostDateStruct"]["date"] < "2014"
    assert corpus.study("NCT00120492") is None  # the paper's misprint is no trial


def test_non_matching_studies_include_real_records_and_near_misses(corpus):
    current = _matching(corpus, REVIEW_TERM)
    assert REAL_IDS and not REAL_IDS & current
    assert all(corpus.study(i) is not None for i in REAL_IDS)
    others = set(corpus.nct_ids()) - current - REAL_IDS
    assert len(others) >= 10
    titles = " ".join(
        corpus.study(i)["protocolSection"]["identificationModule"]["briefTitle"] for i in others
    )
    for word in ("Osteoarthritis", "Graft-versus-Host", "Crohn", "Albumin", "CD133+"):
        assert word in titles


def test_synthetic_studies_show_registry_variety(corpus):
    studies = [corpus.study(i) for i in corpus.review_trials()]
    countries = Counter()
    no_location = no_country = multi = 0
    for study in studies:
        locations = study["protocolSection"]["contactsLocationsModule"].get("locations", [])
        names = {loc.get("country") for loc in locations}
        countries.update(n for n in names if n)
        no_location += not locations
        no_country += bool(locations) and None in names
        multi += len(names - {None}) > 1
    assert countries.most_common(1)[0][0] == "China"
    for name in (
        "Iran, Islamic Republic of",
        "Korea, Republic of",
        "Turkey (Türkiye)",
        "Egypt",
        "Vietnam",
        "Belarus",
        "Czechia",
        "Taiwan",
    ):
        assert countries[name] >= 1, name
    assert no_location >= 2 and no_country >= 2 and multi >= 3
    statuses = Counter(s["protocolSection"]["statusModule"]["overallStatus"] for s in studies)
    assert len(statuses) >= 7
    phases = {tuple(s["protocolSection"]["designModule"].get("phases", [])) for s in studies}
    assert {("PHASE1", "PHASE2"), ("NA",), ()} <= phases
    starts = [s["protocolSection"]["statusModule"]["startDateStruct"] for s in studies]
    assert any(len(d["date"]) == 7 and "type" not in d for d in starts)
    assert any("removedCountries" in s["derivedSection"]["miscInfoModule"] for s in studies)
    assert any("referencesModule" in s["protocolSection"] for s in studies)


def test_nct_ids_are_unique_and_well_formed():
    corpus = CtgovCorpus.build(extra_studies=3000)
    ids = corpus.nct_ids()
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"NCT\d{8}", i) for i in ids)
    assert len(_matching(corpus, REVIEW_TERM, CUTOFF_FILTER)) == 63
    assert len(_matching(corpus, REVIEW_TERM)) == 88 + 3000


def test_extra_studies_index_facts_equal_their_records():
    for index in (0, 1, 17, 999):
        spec = synth.extra_spec(synth.DEFAULT_SEED, index, synth.DATA_DATE)
        assert _spec_facts(spec) == row_facts(build_record(spec, synth.DATA_DATE))


def test_mutations_change_queries_and_bump_the_data_date():
    corpus = CtgovCorpus.build()
    start = corpus.data_timestamp
    target = "NCT01220492"
    corpus.set_overall_status(target, "TERMINATED")
    assert corpus.data_timestamp > start
    status = corpus.study(target)["protocolSection"]["statusModule"]
    assert status["overallStatus"] == "TERMINATED"
    assert status["lastUpdatePostDateStruct"]["date"] == corpus.data_timestamp[:10]
    assert (
        corpus.study(target)["derivedSection"]["miscInfoModule"]["versionHolder"]
        == corpus.data_timestamp[:10]
    )
    assert target in _matching(corpus, "AREA[OverallStatus]TERMINATED")

    corpus.remove_from_review_query(target)
    assert target not in _matching(corpus, REVIEW_TERM)
    assert len(_matching(corpus, REVIEW_TERM, CUTOFF_FILTER)) == 62

    before = len(_matching(corpus, REVIEW_TERM))
    new_id = corpus.add_matching_study()
    assert new_id in _matching(corpus, REVIEW_TERM)
    assert len(_matching(corpus, REVIEW_TERM)) == before + 1
    assert (
        corpus.study(new_id)["protocolSection"]["statusModule"]["studyFirstPostDateStruct"]["date"]
        == corpus.data_timestamp[:10]
    )
    old = corpus.add_matching_study(first_post_date="2020-02-02")
    assert old in _matching(corpus, REVIEW_TERM, CUTOFF_FILTER)
    assert corpus.data_timestamp.startswith("2026-11-28")
    with pytest.raises(ValueError):
        corpus.set_overall_status(new_id, "FINISHED")
    with pytest.raises(KeyError):
        corpus.set_overall_status("NCT99999999", "COMPLETED")


def test_mutating_an_extra_study_materializes_it():
    corpus = CtgovCorpus.build(extra_studies=50)
    extra = corpus.nct_ids()[-1]
    corpus.set_overall_status(extra, "WITHHELD")
    assert corpus.study(extra)["protocolSection"]["statusModule"]["overallStatus"] == "WITHHELD"
    assert extra in _matching(corpus, "AREA[OverallStatus]WITHHELD", REVIEW_TERM)
    json.dumps(corpus.study(extra))
