"""Atomic file writes: a temp file in the same folder, fsynced, then renamed over the target."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import BinaryIO, Callable


def atomic_write(path: str | os.PathLike, write: Callable[[BinaryIO], object], overwrite: bool = True) -> Path:
    """Call write(f) on a temp file, then rename it to path: readers and a killed process see the old file
    or the whole new one, never half of one. The file gets the usual permissions (0666 minus the umask).

    overwrite=False: FileExistsError if path exists, decided atomically at the end (a hard link, which no
    other writer can race), so two savers of one name never replace each other's file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        if overwrite:
            os.replace(tmp, path)
        else:
            os.link(tmp, path)  # FileExistsError if another file took the name meanwhile
            os.unlink(tmp)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
