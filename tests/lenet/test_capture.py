import numpy as np
import pytest
import torch

from lenet import STAGES, ModelConfig, acts_of, build_model, capture
from lenet.ops import ACTIVATIONS, POOLINGS
from tests.members import MEMBERS

VARIANTS = [ModelConfig(a, p) for a in ACTIVATIONS for p in POOLINGS]


@pytest.fixture(params=VARIANTS, ids=lambda c: c.variant)
def setup(request):
    torch.manual_seed(0)
    model = build_model(request.param, seed=3)
    X = torch.rand(3, 1, 28, 28)
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


def test_acts_of_gives_one_image_as_numpy(setup):
    model, X, acts = setup
    one = acts_of(acts, 2)
    assert list(one) == list(acts)
    for name, v in one.items():
        assert isinstance(v, np.ndarray) and v.shape == tuple(acts[name].shape[1:])
        assert np.array_equal(v, acts[name][2].numpy())


def test_capture_refuses_wrong_shapes():
    with pytest.raises(ValueError, match="28, 28"):
        capture(build_model(), torch.rand(1, 28, 28))


@pytest.mark.parametrize("name", MEMBERS)
def test_every_members_capture_equals_its_forward_pass(name):
    """In eval mode (BatchNorm by its running statistics, no dropout): what the model predicts."""
    model = build_model(MEMBERS[name], seed=4)
    model.train()(torch.rand(16, 1, 28, 28))  # moves BatchNorm's running statistics off their start
    model.eval()
    X = torch.rand(3, 1, 28, 28)
    acts = capture(model, X)
    assert list(acts) == [s.name for s in model.stages]
    for s in model.stages:
        assert tuple(acts[s.name].shape) == (3, *s.shape), s.name
    assert torch.allclose(acts[model.stages.logits.name], model(X), atol=1e-6)
