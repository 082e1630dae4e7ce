"""Single-writer runs and the atomic swap of the published file.

A run holds an exclusive lock beside the warehouse for its whole life (flock: the kernel drops
it when the process dies, so a killed run never blocks the next). It writes a build file next
to the published one and publishes with os.replace: readers see the old file or the new one,
never a half-built one, and a reader holding the old file open keeps its snapshot.
"""

from __future__ import annotations

import fcntl
import glob
import logging
import os
import shutil
import time
from pathlib import Path

from warehouse.db import create_empty, temp_directory

log = logging.getLogger("review.warehouse")


class RunInProgress(RuntimeError):
    """Another refresh holds the warehouse; this one refuses rather than wait forever."""


class RefreshLock:
    """The one writer's lock, taken in one place: warehouse.runs.recorded_run."""

    def __init__(self, db_path: Path):
        self.path = (db_path.with_name(db_path.name + ".lock")).resolve()
        self._fd: int | None = None

    def acquire(self) -> RefreshLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode(errors="replace").strip() or "another process"
            os.close(fd)
            raise RunInProgress(
                f"another refresh is running on {self.path.with_suffix('')} ({holder}); "
                "try again when it has finished"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()}".encode(), 0)
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> RefreshLock:
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()


def refuse_if_locked(db_path: Path) -> None:
    """Raise RunInProgress now if another process holds the lock: the CLI asks before it starts
    Prefect, so a refusal is one quick line. It only looks; the run takes the lock itself."""
    lock_path = (db_path.with_name(db_path.name + ".lock")).resolve()
    if not lock_path.exists():
        return
    fd = os.open(lock_path, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        fcntl.flock(fd, fcntl.LOCK_UN)
    except BlockingIOError:
        holder = os.pread(fd, 200, 0).decode(errors="replace").strip() or "another process"
        raise RunInProgress(f"another refresh is running on {db_path} ({holder}); "
                            "try again when it has finished") from None
    finally:
        os.close(fd)


def build_path(db_path: Path, run_id: str) -> Path:
    return db_path.with_name(f"{db_path.name}.building-{run_id}")


def landing_root(db_path: Path, run_id: str) -> Path:
    """`landing/<warehouse file name>-<run id>` beside the warehouse: several reviews' warehouses
    share a folder (data/), and a run cleaning up after its own dead runs must not touch the
    landing zone of another review's run in progress."""
    return db_path.parent / "landing" / f"{db_path.name}-{run_id}"


def start_build(db_path: Path, run_id: str) -> Path:
    """A copy of the published file (or a new, empty warehouse) to write this run into."""
    target = build_path(db_path, run_id)
    started = time.perf_counter()
    if db_path.exists():
        how = copy_file(db_path, target)
        log.info("build file: copied the published file (%.1f MB) in %.2f s (%s)",
                 target.stat().st_size / 1e6, time.perf_counter() - started, how)
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        create_empty(target)
    return target


def copy_file(source: Path, target: Path) -> str:
    """Copy source to target; returns how. copy_file_range first: on a filesystem that shares
    extents (XFS, btrfs, ZFS with block cloning) the copy is a reflink, made in milliseconds
    whatever the size, its blocks shared until the build writes them; elsewhere (ext4) it is an
    in-kernel copy, as shutil.copyfile's sendfile. Anything that refuses it gets copyfile."""
    try:
        with source.open("rb") as src, target.open("wb") as dst:
            remaining = os.fstat(src.fileno()).st_size
            while remaining > 0:
                done = os.copy_file_range(src.fileno(), dst.fileno(), min(remaining, 1 << 30))
                if done == 0:
                    break
                remaining -= done
        if remaining == 0:
            return "copy_file_range"
    except (AttributeError, OSError):  # no such call, or not between these files
        pass
    shutil.copyfile(source, target)
    return "copyfile"


def publish(build_file: Path, db_path: Path) -> None:
    """Make the build file the published warehouse, durably and atomically."""
    started = time.perf_counter()
    _fsync(build_file)
    os.replace(build_file, db_path)
    _fsync(db_path.parent)
    log.info("published %s (%.1f MB): fsync and os.replace in %.2f s", db_path.name,
             db_path.stat().st_size / 1e6, time.perf_counter() - started)


def discard(path: Path) -> None:
    for leftover in (path, path.with_name(path.name + ".wal")):
        leftover.unlink(missing_ok=True)
    # what DuckDB spilled beside it (warehouse.db.temp_directory; removed on close, but not
    # by a process that died)
    shutil.rmtree(temp_directory(path), ignore_errors=True)


def remove_leftovers(db_path: Path) -> list[Path]:
    """Build files and landing zones of runs that died (call only while holding the lock)."""
    removed = []
    for stale in db_path.parent.glob(f"{db_path.name}.building-*"):
        if stale.is_dir():  # a build's spill directory (warehouse.db.temp_directory)
            shutil.rmtree(stale, ignore_errors=True)
        else:
            stale.unlink(missing_ok=True)
        removed.append(stale)
    # only this warehouse's (see landing_root); run ids are like 20260101T020000-a1b2c3
    for stale in (db_path.parent / "landing").glob(
            f"{glob.escape(db_path.name)}-????????T??????-??????"):
        shutil.rmtree(stale, ignore_errors=True)
        removed.append(stale)
    return removed


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
