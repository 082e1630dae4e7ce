"""Opening the warehouse file: read-only for readers, a fresh build file for a run.

DuckDB lets one writer hold a file and locks every other process out, readers included; so a
run never writes the published file. It copies it to a build file beside it, writes there, and
`warehouse.publish` swaps the build file in with os.replace once the checks pass.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import os
import re
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


# A build connection's memory (DuckDB's buffer manager: everything it caches, sorts, hashes and
# buffers for inserts). Beyond it DuckDB spills to `temp_directory` beside the build file, so
# the build's peak RSS is this plus the process around it (Python, Prefect: ~150-200 MB), and it
# does not grow with the registry. A machine setting, not a review's: the environment
# overrides it (e.g. REVIEW_DUCKDB_MEMORY_LIMIT=2GB on a large server builds faster).
MEMORY_LIMIT_ENV = "REVIEW_DUCKDB_MEMORY_LIMIT"
DEFAULT_MEMORY_LIMIT = "200MB"
# Threads of a build connection. Each thread keeps buffers of its own (the JSON reader's, a
# parse arena per JSON call, the rows an insert collects), all of them sized to whole records:
# with two threads the build spilled ~100 MB a step under 300 MB and used 40% more CPU; with
# one it spills nothing (bench/profile_build.py). Raise it with the memory limit.
THREADS_ENV = "REVIEW_DUCKDB_THREADS"
DEFAULT_THREADS = 1
# Rows per row group of what a build writes (DuckDB's default is 122,880). An insert buffers
# whole row groups before it compresses and writes them; at ~3.7 KB a study record one default
# row group is ~450 MB, more than the whole memory_limit, so it spilled to disk uncompressed
# and was read back to be compressed. 16,384 rows (~60 MB of records) are written as they fill.
BUILD_ROW_GROUP_SIZE = 16_384
# Strings are compressed with zstd in what a build writes: the JSON records (most of the file)
# compress several times smaller than with DuckDB's default FSST, and faster, so the copy every
# run makes of the published file stays small (docs/scaling.md). Readers need nothing: the
# `duckdb` CLI (1.5) reads zstd columns.
BUILD_COMPRESSION = "zstd"
_SIZE = re.compile(r"^\s*\d+(\.\d+)?\s*(B|[KMGT]i?B)\s*$", re.IGNORECASE)


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


def temp_directory(path: Path) -> Path:
    """Where a build connection spills what does not fit in its memory_limit: beside the build
    file (same disk, removed with it)."""
    return path.with_name(path.name + ".tmp")


def build_memory_limit(env: dict[str, str] | None = None) -> str:
    """The memory_limit of build connections: REVIEW_DUCKDB_MEMORY_LIMIT, or the default."""
    value = (os.environ if env is None else env).get(MEMORY_LIMIT_ENV) or DEFAULT_MEMORY_LIMIT
    if not _SIZE.match(value):
        raise ValueError(f"{MEMORY_LIMIT_ENV}={value!r}: expected a size such as 300MB or 2GB")
    return value.strip()


def build_threads(env: dict[str, str] | None = None) -> int:
    """The threads of build connections: REVIEW_DUCKDB_THREADS, or the default."""
    value = (os.environ if env is None else env).get(THREADS_ENV) or str(DEFAULT_THREADS)
    if not value.strip().isdigit() or int(value) < 1:
        raise ValueError(f"{THREADS_ENV}={value!r}: expected a whole number of threads, 1 or more")
    return int(value)


def release_freed_memory() -> None:
    """Hand back to the system what this process has freed but its allocator still holds.

    A build starts after the harvest in the same process, and the harvest's pages (a few MB of
    JSON and ~30 MB of dicts each, one page ahead) leave glibc's heap fragmented: ~80 MB of
    RSS nobody uses, under DuckDB's memory_limit. malloc_trim(0) returns the free parts; on a
    system without glibc this does nothing."""
    gc.collect()
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.malloc_trim(0)
    except (OSError, AttributeError):
        pass


def connect_build(path: Path) -> duckdb.DuckDBPyConnection:
    """The build file, opened for writing, within a bounded memory: DuckDB spills beyond
    build_memory_limit() to a temp directory beside the file (removed with it), with
    build_threads() threads, writing row groups of BUILD_ROW_GROUP_SIZE compressed with zstd."""
    release_freed_memory()
    con = _attached(path, read_only=False, row_group_size=BUILD_ROW_GROUP_SIZE)
    con.execute(f"set memory_limit = '{build_memory_limit()}'")
    con.execute(f"set threads = {build_threads()}")
    con.execute(f"set temp_directory = '{_quote(temp_directory(path))}'")
    con.execute(f"set force_compression = '{BUILD_COMPRESSION}'")
    for schema in SCHEMAS:
        con.execute(f"create schema if not exists {schema}")
    return con


def _attached(
    path: Path, read_only: bool, row_group_size: int | None = None
) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    options = ["read_only"] if read_only else []
    if row_group_size:
        options.append(f"row_group_size {int(row_group_size)}")
    mode = f" ({', '.join(options)})" if options else ""
    con.execute(f"attach '{_quote(path)}' as {CATALOG}{mode}")
    con.execute(f"use {CATALOG}")
    return con


def _quote(path: Path | str) -> str:
    return str(path).replace("'", "''")
