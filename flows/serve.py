"""`review serve`: each review's refresh as a Prefect deployment on a process work pool.

One deployment per review, `refresh/<review id>`, on the spec's cron, with that review's spec and
warehouse as its parameters. They live in the Prefect server (`prefect server start`,
PREFECT_API_URL pointing at it), so they survive restarts; any number of
`prefect worker start --pool NAME`, on any machine that has this project installed and reaches
the specs and warehouses at the same paths, runs them. `review serve` registers them, then
becomes one such worker itself (`--no-worker`: registers and exits).

Each review keeps one writer: its deployment has a concurrency limit of 1 (a trigger during a
run waits its turn), and the flow takes the warehouse's lock anyway. NCBI's rate is per key:
the E-utilities client takes a slot of a shared global concurrency limit before each request
(flows/clients.py); `review serve` creates that limit up front so that it shows in the UI.
"""

from __future__ import annotations

import os
import shutil
import sys
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from flows.settings import Settings

DEFAULT_POOL = "reviews"
FLOW = "refresh"


class NoPrefectServer(RuntimeError):
    """Schedules need a server; the temporary one dies with the process."""


class ServeError(RuntimeError):
    """The reviews cannot be registered as given (one line for the CLI)."""


@dataclass(frozen=True)
class Registered:
    """What `review serve` registered for one review, for its summary lines."""

    deployment: str  # refresh/<review id>
    cron: str
    timezone: str
    db: Path
    shared_limit: str | None  # the NCBI limit its PubMed requests share, if any


def check_reviews(reviews: list[Settings]) -> None:
    """Several reviews, each its own deployment and warehouse: ids and warehouses must differ."""
    seen_ids: dict[str, Path] = {}
    seen_dbs: dict[Path, str] = {}
    for review in reviews:
        if review.review_id in seen_ids:
            raise ServeError(f"review id {review.review_id!r} appears twice "
                             f"({seen_ids[review.review_id]} and {review.spec_path})")
        seen_ids[review.review_id] = review.spec_path
        db = review.db_path.resolve()
        if db in seen_dbs:
            raise ServeError(f"reviews {seen_dbs[db]!r} and {review.review_id!r} would write "
                             f"the same warehouse {db}; give each its own ([warehouse] path)")
        seen_dbs[db] = review.review_id


def register(reviews: list[Settings], pool: str = DEFAULT_POOL) -> list[Registered]:
    """The work pool (a process pool, created if missing), the shared NCBI limits, and one
    deployment per review on the pool. Idempotent: running it again updates them."""
    from flows.clients import ensure_shared_rate, prefect_server_configured, shared_ncbi_rate

    if not prefect_server_configured():
        raise NoPrefectServer(
            "review serve needs a Prefect server: run `prefect server start`, then "
            "PREFECT_API_URL=http://127.0.0.1:4200/api review serve"
        )
    check_reviews(reviews)
    from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy
    from prefect.deployments.runner import EntrypointType
    from prefect.schedules import Cron

    from flows.refresh import refresh

    ensure_process_pool(pool)
    done = []
    for review in reviews:
        rate = shared_ncbi_rate(review)
        if rate is not None:
            ensure_shared_rate(rate)
        deployment = refresh.to_deployment(
            name=review.review_id,
            schedules=[Cron(review.schedule_cron, timezone=review.schedule_timezone)],
            # one writer per review: a trigger during a run waits its turn (the warehouse
            # lock would refuse it anyway; queueing is kinder to a maintainer's rerun)
            concurrency_limit=ConcurrencyLimitConfig(
                limit=1, collision_strategy=ConcurrencyLimitStrategy.ENQUEUE),
            parameters={
                "source": "all",
                "full": False,
                "spec": str(review.spec_path.resolve()),
                "db": str(review.db_path.resolve()),
            },
            # the worker imports flows.refresh from the installed project: no code to pull,
            # no working directory to share, only the specs' and warehouses' paths
            entrypoint_type=EntrypointType.MODULE_PATH,
            description=f"Nightly refresh of {review.title or review.review_id}.",
            tags=["review", review.review_id],
        )
        deployment.apply(work_pool_name=pool)
        done.append(Registered(f"{FLOW}/{review.review_id}", review.schedule_cron,
                               review.schedule_timezone, review.db_path.resolve(),
                               rate.name if rate else None))
    return done


def ensure_process_pool(pool: str) -> str:
    """The work pool's type; a missing pool is created as a process pool."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.exceptions import ObjectAlreadyExists, ObjectNotFound
    from prefect.workers.process import ProcessWorker

    with get_client(sync_client=True) as client:
        try:
            return client.read_work_pool(pool).type
        except ObjectNotFound:
            pass
        with suppress(ObjectAlreadyExists):  # another `review serve` made it first
            client.create_work_pool(WorkPoolCreate(
                name=pool, type=ProcessWorker.type,
                base_job_template=ProcessWorker.get_default_base_job_template()))
        return client.read_work_pool(pool).type


def become_worker(pool: str) -> None:
    """Replace this process with `prefect worker start --pool POOL` (same environment, same
    signals: a SIGTERM stops it as it stops any Prefect worker)."""
    prefect = Path(sys.executable).with_name("prefect")
    exe = str(prefect) if prefect.exists() else shutil.which("prefect")
    if not exe:
        raise ServeError("cannot find the `prefect` command to start a worker; run "
                         f"`prefect worker start --pool {pool}` yourself (review serve "
                         "--no-worker registers only)")
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(exe, [exe, "worker", "start", "--pool", pool])
