"""What uploads may hold in the server's memory (dashboard/core/upload_guard.py), on Streamlit's own upload manager."""
from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
from streamlit.runtime.uploaded_file_manager import UploadedFileRec

from dashboard.core import upload_guard

MB = 2**20


def _add(manager, session: str, file_id: str, size: int) -> list:
    manager.add_file(session, UploadedFileRec(file_id, f"{file_id}.bin", "application/octet-stream", bytes(size)))
    return upload_guard.bound(manager, session)


def test_a_session_keeps_its_newest_files_within_its_bounds():
    manager = MemoryUploadedFileManager("/_stcore/upload_file")
    assert _add(manager, "s1", "photo", 1000) == []
    dropped = [d for k in range(40) for d in _add(manager, "s1", f"parked-{k}", int(9.5 * MB))]
    held = manager.file_storage["s1"]
    assert list(held) == [f"parked-{k}" for k in range(40 - upload_guard.SESSION_FILES, 40)]
    assert sum(len(f.data) for f in held.values()) <= upload_guard.SESSION_BYTES
    assert dropped[0] == ("s1", "photo", 1000) and len(dropped) == 41 - upload_guard.SESSION_FILES
    assert manager.get_files("s1", ["photo"]) == []  # released: Streamlit's own count agrees
    assert manager.get_stats()["cache_memory_bytes"][0].byte_length == sum(len(f.data) for f in held.values())


def test_one_file_is_kept_whatever_its_size_and_the_server_holds_its_bound():
    manager = MemoryUploadedFileManager("/_stcore/upload_file")
    assert _add(manager, "s1", "big", 60 * MB) == []  # (Streamlit's maxUploadSize caps a single file)
    for s in range(20):
        for k in range(upload_guard.SESSION_FILES):
            _add(manager, f"s{s + 2}", f"f{k}", 10 * MB)
    total = sum(len(f.data) for files in manager.file_storage.values() for f in files.values())
    assert total <= upload_guard.SERVER_BYTES
    assert "big" not in manager.file_storage["s1"]  # the largest holder gave up its file first
    assert all(len(files) <= upload_guard.SESSION_FILES for files in manager.file_storage.values())


def test_install_wraps_nothing_outside_a_server():
    assert upload_guard.install() is False  # no Streamlit runtime in a test process: nothing to wrap
