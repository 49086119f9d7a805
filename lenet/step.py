"""One training step up close, for one image and a target class: the loss, the gradient flowing back through
every stage (∂loss/∂ each stage's output), ∂loss/∂ every weight, the weights before and after one plain SGD
step, and what the model predicts after it. The model given is never changed: the step makes a new one."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from lenet.model import LeNet


@dataclass(frozen=True)
class Step:
    """What one SGD step on one image did (numpy, no batch dimension)."""

    target: int
    lr: float
    loss: float  # cross-entropy of the target before the step
    loss_after: float  # the same loss with the new weights
    probs: np.ndarray  # (10,) before
    probs_after: np.ndarray  # (10,) after
    output_grads: dict[str, np.ndarray]  # stage -> ∂loss/∂ its output ('input' included; for 'softmax': p − onehot
    #                                      of the logits, the gradient the softmax and the loss pass back together)
    weight_grads: dict[str, np.ndarray]  # parameter name ('conv1.weight', ...) -> ∂loss/∂ it
    before: dict[str, np.ndarray]  # parameter name -> value before the step
    after: dict[str, np.ndarray]  # ... and after: before − lr · grad


def one_step(model: LeNet, image: torch.Tensor, target: int, lr: float) -> tuple[Step, LeNet]:
    """One plain SGD step (no momentum, no weight decay) on one (1, 28, 28) or (28, 28) image towards `target`;
    the step and the model after it."""
    if not 0 <= target < 10:
        raise ValueError(f"the target class must be 0–9, not {target}")
    if not lr > 0:
        raise ValueError(f"the learning rate must be positive, not {lr}")
    work = LeNet.from_state(model.config, model.state_dict())
    x = image.reshape(1, 1, 28, 28).float().clone().requires_grad_(True)
    outputs = {"input": x}
    out = x
    work.eval()  # BatchNorm by its running statistics and no dropout: the model as it predicts
    for stage in work.stages.modules:
        out = getattr(work, stage.name)(out)
        out.retain_grad()
        outputs[stage.name] = out
    logits = out
    y = torch.tensor([target])
    loss = F.cross_entropy(logits, y)
    work.zero_grad()
    loss.backward()
    probs = torch.softmax(logits.detach(), 1)[0]
    grads = {name: t.grad[0].detach().numpy().copy() for name, t in outputs.items()}
    grads["softmax"] = (probs - F.one_hot(y, 10)[0]).numpy()  # = ∂loss/∂logits
    before = {k: v.detach().numpy().copy() for k, v in work.named_parameters()}
    weight_grads = {k: v.grad.detach().numpy().copy() for k, v in work.named_parameters()}
    with torch.no_grad():
        for p in work.parameters():
            p -= lr * p.grad
    work.zero_grad()
    with torch.no_grad():
        logits_after = work(x.detach())
    after = {k: v.detach().numpy().copy() for k, v in work.named_parameters()}
    return Step(target, float(lr), float(loss.detach()), float(F.cross_entropy(logits_after, y)),
                probs.numpy(), torch.softmax(logits_after, 1)[0].numpy(), grads, weight_grads, before,
                after), work.eval()
