import numpy as np
import pytest
import torch

from lenet import STAGES, ModelConfig, build_model, capture
from lenet.config import ACTIVATIONS, POOLINGS
from lenet.explain import activation_curve, conv_window, dense_neuron, pool_window, softmax_steps, stage_table

VARIANTS = [ModelConfig(a, p) for a in ACTIVATIONS for p in POOLINGS]
TOL = 1e-5


@pytest.fixture(params=VARIANTS, ids=lambda c: c.variant)
def setup(request):
    torch.manual_seed(0)
    model = build_model(request.param, seed=3)
    X = torch.rand(3, 1, 28, 28)
    X[:, :, :6] = 0.0  # a black band, like Fashion-MNIST's background: ties in max pooling
    return model, X, capture(model, X)


def test_capture_has_every_stage_in_order_with_its_shape(setup):
    model, X, acts = setup
    assert list(acts) == [s.name for s in STAGES]
    for s in STAGES:
        assert tuple(acts[s.name].shape) == (3, *s.shape), s.name
    assert torch.equal(acts["input"], X)


def test_captured_logits_equal_the_forward_pass(setup):
    model, X, acts = setup
    assert torch.allclose(acts["fc3"], model(X), atol=1e-6)
    assert torch.allclose(acts["softmax"].sum(1), torch.ones(3), atol=1e-6)
    assert (acts["softmax"] >= 0).all()


def test_capture_leaves_the_model_untouched(setup):
    model, X, acts = setup
    state = {k: v.clone() for k, v in model.state_dict().items()}
    capture(model, X)
    assert all(torch.equal(v, state[k]) for k, v in model.state_dict().items())
    assert not model._forward_hooks and not any(m._forward_hooks for m in model.modules())


@pytest.mark.parametrize("stage,c,i,j", [("conv1", 0, 0, 0), ("conv1", 5, 27, 27), ("conv1", 2, 13, 1),
                                         ("conv2", 0, 0, 0), ("conv2", 15, 9, 9), ("conv2", 7, 4, 6)])
def test_conv_window_arithmetic_matches_torch(setup, stage, c, i, j):
    model, X, acts = setup
    for n in range(3):
        w = conv_window(model, acts, stage, c, i, j, n=n)
        assert w.patches.shape == w.kernels.shape == w.products.shape
        assert w.patches.shape[0] == (1 if stage == "conv1" else 6)
        assert np.allclose(w.products, w.kernels * w.patches)
        assert w.pre_activation == pytest.approx(float(acts[stage][n, c, i, j]), abs=TOL)
        assert w.pre_activation == pytest.approx(w.channel_sums.sum() + w.bias, abs=1e-12)
        act = {"conv1": "act1", "conv2": "act2"}[stage]
        assert w.activated == pytest.approx(float(acts[act][n, c, i, j]), abs=TOL)
        expected = 1 / (1 + np.exp(-w.pre_activation)) if model.config.activation == "sigmoid" \
            else max(w.pre_activation, 0.0)
        assert w.activated == pytest.approx(expected, abs=TOL)
    if stage == "conv1" and (i, j) == (0, 0):  # the corner window reaches into the zero padding
        assert (w.patches[0, :2, :] == 0).all() and w.padded_input.shape == (1, 32, 32)


@pytest.mark.parametrize("stage,c,i,j", [("pool1", 0, 0, 0), ("pool1", 5, 13, 13), ("pool2", 3, 2, 4),
                                         ("pool2", 15, 4, 0)])
def test_pool_window_arithmetic_matches_torch(setup, stage, c, i, j):
    model, X, acts = setup
    for n in range(3):
        w = pool_window(model, acts, stage, c, i, j, n=n)
        assert w.window.shape == (2, 2) and w.op == model.config.pooling
        assert w.value == pytest.approx(float(acts[stage][n, c, i, j]), abs=TOL)
        r, s = w.argmax
        assert w.window[r, s] == w.window.max()


@pytest.mark.parametrize("stage,k", [("fc1", 0), ("fc1", 119), ("fc2", 40), ("fc3", 9)])
def test_dense_neuron_arithmetic_matches_torch(setup, stage, k):
    model, X, acts = setup
    d = dense_neuron(model, acts, stage, k, n=1, top=5)
    assert d.value == pytest.approx(float(acts[stage][1, k]), abs=TOL)
    assert len(d.top) == 5 and abs(d.contributions[d.top[0]]) == np.abs(d.contributions).max()
    assert list(np.abs(d.contributions[d.top])) == sorted(np.abs(d.contributions[d.top]), reverse=True)
    nxt = {"fc1": "act3", "fc2": "act4"}.get(stage)
    if nxt:
        assert d.activated == pytest.approx(float(acts[nxt][1, k]), abs=TOL)
    else:
        assert d.activated is None


def test_softmax_steps_match_torch(setup):
    model, X, acts = setup
    for n in range(3):
        s = softmax_steps(acts, n)
        assert np.allclose(s.probs, acts["softmax"][n].numpy(), atol=TOL)
        assert s.probs.sum() == pytest.approx(1.0)
        assert s.total == pytest.approx(s.exp.sum()) and s.exp.max() == pytest.approx(1.0)
        assert s.prediction == int(acts["fc3"][n].argmax())


def test_wrong_stage_kind_is_refused(setup):
    model, X, acts = setup
    with pytest.raises(ValueError, match="not conv"):
        conv_window(model, acts, "pool1", 0, 0, 0)


def test_capture_refuses_wrong_shapes():
    with pytest.raises(ValueError, match="28, 28"):
        capture(build_model(), torch.rand(1, 28, 28))


def test_activation_curve_and_stage_table():
    x, y = activation_curve("relu")
    assert (y[x < 0] == 0).all() and np.allclose(y[x > 0], x[x > 0])
    x, y = activation_curve("sigmoid")
    assert y[len(y) // 2] == pytest.approx(0.5) and (np.diff(y) > 0).all()
    rows = stage_table(build_model())
    assert sum(r["params"] for r in rows) == 61_706
    assert rows[1] == {"stage": "conv1", "kind": "conv", "title": "Conv 1", "output_shape": (6, 28, 28),
                       "params": 156}
