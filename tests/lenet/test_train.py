import json
import math
import os
import subprocess
import sys

import pytest
import torch

from lenet import LeNet, ModelConfig, TrainConfig, load_checkpoint
from lenet.config import PRESETS
from lenet.data import Data
from lenet.engine import EpochEvent, StepEvent, Trainer, TrainingDiverged, evaluate
from tests.members import MEMBERS


@pytest.fixture(scope="module")
def small_data(train_data):
    """The first 3,000 real training images and the whole real test set."""
    return Data(train_data.X_train[:3000], train_data.y_train[:3000], train_data.X_test, train_data.y_test)


def test_short_real_run_lowers_the_loss_and_reports_progress(small_data):
    train_config = TrainConfig(lr=3e-3, num_epochs=2, optimizer="adamw", batch_size=128, reports_per_epoch=4)
    trainer = Trainer(ModelConfig("relu", "max"), train_config, device="cpu", data=small_data)
    events = list(trainer.run())
    steps = [e for e in events if isinstance(e, StepEvent)]
    epochs = [e for e in events if isinstance(e, EpochEvent)]
    assert [e.epoch for e in epochs] == [0, 1, 2]
    assert len(steps) == 2 * 4  # 24 steps per epoch, a report every 6: at steps 6, 12, 18 and 24 of each
    assert [round(s.epoch, 2) for s in steps] == [0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0]
    assert [s.step for s in steps] == [6, 12, 18, 24, 30, 36, 42, 48]
    assert steps[-1].step == 2 * math.ceil(3000 / 128)
    assert epochs[2].train_loss < epochs[1].train_loss < 2.0
    assert epochs[2].test_acc > 0.6 > epochs[0].test_acc
    assert epochs[2].test_acc == pytest.approx(evaluate(trainer.model, small_data.X_test, small_data.y_test))
    assert epochs[1].examples_per_sec > 0 and epochs[1].device.startswith("cpu")
    # each epoch carries its own snapshot: epoch 0 is the initial weights
    assert not torch.equal(epochs[0].state_dict["conv1.weight"], epochs[2].state_dict["conv1.weight"])
    assert torch.equal(epochs[2].state_dict["fc3.bias"], trainer.model.fc3.bias.detach())
    history = trainer.metrics()["history"]  # stored with the checkpoint: every epoch's numbers
    assert [h["epoch"] for h in history] == [0, 1, 2] and history[0]["train_loss"] is None
    assert [h["test_acc"] for h in history] == [e.test_acc for e in epochs]
    assert history[2]["train_loss"] == epochs[2].train_loss and history[1]["seconds"] == epochs[1].seconds


def test_classic_recipe_learns_on_real_data(train_data):
    model_config, train_config = PRESETS["classic"]
    assert (train_config.lr, train_config.batch_size, train_config.num_epochs, train_config.optimizer) == \
        (0.9, 256, 10, "sgd")
    trainer = Trainer(model_config, TrainConfig(num_epochs=2), device="cpu", data=train_data)
    epochs = [e for e in trainer.run() if isinstance(e, EpochEvent)]
    # sigmoid LeNet sits near chance for most of epoch 1 (as in d2l), then learns
    assert epochs[2].train_loss < 1.6 and epochs[2].test_acc > 0.45


@pytest.mark.parametrize("activation,num_epochs", [("sigmoid", 5), ("relu", 2)])
def test_l2_pooling_trains(small_data, activation, num_epochs):
    """The op added through the ops table alone trains, with both activations (sigmoid starts slowly)."""
    train_config = TrainConfig(lr=3e-3, num_epochs=num_epochs, optimizer="adamw", batch_size=128)
    trainer = Trainer(ModelConfig(activation, "l2"), train_config, device="cpu", data=small_data)
    epochs = [e for e in trainer.run() if isinstance(e, EpochEvent)]
    assert epochs[-1].train_loss < epochs[-2].train_loss < 2.3
    assert epochs[-1].test_acc > 0.5 > epochs[0].test_acc
    assert trainer.metrics()["epochs"] == num_epochs and trainer.metrics()["train_examples"] == 3000


def test_runs_are_reproducible(small_data):
    train_config = TrainConfig(num_epochs=1, lr=0.1, optimizer="sgd", momentum=0.9, augment=True, seed=7)
    a = Trainer(ModelConfig("relu", "avg"), train_config, device="cpu", data=small_data)
    b = Trainer(ModelConfig("relu", "avg"), train_config, device="cpu", data=small_data)
    la = [e.train_loss for e in a.run() if isinstance(e, StepEvent)]
    lb = [e.train_loss for e in b.run() if isinstance(e, StepEvent)]
    assert la == lb
    assert all(torch.equal(p, q) for p, q in zip(a.model.parameters(), b.model.parameters()))


def test_divergence_stops_with_the_likely_cause(small_data):
    trainer = Trainer(ModelConfig("relu", "avg"), TrainConfig(lr=10.0, num_epochs=3), device="cpu",
                      data=small_data)
    with pytest.raises(TrainingDiverged, match="learning rate 10 is probably too high") as e:
        for _ in trainer.run():
            pass
    assert "ReLUs 'died'" in str(e.value) or "exceeded" in str(e.value) or "NaN" in str(e.value)
    assert "ReLU is unbounded" in str(e.value)  # relu's own hint for plain SGD at a large learning rate
    assert trainer.last_epoch().epoch < 3


@pytest.mark.parametrize("loss,worst,signal,symptom", [(float("nan"), 3.0, 1.0, "NaN or infinite"),
                                                       (40.0, 5e4, 1.0, "exceeded 1000"),
                                                       (2.4, 2.5, 0.0, "ReLUs 'died'")])
def test_each_kind_of_divergence_is_named(small_data, loss, worst, signal, symptom):
    trainer = Trainer(ModelConfig("relu", "max"), TrainConfig(lr=2.0), device="cpu", data=small_data)
    with pytest.raises(TrainingDiverged, match=symptom):
        trainer._check(loss, worst, signal, 1.5)
    trainer._check(0.5, 0.9, 1e-3, 1.5)  # a healthy run passes


def test_should_stop_ends_the_run_early(small_data):
    trainer = Trainer(ModelConfig(), TrainConfig(num_epochs=5), device="cpu", data=small_data)
    events = list(trainer.run(should_stop=lambda: trainer.history and isinstance(trainer.history[-1], StepEvent)))
    assert isinstance(events[-1], StepEvent) and events[-1].epoch < 1
    assert trainer.last_epoch().epoch == 0


def _cli(*args, env=None):
    return subprocess.run([sys.executable, "-m", "lenet.train", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=600)


def test_cli_trains_one_short_epoch_on_real_data_and_prints_json(need_dataset, tmp_path):
    out = tmp_path / "m.pt"
    result = _cli("--activation", "relu", "--pooling", "max", "--preset", "modern", "--epochs", "1",
                  "--train-subset", "6000", "--out", str(out))
    assert result.returncode == 0, result.stderr
    metrics = json.loads(result.stdout.strip().splitlines()[-1])
    for key in ("test_acc", "train_loss", "train_acc", "examples_per_sec", "seconds", "device", "epochs"):
        assert key in metrics
    assert metrics["epochs"] == 1 and metrics["device"].startswith("cpu") and 0.3 < metrics["test_acc"] < 1
    assert "epoch  1.00/1" in result.stderr  # the progress bar
    ck = load_checkpoint(out)
    assert ck.model_config == ModelConfig("relu", "max") and ck.metrics["test_acc"] == metrics["test_acc"]
    assert ck.train_config.optimizer == "adamw" and ck.meta["preset"] == "modern"


def test_cli_trains_a_member_of_the_family(need_dataset, tmp_path):
    """--network batchnorm: d2l §8.5's LeNet, trained (by autograd) and saved with its whole config."""
    from lenet.config import ARCHITECTURES

    out = tmp_path / "bn.pt"
    result = _cli("--network", "batchnorm", "--preset", "demo", "--epochs", "1", "--train-subset", "2000",
                  "--out", str(out))
    assert result.returncode == 0, result.stderr
    ck = load_checkpoint(out)
    assert (ck.model_config.convs, ck.model_config.dense) == ARCHITECTURES["batchnorm"]
    assert "bn1.running_var" in ck.model.state_dict() and ck.metrics["test_acc"] > 0.3


def test_cli_names_all_ways_to_get_a_missing_dataset(tmp_path):
    result = _cli("--epochs", "1", env={"LENET_DATA_DIR": str(tmp_path)})
    assert result.returncode == 2
    for way in ("apt-get install dataset-fashion-mnist", "LENET_DATA_DIR", "--download"):
        assert way in result.stderr
    assert result.stdout == ""


def test_cli_reports_divergence(need_dataset):
    result = _cli("--activation", "relu", "--lr", "10", "--epochs", "1", "--train-subset", "2560", "--quiet")
    assert result.returncode == 3
    assert json.loads(result.stdout.strip().splitlines()[-1])["error"] == "diverged"
    assert "too high" in result.stderr


@pytest.mark.parametrize("name", [k for k in MEMBERS if k != "seed"])
def test_every_member_learns_in_a_short_real_run(small_data, name):
    """Two epochs on 3,000 real images: the loss falls and the test accuracy leaves chance far behind, by the
    hand-written pass or by autograd (BatchNorm, dropout); the snapshot holds BatchNorm's running statistics and
    the model it makes predicts as the trainer's does."""
    config = MEMBERS[name]
    trainer = Trainer(config, TrainConfig(lr=3e-3, num_epochs=2, optimizer="adamw", batch_size=128), device="cpu",
                      data=small_data)
    epochs = [e for e in trainer.run() if isinstance(e, EpochEvent)]
    assert epochs[2].train_loss < epochs[1].train_loss < 2.3
    assert epochs[2].test_acc > 0.6 > epochs[0].test_acc
    model = LeNet.from_state(config, epochs[2].state_dict)
    assert evaluate(model, small_data.X_test, small_data.y_test) == pytest.approx(epochs[2].test_acc)
    if any(b.batchnorm for b in config.convs):
        assert not torch.equal(epochs[2].state_dict["bn1.running_var"], epochs[0].state_dict["bn1.running_var"])
