"""Each entry of the ops table agrees with itself: module, fast forward and backward, numpy form, texts."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from lenet.ops import ACTIVATIONS, PHASES, POOLINGS


def _phases(a):
    return tuple(a[:, :, r::2, s::2] for r, s in PHASES)


def _maps(seed=0):
    g = torch.Generator().manual_seed(seed)
    a = torch.randn(3, 4, 8, 8, generator=g, dtype=torch.float64)
    a[0, :, :4] = 0.0  # whole windows of zeros, as on the black background after a ReLU
    a[1, :, :, :2] = 0.5  # ties
    return a


@pytest.mark.parametrize("name", list(POOLINGS))
def test_pooling_module_fast_form_and_numpy_agree(name):
    op = POOLINGS[name]
    a = _maps()
    reference = op.module()(a)
    pooled, _ = op.forward(_phases(a.clone()))
    assert torch.allclose(pooled, reference, atol=1e-12)
    for n, c, i, j in [(0, 0, 0, 0), (1, 2, 1, 0), (2, 3, 3, 3)]:
        window = a[n, c, 2 * i:2 * i + 2, 2 * j:2 * j + 2].numpy()
        assert op.numpy(window) == pytest.approx(float(reference[n, c, i, j]), abs=1e-12)


@pytest.mark.parametrize("name", list(POOLINGS))
def test_pooling_fast_backward_equals_autograd_of_the_module(name):
    op = POOLINGS[name]
    a = _maps(1).requires_grad_()
    dp = torch.randn(3, 4, 4, 4, dtype=torch.float64)
    (op.module()(a) * dp).sum().backward()
    phases = _phases(a.detach())
    pooled, saved = op.forward(phases)
    grads = op.backward(dp, phases, pooled, saved)
    for (r, s), g in zip(PHASES, grads):
        assert torch.allclose(g, a.grad[:, :, r::2, s::2], atol=1e-12), (name, r, s)
    assert torch.isfinite(a.grad).all()


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_activation_module_fast_form_numpy_and_backward_agree(name):
    op = ACTIVATIONS[name]
    z = torch.randn(500, dtype=torch.float64).requires_grad_()
    a = op.module()(z)
    grad = torch.randn(500, dtype=torch.float64)
    a.backward(grad)
    assert torch.allclose(op.forward(z.detach()), a.detach())
    assert np.allclose(op.numpy(z.detach().numpy()), a.detach().numpy())
    assert torch.allclose(op.backward(grad, a.detach(), None), z.grad)
    out = torch.empty(500, dtype=torch.float64)
    op.backward(grad, a.detach(), out)
    assert torch.allclose(out, z.grad)


def test_pick_is_the_deciding_input_where_there_is_one():
    window = np.array([[0.2, 0.9], [0.9, 0.1]])
    assert POOLINGS["max"].pick(window) == (0, 1)  # the first maximum, as PyTorch picks
    assert POOLINGS["avg"].pick(window) is None and POOLINGS["l2"].pick(window) is None


def test_l2_pooling_is_lppool_of_the_mean():
    a = torch.rand(2, 3, 6, 6)
    assert torch.allclose(POOLINGS["l2"].module()(a), F.lp_pool2d(a, 2, 2) / 2, atol=1e-6)
    window = np.array([[3.0, 0.0], [4.0, 0.0]])
    assert POOLINGS["l2"].numpy(window) == pytest.approx(2.5)  # √((9 + 16) / 4)
    assert POOLINGS["l2"].spelled(window) == "√((3.000² + 0.000² + 4.000² + 0.000²) / 4)"


@pytest.mark.parametrize("table", [ACTIVATIONS, POOLINGS], ids=["activations", "poolings"])
def test_every_entry_has_its_words(table):
    assert len({op.label for op in table.values()}) == len(table)
    for key, op in table.items():
        assert op.name == key and op.formula and len(op.describe()) > 30 and "{" not in op.describe()


def test_spelled_formulas_carry_the_numbers():
    window = np.array([[1.0, 2.0], [3.0, 4.0]])
    assert POOLINGS["max"].spelled(window) == "max(1.000, 2.000, 3.000, 4.000)"
    assert POOLINGS["avg"].spelled(window) == "(1.000 + 2.000 + 3.000 + 4.000) / 4"
