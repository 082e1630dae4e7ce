"""The sandbox server over HTTP: routing, rate limits, faults, the `review sandbox` command."""

from __future__ import annotations

import re
import subprocess
import sys
import time

import pytest
import requests

from sandbox.faults import FaultPlan, FaultSpecError

REVIEW_TERM = "mesenchymal stem cell AND liver diseases"
CUTOFF = "AREA[StudyFirstPostDate]RANGE[MIN,2022-04-29]"


def test_unknown_path_is_404(sandbox_server):
    r = requests.get(sandbox_server.url + "/nothing/here", timeout=5)
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("text/plain")


def test_version_over_http(sandbox_server):
    r = requests.get(sandbox_server.ctgov_base_url + "/version", timeout=5)
    assert r.status_code == 200
    body = r.json()
    assert body["apiVersion"] == "2.0.5"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", body["dataTimestamp"])


def test_fourth_request_within_a_second_without_key_gets_429(make_sandbox):
    server = make_sandbox()  # NCBI limits on, as the real service
    url = server.eutils_base_url + "/einfo.fcgi"
    statuses = [requests.get(url, timeout=5) for _ in range(4)]
    assert [r.status_code for r in statuses[:3]] == [200, 200, 200]
    refused = statuses[3]
    assert refused.status_code == 429
    assert refused.json()["error"] == "API rate limit exceeded"
    assert refused.json()["limit"] == "3"
    assert statuses[0].headers["X-RateLimit-Limit"] == "3"
    time.sleep(1.05)
    assert requests.get(url, timeout=5).status_code == 200


def test_api_key_raises_the_limit_to_ten(make_sandbox):
    server = make_sandbox()
    url = server.eutils_base_url + "/einfo.fcgi"
    codes = [requests.get(url, params={"api_key": "k"}, timeout=5).status_code for _ in range(11)]
    assert codes[:10] == [200] * 10
    assert codes[10] == 429


def test_the_server_log_never_holds_the_api_key(make_sandbox):
    server = make_sandbox(ncbi_rate_limit=False)
    requests.get(server.eutils_base_url + "/einfo.fcgi", params={"api_key": "SECRET"}, timeout=5)
    assert "SECRET" not in repr(server.log)


def test_nth_request_fault_then_recovery(make_sandbox):
    server = make_sandbox(faults="studies:503#1")
    url = server.ctgov_base_url + "/studies"
    first = requests.get(url, timeout=5)
    second = requests.get(url, timeout=5)
    assert (first.status_code, second.status_code) == (503, 200)
    assert [rec.faults for rec in server.log] == [["503"], []]


def test_429_with_and_without_retry_after(make_sandbox):
    server = make_sandbox(faults="version:429(2)#1;version:429#2", ncbi_rate_limit=False)
    url = server.ctgov_base_url + "/version"
    with_header, without_header = requests.get(url, timeout=5), requests.get(url, timeout=5)
    assert with_header.status_code == without_header.status_code == 429
    assert with_header.headers["Retry-After"] == "2"
    assert "Retry-After" not in without_header.headers


def test_connection_reset(make_sandbox):
    server = make_sandbox(faults="version:reset#1")
    with pytest.raises(requests.ConnectionError):
        requests.get(server.ctgov_base_url + "/version", timeout=5)
    assert requests.get(server.ctgov_base_url + "/version", timeout=5).status_code == 200


def test_truncated_body_is_an_error_not_a_short_page(make_sandbox):
    server = make_sandbox(faults="studies:truncate#1")
    with pytest.raises((requests.exceptions.ChunkedEncodingError, requests.ConnectionError)):
        requests.get(server.ctgov_base_url + "/studies", params={"pageSize": 50}, timeout=5)


def test_slow_answer_times_out_the_client(make_sandbox):
    server = make_sandbox(faults="version:slow(1.5)#1")
    with pytest.raises(requests.exceptions.ReadTimeout):
        requests.get(server.ctgov_base_url + "/version", timeout=0.3)


def test_ncbi_error_in_a_200(make_sandbox):
    server = make_sandbox(faults="esearch:ncbi-error", ncbi_rate_limit=False)
    url = server.eutils_base_url + "/esearch.fcgi"
    as_json = requests.get(url, params={"db": "pubmed", "term": "liver", "retmode": "json"})
    assert as_json.status_code == 200
    assert "ERROR" in as_json.json()["esearchresult"]
    assert "count" not in as_json.json()["esearchresult"]
    as_xml = requests.get(url, params={"db": "pubmed", "term": "liver"}, timeout=5)
    assert as_xml.status_code == 200 and b"<ERROR>" in as_xml.content


def test_html_maintenance_page_in_a_200(make_sandbox):
    server = make_sandbox(faults="eutils:html", ncbi_rate_limit=False)
    r = requests.get(server.eutils_base_url + "/esearch.fcgi", params={"term": "liver"}, timeout=5)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")


def test_trailing_empty_page_after_an_exactly_full_one(make_sandbox):
    server = make_sandbox(faults="studies:empty-page")
    url = server.ctgov_base_url + "/studies"
    query = {"query.term": REVIEW_TERM, "filter.advanced": CUTOFF, "fields": "NCTId"}
    total = requests.get(url, params={**query, "countTotal": "true"}, timeout=5).json()
    n = total["totalCount"]
    full = requests.get(url, params={**query, "pageSize": n}, timeout=5).json()
    assert len(full["studies"]) == n and "nextPageToken" in full
    trailing = requests.get(
        url, params={**query, "pageSize": n, "pageToken": full["nextPageToken"]}, timeout=5
    ).json()
    assert trailing == {"studies": []}


def test_403_is_the_firewalls_throttle(make_sandbox):
    server = make_sandbox(faults="studies:403(60)#1;studies:403#2")
    url = server.ctgov_base_url + "/studies"
    with_header, without_header = requests.get(url, timeout=5), requests.get(url, timeout=5)
    assert with_header.status_code == without_header.status_code == 403
    assert with_header.headers["Retry-After"] == "60"
    assert "Retry-After" not in without_header.headers
    assert requests.get(url, timeout=5).status_code == 200


def test_empty_midstream_page_over_http(make_sandbox):
    server = make_sandbox(faults="studies:empty-midstream#2")
    url = server.ctgov_base_url + "/studies"
    query = {"query.term": REVIEW_TERM, "fields": "NCTId", "pageSize": 5}
    first = requests.get(url, params=query, timeout=5).json()
    token = first["nextPageToken"]
    empty = requests.get(url, params={**query, "pageToken": token}, timeout=5).json()
    assert empty["studies"] == [] and empty["nextPageToken"] != token
    after = requests.get(url, params={**query, "pageToken": empty["nextPageToken"]}, timeout=5)
    again = requests.get(url, params={**query, "pageToken": token}, timeout=5)
    assert after.json() == again.json() and len(after.json()["studies"]) == 5
    assert [rec.faults for rec in server.log] == [[], ["empty-midstream"], [], []]


def test_short_page_and_expired_webenv_over_http(make_sandbox):
    server = make_sandbox(faults="efetch:short-page(2)#1;efetch:expired-webenv#2",
                          ncbi_rate_limit=False)  # fmt: skip
    base = server.eutils_base_url
    found = requests.get(base + "/esearch.fcgi", timeout=5, params={
        "db": "pubmed", "term": "liver[ti]", "usehistory": "y", "retmode": "json"}).json()
    fetch = {"db": "pubmed", "retmode": "xml", "retmax": 10, "WebEnv":
             found["esearchresult"]["webenv"], "query_key": found["esearchresult"]["querykey"]}
    short = requests.get(base + "/efetch.fcgi", params=fetch, timeout=5)
    assert short.status_code == 200 and short.text.count("<PubmedArticle>") == 8
    for _ in range(2):  # the fault fires once; the WebEnv stays gone
        gone = requests.get(base + "/efetch.fcgi", params=fetch, timeout=5)
        assert gone.status_code == 200
        assert "<ERROR>Unable to obtain query #1</ERROR>" in gone.text


@pytest.mark.parametrize(
    "spec",
    ["esearch:short-page", "version:empty-midstream", "efetch:empty-page", "einfo:expired-webenv"],
)
def test_a_fault_that_can_never_reach_its_target_is_refused(spec):
    with pytest.raises(FaultSpecError, match="never reaches"):
        FaultPlan(spec)


def test_the_new_fault_kinds_parse():
    plan = FaultPlan("ctgov:403(30)#1;studies:empty-midstream#2-3;efetch:short-page(4);"
                     "eutils:expired-webenv@0.5")  # fmt: skip
    assert [(r.target, r.kind, r.arg) for r in plan.rules] == [
        ("ctgov", "403", 30.0), ("studies", "empty-midstream", None),
        ("efetch", "short-page", 4.0), ("eutils", "expired-webenv", None),
    ]  # fmt: skip


@pytest.mark.parametrize(
    "spec", ["studies:teapot", "nowhere:503", "studies:503@1.5", "studies:503#0", "503#3-1"]
)
def test_bad_fault_specs_are_refused_with_the_rule_named(spec):
    with pytest.raises(FaultSpecError, match=re.escape(spec.split(";")[0])):
        FaultPlan(spec)


def test_counted_faults_parse_after_a_numeric_kind():
    plan = FaultPlan("studies:429x2;html#1")
    assert [bool(plan.pick("ctgov", "studies")) for _ in range(3)] == [True, True, False]


def test_probability_faults_are_seeded():
    def fired(seed):
        plan = FaultPlan("efetch:500@0.3", seed=seed)
        return [bool(plan.pick("eutils", "efetch")) for _ in range(50)]

    assert fired(7) == fired(7)
    assert fired(7) != fired(8)
    assert 5 < sum(fired(7)) < 30


def test_review_sandbox_command_serves_both_apis():
    proc = subprocess.Popen(
        [sys.executable, "-m", "flows.cli", "sandbox", "--port", "0"],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stderr.readline()
        base = re.search(r"(http://127\.0\.0\.1:\d+)/api/v2", line).group(1)
        version = requests.get(base + "/api/v2/version", timeout=10)
        assert version.json()["apiVersion"] == "2.0.5"
        esearch = requests.get(
            base + "/entrez/eutils/esearch.fcgi",
            params={"db": "pubmed", "term": "liver[ti]", "rettype": "count", "retmode": "json"},
            timeout=10,
        )
        assert int(esearch.json()["esearchresult"]["count"]) > 0
    finally:
        proc.terminate()
        proc.wait(timeout=10)
