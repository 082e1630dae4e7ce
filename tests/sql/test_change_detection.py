"""What makes a new version of a study (DESIGN.md "Semantics"; docs/warehouse.md section 4):
its content hash leaves out derivedSection.miscInfoModule.versionHolder and sorts the
derivedSection MeSH lists, because the registry re-stamps the one every day and returns the
others in an unstable order (shared/reference/README.md, "Facts ..."); anything else counts.

Tested through what the models keep (core.ctgov_study_version, core.ctgov_study_history), not
through the hash function, so that these tests hold wherever the hash is computed (a SQL macro
once, warehouse/content_hash.py at landing time now).

The record is the real NCT02552212 (tests/fixtures/ctgov, from AACT); its derivedSection has
both browse modules with all four lists (ctg-oas-v2.yaml, schema BrowseModule: meshes and
ancestors of Mesh {id, term}, browseLeaves of BrowseLeaf, browseBranches of BrowseBranch).
"""

from __future__ import annotations

import pytest
from sql_records import study

MODULES = ("conditionBrowseModule", "interventionBrowseModule")
LISTS = ("meshes", "ancestors", "browseLeaves", "browseBranches")
NCT = "NCT00000001"


def base() -> dict:
    """The re-labelled real record, every MeSH list with at least two distinct entries (the
    real intervention `meshes` has one; an ancestor is added to it in every run alike), so that
    a reordering is a real one."""
    record = study(NCT, sites=["China"])
    derived = record["derivedSection"]
    intervention = derived["interventionBrowseModule"]
    intervention["meshes"].append(intervention["ancestors"][0])
    for module in MODULES:
        for key in LISTS:
            items = derived[module][key]
            assert len({repr(i) for i in items}) >= 2, (module, key)
    return record


def versions(warehouse) -> list[tuple]:
    return warehouse.rows("select run_seq, overall_status from core.ctgov_study_version "
                          "join ops.published_run using (run_id) order by run_seq")


def two_runs(warehouse, second: dict):
    """A first run with the base record, then a nightly run whose delta carries `second`."""
    first = warehouse.run().query("q")
    first.page("q", "harvest", [base()])
    first.total("q", "current", 1).total("q", "cutoff", 1).build()
    run = warehouse.run().query("q")
    run.page("q", "sweep", [second]).page("q", "delta", [second])
    run.total("q", "current", 1).total("q", "cutoff", 1).build()
    assert warehouse.checks_failing() is None
    return run


def test_the_same_record_again_is_no_new_version(warehouse):
    two_runs(warehouse, base())
    assert versions(warehouse) == [(1, "RECRUITING")]


def test_a_new_version_holder_is_no_new_version(warehouse):
    record = base()
    misc = record["derivedSection"]["miscInfoModule"]
    assert misc["versionHolder"] != "2026-12-02"
    misc["versionHolder"] = "2026-12-02"
    two_runs(warehouse, record)
    assert versions(warehouse) == [(1, "RECRUITING")]


def reordered(record: dict, module: str, key: str) -> dict:
    record["derivedSection"][module][key].reverse()
    return record


@pytest.mark.parametrize("module", MODULES)
@pytest.mark.parametrize("key", LISTS)
def test_a_reordered_mesh_list_is_no_new_version(warehouse, module, key):
    record = reordered(base(), module, key)
    assert record["derivedSection"][module][key] != base()["derivedSection"][module][key]
    two_runs(warehouse, record)
    assert versions(warehouse) == [(1, "RECRUITING")]


def test_the_daily_churn_together_is_no_new_version(warehouse):
    record = base()
    record["derivedSection"]["miscInfoModule"]["versionHolder"] = "2026-12-02"
    for module in MODULES:
        for key in LISTS:
            reordered(record, module, key)
    two_runs(warehouse, record)
    assert versions(warehouse) == [(1, "RECRUITING")]
    assert warehouse.rows("select count(*) from core.ctgov_study_history") == [(1,)]


def test_a_changed_overall_status_is_a_new_version(warehouse):
    record = base()
    record["protocolSection"]["statusModule"]["overallStatus"] = "COMPLETED"
    record["derivedSection"]["miscInfoModule"]["versionHolder"] = "2026-12-02"  # and churn
    run = two_runs(warehouse, record)
    assert versions(warehouse) == [(1, "RECRUITING"), (2, "COMPLETED")]
    assert warehouse.rows("select run_id, overall_status, previous_status, valid_to "
                          "from core.ctgov_study_history order by valid_from desc limit 1") == [
        (run.run_id, "COMPLETED", "RECRUITING", None)]
    assert warehouse.rows("select overall_status from core.ctgov_study") == [("COMPLETED",)]


def test_a_new_mesh_term_is_a_new_version(warehouse):
    """Sorting must not hide content: a term added to a MeSH list is a change."""
    record = base()
    meshes = record["derivedSection"]["conditionBrowseModule"]["meshes"]
    meshes.append({"id": "D008103", "term": "Liver Cirrhosis"})
    two_runs(warehouse, record)
    assert [seq for seq, _ in versions(warehouse)] == [1, 2]


def test_other_derived_fields_count(warehouse):
    """Only versionHolder is left out of miscInfoModule: a removed country is a change."""
    record = base()
    record["derivedSection"]["miscInfoModule"]["removedCountries"].append("Hungary")
    two_runs(warehouse, record)
    assert [seq for seq, _ in versions(warehouse)] == [1, 2]


def test_the_order_of_lists_outside_derived_section_counts(warehouse):
    """Only the derivedSection MeSH lists are sorted: reordered sites are a new version."""
    first = base()
    first["protocolSection"]["contactsLocationsModule"]["locations"] = [
        {"facility": "A", "country": "China"}, {"facility": "B", "country": "Spain"}]
    record = base()
    record["protocolSection"]["contactsLocationsModule"]["locations"] = [
        {"facility": "B", "country": "Spain"}, {"facility": "A", "country": "China"}]
    run = warehouse.run().query("q")
    run.page("q", "harvest", [first]).total("q", "current", 1).total("q", "cutoff", 1).build()
    run = warehouse.run().query("q")
    run.page("q", "sweep", [record]).page("q", "delta", [record])
    run.total("q", "current", 1).total("q", "cutoff", 1).build()
    assert [seq for seq, _ in versions(warehouse)] == [1, 2]
