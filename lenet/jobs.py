"""Training in a background worker process, for the dashboard: one job per server, progress readable any time.

The worker never touches any UI: a separate process (so that training and the web server don't share one
Python interpreter lock) runs lenet.train.Trainer and sends its events over a queue; a listener thread
here appends them to the lists the page polls, keeps every epoch's snapshot, and when the run ends
(finished or stopped) saves the last completed epoch atomically into the user models folder. A diverging
run is reported, not saved. If the worker process dies, the job says so.
"""
from __future__ import annotations

import multiprocessing as mp
import os
import queue
import re
import sys
import threading
import time
import types
from dataclasses import dataclass, field, replace
from pathlib import Path

import torch

from lenet.checkpoint import ASSETS_DIR, Checkpoint, CheckpointError, load_checkpoint, save_checkpoint
from lenet.config import ModelConfig, TrainConfig
from lenet.model import LeNet
from lenet.train import Data, EpochEvent, StepEvent, Trainer, TrainingDiverged

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
    """One training run; start() launches the worker process, stop() asks it to end after the current step.

    state: starting -> running -> (stopping ->) finished | stopped | failed
    """

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
    _stop: object = None  # a multiprocessing Event, created at start()
    _process: object = None
    _thread: threading.Thread | None = None
    _t0: float = 0.0
    _device_name: str = ""

    def start(self) -> "TrainingJob":
        ctx = mp.get_context("spawn")  # never fork a multi-threaded web server
        events = ctx.Queue()
        self._stop = ctx.Event()
        self._t0 = time.perf_counter()
        self._process = ctx.Process(target=_worker, name=f"lenet-train-{self.name or 'job'}", daemon=True,
                                    args=(self.model_config, self.train_config, self.device, self.data, events,
                                          self._stop))
        # spawn re-runs the parent's __main__ in the child; under Streamlit that is the app script itself.
        # Starting with a bare stand-in __main__ keeps the child to the worker function alone.
        main = sys.modules["__main__"]
        sys.modules["__main__"] = types.ModuleType("__main__")
        try:
            self._process.start()
        finally:
            sys.modules["__main__"] = main
        self._thread = threading.Thread(target=self._listen, args=(events,), name="lenet-train-listener",
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Ask the worker to stop after its current step; the last completed epoch is kept and saved."""
        with self._lock:
            if self.state in ("starting", "running"):
                self.state = "stopping"
        if self._stop is not None:
            self._stop.set()

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the job (worker process and listener); True once both have ended."""
        if self._thread is not None:
            self._thread.join(timeout)
            return not self.alive
        return True

    @property
    def alive(self) -> bool:
        return (self._thread is not None and self._thread.is_alive()) or \
            (self._process is not None and self._process.is_alive())

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

    def _listen(self, events) -> None:
        """Move the worker's events into this job until the worker reports its end (or dies)."""
        try:
            self._listen_until_done(events)
        except Exception as e:  # never leave a job 'running' with nobody listening
            with self._lock:
                self.state, self.error = "failed", f"{type(e).__name__}: {e}"

    def _listen_until_done(self, events) -> None:
        outcome = None
        while outcome is None:
            try:
                kind, payload = events.get(timeout=0.5)
            except queue.Empty:
                if not self._process.is_alive():
                    outcome = ("error", f"the training process ended unexpectedly "
                                        f"(exit code {self._process.exitcode})")
                continue
            with self._lock:
                if kind == "device":
                    self._device_name = payload
                    if self.state == "starting":
                        self.state = "running"
                elif kind == "step":
                    self._steps.append(payload)
                elif kind == "epoch":
                    self._epochs.append(replace(payload, state_dict={
                        k: torch.from_numpy(v) for k, v in payload.state_dict.items()}))
                else:
                    outcome = (kind, payload)
        self._process.join(10)
        kind, payload = outcome
        if kind == "done":
            try:
                self.saved = self._save()
                final, error = ("stopped" if payload else "finished"), None
            except Exception as e:
                final, error = "failed", f"saving failed: {type(e).__name__}: {e}"
        else:
            final, error = "failed", payload
        with self._lock:
            self.state, self.error = final, error

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


def _worker(model_config: ModelConfig, train_config: TrainConfig, device: str, data: Data | None, events,
            stop) -> None:
    """The worker process: train, sending ('device' | 'step' | 'epoch' | 'done' | 'error', payload)."""
    try:
        trainer = Trainer(model_config, train_config, device, data)
        events.put(("device", trainer.device_name))
        for ev in trainer.run(should_stop=stop.is_set):
            if isinstance(ev, EpochEvent):
                # plain arrays: torch would share tensors through file descriptors that die with this process
                ev = replace(ev, state_dict={k: v.numpy() for k, v in ev.state_dict.items()})
            events.put(("epoch" if isinstance(ev, EpochEvent) else "step", ev))
        events.put(("done", stop.is_set()))
    except TrainingDiverged as e:
        events.put(("error", str(e)))
    except Exception as e:  # the page shows what went wrong instead of a silent stop
        events.put(("error", f"{type(e).__name__}: {e}"))


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


def list_models(folder: Path | None = None) -> list[Checkpoint]:
    """The saved user models, newest first; unreadable files are skipped (see model_errors)."""
    return scan_models(folder)[0]


def model_errors(folder: Path | None = None) -> list[str]:
    """One message per unreadable file in the user models folder."""
    return scan_models(folder)[1]


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
           "model_errors", "scan_models", "snapshots_of"]
