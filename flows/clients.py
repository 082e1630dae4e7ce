"""The one place API clients are made: from the settings, whose base URLs say which API
(the real one, the sandbox, a test's server), so every caller takes the same code path.

NCBI's rate limit is per API key (per IP without one), not per process. Under a Prefect server
(PREFECT_API_URL), every E-utilities request therefore also takes a slot of a Prefect global
concurrency limit used as a rate limit, shared by every process that uses the same key against
the same host, on any machine (DESIGN.md, "Runtime decisions"). Without a server the in-process
limiter (extract/http.py) is the only one, as before; it stays in force under a server too.
"""

from __future__ import annotations

import hashlib
import threading
import time
from contextlib import suppress
from dataclasses import dataclass
from urllib.parse import urlsplit

from extract.ctgov import CtgovClient
from extract.eutils import (
    DEFAULT_BASE_URL as EUTILS_DEFAULT_BASE_URL,
)
from extract.eutils import (
    RATE_WITH_KEY,
    RATE_WITHOUT_KEY,
    EutilsClient,
    ncbi_rate,
)
from flows.settings import Settings

# One slot, refilled at the key's rate (less the margin): at most one request per 1/rate
# seconds across all processes, so no one-second window ever holds more than NCBI allows.
# (A limit of 3 slots decaying at 3/s would let a burst of 3 be followed by 3 more within the
# same second: a token bucket is not a sliding window.)
SHARED_LIMIT_SLOTS = 1
# This process asks the server for a slot only once its own last slot has surely decayed
# (1/rate after the grant, plus this share): an early ask is refused, and a refusal restarts
# the server's decay clock, which slows every process sharing the limit.
SHARED_ASK_MARGIN = 0.03
# a Prefect server that grants nothing for this long fails the request (and so the run)
SHARED_WAIT_TIMEOUT = 600.0


@dataclass(frozen=True)
class SharedRate:
    """A global concurrency limit used as a rate limit: its name and its slot decay per second."""

    name: str
    per_second: float


def shared_ncbi_rate(settings: Settings) -> SharedRate | None:
    """The limit this review's E-utilities requests share with every process using the same key
    against the same host, or None when the spec asks for more than NCBI allows a key (it is
    then not talking to NCBI: a sandbox or a test server without NCBI's limit).

    Named for the key without revealing it (a short hash), and for the host unless it is
    NCBI's: `ncbi-eutils-no-key`, `ncbi-eutils-key-1a2b3c4d`, `eutils-127.0.0.1:8765-no-key`.
    Its rate is the key's (3/s, 10/s with a key) less the client's margin; a review's own
    lower `pubmed.requests_per_second` stays in force in its process."""
    key = settings.ncbi_api_key
    ceiling = RATE_WITH_KEY if key else RATE_WITHOUT_KEY
    own = settings.pubmed_requests_per_second
    if own is not None and own > ceiling:
        return None
    who = f"key-{hashlib.sha256(key.encode()).hexdigest()[:8]}" if key else "no-key"
    url = urlsplit(settings.eutils_base_url)
    host = f"{url.hostname}:{url.port}" if url.port else str(url.hostname)  # no user:password
    if url.hostname == urlsplit(EUTILS_DEFAULT_BASE_URL).hostname:
        return SharedRate(f"ncbi-eutils-{who}", ncbi_rate(key))
    return SharedRate(f"eutils-{host}-{who}", ncbi_rate(key))


def prefect_server_configured() -> bool:
    """A Prefect server (not the temporary one each process starts without it) is configured:
    PREFECT_API_URL, from the environment or the active profile."""
    from prefect.settings import PREFECT_API_URL

    return bool(PREFECT_API_URL.value())


def ensure_shared_rate(rate: SharedRate) -> tuple[int, float]:
    """Create the global concurrency limit if it is missing (one slot, decaying at the rate);
    an existing one is left as it is (an operator may have tuned it). Returns its slots and
    decay per second as the server holds them."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate
    from prefect.exceptions import ObjectAlreadyExists, ObjectNotFound

    with get_client(sync_client=True) as client:
        try:
            limit = client.read_global_concurrency_limit_by_name(rate.name)
        except ObjectNotFound:
            with suppress(ObjectAlreadyExists):  # another process made it first
                client.create_global_concurrency_limit(GlobalConcurrencyLimitCreate(
                    name=rate.name, limit=SHARED_LIMIT_SLOTS,
                    slot_decay_per_second=rate.per_second))
            limit = client.read_global_concurrency_limit_by_name(rate.name)
    return limit.limit, limit.slot_decay_per_second or rate.per_second


class PrefectRateLimit:
    """The `throttle` of an EutilsClient under a Prefect server: blocks until the shared
    limit grants a slot (`prefect.concurrency.sync.rate_limit`). Thread-safe; one per client."""

    def __init__(self, rate: SharedRate, timeout_seconds: float = SHARED_WAIT_TIMEOUT):
        self.rate = rate
        self.timeout_seconds = timeout_seconds
        self._interval: float | None = None  # known once the limit has been read
        self._last_grant = float("-inf")
        self._lock = threading.Lock()

    def __call__(self) -> None:
        from prefect.concurrency.sync import rate_limit

        with self._lock:
            if self._interval is None:
                _, per_second = ensure_shared_rate(self.rate)
                self._interval = (1.0 / per_second) * (1 + SHARED_ASK_MARGIN)
            delay = self._last_grant + self._interval - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            rate_limit(self.rate.name, timeout_seconds=self.timeout_seconds, strict=True)
            self._last_grant = time.monotonic()


def ctgov_client(settings: Settings) -> CtgovClient:
    return CtgovClient(
        settings.ctgov_base_url,
        requests_per_second=settings.ctgov_requests_per_second,
        timeout=(5.0, settings.ctgov_timeout_seconds),
    )


def eutils_client(settings: Settings) -> EutilsClient:
    rate = shared_ncbi_rate(settings)
    return EutilsClient(
        settings.eutils_base_url,
        api_key=settings.ncbi_api_key,
        email=settings.ncbi_email,
        tool=settings.pubmed_tool,
        requests_per_second=settings.pubmed_requests_per_second,
        timeout=(5.0, settings.pubmed_timeout_seconds),
        throttle=PrefectRateLimit(rate) if rate and prefect_server_configured() else None,
    )
