"""The content hash, computed in Python at landing (issue 14), equals the SQL macro it replaced
on real records, so warehouses built before keep their versions; and it ignores exactly what
the registry churns (shared/reference/README.md: versionHolder changes every day, MeSH lists in
derivedSection come in unstable order)."""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path

import duckdb
import pytest

from warehouse.content_hash import study_content_hash, study_line_and_hash

REAL = sorted((Path(__file__).resolve().parents[2] / "sandbox" / "data" / "ctgov_real")
              .glob("NCT*.json"))  # the 12 AACT records of shared/reference (PROVENANCE.md)

# The SQL macro as it stood before the hash moved to Python (transform/macros.sql, c22bd3f).
OLD_SQL_MACRO = """
create or replace macro sorted_json_list(r, path) as
    array_to_string(list_sort(try_cast(json_extract(r, path) as varchar[])), ',');
create or replace macro study_content_hash(r) as md5(concat_ws('|',
    cast(json_merge_patch(r, '{"derivedSection": {"miscInfoModule": {"versionHolder": null},
        "conditionBrowseModule": null, "interventionBrowseModule": null}}') as varchar),
    sorted_json_list(r, '$.derivedSection.conditionBrowseModule.meshes'),
    sorted_json_list(r, '$.derivedSection.conditionBrowseModule.ancestors'),
    sorted_json_list(r, '$.derivedSection.conditionBrowseModule.browseLeaves'),
    sorted_json_list(r, '$.derivedSection.conditionBrowseModule.browseBranches'),
    sorted_json_list(r, '$.derivedSection.interventionBrowseModule.meshes'),
    sorted_json_list(r, '$.derivedSection.interventionBrowseModule.ancestors'),
    sorted_json_list(r, '$.derivedSection.interventionBrowseModule.browseLeaves'),
    sorted_json_list(r, '$.derivedSection.interventionBrowseModule.browseBranches')
));
"""


@pytest.fixture(scope="module")
def old_hash():
    con = duckdb.connect()
    con.execute(OLD_SQL_MACRO)

    def sql_hash(record: dict) -> str:
        text = json.dumps(record, ensure_ascii=False)
        return con.execute("select study_content_hash(?::json)", [text]).fetchone()[0]

    yield sql_hash
    con.close()


def record(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", REAL, ids=lambda p: p.stem)
def test_equals_the_old_sql_hash_on_real_records(path, old_hash):
    assert study_content_hash(record(path)) == old_hash(record(path))


def test_equals_it_on_records_the_json_writers_spell_differently(old_hash):
    base = record(REAL[0])
    for value in (1e20, 2.5e-7, 5e-5, 1e300, -0.0, 1.5e-6, 'a/b "c" \\ ü 漢 \u0001\t\u2028'):
        variant = copy.deepcopy(base)
        variant["protocolSection"]["extra"] = {"value": value, "text": "1e-5 in a string"}
        assert study_content_hash(variant) == old_hash(variant), value
    bare = copy.deepcopy(base)
    bare.pop("derivedSection", None)
    assert study_content_hash(bare) == old_hash(bare)


def with_meshes() -> dict:
    return next(r for r in map(record, REAL)
                if r.get("derivedSection", {}).get("conditionBrowseModule", {}).get("meshes"))


def test_ignores_version_holder_and_mesh_order_only():
    base = with_meshes()
    holder = copy.deepcopy(base)
    holder["derivedSection"]["miscInfoModule"]["versionHolder"] = "2099-01-01"
    shuffled = copy.deepcopy(base)
    for module in ("conditionBrowseModule", "interventionBrowseModule"):
        for items in shuffled["derivedSection"].get(module, {}).values():
            if isinstance(items, list):
                random.Random(7).shuffle(items)
    changed = copy.deepcopy(base)
    changed["protocolSection"]["statusModule"]["overallStatus"] = "TERMINATED"
    remapped = copy.deepcopy(base)
    remapped["derivedSection"]["conditionBrowseModule"]["meshes"].append(
        {"id": "D000000", "term": "Another Heading"})
    assert study_content_hash(holder) == study_content_hash(base)
    assert study_content_hash(shuffled) == study_content_hash(base)
    assert study_content_hash(changed) != study_content_hash(base)
    assert study_content_hash(remapped) != study_content_hash(base)


def variants() -> list[dict]:
    """The real records, and the spellings and shapes above: exponents, escapes, no
    derivedSection, versionHolder, shuffled MeSH lists, a browse item with a float."""
    out = [record(path) for path in REAL]
    for value in (1e20, 2.5e-7, 5e-5, 1e300, -0.0, 'a/b "c" \\ ü 漢 \u0001\t\u2028', "one-2"):
        variant = copy.deepcopy(out[0])
        variant["protocolSection"]["extra"] = {"value": value, "text": "1e-5 in a string"}
        out.append(variant)
    bare = copy.deepcopy(out[0])
    bare.pop("derivedSection", None)
    meshes = copy.deepcopy(with_meshes())
    meshes["derivedSection"]["conditionBrowseModule"]["meshes"].append({"id": "D1", "w": 1e-9})
    random.Random(3).shuffle(meshes["derivedSection"]["conditionBrowseModule"]["meshes"])
    return [*out, bare, meshes, {}, {"derivedSection": None}, {"hasResults": False}]


@pytest.mark.parametrize("study", variants(), ids=lambda s: str(len(json.dumps(s))))
def test_the_landing_line_and_hash_equal_dumps_and_the_hash(study):
    """LandingZone serializes each record once for its line and its hash
    (study_line_and_hash); both must be exactly what json.dumps and study_content_hash give."""
    line, content_hash = study_line_and_hash(study)
    assert line == json.dumps(study, ensure_ascii=False, separators=(",", ":"))
    assert content_hash == study_content_hash(study)


@pytest.mark.parametrize("seed", range(5))
def test_the_quick_exponent_scan_agrees_with_the_regex(seed):
    # _has_exponent decides which records take the exact (slower) path; it must find exactly
    # what _EXPONENT finds, at the edges of the text too
    from warehouse.content_hash import _EXPONENT, _has_exponent

    rng = random.Random(seed)
    alphabet = "0123456789e+-one ,:{}\"."
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        assert _has_exponent(text) == bool(_EXPONENT.search(text)), text
    for text in ("1e-5", "x1e+10", "one-2", "e-1", "1e-", "2e+x", '{"a":1.5e-07}'):
        assert _has_exponent(text) == bool(_EXPONENT.search(text)), text
