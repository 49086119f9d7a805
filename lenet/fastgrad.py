"""A hand-derived forward and backward pass of LeNet for training on the CPU (any member without BatchNorm or
dropout: those train by autograd, autograd_grads).

PyTorch's autograd is general; for this one small network on a 2-core CPU its generic kernels
(2x2 pooling, convolution weight gradients) and per-node overhead cost more than the arithmetic.
Here every gradient is written out once, with the cheap formulations measured in bench/train_speed.py:
pooling as four strided slices, the activation's derivative fused into the pooling's backward, and
conv2's weight gradient as one convolution over the batch. Each op's own forward and backward live in its
entry of the ops table (lenet/ops.py); this module chains them through the member's blocks and layers.
tests/lenet/test_fastgrad.py checks every gradient against autograd for every variant and several members.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from lenet.config import SEED_CONVS, ModelConfig
from lenet.model import LeNet
from lenet.ops import ACTIVATIONS, PHASES, POOLINGS, Phases, Pooling

PARAM_NAMES = ("conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias", "fc1.weight", "fc1.bias",
               "fc2.weight", "fc2.bias", "fc3.weight", "fc3.bias")  # the seed's LeNet's


def hand_written(config: ModelConfig) -> bool:
    """Whether this module's forward and backward cover the member: every one without BatchNorm or dropout (whose
    running statistics and random masks live in the modules)."""
    return not any(b.batchnorm for b in config.convs) and not any(d.batchnorm or d.dropout for d in config.dense)


def trains_faster(config: ModelConfig) -> bool:
    """Whether the training engine steps this member by the hand-written pass rather than by autograd: where it
    was measured faster (bench/family_speed.py, batch 256, 2 cores): the seed's conv blocks, whatever the dense
    layers (17.6 against 25.8 ms a step; without hidden layers 15.3 against 19.6). Other members were within 10 %
    either way, autograd ahead for 3×3 kernels and a third block: they train by autograd."""
    return hand_written(config) and config.convs == SEED_CONVS


def _phase(a: torch.Tensor, r: int, s: int) -> torch.Tensor:
    return a[:, :, r::2, s::2]  # (N, C, H/2, W/2) strided view: window position (r, s) of every window


def _even(a: torch.Tensor) -> torch.Tensor:
    """The part of the maps that 2×2 windows cover: an odd last row and column are dropped, as PyTorch's pooling
    does (a view; the whole tensor when both sides are even)."""
    H, W = a.shape[-2:]
    return a if H % 2 == 0 and W % 2 == 0 else a[:, :, :H - H % 2, :W - W % 2]


def _phases(a: torch.Tensor) -> Phases:
    a = _even(a)
    return tuple(_phase(a, r, s) for r, s in PHASES)  # type: ignore[return-value]


def _pool(a: torch.Tensor, pooling: Pooling) -> tuple[torch.Tensor, tuple]:
    """2x2 stride-2 pooling from four strided slices: (pooled, what its backward needs)."""
    return pooling.forward(_phases(a))


def _pool_act_backward(dp: torch.Tensor, a: torch.Tensor, pooled: torch.Tensor, saved: tuple,
                       model_config: ModelConfig) -> torch.Tensor:
    """Gradient w.r.t. the pre-activation z, given the gradient dp of pooled = pool(act(z)) and a = act(z).

    Works phase by phase on strided views (broadcasting dp over a (.., 2, .., 2) view is ~4x slower), the
    activation's derivative written straight into each phase of the result (an odd last row or column, which no
    window sees, gets 0).
    """
    act = ACTIVATIONS[model_config.activation]
    even = _even(a)
    dz = torch.empty_like(a) if even is a else torch.zeros_like(a)
    dz_even = _even(dz)
    phases = _phases(a)
    grads = POOLINGS[model_config.pooling].backward(dp, phases, pooled, saved)
    for (r, s), g, a_phase in zip(PHASES, grads, phases):
        act.backward(g, a_phase, _phase(dz_even, r, s))
    return dz


def forward(params: dict[str, torch.Tensor], X: torch.Tensor, model_config: ModelConfig,
            keep: bool = False) -> tuple[torch.Tensor, dict]:
    """Logits (N, 10) for X (N, 1, 28, 28); with keep=True also what the backward pass needs (for the seed's LeNet
    p1 and p2 are its pooled maps). Any member that hand_written() covers."""
    act, pool = ACTIVATIONS[model_config.activation].forward, POOLINGS[model_config.pooling]
    blocks, out = [], X
    for b, block in enumerate(model_config.convs, 1):
        a = act(F.conv2d(out, params[f"conv{b}.weight"], params[f"conv{b}.bias"], padding=block.padding))
        pooled, how = _pool(a, pool) if block.pool else (a, ())
        blocks.append((out, a, pooled, how))
        out = pooled
    f = out.reshape(len(X), -1)
    layers, out = [], f
    for k in range(1, len(model_config.dense) + 2):
        z = torch.addmm(params[f"fc{k}.bias"], out, params[f"fc{k}.weight"].t())
        layers.append(out)
        out = act(z) if k <= len(model_config.dense) else z
    if not keep:
        return out, {}
    saved = dict(X=X, blocks=blocks, layers=layers)
    for n, (_in, _a, pooled, _how) in enumerate((blk for blk, cfg in zip(blocks, model_config.convs) if cfg.pool), 1):
        saved[f"p{n}"] = pooled
    return out, saved


def loss_and_grads(params: dict[str, torch.Tensor], X: torch.Tensor, y: torch.Tensor, model_config: ModelConfig,
                   saved: dict | None = None) -> tuple[torch.Tensor, torch.Tensor, dict[str, torch.Tensor]]:
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
        for k in range(len(s["layers"]), 0, -1):  # the output layer first
            inputs = s["layers"][k - 1]
            g[f"fc{k}.weight"], g[f"fc{k}.bias"] = d.t() @ inputs, d.sum(0)
            d = d @ params[f"fc{k}.weight"]
            if k > 1:
                d = act_backward(d, inputs, None)  # through the activation that made this layer's inputs
        blocks = s["blocks"]
        d = d.view(N, *blocks[-1][2].shape[1:])  # ∂loss/∂ the last block's output (the flattened maps)
        for b in range(len(blocks), 0, -1):
            inputs, a, pooled, how = blocks[b - 1]
            block = model_config.convs[b - 1]
            dz = _pool_act_backward(d, a, pooled, how, model_config) if block.pool else act_backward(d, a, None)
            pad = block.padding
            # the weight gradient as a convolution over the batch: oneDNN's own is ~2x (conv2) to ~3x (conv1, on
            # AVX2 CPUs) slower here
            g[f"conv{b}.weight"] = F.conv2d(inputs.transpose(0, 1), dz.transpose(0, 1), padding=pad).transpose(0, 1)
            g[f"conv{b}.bias"] = dz.sum((0, 2, 3))
            if b > 1:
                d = torch.ops.aten.convolution_backward(
                    dz, inputs, params[f"conv{b}.weight"], None, [1, 1], [pad, pad], [1, 1], False, [0, 0], 1,
                    [True, False, False])[0]  # ∂loss/∂ the block's inputs
    return loss, logits, {k: g[k].contiguous() for k in params}


def autograd_grads(model: nn.Module, X: torch.Tensor, y: torch.Tensor
                   ) -> tuple[torch.Tensor, torch.Tensor, dict[str, torch.Tensor]]:
    """The same as loss_and_grads by autograd through the model's own modules, in the mode it is in (training:
    BatchNorm normalises by the batch and updates its running statistics, dropout drops)."""
    params = dict(model.named_parameters())
    for p in params.values():
        p.grad = None
    logits = model(X)
    loss = F.cross_entropy(logits, y)
    loss.backward()
    return loss.detach(), logits.detach(), {k: p.grad for k, p in params.items()}


def logits_of(model: LeNet, X: torch.Tensor) -> torch.Tensor:
    """The model's logits for X without autograd, as at inference: the fast forward where it covers the member,
    else the model's own modules in eval mode (its mode is restored)."""
    with torch.no_grad():
        if hand_written(model.config):
            return forward(params_of(model), X, model.config)[0]
        was = model.training
        try:
            return model.eval()(X)
        finally:
            model.train(was)


def params_of(model: LeNet) -> dict[str, torch.Tensor]:
    """The model's parameters by name (the tensors themselves, not copies)."""
    return dict(model.named_parameters())
