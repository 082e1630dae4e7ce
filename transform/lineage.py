"""What a relation is built from, down to the raw tables: from the same parse as the build
order (transform.dag), for `review lineage` and for the inputs listed in docs/warehouse.md."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from transform.dag import Dag

BUILT_FROM = re.compile(r"^Built from: .*$", re.MULTILINE)
HEADING = re.compile(r"^#### `(\w+\.\w+)`.*$", re.MULTILINE)


@dataclass
class Node:
    relation: str
    where: str  # the model's file, or where a source relation is defined
    children: list[Node] = field(default_factory=list)
    seen_before: bool = False  # expanded higher up in the tree already


def upstream(dag: Dag, relation: str, landed_from: dict[str, str] | None = None) -> Node:
    """The tree of everything `relation` reads, each subtree expanded once."""
    if dag.model(relation) is None and relation not in dag.sources:
        known = ", ".join(m.relation for m in dag.models if m.schema == "mart")
        raise KeyError(f"no relation {relation!r} in the models (marts: {known})")
    expanded: set[str] = set()

    def visit(name: str) -> Node:
        model = dag.model(name)
        if model is None:
            landed = (landed_from or {}).get(name)
            return Node(name, f"landed from {landed}" if landed else dag.sources.get(name, "?"))
        node = Node(name, f"{_relative(model.path)} ({model.materialized})")
        if name in expanded:
            node.seen_before = True
            return node
        expanded.add(name)
        node.children = [visit(i) for i in model.inputs]
        return node

    return visit(relation)


def inputs_line(dag: Dag, relation: str) -> str | None:
    model = dag.model(relation)
    if model is None:
        return None
    names = ", ".join(f"`{name}`" for name in model.inputs) or "nothing"
    return f"Built from: {names}."


def docs_with_inputs(text: str, dag: Dag) -> str:
    """The guide with a `Built from:` line under each model's heading, made from the parse."""
    text = BUILT_FROM.sub("", text)

    def add_line(match: re.Match) -> str:
        line = inputs_line(dag, match[1])
        return f"{match[0]}\n\n{line}\n\n" if line else match[0]

    return re.sub(r"\n{3,}", "\n\n", HEADING.sub(add_line, text))


def _relative(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
