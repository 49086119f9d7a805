"""A hand-derived forward and backward pass of LeNet for training on the CPU.

PyTorch's autograd is general; for this one small network on a 2-core CPU its generic kernels
(2x2 pooling, convolution weight gradients) and per-node overhead cost more than the arithmetic.
Here every gradient is written out once, with the cheap formulations measured in bench/train_speed.py:
pooling as four strided slices, the activation's derivative fused into the pooling's backward, and
conv2's weight gradient as one convolution over the batch. Each op's own forward and backward live in its
entry of the ops table (lenet/ops.py); this module chains them through LeNet's stages.
tests/lenet/test_fastgrad.py checks every gradient against autograd for every variant.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from lenet.config import ModelConfig
from lenet.model import LeNet
from lenet.ops import ACTIVATIONS, PHASES, POOLINGS, Phases, Pooling
from lenet.stages import STAGE_BY_NAME

PARAM_NAMES = ("conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias", "fc1.weight", "fc1.bias",
               "fc2.weight", "fc2.bias", "fc3.weight", "fc3.bias")
POOLED = STAGE_BY_NAME["pool2"].shape  # (16, 5, 5): what fc1 sees, flattened


def _phase(a: torch.Tensor, r: int, s: int) -> torch.Tensor:
    return a[:, :, r::2, s::2]  # (N, C, H/2, W/2) strided view: window position (r, s) of every window


def _phases(a: torch.Tensor) -> Phases:
    return tuple(_phase(a, r, s) for r, s in PHASES)  # type: ignore[return-value]


def _pool(a: torch.Tensor, pooling: Pooling) -> tuple[torch.Tensor, tuple]:
    """2x2 stride-2 pooling from four strided slices: (pooled, what its backward needs)."""
    return pooling.forward(_phases(a))


def _pool_act_backward(dp: torch.Tensor, a: torch.Tensor, pooled: torch.Tensor, saved: tuple,
                       model_config: ModelConfig) -> torch.Tensor:
    """Gradient w.r.t. the pre-activation z, given the gradient dp of pooled = pool(act(z)) and a = act(z).

    Works phase by phase on strided views (broadcasting dp over a (.., 2, .., 2) view is ~4x slower), the
    activation's derivative written straight into each phase of the result.
    """
    act = ACTIVATIONS[model_config.activation]
    dz = torch.empty_like(a)
    phases = _phases(a)
    grads = POOLINGS[model_config.pooling].backward(dp, phases, pooled, saved)
    for (r, s), g, a_phase in zip(PHASES, grads, phases):
        act.backward(g, a_phase, _phase(dz, r, s))
    return dz


def forward(params: dict[str, torch.Tensor], X: torch.Tensor, model_config: ModelConfig,
            keep: bool = False) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    """Logits (N, 10) for X (N, 1, 28, 28); with keep=True also what the backward pass needs."""
    act, pool = ACTIVATIONS[model_config.activation].forward, POOLINGS[model_config.pooling]
    a1 = act(F.conv2d(X, params["conv1.weight"], params["conv1.bias"], padding=2))  # (N, 6, 28, 28)
    p1, s1 = _pool(a1, pool)  # (N, 6, 14, 14)
    a2 = act(F.conv2d(p1, params["conv2.weight"], params["conv2.bias"]))  # (N, 16, 10, 10)
    p2, s2 = _pool(a2, pool)  # (N, 16, 5, 5)
    f = p2.reshape(len(X), -1)  # (N, 400)
    a3 = act(torch.addmm(params["fc1.bias"], f, params["fc1.weight"].t()))  # (N, 120)
    a4 = act(torch.addmm(params["fc2.bias"], a3, params["fc2.weight"].t()))  # (N, 84)
    logits = torch.addmm(params["fc3.bias"], a4, params["fc3.weight"].t())  # (N, 10)
    saved = dict(X=X, a1=a1, s1=s1, p1=p1, a2=a2, s2=s2, p2=p2, f=f, a3=a3, a4=a4) if keep else {}
    return logits, saved


def loss_and_grads(params: dict[str, torch.Tensor], X: torch.Tensor, y: torch.Tensor, model_config: ModelConfig,
                   saved: dict[str, torch.Tensor] | None = None
                   ) -> tuple[torch.Tensor, torch.Tensor, dict[str, torch.Tensor]]:
    """Mean cross-entropy loss, logits and the gradient of the loss w.r.t. every parameter. saved: a dict that
    receives the forward pass's intermediate values too (p1, p2: the pooled maps; see forward)."""
    act_backward = ACTIVATIONS[model_config.activation].backward
    with torch.no_grad():
        logits, s = forward(params, X, model_config, keep=True)
        if saved is not None:
            saved.update(s)
        N = len(X)
        lsm = torch.log_softmax(logits, dim=1)
        loss = -lsm.gather(1, y[:, None]).mean()
        d = lsm.exp_()
        d[torch.arange(N, device=X.device), y] -= 1.0
        d.div_(N)  # dloss/dlogits (N, 10)
        g: dict[str, torch.Tensor] = {}
        g["fc3.weight"], g["fc3.bias"] = d.t() @ s["a4"], d.sum(0)
        d = act_backward(d @ params["fc3.weight"], s["a4"], None)  # (N, 84)
        g["fc2.weight"], g["fc2.bias"] = d.t() @ s["a3"], d.sum(0)
        d = act_backward(d @ params["fc2.weight"], s["a3"], None)  # (N, 120)
        g["fc1.weight"], g["fc1.bias"] = d.t() @ s["f"], d.sum(0)
        dp2 = (d @ params["fc1.weight"]).view(N, *POOLED)  # (N, 16, 5, 5)
        dz2 = _pool_act_backward(dp2, s["a2"], s["p2"], s["s2"], model_config)  # (N, 16, 10, 10)
        # conv2's weight gradient as a convolution over the batch: oneDNN's own is ~2x slower here
        g["conv2.weight"] = F.conv2d(s["p1"].transpose(0, 1), dz2.transpose(0, 1)).transpose(0, 1)
        g["conv2.bias"] = dz2.sum((0, 2, 3))
        dp1 = torch.ops.aten.convolution_backward(
            dz2, s["p1"], params["conv2.weight"], None, [1, 1], [0, 0], [1, 1], False, [0, 0], 1,
            [True, False, False])[0]  # (N, 6, 14, 14)
        dz1 = _pool_act_backward(dp1, s["a1"], s["p1"], s["s1"], model_config)  # (N, 6, 28, 28)
        # conv1's likewise: on AVX2 CPUs oneDNN's own weight gradient takes ~3x as long as this convolution
        g["conv1.weight"] = F.conv2d(X.transpose(0, 1), dz1.transpose(0, 1), padding=2).transpose(0, 1)
        g["conv1.bias"] = dz1.sum((0, 2, 3))
    return loss, logits, {k: g[k].contiguous() for k in PARAM_NAMES}


def params_of(model: LeNet) -> dict[str, torch.Tensor]:
    """The model's parameters by name (the tensors themselves, not copies)."""
    return dict(model.named_parameters())
