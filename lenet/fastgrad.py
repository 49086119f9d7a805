"""A hand-derived forward and backward pass of LeNet for training on the CPU.

PyTorch's autograd is general; for this one small network on a 2-core CPU its generic kernels
(2x2 pooling, convolution weight gradients) and per-node overhead cost more than the arithmetic.
Here every gradient is written out once, with the cheap formulations measured in bench/train_speed.py:
pooling as four strided slices, the activation's derivative fused into the pooling's backward, and
conv2's weight gradient as one convolution over the batch. tests/lenet/test_fastgrad.py checks every
gradient against autograd for every variant.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from lenet.config import ModelConfig
from lenet.model import LeNet

PARAM_NAMES = ("conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias", "fc1.weight", "fc1.bias",
               "fc2.weight", "fc2.bias", "fc3.weight", "fc3.bias")


def _act(z: torch.Tensor, activation: str) -> torch.Tensor:
    return torch.sigmoid(z) if activation == "sigmoid" else torch.relu(z)


def _act_backward(grad: torch.Tensor, a: torch.Tensor, activation: str) -> torch.Tensor:
    """grad * act'(z), written in terms of the activation's output a (no need to keep z)."""
    if activation == "sigmoid":
        return torch.ops.aten.sigmoid_backward(grad, a)  # grad * a * (1 - a), one kernel
    return torch.ops.aten.threshold_backward(grad, a, 0.0)  # grad where a > 0


PHASES = ((0, 0), (0, 1), (1, 0), (1, 1))  # the 2x2 window's positions, in PyTorch's scan order


def _phase(a: torch.Tensor, r: int, s: int) -> torch.Tensor:
    return a[:, :, r::2, s::2]  # (N, C, H/2, W/2) strided view: window position (r, s) of every window


def _pool(a: torch.Tensor, pooling: str) -> tuple[torch.Tensor, tuple[torch.Tensor, ...]]:
    """2x2 stride-2 pooling from four strided slices (several times faster than aten's kernels here).

    For max pooling also returns which window position won, with PyTorch's rule (the first maximum in
    row-major order), so that ties, common on the black background, route the gradient exactly as
    nn.MaxPool2d does.
    """
    a00, a01, a10, a11 = (_phase(a, r, s) for r, s in PHASES)
    if pooling == "avg":
        return (a00 + a01).add_(a10).add_(a11).mul_(0.25), ()
    right_top, right_bottom = a01 > a00, a11 > a10
    top, bottom = torch.maximum(a00, a01), torch.maximum(a10, a11)
    use_bottom = bottom > top
    return torch.maximum(top, bottom), (right_top, right_bottom, use_bottom)


def _pool_act_backward(dp: torch.Tensor, a: torch.Tensor, winners: tuple[torch.Tensor, ...],
                       config: ModelConfig) -> torch.Tensor:
    """Gradient w.r.t. the pre-activation z, given the gradient dp of pool(act(z)) and a = act(z).

    Works phase by phase on strided views: broadcasting dp over a (.., 2, .., 2) view is ~4x slower.
    """
    dz = torch.empty_like(a)
    if config.pooling == "avg":
        grads = (dp * 0.25,) * 4
    else:
        right_top, right_bottom, use_bottom = winners
        zero = dp.new_zeros(())
        g_top, g_bottom = torch.where(use_bottom, zero, dp), torch.where(use_bottom, dp, zero)
        grads = (torch.where(right_top, zero, g_top), torch.where(right_top, g_top, zero),
                 torch.where(right_bottom, zero, g_bottom), torch.where(right_bottom, g_bottom, zero))
    for (r, s), g in zip(PHASES, grads):
        out = _phase(dz, r, s)
        if config.activation == "sigmoid":
            torch.ops.aten.sigmoid_backward.grad_input(g, _phase(a, r, s), grad_input=out)
        else:
            torch.ops.aten.threshold_backward.grad_input(g, _phase(a, r, s), 0.0, grad_input=out)
    return dz


def forward(params: dict[str, torch.Tensor], X: torch.Tensor, config: ModelConfig,
            keep: bool = False) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    """Logits (N, 10) for X (N, 1, 28, 28); with keep=True also what the backward pass needs."""
    act, pool = config.activation, config.pooling
    a1 = _act(F.conv2d(X, params["conv1.weight"], params["conv1.bias"], padding=2), act)  # (N, 6, 28, 28)
    p1, w1 = _pool(a1, pool)  # (N, 6, 14, 14)
    a2 = _act(F.conv2d(p1, params["conv2.weight"], params["conv2.bias"]), act)  # (N, 16, 10, 10)
    p2, w2 = _pool(a2, pool)  # (N, 16, 5, 5)
    f = p2.reshape(len(X), 400)
    a3 = _act(torch.addmm(params["fc1.bias"], f, params["fc1.weight"].t()), act)  # (N, 120)
    a4 = _act(torch.addmm(params["fc2.bias"], a3, params["fc2.weight"].t()), act)  # (N, 84)
    logits = torch.addmm(params["fc3.bias"], a4, params["fc3.weight"].t())  # (N, 10)
    saved = dict(X=X, a1=a1, w1=w1, p1=p1, a2=a2, w2=w2, f=f, a3=a3, a4=a4) if keep else {}
    return logits, saved


def loss_and_grads(params: dict[str, torch.Tensor], X: torch.Tensor, y: torch.Tensor, config: ModelConfig
                   ) -> tuple[torch.Tensor, torch.Tensor, dict[str, torch.Tensor]]:
    """Mean cross-entropy loss, logits and the gradient of the loss w.r.t. every parameter."""
    act = config.activation
    with torch.no_grad():
        logits, s = forward(params, X, config, keep=True)
        N = len(X)
        lsm = torch.log_softmax(logits, dim=1)
        loss = -lsm.gather(1, y[:, None]).mean()
        d = lsm.exp_()
        d[torch.arange(N, device=X.device), y] -= 1.0
        d.div_(N)  # dloss/dlogits (N, 10)
        g: dict[str, torch.Tensor] = {}
        g["fc3.weight"], g["fc3.bias"] = d.t() @ s["a4"], d.sum(0)
        d = _act_backward(d @ params["fc3.weight"], s["a4"], act)  # (N, 84)
        g["fc2.weight"], g["fc2.bias"] = d.t() @ s["a3"], d.sum(0)
        d = _act_backward(d @ params["fc2.weight"], s["a3"], act)  # (N, 120)
        g["fc1.weight"], g["fc1.bias"] = d.t() @ s["f"], d.sum(0)
        dp2 = (d @ params["fc1.weight"]).view(N, 16, 5, 5)
        dz2 = _pool_act_backward(dp2, s["a2"], s["w2"], config)  # (N, 16, 10, 10)
        # conv2's weight gradient as a convolution over the batch: oneDNN's own is ~2x slower here
        g["conv2.weight"] = F.conv2d(s["p1"].transpose(0, 1), dz2.transpose(0, 1)).transpose(0, 1)
        g["conv2.bias"] = dz2.sum((0, 2, 3))
        dp1 = torch.ops.aten.convolution_backward(
            dz2, s["p1"], params["conv2.weight"], None, [1, 1], [0, 0], [1, 1], False, [0, 0], 1,
            [True, False, False])[0]  # (N, 6, 14, 14)
        dz1 = _pool_act_backward(dp1, s["a1"], s["w1"], config)  # (N, 6, 28, 28)
        _, g["conv1.weight"], g["conv1.bias"] = torch.ops.aten.convolution_backward(
            dz1, X, params["conv1.weight"], [6], [1, 1], [2, 2], [1, 1], False, [0, 0], 1,
            [False, True, True])
    return loss, logits, {k: g[k].contiguous() for k in PARAM_NAMES}


def params_of(model: LeNet) -> dict[str, torch.Tensor]:
    """The model's parameters by name (the tensors themselves, not copies)."""
    return dict(model.named_parameters())
