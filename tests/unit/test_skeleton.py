"""`review new-spec ID` writes a folder whose spec loads as it is, and never overwrites one."""

from __future__ import annotations

import pytest

from flows.settings import load_settings
from flows.skeleton import SkeletonError, write_skeleton


def test_the_skeleton_spec_loads_and_names_its_own_warehouse(tmp_path):
    spec, _readme = write_skeleton(tmp_path, "ipsc_heart")
    settings = load_settings(spec, env={})
    assert settings.review_id == "ipsc_heart"
    assert str(settings.db_path) == "data/ipsc_heart.duckdb"
    assert settings.curated == ()
    assert [p.kind for p in settings.panels] == ["publications_by_year", "trials_by_country"]
    assert settings.model_dirs[-1] == (tmp_path / "ipsc_heart" / "models").resolve()


def test_an_existing_folder_is_left_alone(tmp_path):
    write_skeleton(tmp_path, "r")
    (tmp_path / "r" / "review.toml").write_text("mine", encoding="utf-8")
    with pytest.raises(SkeletonError, match="exists already"):
        write_skeleton(tmp_path, "r")
    assert (tmp_path / "r" / "review.toml").read_text(encoding="utf-8") == "mine"


def test_a_bad_id_is_refused(tmp_path):
    with pytest.raises(SkeletonError, match="lower-case identifier"):
        write_skeleton(tmp_path, "Bad Id")
    assert not any(tmp_path.iterdir())
