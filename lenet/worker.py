"""The training worker process: runs lenet.engine.Trainer and sends its events to the server's TrainingJob
(lenet.jobs) over a queue; it never touches any UI, and ends with the server however the server ends."""
from __future__ import annotations

import os
import signal
import threading
import time
from dataclasses import replace

import torch

from lenet.config import ModelConfig, TrainConfig
from lenet.data import Data
from lenet.engine import EpochEvent, Trainer, TrainingDiverged

WORKER_SPINCOUNT = "1000"  # how long the worker's OpenMP threads spin before they sleep (see TrainingJob.start)
# The worker trains on every core this process may use (the web server itself computes on one thread).
TRAIN_THREADS = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def _worker(model_config: ModelConfig, train_config: TrainConfig, device: str, data: Data | None, events,
            stop) -> None:
    """The worker process: train, sending ('device' | 'step' | 'epoch' | 'done' | 'error', payload)."""
    _die_with_parent()
    # a terminal's Ctrl-C reaches the whole process group: the server then stops this run as Stop does
    # (_end_at_exit), and the epochs trained so far are saved rather than lost with a KeyboardInterrupt here
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        torch.set_num_threads(TRAIN_THREADS)
        trainer = Trainer(model_config, train_config, device, data)
        events.put(("device", (trainer.device_name, dict(train_examples=len(trainer.data.X_train),
                                                         test_examples=len(trainer.data.X_test)))))
        for ev in trainer.run(should_stop=stop.is_set):
            if isinstance(ev, EpochEvent):
                # plain arrays: torch would share tensors through file descriptors that die with this process
                ev = replace(ev, state_dict={k: v.numpy() for k, v in ev.state_dict.items()})
            events.put(("epoch" if isinstance(ev, EpochEvent) else "step", ev))
        events.put(("done", stop.is_set()))
    except TrainingDiverged as e:
        events.put(("error", e.said))  # (said in each reader's language)
    except Exception as e:  # the page shows what went wrong instead of a silent stop
        events.put(("error", f"{type(e).__name__}: {e}"))


PARENT_CHECK_S = 0.5


def _die_with_parent() -> None:
    """End this worker as soon as the process that started it is gone, however it died (kill -9 too): a
    thread watches the parent's pid (Linux's PR_SET_PDEATHSIG is no use here: it fires when the *thread*
    that started the worker ends, and the web server starts it from a short-lived script thread)."""
    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(PARENT_CHECK_S)
            if os.getppid() != parent:  # re-parented: the server is gone
                os._exit(3)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()
