"""The nightly flow: harvest -> build -> check -> publish, one run at a time.

Wiring only: the HTTP is in extract/, the files and SQL in warehouse/ and transform/. Each step
is a named Prefect task so a run's progress and failures show in Prefect's UI and logs.
"""

from __future__ import annotations

import os
from contextlib import ExitStack
from datetime import UTC, date, datetime
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NONE
from prefect.states import Failed

from extract.ctgov_drift import DriftReport, check_study
from extract.ctgov_harvest import KnownQuery, PageItem, plan_query
from extract.pubmed_harvest import (
    ArticlesItem,
    PubmedHarvest,
    SearchItem,
    plan_pubmed_query,
)
from flows.clients import ctgov_client, eutils_client
from flows.settings import Settings, load_settings
from report.artifacts import change_rows, headline_rows, summary_markdown
from warehouse import build as wh
from warehouse import load
from warehouse.db import connect_build
from warehouse.landing import LandingZone
from warehouse.publish import RunInProgress, discard, publish, start_build
from warehouse.runs import RunHandle, recorded_run
from warehouse.state import (
    PublishedState,
    changed_since,
    plan_ctgov_queries,
    read_published_state,
    removed_queries,
)

SOURCES = ("all", "pubmed", "ctgov")


@task(name="harvest_ctgov", cache_policy=NONE)
def harvest_ctgov(settings: Settings, client, landing_dir, state: PublishedState,
                  full: bool) -> dict:
    """The CT.gov pages this run needs, landed; returns what it did (requests are counted by
    the client, which the flow owns)."""
    logger = get_run_logger()
    landing = LandingZone(landing_dir)
    drift = DriftReport()
    version, raw = client.fetch_version()
    stamp = version["dataTimestamp"]
    fingerprints = settings.query_fingerprints()
    plans = plan_ctgov_queries(fingerprints, state, stamp, full)
    removed = removed_queries(fingerprints, state, "ctgov")
    for line in _plan_lines(plans, removed):
        logger.info(line)
    result = {"data_timestamp": stamp, "plan": _plan_lines(plans, removed), "queries": {}}
    todo = [plan for plan in plans if plan.mode != "unchanged"]
    if not todo and not removed:
        return result | {"skipped": True}
    landing.save_ctgov_version(version, raw)
    for plan in todo:
        query = settings.ctgov_query(plan.query_id)
        known = (KnownQuery(state.ctgov_members.get(query.id, frozenset()), changed_since(state))
                 if plan.mode == "incremental" else None)
        items = plan_query(client, query.params, settings.cutoff, known)
        landed = _land_query(landing, query.id, items, stamp, drift)
        result["queries"][query.id] = {"mode": plan.mode, **landed}
        logger.info("ctgov %s: %s", query.id, result["queries"][query.id])
    if drift.counts:
        logger.warning("schema drift in ClinicalTrials.gov records: %s", dict(drift.counts))
    return result | {"skipped": False, "schema_drift": drift.as_dict() if drift.counts else {}}


def _land_query(landing: LandingZone, query_id: str, items, stamp: str, drift) -> dict:
    """Land every item of one query's plan as it arrives; what it came to, for the summary."""
    landed = {"pages": {}, "studies": 0}
    for item in items:
        if isinstance(item, PageItem):
            if item.purpose != "sweep":
                for study in item.page.studies:
                    check_study(study, drift)
            landed["pages"][item.purpose] = landed["pages"].get(item.purpose, 0) + 1
            landed["studies"] += len(item.page.studies) if item.purpose != "sweep" else 0
        else:
            landed[f"{item.scope}_total"] = item.total
        landing.save_ctgov_item(query_id, item, stamp)
    return landed


def _plan_lines(plans, removed) -> list[str]:
    lines = [f"ctgov {plan.query_id}: {plan.reason}" for plan in plans]
    return lines + [f"ctgov {qid}: removed from the spec, leaves the current figures"
                    for qid in removed]


@task(name="harvest_pubmed", cache_policy=NONE)
def harvest_pubmed(settings: Settings, client, landing_dir) -> dict:
    logger = get_run_logger()
    landing = LandingZone(landing_dir)
    queries = {}
    for query in settings.pubmed_queries:
        queries[query.id] = _harvest_pubmed_one(client, settings, landing, query, logger)
    return {"skipped": False, "queries": queries,
            "requests_by_endpoint": dict(client.stats.by_endpoint)}


def _harvest_pubmed_one(client, settings, landing, query, logger) -> dict:
    items = plan_pubmed_query(client, query.term, settings.cutoff, date.today().year,
                              batch_size=settings.efetch_batch_size)
    for item in items:
        if isinstance(item, PubmedHarvest):
            return vars(item)
        landing.save_pubmed_item(query.id, item)
        if isinstance(item, SearchItem):
            logger.info("pubmed %s %s: %d records", query.id, item.scope, item.result.count)
        elif isinstance(item, ArticlesItem):
            logger.info("pubmed %s records batch %d: %d articles", query.id, item.batch_no,
                        len(item.articles))
    raise RuntimeError(f"the PubMed plan of {query.id} ended without its summary")


@task(name="build", cache_policy=NONE)
def build(settings: Settings, dag, params: wh.BuildParams, source: str, landing_dir) -> dict:
    """A copy of the published warehouse with this run loaded and every model built; returns
    the build file and what went into it. On failure the build file is discarded here."""
    build_file = start_build(settings.db_path, params.run_id)
    con = connect_build(build_file)
    try:
        wh.migrate(con, dag)
        wh.prepare(con, params)
        wh.land_spec(con, params.run_id, settings.query_fingerprints(), params.cutoff)
        landing = LandingZone(landing_dir)
        rows = load.load_ctgov_landing(con, landing, params.run_id)
        rows += load.load_pubmed_landing(con, landing, params.run_id)
        load.load_curated(con, settings.curated)
        written = wh.run_models(con, dag)
        wh.prune_raw(con)
        wh.record_published_run(con, params, source, settings.db_path)
        return {"build_file": str(build_file), "rows_loaded": rows, "models": written}
    except BaseException:
        con.close()
        discard(build_file)
        raise
    finally:
        con.close()


@task(name="check", cache_policy=NONE)
def check(dag, params: wh.BuildParams, build_file: str) -> dict:
    """The data checks, and the guard against a sudden drop; returns the drops accepted and
    the country spellings nobody mapped (counted under their raw name; listed to be added)."""
    con = connect_build(Path(build_file))
    try:
        wh.prepare(con, params)
        drops = [wh.describe_drop(d) for d in wh.sudden_drops(con)]
        if drops and not params.accept_drop:
            raise wh.SuddenDrop("not published: " + "; ".join(drops)
                                + " (review refresh --accept-drop publishes it)")
        if drops:
            get_run_logger().warning("accepted: %s", drops)
        wh.run_checks(con, dag)
        unknown = wh.unknown_country_spellings(con)
        if unknown:
            get_run_logger().warning("country spellings without an ISO code: %s", unknown)
        return {"accepted_drops": drops, "unknown_countries": unknown}
    finally:
        con.close()


@task(name="publish", cache_policy=NONE)
def publish_warehouse(settings: Settings, build_file: str) -> str:
    publish(Path(build_file), settings.db_path)
    return str(settings.db_path)


@task(name="summarize", cache_policy=NONE)
def summarize(settings: Settings, run: RunHandle, summary: dict) -> None:
    """Prefect artifacts for the run. Best effort: the warehouse is already published, so a
    failure here is logged, never turned into a failed run."""
    from prefect.artifacts import create_markdown_artifact, create_table_artifact

    logger = get_run_logger()
    try:
        headlines = headline_rows(settings.db_path) if settings.db_path.exists() else []
        changes = change_rows(settings.db_path, run.run_id) if run.status == "ok" else []
        create_markdown_artifact(
            key="refresh-summary",
            markdown=summary_markdown(summary, headlines, changes),
            description=f"Headline numbers of run {run.run_id}",
        )
        create_table_artifact(
            key="refresh-changes",
            table=changes or [{"kind": "none", "item": "", "before": "", "after": ""}],
            description=f"What changed in run {run.run_id}",
        )
    except Exception as exc:  # noqa: BLE001 - artifacts must not fail a published run
        logger.warning("could not write the run's artifacts: %s", exc)


@flow(name="refresh")
def refresh(
    source: str = "all",
    full: bool = False,
    spec: str | None = None,
    db: str | None = None,
    accept_drop: bool = False,
    ctgov_base_url: str | None = None,
    eutils_base_url: str | None = None,
) -> dict:
    """One run of the nightly refresh against the configured APIs (the base URLs, when given,
    override the spec and the environment: `review demo` points them at its sandbox)."""
    if source not in SOURCES:
        raise ValueError(f"source must be one of {', '.join(SOURCES)}, not {source!r}")
    settings = load_settings(spec, db, env=_with_urls(ctgov_base_url, eutils_base_url))
    params = {"source": source, "full": full, "spec": str(settings.spec_path),
              "accept_drop": accept_drop,
              "fingerprints": {f"{fp.source}/{fp.query_id}": fp.fingerprint
                               for fp in settings.query_fingerprints()}}
    with ExitStack() as stack:
        try:
            run = stack.enter_context(
                recorded_run(settings.db_path, source, params, _scrubber(settings)))
        except RunInProgress as exc:
            # a refusal, not a failure of this run: nothing was written; one line, no traceback
            return Failed(message=str(exc))
        return _run_steps(settings, run, source, full)


def _run_steps(settings: Settings, run: RunHandle, source: str, full: bool) -> dict:
    """The steps in order. The tasks return what they did; only this function writes it into
    the run's record (the ledger row is made from it)."""
    state = read_published_state(settings.db_path)
    ctgov, eutils = ctgov_client(settings), eutils_client(settings)
    harvested = {}
    try:
        if source in ("all", "ctgov") and settings.ctgov_queries:
            harvested["ctgov"] = harvest_ctgov(settings, ctgov, run.landing_dir, state, full)
            run.details["schema_drift"] = harvested["ctgov"].pop("schema_drift", {})
        if source in ("all", "pubmed") and settings.pubmed_queries:
            harvested["pubmed"] = harvest_pubmed(settings, eutils, run.landing_dir)
    finally:
        run.requests = ctgov.stats.requests + eutils.stats.requests
        run.retries = ctgov.stats.retries + eutils.stats.retries
    run.details["harvest"] = harvested
    if all(h.get("skipped") for h in harvested.values()):
        run.status = "skipped"
    else:
        params = _build_params(settings, run, state, harvested)
        dag = wh.model_dag(settings.model_dirs, settings.curated)  # one reading for both steps
        built = build(settings, dag, params, source, run.landing_dir)
        run.build_file = Path(built["build_file"])  # recorded_run discards it on a failure
        run.rows_loaded, run.details["models"] = built["rows_loaded"], built["models"]
        run.details.update(check(dag, params, built["build_file"]))
        publish_warehouse(settings, built["build_file"])
        run.build_file = None
    summary = _summary(run, settings)
    summarize(settings, run, summary)
    return summary


def _with_urls(ctgov_base_url: str | None, eutils_base_url: str | None) -> dict[str, str]:
    env = dict(os.environ)
    if ctgov_base_url:
        env["CTGOV_BASE_URL"] = ctgov_base_url
    if eutils_base_url:
        env["EUTILS_BASE_URL"] = eutils_base_url
    return env


def _build_params(settings, run, state, harvested) -> wh.BuildParams:
    return wh.BuildParams(
        run_id=run.run_id,
        run_seq=state.run_seq + 1,
        run_at=run.started_at,
        cutoff=settings.cutoff.isoformat(),
        data_timestamp=_ctgov_stamp(harvested) or state.ctgov_data_timestamp,
        max_total_drop=settings.max_total_drop,
        accept_drop=bool(run.params.get("accept_drop")),
        data_timestamp_published=_ctgov_stamp(harvested),
    )


def _ctgov_stamp(harvested: dict) -> str | None:
    ctgov = harvested.get("ctgov") or {}
    return None if ctgov.get("skipped") else ctgov.get("data_timestamp")


def _scrubber(settings: Settings):
    key = settings.ncbi_api_key

    def scrub(text: str) -> str:
        return text.replace(key, "***") if key else text

    return scrub


def _summary(run: RunHandle, settings: Settings) -> dict:
    return {
        "run_id": run.run_id,
        "status": run.status,
        "db": str(settings.db_path),
        "requests": run.requests,
        "retries": run.retries,
        "rows_loaded": run.rows_loaded,
        "harvest": run.details.get("harvest", {}),
        "schema_drift": run.details.get("schema_drift", {}),
        "accepted_drops": run.details.get("accepted_drops", []),
        "unknown_countries": run.details.get("unknown_countries", []),
        "plan": (run.details.get("harvest", {}).get("ctgov") or {}).get("plan", []),
        "duration_seconds": (datetime.now(UTC) - datetime.fromisoformat(run.started_at))
        .total_seconds(),
    }
