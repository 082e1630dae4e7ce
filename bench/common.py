"""Helpers shared by the benchmarks: a sandbox in its own process, one Prefect server for all
runs, spec files, refresh runs (as a subprocess, measuring wall time and peak RSS, or in this
process), medians and the result tables.

Why processes: the sandbox is CPU-bound Python (it regenerates every benchmark extra when it
serves it); in its own process its CPU and memory never count as the pipeline's. Each refresh
runs as `review refresh` in a fresh process, so its peak RSS (from os.wait4's rusage of that
one child) is the pipeline's alone. A single `prefect server start` serves every run through
PREFECT_API_URL, so no run pays Prefect's 10-20 s temporary-server start-up.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
REVIEW = str(BIN / "review")
PREFECT = str(BIN / "prefect")
REVIEW_QUERY_ID = "msc_liver"
REVIEW_TERM = "mesenchymal stem cell AND liver diseases"
PUBMED_TERM = "mesenchymal stem cell OR mesenchymal stromal cell AND liver [Title]"
DEFAULT_SEED = 20220429


# --- numbers and tables -----------------------------------------------------------------


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def fmt(value, digits: int = 2) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        if value != value:  # nan
            return "-"
        return f"{value:,.{digits}f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def table(headers: list[str], rows: list[list]) -> str:
    """A GitHub-flavoured Markdown table (readable in a terminal and in bench/README.md)."""
    cells = [[fmt(c) for c in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(headers)]
    line = "| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)) + " |"
    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    body = [
        "| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |" for r in cells
    ]
    return "\n".join([line, rule, *body])


@dataclass
class Target:
    name: str
    measured: str
    goal: str
    ok: bool
    reason: str = ""

    def row(self) -> list:
        return [self.name, self.measured, self.goal, "PASS" if self.ok else "MISS", self.reason]


def targets_table(targets: list[Target]) -> str:
    return table(
        ["target", "measured", "goal", "result", "why (when missed)"], [t.row() for t in targets]
    )


def machine() -> str:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{os.cpu_count()} CPU ({cpu}), {mem:.0f} GiB RAM, Linux {platform.release()}, "
        f"Python {platform.python_version()}; {datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    )


def banner(title: str) -> None:
    print(f"\n## {title}\n", flush=True)
    print(f"machine: {machine()}\n", flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- the sandbox, in a child process that also applies corpus mutations on command --------


def _sandbox_main(conn, options: dict) -> None:
    """Child process: build and start SandboxServer, then serve commands from the pipe."""
    from sandbox.ctgov import synth
    from sandbox.ctgov.corpus import STATUSES
    from sandbox.server import SandboxServer

    _count_response_bytes()
    started = time.perf_counter()
    server = SandboxServer(port=0, **options).start()
    conn.send(
        {
            "ctgov": server.ctgov_base_url,
            "eutils": server.eutils_base_url,
            "build_s": time.perf_counter() - started,
        }
    )
    corpus = server.ctgov_corpus
    lock = server.app._handler_lock  # mutations wait for a request being answered
    while True:
        try:
            command, *args = conn.recv()
        except EOFError:
            break
        try:
            if command == "stop":
                conn.send(None)
                break
            if command == "log_len":
                result = len(server.log)
            elif command == "log_summary":
                result = _log_summary(server.log[args[0] :])
            elif command == "change_extras":
                result = _change_extras(corpus, lock, synth, STATUSES, *args)
            elif command == "list_query":
                with lock:
                    result = _list_query(server.app.ctgov_api, *args)
            elif command == "count_query":
                with lock:
                    result = _count_query(server.app.ctgov_api, *args)
            elif command == "mutate":
                method, method_args = args
                with lock:
                    result = getattr(corpus, method)(*method_args)
            else:
                raise ValueError(f"unknown sandbox command {command!r}")
            conn.send(("ok", result))
        except Exception as exc:  # report it to the benchmark, keep serving
            conn.send(("error", f"{type(exc).__name__}: {exc}"))
    server.stop()


def _count_response_bytes() -> None:
    """Record on each RequestRecord the size of the response body the sandbox sent (`bytes`,
    what Content-Length says; the sandbox never compresses). RequestRecord has no such field,
    so this wraps sandbox.server._send, in the sandbox's own process only."""
    import sandbox.server as server_module

    send_reply = server_module._send
    if getattr(send_reply, "counts_bytes", False):
        return

    async def send_counting(send, reply, record) -> None:
        record.bytes = len(reply.body)
        await send_reply(send, reply, record)

    send_counting.counts_bytes = True
    server_module._send = send_counting


def _log_summary(records) -> dict:
    by_endpoint = Counter(f"{r.api}/{r.endpoint}" for r in records)
    by_status = Counter(r.status for r in records)
    studies = [r for r in records if r.endpoint == "studies"]
    bytes_by_endpoint: Counter = Counter()
    for r in records:
        bytes_by_endpoint[f"{r.api}/{r.endpoint}"] += getattr(r, "bytes", 0)
    return {
        "requests": len(records),
        "bytes": sum(bytes_by_endpoint.values()),
        "by_endpoint": dict(by_endpoint),
        "bytes_by_endpoint": dict(bytes_by_endpoint),
        "by_status": {str(k): v for k, v in by_status.items()},
        "studies_requests": len(studies),
        "studies_params": [dict(r.params) for r in studies],
        "studies_bytes": [getattr(r, "bytes", 0) for r in studies],
    }


def _list_query(api, params: dict) -> list[list[str]]:
    """[NCT id, LastUpdatePostDate] of every study a /studies query matches, asked of the API
    handler directly (no HTTP, so nothing in the request log)."""
    base = [*params.items(), ("fields", "NCTId,LastUpdatePostDate"), ("pageSize", "1000")]
    token, out = None, []
    while True:
        reply = api.handle("/studies", base + ([("pageToken", token)] if token else []))
        if reply.status != 200:
            raise RuntimeError(f"sandbox listing {params}: {reply.status} {reply.body[:200]!r}")
        body = json.loads(reply.body)
        for study in body["studies"]:
            section = study["protocolSection"]
            last = section.get("statusModule", {}).get("lastUpdatePostDateStruct", {})
            out.append([section["identificationModule"]["nctId"], last.get("date")])
        token = body.get("nextPageToken")
        if not token:
            return out


def _count_query(api, params: dict) -> int:
    """The API's totalCount for a /studies query (asked directly, not logged)."""
    reply = api.handle(
        "/studies",
        [*params.items(), ("fields", "NCTId"), ("pageSize", "1"), ("countTotal", "true")],
    )
    if reply.status != 200:
        raise RuntimeError(f"sandbox count {params}: {reply.status} {reply.body[:200]!r}")
    return json.loads(reply.body)["totalCount"]


def _change_extras(
    corpus, lock, synth, statuses, count: int, extra_studies: int, offset: int = 0
) -> dict:
    """One registry refresh (one night): the data date moves on by one day, then the overall
    status of `count` benchmark extras, spread evenly over all of them (starting at extra
    `offset`), changes, each posted as an update on the new data date.

    CtgovCorpus.set_overall_status would advance the data date once per study (1,001 changes
    would span 1,001 days); the real registry posts a weekday's ~1,000 updates under one
    dataTimestamp. So this does what CtgovCorpus._edit does, with a single _advance.
    """
    started = time.perf_counter()
    step = max(extra_studies // count, 1)
    changed = []
    with lock:
        previous = corpus._advance()
        for index in range(offset, offset + step * count, step):
            nct_id = synth.extra_id(index % extra_studies)
            row = corpus._row(nct_id)
            record = json.loads(corpus.record_bytes(row))
            status = record["protocolSection"].setdefault("statusModule", {})
            new = "TERMINATED" if status["overallStatus"] != "TERMINATED" else "COMPLETED"
            assert new in statuses
            status["overallStatus"] = new
            status["lastUpdateSubmitDate"] = previous
            status["lastUpdatePostDateStruct"] = {"date": corpus.data_date, "type": "ACTUAL"}
            corpus._save(row, record)
            changed.append(nct_id)
    return {
        "changed": len(changed),
        "seconds": time.perf_counter() - started,
        "data_timestamp": corpus.data_timestamp,
        "previous_data_date": previous,
    }


class Sandbox:
    """`SandboxServer` in a child process (spawned, so it shares nothing with this one)."""

    def __init__(self, **options):
        self.options = options
        self.ctgov_base_url = self.eutils_base_url = ""
        self.build_s = 0.0
        self._process = None
        self._conn = None

    def start(self, timeout: float = 300.0) -> Sandbox:
        ctx = mp.get_context("spawn")
        self._conn, child = ctx.Pipe()
        self._process = ctx.Process(
            target=_sandbox_main, args=(child, self.options), name="bench-sandbox", daemon=True
        )
        self._process.start()
        child.close()
        if not self._conn.poll(timeout):
            self.stop()
            raise RuntimeError(f"sandbox did not start within {timeout} s")
        urls = self._conn.recv()
        self.ctgov_base_url, self.eutils_base_url = urls["ctgov"], urls["eutils"]
        self.build_s = urls["build_s"]
        return self

    def _call(self, *command, timeout: float = 600.0):
        self._conn.send(command)
        if not self._conn.poll(timeout):
            raise RuntimeError(f"sandbox did not answer {command[0]!r} within {timeout} s")
        status, result = self._conn.recv()
        if status != "ok":
            raise RuntimeError(f"sandbox {command[0]}: {result}")
        return result

    def log_len(self) -> int:
        return self._call("log_len")

    def log_summary(self, since: int = 0) -> dict:
        return self._call("log_summary", since)

    def change_extras(self, count: int, extra_studies: int, offset: int = 0) -> dict:
        return self._call("change_extras", count, extra_studies, offset)

    def list_query(self, params: dict) -> list[list[str]]:
        """[NCT id, LastUpdatePostDate] of every study the query matches now (not logged)."""
        return self._call("list_query", params)

    def count_query(self, params: dict) -> int:
        return self._call("count_query", params)

    def mutate(self, method: str, *args):
        return self._call("mutate", method, args)

    def env(self) -> dict[str, str]:
        return {"CTGOV_BASE_URL": self.ctgov_base_url, "EUTILS_BASE_URL": self.eutils_base_url}

    def stop(self) -> None:
        if self._process is None:
            return
        try:
            if self._process.is_alive():
                self._conn.send(("stop",))
                self._conn.poll(15)
        except (BrokenPipeError, EOFError, OSError):
            pass
        self._process.join(15)
        if self._process.is_alive():
            self._process.terminate()  # our own child, by its handle
            self._process.join(5)
        self._process = None

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


# --- one Prefect server for every run --------------------------------------------------


@contextmanager
def prefect_server(workdir: Path) -> Iterator[dict[str, str]]:
    """Environment for the refresh runs: PREFECT_API_URL of a server started here (or the one
    run_all started, passed on in BENCH_PREFECT_API_URL), and a private PREFECT_HOME."""
    shared = os.environ.get("BENCH_PREFECT_API_URL")
    home = os.environ.get("BENCH_PREFECT_HOME") or str(workdir / "prefect-home")
    base = {
        "PREFECT_HOME": home,
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_LOGGING_LEVEL": "INFO",
    }
    if shared:
        yield {**base, "PREFECT_API_URL": shared}
        return
    Path(home).mkdir(parents=True, exist_ok=True)
    port = free_port()
    log = open(workdir / "prefect-server.log", "wb")  # noqa: SIM115 - closed below
    env = {**os.environ, **base}
    env.pop("PREFECT_API_URL", None)
    process = subprocess.Popen(
        [
            PREFECT,
            "server",
            "start",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-services",
            "--no-ui",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/api"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                with urllib.request.urlopen(url + "/health", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"Prefect server did not start; see {log.name}")
            time.sleep(0.5)
        yield {**base, "PREFECT_API_URL": url}
    finally:
        process.terminate()  # the server we started, by its pid
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


# --- spec files ------------------------------------------------------------------------


def write_spec(
    path: Path,
    *,
    ctgov: bool = True,
    pubmed: bool = False,
    ctgov_requests_per_second: float = 1000.0,
    pubmed_requests_per_second: float | None = None,
    timeout_seconds: float = 120.0,
    ctgov_queries: dict[str, dict[str, str]] | None = None,
) -> Path:
    """The review query as in review.toml (or `ctgov_queries`: id -> parameters). CT.gov is
    throttled only by the sandbox (no published limit; the floor and dlt are not throttled
    either); PubMed keeps NCBI's 3/s (the spec leaves requests_per_second out) unless told
    otherwise."""
    lines = ["[review]", 'id = "msc_liver"', 'title = "benchmark"', "cutoff = 2022-04-29", ""]
    if ctgov:
        queries = ctgov_queries or {REVIEW_QUERY_ID: {"query.term": REVIEW_TERM}}
        for query_id, params in queries.items():
            lines += ["[[ctgov.queries]]", f'id = "{query_id}"']
            lines += [f'"{key}" = {json.dumps(value)}' for key, value in params.items()]
            lines.append("")
        lines += [
            "[ctgov]",
            f"requests_per_second = {ctgov_requests_per_second}",
            f"timeout_seconds = {timeout_seconds}",
            "",
        ]
    if pubmed:
        lines += [
            "[[pubmed.queries]]",
            f'id = "{REVIEW_QUERY_ID}"',
            f'term = "{PUBMED_TERM}"',
            "",
            "[pubmed]",
            "efetch_batch_size = 500",
            f"timeout_seconds = {timeout_seconds}",
        ]
        if pubmed_requests_per_second:
            lines.append(f"requests_per_second = {pubmed_requests_per_second}")
        lines.append("")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


# --- refresh runs ------------------------------------------------------------------------


@dataclass
class RefreshRun:
    """One refresh: wall time of its process, the flow's own time from the ledger, peak RSS."""

    returncode: int
    wall_s: float  # the `review refresh` process, start to exit (imports included)
    flow_s: float | None  # ledger: started_at -> finished_at (harvest, build, check, publish)
    maxrss_mb: float  # peak RSS of the refresh process (os.wait4 rusage of that child)
    status: str | None
    requests: int | None
    ledger: dict = field(default_factory=dict)
    phases: dict[str, float] = field(default_factory=dict)  # Prefect task -> seconds
    stderr_tail: str = ""
    swap: dict[str, float] = field(default_factory=dict)  # copy_s, copy_mb, publish_s, file_mb

    @property
    def details(self) -> dict:
        raw = self.ledger.get("details")
        return json.loads(raw) if isinstance(raw, str) else (raw or {})

    def check(self) -> RefreshRun:
        if self.returncode != 0 or self.status not in ("ok", "skipped"):
            raise RuntimeError(
                f"refresh failed (exit {self.returncode}, status {self.status}):"
                f"\n{self.stderr_tail}"
            )
        return self


_LOG_LINE = re.compile(r"^(\d\d):(\d\d):(\d\d)\.(\d{3}) \| \w+\s*\| (.*)$")
_TASK_DONE = re.compile(r"Task run '([a-z_]+)-[^']*' - Finished in state")


def task_phases(log_text: str) -> dict[str, float]:
    """Seconds per Prefect task, from the run's INFO log: each task ends with a 'Finished in
    state' line and starts where the previous one ended (or at the flow's first line)."""
    phases: dict[str, float] = {}
    previous = None
    for line in log_text.splitlines():
        match = _LOG_LINE.match(line)
        if not match:
            continue
        h, m, s, ms, message = match.groups()
        t = int(h) * 3600 + int(m) * 60 + int(s) + int(ms) / 1000
        if previous is None:
            previous = t
        done = _TASK_DONE.search(message)
        if done:
            delta = t - previous
            if delta < 0:  # past midnight
                delta += 86400
            phases[done.group(1)] = phases.get(done.group(1), 0.0) + delta
            previous = t
    return phases


_COPIED = re.compile(r"build file: copied the published file \(([\d.]+) MB\) in ([\d.]+) s")
_PUBLISHED = re.compile(r"published \S+ \(([\d.]+) MB\): fsync and os.replace in ([\d.]+) s")


def swap_costs(log_text: str) -> dict[str, float]:
    """What copy-build-swap cost, from warehouse.publish's log lines (logger review.warehouse,
    on the console with refresh_logging_env): the copy of the
    published file into the build file (none on a first run), and the fsync + os.replace that
    publishes it, with the sizes."""
    out: dict[str, float] = {}
    copied = _COPIED.search(log_text)
    if copied:
        out["copy_mb"], out["copy_s"] = float(copied.group(1)), float(copied.group(2))
    published = _PUBLISHED.search(log_text)
    if published:
        out["file_mb"], out["publish_s"] = float(published.group(1)), float(published.group(2))
    return out


def refresh_logging_env(directory: Path) -> dict[str, str]:
    """Prefect's logging configuration with one logger more, review.warehouse at INFO on the
    console (warehouse.publish logs there what the copy and the swap cost), written to
    `directory`; returns the environment that points a refresh at it."""
    import yaml
    from prefect.logging.configuration import DEFAULT_LOGGING_SETTINGS_PATH

    config = yaml.safe_load(Path(DEFAULT_LOGGING_SETTINGS_PATH).read_text(encoding="utf-8"))
    config["loggers"]["review.warehouse"] = {
        "level": "INFO",
        "handlers": ["console"],
        "propagate": False,
    }
    path = directory / "prefect-logging.yml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return {"PREFECT_LOGGING_SETTINGS_PATH": str(path)}


def _seconds_between(start: str | None, end: str | None) -> float | None:
    if not start or not end:
        return None
    return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds()


def last_ledger_row(db: Path) -> dict:
    from warehouse.ledger import Ledger, ledger_path

    runs = Ledger(ledger_path(db)).runs()
    return runs[-1] if runs else {}


def run_refresh(
    *,
    source: str,
    spec: Path,
    db: Path,
    env: dict[str, str],
    full: bool = False,
    log_dir: Path | None = None,
) -> RefreshRun:
    """`review refresh` in a fresh process; its peak RSS comes from os.wait4 on that child
    alone (RUSAGE_CHILDREN would be the maximum over every child this process ever waited for).
    """
    args = [REVIEW, "refresh", "--source", source, "--spec", str(spec), "--db", str(db)]
    if full:
        args.append("--full")
    log_dir = log_dir or db.parent
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"refresh-{datetime.now(UTC):%H%M%S%f}.log"
    before = last_ledger_row(db).get("run_id") if db.exists() else None
    with log_path.open("wb") as log:
        started = time.perf_counter()
        process = subprocess.Popen(
            args,
            env={**os.environ, **refresh_logging_env(log_dir), **env},
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=str(db.parent),
        )
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    text = log_path.read_text("utf-8", "replace")
    row = last_ledger_row(db)
    if row.get("run_id") == before:
        row = {}
    return RefreshRun(
        returncode=process.returncode,
        wall_s=wall,
        flow_s=_seconds_between(row.get("started_at"), row.get("finished_at")),
        maxrss_mb=usage.ru_maxrss / 1024,  # KiB on Linux
        status=row.get("status"),
        requests=row.get("requests"),
        ledger=row,
        phases=task_phases(text),
        stderr_tail="\n".join(text.splitlines()[-25:]),
        swap=swap_costs(text),
    )


@dataclass
class ChildRun:
    result: dict  # the JSON object the child printed last
    wall_s: float
    maxrss_mb: float
    output_tail: str


def run_child(args: list[str], log_path: Path, env: dict[str, str] | None = None) -> ChildRun:
    """A command in a fresh process that prints one JSON object last; its wall time and its
    own peak RSS (os.wait4 on that child)."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log:
        started = time.perf_counter()
        process = subprocess.Popen(
            args,
            env={**os.environ, **(env or {})},
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=str(ROOT),
        )
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
    process.returncode = code = os.waitstatus_to_exitcode(status)
    lines = log_path.read_text("utf-8", "replace").splitlines()
    tail = "\n".join(lines[-25:])
    if code != 0:
        raise RuntimeError(f"{' '.join(args[:4])} failed (exit {code}):\n{tail}")
    return ChildRun(json.loads(lines[-1]), wall, usage.ru_maxrss / 1024, tail)


def refresh_in_process(
    *, source: str, spec: Path, db: Path, env: dict[str, str], full: bool = False
) -> tuple[float, dict]:
    """The flow called in this process (for profiling with cProfile or py-spy): (seconds,
    summary). Needs PREFECT_API_URL in `env` (see prefect_server) or a prefect_test_harness."""
    os.environ.update(env)
    from flows.refresh import refresh

    started = time.perf_counter()
    summary = refresh(source=source, full=full, spec=str(spec), db=str(db))
    return time.perf_counter() - started, summary


# --- results shared between the scripts of one `run_all` (BENCH_RESULTS_DIR) ------------


def save_results(name: str, data: dict) -> None:
    out = os.environ.get("BENCH_RESULTS_DIR")
    if out:
        Path(out).mkdir(parents=True, exist_ok=True)
        (Path(out) / f"{name}.json").write_text(json.dumps(data, indent=1), encoding="utf-8")


def finish(name: str, data: dict, report) -> str:
    """A benchmark's end: its data saved for run_all and (d), its tables printed and returned."""
    save_results(name, data)
    text = report(data)
    print("\n" + text, flush=True)
    return text


def load_results(name: str) -> dict | None:
    out = os.environ.get("BENCH_RESULTS_DIR")
    path = Path(out) / f"{name}.json" if out else None
    if path is None or not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


# --- workspace -------------------------------------------------------------------------


@contextmanager
def workspace(name: str) -> Iterator[Path]:
    """A scratch directory for one benchmark's warehouses, specs and logs (removed after,
    unless BENCH_KEEP=1)."""
    path = Path(tempfile.mkdtemp(prefix=f"bench-{name}-"))
    try:
        yield path
    finally:
        if os.environ.get("BENCH_KEEP") != "1":
            shutil.rmtree(path, ignore_errors=True)


def repeat(count: int, fn: Callable[[int], object], label: str) -> list:
    results = []
    for i in range(count):
        started = time.perf_counter()
        results.append(fn(i))
        print(f"  {label} {i + 1}/{count}: {time.perf_counter() - started:.1f} s", flush=True)
    return results
