"""Bad input is refused before anything runs: exit 2, one line naming the problem, nothing
touched (no warehouse, ledger, lock or data directory created; an existing published file
byte-identical)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from reliability_helpers import SPEC

GOOD = SPEC.format(timeout=2.0)
# name -> (spec text, what the one line must name)
BAD_SPECS = {
    "malformed_toml": (
        GOOD.replace('id = "msc_liver"\ntitle', 'id = "msc_liver\ntitle', 1),
        "not valid TOML",
    ),  # fmt: skip
    "unknown_key": (GOOD.replace("[review]\n", '[review]\ncolour = "blue"\n'), "colour"),
    "unknown_section": (GOOD + '\n[reveiw]\nid = "x"\n', "reveiw"),
    "unknown_query_key": (GOOD.replace('"query.term"', '"query.trem"'), "query.trem"),
    "bad_date": (GOOD.replace("cutoff = 2022-04-29", 'cutoff = "2022-13-45"'), "2022-13-45"),
    "not_a_date": (GOOD.replace("cutoff = 2022-04-29", 'cutoff = "yesterday"'), "yesterday"),
    "empty_pubmed_query": (
        GOOD.replace(GOOD.split("term = ")[1].split("\n")[0], '"  "'),
        "empty query",
    ),  # fmt: skip
    "empty_ctgov_query": (
        GOOD.replace('"mesenchymal stem cell AND liver diseases"', '""'),
        "empty query",
    ),
    "invalid_nct_id": (
        GOOD.replace('"query.term" =', '"filter.ids" = "NCT01220492,NCT123"\n"query.term" ='),
        "NCT123",
    ),
    "unbalanced_pubmed_query": (
        GOOD.replace("[Title] AND 2019:3000[dp]", "[Title] AND (2019:3000[dp]"),
        "unbalanced",
    ),
    "unbalanced_ctgov_query": (
        GOOD.replace("AND liver diseases", "AND (liver diseases"),
        "unbalanced",
    ),
    "no_queries": ('[review]\nid = "r"\ncutoff = 2022-04-29\n', "no queries"),
}


def review(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PREFECT_HOME": str(cwd / ".prefect-unused")}
    for key in ("REVIEW_DB", "PREFECT_API_URL"):
        env.pop(key, None)
    return subprocess.run([sys.executable, "-m", "flows.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)  # fmt: skip


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.mark.parametrize("published", [False, True], ids=["no-warehouse", "published"])
@pytest.mark.parametrize(
    "case",
    list(BAD_SPECS),
)
def test_a_bad_spec_exits_2_naming_the_problem_and_touches_nothing(tmp_path, case, published):
    text, named = BAD_SPECS[case]
    spec = tmp_path / "review.toml"
    spec.write_text(text, encoding="utf-8")
    db = tmp_path / "data" / "review.duckdb"
    if published:
        db.parent.mkdir()
        db.write_bytes(os.urandom(4096))  # any bytes: the file must not even be opened
    before = tree(tmp_path)
    result = review(["refresh", "--spec", str(spec), "--db", str(db)], tmp_path)
    assert result.returncode == 2, result.stderr
    message = " ".join(result.stderr.split())  # one message (its line breaks: see below)
    assert message.startswith("error: ") and named in message, result.stderr
    assert message.count("error: ") == 1
    assert "Traceback" not in result.stderr + result.stdout
    assert tree(tmp_path) == before, "nothing created, nothing changed"
    assert not (tmp_path / ".prefect-unused").exists(), "refused before Prefect started"


def test_a_long_reason_stays_on_one_line(tmp_path):
    deep = tmp_path / ("a-directory-with-a-long-name-" * 3) / "review.toml"
    deep.parent.mkdir()
    deep.write_text(BAD_SPECS["malformed_toml"][0], encoding="utf-8")  # names the file
    result = review(["refresh", "--spec", str(deep), "--db", "x.duckdb"], tmp_path)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_a_missing_spec_file_exits_2(tmp_path):
    result = review(["refresh", "--spec", str(tmp_path / "nope.toml"), "--db", "x.duckdb"],
                    tmp_path)  # fmt: skip
    assert result.returncode == 2
    assert "spec file not found" in result.stderr and "nope.toml" in result.stderr
    assert tree(tmp_path) == {}


def test_an_unknown_source_exits_2(tmp_path):
    spec = tmp_path / "review.toml"
    spec.write_text(GOOD, encoding="utf-8")
    before = tree(tmp_path)
    result = review(["refresh", "--source", "bogus", "--spec", str(spec)], tmp_path)
    assert result.returncode == 2
    assert "bogus" in result.stderr
    assert tree(tmp_path) == before
