"""The user models folder: where models trained in the dashboard are saved, listed and deleted.

$LENET_MODELS_DIR, else ./models; never inside assets/ (the shipped weights). Every file is read with the
checkpoint module's safe loading, so an unreadable file is reported, not loaded.
"""
from __future__ import annotations

import os
import re
import time
from pathlib import Path

from lenet.checkpoint import Checkpoint, CheckpointError, load_checkpoint
from lenet.data import ASSETS_DIR


def models_dir() -> Path:
    """The user models folder: $LENET_MODELS_DIR, else ./models; ValueError if it lies inside assets/."""
    path = Path(os.environ.get("LENET_MODELS_DIR") or "models").resolve()
    if path == ASSETS_DIR or ASSETS_DIR in path.parents:
        raise ValueError(f"{path}: user models may not be saved inside {ASSETS_DIR} (the shipped weights)")
    return path


def safe_name(name: str) -> str:
    """A file-name-safe version of a model name."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.")
    return cleaned[:80] or "model"


def model_path(name: str, folder: Path | None = None) -> Path:
    """Where a model of that name is saved."""
    return (folder or models_dir()) / f"{safe_name(name)}.pt"


def free_paths(name: str, folder: Path | None = None):
    """Where a new model of that name may go: NAME.pt, then NAME-2.pt, NAME-3.pt, ... (taken ones skipped)."""
    first = model_path(name, folder)
    for k in range(1, 10_000):
        path = first if k == 1 else first.with_name(f"{first.stem}-{k}.pt")
        if not os.path.lexists(path):
            yield path


def writable(folder: Path | None = None) -> str | None:
    """None if models can be saved into the folder (created if missing), else why not, in plain words."""
    folder = folder or models_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / f".write-test-{os.getpid()}.tmp"
        probe.write_bytes(b"")
        probe.unlink()
        return None
    except OSError as e:
        return f"the models folder {folder.name!r} cannot be written ({e.strerror or type(e).__name__})"


def _mtime(path: Path) -> float:
    try:
        return path.lstat().st_mtime
    except OSError:  # gone meanwhile
        return 0.0


def scan_models(folder: Path | None = None) -> tuple[list[Checkpoint], list[str]]:
    """The saved user models, newest first, and one line per file skipped ("NAME: why", no server path), from
    one read of each file. Nothing in the folder — text, links, folders, hostile pickles, nonsense metrics —
    raises here."""
    folder = folder or models_dir()
    models, skipped = [], []
    try:
        paths = sorted(folder.glob("*.pt"), key=_mtime, reverse=True) if folder.is_dir() else []
    except OSError as e:
        return [], [f"{folder.name}: the folder cannot be read ({e.strerror or e})"]
    for path in paths:
        try:
            models.append(load_checkpoint(path))
        except CheckpointError as e:
            skipped.append(f"{path.name}: {e.problem}")
    return models, skipped


STRAY_AGE_S = 15 * 60  # a save takes about a second: a temp file this old was left by a killed one


def clean_stray_temps(folder: Path | None = None, now: float | None = None) -> list[str]:
    """Delete the temp files of saves that were killed (atomic_write's ".NAME.pt.*.tmp"); their names."""
    folder = folder or models_dir()
    now = time.time() if now is None else now
    removed = []
    for path in folder.glob(".*.pt.*.tmp") if folder.is_dir() else []:
        try:
            if path.is_file() and not path.is_symlink() and now - path.stat().st_mtime > STRAY_AGE_S:
                path.unlink()
                removed.append(path.name)
        except OSError:
            pass  # another process removed it, or the folder is read-only: nothing to do
    return removed


def delete_model(path: Path, folder: Path | None = None) -> None:
    """Delete a saved user model (only files inside the user models folder)."""
    folder = (folder or models_dir()).resolve()
    path = Path(path).resolve()
    if path.parent != folder or path.suffix != ".pt":
        raise ValueError(f"{path}: not a model in {folder}")
    path.unlink()
