"""Shared by the tests: skip where a user's machine lacks something, fail instead in CI."""
from __future__ import annotations

import os

import pytest

REQUIRE_ALL = os.environ.get("LENET_REQUIRE_ALL", "") not in ("", "0")


def skip_or_fail(reason: str) -> None:
    """Skip, or fail when CI requires every test to run (LENET_REQUIRE_ALL=1, set by .ci/run)."""
    if REQUIRE_ALL:
        pytest.fail(f"{reason} (LENET_REQUIRE_ALL=1: CI must run this test)")
    pytest.skip(reason)
