"""Slowing down guesses of the lecturer key (issue 22): per browser session and per server.

A session's first FREE_MISSES wrong keys are answered at once; after them each try must wait longer than the
one before (1 s, 2 s, 4 s … at most MAX_WAIT_S): a try that comes too early is not checked at all. Across the
server (every process sharing the models folder: <models>/.training/key-attempts, flock()ed), once FREE_MISSES
wrong keys were typed within WINDOW_S, one try a second is checked at most, whichever session sends it, so that
opening more sessions gains nothing. Refused keys are logged with the session and the count, never the text.
"""
from __future__ import annotations

import fcntl
import json
import logging
import math
import threading
import time
from pathlib import Path

from lenet.i18n import _, ngettext

FREE_MISSES = 5
MAX_WAIT_S = 60.0
WINDOW_S = 600.0  # server-wide misses older than this are forgotten
SERVER_GAP_S = 1.0  # the server checks at most one try a second once it has seen FREE_MISSES misses

LOG = logging.getLogger("lenet.key")


def session_wait(misses: int, last_miss: float, now: float) -> float:
    """Seconds this session must still wait before its next try is checked (0: now)."""
    if misses < FREE_MISSES:
        return 0.0
    gap = min(MAX_WAIT_S, 2.0 ** (misses - FREE_MISSES))
    return max(0.0, last_miss + gap - now)


class ServerGuard:
    """The server-wide record of tries and misses: a small file shared by the processes of one models folder
    (each read-modify-write under flock); in this process alone where that file cannot be written."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._memory = {"misses": [], "last_try": 0.0}

    def _update(self, change) -> object:
        with self._lock:
            if self.path is not None:
                try:
                    self.path.parent.mkdir(parents=True, exist_ok=True)
                    with open(self.path, "a+", encoding="utf-8") as f:
                        fcntl.flock(f, fcntl.LOCK_EX)
                        f.seek(0)
                        try:
                            record = json.loads(f.read() or "{}")
                            record = {"misses": [float(t) for t in record.get("misses", [])][-100:],
                                      "last_try": float(record.get("last_try", 0.0))}
                        except (ValueError, TypeError, AttributeError):  # garbled: start afresh
                            record = {"misses": [], "last_try": 0.0}
                        result = change(record)
                        f.seek(0)
                        f.truncate()
                        f.write(json.dumps(record))
                        return result
                except OSError:
                    pass  # read-only or full: this process's own record
            return change(self._memory)

    def admit(self, now: float) -> float:
        """0 and the try recorded if it may be checked now; else the seconds to wait (nothing recorded)."""
        def change(record):
            record["misses"] = [t for t in record["misses"] if now - t < WINDOW_S]
            if len(record["misses"]) >= FREE_MISSES and now - record["last_try"] < SERVER_GAP_S:
                return record["last_try"] + SERVER_GAP_S - now
            record["last_try"] = now
            return 0.0
        return self._update(change)

    def missed(self, now: float) -> None:
        self._update(lambda record: record["misses"].append(now))


_GUARDS: dict[str, ServerGuard] = {}


def server_guard() -> ServerGuard:
    """The guard of this server's models folder (one object per folder and process)."""
    from lenet.user_models import models_dir

    try:
        path: Path | None = models_dir() / ".training" / "key-attempts"
    except ValueError:
        path = None
    return _GUARDS.setdefault(str(path), ServerGuard(path))


def check(state, typed: str, key: str, session: str, now: float | None = None) -> tuple[bool, str | None]:
    """(True, None) if typed is the key; else (False, what the page says). `state` is the session's state
    (misses counted in it); the key is compared in constant time, and only when the session and the server
    allow a try now."""
    import hmac

    now = time.time() if now is None else now
    misses, last = state.get("_key_misses", 0), state.get("_key_last_miss", 0.0)
    wait = session_wait(misses, last, now)
    if wait > 0:
        return False, _("Too many wrong keys from this browser: wait {s} s before the next try (wrong keys are "
                        "slowed down and logged).").format(s=math.ceil(wait))
    wait = server_guard().admit(now)
    if wait > 0:
        return False, _("Too many wrong keys on this server: one try a second is checked; try again in a moment "
                        "(wrong keys are slowed down and logged).")
    if hmac.compare_digest(typed.encode(), key.encode()):
        state["_key_misses"] = 0
        return True, None
    misses += 1
    state["_key_misses"], state["_key_last_miss"] = misses, now
    server_guard().missed(now)
    LOG.warning("lecturer key refused: session %s, wrong key %d from it", session[:8], misses)
    left = FREE_MISSES - misses
    if left > 0:
        return False, ngettext("That is not the lecturer key ({n} more try before each one waits longer; wrong keys "
                               "are logged).", "That is not the lecturer key ({n} more tries before each one waits "
                               "longer; wrong keys are logged).", left).format(n=left)
    return False, _("That is not the lecturer key. Wait {s} s before the next try (wrong keys are slowed down and "
                    "logged).").format(s=math.ceil(session_wait(misses, now, now)))
