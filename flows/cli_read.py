"""The `review` commands that read the published warehouse, read-only: SQL, the ledger, the
report, Parquet exports, and what screening and a methods section need."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from flows.cli_common import DB_OPTION, SPEC_OPTION, console, db_path, fail, reading, write_output


def sql(
    query: str = typer.Argument(..., help="SQL to run, read-only."),
    db: Path = DB_OPTION,
    spec: Path = SPEC_OPTION,
) -> None:
    """Run a read-only SQL query on the published warehouse and print the result."""
    import duckdb

    from warehouse.db import WarehouseMissing, connect_read_only

    try:
        con = connect_read_only(db_path(db, spec))
    except WarehouseMissing as exc:
        raise fail(str(exc)) from None
    try:
        cursor = con.execute(query)
        rows = cursor.fetchall()
        columns = [d[0] for d in cursor.description or []]
    except duckdb.Error as exc:
        raise fail(" ".join(str(exc).split())) from None
    finally:
        con.close()
    table = Table(*columns, show_lines=False)
    for row in rows:
        # escaped: a value like "2022/04/29[crdt]" is data, not rich markup to hide
        table.add_row(*("NULL" if v is None else escape(str(v)) for v in row))
    Console().print(table)
    console.print(f"{len(rows)} row(s)")


def status(db: Path = DB_OPTION, spec: Path = SPEC_OPTION, last: int = 10) -> None:
    """The last runs from the ledger: when, what, how it ended and why."""
    from warehouse.ledger import Ledger, ledger_path

    runs = Ledger(ledger_path(db_path(db, spec))).runs()[-last:]
    if not runs:
        console.print("no runs yet")
        return
    table = Table("run_id", "started_at", "status", "source", "requests", "retries",
                  "rows_loaded", "error")
    for run in runs:
        table.add_row(*(str(run.get(k) if run.get(k) is not None else "") for k in
                        ("run_id", "started_at", "status", "source", "requests", "retries",
                         "rows_loaded", "error")))
    Console().print(table)


def report(
    db: Path = DB_OPTION,
    spec: Path = SPEC_OPTION,
    out: Path = typer.Option(Path("reports"), help="Where the report goes."),
) -> None:
    """Draw Fig. 1 and write the HTML report from the published warehouse."""
    index = write_report(db, spec, out)
    console.print(f"report: {index}")


def export(
    db: Path = DB_OPTION,
    spec: Path = SPEC_OPTION,
    out: Path = typer.Option(Path("exports"), help="Folder for the Parquet files."),
) -> None:
    """Write the marts and the curated tables as Parquet files (one per table)."""
    from warehouse.db import WarehouseMissing
    from warehouse.export import export_parquet

    try:
        written = export_parquet(db_path(db, spec), out)
    except WarehouseMissing as exc:
        raise fail(str(exc)) from None
    for path in written:
        console.print(f"wrote {path}")


class RecordFormat(StrEnum):
    ris = "ris"
    csv = "csv"


class LogFormat(StrEnum):
    md = "md"
    csv = "csv"


def new(
    db: Path = DB_OPTION,
    spec: Path = SPEC_OPTION,
    since: str = typer.Option(
        None, "--since", metavar="RUN_ID|DATE",
        help="Records that entered after this run, or in runs published after this day "
             "(YYYY-MM-DD, UTC). Default: the previous published run."),
    fmt: RecordFormat = typer.Option(RecordFormat.ris, "--format", help="RIS or CSV."),
    out: Path = typer.Option(None, "--out", help="File to write (default: standard output)."),
) -> None:
    """The records that entered the review's searches since a run, for screening."""
    from report.screening import SinceError, new_records, resolve_since, write_csv, write_ris

    with reading(db, spec) as con:
        try:
            since_run = resolve_since(con, since)
        except SinceError as exc:
            raise fail(str(exc), 2) from None
        records = new_records(con, since_run)
    write = write_ris if fmt is RecordFormat.ris else write_csv
    write_output(out, lambda fh: write(records, fh))
    trials = sum(r.source == "ctgov" for r in records)
    console.print(f"{len(records)} record(s) ({len(records) - trials} PubMed, {trials} trials) "
                  f"entered {since_run.label}" + (f": {out}" if out else ""),
                  markup=False, highlight=False)


def searchlog(
    db: Path = DB_OPTION,
    spec: Path = SPEC_OPTION,
    run: str = typer.Option(None, "--run", metavar="RUN_ID",
                            help="A published run (default: the last one)."),
    fmt: LogFormat = typer.Option(LogFormat.md, "--format", help="Markdown or CSV."),
) -> None:
    """What PRISMA-S asks a methods section to report about each search of a run."""
    from report.searchlog import RunNotFound, read_search_log, to_markdown, write_csv

    with reading(db, spec) as con:
        try:
            log = read_search_log(con, run)
        except RunNotFound as exc:
            raise fail(str(exc), 2 if run else 1) from None
    if fmt is LogFormat.md:
        sys.stdout.write(to_markdown(log))
    else:
        write_csv(log, sys.stdout)


def write_report(db: Path | None, spec: Path | None, out: Path) -> Path:
    from flows.settings import SpecError, load_settings
    from report import build_report
    from warehouse.db import WarehouseMissing

    try:
        settings = load_settings(spec, db)
    except SpecError as exc:
        raise fail(str(exc), 2) from None
    try:
        return build_report(settings.db_path, out, cutoff=settings.cutoff,
                            title=settings.title, paper=settings.paper, panels=settings.panels)
    except WarehouseMissing as exc:
        raise fail(str(exc)) from None
