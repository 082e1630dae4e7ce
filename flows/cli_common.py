"""What every `review` command shares: the stderr console, the one-line failure, the --db and
--spec options, and reading the published warehouse."""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape

# soft_wrap: a reason is one line however long (a path), for people and for log scrapers
console = Console(stderr=True, soft_wrap=True)

DB_OPTION = typer.Option(None, "--db", help="Warehouse file (default: $REVIEW_DB or the spec's).")
SPEC_OPTION = typer.Option(
    None, "--spec", help="Review spec (default: reviews/msc_liver/review.toml).")


def fail(message: str, code: int = 1) -> typer.Exit:
    """One line on stderr, then a non-zero exit (2 for usage errors, as Click does)."""
    console.print(f"[red]error:[/red] {escape(message)}", highlight=False)
    return typer.Exit(code)


@contextmanager
def reading(db: Path | None, spec: Path | None):
    """The published warehouse, read-only. No file, or a file built before the relations a
    command reads, is one line and exit 1."""
    import duckdb

    from warehouse.db import WarehouseMissing, connect_read_only

    try:
        con = connect_read_only(db_path(db, spec))
    except WarehouseMissing as exc:
        raise fail(str(exc)) from None
    try:
        yield con
    except duckdb.CatalogException as exc:
        first_line = str(exc).strip().splitlines()[0]  # DuckDB adds hints and the SQL below
        raise fail(f"{first_line} (a warehouse from before this command: `review refresh` "
                   "rebuilds it)") from None
    finally:
        con.close()


def write_output(out: Path | None, write) -> None:
    if out is None:
        write(sys.stdout)
        return
    try:
        with out.open("w", encoding="utf-8", newline="") as fh:  # newline="": the csv module's
            write(fh)
    except OSError as exc:
        raise fail(f"cannot write {out}: {exc.strerror}") from None


def db_path(db: Path | None, spec: Path | None) -> Path:
    if db:
        return db
    from flows.settings import SpecError, load_settings

    try:
        return load_settings(spec).db_path
    except SpecError:
        return Path(os.environ.get("REVIEW_DB", "data/msc_liver.duckdb"))


def opt(path: Path | None) -> str | None:
    return str(path) if path else None
