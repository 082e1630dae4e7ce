"""`review serve`: the refresh flow as the Prefect deployment `nightly`, on the spec's schedule.

Needs a Prefect server (`prefect server start`, PREFECT_API_URL pointing at it): schedules and
deployments live there, so they survive restarts of this process.
"""

from __future__ import annotations

import os

from flows.settings import Settings

DEPLOYMENT = "nightly"


class NoPrefectServer(RuntimeError):
    """Schedules need a server; the temporary one dies with the process."""


def serve_nightly(settings: Settings) -> None:
    if not os.environ.get("PREFECT_API_URL"):
        raise NoPrefectServer(
            "review serve needs a Prefect server: run `prefect server start`, then "
            "PREFECT_API_URL=http://127.0.0.1:4200/api review serve"
        )
    from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy
    from prefect.deployments.runner import EntrypointType
    from prefect.schedules import Cron

    from flows.refresh import refresh

    refresh.serve(
        name=DEPLOYMENT,
        schedules=[Cron(settings.schedule_cron, timezone=settings.schedule_timezone)],
        # one run at a time: a trigger during a run waits its turn (the warehouse lock
        # would refuse it anyway; queueing is kinder to a maintainer's rerun)
        global_limit=ConcurrencyLimitConfig(
            limit=1, collision_strategy=ConcurrencyLimitStrategy.ENQUEUE
        ),
        limit=1,
        parameters={
            "source": "all",
            "full": False,
            "spec": str(settings.spec_path.resolve()),
            "db": str(settings.db_path.resolve()),
        },
        # keep the schedule active when this process stops; a restart picks it up again
        pause_on_shutdown=False,
        entrypoint_type=EntrypointType.MODULE_PATH,
        description="Nightly refresh of the review's search statistics.",
    )
