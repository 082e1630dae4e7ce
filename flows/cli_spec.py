"""The `review` commands about a review folder itself: a skeleton to fill in, and what each of
its relations is built from."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape

from flows.cli_common import SPEC_OPTION, console, fail


def new_spec(
    review_id: str = typer.Argument(..., help="A lower-case id like 'ipsc_heart'."),
    root: Path = typer.Option(Path("reviews"), help="Where review folders live."),
) -> None:
    """Write a commented skeleton review folder, reviews/ID/ (spec, models/), to fill in."""
    from flows.skeleton import SkeletonError, write_skeleton

    try:
        written = write_skeleton(root, review_id)
    except SkeletonError as exc:
        raise fail(str(exc), 2) from None
    for path in written:
        console.print(f"wrote {path}")
    console.print(f"next: edit {written[0]}, then `review refresh --spec {written[0]}`")


def lineage(
    relation: str = typer.Argument(None, help="e.g. mart.trials_by_country"),
    spec: Path = SPEC_OPTION,
    update_docs: Path = typer.Option(None, "--update-docs",
                                     help="Rewrite the 'Built from:' lines of this guide."),
) -> None:
    """What a relation is built from, down to the raw tables and the landing files (parsed
    from the models' SQL; without RELATION, every model and its inputs)."""
    from rich.tree import Tree

    from flows.settings import SpecError, load_settings
    from transform.dag import DagError
    from transform.lineage import docs_with_inputs, upstream
    from warehouse.build import model_dag
    from warehouse.load import LANDED_FROM

    try:
        settings = load_settings(spec)
        dag = model_dag(settings.model_dirs, settings.curated)
    except SpecError as exc:
        raise fail(str(exc), 2) from None
    except DagError as exc:
        raise fail(str(exc)) from None
    if update_docs:
        update_docs.write_text(docs_with_inputs(update_docs.read_text("utf-8"), dag), "utf-8")
        console.print(f"updated {update_docs}")
        return
    if not relation:
        for model in dag.models:
            Console().print(f"{model.relation} <- {', '.join(model.inputs) or '-'}",
                            markup=False, highlight=False)
        return
    try:
        root = upstream(dag, relation, LANDED_FROM)
    except KeyError as exc:
        raise fail(exc.args[0], 2) from None
    tree = Tree(_lineage_label(root))

    def grow(branch, node) -> None:
        for child in node.children:
            grow(branch.add(_lineage_label(child)), child)

    grow(tree, root)
    Console().print(tree)


def _lineage_label(node) -> str:
    more = " [dim](inputs shown above)[/dim]" if node.seen_before else ""
    return f"[bold]{escape(node.relation)}[/bold]  [dim]{escape(node.where)}[/dim]{more}"
