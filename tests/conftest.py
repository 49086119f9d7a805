"""Shared fixtures. Tests that need the full data set or Chromium skip with a reason on a user's machine
that lacks them; with LENET_REQUIRE_ALL=1 (set by .ci/run) those skips become failures."""
from __future__ import annotations

import pytest

from lenet.data import dataset_available
from tests.files import TinyDisk
from tests.testsupport import skip_or_fail


@pytest.fixture(scope="session")
def need_dataset() -> None:
    if not dataset_available():
        skip_or_fail("the full Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)")


@pytest.fixture(scope="session")
def train_data(need_dataset):
    from lenet.data import Data

    return Data.load("cpu")


@pytest.fixture
def tiny_disk(tmp_path, monkeypatch):
    """A models folder that fills up at 300 KB (tests/files.py's TinyDisk)."""
    folder = tmp_path / "models"
    folder.mkdir()
    disk = TinyDisk(folder, monkeypatch)
    print("a real 300-KB tmpfs" if disk.real else "no mount allowed here: ENOSPC/EROFS simulated in the save")
    yield disk
    disk.close()
