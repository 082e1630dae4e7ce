"""Client tests retry for real, without the real waits."""

import pytest


@pytest.fixture(autouse=True)
def _fast_retries(fast_retries):
    return fast_retries
