"""The sandbox's HTTP server: both APIs under their real paths, with rate limits and faults.

A bare ASGI app on uvicorn (which Prefect already brings). Bare rather than a framework router
because faults need the raw connection: a reset, a body cut short under a full Content-Length.
The API handlers themselves are plain functions (sandbox/ctgov/api.py, sandbox/eutils/api.py).
"""

from __future__ import annotations

import asyncio
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

import anyio
import uvicorn

from sandbox.ctgov.api import CtgovApi
from sandbox.ctgov.corpus import CtgovCorpus
from sandbox.eutils.api import EutilsApi
from sandbox.eutils.corpus import PubmedCorpus
from sandbox.fault_replies import fault_reply
from sandbox.faults import Fault, FaultPlan
from sandbox.ratelimit import NcbiRateLimits, SlidingWindowLimiter
from sandbox.reply import Params, Reply, param, text_reply

CTGOV_PREFIX = "/api/v2"
EUTILS_PREFIX = "/entrez/eutils"


@dataclass
class RequestRecord:
    """One request as the server saw it (api_key left out), for tests and the console."""

    api: str
    endpoint: str
    method: str
    params: Params
    status: int
    faults: list[str] = field(default_factory=list)


class SandboxApp:
    """ASGI app serving CT.gov under /api/v2 and E-utilities under /entrez/eutils."""

    def __init__(
        self,
        ctgov: CtgovCorpus,
        pubmed: PubmedCorpus,
        faults: FaultPlan | None = None,
        ncbi_limits: NcbiRateLimits | None = None,
        ctgov_limiter: SlidingWindowLimiter | None = None,
    ):
        self.ctgov_api = CtgovApi(ctgov)
        self.eutils_api = EutilsApi(pubmed)
        self.faults = faults or FaultPlan("")
        self.ncbi_limits = ncbi_limits
        self.ctgov_limiter = ctgov_limiter
        self.log: list[RequestRecord] = []
        # Handlers share the corpora and their caches; one at a time keeps them consistent
        # (the work is CPU-bound, so threads would not run it faster anyway).
        self._handler_lock = threading.Lock()

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return
        path = scope["path"]
        params = parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True)
        if scope["method"] == "POST":
            body = await _read_body(receive)
            params += parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
        api, endpoint, subpath = _route(path)
        record = RequestRecord(api, endpoint, scope["method"], _without_key(params), 0)
        self.log.append(record)
        if api == "none":
            await _send(send, text_reply(404, f"Not found: {path}"), record)
            return
        refused, limit_headers = self._rate_limited(api, scope, params)
        if refused:
            await _send(send, refused, record)
            return
        faults = self.faults.pick(api, endpoint)
        record.faults = [f.kind for f in faults]
        reply = await self._answer(send, api, subpath, params, faults, record)
        if reply is not None:
            reply.headers = {**limit_headers, **reply.headers}
            await _send(send, reply, record)

    async def _answer(self, send, api, subpath, params, faults, record) -> Reply | None:
        """The reply to send, or None when a fault already dealt with the connection."""
        kinds = {f.kind: f for f in faults}
        if "reset" in kinds:
            _reset_connection(send)
            record.status = -1
            return None
        if "slow" in kinds:
            await asyncio.sleep(kinds["slow"].arg or 5.0)
        reply = _first_fault_reply(faults, api, record.endpoint, params)
        if reply is None:
            reply = await anyio.to_thread.run_sync(self._handle, api, subpath, params, kinds)
        if "truncate" in kinds and len(reply.body) > 1:
            await _send_truncated(send, reply, record)
            return None
        return reply

    def _handle(self, api: str, subpath: str, params: Params, kinds: dict[str, Fault]) -> Reply:
        """The handler's answer, with the faults only a handler can act out (they need the
        paging state or the history server)."""
        with self._handler_lock:
            if api == "ctgov":
                return self.ctgov_api.handle(
                    subpath,
                    params,
                    trailing_empty_page="empty-page" in kinds,
                    empty_midstream="empty-midstream" in kinds,
                )
            short = kinds.get("short-page")
            return self.eutils_api.handle(
                subpath.lstrip("/"),
                params,
                short_by=int(short.arg or 1) if short else 0,
                expire_webenv="expired-webenv" in kinds,
            )

    def _rate_limited(self, api: str, scope, params: Params) -> tuple[Reply | None, dict]:
        """(the 429 to send, or None; headers for an accepted answer)."""
        client_ip = (scope.get("client") or ("127.0.0.1", 0))[0]
        if api == "eutils" and self.ncbi_limits is not None:
            ok, headers, body = self.ncbi_limits.check(client_ip, param(params, "api_key"))
            return (None if ok else Reply(429, body, "application/json", headers)), headers
        if api == "ctgov" and self.ctgov_limiter is not None:
            ok, _ = self.ctgov_limiter.admit(client_ip)
            if not ok:
                return text_reply(429, "Too Many Requests"), {}
        return None, {}


def _route(path: str) -> tuple[str, str, str]:
    """(api, endpoint, subpath): ('ctgov', 'studies', '/studies/NCT…'), ('eutils', 'esearch', …)."""
    if path == CTGOV_PREFIX or path.startswith(CTGOV_PREFIX + "/"):
        subpath = path[len(CTGOV_PREFIX) :] or "/"
        return "ctgov", subpath.strip("/").split("/")[0] or "root", subpath
    if path.startswith(EUTILS_PREFIX + "/"):
        name = path[len(EUTILS_PREFIX) + 1 :]
        return "eutils", name.removesuffix(".fcgi"), name
    return "none", "", path


def _without_key(params: Params) -> Params:
    return [(k, "***" if k == "api_key" else v) for k, v in params]


def _first_fault_reply(faults: list[Fault], api, endpoint, params) -> Reply | None:
    for fault in faults:
        reply = fault_reply(fault, api, endpoint, params)
        if reply is not None:
            return reply
    return None


async def _read_body(receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


def _headers(reply: Reply, length: int) -> list[tuple[bytes, bytes]]:
    headers = {"content-type": reply.content_type, "content-length": str(length)}
    headers.update({k.lower(): v for k, v in reply.headers.items()})
    return [(k.encode(), v.encode()) for k, v in headers.items()]


async def _send(send, reply: Reply, record: RequestRecord) -> None:
    record.status = reply.status
    start = {"type": "http.response.start", "status": reply.status}
    await send({**start, "headers": _headers(reply, len(reply.body))})
    await send({"type": "http.response.body", "body": reply.body})


async def _send_truncated(send, reply: Reply, record: RequestRecord) -> None:
    """Declare the full length, send half, and return: uvicorn then closes the connection."""
    record.status = reply.status
    start = {"type": "http.response.start", "status": reply.status}
    await send({**start, "headers": _headers(reply, len(reply.body))})
    half = reply.body[: len(reply.body) // 2]
    await send({"type": "http.response.body", "body": half, "more_body": True})


def _reset_connection(send) -> None:
    """Abort the TCP connection with RST. ASGI has no word for this, so reach the transport."""
    transport = getattr(getattr(send, "__self__", None), "transport", None)
    if transport is None:
        raise RuntimeError("connection reset fault needs uvicorn's h11 protocol")
    sock = transport.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()


class SandboxServer:
    """Both corpora, the app and a uvicorn server on a loopback socket.

    `start()` runs it in a background thread (tests, `review demo`); `serve_forever()` in the
    foreground (`review sandbox`). Port 0 picks a free port; `url` tells which.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        seed: int = 20220429,
        extra_studies: int = 0,
        faults: str = "",
        ncbi_rate_limit: bool = True,
        ctgov_requests_per_second: int | None = None,
    ):
        self.ctgov_corpus = CtgovCorpus.build(seed=seed, extra_studies=extra_studies)
        self.pubmed_corpus = PubmedCorpus.build(seed=seed)
        self.app = SandboxApp(
            self.ctgov_corpus,
            self.pubmed_corpus,
            faults=FaultPlan(faults, seed=seed),
            ncbi_limits=NcbiRateLimits() if ncbi_rate_limit else None,
            ctgov_limiter=(
                SlidingWindowLimiter(ctgov_requests_per_second)
                if ctgov_requests_per_second
                else None
            ),
        )
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind((host, port))
        # listen now: a client that connects before uvicorn starts waits in the backlog
        self._socket.listen(128)
        self.host, self.port = self._socket.getsockname()[:2]
        config = uvicorn.Config(
            self.app, log_level="critical", access_log=False, lifespan="off", http="h11"
        )
        self._server = uvicorn.Server(config)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def ctgov_base_url(self) -> str:
        return self.url + CTGOV_PREFIX

    @property
    def eutils_base_url(self) -> str:
        return self.url + EUTILS_PREFIX

    @property
    def log(self) -> list[RequestRecord]:
        return self.app.log

    def set_faults(self, spec: str, seed: int = 0) -> None:
        self.app.faults = FaultPlan(spec, seed=seed)

    def serve_forever(self) -> None:
        self._server.run(sockets=[self._socket])

    def start(self, timeout: float = 15.0) -> SandboxServer:
        self._thread = threading.Thread(target=self.serve_forever, name="sandbox", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"sandbox did not start on {self.url}")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._socket.close()

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
