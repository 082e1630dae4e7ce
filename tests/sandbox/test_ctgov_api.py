"""CtgovApi.handle called directly: paging, tokens, errors, fields, /version, /studies/{id}."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from sandbox.ctgov.api import CtgovApi
from sandbox.ctgov.corpus import CUTOFF_FILTER, REVIEW_TERM, CtgovCorpus

TERM = [("query.term", REVIEW_TERM)]


@pytest.fixture(scope="module")
def api() -> CtgovApi:
    return CtgovApi(CtgovCorpus.build())


@pytest.fixture(scope="module")
def big_api() -> CtgovApi:
    return CtgovApi(CtgovCorpus.build(extra_studies=1500))


def _get(api: CtgovApi, path: str, params: list[tuple[str, str]], **kw) -> dict:
    reply = api.handle(path, params, **kw)
    assert reply.status == 200, reply.body
    assert reply.content_type.startswith("application/json")
    return json.loads(reply.body)


def _all_pages(api: CtgovApi, params, size: int, **kw) -> tuple[list[str], int, list[dict]]:
    pages = [
        _get(api, "/studies", [*params, ("pageSize", str(size)), ("countTotal", "true")], **kw)
    ]
    while "nextPageToken" in pages[-1]:
        token = pages[-1]["nextPageToken"]
        pages.append(
            _get(
                api,
                "/studies",
                [*params, ("pageSize", str(size)), ("countTotal", "true"), ("pageToken", token)],
                **kw,
            )
        )
    ids = [
        s["protocolSection"]["identificationModule"]["nctId"]
        for page in pages
        for s in page["studies"]
    ]
    return ids, pages[0]["totalCount"], pages


def test_paging_with_small_pages_gives_totalcount_distinct_studies(api):
    ids, total, pages = _all_pages(api, TERM, 7)
    assert len(ids) == total == len(set(ids))
    assert all("totalCount" not in page for page in pages[1:])
    big_ids, big_total, _ = _all_pages(api, TERM, 1000)
    assert set(big_ids) == set(ids) and big_total == total
    assert ids == sorted(ids)  # the sandbox's stable order: NCT id


def test_cutoff_filter_gives_63_and_no_filter_more(api):
    _, at_cutoff, _ = _all_pages(api, [*TERM, ("filter.advanced", CUTOFF_FILTER)], 1000)
    _, current, _ = _all_pages(api, TERM, 1000)
    assert at_cutoff == 63 and current > 63


def test_page_size_is_clamped_to_1000(big_api):
    body = _get(big_api, "/studies", [*TERM, ("pageSize", "5000"), ("countTotal", "true")])
    assert len(body["studies"]) == 1000 and body["totalCount"] > 1000
    assert "nextPageToken" in body


@pytest.mark.parametrize("size", ["-1", "ten", "1.5"])
def test_bad_page_size_is_400(api, size):
    reply = api.handle("/studies", [("pageSize", size)])
    assert reply.status == 400 and reply.content_type.startswith("text/plain")


def test_default_page_size_is_10(api):
    assert len(_get(api, "/studies", TERM)["studies"]) == 10
    assert len(_get(api, "/studies", [*TERM, ("pageSize", "0")])["studies"]) == 10


def test_trailing_empty_page_quirk(api):
    params = [*TERM, ("filter.advanced", CUTOFF_FILTER)]  # 63 studies: 9 full pages of 7
    ids, total, pages = _all_pages(api, params, 7, trailing_empty_page=True)
    assert total == 63 and len(ids) == 63
    assert pages[-1] == {"studies": []} and len(pages) == 10
    ids, _, pages = _all_pages(api, params, 7)
    assert len(pages) == 9 and "nextPageToken" not in pages[-1]


def test_empty_midstream_page_leads_on_to_the_studies_it_held_back(api):
    """The spec: "A page may have empty `studies` array"; only the last page has no token."""
    params = [*TERM, ("pageSize", "7"), ("countTotal", "true")]
    first = _get(api, "/studies", params)
    second = _get(api, "/studies", [*params, ("pageToken", first["nextPageToken"])])
    empty = _get(api, "/studies", params, empty_midstream=True)
    assert empty["studies"] == [] and empty["totalCount"] == first["totalCount"]
    resumed = _get(api, "/studies", [*params, ("pageToken", empty["nextPageToken"])])
    assert resumed == {"studies": first["studies"], "nextPageToken": first["nextPageToken"]}
    tokens = [first["nextPageToken"]]
    for _ in range(3):  # empty pages in a row: a new token each time, to the same studies
        hop = [*params, ("pageToken", tokens[-1])]
        tokens.append(_get(api, "/studies", hop, empty_midstream=True)["nextPageToken"])
    assert len(set(tokens)) == 4
    assert _get(api, "/studies", [*params, ("pageToken", tokens[-1])]) == second


def test_bad_or_foreign_page_token_is_400(api):
    token = _get(api, "/studies", TERM)["nextPageToken"]
    for params in (
        [*TERM, ("pageToken", "not-a-token!")],
        [("query.term", "cirrhosis"), ("pageToken", token)],
    ):
        reply = api.handle("/studies", params)
        assert reply.status == 400 and reply.content_type.startswith("text/plain")
    # countTotal and pageSize may change between pages
    assert _get(api, "/studies", [*TERM, ("pageToken", token), ("pageSize", "3")])["studies"]


def test_unknown_parameter_is_400_with_the_real_wording(api):
    reply = api.handle("/studies", [*TERM, ("filter.phase", "PHASE2")])
    assert reply.status == 400
    assert reply.content_type.startswith("text/plain")
    assert reply.body.decode() == "`filter.phase` is unknown parameter"


def test_unknown_field_is_500_every_time(api):
    for _ in range(2):
        reply = api.handle("/studies", [*TERM, ("fields", "NCTId,ConditionList")])
        assert reply.status == 500 and b"ConditionList" in reply.body
    assert api.handle("/studies/NCT01220492", [("fields", "Nope")]).status == 500
    assert api.handle("/studies", [("fields", "protocolSection.nosuchModule")]).status == 500


def test_fields_projection_keeps_the_nesting(api):
    body = _get(
        api,
        "/studies",
        [("filter.ids", "NCT01875081"), ("fields", "NCTId|LocationCountry,StudyFirstPostDate")],
    )
    assert body["studies"] == [
        {
            "protocolSection": {
                "identificationModule": {"nctId": "NCT01875081"},
                "statusModule": {"studyFirstPostDateStruct": {"date": "2013-06-11"}},
                "contactsLocationsModule": {"locations": [{"country": "Korea, Republic of"}]},
            }
        }
    ]
    study = _get(
        api,
        "/studies/NCT01875081",
        [
            (
                "fields",
                "protocolSection.identificationModule.nctId,ConditionsModule,"
                "HasResults,DerivedSection",
            )
        ],
    )
    assert set(study) == {"protocolSection", "derivedSection", "hasResults"}
    assert set(study["protocolSection"]) == {"identificationModule", "conditionsModule"}
    assert study["protocolSection"]["identificationModule"] == {"nctId": "NCT01875081"}


def test_response_matches_paged_studies_schema(api):
    path = Path(__file__).resolve().parents[1] / "fixtures" / "ctg-oas-v2.yaml"
    components = yaml.safe_load(path.read_text("utf-8"))["components"]
    validator = jsonschema.Draft7Validator(
        {"$ref": "#/components/schemas/PagedStudies", "components": components}
    )
    body = _get(api, "/studies", [*TERM, ("countTotal", "true"), ("fields", "NCTId")])
    validator.validate(body)
    assert set(body) == {"studies", "nextPageToken", "totalCount"}


def test_filters_overall_status_and_ids(api):
    body = _get(
        api,
        "/studies",
        [
            *TERM,
            ("filter.overallStatus", "COMPLETED|WITHDRAWN"),
            ("fields", "OverallStatus"),
            ("pageSize", "1000"),
        ],
    )
    statuses = {s["protocolSection"]["statusModule"]["overallStatus"] for s in body["studies"]}
    assert statuses == {"COMPLETED", "WITHDRAWN"}
    assert api.handle("/studies", [("filter.overallStatus", "DONE")]).status == 400
    body = _get(
        api,
        "/studies",
        [("filter.ids", "NCT01220492, NCT1218464|NCT00000001"), ("fields", "NCTId")],
    )
    assert len(body["studies"]) == 2
    assert api.handle("/studies", [("filter.ids", "ABC123")]).status == 400


def test_query_of_only_nct_ids_ignores_filters(api):
    body = _get(
        api,
        "/studies",
        [
            ("query.term", "NCT01220492 NCT01218464"),
            ("filter.overallStatus", "WITHDRAWN"),
            ("fields", "NCTId"),
        ],
    )
    assert len(body["studies"]) == 2


def test_sort_by_date_and_relevance(api):
    params = [*TERM, ("fields", "StudyFirstPostDate"), ("pageSize", "1000")]
    body = _get(api, "/studies", [*params, ("sort", "StudyFirstPostDate")])
    dates = [
        s["protocolSection"]["statusModule"]["studyFirstPostDateStruct"]["date"]
        for s in body["studies"]
    ]
    assert dates == sorted(dates, reverse=True)
    body = _get(api, "/studies", [*params, ("sort", "StudyFirstPostDate:asc")])
    assert body["studies"][0]["protocolSection"]["statusModule"]["studyFirstPostDateStruct"][
        "date"
    ] == min(dates)
    assert _get(api, "/studies", [*params, ("sort", "@relevance")])
    assert api.handle("/studies", [*params, ("sort", "BriefTitle")]).status == 400


def test_single_study_and_its_errors(api):
    study = _get(api, "/studies/NCT01220492", [])
    assert study["protocolSection"]["identificationModule"]["nctId"] == "NCT01220492"
    assert _get(api, "/studies/nct1220492", []) == study
    for path, status in (
        ("/studies/NCT00120492", 404),
        ("/studies/NCT99999999", 404),
        ("/studies/XYZ", 400),
        ("/nothing", 404),
        ("/stats/size", 404),
    ):
        reply = api.handle(path, [])
        assert reply.status == status, path
        assert reply.content_type.startswith("text/plain")
    assert api.handle("/studies/NCT01220492", [("pageSize", "3")]).status == 400
    assert api.handle("/studies/NCT01220492", [("format", "csv")]).status == 400


def test_version(api):
    body = _get(api, "/version", [])
    assert body == {"apiVersion": "2.0.5", "dataTimestamp": "2026-11-24T09:00:06"}


def test_csv_format_is_refused(api):
    reply = api.handle("/studies", [*TERM, ("format", "csv")])
    assert reply.status == 400 and b"not supported by the sandbox" in reply.body


def test_mutation_invalidates_the_query_cache():
    corpus = CtgovCorpus.build()
    api = CtgovApi(corpus)
    params = [*TERM, ("countTotal", "true")]
    before = _get(api, "/studies", params)["totalCount"]
    corpus.add_matching_study()
    assert _get(api, "/studies", params)["totalCount"] == before + 1
    assert _get(api, "/version", [])["dataTimestamp"] == "2026-11-25T09:00:06"


def test_review_query_over_http(sandbox_server):
    import requests

    base = sandbox_server.url + "/api/v2"
    params = {"query.term": REVIEW_TERM, "filter.advanced": CUTOFF_FILTER, "countTotal": "true"}
    reply = requests.get(base + "/studies", params={**params, "fields": "NCTId"}, timeout=10)
    assert reply.status_code == 200 and reply.json()["totalCount"] == 63
    reply = requests.get(base + "/studies", params={"filter.phase": "PHASE2"}, timeout=10)
    assert reply.status_code == 400 and reply.text == "`filter.phase` is unknown parameter"
    assert reply.headers["content-type"].startswith("text/plain")
