"""The user models folder: where models trained in the dashboard are saved, listed and deleted.

$LENET_MODELS_DIR, else ./models; never inside assets/ (the shipped weights). Every file is read with the
checkpoint module's safe loading, so an unreadable file is reported, not loaded.
"""
from __future__ import annotations

import errno
import os
import re
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from lenet.checkpoint import CheckpointError, load_checkpoint, save_checkpoint, snapshots_of
from lenet.config import ModelConfig, TrainConfig
from lenet.d2l import convert, layout_of
from lenet.data import ASSETS_DIR
from lenet.i18n import later, say


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
        return write_problem(e, folder)


@dataclass(frozen=True)
class SavedModel:
    """What the pages show of a saved model: its configuration, metrics and meta data as verified by
    load_checkpoint (the file read once), its snapshots reduced to their epoch numbers, no weights held."""

    path: Path
    model_config: ModelConfig
    train_config: TrainConfig | None
    metrics: dict[str, Any]
    meta: dict[str, Any]  # without the snapshots
    epochs: tuple[int, ...]  # the epochs it holds weights of (0 = the initial ones); () if none
    stamp: tuple[int, int]  # the file's (mtime_ns, size) when it was read


MAX_LISTED = 10_000  # files listed from a folder (names, sizes, times; only those shown are read)
_READ: dict[str, tuple[tuple[int, int], SavedModel | str]] = {}  # path -> (stamp, what it held / why not)
_READ_LOCK = threading.Lock()  # one file read at a time: five visitors cost one read of each file
_READ_MAX = 20_000


def list_files(folder: Path | None = None) -> list[tuple[str, int, int]]:
    """(name, mtime_ns, size) of the *.pt entries of the folder, newest first, at most MAX_LISTED: what is
    cheap (one lstat a file, nothing opened). OSError if the folder cannot be read."""
    folder = folder or models_dir()
    if not folder.is_dir():
        return []
    entries = []
    with os.scandir(folder) as it:
        for entry in it:
            if entry.name.endswith(".pt") and not entry.name.startswith("."):
                try:
                    s = entry.stat(follow_symlinks=False)
                except OSError:  # gone meanwhile
                    continue
                entries.append((entry.name, s.st_mtime_ns, s.st_size))
    entries.sort(key=lambda e: (-e[1], e[0]))
    return entries[:MAX_LISTED]


def read_model(path: Path, stamp: tuple[int, int] | None = None) -> SavedModel | str:
    """The saved model in that file, or one line saying why it cannot be used ("NAME: why", no server path);
    read once per (path, mtime, size): a file replaced under its name is read anew, an unchanged one never."""
    if stamp is None:
        try:
            s = path.lstat()
            stamp = (s.st_mtime_ns, s.st_size)
        except OSError:
            stamp = (0, 0)
    known = _READ.get(str(path))
    if known is not None and known[0] == stamp:
        return known[1]
    with _READ_LOCK:
        known = _READ.get(str(path))  # (read by another visitor while this one waited)
        if known is not None and known[0] == stamp:
            return known[1]
        result = _read(path, stamp)
        if len(_READ) >= _READ_MAX:
            _READ.clear()  # (a folder renamed again and again: start over rather than grow)
        _READ[str(path)] = (stamp, result)
    return result


def _read(path: Path, stamp: tuple[int, int]) -> SavedModel | str:
    try:
        checkpoint = load_checkpoint(path)
    except CheckpointError as e:
        return later("{name}: {problem}", name=path.name, problem=e.said)  # (said in each reader's language)
    meta = {k: v for k, v in checkpoint.meta.items() if k != "snapshots"}
    return SavedModel(path, checkpoint.model_config, checkpoint.train_config, checkpoint.metrics, meta,
                      tuple(sorted(snapshots_of(checkpoint))), stamp)


def scan_models(folder: Path | None = None, start: int = 0, count: int | None = None
                ) -> tuple[list[SavedModel], list[str]]:
    """The saved user models, newest first, and one line per file skipped ("NAME: why", no server path): files
    start .. start + count of the listing (all by default), each read at most once while it is unchanged.
    Nothing in the folder — text, links, folders, hostile pickles, zip bombs, nonsense metrics — raises here."""
    folder = folder or models_dir()
    try:
        files = list_files(folder)
    except OSError as e:
        return [], [f"{folder.name}: the folder cannot be read ({e.strerror or e})"]
    models, skipped = [], []
    for name, mtime, size in files[start:None if count is None else start + count]:
        result = read_model(folder / name, (mtime, size))
        (skipped if isinstance(result, str) else models).append(result)
    return models, skipped


def _size(n: float) -> str:
    """Bytes in the unit a reader expects: 999,700 is "1.0 MB", not "1,000 KB" (the thresholds round first)."""
    return f"{n / 1e9:,.1f} GB" if n >= 999_950_000 else f"{n / 1e6:,.1f} MB" if n >= 999_500 else f"{n / 1e3:,.0f} KB"


def write_problem(e: BaseException, folder: Path) -> str:
    """Why a model could not be saved into the folder, in words and without the server's paths: "the models
    folder models/ is full: 100 KB free, the model needs 3.1 MB" (the size save_checkpoint puts on the error).
    In this thread's language."""
    return say(write_problem_later(e, folder))


def write_problem_later(e: BaseException, folder: Path) -> str:
    """write_problem as a lenet.i18n.later() message (for a run's state, which every session reads)."""
    code, needed = getattr(e, "errno", None), getattr(e, "needed", None)
    name = f"{folder.name}/"
    if code in (errno.ENOSPC, errno.EDQUOT):
        try:
            free = later("{size} free", size=_size(shutil.disk_usage(folder).free))
        except OSError:
            free = later("no room left")
        if needed:
            return later("the models folder {name} is full: {free}, the model needs {size}", name=name, free=free,
                         size=_size(needed))
        return later("the models folder {name} is full: {free}", name=name, free=free)
    if code == errno.EROFS:
        return later("the models folder {name} is on a disk that has turned read-only", name=name)
    if code in (errno.EACCES, errno.EPERM):
        return later("this server may not write into the models folder {name} (permission denied)", name=name)
    if code == errno.ENOENT:
        return later("the models folder {name} is gone (deleted or unmounted)", name=name)
    if isinstance(e, OSError):
        return later("the models folder {name} could not be written ({error})", name=name,
                     error=e.strerror or type(e).__name__)
    text = str(e).replace(str(folder), name).splitlines()[0][:200] if str(e).strip() else ""
    return later("saving failed ({error})", error=type(e).__name__ + (": " + text if text else ""))


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


def import_model(state: dict[str, torch.Tensor], activation: str, pooling: str, name: str, folder: Path,
                 X: torch.Tensor, y: torch.Tensor, evaluated_on: str, padding: tuple[int, ...] | None = None
                 ) -> tuple[Path, float]:
    """Save a d2l state_dict as a model of ours (its architecture inferred; the chosen ops and padding, None: the
    most usual; its accuracy on X, y measured once and stored), under a free file name (never over another
    model); the path and the accuracy."""
    from lenet.engine import evaluate  # (the training engine: only an import needs it)

    layout = layout_of(state)
    model = convert(state, activation, pooling, padding)
    acc = evaluate(model, X, y)
    metrics = {"test_acc": acc, "test_examples": int(len(y)), "evaluated_on": evaluated_on}
    extra = {"name": name, "source": "d2l", "layout": layout}
    for path in free_paths(name, folder):
        try:
            return save_checkpoint(path, model, metrics, extra=extra, overwrite=False), acc
        except FileExistsError:
            continue  # another session saved that name meanwhile
    raise RuntimeError(f"no free file name for {name!r}")
