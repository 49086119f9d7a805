"""The user models folder: where models trained in the dashboard are saved, listed and deleted.

$LENET_MODELS_DIR, else ./models; never inside assets/ (the shipped weights). Every file is read with the
checkpoint module's safe loading, so an unreadable file is reported, not loaded.
"""
from __future__ import annotations

import os
import re
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


def scan_models(folder: Path | None = None) -> tuple[list[Checkpoint], list[str]]:
    """The saved user models, newest first, and one message per unreadable file, from one read of each file."""
    folder = folder or models_dir()
    models, errors = [], []
    paths = sorted(folder.glob("*.pt"), key=lambda p: p.stat().st_mtime, reverse=True) if folder.is_dir() else []
    for path in paths:
        try:
            models.append(load_checkpoint(path))
        except CheckpointError as e:
            errors.append(str(e))
    return models, errors


def delete_model(path: Path, folder: Path | None = None) -> None:
    """Delete a saved user model (only files inside the user models folder)."""
    folder = (folder or models_dir()).resolve()
    path = Path(path).resolve()
    if path.parent != folder or path.suffix != ".pt":
        raise ValueError(f"{path}: not a model in {folder}")
    path.unlink()
