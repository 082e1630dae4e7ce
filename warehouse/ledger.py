"""The run ledger: one JSON line per event of a run, in a file beside the warehouse.

Why not a table inside the warehouse: a failed run must leave the published file byte-identical
and still record why it failed. The ledger is append-only JSON lines (no lock, readable while a
run writes); the warehouse exposes it as the view `ops.runs` (latest line per run).
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

RUN_COLUMNS = ("run_id", "started_at", "finished_at", "status", "source", "params",
               "requests", "retries", "rows_loaded", "error")
STATUSES = ("running", "ok", "skipped", "failed")


def ledger_path(db_path: Path | str) -> Path:
    db_path = Path(db_path)
    return db_path.with_name(db_path.name + ".runs.jsonl")


def now_utc() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class Ledger:
    def __init__(self, path: Path):
        self.path = path

    def write(self, run: dict) -> None:
        """Append the run's current state; one write() of one line, so lines never interleave."""
        unknown = set(run) - set(RUN_COLUMNS) - {"details"}
        if unknown:
            raise ValueError(f"unknown ledger fields: {sorted(unknown)}")
        if run.get("status") not in STATUSES:
            raise ValueError(f"bad run status {run.get('status')!r}")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps({**run, "written_at": now_utc()}, default=str) + "\n"
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line.encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)

    def runs(self) -> list[dict]:
        """The latest state of every run, oldest first. A torn last line (a crash) is skipped."""
        latest: dict[str, dict] = {}
        if not self.path.exists():
            return []
        with self.path.open(encoding="utf-8") as fh:
            for line in fh:
                try:
                    run = json.loads(line)
                except ValueError:
                    continue
                latest[run["run_id"]] = run
        return sorted(latest.values(), key=lambda r: r.get("started_at") or "")

    def last(self, status: str | None = None) -> dict | None:
        matching = [r for r in self.runs() if status is None or r.get("status") == status]
        return matching[-1] if matching else None


def runs_view_sql(path: Path) -> str:
    """`ops.runs` over the ledger file. The path is absolute: DuckDB resolves relative paths
    against the reader's working directory, not the database file."""
    columns = {
        "run_id": "VARCHAR", "started_at": "TIMESTAMPTZ", "finished_at": "TIMESTAMPTZ",
        "status": "VARCHAR", "source": "VARCHAR", "params": "JSON", "requests": "BIGINT",
        "retries": "BIGINT", "rows_loaded": "BIGINT", "error": "VARCHAR", "details": "JSON",
        "written_at": "TIMESTAMPTZ",
    }
    spec = ", ".join(f"'{k}': '{v}'" for k, v in columns.items())
    source = str(path.resolve()).replace("'", "''")
    return f"""
create or replace view ops.runs as
with lines as (
    select * from read_json('{source}', format = 'newline_delimited',
                            columns = {{{spec}}}, ignore_errors = true)
),
final as (
    select {", ".join(RUN_COLUMNS)}, details
    from lines
    qualify row_number() over (partition by run_id order by written_at desc) = 1
)
select * from final
"""
