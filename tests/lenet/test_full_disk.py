"""A run whose models folder fills up or turns read-only: the page is told in words (never the server's path), the
trained epochs stay until there is room, then they are saved (or discarded), and the slot is free again."""
import re
import time

import pytest

from lenet import ModelConfig, TrainConfig, load_checkpoint
from lenet.checkpoint import snapshots_of
from lenet.data import Data
from lenet.jobs import JobBusy, TrainingJob
from lenet.slot import JobManager, Slot
from lenet.i18n import say


@pytest.fixture(scope="module")
def small(train_data):
    return Data(train_data.X_train[:1280], train_data.y_train[:1280], train_data.X_test[:500],
                train_data.y_test[:500])


def _run(small, disk, mid_run=None) -> TrainingJob:
    job = TrainingJob(ModelConfig("relu", "max"), TrainConfig(lr=3e-3, optimizer="adamw", num_epochs=2),
                      device="cpu", data=small, name="full disk", out_dir=disk.folder)
    JobManager(disk.folder).start(job)
    if mid_run:
        deadline = time.time() + 60
        while not job.progress().steps and time.time() < deadline:
            time.sleep(0.02)
        mid_run()
    assert job.join(120)
    return job


def test_a_full_disk_keeps_the_epochs_until_there_is_room(small, tiny_disk):
    job = _run(small, tiny_disk)
    p = job.progress()
    assert p.state == "unsaved" and p.saved is None, say(p.error)
    assert re.fullmatch(r"Not saved: the models folder models/ is full: [0-9,.]+ [KMG]B free, the model needs "
                        r"1\.0 MB\. The 2 trained epochs are kept on this server until there is room: free some \(delete a model "
                        r"below\), then Save again, or discard the run\.", say(p.error)), say(p.error)
    assert str(tiny_disk.folder) not in say(p.error) and "enforce fail" not in say(p.error)
    assert not list(tiny_disk.folder.glob("*.pt")) and not list(tiny_disk.folder.glob(".*.tmp"))  # no half file
    with pytest.raises(JobBusy, match="not saved yet"):  # the slot stays taken: nothing can push the epochs out
        JobManager(tiny_disk.folder).start(TrainingJob(ModelConfig(), TrainConfig(), data=small))
    assert job.save_again() is False and job.progress().state == "unsaved"  # still full
    tiny_disk.make_room()
    assert job.save_again() is True
    p = job.progress()
    assert p.state == "finished" and p.error is None and p.saved.name == "full-disk.pt"
    assert sorted(snapshots_of(load_checkpoint(p.saved))) == [0, 1, 2]
    Slot.release(Slot(tiny_disk.folder).take())  # free for the next run


def test_a_disk_turned_read_only_says_so_and_a_run_can_be_discarded(small, tiny_disk):
    job = _run(small, tiny_disk, mid_run=tiny_disk.read_only)
    p = job.progress()
    assert p.state == "unsaved" and "models/ is on a disk that has turned read-only" in say(p.error), say(p.error)
    assert str(tiny_disk.folder) not in say(p.error)
    job.discard()
    assert job.progress().state == "discarded" and job.progress().epochs[-1].epoch == 0
    Slot.release(Slot(tiny_disk.folder).take())
