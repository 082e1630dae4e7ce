"""The `review` command line. Thin: parse options, call a flow or a layer, print the outcome.

The commands that run things are here; those that read the published warehouse are in
flows/cli_read.py, those about a review folder in flows/cli_spec.py. Imports of Prefect, DuckDB
and the sandbox stay inside the commands, so `review --help` is fast.
"""

from __future__ import annotations

import os
from enum import StrEnum
from pathlib import Path

import typer
from rich.console import Console

from flows import cli_read, cli_spec
from flows.cli_common import DB_OPTION, SPEC_OPTION, console, fail, opt

app = typer.Typer(
    help="Keep a literature review's search statistics (PubMed, ClinicalTrials.gov) alive.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root() -> None:
    """Keep a literature review's search statistics (PubMed, ClinicalTrials.gov) alive."""


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
    index = cli_read.write_report(Path(summary["db"]), None, out)
    console.print(f"report: {index.resolve()}")


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
        return refresh_flow(source=source, full=full, spec=opt(spec), db=opt(db),
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
    from report.artifacts import headline_rows  # the latest total of each present query

    rows = [(r["source"], r["query_id"], r["scope"], r["now"]) for r in headline_rows(db_path)]
    labels = {"ctgov": "trials (ClinicalTrials.gov)", "pubmed": "publications (PubMed)"}
    for source, query_id, scope, total in rows:
        when = "at the cut-off" if scope == "cutoff" else "now"
        Console().print(f"{labels.get(source, source)} [{query_id}] {when}: {total:,}",
                        markup=False, highlight=False)


# the commands defined elsewhere, registered in the order `review --help` lists them
app.command()(cli_read.sql)
app.command()(cli_read.status)
app.command()(cli_read.report)
app.command()(cli_read.export)
app.command()(cli_read.new)
app.command()(cli_read.searchlog)
app.command("new-spec")(cli_spec.new_spec)
app.command()(cli_spec.lineage)


def main() -> None:  # pragma: no cover - the console script calls `app`
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
