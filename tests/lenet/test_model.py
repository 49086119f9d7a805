import math
import pkgutil
import subprocess
import sys

import pytest
import torch

import lenet
from lenet import STAGES, LeNet, ModelConfig, build_model, count_params, with_ops
from lenet.ops import ACTIVATIONS, POOLINGS
from lenet.config import ARCHITECTURES, ConvBlock, DenseLayer
from lenet.stages import MODULE_STAGES, stages_of
from tests.members import MEMBERS

VARIANTS = [ModelConfig(a, p) for a in ACTIVATIONS for p in POOLINGS]


def test_default_is_the_classic_lenet():
    model = build_model()
    assert model.config == ModelConfig("sigmoid", "avg")
    assert count_params(model) == 61_706
    assert isinstance(model.act1, torch.nn.Sigmoid) and isinstance(model.pool1, torch.nn.AvgPool2d)
    assert model.conv1.padding == (2, 2) and model.conv2.padding == (0, 0)


@pytest.mark.parametrize("config", VARIANTS, ids=lambda c: c.variant)
def test_every_stage_has_the_registry_shape(config):
    """The seed's printout: each layer's output shape for one random input, for every variant."""
    model = build_model(config)
    X = torch.rand(3, 1, 28, 28)
    for stage in MODULE_STAGES:
        X = getattr(model, stage.name)(X)
        assert tuple(X.shape) == (3, *stage.shape), stage.name
    assert [n for n, _ in model.named_children()] == [s.name for s in MODULE_STAGES]
    assert count_params(model) == 61_706


def test_registry_kinds_are_explicit_and_complete():
    assert [s.name for s in STAGES] == ["input", "conv1", "act1", "pool1", "conv2", "act2", "pool2", "flatten",
                                       "fc1", "act3", "fc2", "act4", "fc3", "softmax"]
    kinds = {s.name: s.kind for s in STAGES}
    assert kinds["conv1"] == kinds["conv2"] == "conv"
    assert kinds["pool1"] == kinds["pool2"] == "pool"
    assert {kinds[n] for n in ("act1", "act2", "act3", "act4")} == {"activation"}
    assert {kinds[n] for n in ("fc1", "fc2", "fc3")} == {"dense"}
    for s in STAGES:
        for c in VARIANTS:
            text = s.describe(c)
            assert len(text) > 60 and "{" not in text


def test_xavier_init_is_seeded():
    a, b, c = build_model(seed=1), build_model(seed=1), build_model(seed=2)
    assert torch.equal(a.conv1.weight, b.conv1.weight)
    assert not torch.equal(a.conv1.weight, c.conv1.weight)
    bound = (6 / (400 + 120)) ** 0.5  # Xavier-uniform bound of fc1
    assert a.fc1.weight.abs().max() <= bound and a.fc1.weight.abs().max() > 0.9 * bound


def test_neighbours_and_the_flattened_layout_come_from_the_registry():
    assert STAGES.previous("conv2").name == "pool1" and STAGES.next("fc3").name == "softmax"
    assert STAGES.next("softmax") is None and STAGES.logits.name == "fc3"
    source = STAGES.flat_source("fc1")
    assert source.name == "pool2" and source.shape == (16, 5, 5)
    assert math.prod(source.shape) == STAGES.previous("fc1").shape[0] == 400  # the flatten in between
    assert STAGES.flat_source("fc2") is None and STAGES.flat_source("conv1") is None


@pytest.mark.parametrize("name", MEMBERS)
def test_every_member_has_its_registry_shapes_and_texts(name):
    """Stages derived from the config: each layer's output has the registry's shape, the module names are the
    registry's, the stage names are unique and every explanation is filled in."""
    config = MEMBERS[name]
    model = build_model(config, seed=0).eval()
    stages = model.stages
    assert stages is stages_of(config) and len({s.name for s in stages}) == len(stages)
    X = torch.rand(3, 1, 28, 28)
    for stage in stages.modules:
        X = getattr(model, stage.name)(X)
        assert tuple(X.shape) == (3, *stage.shape), stage.name
    assert [n for n, _m in model.named_children()] == [s.name for s in stages.modules]
    assert [s.kind for s in stages][:2] == ["input", "conv"] and [s.kind for s in stages][-2:] == ["dense", "softmax"]
    assert sum(s.kind == "conv" for s in stages) == len(config.convs)
    assert sum(s.kind == "dense" for s in stages) == len(config.dense) + 1
    assert sum(s.kind == "batchnorm" for s in stages) == sum(p.batchnorm for p in (*config.convs, *config.dense))
    for s in stages:
        text = s.describe(config)
        assert len(text) > 60 and "{" not in text and s.title and "{" not in s.title, s.name
    LeNet.from_state(config, model.state_dict())  # its own weights fit


def test_d2l_batchnorm_lenet_is_the_books():
    """d2l §8.5: no padding on the first conv, 16×4×4 into the first dense layer, BatchNorm after every conv and
    hidden dense layer; 156 + 12 + 2,416 + 32 + 30,840 + 240 + 10,164 + 168 + 850 = 44,878 parameters (each BatchNorm
    learns γ and β per map or neuron)."""
    convs, dense = ARCHITECTURES["batchnorm"]
    model = build_model(ModelConfig("sigmoid", "avg", convs, dense))
    assert [n for n, _m in model.named_children()] == [
        "conv1", "bn1", "act1", "pool1", "conv2", "bn2", "act2", "pool2", "flatten", "fc1", "bn3", "act3", "fc2",
        "bn4", "act4", "fc3"]
    assert model.fc1.in_features == 256 and isinstance(model.bn3, torch.nn.BatchNorm1d)
    assert count_params(model) == 44_878


def test_the_seeds_config_and_old_checkpoints_read_the_same():
    assert ModelConfig().is_seed and ModelConfig.from_dict({"activation": "relu", "pooling": "max"}) == \
        ModelConfig("relu", "max")
    config = MEMBERS["dropout_nopool"]
    assert ModelConfig.from_dict(config.to_dict()) == config and not config.is_seed
    assert ModelConfig().architecture == "6c5p2-16c5 · 120-84"


@pytest.mark.parametrize("change,match", [
    (dict(convs=()), "conv blocks"), (dict(convs=(ConvBlock(),) * 5), "conv blocks"),
    (dict(dense=(DenseLayer(),) * 4), "hidden dense"),
    (dict(convs=(ConvBlock(6, 7, 0), ConvBlock(6, 7, 0), ConvBlock(6, 7, 0))), "shrink to nothing"),
])
def test_a_config_outside_the_family_is_refused(change, match):
    with pytest.raises(ValueError, match=match):
        ModelConfig(**change)


@pytest.mark.parametrize("make,match", [
    (lambda: ConvBlock(65), "channels"), (lambda: ConvBlock(6, 8), "kernel"), (lambda: ConvBlock(6, 3, 3), "padding"),
    (lambda: DenseLayer(1025), "neurons"), (lambda: DenseLayer(10, dropout=1.0), "dropout"),
    (lambda: ConvBlock(6.5), "channels must be int"), (lambda: ModelConfig.from_dict({"convs": "x"}), "convs"),
])
def test_a_block_outside_the_bounds_is_refused(make, match):
    with pytest.raises(ValueError, match=match):
        make()


@pytest.mark.parametrize("op,arg,attr,cls", [("pooling", "max", "pool1", torch.nn.MaxPool2d),
                                             ("activation", "relu", "act1", torch.nn.ReLU),
                                             ("pooling", "l2", "pool2", POOLINGS["l2"].module().__class__)])
def test_swaps_return_a_new_model_and_leave_the_argument_untouched(op, arg, attr, cls):
    model = build_model(seed=0)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    X = torch.rand(4, 1, 28, 28)
    out_before = model(X)
    new = with_ops(model, **{op: arg})
    assert new is not model and isinstance(getattr(new, attr), cls) and getattr(new.config, op) == arg
    assert model.config == ModelConfig() and not isinstance(getattr(model, attr), cls)
    for k, v in model.state_dict().items():
        assert torch.equal(v, before[k])
        assert torch.equal(new.state_dict()[k], v) and new.state_dict()[k].data_ptr() != v.data_ptr()
    assert torch.equal(model(X), out_before)
    assert not torch.allclose(new(X), out_before)
    with torch.no_grad():  # the copy's weights are its own
        new.conv1.weight.add_(1.0)
    assert torch.equal(model.conv1.weight, before["conv1.weight"])


def test_from_state_copies_the_weights_and_refuses_the_wrong_shapes():
    model = build_model(ModelConfig("relu", "max"), seed=5)
    copy = LeNet.from_state(ModelConfig("relu", "max"), model.state_dict())
    assert not copy.training and copy.config == ModelConfig("relu", "max")
    for k, v in model.state_dict().items():
        assert torch.equal(copy.state_dict()[k], v) and copy.state_dict()[k].data_ptr() != v.data_ptr()
    state = model.state_dict()
    state["fc1.weight"] = torch.zeros(64, 400)
    with pytest.raises(RuntimeError, match="fc1.weight"):
        LeNet.from_state(ModelConfig(), state)


def test_bad_config_is_refused():
    with pytest.raises(ValueError, match="pooling"):
        ModelConfig(pooling="min")
    with pytest.raises(ValueError, match="activation"):
        ModelConfig(activation="tanh")


def test_lenet_imports_no_ui_libraries():
    """Every module of the lenet package, imported in a fresh interpreter, brings in neither UI library."""
    modules = sorted(f"lenet.{m.name}" for m in pkgutil.iter_modules(lenet.__path__))
    assert {"lenet.jobs", "lenet.preprocess", "lenet.train", "lenet.ops", "lenet.user_models"} <= set(modules)
    code = (f"import sys, {', '.join(modules)}; "
            "bad = [m for m in ('streamlit', 'plotly') if m in sys.modules]; print(bad); sys.exit(bool(bad))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
