"""Checkpoints: weights + the config that built them + the metrics they reached; safe loading, atomic saving."""
from __future__ import annotations

import datetime
import importlib.metadata
import os
import pickle
import platform
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from lenet.atomic import atomic_write
from lenet.config import ModelConfig, TrainConfig
from lenet.model import LeNet

FORMAT = "lenet-explainer/1"  # bumped if the file layout ever changes


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


class CheckpointError(Exception):
    """A checkpoint file could not be used; the message names the file and the problem."""

    def __init__(self, path: str | os.PathLike, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path, self.problem = Path(path), problem


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
                    train_config: TrainConfig | None = None, extra: dict[str, Any] | None = None) -> Path:
    """Write model, its config and metrics to path atomically (temp file + rename); returns the path."""
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
    return atomic_write(path, lambda f: torch.save(payload, f))


def load_checkpoint(path: str | os.PathLike, map_location: str = "cpu") -> Checkpoint:
    """Load and verify a checkpoint with weights_only=True (no code in the file can run)."""
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(path, "file not found")
    try:
        payload = torch.load(path, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as e:
        raise CheckpointError(path, f"refused: it holds Python objects other than weights, which could run "
                                    f"code when loaded ({str(e).splitlines()[0]})") from e
    except (RuntimeError, EOFError, zipfile.BadZipFile, ValueError, OSError) as e:
        raise CheckpointError(path, f"truncated or corrupt, not a readable PyTorch file "
                                    f"({str(e).splitlines()[0] if str(e) else type(e).__name__})") from e
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise CheckpointError(path, f"not a LeNet explainer checkpoint (expected format {FORMAT!r})")
    try:
        model_config = ModelConfig.from_dict(payload["model_config"])
        train_config = TrainConfig.from_dict(payload["train_config"]) if payload.get("train_config") else None
    except (KeyError, TypeError, ValueError) as e:
        raise CheckpointError(path, f"invalid configuration in checkpoint ({e})") from e
    try:
        model = LeNet.from_state(model_config, payload["state_dict"])
    except (KeyError, RuntimeError) as e:
        raise CheckpointError(path, "its weights do not fit LeNet's architecture (wrong layers or shapes): "
                                    + str(e).splitlines()[0]) from e
    if not all(torch.isfinite(p).all() for p in model.parameters()):
        raise CheckpointError(path, "its weights contain NaN or infinite values")
    return Checkpoint(model, model_config, train_config, dict(payload.get("metrics") or {}),
                      dict(payload.get("meta") or {}), path)


def snapshots_of(checkpoint: Checkpoint) -> dict[int, dict[str, torch.Tensor]]:
    """Per-epoch weights stored with a model trained in the dashboard, by epoch ({} for other checkpoints)."""
    raw = checkpoint.meta.get("snapshots") or {}
    return {int(k): v for k, v in raw.items()}


def snapshot_model(checkpoint: Checkpoint, epoch: int) -> LeNet:
    """The model as it was after that epoch (0 = the initial weights); CheckpointError if not stored."""
    snaps = snapshots_of(checkpoint)
    if epoch not in snaps:
        raise CheckpointError(checkpoint.path, f"holds no snapshot of epoch {epoch}")
    return LeNet.from_state(checkpoint.model_config, snaps[epoch])
