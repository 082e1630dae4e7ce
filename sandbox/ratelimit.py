"""Server-side rate limits, as the real services enforce them.

E-utilities: 3 requests per second per client without an `api_key`, 10 with one; over the limit
the answer is HTTP 429 with a small JSON body. ClinicalTrials.gov publishes no limit and sends no
rate-limit headers; the sandbox leaves it unlimited unless told otherwise.
"""

from __future__ import annotations

import json
import threading
import time
from collections import defaultdict, deque


class SlidingWindowLimiter:
    """At most `limit` accepted requests per client in any `window` seconds.

    Rejected requests are not counted, so a client that backs off recovers within a window.
    """

    def __init__(self, limit: int, window: float = 1.0, clock=time.monotonic):
        self.limit = limit
        self.window = window
        self._clock = clock
        self._seen: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def admit(self, client: str) -> tuple[bool, int]:
        """(accepted?, requests counted in the current window including this one)."""
        now = self._clock()
        with self._lock:
            stamps = self._seen[client]
            while stamps and now - stamps[0] >= self.window:
                stamps.popleft()
            if len(stamps) >= self.limit:
                return False, len(stamps) + 1
            stamps.append(now)
            return True, len(stamps)


class NcbiRateLimits:
    """One window per client IP without a key, one per key with it (as NCBI counts)."""

    def __init__(self, without_key: int = 3, with_key: int = 10):
        self.without_key = SlidingWindowLimiter(without_key)
        self.with_key = SlidingWindowLimiter(with_key)

    def check(self, client_ip: str, api_key: str | None) -> tuple[bool, dict[str, str], bytes]:
        """(accepted?, headers to send, body to send when refused)."""
        limiter = self.with_key if api_key else self.without_key
        who = f"key:{api_key}" if api_key else f"ip:{client_ip}"
        ok, count = limiter.admit(who)
        headers = {
            "X-RateLimit-Limit": str(limiter.limit),
            "X-RateLimit-Remaining": str(max(limiter.limit - count, 0)),
        }
        if ok:
            return True, headers, b""
        # The real body names the key, or the client's IP when there is none; counts are strings.
        body = {
            "error": "API rate limit exceeded",
            "api-key": api_key or client_ip,
            "count": str(count),
            "limit": str(limiter.limit),
        }
        return False, headers, json.dumps(body).encode()
