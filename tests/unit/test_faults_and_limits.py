"""The sandbox's rate limiter and the client's limiter, on a fake clock."""

from __future__ import annotations

import pytest

from extract.http import RateLimiter, _wait_for
from sandbox.ratelimit import SlidingWindowLimiter


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_sliding_window_refuses_the_fourth_and_forgets_after_a_second():
    clock = Clock()
    limiter = SlidingWindowLimiter(3, clock=clock)
    assert [limiter.admit("a")[0] for _ in range(4)] == [True, True, True, False]
    assert limiter.admit("b")[0], "clients are counted apart"
    clock.now += 1.0
    assert limiter.admit("a")[0]


def test_client_rate_limiter_spaces_calls(monkeypatch):
    clock = Clock()
    slept = []
    monkeypatch.setattr("extract.http.time.sleep", lambda s: slept.append(s))
    limiter = RateLimiter(3.0, clock=clock)
    for _ in range(4):
        limiter.wait()
    assert slept == pytest.approx([1 / 3, 2 / 3, 1.0])


def test_retry_after_is_honoured_over_backoff():
    from tenacity import RetryCallState

    from extract.http import TransientError

    class Outcome:
        def exception(self):
            return TransientError("429", retry_after=7)

    state = RetryCallState(None, None, (), {})
    state.outcome = Outcome()
    assert _wait_for(state) == 7


def failed_with(exc):
    from tenacity import RetryCallState

    class Outcome:
        def exception(self):
            return exc

    state = RetryCallState(None, None, (), {})
    state.outcome = Outcome()
    return state


def test_a_throttle_waits_long_and_doubles(monkeypatch):
    import extract.http
    from extract.http import Throttled

    monkeypatch.setattr(extract.http, "THROTTLE_BACKOFF", 30.0)
    state = failed_with(Throttled("HTTP 403"))
    first, second = _wait_for(state, 1), _wait_for(state, 2)
    assert 30.0 <= first <= 45.0 and 60.0 <= second <= 75.0
    assert _wait_for(failed_with(Throttled("HTTP 403", retry_after=9)), 2) == 9, "Retry-After"


class Answer:
    def __init__(self, status: int):
        self.status_code, self.text, self.headers = status, "no", {}


@pytest.mark.parametrize(
    ("status", "throttles", "kind"),
    [(403, {403}, "Throttled"), (403, set(), "ApiError"), (400, {403}, "ApiError"),
     (404, {403}, "ApiError"), (429, set(), "TransientError"), (503, {403}, "TransientError")],
)  # fmt: skip
def test_status_errors_by_kind(status, throttles, kind):
    from extract.http import status_error

    error = status_error(Answer(status), "http://x", throttle_statuses=frozenset(throttles))
    assert type(error).__name__ == kind
