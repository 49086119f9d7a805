"""One training step against autograd, torch.optim.SGD and finite differences."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from lenet import ModelConfig, build_model
from lenet.ops import ACTIVATIONS, POOLINGS
from lenet.pretrained import load_pretrained
from lenet.samples import load_samples
from lenet.step import one_step

VARIANTS = [ModelConfig(a, p) for a in ACTIVATIONS for p in POOLINGS]


def _image(k: int = 0) -> torch.Tensor:
    return load_samples().tensor()[k, 0]


@pytest.mark.parametrize("config", VARIANTS, ids=lambda c: c.variant)
def test_the_step_is_torch_sgds_and_the_gradients_autograds(config):
    model = build_model(config, seed=5).eval()
    x, target, lr = _image(3), 4, 0.05
    step, after = one_step(model, x, target, lr)
    reference = build_model(config, seed=5).eval()
    opt = torch.optim.SGD(reference.parameters(), lr=lr)
    opt.zero_grad()
    xx = x.reshape(1, 1, 28, 28).clone().requires_grad_(True)
    loss = F.cross_entropy(reference(xx), torch.tensor([target]))
    loss.backward()
    assert step.loss == pytest.approx(float(loss.detach()), abs=1e-6)
    for name, p in reference.named_parameters():
        assert np.allclose(step.weight_grads[name], p.grad.numpy(), atol=1e-5), name
        assert np.allclose(step.before[name], p.detach().numpy())
    assert np.allclose(step.output_grads["input"], xx.grad[0].numpy(), atol=1e-5)
    opt.step()
    for name, p in reference.named_parameters():
        assert np.allclose(step.after[name], p.detach().numpy(), atol=1e-6), name
        assert torch.allclose(dict(after.named_parameters())[name], p, atol=1e-6)
    with torch.no_grad():
        probs_after = torch.softmax(reference(xx), 1)[0].numpy()
    assert np.allclose(step.probs_after, probs_after, atol=1e-6)
    assert torch.equal(model.conv1.weight, build_model(config, seed=5).conv1.weight)  # the model given is kept


def test_stage_gradients_match_autograd_and_finite_differences():
    model = load_pretrained("sigmoid", "avg")
    x, target = _image(0), 9
    step, _ = one_step(model, x, target, 0.1)
    # ∂loss/∂fc1's output by autograd.grad on an independent forward
    xx = x.reshape(1, 1, 28, 28)
    h = model.pool2(model.act2(model.conv2(model.pool1(model.act1(model.conv1(xx))))))
    fc1 = model.fc1(model.flatten(h))
    loss = F.cross_entropy(model.fc3(model.act4(model.fc2(model.act3(fc1)))), torch.tensor([target]))
    (g,) = torch.autograd.grad(loss, fc1)
    assert np.allclose(step.output_grads["fc1"], g[0].numpy(), atol=1e-5)
    assert np.allclose(step.output_grads["softmax"], step.probs - np.eye(10)[target], atol=1e-7)
    assert np.allclose(step.output_grads["softmax"], step.output_grads["fc3"], atol=1e-6)  # = ∂loss/∂logits
    # a few weights by central differences (float64)
    m64 = load_pretrained("sigmoid", "avg").double()
    x64 = xx.double()
    for name, index in (("conv1.weight", (2, 0, 1, 3)), ("conv2.weight", (7, 4, 2, 2)), ("fc3.bias", (9,))):
        p = dict(m64.named_parameters())[name]
        eps = 1e-6
        with torch.no_grad():
            p[index] += eps
            up = F.cross_entropy(m64(x64), torch.tensor([target]))
            p[index] -= 2 * eps
            down = F.cross_entropy(m64(x64), torch.tensor([target]))
            p[index] += eps
        assert step.weight_grads[name][index] == pytest.approx(float((up - down) / (2 * eps)), abs=1e-5), name


def test_a_step_towards_the_target_lowers_its_loss_and_bad_input_is_refused():
    model = load_pretrained("relu", "max")
    probe, _ = one_step(model, _image(4), 2, 1.0)  # a shirt, pushed towards pullover: its gradient
    squared = sum(float((g.astype(np.float64) ** 2).sum()) for g in probe.weight_grads.values())
    lr = 0.01 / squared  # small enough that the loss falls by lr · |gradient|² = 0.01, to first order
    step, after = one_step(model, _image(4), 2, lr)
    assert step.loss - step.loss_after == pytest.approx(0.01, rel=0.2) and step.probs_after[2] > step.probs[2]
    again, _ = one_step(after, _image(4), 2, lr)  # step again from where the last one ended
    assert again.loss == pytest.approx(step.loss_after, abs=1e-6)
    with pytest.raises(ValueError, match="0–9"):
        one_step(model, _image(0), 10, 0.1)
    with pytest.raises(ValueError, match="positive"):
        one_step(model, _image(0), 1, 0.0)
