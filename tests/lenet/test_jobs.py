"""The background training worker, without any UI: progress, stop, divergence, atomic save, one job at a time."""
import time

import pytest
import torch

from lenet import ModelConfig, TrainConfig, load_checkpoint
from lenet.checkpoint import snapshot_model, snapshots_of
from lenet.data import Data
from lenet.jobs import JobBusy, TrainingJob
from lenet.slot import JobManager
from lenet.i18n import say


@pytest.fixture(scope="module")
def small(train_data):
    return Data(train_data.X_train[:2560], train_data.y_train[:2560], train_data.X_test[:2000],
                train_data.y_test[:2000])


def _job(small, tmp_path, name: str | None = "my run", **changes):
    train = TrainConfig(**{"lr": 3e-3, "optimizer": "adamw", "num_epochs": 2, **changes})
    return TrainingJob(ModelConfig("relu", "max"), train, device="cpu", data=small, name=name, out_dir=tmp_path)


def test_job_reports_progress_and_saves_atomically(small, tmp_path):
    job = _job(small, tmp_path).start()
    assert job.join(120) and not job.alive  # no worker thread outlives its job
    p = job.progress()
    assert p.state == "finished" and p.error is None
    assert [e.epoch for e in p.epochs] == [0, 1, 2] and len(p.steps) == 10 and p.fraction == 1.0
    assert p.saved == tmp_path / "my-run.pt" and [f.name for f in tmp_path.iterdir()] == ["my-run.pt"]
    ck = load_checkpoint(p.saved)
    assert ck.metrics["epochs"] == 2 and ck.metrics["test_acc"] == p.epochs[-1].test_acc
    assert (ck.metrics["train_examples"], ck.metrics["test_examples"]) == (2560, 2000)  # as the CLI stores them
    snaps = snapshots_of(ck)
    assert sorted(snaps) == [0, 1, 2]
    assert torch.equal(snaps[2]["conv1.weight"], ck.model.conv1.weight)
    assert not torch.equal(snaps[0]["conv1.weight"], snaps[2]["conv1.weight"])
    assert torch.equal(job.snapshot(1).fc3.bias, snaps[1]["fc3.bias"])
    assert torch.equal(snapshot_model(ck, 1).fc3.bias, snaps[1]["fc3.bias"])


def test_the_clock_stops_when_the_run_ends(small, tmp_path):
    """A finished run's elapsed time stays what it was (the page once counted on: 70 s, then 134, 520 ...)."""
    job = _job(small, tmp_path).start()
    assert job.join(120)
    first = job.progress().elapsed
    time.sleep(1.0)
    assert job.progress().elapsed == first > 0


def test_stop_ends_at_once_and_keeps_the_last_completed_epoch(small, tmp_path):
    job = _job(small, tmp_path, name=None, num_epochs=50).start()
    deadline = time.time() + 60
    while len(job.progress().epochs) < 2 and time.time() < deadline:
        time.sleep(0.05)
    at_stop = job.progress().steps[-1].epoch
    job.stop()
    assert job.join(60)
    p = job.progress()
    # it ends within a step, not an epoch: less than one more epoch of steps after the stop was asked
    assert p.steps[-1].epoch - at_stop < 1
    assert p.state == "stopped" and p.epochs[-1].epoch < 50
    ck = load_checkpoint(p.saved)
    assert ck.metrics["epochs"] == p.epochs[-1].epoch >= 1
    # named after the epochs it trained, not the 50 asked for (a Stop after 1 of 30 was saved as "…-30ep-…")
    assert p.saved.name.startswith(f"relu-max-{p.epochs[-1].epoch}ep-")


def test_divergence_is_reported_and_nothing_is_saved(small, tmp_path):
    job = TrainingJob(ModelConfig("relu", "avg"), TrainConfig(lr=10.0, num_epochs=3), device="cpu", data=small,
                      out_dir=tmp_path).start()
    assert job.join(120)
    p = job.progress()
    assert p.state == "failed" and "learning rate 10 is probably too high" in say(p.error)
    assert p.saved is None and not list(tmp_path.iterdir())


def test_one_job_per_server(small, tmp_path):
    manager = JobManager()
    first = manager.start(_job(small, tmp_path / "a", num_epochs=30))
    with pytest.raises(JobBusy):
        manager.start(_job(small, tmp_path / "b"))
    first.stop()
    assert first.join(30)
    second = manager.start(_job(small, tmp_path / "b", num_epochs=1))
    assert second.join(60) and second.progress().state == "finished"


def test_killed_worker_is_reported_and_saved_models_survive(small, tmp_path):
    import os
    import signal

    earlier = TrainingJob(ModelConfig(), TrainConfig(num_epochs=1), device="cpu", data=small, name="earlier",
                          out_dir=tmp_path).start()
    assert earlier.join(60) and earlier.progress().saved is not None
    before = (tmp_path / "earlier.pt").read_bytes()
    job = _job(small, tmp_path, num_epochs=50).start()
    deadline = time.time() + 60
    while not job.progress().steps and time.time() < deadline:
        time.sleep(0.05)
    os.kill(job._process.pid, signal.SIGKILL)  # kill -9 mid-training
    assert job.join(30) and not job.alive  # neither the process nor the listener outlives the job
    p = job.progress()
    assert p.state == "failed" and "ended unexpectedly" in say(p.error) and p.saved is None
    assert (tmp_path / "earlier.pt").read_bytes() == before and load_checkpoint(tmp_path / "earlier.pt")
    assert sorted(f.name for f in tmp_path.iterdir()) == ["earlier.pt"]  # no half-written file


def test_saving_never_overwrites_a_model_of_the_same_name(small, tmp_path):
    first = _job(small, tmp_path, num_epochs=1).start()
    assert first.join(60) and first.progress().saved == tmp_path / "my-run.pt"
    before = (tmp_path / "my-run.pt").read_bytes()
    second = _job(small, tmp_path, num_epochs=1, seed=1).start()
    assert second.join(60) and second.progress().saved == tmp_path / "my-run-2.pt"
    assert (tmp_path / "my-run.pt").read_bytes() == before  # the first is untouched
    assert load_checkpoint(tmp_path / "my-run-2.pt").meta["name"] == "my run"


_ORPHAN = """
import os, signal, sys, time, torch
from lenet import ModelConfig, TrainConfig
from lenet.data import Data
from lenet.jobs import TrainingJob
g = torch.Generator().manual_seed(0)
data = Data(torch.rand(512, 1, 28, 28, generator=g), torch.randint(0, 10, (512,), generator=g),
            torch.rand(256, 1, 28, 28, generator=g), torch.randint(0, 10, (256,), generator=g))
job = TrainingJob(ModelConfig(), TrainConfig(num_epochs=10_000), device="cpu", data=data,
                  out_dir=sys.argv[1]).start()
while not job.progress().steps:
    time.sleep(0.05)
print(job._process.pid, flush=True)
os.kill(os.getpid(), signal.SIGKILL)  # the server dies the hardest way
"""


def test_the_worker_dies_with_the_server(tmp_path):
    import os
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", _ORPHAN, str(tmp_path)], capture_output=True, text=True,
                         timeout=120)
    worker = int(out.stdout.split()[0])
    deadline = time.time() + 15
    def gone() -> bool:  # ended (a zombie nobody has reaped yet counts as ended)
        try:
            with open(f"/proc/{worker}/stat") as f:
                return f.read().rsplit(")", 1)[1].split()[0] == "Z"
        except FileNotFoundError:
            return True

    while time.time() < deadline:
        if gone():
            break
        time.sleep(0.1)
    else:
        os.kill(worker, 9)
        pytest.fail("the training worker outlived the server that started it")
    assert list(tmp_path.iterdir()) == []  # nothing half-saved
