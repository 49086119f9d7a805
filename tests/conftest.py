"""Shared fixtures. Tests that need the full data set or Chromium skip with a reason on a user's machine
that lacks them; with LENET_REQUIRE_ALL=1 (set by .ci/run) those skips become failures."""
from __future__ import annotations

import pytest

from lenet.data import dataset_available
from tests.testsupport import skip_or_fail


@pytest.fixture(scope="session")
def need_dataset() -> None:
    if not dataset_available():
        skip_or_fail("the full Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)")


@pytest.fixture(scope="session")
def train_data(need_dataset):
    from lenet.data import Data

    return Data.load("cpu")
