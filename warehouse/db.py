"""Opening the warehouse file: read-only for readers, a fresh build file for a run.

DuckDB lets one writer hold a file and locks every other process out, readers included; so a
run never writes the published file. It copies it to a build file beside it, writes there, and
`warehouse.publish` swaps the build file in with os.replace once the checks pass.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

# The `duckdb` CLI on PyPI can lag the Python package by a major version; files written with
# this storage version open in both (DESIGN.md). Newer features that need a newer format are
# not used.
STORAGE_VERSION = "v1.5.0"
# No schema may share a warehouse file's name: DuckDB names a file's catalog after it, so a
# schema `review` in review.duckdb made `review.table2` ambiguous in the analysts' own shell.
# Curated tables live in `curated` for that reason.
SCHEMAS = ("raw", "staging", "core", "curated", "mart", "ops")


class WarehouseMissing(FileNotFoundError):
    """No published warehouse yet: run `review refresh` (or `review demo`) first."""


# The project's own connections attach the file under one fixed catalog name, whatever the
# file is called, so that SQL never depends on the file's name.
CATALOG = "warehouse"


def connect_read_only(path: Path | str) -> duckdb.DuckDBPyConnection:
    path = Path(path)
    if not path.exists():
        raise WarehouseMissing(f"no warehouse at {path}: run `review refresh` first")
    return _attached(path, read_only=True)


def create_empty(path: Path) -> None:
    """A new warehouse file in the CLI-compatible storage format, with the schemas."""
    con = duckdb.connect()
    try:
        con.execute(f"attach '{_quote(path)}' as w (storage_version '{STORAGE_VERSION}')")
        for schema in SCHEMAS:
            con.execute(f"create schema if not exists w.{schema}")
    finally:
        con.close()


def connect_build(path: Path) -> duckdb.DuckDBPyConnection:
    con = _attached(path, read_only=False)
    for schema in SCHEMAS:
        con.execute(f"create schema if not exists {schema}")
    return con


def _attached(path: Path, read_only: bool) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    mode = " (read_only)" if read_only else ""
    con.execute(f"attach '{_quote(path)}' as {CATALOG}{mode}")
    con.execute(f"use {CATALOG}")
    return con


def _quote(path: Path | str) -> str:
    return str(path).replace("'", "''")
