"""Every stage's output for a batch, by an explicit stage-by-stage forward (no hooks, nothing mutated)."""
from __future__ import annotations

import numpy as np
import torch

from lenet.model import LeNet


def capture(model: LeNet, X: torch.Tensor) -> dict[str, torch.Tensor]:
    """{stage name: output} for every stage of the model (model.stages, in order), 'input' and 'softmax' included.

    X: (N, 1, 28, 28) float in [0, 1]. Outputs are detached CPU-or-device tensors with a batch dimension. The model
    is used as it is: an eval-mode model (BatchNorm's running statistics, dropout off) gives what it predicts.
    """
    if X.dim() != 4 or tuple(X.shape[1:]) != (1, 28, 28):
        raise ValueError(f"expected a batch of shape (N, 1, 28, 28), got {tuple(X.shape)}")
    p = next(model.parameters())
    acts: dict[str, torch.Tensor] = {"input": X}
    out = X.to(device=p.device, dtype=p.dtype)
    with torch.no_grad():
        for stage in model.stages.modules:
            out = getattr(model, stage.name)(out)
            acts[stage.name] = out
        acts["softmax"] = torch.softmax(out, dim=1)  # (N, 10)
    return acts


def acts_of(acts: dict[str, torch.Tensor], n: int = 0) -> dict[str, np.ndarray]:
    """One image's outputs from capture() as numpy arrays, batch dimension dropped (what lenet.explain takes)."""
    return {k: v[n].detach().cpu().numpy() for k, v in acts.items()}
