"""The review spec is checked before anything runs; each problem is named."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from flows.settings import SpecError, load_settings

ROOT = Path(__file__).parents[2]


def write(tmp_path, text: str) -> Path:
    path = tmp_path / "spec.toml"
    path.write_text(text, encoding="utf-8")
    return path


GOOD = """
[review]
id = "r"
cutoff = 2022-04-29
[[pubmed.queries]]
id = "q"
term = "liver[ti]"
"""


def test_the_default_spec_loads():
    settings = load_settings(ROOT / "reviews" / "msc_liver" / "review.toml", env={})
    assert settings.db_path == Path("data/msc_liver.duckdb")
    assert [t.name for t in settings.curated] == ["table2"]
    assert settings.cutoff == date(2022, 4, 29)
    assert settings.pubmed_queries[0].term.startswith("mesenchymal stem cell OR")
    assert settings.ctgov_queries[0].params == {
        "query.term": "mesenchymal stem cell AND liver diseases"
    }


def test_environment_overrides_the_file(tmp_path):
    env = {"CTGOV_BASE_URL": "http://127.0.0.1:9/api/v2", "REVIEW_DB": str(tmp_path / "x.db"),
           "NCBI_API_KEY": "k3y"}
    settings = load_settings(write(tmp_path, GOOD), env=env)
    assert settings.ctgov_base_url == "http://127.0.0.1:9/api/v2"
    assert settings.db_path == tmp_path / "x.db"
    assert "k3y" not in repr(settings)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[review\nid=", "not valid TOML"),
        (GOOD + "\n[extra]\nx = 1\n", "unknown section [extra]"),
        (GOOD.replace("cutoff", "cutof"), "unknown key review.cutof"),
        (GOOD.replace("2022-04-29", '"2022-13-01"'), "bad date"),
        (GOOD.replace('term = "liver[ti]"', 'term = "  "'), "empty query"),
        (GOOD.replace('term = "liver[ti]"', 'term = "(liver[ti]"'), "unbalanced"),
        (GOOD + '[[ctgov.queries]]\nid = "c"\n"filter.ids" = "NCT123"\n"query.term" = "x"\n',
         "invalid NCT id 'NCT123'"),
        (GOOD + '[[ctgov.queries]]\nid = "c"\n"filter.ids" = "NCT01220492"\n', "empty query"),
        (GOOD + '[[ctgov.queries]]\nid = "c"\n"query.bogus" = "x"\n', "unknown key"),
        ('[review]\nid = "r"\ncutoff = 2022-04-29\n', "no queries"),
    ],
)
def test_bad_specs_name_the_problem(tmp_path, text, message):
    with pytest.raises(SpecError, match=message.replace("[", r"\[").replace("(", r"\(")):
        load_settings(write(tmp_path, text), env={})


def test_missing_spec_file(tmp_path):
    with pytest.raises(SpecError, match="not found"):
        load_settings(tmp_path / "nope.toml", env={})


CTGOV = GOOD + '[[ctgov.queries]]\nid = "by_ids"\n'


@pytest.mark.parametrize(
    "lines",
    [
        '"query.term" = "NCT01220492"',
        '"query.id" = "NCT01220492, NCT01662973"',
        '"query.term" = "NCT01220492 nct1662973"\n"filter.advanced" = "AREA[Phase]PHASE2"',
        '"query.cond" = "liver"\n"query.id" = "NCT01220492 NCT01662973"',
    ],
    ids=["one-id", "id-list", "ids-and-a-filter", "ids-beside-a-term"],
)
def test_a_ctgov_query_of_only_nct_ids_is_refused(tmp_path, lines):
    """ctg-oas-v2.yaml: if any query parameter holds only NCT ids, the API ignores filters,
    and with them the cut-off (filter.advanced): the 'cutoff' total would be wrong."""
    with pytest.raises(SpecError, match=r"ctgov\.queries\[0\]\.query\.\w+ \(by_ids\): only NCT"):
        load_settings(write(tmp_path, CTGOV + lines + "\n"), env={})


def test_filter_ids_alone_is_refused_naming_the_query(tmp_path):
    with pytest.raises(SpecError, match=r"ctgov\.queries\[0\] \(by_ids\): empty query"):
        load_settings(write(tmp_path, CTGOV + '"filter.ids" = "NCT01220492"\n'), env={})


@pytest.mark.parametrize(
    "lines",
    [
        '"query.term" = "NCT01220492 OR liver"',
        '"query.term" = "liver"\n"filter.ids" = "NCT01220492"',
    ],
)
def test_nct_ids_with_a_search_are_accepted(tmp_path, lines):
    settings = load_settings(write(tmp_path, CTGOV + lines + "\n"), env={})
    assert settings.ctgov_queries[0].id == "by_ids"
