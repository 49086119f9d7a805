import os
import pickle
import re
import subprocess
import sys

import pytest
import torch

from lenet import CheckpointError, ModelConfig, TrainConfig, build_model, load_checkpoint, save_checkpoint
from lenet.checkpoint import FORMAT, MAX_RECORDS
from lenet.i18n import say
from lenet.pretrained import RECIPES, SHIPPED, closest_shipped, load_pretrained, pretrained_path
from lenet.ops import POOLINGS
from tests.files import hostile_files, zip_bomb


def test_round_trip_keeps_weights_config_and_metrics(tmp_path):
    model = build_model(ModelConfig("relu", "max"), seed=4)
    path = save_checkpoint(tmp_path / "m.pt", model, {"test_acc": 0.9, "epochs": 3}, TrainConfig(lr=0.1))
    ck = load_checkpoint(path)
    assert ck.model_config == ModelConfig("relu", "max") and ck.train_config == TrainConfig(lr=0.1)
    assert ck.metrics == {"test_acc": 0.9, "epochs": 3}
    assert ck.meta["torch"] == str(torch.__version__) and "date" in ck.meta
    assert not ck.model.training
    for k, v in model.state_dict().items():
        assert torch.equal(ck.model.state_dict()[k], v)
    assert [p.name for p in tmp_path.iterdir()] == ["m.pt"]  # no temp file left behind


def test_missing_file(tmp_path):
    with pytest.raises(CheckpointError, match="not found") as e:
        load_checkpoint(tmp_path / "nope.pt")
    assert "nope.pt" in str(e.value)


@pytest.mark.parametrize("keep", [0, 100, 0.5, 0.9])
def test_truncated_file_is_refused(tmp_path, keep):
    path = save_checkpoint(tmp_path / "m.pt", build_model())
    data = path.read_bytes()
    cut = tmp_path / "cut.pt"
    cut.write_bytes(data[: int(len(data) * keep) if isinstance(keep, float) else keep])
    with pytest.raises(CheckpointError, match="cut.pt: .*(truncated or corrupt|not a LeNet)"):
        load_checkpoint(cut)


def test_wrong_architecture_is_refused(tmp_path):
    state = build_model().state_dict()
    state["fc1.weight"] = torch.zeros(64, 400)
    torch.save({"format": FORMAT, "model_config": ModelConfig().to_dict(), "train_config": None,
                "metrics": {}, "meta": {}, "state_dict": state}, tmp_path / "wide.pt")
    with pytest.raises(CheckpointError, match="wide.pt: .*architecture"):
        load_checkpoint(tmp_path / "wide.pt")
    torch.save(torch.nn.Linear(3, 3).state_dict(), tmp_path / "other.pt")
    with pytest.raises(CheckpointError, match="not a LeNet explainer checkpoint"):
        load_checkpoint(tmp_path / "other.pt")


class _Evil:
    def __reduce__(self):
        return (os.system, (f"touch {_Evil.marker}",))


def test_pickle_payload_is_refused_without_running_code(tmp_path):
    marker = tmp_path / "pwned"
    _Evil.marker = marker
    path = tmp_path / "evil.pt"
    torch.save({"format": FORMAT, "payload": _Evil()}, path)
    assert not marker.exists()
    with pytest.raises(CheckpointError, match="evil.pt: refused"):
        load_checkpoint(path)
    assert not marker.exists()
    raw = tmp_path / "raw.pt"
    raw.write_bytes(pickle.dumps(_Evil()))
    with pytest.raises(CheckpointError):
        load_checkpoint(raw)
    assert not marker.exists()


def test_nan_weights_are_refused(tmp_path):
    model = build_model()
    with torch.no_grad():
        model.fc2.weight[0, 0] = float("nan")
    with pytest.raises(CheckpointError, match="NaN"):
        load_checkpoint(save_checkpoint(tmp_path / "nan.pt", model))


def test_killed_writer_leaves_the_old_file_intact(tmp_path):
    """kill -9 in the middle of a save: the previous checkpoint under that name still loads."""
    path = save_checkpoint(tmp_path / "m.pt", build_model(seed=1), {"test_acc": 0.5})
    code = ("import os, torch, lenet.checkpoint as c\n"
            "from lenet import build_model\n"
            "real = torch.save\n"
            "def slow(obj, f):\n"
            "    f.write(b'PK' * 1000); f.flush(); os.kill(os.getpid(), 9)\n"
            "torch.save = slow\n"
            f"c.save_checkpoint({str(path)!r}, build_model(seed=2), {{'test_acc': 0.9}})\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True)
    assert result.returncode == -9
    assert load_checkpoint(path).metrics == {"test_acc": 0.5}


@pytest.mark.parametrize("variant", list(SHIPPED))
def test_shipped_weights_load_and_carry_their_metrics(variant):
    path = pretrained_path(variant)
    ck = load_checkpoint(path)
    activation, pooling = SHIPPED[variant].activation, SHIPPED[variant].pooling
    assert ck.model_config == ModelConfig(activation, pooling)
    assert ck.metrics["test_examples"] == 10_000 and ck.metrics["train_examples"] == 60_000
    assert 0.75 < ck.metrics["test_acc"] < 1.0
    history = ck.metrics["history"]  # every epoch, for the "Max or average?" page's curves
    assert [h["epoch"] for h in history] == list(range(ck.metrics["epochs"] + 1))
    assert history[-1]["test_acc"] == ck.metrics["test_acc"] and history[-1]["train_loss"] == ck.metrics["train_loss"]
    assert path.stat().st_size < 400_000
    model = load_pretrained(activation, pooling)
    assert not model.training and next(model.parameters()).device.type == "cpu"


def test_shipped_targets():
    assert load_checkpoint(pretrained_path("sigmoid-avg")).metrics["test_acc"] >= 0.79
    assert load_checkpoint(pretrained_path("relu-max")).metrics["test_acc"] >= 0.91


def test_the_shipped_variants_and_their_recipes_come_from_the_ops_table():
    """Every activation × every pooling marked shipped: the four variants; L2 ships none."""
    shipped_poolings = [p for p, op in POOLINGS.items() if op.shipped]
    assert shipped_poolings == ["avg", "max"] and not POOLINGS["l2"].shipped
    assert list(SHIPPED) == ["sigmoid-avg", "sigmoid-max", "relu-avg", "relu-max"]
    assert RECIPES["sigmoid-avg"] == ["--preset", "classic", "--pooling", "avg"]  # the seed's recipe
    assert RECIPES["relu-max"] == ["--preset", "modern", "--pooling", "max"]
    assert all(pretrained_path(v).is_file() for v in SHIPPED)
    assert closest_shipped("relu", "max") == "relu-max" and closest_shipped("relu", "l2") == "relu-avg"
    assert closest_shipped("sigmoid", "l2") == "sigmoid-avg"


def test_no_file_raises_anything_but_a_checkpoint_error(tmp_path):
    """A text file, a link to a system file, a folder, nonsense metrics or snapshots: each a one-line reason."""
    import re

    for name, reason in hostile_files(tmp_path).items():
        with pytest.raises(CheckpointError) as e:
            load_checkpoint(tmp_path / name)
        assert re.search(reason, e.value.problem), (name, e.value.problem)
        assert "\n" not in str(e.value) and name in str(e.value)


def test_the_models_folder_lists_every_bad_file_as_skipped(tmp_path):
    from lenet.user_models import scan_models

    hostile = hostile_files(tmp_path)
    save_checkpoint(tmp_path / "good.pt", build_model(ModelConfig(), seed=1), {"test_acc": 0.5, "epochs": 2})
    models, said = scan_models(tmp_path)
    skipped = [say(line) for line in said]  # (each line said in the reader's language)
    assert [m.path.name for m in models] == ["good.pt"]
    assert sorted(line.split(":")[0] for line in skipped) == sorted(hostile)
    assert not any(str(tmp_path) in line for line in skipped)  # file names, not server paths


def test_stray_temp_files_of_a_killed_save_are_cleaned(tmp_path):
    import time

    from lenet.user_models import STRAY_AGE_S, clean_stray_temps

    old, fresh = tmp_path / ".run.pt.abc.tmp", tmp_path / ".other.pt.def.tmp"
    old.write_bytes(b"half a file")
    fresh.write_bytes(b"a save in progress")
    os.utime(old, (time.time() - STRAY_AGE_S - 60,) * 2)
    assert clean_stray_temps(tmp_path) == [old.name]
    assert not old.exists() and fresh.exists()  # a save still being written is left alone


@pytest.mark.parametrize("history", ["text", [1, 2], [{"epoch": "one"}], [{"epoch": 1, "test_acc": float("nan")}],
                                     [{"epoch": 1, "test_acc": "0.9"}]])
def test_a_history_that_is_not_a_list_of_epochs_is_refused(tmp_path, history):
    path = save_checkpoint(tmp_path / "h.pt", build_model(seed=1), {"test_acc": 0.5, "history": history})
    with pytest.raises(CheckpointError, match="training history is not a list of epochs"):
        load_checkpoint(path)


def test_the_documented_command_makes_every_variant_or_those_named():
    """`python -m lenet.pretrained` (no arguments) once failed: argparse checked its default list against the
    choices."""
    from lenet.pretrained import parse_args

    assert parse_args([]).variants == list(SHIPPED)
    assert parse_args(["relu-max", "--device", "cpu"]).variants == ["relu-max"]
    with pytest.raises(SystemExit):
        parse_args(["relu-l2"])


def _payload(model, **changes) -> dict:
    """A checkpoint's payload as save_checkpoint writes it, with some fields changed (a hostile or careless file)."""
    payload = {"format": FORMAT, "model_config": model.config.to_dict(), "train_config": TrainConfig().to_dict(),
               "metrics": {"test_acc": 0.9, "epochs": 2}, "meta": {"name": "fine"},
               "state_dict": {k: v.clone() for k, v in model.state_dict().items()}}
    for path, value in changes.items():
        table, _, key = path.partition(".")
        payload[table][key] = value
    return payload


@pytest.mark.parametrize("field,value,said", [
    ("meta.name", 42, "its name is not a short text"),
    ("meta.name", "x" * 500, "its name is not a short text"),
    ("metrics.evaluated_on", ["a list"], "its evaluated_on is not a short text"),
    ("train_config.seed", "abc", "invalid configuration"),
    ("train_config.lr", float("nan"), "invalid configuration"),
    ("train_config.augment", 1, "invalid configuration"),
    ("meta.snapshots", {"²": None}, "a snapshot's key is not an epoch number"),
    ("meta.snapshots", {"12345678901234567890": None}, "a snapshot's key is not an epoch number"),
    ("meta.snapshots", {"0": "nan"}, "holds NaN"),
])
def test_every_field_a_page_reads_is_checked_when_the_file_is_read(tmp_path, field, value, said):
    """A checkpoint whose name is a number, whose seed is text or whose snapshots are keyed oddly or all NaN
    broke pages (TypeError, ValueError, 'T-shirt/top nan%'): now it is a one-line refusal at load."""
    model = build_model(ModelConfig("relu", "max"), seed=0)
    if field == "meta.snapshots" and value == {"0": "nan"}:
        value = {"0": {k: torch.full_like(v, float("nan")) for k, v in model.state_dict().items()}}
    elif field == "meta.snapshots":
        value = {k: model.state_dict() for k in value}
    if field == "train_config.seed" or field.startswith("train_config."):
        payload = _payload(model)
        payload["train_config"][field.split(".")[1]] = value
    else:
        payload = _payload(model, **{field: value})
    torch.save(payload, tmp_path / "odd.pt")
    with pytest.raises(CheckpointError) as e:
        load_checkpoint(tmp_path / "odd.pt")
    assert said in e.value.problem and len(str(e.value).splitlines()) == 1
    torch.save(_payload(model), tmp_path / "fine.pt")  # the same without the odd field loads
    assert load_checkpoint(tmp_path / "fine.pt").meta["name"] == "fine"


def test_a_zip_bomb_is_refused_from_its_directory_before_anything_is_inflated(tmp_path):
    """A record that inflates to 500 MB from a 0.6 MB file: refused, and the process grows by far less than the
    50 MB goal (torch's reader inflated it whole before it checked the size: +500 MB on every read)."""
    zip_bomb(save_checkpoint(tmp_path / "ok.pt", build_model(ModelConfig(), seed=0)), tmp_path / "bomb.pt",
             500 * 2**20)
    assert (tmp_path / "bomb.pt").stat().st_size < 2_000_000
    script = f"""
import resource
from lenet.checkpoint import CheckpointError, load_checkpoint
load_checkpoint({str(tmp_path / 'ok.pt')!r})  # torch warmed up: what follows is the bomb's own cost
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    load_checkpoint({str(tmp_path / 'bomb.pt')!r})
except CheckpointError as e:
    print(e.problem)
print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) // 1024)
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True)
    problem, grew_mb = out.stdout.strip().splitlines()
    assert re.fullmatch(r"its records would inflate to 524 MB from a 0\.[0-9] MB file \(a compressed bomb\?\): "
                        r"refused before inflating", problem), problem
    assert int(grew_mb) < 20, out.stdout


def test_a_zip_with_more_records_than_any_checkpoint_is_refused(tmp_path):
    import zipfile

    with zipfile.ZipFile(tmp_path / "many.pt", "w") as z:
        for k in range(MAX_RECORDS + 1):
            z.writestr(f"archive/data/{k}", b"")
    with pytest.raises(CheckpointError, match="more than 50,000 records"):
        load_checkpoint(tmp_path / "many.pt")
