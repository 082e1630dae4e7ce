"""warehouse.state's compact member sets and warehouse.publish's file copy: the pieces that keep
a nightly run's memory and copy cost flat as the registry grows (issue 14)."""

from __future__ import annotations

import random

import duckdb
import pytest

from warehouse.db import build_threads
from warehouse.publish import copy_file
from warehouse.state import _MEMBERS_SQL, NctIds


def test_nct_ids_behave_as_the_set_of_their_ids():
    rng = random.Random(7)
    ids = {f"NCT{rng.randrange(1, 10**8):08d}" for _ in range(2000)} | {"NCT00000001"}
    odd = {"nct01234567", "NCT123", "X"}  # other shapes: kept as they are, in a frozenset
    members = NctIds(list(ids) + list(odd) + ["NCT00000001"])  # a duplicate counts once
    assert len(members) == len(ids | odd)
    assert set(members) == ids | odd
    for nct_id in list(ids)[:200] + list(odd):
        assert nct_id in members
    for absent in ("NCT99999999", "NCT00000000", "nct00000001", "", None, 5):
        assert absent not in members
    assert set(members - {"NCT00000001"}) == (ids | odd) - {"NCT00000001"}


def test_members_read_from_sql_digits_equal_the_rows():
    con = duckdb.connect()
    con.execute("create schema core")
    con.execute("create table core.ctgov_query_match (query_id varchar, nct_id varchar)")
    rows = [("q1", f"NCT{n:08d}") for n in (5, 3, 99999999, 3)] + [
        ("q1", "NCTX"), ("q2", "NCT00000042"), ("q2", None)]
    con.executemany("insert into core.ctgov_query_match values (?, ?)", rows)
    found = {q: NctIds.from_digits(d, o) for q, d, o in con.execute(_MEMBERS_SQL).fetchall()}
    assert set(found["q1"]) == {"NCT00000003", "NCT00000005", "NCT99999999", "NCTX"}
    assert set(found["q2"]) == {"NCT00000042"}


def test_the_published_file_is_copied_byte_for_byte(tmp_path):
    source = tmp_path / "published.duckdb"
    data = random.Random(3).randbytes(3 * 1024 * 1024 + 17)
    source.write_bytes(data)
    target = tmp_path / "build.duckdb"
    how = copy_file(source, target)
    assert how in {"copy_file_range", "copyfile"}
    assert target.read_bytes() == data


@pytest.mark.parametrize("value", ["0", "-1", "two", "1.5"])
def test_a_bad_thread_count_is_refused_with_its_name(value):
    with pytest.raises(ValueError, match="REVIEW_DUCKDB_THREADS"):
        build_threads({"REVIEW_DUCKDB_THREADS": value})


def test_the_thread_count_defaults_to_one_and_follows_the_environment():
    assert build_threads({}) == 1
    assert build_threads({"REVIEW_DUCKDB_THREADS": "4"}) == 4


def test_a_warehouse_from_before_the_landing_hash_migrates_and_keeps_its_rows():
    # issue 14: raw.ctgov_study gained content_hash (computed at landing); a file written
    # before it has the old columns, and its rows must survive the migration untouched
    from flows.settings import DEFAULT_SPEC, PROJECT_ROOT, load_settings
    from warehouse import build as wh
    from warehouse.db import SCHEMAS

    con = duckdb.connect()
    for schema in SCHEMAS:
        con.execute(f"create schema {schema}")
    con.execute("create table raw.ctgov_study (run_id varchar not null, query_id varchar not "
                "null, purpose varchar not null, page_no integer not null, nct_id varchar, "
                "record json not null)")
    con.execute("insert into raw.ctgov_study values ('20261101T020000-old', 'q1', 'harvest', 1, "
                "'NCT00000001', '{\"protocolSection\": {}}')")
    settings = load_settings(PROJECT_ROOT / DEFAULT_SPEC, env={})
    wh.migrate(con, wh.model_dag(settings.model_dirs, settings.curated))
    columns = [row[0] for row in con.execute("describe raw.ctgov_study").fetchall()]
    assert columns[-1] == "content_hash"
    assert con.execute("select run_id, nct_id, content_hash from raw.ctgov_study").fetchall() == [
        ("20261101T020000-old", "NCT00000001", None)]
