"""The build order comes from the SQL (issue 12): parsed reads, a topological sort, and clear
errors for a missing input or a cycle. No hand-kept list."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from flows.settings import DEFAULT_SPEC, PROJECT_ROOT, load_settings
from transform.dag import DagError, build_dag, key_checks, reads
from transform.lineage import docs_with_inputs, upstream
from warehouse.build import model_dag

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "warehouse.md"


def write(root: Path, relation: str, sql: str) -> Path:
    schema, name = relation.split(".")
    path = root / schema / f"{name}.sql"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(sql, encoding="utf-8")
    return path


def test_reads_are_parsed_from_the_sql_less_its_own_ctes():
    sql = """with a as (select * from raw.x), b as (select * from a join core.y using (k))
             select * from b where k in (select k from ops.build_params)"""
    assert reads(sql) == ("core.y", "ops.build_params", "raw.x")


def test_the_order_follows_what_each_model_reads(tmp_path):
    write(tmp_path, "mart.m", "-- materialized: table\nselect * from core.b")
    write(tmp_path, "core.b", "-- materialized: table\nselect * from core.a")
    write(tmp_path, "core.a", "-- materialized: table\nselect * from raw.r")
    dag = build_dag({"raw.r": "migrations.sql"}, [tmp_path])
    assert [m.relation for m in dag.models] == ["core.a", "core.b", "mart.m"]


def test_a_missing_input_names_the_file(tmp_path):
    path = write(tmp_path, "mart.m", "-- materialized: table\nselect * from core.nowhere")
    with pytest.raises(DagError, match=rf"{path}: reads core.nowhere, which no model"):
        build_dag({}, [tmp_path])


def test_a_cycle_names_the_files(tmp_path):
    a = write(tmp_path, "core.a", "-- materialized: table\nselect * from core.b")
    b = write(tmp_path, "core.b", "-- materialized: table\nselect * from core.a")
    with pytest.raises(DagError, match="cycle") as caught:
        build_dag({}, [tmp_path])
    assert str(a) in str(caught.value) and str(b) in str(caught.value)


def test_an_incremental_model_needs_its_ddl_beside_it(tmp_path):
    write(tmp_path, "core.a", "-- materialized: incremental\nselect 1 as x from raw.r")
    with pytest.raises(DagError, match=r"a\.ddl\.sql"):
        build_dag({"raw.r": "migrations.sql"}, [tmp_path])


def test_an_unqualified_table_is_refused(tmp_path):
    write(tmp_path, "core.a", "-- materialized: table\nselect * from somewhere")
    with pytest.raises(DagError, match="must be schema-qualified"):
        build_dag({}, [tmp_path])


def test_declared_keys_become_checks_that_find_duplicates_and_nulls(tmp_path):
    write(tmp_path, "core.a", "-- materialized: table\n-- unique: k\n-- not_null: k, v\n"
                              "select * from raw.r")
    dag = build_dag({"raw.r": "test"}, [tmp_path])
    con = duckdb.connect()
    con.execute("create schema core; create table core.a as "
                "select * from (values (1, 'x'), (1, 'y'), (null, 'z')) t(k, v)")
    failing = {name for name, sql in key_checks(dag.models) if con.execute(sql).fetchall()}
    assert failing == {"core.a unique (k)", "core.a.k not null"}


def test_the_projects_models_all_order_and_the_guide_lists_their_inputs():
    review = load_settings(PROJECT_ROOT / DEFAULT_SPEC, env={})
    dag = model_dag(review.model_dirs, review.curated)
    position = {m.relation: i for i, m in enumerate(dag.models)}
    for model in dag.models:
        assert all(position[i] < position[model.relation]
                   for i in model.inputs if i in position), model.relation
    text = GUIDE.read_text(encoding="utf-8")
    fix = "run `review lineage --update-docs docs/warehouse.md`"
    assert docs_with_inputs(text, dag) == text, fix


def test_lineage_reaches_the_raw_tables_and_their_landing_files():
    from warehouse.load import LANDED_FROM

    root = upstream(model_dag(), "mart.trials_by_country", LANDED_FROM)
    leaves, stack = set(), [root]
    while stack:
        node = stack.pop()
        stack += node.children
        if not node.children and not node.seen_before:
            leaves.add((node.relation, node.where))
    assert ("raw.ctgov_study", "landed from " + LANDED_FROM["raw.ctgov_study"]) in leaves
    assert {r for r, _ in leaves} <= {"raw.ctgov_study", "raw.ctgov_total", "raw.spec_query",
                                      "raw.pubmed_search", "ops.build_params",
                                      "core.country_spelling"}
