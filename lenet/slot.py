"""The one training slot of a models folder, and the running job's live state, shared by every server process.

A class is served by several processes (dashboard.serve), possibly on several machines that share the models
folder; each holds its own sessions. They share the training through files in <models>/.training/:

    lock       flock()ed by the process whose job trains; the kernel releases it when that process dies, so a
               killed server never leaves the slot taken
    job.json   the running (or last) job's live state, rewritten by its owner about twice a second
    stop-ID    asks the owner of job ID to stop it: a lecturer may press Stop on any process

Every other process reads job.json as a RemoteJob: the same progress, alive while its owner keeps writing.
"""
from __future__ import annotations

import fcntl
import json
import os
import socket
import threading
import time
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Protocol

from lenet.config import ModelConfig, TrainConfig
from lenet.engine import EpochEvent, StepEvent
from lenet.i18n import N_, _, later
from lenet.user_models import models_dir


SLOT_DIR = ".training"
PUBLISH_S = 0.5  # how often a running job's owner rewrites job.json (and looks for a stop request)
UNSAVED = N_("the last run's model is not saved yet (no room in the models folder): save it again or discard it "
             "first")
BUSY = N_("a training run is already in progress on this server; wait for it or stop it")
STALE_S = 10.0  # a live job whose owner has not written for this long has lost its server


class JobBusy(RuntimeError):
    """A training job is already running on this server (or on another process sharing the models folder)."""


@dataclass
class Progress:
    """A consistent copy of a job's state, for drawing: what a TrainingJob and a RemoteJob both give."""

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


class Slot:
    """The shared files of one models folder's training slot."""

    def __init__(self, folder: Path) -> None:
        self.dir = Path(folder) / SLOT_DIR

    def take(self) -> int:
        """Hold the slot: a file descriptor to hand back to release(); JobBusy if another process holds it."""
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.dir / "lock", os.O_RDWR | os.O_CREAT, 0o666)
        except OSError as e:
            raise JobBusy(_("Not started: the models folder's training slot cannot be used ({error})").format(
                error=e.strerror or type(e).__name__)) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            if (self.read() or {}).get("state") == "unsaved":
                raise JobBusy(_(UNSAVED)) from None
            raise JobBusy(_("a training run is already in progress on this server (started in another window "
                            "or by another of its processes); wait for it or stop it")) from None
        return fd

    @staticmethod
    def release(fd: int) -> None:
        os.close(fd)  # closing drops the lock

    def publish(self, record: dict) -> None:
        """Replace job.json with record, whole (readers never see half of it)."""
        tmp = self.dir / f".job.json.{os.getpid()}.tmp"
        tmp.write_text(json.dumps(record))
        os.replace(tmp, self.dir / "job.json")

    def read(self) -> dict | None:
        """The last published record, or None (none yet, unreadable, or not one of ours)."""
        try:
            record = json.loads((self.dir / "job.json").read_text())
        except (OSError, ValueError):
            return None
        return record if isinstance(record, dict) and isinstance(record.get("id"), str) else None

    def settle(self) -> bool:
        """A job.json that still says a run goes on while no process holds the slot (its server was killed):
        rewritten to say the run ended, so that no page, command or later look finds it 'running'. True if
        it was rewritten."""
        record = self.read()
        if not record or record.get("state") not in ("starting", "running", "stopping"):
            return False
        try:
            fd = self.take()
        except JobBusy:
            return False  # its owner lives: the record is right
        try:
            record = self.read() or record
            if record.get("state") in ("starting", "running", "stopping"):
                self.publish({**record, "state": "failed", "updated": time.time(), "remaining": None,
                              "error": later("the server process running this training ended ({owner} was "
                                             "stopped or killed mid-run)", owner=record.get("owner", "?"))})
                return True
            return False
        except OSError:  # a read-only folder: readers still see the record go stale (RemoteJob.alive)
            return False
        finally:
            Slot.release(fd)

    def ask_stop(self, job_id: str) -> None:
        (self.dir / f"stop-{job_id}").touch()

    def stop_asked(self, job_id: str) -> bool:
        return (self.dir / f"stop-{job_id}").exists()

    def clear_stop(self, job_id: str) -> None:
        (self.dir / f"stop-{job_id}").unlink(missing_ok=True)


def owner_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def job_record(job, progress) -> dict:
    """What other processes need to show a job: its settings and a Progress, as JSON-ready data."""
    return {"id": job.id, "owner": owner_name(), "name": job.name, "started": job.started,
            "updated": time.time(), "model_config": asdict(job.model_config),
            "train_config": asdict(job.train_config), "state": progress.state, "error": progress.error,
            "saved": str(progress.saved) if progress.saved else None, "device": progress.device,
            "elapsed": progress.elapsed, "remaining": progress.remaining,
            "steps": [asdict(s) for s in progress.steps],
            # (not asdict: it would deep-copy every epoch's weights, twice a second, only to drop them)
            "epochs": [{f.name: getattr(e, f.name) for f in fields(e) if f.name != "state_dict"}
                       for e in progress.epochs]}


class OwnJob(Protocol):
    """What the slot needs of the job this process trains (lenet.jobs.TrainingJob: it imports this module, not
    the other way round)."""

    id: str
    out_dir: Path | None
    state: str
    started: float
    _slot: "Slot | None"
    _slot_fd: int | None

    @property
    def alive(self) -> bool: ...

    def start(self) -> None: ...


@dataclass
class RemoteJob:
    """A job trained by another process, seen through its job.json: what the page needs of a TrainingJob."""

    record: dict
    slot: Slot

    @property
    def id(self) -> str:
        return self.record["id"]

    @property
    def name(self) -> str | None:
        return self.record.get("name")

    @property
    def started(self) -> float:
        return float(self.record.get("started") or 0.0)

    @property
    def model_config(self) -> ModelConfig:
        return ModelConfig.from_dict(self.record["model_config"], strict=True)

    @property
    def train_config(self) -> TrainConfig:
        return TrainConfig(**self.record["train_config"])

    @property
    def _live(self) -> bool:
        return self.record.get("state") in ("starting", "running", "stopping")

    @property
    def alive(self) -> bool:
        return self._live and time.time() - float(self.record.get("updated") or 0) < STALE_S

    def progress(self):
        r = self.record
        state, error, remaining = r["state"], r.get("error"), r.get("remaining")
        since = max(0.0, time.time() - float(r.get("updated") or 0))
        elapsed = float(r.get("elapsed") or 0.0)
        if self._live and not self.alive:
            state, error, remaining = "failed", later("the server process running this training ended ({owner} "
                                                      "stopped answering)", owner=r.get("owner", "?")), None
        elif self._live:
            elapsed += since
            remaining = None if remaining is None else max(0.0, remaining - since)
        return Progress(state, [StepEvent(**s) for s in r.get("steps", [])],
                        [EpochEvent(**e) for e in r.get("epochs", [])], self.train_config.num_epochs, elapsed,
                        remaining, error, Path(r["saved"]) if r.get("saved") else None, r.get("device") or "")

    def stop(self) -> None:
        """Ask the owner to stop after its current step (it looks twice a second)."""
        if self.alive:
            self.slot.ask_stop(self.id)


class JobManager:
    """At most one training job per models folder, whichever server process started it (a class may be served by
    several): start() refuses a second; current is the latest job, this process's own or another's."""

    def __init__(self, folder: Path | None = None) -> None:
        self._lock = threading.Lock()
        self._folder = folder
        self._own = None  # the job this process started last

    def start(self, job: OwnJob) -> OwnJob:
        with self._lock:
            if self._own is not None and self._own.alive:
                raise JobBusy(_(BUSY))
            if self._own is not None and self._own.state == "unsaved":
                raise JobBusy(_(UNSAVED))
            folder = job.out_dir = Path(job.out_dir or self._folder or models_dir())
            slot = Slot(folder)
            fd = slot.take()  # JobBusy if another process trains into this folder
            job._slot, job._slot_fd = slot, fd
            try:
                slot.clear_stop(job.id)
                job.start()
            except BaseException:
                Slot.release(fd)
                raise
            self._own = job
            return job

    @property
    def current(self) -> "OwnJob | RemoteJob | None":
        """The latest job on this models folder: this process's, or one another process runs (or ran)."""
        own = self._own
        try:
            slot = Slot(self._folder or models_dir())
        except ValueError:  # no usable models folder: only this process's own job
            return own
        record = slot.read()
        if record is None or (own is not None and (record["id"] == own.id or own.alive)):
            return own
        remote = RemoteJob(record, slot)
        try:
            # (a record written by another version, or edited by hand, is no job to show)
            remote.progress(), remote.model_config
            newer = own is None or remote.started > own.started
        except (KeyError, TypeError, ValueError, AttributeError):
            return own
        return remote if newer else own


__all__ = ["JobBusy", "JobManager", "Progress", "RemoteJob", "Slot", "job_record"]
