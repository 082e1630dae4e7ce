"""ClinicalTrials.gov records that drift from the spec: tolerated, landed as they came, counted.

The sandbox serves four matching studies reshaped (corpus.replace_record): an unknown field, a
study without statusModule, one without contactsLocationsModule (optional: a study may list no
sites), an officialTitle that is a list and conditions that are a string. The run must publish
(no crash), every study must land with its raw record intact, the rest of the warehouse must
equal a clean run's, and the ledger row must count the drift by kind with example paths.
"""

from __future__ import annotations

import copy
import json

import pytest
from reliability_helpers import query, run_refresh, snapshot, write_spec

from sandbox.server import SandboxServer
from warehouse.ledger import Ledger, ledger_path

pytestmark = pytest.mark.slow

CUTOFF = "2022-04-29"


def first_post(record: dict) -> str:
    return record["protocolSection"]["statusModule"]["studyFirstPostDateStruct"]["date"]


def drift(corpus) -> dict[str, dict]:
    """Reshape four matching studies in the sandbox; {kind: {nct_id, path}} of what was done."""
    trials = sorted(corpus.review_trials())
    studies = {nct: corpus.study(nct) for nct in trials}
    late = [n for n in trials if first_post(studies[n]) > CUTOFF]
    with_sites = [
        n
        for n in trials
        if n not in late[:1]
        and studies[n]["protocolSection"].get("contactsLocationsModule", {}).get("locations")
    ]
    others = [n for n in trials if n not in late[:1] and n not in with_sites[:1]]
    done = {}

    def change(kind, nct, path, edit):
        record = copy.deepcopy(studies[nct])
        edit(record["protocolSection"])
        corpus.replace_record(nct, record)
        done[kind] = {"nct_id": nct, "path": path}

    # no statusModule: first posted after the cut-off, so the cut-off total still reconciles
    change(
        "missing_module", late[0], "protocolSection.statusModule", lambda p: p.pop("statusModule")
    )
    change(
        "no_sites",
        with_sites[0],
        "protocolSection.contactsLocationsModule",
        lambda p: p.pop("contactsLocationsModule"),
    )
    change(
        "unknown_field",
        others[0],
        "protocolSection.identificationModule.registryNewField",
        lambda p: p["identificationModule"].update(registryNewField={"since": "2.1"}),
    )
    change(
        "type_mismatch",
        others[1],
        "protocolSection.identificationModule.officialTitle",
        lambda p: p["identificationModule"].update(officialTitle=["a", "b"]),
    )
    change(
        "type_mismatch_2",
        others[2],
        "protocolSection.conditionsModule.conditions",
        lambda p: p.setdefault("conditionsModule", {}).update(conditions="Cirrhosis"),
    )
    return done


@pytest.fixture(scope="module")
def drifted_run(prefect_session, tmp_path_factory):
    """A clean run and a run over the drifted corpus, CT.gov only (the drift is there)."""
    root = tmp_path_factory.mktemp("drift")
    spec = write_spec(root / "review.toml")
    with SandboxServer(port=0, ncbi_rate_limit=False) as server:
        clean_db = root / "clean" / "review.duckdb"
        run_refresh(server, clean_db, spec, source="ctgov")
        done = drift(server.ctgov_corpus)
        db = root / "drifted" / "review.duckdb"
        summary = run_refresh(server, db, spec, source="ctgov")
    return {"summary": summary, "db": db, "clean_db": clean_db, "done": done}


def test_drifted_records_are_tolerated_and_land_as_they_came(drifted_run):
    db, done = drifted_run["db"], drifted_run["done"]
    assert drifted_run["summary"]["status"] == "ok"
    drifted = sorted(d["nct_id"] for d in done.values())
    assert len(set(drifted)) == 5
    landed = {r[0] for r in query(db, "select nct_id from core.ctgov_query_match")}
    assert set(drifted) <= landed, "every drifted study still lands and matches"
    raw = dict(query(db, "select nct_id, record from raw.ctgov_study"))
    kept = json.loads(raw[done["unknown_field"]["nct_id"]])
    assert kept["protocolSection"]["identificationModule"]["registryNewField"] == {"since": "2.1"}
    assert json.loads(raw[done["type_mismatch"]["nct_id"]])["protocolSection"][
        "identificationModule"
    ]["officialTitle"] == ["a", "b"]
    # a study without sites counts once, as 'Unknown'; one without status has no dates
    no_sites = done["no_sites"]["nct_id"]
    assert query(db, "select count(*) from core.ctgov_location where nct_id = ?", [no_sites]) == [
        (0,)
    ]
    no_status = done["missing_module"]["nct_id"]
    assert query(
        db,
        "select overall_status, first_post_date from core.ctgov_study where nct_id = ?",
        [no_status],
    ) == [(None, None)]
    # everything the drift did not touch is exactly what a clean run publishes
    clean, now = snapshot(drifted_run["clean_db"]), snapshot(db)
    for table in ("core.ctgov_study", "core.ctgov_location"):
        untouched = [row for row in clean[table] if not any(n in row for n in drifted)]
        assert untouched == [row for row in now[table] if not any(n in row for n in drifted)]
        assert untouched, table
    assert now["core.ctgov_query_match"] == clean["core.ctgov_query_match"]
    assert now["totals"] == clean["totals"]


def test_drift_is_counted_in_the_ledger_row_and_reported(drifted_run):
    """The behaviour asked of the pipeline: ops.runs.details.schema_drift holds a count per kind
    ({"unknown_field": n, "missing_module": n, "type_mismatch": n}; kinds that did not occur
    are absent) and "examples": a few "<kind>: <nct_id> <path>" strings. A study without
    contactsLocationsModule is not drift (the module is optional). The run's summary carries
    the same object."""
    db, done = drifted_run["db"], drifted_run["done"]
    row = Ledger(ledger_path(db)).last()
    assert row["status"] == "ok"
    found = row["details"].get("schema_drift")  # a JSON object in the ledger line
    assert found, "the ledger row counts the drift"
    counts = {kind: n for kind, n in found.items() if kind != "examples"}
    assert counts == {"unknown_field": 1, "missing_module": 1, "type_mismatch": 2}
    for kind, case in done.items():
        if kind == "no_sites":
            assert not any(case["nct_id"] in e for e in found["examples"])
            continue
        assert any(case["nct_id"] in e and case["path"] in e for e in found["examples"]), kind
    assert drifted_run["summary"]["schema_drift"] == found
    (published,) = query(
        db, "select details ->> '$.schema_drift' from ops.runs order by started_at desc limit 1"
    )[0]
    assert json.loads(published) == found, "analysts see it in ops.runs"
