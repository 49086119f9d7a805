import math
import pkgutil
import subprocess
import sys

import pytest
import torch

import lenet
from lenet import STAGES, LeNet, ModelConfig, build_model, count_params, with_ops
from lenet.ops import ACTIVATIONS, POOLINGS
from lenet.stages import MODULE_STAGES, flat_source, next_stage, previous_stage

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
    assert previous_stage("conv2").name == "pool1" and next_stage("fc3").name == "softmax"
    assert next_stage("softmax") is None
    source = flat_source("fc1")
    assert source.name == "pool2" and source.shape == (16, 5, 5)
    assert math.prod(source.shape) == previous_stage("fc1").shape[0] == 400  # the flatten in between
    assert flat_source("fc2") is None and flat_source("conv1") is None


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
