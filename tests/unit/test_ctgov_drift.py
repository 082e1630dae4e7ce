"""Schema drift is counted by kind, with examples; records as the spec describes them are not."""

from __future__ import annotations

import copy
import json
from pathlib import Path

from extract.ctgov_drift import DriftReport, check_study
from sandbox.ctgov.corpus import CtgovCorpus

FIXTURES = Path(__file__).parents[1] / "fixtures" / "ctgov"


def test_real_and_sandbox_records_show_no_drift():
    report = DriftReport()
    for path in FIXTURES.glob("NCT*.json"):
        check_study(json.loads(path.read_text()), report)
    corpus = CtgovCorpus.build()
    for nct_id in corpus.nct_ids():
        check_study(corpus.study(nct_id), report)
    # two of AACT's test records are cut down to a bare identification module
    assert report.as_dict() == {
        "missing_module": 2,
        "examples": [
            "missing_module: NCT00465816 protocolSection.statusModule",
            "missing_module: NCT03453554 protocolSection.statusModule",
        ],
    }


def test_each_kind_of_drift_is_counted_with_an_example():
    study = json.loads((FIXTURES / "NCT02552212.json").read_text())
    drifted = copy.deepcopy(study)
    drifted["protocolSection"]["identificationModule"]["officialTitle"] = ["a", "b"]
    drifted["protocolSection"]["conditionsModule"]["conditions"] = "Cirrhosis"
    drifted["protocolSection"]["newModule"] = {}
    drifted["brandNewSection"] = {}
    del drifted["protocolSection"]["statusModule"]
    report = DriftReport()
    check_study(drifted, report)
    assert dict(report.counts) == {"unknown_field": 2, "missing_module": 1, "type_mismatch": 2}
    assert any("NCT02552212 protocolSection.newModule" in e for e in report.examples)
