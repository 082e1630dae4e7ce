"""Prefect settings that make the temporary server dependable on a small machine.

Without PREFECT_API_URL, Prefect starts a temporary server per process; on 2 cores it can
take 10-20 s and its default 20 s start-up timeout sometimes fires. A project-local
PREFECT_HOME keeps its SQLite database out of ~ and away from other projects.
"""

from __future__ import annotations

import os
from pathlib import Path


def configure_prefect() -> None:
    """Set defaults before Prefect is imported; explicit environment settings still win."""
    home = Path(os.environ.setdefault("PREFECT_HOME", str(Path.cwd() / ".prefect")))
    # Prefect creates only the last level of its home; a fresh nested path (a CI temp dir, a
    # new machine) would leave its SQLite database nowhere and the server failing to start
    home.expanduser().mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    os.environ.setdefault("PREFECT_SERVER_ALLOW_EPHEMERAL_MODE", "true")
    # no internet here, and a nightly job has no business phoning home
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    # the CLI prints its own summary; Prefect's INFO lines are the progress report
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "INFO")
