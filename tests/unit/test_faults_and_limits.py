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
