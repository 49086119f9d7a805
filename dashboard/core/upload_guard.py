"""A bound on what uploads hold in the server's memory (issue 22).

Streamlit keeps every file PUT to /_stcore/upload_file/<session>/<file id> in memory until the session ends,
whether or not a widget holds it, under any file id the client makes up: one student once parked 40 files of
9.5 MB (+380 MB) through one session. Installed once per server process (dashboard/app.py), this wraps the
upload manager's add_file: a session keeps at most SESSION_FILES files and SESSION_BYTES bytes, the server at
most SERVER_BYTES; past a bound the oldest files go first (the file a widget holds is the newest its session
sent: each uploader here takes one file, and the browser deletes the file it replaces). Each file dropped is
logged (session, size; never its name or content).
"""
from __future__ import annotations

import logging
import threading

SESSION_FILES = 4  # the app's uploaders take one file each (the explorer's image, the d2l import)
SESSION_BYTES = 50 * 2**20
SERVER_BYTES = 400 * 2**20

_LOG = logging.getLogger("lenet.uploads")
_LOCK = threading.Lock()


def _held(storage: dict) -> int:
    return sum(len(f.data) for f in storage.values())


def bound(manager, session_id: str) -> list[tuple[str, str, int]]:
    """Drop the oldest files past the bounds (the session's, then the server's); (session, file id, bytes) of
    each dropped. `manager` is Streamlit's MemoryUploadedFileManager (its file_storage: session -> id -> file,
    in the order they came)."""
    dropped = []
    storage = manager.file_storage.get(session_id, {})
    while len(storage) > 1 and (len(storage) > SESSION_FILES or _held(storage) > SESSION_BYTES):
        file_id, file = next(iter(storage.items()))
        dropped.append((session_id, file_id, len(file.data)))
        manager.remove_file(session_id, file_id)
    total = sum(_held(s) for s in manager.file_storage.values())
    while total > SERVER_BYTES:  # many sessions at once: the largest holder gives up its oldest file
        owner = max(manager.file_storage, key=lambda s: _held(manager.file_storage[s]))
        file_id, file = next(iter(manager.file_storage[owner].items()))
        dropped.append((owner, file_id, len(file.data)))
        manager.remove_file(owner, file_id)
        total -= len(file.data)
    return dropped


def install() -> bool:
    """Wrap this server's upload manager once; False where there is none to wrap (AppTest, another manager)."""
    from streamlit.runtime import Runtime

    if not Runtime.exists():
        return False
    manager = Runtime.instance().uploaded_file_mgr
    if getattr(manager, "_lenet_bounded", False) or not hasattr(manager, "file_storage"):
        return getattr(manager, "_lenet_bounded", False)
    add_file = manager.add_file

    def bounded_add_file(session_id, file):
        with _LOCK:
            add_file(session_id, file)
            for owner, _, size in bound(manager, session_id):
                _LOG.warning("upload dropped: session %s held more than its bound (%d bytes released)",
                             owner[:8], size)

    manager.add_file = bounded_add_file
    manager._lenet_bounded = True
    return True
