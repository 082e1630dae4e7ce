"""Every fault the sandbox can inject, on every kind of request: the clean warehouse, or a clean
failure.

A transient fault (one request, `#N`) must be retried away: the run publishes exactly the
warehouse a clean run of the same corpus publishes. A persistent fault (every request of its
target) must fail the run cleanly: the published file byte-identical, no build file or landing
zone left behind, and a 'failed' ledger row whose error names the fault.

Speed: one clean reference warehouse per module; transient faults of one kind hit all four
request kinds in the same run (each rule counts its own target's requests, so each request kind
still gets its fault); persistent faults get a run each, restricted to the API they break.

The faults of issue 11 (a 403 throttle, an empty page with a token, a short efetch page, an
expired WebEnv) reach only some request kinds, so they have their own table, QUIRKS.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass

import pytest
from reliability_helpers import file_digest, leftovers, query, run_refresh, snapshot, write_spec

from extract.http import THROTTLE_TRIES
from sandbox.server import SandboxServer
from warehouse.ledger import Ledger, ledger_path

pytestmark = pytest.mark.slow

# The n-th request of each kind that a transient fault hits: the first /version; the second
# /studies (the cut-off total, after page 1), esearch (the cut-off count) and efetch (a middle
# batch of three).
TRANSIENT_AT = {"version": 1, "studies": 2, "esearch": 2, "efetch": 2}
TARGET_SOURCE = {"version": "ctgov", "studies": "ctgov", "esearch": "pubmed", "efetch": "pubmed"}
# kind -> what the ledger's error must say when that fault never goes away
KINDS = {
    "429": r"HTTP 429",
    "429(1)": r"HTTP 429",
    "500": r"HTTP 500",
    "502": r"HTTP 502",
    "503": r"HTTP 503",
    "reset": r"connection failed",
    "slow(3)": r"timed out",
    "truncate": r"connection failed|truncat|incomplete",
    "ncbi-error": r"Search Backend failed|expected JSON|HTML",  # CT.gov: an HTML page
    "html": r"expected JSON|HTML|html",
}


# Issue 11's faults: kind -> (the requests it reaches, what the ledger says when it persists).
QUIRKS = {
    "403": (("version", "studies"), r"HTTP 403"),
    "empty-midstream": (("studies",), r"empty pages in a row"),
    "short-page": (("efetch",), r"records at retstart"),
    "expired-webenv": (("efetch",), r"Unable to obtain query"),
}
# The transient form of each: /studies#1-2 reaches a listing page (and, harmlessly, a total)
# whichever comes first; efetch#2 is the second of the two batches.
QUIRK_TRANSIENT = {
    "403": "version:403#1;studies:403#2",
    "empty-midstream": "studies:empty-midstream#1-2",
    "short-page": "efetch:short-page#2",
    "expired-webenv": "efetch:expired-webenv#2",
}


@pytest.fixture(scope="module")
def server():
    """One sandbox for the module (starting one takes ~2 s); each test sets its own faults."""
    with SandboxServer(port=0, ncbi_rate_limit=False) as server:
        yield server


@pytest.fixture(scope="module")
def reference(prefect_session, server, tmp_path_factory):
    """A clean run of the default corpus: the warehouse every faulty run must reproduce."""
    root = tmp_path_factory.mktemp("reference")
    spec = write_spec(root / "review.toml")
    db = root / "data" / "review.duckdb"
    server.set_faults("")
    summary = run_refresh(server, db, spec)
    assert summary["status"] == "ok" and summary["retries"] == 0
    return {"db": db, "spec": spec, "snapshot": snapshot(db)}


@dataclass
class Faulty:
    """The module's sandbox with a test's faults; `seen()`: the requests since they were set."""

    server: SandboxServer
    start: int

    def seen(self) -> list:
        return self.server.log[self.start :]


@pytest.fixture
def sandbox(server):
    def make(faults: str) -> Faulty:
        server.set_faults(faults)
        return Faulty(server, len(server.log))

    yield make
    server.set_faults("")


@pytest.mark.parametrize("kind", KINDS)
def test_a_transient_fault_on_each_request_kind_ends_in_the_clean_warehouse(
    sandbox, reference, tmp_path, kind
):
    faults = ";".join(f"{target}:{kind}#{n}" for target, n in TRANSIENT_AT.items())
    faulty = sandbox(faults)
    db = tmp_path / "data" / "review.duckdb"
    summary = run_refresh(faulty.server, db, reference["spec"])
    assert summary["status"] == "ok"
    for target in TRANSIENT_AT:
        hit = [rec for rec in faulty.seen() if rec.endpoint == target and rec.faults]
        assert len(hit) == 1, f"{kind} was injected once into {target}"
    assert summary["retries"] >= len(TRANSIENT_AT)
    assert snapshot(db) == reference["snapshot"]
    assert Ledger(ledger_path(db)).last()["status"] == "ok"
    assert not leftovers(db)


@pytest.mark.parametrize("kind", QUIRKS)
def test_a_transient_issue_11_fault_ends_in_the_clean_warehouse(
    sandbox, reference, tmp_path, kind
):
    faulty = sandbox(QUIRK_TRANSIENT[kind])
    db = tmp_path / "data" / "review.duckdb"
    summary = run_refresh(faulty.server, db, reference["spec"])
    assert summary["status"] == "ok"
    hit = [rec for rec in faulty.seen() if rec.faults]
    assert {rec.endpoint for rec in hit} == set(QUIRKS[kind][0]), "each target got its fault"
    if kind == "empty-midstream":  # nothing failed; the empty page's token was followed
        assert any(k == "pageToken" for rec in faulty.seen() for k, _ in rec.params)
    else:
        assert summary["retries"] >= len(hit)
    assert snapshot(db) == reference["snapshot"]
    assert Ledger(ledger_path(db)).last()["status"] == "ok"
    assert not leftovers(db)


PERSISTENT = [(kind, target) for kind in KINDS for target in TARGET_SOURCE]
PERSISTENT += [(kind, target) for kind, (targets, _) in QUIRKS.items() for target in targets]
PATTERNS = {**KINDS, **{kind: pattern for kind, (_, pattern) in QUIRKS.items()}}


@pytest.mark.parametrize(("kind", "target"), PERSISTENT, ids=[f"{t}:{k}" for k, t in PERSISTENT])
def test_a_persistent_fault_fails_cleanly(sandbox, reference, tmp_path, kind, target):
    db = tmp_path / "data" / "review.duckdb"
    db.parent.mkdir()
    shutil.copyfile(reference["db"], db)
    before = file_digest(db)
    spec = reference["spec"]
    if kind.startswith("slow"):
        # six attempts of a 2 s timeout are 12 s; the same failure with 0.5 s is 3 s
        kind, spec = "slow(1)", write_spec(tmp_path / "fast-timeout.toml", timeout=0.5)
    faulty = sandbox(f"{target}:{kind}")
    with pytest.raises(Exception) as failure:  # noqa: PT011 - the reason is checked below
        run_refresh(faulty.server, db, spec, source=TARGET_SOURCE[target], full=True)
    hit = [rec for rec in faulty.seen() if rec.endpoint == target and rec.faults]
    assert len(hit) >= 2, "a transient-looking failure is asked again before the run gives up"
    assert file_digest(db) == before, "the published file is byte-identical"
    assert not leftovers(db), "no build file or landing zone is left behind"
    last = Ledger(ledger_path(db)).last()
    assert last["status"] == "failed"
    # following an empty page's token is paging, not a retry
    assert last["finished_at"] and last["retries"] >= (kind != "empty-midstream")
    assert last["error"] and "\n" not in last["error"]
    pattern = PATTERNS[kind if kind in PATTERNS else "slow(3)"]
    assert re.search(pattern, last["error"]), last["error"]
    assert re.search(pattern, str(failure.value)), "the flow raises what the ledger says"
    if kind == "403":
        assert len(hit) == THROTTLE_TRIES, "a throttle is tried a few times only"


def test_a_trailing_empty_page_changes_nothing(make_sandbox, reference, tmp_path):
    """CT.gov's quirk: a token after an exactly full last page, then an empty page. The
    corpus is grown until the review query fills exactly one page of 1,000."""
    matching = query(
        reference["db"],
        "select total from mart.search_totals where source = 'ctgov' and scope = 'current'",
    )[0][0]
    extra = 1000 - matching
    clean_db, quirky_db = tmp_path / "clean" / "review.duckdb", tmp_path / "q" / "review.duckdb"
    server = make_sandbox(extra_studies=extra, ncbi_rate_limit=False)
    run_refresh(server, clean_db, reference["spec"], source="ctgov")
    server.set_faults("studies:empty-page")
    start = len(server.log)
    summary = run_refresh(server, quirky_db, reference["spec"], source="ctgov")
    assert summary["status"] == "ok"
    followed = [
        rec
        for rec in server.log[start:]
        if rec.endpoint == "studies" and any(key == "pageToken" for key, _ in rec.params)
    ]
    assert len(followed) == 1, "the client followed the token to the empty page, and stopped"
    assert query(quirky_db, "select count(*) from core.ctgov_query_match")[0][0] == 1000
    assert snapshot(quirky_db) == snapshot(clean_db)
