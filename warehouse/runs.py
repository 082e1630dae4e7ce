"""A run's life: the lock, the ledger rows, the build file and its fate.

`recorded_run` is what makes a run safe whatever happens inside it: one at a time, a ledger row
for every outcome (ok, skipped, failed with the reason), the published file untouched unless
the run reached `publish`, and no leftovers for the next run to trip on.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from warehouse.ledger import Ledger, ledger_path, now_utc
from warehouse.publish import RefreshLock, discard, landing_root, remove_leftovers
from warehouse.state import published_run_ids


@dataclass
class RunHandle:
    """What the flow fills in as the run goes; the ledger's final row is made from it."""

    run_id: str
    started_at: str
    source: str
    params: dict
    db_path: Path
    status: str = "ok"
    requests: int = 0
    retries: int = 0
    rows_loaded: int = 0
    details: dict = field(default_factory=dict)
    build_file: Path | None = None

    @property
    def landing_dir(self) -> Path:
        return landing_root(self.db_path, self.run_id)

    def ledger_row(self, status: str, error: str | None = None) -> dict:
        return {
            "run_id": self.run_id,
            "started_at": self.started_at,
            "finished_at": None if status == "running" else now_utc(),
            "status": status,
            "source": self.source,
            "params": self.params,
            "requests": self.requests,
            "retries": self.retries,
            "rows_loaded": self.rows_loaded,
            "error": error,
            "details": self.details,
        }


def new_run_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S") + "-" + secrets.token_hex(3)


@contextmanager
def recorded_run(
    db_path: Path, source: str, params: dict, scrub=lambda text: text
) -> Iterator[RunHandle]:
    """Hold the lock, write the ledger before and after, clean up whatever the outcome.

    `scrub` removes secrets from an error message before it is written anywhere.
    """
    db_path = Path(db_path)
    lock = RefreshLock(db_path).acquire()  # raises RunInProgress: nothing written then
    ledger = Ledger(ledger_path(db_path))
    try:
        remove_leftovers(db_path)
        close_dead_runs(ledger, published_run_ids(db_path))
        run = RunHandle(new_run_id(), now_utc(), source, params, db_path)
        ledger.write(run.ledger_row("running"))
        try:
            yield run
        except BaseException as exc:
            ledger.write(run.ledger_row("failed", scrub(one_line(exc))))
            if run.build_file is not None:
                discard(run.build_file)
            raise
        else:
            ledger.write(run.ledger_row(run.status))
        finally:
            _remove_landing(run)
    finally:
        lock.release()


def close_dead_runs(ledger: Ledger, published: set[str] = frozenset()) -> list[str]:
    """A 'running' row while we hold the lock is a run whose process died (killed, power cut):
    record it as failed so `review status` and ops.runs tell the truth; or as ok when it died
    after its warehouse was published (its data is what readers see)."""
    closed = []
    for run in ledger.runs():
        if run.get("status") != "running":
            continue
        row = {k: run.get(k) for k in run if k != "written_at"} | {"finished_at": now_utc()}
        if run["run_id"] in published:
            row |= {"status": "ok", "error": "published; the process ended before recording it"}
        else:
            row |= {"status": "failed",
                    "error": "killed: the run's process ended before it finished"}
        ledger.write(row)
        closed.append(run["run_id"])
    return closed


def one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return f"{type(exc).__name__}: {text}"[:1000]


def _remove_landing(run: RunHandle) -> None:
    import shutil

    shutil.rmtree(run.landing_dir, ignore_errors=True)
