"""The SQL models and checks, and the order they run in, read from the SQL itself.

Each model is one file, `transform/models/<schema>/<name>.sql` (or a review's own
`reviews/<id>/models/<schema>/<name>.sql`), ending in `select * from final`. Its relation is
`<schema>.<name>`. Its header comments declare how it is materialized and its keys:

    -- materialized: table            (view for staging; table; incremental)
    -- unique: query_id, nct_id       (checked on every build)
    -- not_null: query_id, nct_id     (checked on every build)

What it reads is parsed from its SQL (sqlglot, DuckDB dialect): every `schema.table` outside
its own CTEs. The build order is a topological sort of those reads, so there is no list to
keep. An incremental model appends to a table whose DDL sits beside it in `<name>.ddl.sql`.
A read of a relation that no model, DDL file or migration defines, or a cycle, is an error
that names the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import sqlglot
from sqlglot import exp

ROOT = Path(__file__).parent
MODELS_DIR = ROOT / "models"
CHECKS_DIR = ROOT / "checks"
MACROS_FILE = ROOT / "macros.sql"
DDL_SUFFIX = ".ddl.sql"
_HEADER = re.compile(r"^--\s*(materialized|unique|not_null):\s*(.+?)\s*$")


class DagError(ValueError):
    """The models cannot be ordered: a missing input or a cycle. The message names the file."""


@dataclass(frozen=True)
class Model:
    relation: str  # schema.name
    path: Path
    materialized: str  # view, table or incremental
    sql: str
    inputs: tuple[str, ...]  # relations it reads, itself excluded
    unique: tuple[str, ...] = ()
    not_null: tuple[str, ...] = ()
    ddl: str | None = None  # incremental models: the table they append to

    @property
    def schema(self) -> str:
        return self.relation.split(".", 1)[0]


@dataclass
class Dag:
    models: list[Model]  # in build order
    sources: dict[str, str] = field(default_factory=dict)  # relation -> where it is defined

    def model(self, relation: str) -> Model | None:
        return next((m for m in self.models if m.relation == relation), None)


def reads(sql: str, where: str = "") -> tuple[str, ...]:
    """The schema-qualified relations a statement reads, less its own CTEs."""
    try:
        tree = sqlglot.parse_one(sql, read="duckdb")
    except sqlglot.errors.ParseError as exc:
        raise DagError(f"{where}: cannot parse the SQL: {str(exc).splitlines()[0]}") from None
    ctes = {cte.alias_or_name for cte in tree.find_all(exp.CTE)}
    found = set()
    for table in tree.find_all(exp.Table):
        if table.db:
            found.add(f"{table.db}.{table.name}")
        elif table.name not in ctes:
            raise DagError(f"{where}: `{table.name}` must be schema-qualified")
    return tuple(sorted(found))


def defined_tables(sql: str) -> set[str]:
    """The schema.table names that `create table`/`create view` statements of a DDL define."""
    found = set()
    for statement in sqlglot.parse(sql, read="duckdb"):
        if not isinstance(statement, exp.Create):
            continue
        target = statement.this
        table = target.this if isinstance(target, exp.Schema) else target
        if isinstance(table, exp.Table) and table.db:
                found.add(f"{table.db}.{table.name}")
    return found


def load_model(path: Path) -> Model:
    schema, name = path.parent.name, path.name.removesuffix(".sql")
    sql = path.read_text(encoding="utf-8")
    header = _header(sql)
    relation = f"{schema}.{name}"
    ddl_path = path.with_name(name + DDL_SUFFIX)
    materialized = header.get("materialized", "view" if schema == "staging" else "table")
    if materialized == "incremental" and not ddl_path.exists():
        raise DagError(f"{path}: an incremental model needs its table's DDL in {ddl_path.name}")
    return Model(
        relation=relation,
        path=path,
        materialized=materialized,
        sql=sql,
        inputs=tuple(r for r in reads(sql, str(path)) if r != relation),
        unique=_names(header.get("unique", "")),
        not_null=_names(header.get("not_null", "")),
        ddl=ddl_path.read_text(encoding="utf-8") if ddl_path.exists() else None,
    )


def discover(model_dirs: list[Path] | None = None) -> list[Model]:
    found = []
    for root in model_dirs or [MODELS_DIR]:
        for path in sorted(root.glob("*/*.sql")):
            if not path.name.endswith(DDL_SUFFIX):
                found.append(load_model(path))
    seen: dict[str, Path] = {}
    for model in found:
        if model.relation in seen:
            raise DagError(f"{model.path}: {model.relation} is also defined by "
                           f"{seen[model.relation]}")
        seen[model.relation] = model.path
    return found


def build_dag(external: dict[str, str], model_dirs: list[Path] | None = None) -> Dag:
    """Models in an order where each comes after everything it reads.

    `external` names the relations defined outside the models (migrations, the build's own
    tables) with where each is defined, for error messages and lineage.
    """
    models = discover(model_dirs)
    by_relation = {m.relation: m for m in models}
    sources = dict(external)
    for model in models:
        if model.ddl:
            sources.pop(model.relation, None)
    for model in models:
        for needed in model.inputs:
            if needed not in by_relation and needed not in sources:
                raise DagError(f"{model.path}: reads {needed}, which no model, migration or "
                               "raw table defines")
    return Dag(_sorted(models, by_relation), sources)


def _sorted(models: list[Model], by_relation: dict[str, Model]) -> list[Model]:
    """Kahn's algorithm; among models ready together, staging first, then by name."""
    layer = {"staging": 0, "core": 1, "curated": 1, "mart": 2, "ops": 3}
    waiting = {m.relation: {i for i in m.inputs if i in by_relation} for m in models}
    ordered: list[Model] = []
    while waiting:
        ready = sorted((r for r, deps in waiting.items() if not deps),
                       key=lambda r: (layer.get(r.split(".")[0], 9), r))
        if not ready:
            cycle = sorted(waiting)
            files = ", ".join(str(by_relation[r].path) for r in cycle)
            raise DagError(f"a cycle among the models that read each other: {files}")
        for relation in ready:
            ordered.append(by_relation[relation])
            del waiting[relation]
        for deps in waiting.values():
            deps.difference_update(ready)
    return ordered


def load_checks(check_dirs: list[Path] | None = None) -> list[tuple[str, str]]:
    checks = []
    for root in check_dirs or [CHECKS_DIR]:
        checks += [(p.stem, p.read_text(encoding="utf-8")) for p in sorted(root.glob("*.sql"))]
    return checks


def key_checks(models: list[Model]) -> list[tuple[str, str]]:
    """A check query per declared key: duplicates of `unique`, NULLs in `not_null`."""
    checks = []
    for model in models:
        if model.unique:
            key = ", ".join(model.unique)
            checks.append((f"{model.relation} unique ({key})",
                           f"select {key}, count(*) as n from {model.relation} "
                           f"group by all having count(*) > 1"))
        for column in model.not_null:
            checks.append((f"{model.relation}.{column} not null",
                           f"select count(*) as n from {model.relation} "
                           f"where {column} is null having count(*) > 0"))
    return checks


def _header(sql: str) -> dict[str, str]:
    found = {}
    for line in sql.splitlines():
        if not line.startswith("--"):
            break
        match = _HEADER.match(line)
        if match:
            found[match[1]] = match[2]
    return found


def _names(text: str) -> tuple[str, ...]:
    return tuple(n.strip() for n in text.split(",") if n.strip())
