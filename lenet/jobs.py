"""Training in a background thread, for the dashboard: one job per process, progress readable at any time.

The worker never touches any UI: it runs lenet.train.Trainer, appends its events to a list the page polls,
keeps a snapshot of the weights after every epoch, and when it ends (finished or stopped) saves the last
completed epoch atomically into the user models folder. A diverging run is reported, not saved.
"""
from __future__ import annotations

import os
import re
import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import torch

from lenet.checkpoint import ASSETS_DIR, Checkpoint, CheckpointError, load_checkpoint, save_checkpoint
from lenet.config import ModelConfig, TrainConfig
from lenet.model import LeNet
from lenet.train import Data, EpochEvent, StepEvent, Trainer, TrainingDiverged

STATES = ("starting", "running", "stopping", "finished", "stopped", "failed")


def models_dir() -> Path:
    """The user models folder: $LENET_MODELS_DIR, else ./models (never inside assets/)."""
    path = Path(os.environ.get("LENET_MODELS_DIR") or "models").resolve()
    if path == ASSETS_DIR or ASSETS_DIR in path.parents:
        raise ValueError(f"{path}: user models may not be saved inside {ASSETS_DIR} (the shipped weights)")
    return path


class JobBusy(RuntimeError):
    """A training job is already running on this server."""


@dataclass
class Progress:
    """A consistent copy of a job's state, for drawing."""

    state: str
    steps: list[StepEvent]
    epochs: list[EpochEvent]
    num_epochs: int
    elapsed: float  # seconds since start
    remaining: float | None  # estimated seconds to the end (None before the first report)
    error: str | None
    saved: Path | None
    device: str

    @property
    def fraction(self) -> float:
        done = self.steps[-1].epoch if self.steps else 0.0
        return min(1.0, done / max(self.num_epochs, 1))


@dataclass
class TrainingJob:
    """One training run; start() launches the worker thread, stop() asks it to end after the current step."""

    model_config: ModelConfig
    train_config: TrainConfig
    device: str = "auto"
    data: Data | None = None
    name: str | None = None
    out_dir: Path | None = None
    state: str = "starting"
    error: str | None = None
    saved: Path | None = None
    _steps: list[StepEvent] = field(default_factory=list)
    _epochs: list[EpochEvent] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    _t0: float = 0.0
    _device_name: str = ""

    def start(self) -> "TrainingJob":
        self._t0 = time.perf_counter()
        self._thread = threading.Thread(target=self._run, name=f"lenet-train-{self.name or 'job'}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Ask the worker to stop after its current step; the last completed epoch is kept and saved."""
        with self._lock:
            if self.state in ("starting", "running"):
                self.state = "stopping"
        self._stop.set()

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the worker; True once it has ended."""
        if self._thread is not None:
            self._thread.join(timeout)
            return not self._thread.is_alive()
        return True

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def progress(self) -> Progress:
        with self._lock:
            steps, epochs, state = list(self._steps), list(self._epochs), self.state
        elapsed = time.perf_counter() - self._t0 if self._t0 else 0.0
        remaining = None
        if steps and state == "running":
            done = steps[-1].epoch
            remaining = elapsed * (self.train_config.num_epochs - done) / done if done > 0 else None
        return Progress(state, steps, epochs, self.train_config.num_epochs, elapsed, remaining, self.error,
                        self.saved, self._device_name)

    def snapshot(self, epoch: int) -> LeNet:
        """A model with the weights after epoch (0 = the initial weights), for the epoch slider."""
        with self._lock:
            ev = next(e for e in self._epochs if e.epoch == epoch)
        model = LeNet(self.model_config)
        model.load_state_dict(ev.state_dict)
        return model.eval()

    def _run(self) -> None:
        try:
            trainer = Trainer(self.model_config, self.train_config, self.device, self.data)
            self._device_name = trainer.device_name
            with self._lock:
                if self.state == "starting":
                    self.state = "running"
            for ev in trainer.run(should_stop=self._stop.is_set):
                with self._lock:
                    (self._epochs if isinstance(ev, EpochEvent) else self._steps).append(ev)
            final = "stopped" if self._stop.is_set() else "finished"
            self.saved = self._save()
            with self._lock:
                self.state = final
        except TrainingDiverged as e:
            with self._lock:
                self.error, self.state = str(e), "failed"
        except Exception as e:  # a worker must never die silently: the page shows what went wrong
            with self._lock:
                self.error, self.state = f"{type(e).__name__}: {e}", "failed"

    def _save(self) -> Path | None:
        """Save the last completed epoch (with every epoch's snapshot) atomically; None if none completed."""
        with self._lock:
            epochs = list(self._epochs)
        if len(epochs) < 2:  # only the initial weights
            return None
        last = epochs[-1]
        model = LeNet(self.model_config)
        model.load_state_dict(last.state_dict)
        name = self.name or default_name(self.model_config, self.train_config)
        metrics = dict(test_acc=last.test_acc, train_loss=last.train_loss, train_acc=last.train_acc,
                       examples_per_sec=last.examples_per_sec, seconds=last.seconds, device=last.device,
                       epochs=last.epoch, seed=self.train_config.seed)
        snapshots = {str(e.epoch): e.state_dict for e in epochs}
        path = (self.out_dir or models_dir()) / f"{safe_name(name)}.pt"
        return save_checkpoint(path, model, metrics, replace(self.train_config, num_epochs=last.epoch),
                               extra={"name": name, "snapshots": snapshots})


def safe_name(name: str) -> str:
    """A file-name-safe version of a model name."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.")
    return cleaned[:80] or "model"


def default_name(model_config: ModelConfig, train_config: TrainConfig) -> str:
    return f"{model_config.variant}-{train_config.num_epochs}ep-{time.strftime('%Y%m%d-%H%M%S')}"


class JobManager:
    """At most one training job per server (a class shares one server): start() refuses a second."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.current: TrainingJob | None = None

    def start(self, job: TrainingJob) -> TrainingJob:
        with self._lock:
            if self.current is not None and self.current.alive:
                raise JobBusy("a training run is already in progress on this server; wait for it or stop it")
            self.current = job.start()
            return job


def list_models(folder: Path | None = None) -> list[Checkpoint]:
    """The saved user models, newest first; unreadable files are skipped (see model_errors)."""
    folder = folder or models_dir()
    out = []
    for path in sorted(folder.glob("*.pt"), key=lambda p: p.stat().st_mtime, reverse=True) if folder.is_dir() else []:
        try:
            out.append(load_checkpoint(path))
        except CheckpointError:
            continue
    return out


def model_errors(folder: Path | None = None) -> list[str]:
    """One message per unreadable file in the user models folder."""
    folder = folder or models_dir()
    errors = []
    for path in sorted(folder.glob("*.pt")) if folder.is_dir() else []:
        try:
            load_checkpoint(path)
        except CheckpointError as e:
            errors.append(str(e))
    return errors


def delete_model(path: Path, folder: Path | None = None) -> None:
    """Delete a saved user model (only files inside the user models folder)."""
    folder = (folder or models_dir()).resolve()
    path = Path(path).resolve()
    if path.parent != folder or path.suffix != ".pt":
        raise ValueError(f"{path}: not a model in {folder}")
    path.unlink()


def snapshots_of(checkpoint: Checkpoint) -> dict[int, dict[str, torch.Tensor]]:
    """Per-epoch weights stored with a model trained in the dashboard ({} for others)."""
    raw = checkpoint.meta.get("snapshots") or {}
    return {int(k): v for k, v in raw.items()}


__all__ = ["JobBusy", "JobManager", "Progress", "TrainingJob", "delete_model", "list_models", "models_dir",
           "model_errors", "snapshots_of"]
