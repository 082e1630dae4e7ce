"""HTTP plumbing shared by both clients: a session, a per-host rate limiter, retries, counters.

The clients (extract/ctgov.py, extract/eutils.py) say what a good answer is; this module says how
to ask: timeouts on every call, tenacity retries on transient failures only, Retry-After honoured,
and secrets (NCBI's api_key) kept out of every URL, log line and exception it produces.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlencode

import requests
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential_jitter,
)

log = logging.getLogger("review.http")

SECRET_PARAMS = frozenset({"api_key"})
DEFAULT_TIMEOUT = (5.0, 60.0)  # (connect, read) seconds
MAX_RETRY_AFTER = 120.0  # a server asking for longer is waited for this long, then retried
# A firewall that throttles (CT.gov's answers 403, as issue 11 reports; neither the OpenAPI spec
# nor shared/reference records it) is not a one-second hiccup: wait long, try few times.
THROTTLE_BACKOFF = 30.0  # seconds before the first retry; doubled for each one after
THROTTLE_TRIES = 3  # throttled answers to one call before giving up


class ApiError(Exception):
    """An answer that retrying will not fix (400, 404, an unknown field, a malformed query)."""


class TransientError(Exception):
    """An answer worth another try (429, 5xx, reset, timeout, truncated or unparsable body)."""

    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class Throttled(TransientError):
    """A firewall's throttle: retried, but only THROTTLE_TRIES times and after long waits."""


class RateLimiter:
    """Spaces calls to one host at least 1/rate seconds apart, across threads of this process."""

    def __init__(self, per_second: float, clock: Callable[[], float] = time.monotonic):
        self.interval = 1.0 / per_second if per_second > 0 else 0.0
        self._clock = clock
        self._next = 0.0
        self._lock = threading.Lock()

    def wait(self) -> None:
        with self._lock:
            now = self._clock()
            delay = self._next - now
            self._next = max(now, self._next) + self.interval
        if delay > 0:
            time.sleep(delay)


@dataclass
class CallStats:
    """What a client did, for the run ledger: requests sent and how many were retries."""

    requests: int = 0
    retries: int = 0
    by_endpoint: dict[str, int] = field(default_factory=dict)

    def count(self, endpoint: str) -> None:
        self.requests += 1
        self.by_endpoint[endpoint] = self.by_endpoint.get(endpoint, 0) + 1


@dataclass
class RawResponse:
    """An answer as received: the bytes, and where and when they came from (secrets removed)."""

    url: str
    status: int
    content_type: str
    body: bytes
    fetched_at: datetime


def redacted_url(url: str, params: dict | list | None) -> str:
    """The URL with its parameters, secret values replaced, for logs and the landing tables."""
    items = params.items() if isinstance(params, dict) else (params or [])
    shown = [(k, "***" if k in SECRET_PARAMS else v) for k, v in items]
    return f"{url}?{urlencode(shown)}" if shown else url


def _wait_for(retry_state: RetryCallState, throttled: int = 1) -> float:
    """Retry-After when the server gave one (capped); a throttle's long wait, doubling with each
    of the call's `throttled` answers; else exponential backoff with jitter."""
    exc = retry_state.outcome.exception() if retry_state.outcome else None
    if isinstance(exc, TransientError) and exc.retry_after is not None:
        return min(exc.retry_after, MAX_RETRY_AFTER)
    if isinstance(exc, Throttled):
        base = THROTTLE_BACKOFF * 2 ** max(throttled - 1, 0)
        return base + random.uniform(0, THROTTLE_BACKOFF / 2)  # jitter: workers spread out
    return _backoff(retry_state)


class _ThrottleCount:
    """One call's throttled answers, for its wait (which doubles) and its stop (at the cap)."""

    def __init__(self) -> None:
        self.attempts: set[int] = set()  # attempt numbers: tenacity may ask twice per attempt

    def note(self, retry_state: RetryCallState) -> int:
        if retry_state.outcome and isinstance(retry_state.outcome.exception(), Throttled):
            self.attempts.add(retry_state.attempt_number)
        return len(self.attempts)

    def stop(self, retry_state: RetryCallState) -> bool:
        return self.note(retry_state) >= THROTTLE_TRIES

    def wait(self, retry_state: RetryCallState) -> float:
        return _wait_for(retry_state, self.note(retry_state))


_backoff = wait_exponential_jitter(multiplier=0.5, max=30.0, jitter=0.5)


class HttpClient:
    """A requests.Session with timeouts, a rate limiter and tenacity retries around each call
    (and, optionally, a `throttle` shared with other processes)."""

    def __init__(
        self,
        base_url: str,
        *,
        requests_per_second: float,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        max_attempts: int = 6,
        session: requests.Session | None = None,
        user_agent: str = "review-stats/0.1",
        throttle: Callable[[], None] | None = None,
    ):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.max_attempts = max_attempts
        self.limiter = RateLimiter(requests_per_second)
        # a limit shared beyond this process (NCBI's is per key, not per process): called
        # after the limiter's wait, before every request, retries included; it blocks until
        # the request may go. The caller supplies it (flows/clients.py); extract/ knows none.
        self.throttle = throttle
        self.session = session or requests.Session()
        self.session.headers["User-Agent"] = user_agent
        self.stats = CallStats()
        self.secrets: list[str] = []  # values never to show (an api_key); see scrub()

    def scrub(self, text: str) -> str:
        for secret in self.secrets:
            if secret:
                text = text.replace(secret, "***")
        return text

    def call(
        self,
        path: str,
        params: dict | list,
        check: Callable[[requests.Response], None],
        *,
        method: str = "GET",
    ) -> RawResponse:
        """Send with retries; `check` raises TransientError/ApiError on a bad answer."""
        url = f"{self.base_url}/{path.lstrip('/')}"
        shown = redacted_url(url, params)
        throttles = _ThrottleCount()
        retrying = Retrying(
            retry=retry_if_exception_type(TransientError),
            wait=throttles.wait,
            stop=stop_after_attempt(self.max_attempts) | throttles.stop,
            reraise=True,
            before_sleep=lambda state: self._note_retry(shown, state),
        )
        return retrying(self._send_once, method, url, shown, params, check)

    def _send_once(self, method, url, shown, params, check) -> RawResponse:
        self.limiter.wait()
        if self.throttle is not None:
            self.throttle()
        self.stats.count(url.rsplit("/", 1)[-1])
        try:
            if method == "POST":
                response = self.session.post(url, data=params, timeout=self.timeout)
            else:
                response = self.session.get(url, params=params, timeout=self.timeout)
            body = response.content  # reads the whole body: a short one raises here
        except requests.Timeout:
            raise TransientError(f"timed out: {shown}") from None
        except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
            # `from None`: the original exception's text repeats the URL with its secrets
            raise TransientError(f"connection failed ({type(exc).__name__}): {shown}") from None
        try:
            check(response)
        except (TransientError, ApiError) as exc:
            # Bodies can echo the key back (NCBI's 429 does); no message may carry it on.
            exc.args = (self.scrub(str(exc)),)
            raise
        return RawResponse(
            url=shown,
            status=response.status_code,
            content_type=response.headers.get("content-type", ""),
            body=body,
            fetched_at=datetime.now(UTC),
        )

    def _note_retry(self, shown: str, state: RetryCallState) -> None:
        self.stats.retries += 1
        exc = state.outcome.exception() if state.outcome else None
        log.warning("retry %d after %s: %s", state.attempt_number, exc, shown)


def retry_after_seconds(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        return None  # an HTTP date; rare enough to fall back on backoff


def status_error(
    response: requests.Response, shown_url: str, *, throttle_statuses: frozenset[int] = frozenset()
) -> Exception:
    """The exception for a non-200 status: transient for 429/5xx, Throttled for the statuses a
    client names as its API's throttle (CT.gov: 403), permanent otherwise (400, 404, ...)."""
    snippet = response.text[:200].strip().replace("\n", " ")
    message = f"HTTP {response.status_code} from {shown_url}: {snippet}"
    if response.status_code in throttle_statuses:
        return Throttled(message, retry_after_seconds(response))
    if response.status_code == 429 or response.status_code >= 500:
        return TransientError(message, retry_after_seconds(response))
    return ApiError(message)
