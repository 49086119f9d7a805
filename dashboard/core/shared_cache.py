"""The shared caches: a small LRU per function for what every input change asks for (dashboard/core/cache.py)."""
from __future__ import annotations

import functools
import threading
from collections import OrderedDict

from lenet.i18n import language

_SHARED: list = []  # every shared() cache, for clear()


def shared(max_entries: int, by_language: bool = False):
    """Like st.cache_resource for the calls made on every input change, at a fraction of its cost per call:
    keyed by the arguments themselves (plain strings, bytes, numbers, frozen dataclasses: hashed by Python in
    microseconds, where Streamlit's hashing took ~0.2 ms for an overview's key), least recently used dropped
    first, one computation per key at a time (a class asking for the same new image computes it once).
    by_language: the value holds text, so the language of the calling session is part of the key."""
    def wrap(fn):
        values: OrderedDict = OrderedDict()
        guard, computing = threading.Lock(), {}

        @functools.wraps(fn)
        def cached(*args):
            key = (*args, language()) if by_language else args
            with guard:
                if key in values:
                    values.move_to_end(key)
                    return values[key]
                lock = computing.setdefault(key, threading.Lock())
            with lock:
                with guard:
                    if key in values:
                        return values[key]
                try:
                    value = fn(*args)
                    with guard:
                        values[key] = value
                        while len(values) > max_entries:
                            values.popitem(last=False)
                finally:
                    with guard:
                        computing.pop(key, None)
                return value

        cached.clear = values.clear
        cached.holds = lambda *args: ((*args, language()) if by_language else args) in values  # (no computing)
        _SHARED.append(cached)
        return cached
    return wrap


def clear_shared() -> None:
    """Empty every shared() cache."""
    for cached in _SHARED:
        cached.clear()
