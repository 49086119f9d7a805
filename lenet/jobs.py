"""Training in a background worker process, for the dashboard: one run at a time, progress readable any time.

The worker (lenet.worker) never touches any UI: a separate process (so that training and the web server don't share one
Python interpreter lock) runs lenet.engine.Trainer and sends its events over a queue; a listener thread
here appends them to the lists the page polls, keeps every epoch's snapshot, and when the run ends
(finished or stopped) saves the last completed epoch atomically into the user models folder. A diverging
run is reported, not saved. If the worker process dies, the job says so. Started through lenet.slot's
JobManager, a job also shares its progress with the other server processes of the same models folder, and
stops when one of them asks it to.
"""
from __future__ import annotations

import atexit
import multiprocessing as mp
import os
import queue
import sys
import threading
import time
import types
import uuid
import weakref
from dataclasses import dataclass, field, replace
from pathlib import Path

import torch

from lenet.checkpoint import save_checkpoint
from lenet.config import ModelConfig, TrainConfig
from lenet.data import Data
from lenet.engine import EpochEvent, StepEvent, metrics_of
from lenet.i18n import later, later_n
from lenet.model import LeNet
from lenet.slot import PUBLISH_S, JobBusy, Progress, Slot, job_record
from lenet.user_models import free_paths, models_dir, write_problem_later
from lenet.worker import WORKER_SPINCOUNT, _worker


@dataclass
class TrainingJob:
    """One training run; start() launches the worker process, stop() asks it to end after the current step.

    state: starting -> running -> (stopping ->) finished | stopped | failed, or unsaved when the model could not
    be saved (a full or read-only disk): its epochs stay here, the slot held, until save_again() or discard().
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
    _t_end: float = 0.0  # perf_counter() when the run ended (0 while it runs): the clock stops there
    _device_name: str = ""
    _sizes: dict = field(default_factory=dict)  # train_examples, test_examples: reported by the worker
    id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    started: float = 0.0  # wall-clock time of start()
    _slot: Slot | None = None  # where the job shares its state with other server processes (JobManager sets it)
    _slot_fd: int | None = None
    _published: float = 0.0
    _ended: str = "finished"  # how the training ended: finished or stopped (before its saving)

    def start(self) -> "TrainingJob":
        ctx = mp.get_context("spawn")  # never fork a multi-threaded web server
        events = ctx.Queue()
        self._stop = ctx.Event()
        self._t0, self.started = time.perf_counter(), time.time()
        self._process = ctx.Process(target=_worker, name=f"lenet-train-{self.name or 'job'}", daemon=True,
                                    args=(self.model_config, self.train_config, self.device, self.data, events,
                                          self._stop))
        # spawn re-runs the parent's __main__ in the child; under Streamlit that is the app script itself.
        # Starting with a bare stand-in __main__ keeps the child to the worker function alone.
        main = sys.modules["__main__"]
        sys.modules["__main__"] = types.ModuleType("__main__")
        spin = os.environ.get("GOMP_SPINCOUNT")
        # The worker's OpenMP threads share the cores with the web server: spinning long while they wait for each
        # other, they slowed to a third whenever the server was busy. A short spin before they sleep (the child
        # reads this as it imports torch): bench/busy_training.py, one core busy 4,878 -> 6,682 examples/s,
        # cores free 15,650 -> 14,422 (waiting passively: 8,787 busy, but 10,799 free).
        os.environ["GOMP_SPINCOUNT"] = WORKER_SPINCOUNT
        try:
            self._process.start()
        finally:
            sys.modules["__main__"] = main
            if spin is None:
                os.environ.pop("GOMP_SPINCOUNT", None)
            else:
                os.environ["GOMP_SPINCOUNT"] = spin
        self._thread = threading.Thread(target=self._listen, args=(events,), name="lenet-train-listener",
                                        daemon=True)
        self._thread.start()
        _STARTED[self.id] = self
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
        elapsed = ((self._t_end or time.perf_counter()) - self._t0) if self._t0 else 0.0
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
        return LeNet.from_state(self.model_config, ev.state_dict)

    def _listen(self, events) -> None:
        """Move the worker's events into this job until the worker reports its end (or dies)."""
        try:
            self._listen_until_done(events)
        except Exception as e:  # never leave a job 'running' with nobody listening
            with self._lock:
                self.state, self.error = "failed", f"{type(e).__name__}: {e}"
        finally:
            self._share(final=True)

    def _share(self, final: bool = False) -> None:
        """Publish the progress for the other server processes (at most every PUBLISH_S, and at the end) and
        honour a stop asked there; at the end, hand the slot back."""
        if self._slot is None:
            return
        try:
            if final or time.time() - self._published >= PUBLISH_S:
                self._published = time.time()
                if not final and self._slot.stop_asked(self.id):
                    self.stop()
                self._slot.publish(job_record(self, self.progress()))
            if final:
                self._slot.clear_stop(self.id)
        except OSError:
            pass  # the folder went away or read-only: this process still shows the run; the others cannot
        finally:
            if final and self._slot_fd is not None and self.state != "unsaved":  # (kept while its model waits)
                Slot.release(self._slot_fd)
                self._slot_fd = None

    def _listen_until_done(self, events) -> None:
        outcome = None
        while outcome is None:
            self._share()
            try:
                kind, payload = events.get(timeout=PUBLISH_S)
            except queue.Empty:
                if not self._process.is_alive():
                    outcome = ("error", later("the training process ended unexpectedly (exit code {code})",
                                              code=self._process.exitcode))
                continue
            with self._lock:
                if kind == "device":
                    self._device_name, self._sizes = payload
                    if self.state == "starting":
                        self.state = "running"
                elif kind == "step":
                    self._steps.append(payload)
                elif kind == "epoch":
                    self._epochs.append(replace(payload, state_dict={
                        k: torch.from_numpy(v) for k, v in payload.state_dict.items()}))
                else:
                    outcome = (kind, payload)
        self._t_end = time.perf_counter()  # the training has ended: saving is not part of its time
        self._process.join(10)
        kind, payload = outcome
        if kind == "done":
            self._ended = "stopped" if payload else "finished"
            final, error = self._try_save()
        else:
            final, error = "failed", payload
        with self._lock:
            self.state, self.error = final, error

    def _try_save(self) -> tuple[str, str | None]:
        """(state, error) after saving the model; 'unsaved' with the reason in words where the disk refused."""
        try:
            self.saved = self._save()
            return self._ended, None
        except Exception as e:
            why = write_problem_later(e, Path(self.out_dir or models_dir()))
            if not isinstance(e, OSError):
                return "failed", why
            with self._lock:
                trained = len(self._epochs) - 1
            return "unsaved", later_n("Not saved: {why}. The {n} trained epoch is kept on this server until there "
                                      "is room: free some (delete a model below), then Save again, or discard the "
                                      "run.", "Not saved: {why}. The {n} trained epochs are kept on this server "
                                      "until there is room: free some (delete a model below), then Save again, or "
                                      "discard the run.", trained, why=why)

    def save_again(self) -> bool:
        """Try once more to save a model that found no room; True when it is saved (the slot is then free)."""
        with self._lock:
            if self.state != "unsaved":
                return self.saved is not None
        final, error = self._try_save()
        with self._lock:
            self.state, self.error = final, error
        if final != "unsaved":
            self._share(final=True)
        return final != "unsaved" and self.saved is not None

    def discard(self) -> None:
        """Give up a model that found no room: its epochs are dropped and the slot is free for another run."""
        with self._lock:
            if self.state != "unsaved":
                return
            self.state, self.error, self._epochs = "discarded", None, self._epochs[:1]
        self._share(final=True)

    def _save(self) -> Path | None:
        """Save the last completed epoch (with every epoch's snapshot) atomically; None if none completed."""
        with self._lock:
            epochs = list(self._epochs)
        if len(epochs) < 2:  # only the initial weights
            return None
        last = epochs[-1]
        # (a run stopped early is named after the epochs it trained: a Stop after 1 of 30 once saved "…-30ep-…")
        name = self.name or default_name(self.model_config, replace(self.train_config, num_epochs=last.epoch))
        snapshots = {str(e.epoch): e.state_dict for e in epochs}
        model = LeNet.from_state(self.model_config, last.state_dict)
        for path in free_paths(name, self.out_dir):  # never over another model of the same name
            try:
                return save_checkpoint(path, model, metrics_of(epochs, self.train_config, **self._sizes),
                                       replace(self.train_config, num_epochs=last.epoch),
                                       extra={"name": name, "snapshots": snapshots}, overwrite=False)
            except FileExistsError:
                continue  # another session saved that name meanwhile
        raise RuntimeError(f"no free file name for {name!r}")


_STARTED: "weakref.WeakValueDictionary[str, TrainingJob]" = weakref.WeakValueDictionary()  # for _end_at_exit
EXIT_WAIT_S = 8.0  # how long a server stopping (Ctrl-C, SIGTERM) waits for its run to save (dashboard.serve: 10)


def _end_at_exit() -> None:
    """The server process is ending (Ctrl-C, SIGTERM from the class command): a run still going is stopped as
    Stop does, its completed epochs saved and its end published, so that no job.json is left saying 'running'
    and no finished epoch is lost. (Registered after multiprocessing's own exit handler, so it runs first,
    while the worker still lives.)"""
    jobs = [job for job in list(_STARTED.values()) if job.alive]
    for job in jobs:
        job.stop()
    deadline = time.time() + EXIT_WAIT_S
    for job in jobs:
        job.join(max(0.1, deadline - time.time()))


atexit.register(_end_at_exit)


def default_name(model_config: ModelConfig, train_config: TrainConfig) -> str:
    """A model's name when the user gave none, e.g. 'relu-max-10ep-20261203-101500' (another member than the
    seed's: its shape too, 'relu-max-6c5bn-16c5bn_120bn-84bn-10ep-…')."""
    shape = "" if model_config.is_seed else "-" + model_config.architecture.replace(" · ", "_")
    return f"{model_config.variant}{shape}-{train_config.num_epochs}ep-{time.strftime('%Y%m%d-%H%M%S')}"


__all__ = ["JobBusy", "Progress", "TrainingJob"]
