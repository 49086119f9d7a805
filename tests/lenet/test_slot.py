"""One training slot per models folder, shared by server processes: busy elsewhere, live progress, stop from
anywhere, a dead owner frees the slot. Two JobManagers on one folder behave as two processes (flock locks belong
to each open file, not to the process)."""
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from lenet import ModelConfig, TrainConfig, load_checkpoint
from lenet.data import Data
from lenet.jobs import TrainingJob
from lenet.slot import STALE_S, JobBusy, JobManager, RemoteJob, Slot
from lenet.i18n import say


@pytest.fixture(scope="module")
def data():
    g = torch.Generator().manual_seed(0)
    return Data(torch.rand(1024, 1, 28, 28, generator=g), torch.randint(0, 10, (1024,), generator=g),
                torch.rand(256, 1, 28, 28, generator=g), torch.randint(0, 10, (256,), generator=g))


def _job(data, epochs: int) -> TrainingJob:
    return TrainingJob(ModelConfig("relu", "max"), TrainConfig(num_epochs=epochs, optimizer="adamw", lr=1e-3),
                       device="cpu", data=data, name="shared run")


def _wait(condition, timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while not condition():
        assert time.time() < deadline, "timed out"
        time.sleep(0.05)


def test_a_job_is_seen_and_stopped_from_another_process_and_the_slot_is_one(data, tmp_path):
    owner, other = JobManager(tmp_path), JobManager(tmp_path)
    assert other.current is None
    job = owner.start(_job(data, 500))
    try:
        with pytest.raises(JobBusy, match="another of its processes"):
            other.start(_job(data, 1))
        _wait(lambda: isinstance(other.current, RemoteJob) and len(other.current.progress().epochs) >= 2)
        seen = other.current
        assert seen.id == job.id and seen.alive and seen.name == "shared run"
        assert seen.model_config == job.model_config and seen.train_config == job.train_config
        p = seen.progress()
        assert p.state == "running" and p.num_epochs == 500 and p.device == job.progress().device
        assert [e.epoch for e in p.epochs] == [e.epoch for e in job.progress().epochs[:len(p.epochs)]]
        assert p.steps[0] == job.progress().steps[0]  # the same events, through the file

        seen.stop()  # a lecturer's Stop on the other process
        assert job.join(30) and job.progress().state == "stopped"
        _wait(lambda: not other.current.alive, 10)
        done = other.current.progress()
        assert done.state == "stopped" and done.saved == job.progress().saved
        assert load_checkpoint(done.saved).metrics["epochs"] == done.epochs[-1].epoch
        assert not list((tmp_path / ".training").glob("stop-*"))  # the request is gone with the job
        second = other.start(_job(data, 1))  # the slot is free again, for any process
        assert second.join(60) and owner.current.id == second.id  # the newest job is the one shown
    finally:
        job.stop()
        job.join(30)


_HOLDER = """
import sys, time
from lenet.slot import Slot
Slot(sys.argv[1]).take()
print("holding", flush=True)
time.sleep(600)
"""


def test_a_killed_owner_frees_the_slot_and_its_job_is_reported_ended(data, tmp_path):
    holder = subprocess.Popen([sys.executable, "-c", _HOLDER, str(tmp_path)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        with pytest.raises(JobBusy):
            JobManager(tmp_path).start(_job(data, 1))
        Slot(tmp_path).publish({"id": "gone1", "owner": "host:1", "started": time.time() - 100,
                                "updated": time.time() - STALE_S - 1, "model_config": {}, "train_config": {},
                                "state": "running", "steps": [], "epochs": [], "elapsed": 90.0})
    finally:
        holder.kill()  # kill -9: the kernel releases its lock
        holder.wait()
    manager = JobManager(tmp_path)
    seen = manager.current
    assert not seen.alive and seen.progress().state == "failed" and "ended" in say(seen.progress().error)
    assert Slot(tmp_path).settle() is True  # the record itself now says so (the class command does this)
    record = Slot(tmp_path).read()
    assert record["state"] == "failed" and "host:1 was stopped or killed mid-run" in say(record["error"])
    assert Slot(tmp_path).settle() is False
    job = manager.start(_job(data, 1))
    assert job.join(60) and job.progress().state == "finished"


@pytest.mark.parametrize("content", ["not json", "[1, 2]", json.dumps({"id": "x", "model_config": {"bad": 1},
                                                                      "train_config": {}, "state": "running"})])
def test_a_broken_job_file_shows_no_job(tmp_path, content):
    (tmp_path / ".training").mkdir()
    (tmp_path / ".training" / "job.json").write_text(content)
    assert JobManager(tmp_path).current is None


def test_an_unusable_folder_refuses_with_a_reason(data, tmp_path):
    (tmp_path / "file").write_text("not a folder")
    with pytest.raises(JobBusy, match="Not started"):
        JobManager(tmp_path / "file").start(_job(data, 1))


_CTRL_C = """
import sys, time
from lenet import ModelConfig, TrainConfig
from lenet.data import Data
from lenet.jobs import TrainingJob
from lenet.slot import JobManager
import torch
g = torch.Generator().manual_seed(0)
data = Data(torch.rand(1024, 1, 28, 28, generator=g), torch.randint(0, 10, (1024,), generator=g),
            torch.rand(256, 1, 28, 28, generator=g), torch.randint(0, 10, (256,), generator=g))
job = JobManager(sys.argv[1]).start(TrainingJob(ModelConfig("relu", "max"), TrainConfig(num_epochs=500,
                                    optimizer="adamw", lr=1e-3), device="cpu", data=data, name="interrupted"))
while len(job.progress().epochs) < 2:
    time.sleep(0.05)
print("trained an epoch", flush=True)
time.sleep(600)
"""


def test_ctrl_c_on_the_server_saves_the_epochs_trained_and_ends_the_record(tmp_path):
    """A terminal's Ctrl-C reaches the server and its training worker (one process group): the worker carries on
    until the server, ending, stops it as Stop does; the completed epochs are saved and job.json says stopped."""
    import os
    import signal

    server = subprocess.Popen([sys.executable, "-c", _CTRL_C, str(tmp_path)], stdout=subprocess.PIPE, text=True,
                              start_new_session=True)
    try:
        assert server.stdout.readline().strip() == "trained an epoch"
        os.killpg(server.pid, signal.SIGINT)
        server.wait(60)
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
    record = Slot(tmp_path).read()
    assert record["state"] == "stopped" and record["saved"], record.get("error")
    ck = load_checkpoint(tmp_path / Path(record["saved"]).name)
    assert 1 <= ck.metrics["epochs"] < 500
