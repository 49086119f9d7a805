"""Every detail view's arithmetic (numpy) against what torch computed, for every variant in the ops table."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from lenet import STAGES, ModelConfig, acts_of, build_model, capture
from lenet.explain import (activation_curve, batchnorm_value, conv_window, dense_neuron, never_negative, pool_window,
                           softmax_steps, stage_params)
from lenet.ops import ACTIVATIONS, POOLINGS
from tests.members import MEMBERS

VARIANTS = [ModelConfig(a, p) for a in ACTIVATIONS for p in POOLINGS]
TOL = 1e-5


@pytest.fixture(params=VARIANTS, ids=lambda c: c.variant)
def setup(request):
    """A model, its torch outputs for 3 images, and each image's outputs as numpy (what explain takes)."""
    torch.manual_seed(0)
    model = build_model(request.param, seed=3)
    X = torch.rand(3, 1, 28, 28)
    X[:, :, :6] = 0.0  # a black band, like Fashion-MNIST's background: ties in max pooling, zeros for L2
    acts = capture(model, X)
    return model, acts, [acts_of(acts, n) for n in range(3)]


@pytest.mark.parametrize("stage,c,i,j", [("conv1", 0, 0, 0), ("conv1", 5, 27, 27), ("conv1", 2, 13, 1),
                                         ("conv2", 0, 0, 0), ("conv2", 15, 9, 9), ("conv2", 7, 4, 6)])
def test_conv_window_arithmetic_matches_torch(setup, stage, c, i, j):
    model, acts, images = setup
    act = {"conv1": "act1", "conv2": "act2"}[stage]
    for n, one in enumerate(images):
        w = conv_window(model, one, stage, c, i, j)
        assert w.patches.shape == w.kernels.shape == w.products.shape
        assert w.patches.shape[0] == (1 if stage == "conv1" else 6)
        assert np.allclose(w.products, w.kernels * w.patches)
        assert w.pre_activation == pytest.approx(float(acts[stage][n, c, i, j]), abs=TOL)
        assert w.pre_activation == pytest.approx(w.channel_sums.sum() + w.bias, abs=1e-12)
        assert w.activated == pytest.approx(float(acts[act][n, c, i, j]), abs=TOL)
        expected = ACTIVATIONS[model.config.activation].module()(torch.tensor(w.pre_activation))
        assert w.activated == pytest.approx(float(expected), abs=TOL)
    if stage == "conv1" and (i, j) == (0, 0):  # the corner window reaches into the zero padding
        assert (w.patches[0, :2, :] == 0).all() and w.padded_input.shape == (1, 32, 32)


@pytest.mark.parametrize("stage,c,i,j", [("pool1", 0, 0, 0), ("pool1", 5, 13, 13), ("pool2", 3, 2, 4),
                                         ("pool2", 15, 4, 0), ("pool1", 2, 1, 6)])
def test_pool_window_arithmetic_matches_torch(setup, stage, c, i, j):
    model, acts, images = setup
    op = POOLINGS[model.config.pooling]
    for n, one in enumerate(images):
        w = pool_window(model, one, stage, c, i, j)
        assert w.window.shape == (2, 2) and w.op == model.config.pooling
        assert w.value == pytest.approx(float(acts[stage][n, c, i, j]), abs=TOL)
        assert w.value == pytest.approx(op.numpy(w.window), abs=1e-12)
        if w.pick is not None:  # the deciding input, by PyTorch's rule: the first maximum in row-major order
            r, s = w.pick
            assert w.window[r, s] == w.window.max()
            assert (w.window.ravel()[:r * 2 + s] < w.window.max()).all()


def test_l2_window_is_torch_lp_pooling_of_the_mean():
    """L2 pooling's window arithmetic against torch's own LPPool2d (root of the sum, so ÷ √4 = 2)."""
    model = build_model(ModelConfig("relu", "l2"), seed=1)
    X = torch.rand(2, 1, 28, 28)
    acts = capture(model, X)
    lp = F.lp_pool2d(acts["act2"], 2, 2) / 2  # (2, 16, 5, 5)
    for n in range(2):
        one = acts_of(acts, n)
        for c, i, j in [(0, 0, 0), (7, 2, 3), (15, 4, 4)]:
            w = pool_window(model, one, "pool2", c, i, j)
            assert w.value == pytest.approx(float(lp[n, c, i, j]), abs=TOL)
            assert w.value == pytest.approx(np.sqrt(np.mean(w.window ** 2)), abs=1e-12) and w.pick is None


@pytest.mark.parametrize("stage,k", [("fc1", 0), ("fc1", 119), ("fc2", 40), ("fc3", 9)])
def test_dense_neuron_arithmetic_matches_torch(setup, stage, k):
    model, acts, images = setup
    d = dense_neuron(model, images[1], stage, k, top=5)
    assert d.value == pytest.approx(float(acts[stage][1, k]), abs=TOL)
    assert len(d.top) == 5 and abs(d.contributions[d.top[0]]) == np.abs(d.contributions).max()
    assert list(np.abs(d.contributions[d.top])) == sorted(np.abs(d.contributions[d.top]), reverse=True)
    nxt = {"fc1": "act3", "fc2": "act4"}.get(stage)
    if nxt:
        assert d.activated == pytest.approx(float(acts[nxt][1, k]), abs=TOL)
    else:
        assert d.activated is None


def test_softmax_steps_match_torch(setup):
    model, acts, images = setup
    for n, one in enumerate(images):
        s = softmax_steps(one)
        assert np.allclose(s.probs, acts["softmax"][n].numpy(), atol=TOL)
        assert s.probs.sum() == pytest.approx(1.0)
        assert s.total == pytest.approx(s.exp.sum()) and s.exp.max() == pytest.approx(1.0)
        assert s.prediction == int(acts["fc3"][n].argmax())


def test_softmax_temperature_sharpens_and_flattens_and_keeps_the_logits(setup):
    model, acts, images = setup
    for one in images:
        own = softmax_steps(one)
        cold, hot = softmax_steps(one, 0.5), softmax_steps(one, 3.0)
        for s, T in ((cold, 0.5), (hot, 3.0)):
            expected = torch.softmax(torch.tensor(own.logits) / T, 0).numpy()
            assert np.allclose(s.probs, expected, atol=1e-12) and s.probs.sum() == pytest.approx(1.0)
            assert np.array_equal(s.logits, own.logits) and s.prediction == own.prediction
            assert np.allclose(s.scaled, own.logits / T) and s.shift == pytest.approx(s.scaled.max())
        assert np.allclose(softmax_steps(one, 1.0).probs, own.probs) and own.temperature == 1.0
        assert cold.entropy < own.entropy < hot.entropy < np.log2(10)
        assert softmax_steps(one, 1e6).entropy == pytest.approx(np.log2(10), abs=1e-4)  # all ten alike
        colder = softmax_steps(one, 0.01)
        assert colder.probs[own.prediction] > cold.probs[own.prediction] > own.probs[own.prediction]
    for bad in (0.0, -1.0, float("nan")):
        with pytest.raises(ValueError, match="positive"):
            softmax_steps(images[0], bad)


def test_wrong_stage_kind_is_refused(setup):
    model, acts, images = setup
    with pytest.raises(ValueError, match="not conv"):
        conv_window(model, images[0], "pool1", 0, 0, 0)


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_activation_curve_is_the_modules_function(name):
    x, y = activation_curve(name)
    assert np.allclose(y, ACTIVATIONS[name].module()(torch.from_numpy(x)).numpy(), atol=1e-12)
    assert (np.diff(y) >= 0).all()


def test_stage_params_are_the_seeds_printout():
    model = build_model()
    params = {s.name: stage_params(model, s.name) for s in STAGES}
    assert sum(params.values()) == 61_706
    assert (params["conv1"], params["conv2"], params["fc1"], params["fc2"], params["fc3"]) == \
        (156, 2_416, 48_120, 10_164, 850)
    assert params["input"] == params["pool1"] == params["act3"] == params["softmax"] == 0


@pytest.mark.parametrize("name", MEMBERS)
def test_every_members_detail_arithmetic_matches_torch(name):
    """For every stage of every member, a few places: the conv window over however many input maps, the pooling
    window (an odd map's last row never in one), BatchNorm written out with its running statistics, the dense
    neuron, the activation after each (through the BatchNorm), dropout passing every value at inference."""
    model = build_model(MEMBERS[name], seed=5)
    model.train()(torch.rand(32, 1, 28, 28) * 2)  # BatchNorm's running statistics off their start
    model.eval()
    X = torch.rand(2, 1, 28, 28)
    X[:, :, :6] = 0.0
    acts = capture(model, X)
    rng = np.random.default_rng(0)
    for n, one in enumerate(acts_of(acts, k) for k in range(2)):
        for stage in model.stages:
            out = acts[stage.name][n]
            places = [tuple(int(rng.integers(0, d)) for d in stage.shape) for _k in range(3)]
            places.append(tuple(d - 1 for d in stage.shape))  # the last row and column
            for at in places:
                want = float(out[at])
                if stage.kind == "conv":
                    w = conv_window(model, one, stage.name, *at)
                    assert w.patches.shape[0] == stage.inputs[0] and w.pre_activation == pytest.approx(want, abs=TOL)
                    assert w.activated == pytest.approx(float(acts[f"act{stage.number}"][n][at]), abs=TOL)
                elif stage.kind == "pool":
                    assert pool_window(model, one, stage.name, *at).value == pytest.approx(want, abs=TOL)
                elif stage.kind == "batchnorm":
                    b = batchnorm_value(model, one, stage.name, at)
                    by_hand = (b.x - b.mean) / np.sqrt(b.var + b.eps) * b.gamma + b.beta
                    assert b.value == pytest.approx(want, abs=TOL) and by_hand == pytest.approx(want, abs=TOL)
                    assert b.activated == pytest.approx(float(acts[model.stages.next(stage.name).name][n][at]), abs=TOL)
                    assert b.var != pytest.approx(1.0)  # the running statistics, not a fresh layer's
                elif stage.kind == "dense":
                    d = dense_neuron(model, one, stage.name, at[0])
                    assert d.value == pytest.approx(want, abs=TOL)
                    assert (d.activated is None) == (stage is model.stages.logits)
                elif stage.kind == "dropout":
                    assert want == float(acts[model.stages.previous(stage.name).name][n][at])
        assert softmax_steps(one).probs == pytest.approx(acts["softmax"][n].numpy(), abs=1e-6)
    assert sum(stage_params(model, s.name) for s in model.stages) == sum(p.numel() for p in model.parameters())
    for stage in model.stages.of_kind("pool", "dropout"):
        assert never_negative(model, stage.name) == ACTIVATIONS[model.config.activation].nonnegative
