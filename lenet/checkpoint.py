"""Checkpoints: weights + the config that built them + the metrics they reached; safe loading, atomic saving."""
from __future__ import annotations

import datetime
import importlib.metadata
import io
import math
import os
import pickle
import platform
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from lenet.atomic import atomic_write
from lenet.i18n import Said, later, say
from lenet.config import ModelConfig, TrainConfig
from lenet.d2l import SEED_OPS, D2LError, convert, is_d2l_state, layout_of
from lenet.model import LeNet

FORMAT = "lenet-explainer/1"  # bumped if the file layout ever changes


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


class CheckpointError(Said):
    """A checkpoint file could not be used; the message names the file and the problem (said: a later() message;
    str(e) and `problem` in English with the library's own words, if any, for logs and the CLI; the pages say
    `said` only, through explained())."""

    def __init__(self, path: str | os.PathLike, problem: str, detail: str = "") -> None:
        self.path = Path(path)
        self.problem = say(problem, "en") + (f" ({detail})" if detail else "")
        super().__init__(problem, f"{path}: {self.problem}")


@dataclass(frozen=True)
class Checkpoint:
    """What a checkpoint file holds, next to the model rebuilt from it."""

    model: LeNet
    model_config: ModelConfig
    train_config: TrainConfig | None
    metrics: dict[str, Any]  # test_acc, epochs, examples_per_sec, device, ...
    meta: dict[str, Any]  # versions, date, ...
    path: Path


def save_checkpoint(path: str | os.PathLike, model: LeNet, metrics: dict[str, Any] | None = None,
                    train_config: TrainConfig | None = None, extra: dict[str, Any] | None = None,
                    overwrite: bool = True) -> Path:
    """Write model, its config and metrics to path atomically (temp file + rename); returns the path.
    overwrite=False: FileExistsError rather than replace a file of that name (see atomic_write)."""
    payload = {
        "format": FORMAT,
        "model_config": model.config.to_dict(),
        "train_config": train_config.to_dict() if train_config else None,
        "metrics": dict(metrics or {}),
        "meta": {
            "torch": str(torch.__version__), "torchvision": _version("torchvision"),
            "python": platform.python_version(),
            "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            **(extra or {}),
        },
        "state_dict": {k: v.detach().to("cpu").clone() for k, v in model.state_dict().items()},
    }
    data = io.BytesIO()  # (serialized first: a full disk is then a plain OSError, where torch's own writer said
    torch.save(payload, data)  # "[enforce fail at inline_container.cc:672] . unexpected pos …")
    try:
        return atomic_write(path, lambda f: f.write(data.getbuffer()), overwrite=overwrite)
    except OSError as e:
        e.needed = data.getbuffer().nbytes  # what the file needs, for the message (user_models.write_problem)
        raise


MAX_BYTES = 256 * 1024 * 1024  # a LeNet checkpoint with 100 epochs' snapshots is ~25 MB
MAX_RECORDS = 50_000  # records in a checkpoint's zip: 10 tensors a snapshot; 100 epochs' snapshots are ~1,000
MAX_EPOCHS = 100_000  # the most epochs a snapshot may be numbered (a run's limit is far lower)
TEXT_MAX = 200  # characters of a text field (a name, where a model was evaluated)
_EPOCH = re.compile(r"[0-9]{1,6}")
NUMERIC_METRICS = ("test_acc", "train_loss", "train_acc", "examples_per_sec", "seconds", "epochs")


def _first_line(e: BaseException) -> str:
    text = str(e).strip()
    if isinstance(e, LookupError) or not text:  # a bare key or index says nothing to a reader
        return type(e).__name__
    return text.splitlines()[0][:200]


def load_checkpoint(path: str | os.PathLike, map_location: str = "cpu") -> Checkpoint:
    """Load and verify a checkpoint with weights_only=True (no code in the file can run).

    Whatever the file holds — text, random bytes, a link to a system file, a pickle with code, a config or
    metrics or snapshots that make no sense — the result is a Checkpoint or a CheckpointError naming the
    file and the problem in one line, never another exception.
    """
    path = Path(path)
    if path.is_symlink():
        raise CheckpointError(path, later("a link, not a model file: refused (models are files saved here)"))
    if path.is_dir():
        raise CheckpointError(path, later("a folder, not a model file"))
    if path.exists() and not path.is_file():  # a FIFO, a socket, a device: never opened
        raise CheckpointError(path, later("not a regular file (a pipe, socket or device): refused"))
    if not path.is_file():
        raise CheckpointError(path, later("file not found"))
    try:
        size = path.stat().st_size
    except OSError as e:
        raise CheckpointError(path, later("cannot be read"), _first_line(e)) from e
    if size > MAX_BYTES:
        raise CheckpointError(path, later("{mb:.0f} MB, far larger than a LeNet checkpoint: refused", mb=size / 1e6))
    _check_zip(path, size)
    try:
        payload = torch.load(path, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as e:
        raise CheckpointError(path, later("refused: it holds Python objects other than weights, which could run "
                                          "code when loaded"), _first_line(e)) from e
    except Exception as e:  # torch's readers fail in many ways on a file that is not theirs (IndexError, ...)
        raise CheckpointError(path, later("truncated or corrupt, not a readable PyTorch file"),
                              _first_line(e)) from e
    if is_d2l_state(payload):  # dropped in from the d2l notebook: the seed's ops until imported with others
        try:
            model = convert(payload, *SEED_OPS)
        except D2LError as e:
            raise CheckpointError(path, later("a d2l state_dict that does not fit LeNet: {why}", why=e.said)) from e
        return Checkpoint(model, model.config, None, {}, {"source": "d2l", "layout": layout_of(payload)}, path)
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise CheckpointError(path, later("not a LeNet explainer checkpoint (expected format {format})",
                                          format=repr(FORMAT)))
    try:
        model_config = ModelConfig.from_dict(payload["model_config"])
        train_config = TrainConfig.from_dict(payload["train_config"]) if payload.get("train_config") else None
    except Exception as e:
        raise CheckpointError(path, later("invalid configuration in checkpoint"), _first_line(e)) from e
    try:
        model = LeNet.from_state(model_config, payload["state_dict"])
    except Exception as e:
        raise CheckpointError(path, later("its weights do not fit LeNet's architecture (wrong layers or shapes)"),
                              _first_line(e)) from e
    if not _sound(model.state_dict()):
        raise CheckpointError(path, later("its weights contain NaN or infinite values"))
    metrics, meta = payload.get("metrics") or {}, payload.get("meta") or {}
    if not isinstance(metrics, dict) or not isinstance(meta, dict):
        raise CheckpointError(path, later("its metrics or meta data are not tables"))
    for key in NUMERIC_METRICS:
        value = metrics.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))
                                  or not math.isfinite(value)):
            raise CheckpointError(path, later("its metric {key} is not a number ({value})", key=key,
                                              value=repr(str(value)[:40])))
    if "history" in metrics and not _is_history(metrics["history"]):
        raise CheckpointError(path, later("its training history is not a list of epochs with numbers"))
    for table, key in ((meta, "name"), (meta, "source"), (meta, "preset"), (metrics, "evaluated_on"),
                       (metrics, "device")):  # the texts the pages show: text, and short
        if key in table and (not isinstance(table[key], str) or len(table[key]) > TEXT_MAX):
            raise CheckpointError(path, later("its {key} is not a short text ({value})", key=key,
                                              value=repr(str(table[key])[:40])))
    _check_snapshots(path, meta.get("snapshots"), model)
    return Checkpoint(model, model_config, train_config, dict(metrics), dict(meta), path)


def _check_zip(path: Path, size: int) -> None:
    """Before torch inflates anything: a zip (torch.save's format) whose records would inflate past the file's
    own size (torch.save stores them uncompressed) or that holds more records than any checkpoint is refused
    from its directory alone; a 2 MB file once inflated a 2 GB record on every read."""
    try:
        if not zipfile.is_zipfile(path):
            return  # torch's older format, or not a PyTorch file at all: torch.load says which
        with zipfile.ZipFile(path) as z:
            count = 0
            inflated = 0
            for info in z.infolist():
                count += 1
                inflated += info.file_size
                if count > MAX_RECORDS:
                    raise CheckpointError(path, later("more than {n:,} records, far more than a LeNet checkpoint "
                                                      "holds: refused", n=MAX_RECORDS))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as e:
        raise CheckpointError(path, later("truncated or corrupt, not a readable PyTorch file"),
                              _first_line(e)) from e
    if inflated > size + 1_000_000:  # (a little room for torch's headers and alignment)
        raise CheckpointError(path, later("its records would inflate to {inflated:,.0f} MB from a {mb:,.1f} MB file "
                                          "(a compressed bomb?): refused before inflating", inflated=inflated / 1e6,
                                          mb=size / 1e6))


def _is_history(history) -> bool:
    """metrics['history'] as engine.history_of writes it: one table per epoch, numbers (or None) only."""
    def number(v) -> bool:
        return v is None or (isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v))
    return isinstance(history, list) and len(history) <= 100_000 and all(
        isinstance(e, dict) and isinstance(e.get("epoch"), int) and all(number(v) for v in e.values())
        for e in history)


def _sound(state: dict[str, torch.Tensor], like: dict[str, torch.Tensor] | None = None) -> bool:
    """Weights a model can run: every float finite (a BatchNorm's running variance not negative either), each of
    the kind of `like`'s (a model's own: float weights, BatchNorm's integer count of batches)."""
    for k, v in state.items():
        if like is not None and v.is_floating_point() != like[k].is_floating_point():
            return False
        if v.is_floating_point() and not (torch.isfinite(v).all() and (not k.endswith("running_var")
                                                                        or (v >= 0).all())):
            return False
    return True


def _check_snapshots(path: Path, snapshots, model: LeNet) -> None:
    """Per-epoch weights, if any: keyed by epoch numbers, each with the model's own tensor shapes."""
    if snapshots is None:
        return
    if not isinstance(snapshots, dict):
        raise CheckpointError(path, later("its epoch snapshots are not a table"))
    shapes = {k: tuple(v.shape) for k, v in model.state_dict().items()}
    if len(snapshots) > MAX_EPOCHS + 1:
        raise CheckpointError(path, later("{n} epoch snapshots, more than a run has ({most})", n=len(snapshots),
                                          most=MAX_EPOCHS + 1))
    for key, state in snapshots.items():
        # (an epoch number in ASCII digits, as saved: '²' and a 20-digit number passed str.isdigit and broke pages)
        if not isinstance(key, (str, int)) or isinstance(key, bool) or not _EPOCH.fullmatch(str(key)) \
                or int(key) > MAX_EPOCHS:
            raise CheckpointError(path, later("a snapshot's key is not an epoch number ({key})",
                                              key=repr(str(key)[:40])))
        if not isinstance(state, dict) or {k: tuple(getattr(v, "shape", ())) for k, v in state.items()} != shapes:
            raise CheckpointError(path, later("the snapshot of epoch {key} does not fit the model's weights", key=key))
        if not (all(isinstance(v, torch.Tensor) for v in state.values()) and _sound(state, model.state_dict())):
            raise CheckpointError(path, later("the snapshot of epoch {key} holds NaN, infinite or non-float weights",
                                              key=key))


def snapshots_of(checkpoint: Checkpoint) -> dict[int, dict[str, torch.Tensor]]:
    """Per-epoch weights stored with a model trained in the dashboard, by epoch ({} for other checkpoints)."""
    raw = checkpoint.meta.get("snapshots") or {}
    return {int(k): v for k, v in raw.items()}


def snapshot_model(checkpoint: Checkpoint, epoch: int) -> LeNet:
    """The model as it was after that epoch (0 = the initial weights); CheckpointError if not stored."""
    snaps = snapshots_of(checkpoint)
    if epoch not in snaps:
        raise CheckpointError(checkpoint.path, later("holds no snapshot of epoch {epoch}", epoch=epoch))
    return LeNet.from_state(checkpoint.model_config, snaps[epoch])
