"""The `review` command line. Thin: parse options, call a flow or a layer, print the outcome.

Imports of Prefect, DuckDB and the sandbox stay inside the commands, so `review --help` is fast.
"""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

app = typer.Typer(
    help="Keep a literature review's search statistics (PubMed, ClinicalTrials.gov) alive.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
# soft_wrap: a reason is one line however long (a path), for people and for log scrapers
console = Console(stderr=True, soft_wrap=True)


@app.callback()
def _root() -> None:
    """Keep a literature review's search statistics (PubMed, ClinicalTrials.gov) alive."""


def fail(message: str, code: int = 1) -> typer.Exit:
    """One line on stderr, then a non-zero exit (2 for usage errors, as Click does)."""
    console.print(f"[red]error:[/red] {escape(message)}", highlight=False)
    return typer.Exit(code)


@app.command()
def sandbox(
    host: str = typer.Option("127.0.0.1", help="Address to listen on (loopback)."),
    port: int = typer.Option(8765, help="Port; 0 picks a free one."),
    faults: str = typer.Option("", help="Fault rules, e.g. 'studies:503#2;esearch:429(1)x3'."),
    extra_studies: int = typer.Option(0, min=0, help="Extra matching CT.gov studies (benchmarks)."),
    seed: int = typer.Option(20220429, help="Corpus seed."),
    ctgov_rate: int = typer.Option(0, min=0, help="CT.gov requests/s per client (0: no limit)."),
    no_ncbi_limit: bool = typer.Option(False, help="Do not enforce NCBI's 3 (10 with key) req/s."),
) -> None:
    """Run the offline stand-in for both APIs in the foreground (Ctrl-C stops it)."""
    from sandbox.faults import FaultSpecError
    from sandbox.server import SandboxServer

    try:
        server = SandboxServer(
            host,
            port,
            seed=seed,
            extra_studies=extra_studies,
            faults=faults,
            ncbi_rate_limit=not no_ncbi_limit,
            ctgov_requests_per_second=ctgov_rate or None,
        )
    except FaultSpecError as exc:
        raise fail(str(exc), 2) from None
    except OSError as exc:
        raise fail(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    console.print(f"ClinicalTrials.gov API v2: {server.ctgov_base_url}")
    console.print(f"NCBI E-utilities:          {server.eutils_base_url}")
    if faults:
        console.print(f"faults: {faults}")
    server.serve_forever()


class Source(StrEnum):
    all = "all"
    pubmed = "pubmed"
    ctgov = "ctgov"


DB_OPTION = typer.Option(None, "--db", help="Warehouse file (default: $REVIEW_DB or the spec's).")
SPEC_OPTION = typer.Option(
    None, "--spec", help="Review spec (default: reviews/msc_liver/review.toml).")


@app.command()
def refresh(
    db: Path = DB_OPTION,
    spec: Path = SPEC_OPTION,
    source: Source = typer.Option(Source.all, help="Which API to harvest."),
    full: bool = typer.Option(False, "--full", help="Harvest everything, not only changes."),
    accept_drop: bool = typer.Option(
        False, "--accept-drop",
        help="Publish even if a total fell by more than review.max_total_drop (recorded)."),
) -> None:
    """One run of the nightly flow against the configured APIs."""
    summary = _run_refresh(source.value, full, spec, db, accept_drop)
    _print_summary(summary)


@app.command()
def sql(
    query: str = typer.Argument(..., help="SQL to run, read-only."),
    db: Path = DB_OPTION,
    spec: Path = SPEC_OPTION,
) -> None:
    """Run a read-only SQL query on the published warehouse and print the result."""
    import duckdb

    from warehouse.db import WarehouseMissing, connect_read_only

    try:
        con = connect_read_only(_db_path(db, spec))
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


@app.command()
def status(db: Path = DB_OPTION, spec: Path = SPEC_OPTION, last: int = 10) -> None:
    """The last runs from the ledger: when, what, how it ended and why."""
    from warehouse.ledger import Ledger, ledger_path

    runs = Ledger(ledger_path(_db_path(db, spec))).runs()[-last:]
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


@app.command()
def report(
    db: Path = DB_OPTION,
    spec: Path = SPEC_OPTION,
    out: Path = typer.Option(Path("reports"), help="Where the report goes."),
) -> None:
    """Draw Fig. 1 and write the HTML report from the published warehouse."""
    index = _write_report(db, spec, out)
    console.print(f"report: {index}")


@app.command()
def export(
    db: Path = DB_OPTION,
    spec: Path = SPEC_OPTION,
    out: Path = typer.Option(Path("exports"), help="Folder for the Parquet files."),
) -> None:
    """Write the marts and the curated tables as Parquet files (one per table)."""
    from warehouse.db import WarehouseMissing
    from warehouse.export import export_parquet

    try:
        written = export_parquet(_db_path(db, spec), out)
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


@app.command()
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

    with _reading(db, spec) as con:
        try:
            since_run = resolve_since(con, since)
        except SinceError as exc:
            raise fail(str(exc), 2) from None
        records = new_records(con, since_run)
    write = write_ris if fmt is RecordFormat.ris else write_csv
    _write_output(out, lambda fh: write(records, fh))
    trials = sum(r.source == "ctgov" for r in records)
    console.print(f"{len(records)} record(s) ({len(records) - trials} PubMed, {trials} trials) "
                  f"entered {since_run.label}" + (f": {out}" if out else ""),
                  markup=False, highlight=False)


@app.command()
def searchlog(
    db: Path = DB_OPTION,
    spec: Path = SPEC_OPTION,
    run: str = typer.Option(None, "--run", metavar="RUN_ID",
                            help="A published run (default: the last one)."),
    fmt: LogFormat = typer.Option(LogFormat.md, "--format", help="Markdown or CSV."),
) -> None:
    """What PRISMA-S asks a methods section to report about each search of a run."""
    from report.searchlog import RunNotFound, read_search_log, to_markdown, write_csv

    with _reading(db, spec) as con:
        try:
            log = read_search_log(con, run)
        except RunNotFound as exc:
            raise fail(str(exc), 2 if run else 1) from None
    if fmt is LogFormat.md:
        sys.stdout.write(to_markdown(log))
    else:
        write_csv(log, sys.stdout)


@contextmanager
def _reading(db: Path | None, spec: Path | None):
    """The published warehouse, read-only. No file, or a file built before the relations a
    command reads, is one line and exit 1."""
    import duckdb

    from warehouse.db import WarehouseMissing, connect_read_only

    try:
        con = connect_read_only(_db_path(db, spec))
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


def _write_output(out: Path | None, write) -> None:
    if out is None:
        write(sys.stdout)
        return
    try:
        with out.open("w", encoding="utf-8", newline="") as fh:  # newline="": the csv module's
            write(fh)
    except OSError as exc:
        raise fail(f"cannot write {out}: {exc.strerror}") from None


@app.command()
def demo(
    db: Path = DB_OPTION,
    out: Path = typer.Option(Path("reports"), help="Where the report goes."),
) -> None:
    """Start the sandbox on a free port, refresh from it, and print the headline numbers."""
    from sandbox.server import SandboxServer

    console.print("starting the sandbox (offline stand-in for both APIs)...")
    with SandboxServer(port=0) as server:
        console.print(f"sandbox on {server.url}; refreshing...")
        urls = {"ctgov_base_url": server.ctgov_base_url,
                "eutils_base_url": server.eutils_base_url}
        summary = _run_refresh("all", False, None, db, api_urls=urls)
    _print_summary(summary)
    _print_headline(Path(summary["db"]))
    index = _write_report(Path(summary["db"]), None, out)
    console.print(f"report: {index.resolve()}")


def _write_report(db: Path | None, spec: Path | None, out: Path) -> Path:
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


@app.command()
def serve(
    spec: list[Path] = typer.Option(
        None, "--spec", help="A review spec; repeat it for several reviews "
                             "(default: reviews/msc_liver/review.toml, unless --reviews)."),
    reviews: Path = typer.Option(
        None, "--reviews", help="A folder of review folders: serves every DIR/*/review.toml."),
    db: Path = typer.Option(None, "--db", help="Warehouse file, for a single review only "
                                               "(default: $REVIEW_DB or the spec's)."),
    pool: str = typer.Option("reviews", "--pool",
                             help="Prefect work pool the deployments run on (a process pool, "
                                  "created if missing)."),
    no_worker: bool = typer.Option(
        False, "--no-worker", help="Register the deployments and exit; run them with "
                                   "`prefect worker start --pool POOL` (on any machine)."),
) -> None:
    """Register one deployment per review, refresh/<review id>, on its cron, on a Prefect work
    pool; then run them as a worker of that pool (needs `prefect server start` and
    PREFECT_API_URL)."""
    from flows.settings import SpecError, load_settings

    specs = list(spec or [])
    if reviews is not None:
        found = sorted(reviews.glob("*/review.toml"))
        if not found:
            raise fail(f"no review folders (*/review.toml) in {reviews}", 2)
        specs += found
    specs = specs or [None]  # the default review
    if len(specs) > 1 and (db or os.environ.get("REVIEW_DB")):
        raise fail(f"{'--db' if db else 'REVIEW_DB'} names one warehouse, but {len(specs)} "
                   "reviews are served; each spec's [warehouse] path (default "
                   "data/<review id>.duckdb) says where its own goes", 2)
    try:
        settings = [load_settings(path, db) for path in specs]
    except SpecError as exc:
        raise fail(str(exc), 2) from None
    from flows.prefect_env import configure_prefect
    from flows.serve import NoPrefectServer, ServeError, become_worker, register

    configure_prefect()
    try:
        registered = register(settings, pool)
    except ServeError as exc:
        raise fail(str(exc), 2) from None
    except NoPrefectServer as exc:
        raise fail(str(exc)) from None
    except Exception as exc:  # noqa: BLE001 - the server refused or is unreachable: one line
        from warehouse.runs import one_line

        raise fail(f"could not register the deployments: {one_line(exc)}") from None
    for done in registered:
        shared = f"; NCBI rate shared via limit {done.shared_limit!r}" if done.shared_limit else ""
        console.print(f"{done.deployment}: cron {done.cron!r} ({done.timezone}), "
                      f"warehouse {done.db}{shared}", markup=False, highlight=False)
    if no_worker:
        console.print(f"registered on work pool {pool!r}; run them with "
                      f"`prefect worker start --pool {pool}`", markup=False, highlight=False)
        return
    console.print(f"starting a worker of work pool {pool!r}", markup=False, highlight=False)
    try:
        become_worker(pool)
    except ServeError as exc:
        raise fail(str(exc)) from None


@app.command("new-spec")
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


@app.command()
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


def _run_refresh(
    source: str, full: bool, spec: Path | None, db: Path | None, accept_drop: bool = False,
    api_urls: dict[str, str] | None = None,
) -> dict:
    from flows.settings import SpecError, load_settings

    try:
        settings = load_settings(spec, db)  # a bad spec is a usage error, before Prefect starts
    except SpecError as exc:
        raise fail(str(exc), 2) from None
    from warehouse.publish import RunInProgress, refuse_if_locked

    try:
        refuse_if_locked(settings.db_path)  # one quick line before Prefect's start-up
    except RunInProgress as exc:
        raise fail(str(exc)) from None
    from flows.prefect_env import configure_prefect

    configure_prefect()
    from flows.refresh import refresh as refresh_flow

    try:
        return refresh_flow(source=source, full=full, spec=_opt(spec), db=_opt(db),
                            accept_drop=accept_drop, **(api_urls or {}))
    except Exception as exc:  # the ledger has the details; the user gets one line
        from prefect.exceptions import FailedRun

        from warehouse.runs import one_line

        if isinstance(exc, FailedRun) and "another refresh is running" in str(exc):
            raise fail(" ".join(str(exc).split())) from None  # refused: nothing was run
        raise fail(f"refresh failed: {one_line(exc)}") from None


def _print_summary(summary: dict) -> None:
    console.print(
        f"run {summary['run_id']}: {summary['status']}, {summary['requests']} requests "
        f"({summary['retries']} retries), {summary['rows_loaded']} rows loaded"
    )
    for line in summary.get("plan", []):
        console.print(line, markup=False, highlight=False)
    for line in summary.get("accepted_drops", []):
        console.print(f"accepted: {line}", markup=False, highlight=False)
    if summary.get("unknown_countries"):
        console.print("country spellings counted under their own name (no ISO code known): "
                      + ", ".join(summary["unknown_countries"]), markup=False, highlight=False)
    console.print(f"warehouse: {summary['db']}")


def _print_headline(db_path: Path) -> None:
    from warehouse.db import connect_read_only

    con = connect_read_only(db_path)
    try:
        rows = con.execute(
            """select source, query_id, scope, total from mart.search_totals
               where (source, query_id) in (select source, query_id from core.review_query)
               qualify row_number() over (partition by source, query_id, scope
                                          order by run_at desc) = 1
               order by source, query_id, scope"""
        ).fetchall()
    finally:
        con.close()
    labels = {"ctgov": "trials (ClinicalTrials.gov)", "pubmed": "publications (PubMed)"}
    for source, query_id, scope, total in rows:
        when = "at the cut-off" if scope == "cutoff" else "now"
        Console().print(f"{labels.get(source, source)} [{query_id}] {when}: {total:,}",
                        markup=False, highlight=False)


def _db_path(db: Path | None, spec: Path | None) -> Path:
    if db:
        return db
    from flows.settings import SpecError, load_settings

    try:
        return load_settings(spec).db_path
    except SpecError:
        return Path(os.environ.get("REVIEW_DB", "data/msc_liver.duckdb"))


def _opt(path: Path | None) -> str | None:
    return str(path) if path else None


def main() -> None:  # pragma: no cover - the console script calls `app`
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
