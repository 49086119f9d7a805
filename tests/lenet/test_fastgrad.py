"""The hand-written backward pass against autograd, for every variant and every member it covers; the members it
does not cover (BatchNorm, dropout) train by autograd."""
import pytest
import torch
from torch import nn

from lenet import ModelConfig, build_model
from lenet.ops import ACTIVATIONS, POOLINGS
from lenet.fastgrad import (PARAM_NAMES, autograd_grads, forward, hand_written, logits_of, loss_and_grads, params_of,
                            trains_faster)
from tests.members import HAND_WRITTEN, MEMBERS

VARIANTS = [ModelConfig(a, p) for a in ACTIVATIONS for p in POOLINGS]
COVERED = VARIANTS + [c for k, c in HAND_WRITTEN.items() if k != "seed"]


def _batch(seed=0, n=48):
    g = torch.Generator().manual_seed(seed)
    X = torch.rand(n, 1, 28, 28, generator=g)
    X[: n // 2, :, :10] = 0.0  # flat black regions make exact ties inside 2x2 max-pool windows
    return X, torch.randint(0, 10, (n,), generator=g)


def _name(c: ModelConfig) -> str:
    return f"{c.variant} {c.architecture}"


@pytest.mark.parametrize("config", COVERED, ids=_name)
def test_gradients_equal_autograd(config):
    model = build_model(config, seed=1)
    X, y = _batch()
    loss_ref = nn.functional.cross_entropy(model(X), y)
    loss_ref.backward()
    loss, logits, grads = loss_and_grads(params_of(model), X, y, config)
    assert loss.item() == pytest.approx(loss_ref.item(), abs=1e-6)
    assert list(grads) == ([n for n, _p in model.named_parameters()] if not config.is_seed else list(PARAM_NAMES))
    for name, p in model.named_parameters():
        scale = p.grad.abs().max().item()
        assert grads[name].shape == p.shape
        assert (grads[name] - p.grad).abs().max().item() <= 1e-5 * max(scale, 1.0), name


@pytest.mark.parametrize("config", COVERED, ids=_name)
def test_forward_equals_the_module(config):
    model = build_model(config, seed=2)
    X, _ = _batch(1)
    logits, _ = forward(params_of(model), X, config)
    assert torch.allclose(logits, model(X), atol=1e-5)


def test_which_members_the_hand_written_pass_covers_and_which_it_trains():
    """It computes every member without BatchNorm or dropout; the engine uses it where it was measured faster
    (bench/family_speed.py): the seed's conv blocks."""
    assert {k for k, c in MEMBERS.items() if hand_written(c)} == set(HAND_WRITTEN)
    assert {k for k, c in MEMBERS.items() if trains_faster(c)} == {"seed", "no_hidden"}


@pytest.mark.parametrize("name", [k for k in MEMBERS if k not in HAND_WRITTEN])
def test_the_others_train_by_autograd_and_predict_in_eval_mode(name):
    """BatchNorm by the batch while training (and its running statistics updated), by them at inference; dropout
    only while training."""
    model = build_model(MEMBERS[name], seed=3).train()
    X, y = _batch(2, n=32)
    bn = next(m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm))
    before = bn.running_mean.clone()
    loss, logits, grads = autograd_grads(model, X, y)
    assert not torch.equal(bn.running_mean, before) and loss.item() > 0
    assert set(grads) == {n for n, _p in model.named_parameters()} and all(g is not None for g in grads.values())
    expected = model.eval()(X).detach()
    model.train()
    assert torch.allclose(logits_of(model, X), expected) and model.training  # its mode restored


def test_max_pool_ties_route_the_gradient_like_pytorch():
    """All-zero input: every 2x2 window of act1 is a 4-way tie; the gradient must go to one position."""
    config = ModelConfig("relu", "max")
    model = build_model(config, seed=0)
    with torch.no_grad():
        model.conv1.bias.fill_(0.5)  # relu(0.5) everywhere: ties that carry gradient
    X, y = torch.zeros(4, 1, 28, 28), torch.tensor([0, 1, 2, 3])
    nn.functional.cross_entropy(model(X), y).backward()
    _, _, grads = loss_and_grads(params_of(model), X, y, config)
    assert torch.allclose(grads["conv1.bias"], model.conv1.bias.grad, atol=1e-6)
    assert model.conv1.bias.grad.abs().sum() > 0


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_pooling_of_all_zero_windows_has_finite_gradients(activation):
    """A black image: relu's pooled windows are all zeros, where L2 pooling's square root has no slope."""
    config = ModelConfig(activation, "l2")
    model = build_model(config, seed=0)
    with torch.no_grad():
        model.conv1.bias.fill_(-1.0)  # relu(-1) = 0 everywhere: every act1 window is zeros
    X, y = torch.zeros(4, 1, 28, 28), torch.tensor([0, 1, 2, 3])
    nn.functional.cross_entropy(model(X), y).backward()
    _, _, grads = loss_and_grads(params_of(model), X, y, config)
    for name, p in model.named_parameters():
        assert torch.isfinite(p.grad).all() and torch.isfinite(grads[name]).all(), name
        assert torch.allclose(grads[name], p.grad, atol=1e-6), name
