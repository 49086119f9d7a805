"""The shared caches (dashboard.core.shared_cache.shared, used by dashboard.core.cache): what is kept, what is dropped, one computation per key."""
from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from dashboard.core import cache
from dashboard.core.choice import ModelChoice
from dashboard.figures.overview import DEFAULT_SCREEN
from dashboard.parts.overview import Look


def _counted(max_entries: int, pause: float = 0.0):
    calls: list[tuple] = []

    @cache.shared(max_entries)
    def square(x, tag=""):
        calls.append((x, tag))
        time.sleep(pause)
        return x * x

    return square, calls


def test_a_value_is_computed_once_and_the_least_recently_used_is_dropped_first():
    square, calls = _counted(2)
    assert [square(2), square(3), square(2)] == [4, 9, 4]
    assert calls == [(2, ""), (3, "")]
    square(4)  # over the limit: 3 was used least recently (2 was asked again after it)
    square(2)
    square(3)
    assert calls == [(2, ""), (3, ""), (4, ""), (3, "")]


def test_every_argument_is_part_of_the_key():
    square, calls = _counted(8)
    square(2, "a")
    square(2, "b")
    square(2, "a")
    assert calls == [(2, "a"), (2, "b")]


def test_sessions_asking_for_the_same_new_value_at_once_compute_it_once():
    square, calls = _counted(8, pause=0.2)
    results: list[int] = []
    threads = [threading.Thread(target=lambda: results.append(square(7))) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [49] * 6
    assert calls == [(7, "")]


def test_a_failure_is_not_kept():
    attempts = []

    @cache.shared(4)
    def flaky(x):
        attempts.append(x)
        if len(attempts) == 1:
            raise OSError("file busy")
        return x

    with pytest.raises(OSError):
        flaky(1)
    assert flaky(1) == 1
    assert attempts == [1, 1]


def test_clear_empties_the_shared_caches_too():
    square, calls = _counted(4)
    square(5)
    cache.clear()
    square(5)
    assert calls == [(5, ""), (5, "")]


def test_the_shared_stage_outputs_are_read_only(fresh_caches):
    key = ModelChoice("relu-max", "relu", "max").key
    image = (cache.gallery()[0].images[0].astype(np.float32) / 255).tobytes()
    acts = cache.acts_for(key, image)
    with pytest.raises(ValueError):
        acts["conv1"][0, 0, 0] = 1.0
    assert cache.acts_for(key, image) is acts  # the same objects for every session, not copies
    fig = cache.overview(key, image, 0, DEFAULT_SCREEN, Look())
    assert cache.overview(key, image, 0, DEFAULT_SCREEN, Look()) is fig
    assert cache.overview(key, image, 0, DEFAULT_SCREEN, Look(mode="network")) is not fig
