"""The exact arithmetic behind each detail view, as plain numbers (numpy arrays) for one image.

Every function takes the model (for its weights and ops) and one image's stage outputs as numpy arrays (what
capture.acts_of returns, and what the dashboard caches), and recomputes one output value from its inputs, so
that a student can check the sum by hand. tests/lenet/test_explain.py checks each result against torch.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from lenet.model import LeNet
from lenet.ops import ACTIVATIONS, POOL_SIZE, POOLINGS

Acts = dict[str, np.ndarray]  # stage name -> one image's output, no batch dimension


def _f64(a: np.ndarray | torch.Tensor) -> np.ndarray:
    if isinstance(a, torch.Tensor):
        a = a.detach().cpu().numpy()
    return np.asarray(a, dtype=np.float64)


def _check_kind(model: LeNet, stage: str, kind: str) -> None:
    found = model.stages.by_name[stage].kind if stage in model.stages.by_name else "unknown"
    if found != kind:
        raise ValueError(f"{stage!r} is a {found} stage, not {kind}")


def _activated(model: LeNet, acts: Acts, stage: str, index: tuple[int, ...]) -> float | None:
    """The value at `index` of the activation that follows a layer (through its BatchNorm, if it has one); None
    for the output layer, which no activation follows."""
    nxt = model.stages.next(stage)
    while nxt is not None and nxt.kind == "batchnorm":
        nxt = model.stages.next(nxt.name)
    return float(acts[nxt.name][index]) if nxt is not None and nxt.kind == "activation" else None


@dataclass(frozen=True)
class ConvWindow:
    """How conv output pixel (c, i, j) is computed: sum over input maps of kernel ⊙ patch, plus bias."""

    padded_input: np.ndarray  # (C_in, H + 2p, W + 2p) the input maps with their zero padding
    patches: np.ndarray  # (C_in, k, k) the window of every input map under the kernel
    kernels: np.ndarray  # (C_in, k, k) output channel c's kernel, one slice per input map
    products: np.ndarray  # (C_in, k, k) kernels * patches, elementwise
    channel_sums: np.ndarray  # (C_in,) sum of products per input map
    bias: float
    pre_activation: float  # channel_sums.sum() + bias = the conv stage's output at (c, i, j)
    activated: float  # the activation stage's output at (c, i, j) (after the BatchNorm, where the block has one)
    padding: int
    row: int  # top-left corner of the window in padded coordinates (= i, = j)
    col: int


def conv_window(model: LeNet, acts: Acts, stage: str, c: int, i: int, j: int) -> ConvWindow:
    """The numbers behind conv stage output (c, i, j)."""
    _check_kind(model, stage, "conv")
    conv = getattr(model, stage)
    k, pad = conv.kernel_size[0], conv.padding[0]
    x = _f64(acts[model.stages.previous(stage).name])  # (C_in, H, W)
    padded = np.pad(x, ((0, 0), (pad, pad), (pad, pad)))
    patches = padded[:, i:i + k, j:j + k]
    kernels = _f64(conv.weight[c])  # (C_in, k, k)
    products = kernels * patches
    sums = products.sum(axis=(1, 2))
    bias = float(conv.bias[c].detach())
    activated = _activated(model, acts, stage, (c, i, j))
    return ConvWindow(padded, patches, kernels, products, sums, bias, float(sums.sum() + bias), activated,
                      pad, i, j)


@dataclass(frozen=True)
class PoolWindow:
    """How pooled value (c, i, j) comes from its 2×2 window."""

    window: np.ndarray  # (2, 2) the activations under the window
    op: str  # the pooling, a key of ops.POOLINGS
    value: float  # the op applied to the window
    pick: tuple[int, int] | None  # the one input that decides (max pooling's winner), if the op has one
    row: int  # top-left corner of the window in the input map
    col: int


def pool_window(model: LeNet, acts: Acts, stage: str, c: int, i: int, j: int) -> PoolWindow:
    """The numbers behind pooling stage output (c, i, j)."""
    _check_kind(model, stage, "pool")
    s = POOL_SIZE
    window = _f64(acts[model.stages.previous(stage).name][c])[i * s:(i + 1) * s, j * s:(j + 1) * s]
    op = POOLINGS[model.config.pooling]
    return PoolWindow(window, op.name, op.numpy(window), op.pick(window), i * s, j * s)


@dataclass(frozen=True)
class DenseNeuron:
    """How dense neuron k sums its inputs: value = Σ weights * inputs + bias."""

    inputs: np.ndarray  # (D,) the previous stage's output
    weights: np.ndarray  # (D,) row k of the weight matrix
    contributions: np.ndarray  # (D,) weights * inputs
    top: np.ndarray  # indices of the largest |contributions|, largest first
    bias: float
    value: float  # contributions.sum() + bias = the dense stage's output at k
    activated: float | None  # the following activation's output at k (after the BatchNorm, where the layer has
    #                            one; None for the output layer, the logits)


def dense_neuron(model: LeNet, acts: Acts, stage: str, k: int, top: int = 10) -> DenseNeuron:
    """The numbers behind dense stage output k."""
    _check_kind(model, stage, "dense")
    layer = getattr(model, stage)
    x = _f64(acts[model.stages.previous(stage).name])
    w = _f64(layer.weight[k])
    contrib = w * x
    order = np.argsort(-np.abs(contrib), kind="stable")[:top]
    activated = _activated(model, acts, stage, (k,))
    bias = float(layer.bias[k].detach())
    return DenseNeuron(x, w, contrib, order, bias, float(contrib.sum() + bias), activated)


@dataclass(frozen=True)
class SoftmaxSteps:
    """logits → ÷ temperature → exp → sum → probabilities (shifted by the largest scaled logit, which changes
    nothing but overflow)."""

    logits: np.ndarray  # (10,) the logits z, whatever the temperature
    temperature: float  # T: the probabilities are softmax(z / T)
    scaled: np.ndarray  # (10,) z / T
    shift: float  # max(z / T)
    exp: np.ndarray  # (10,) exp(z / T - shift)
    total: float  # exp.sum()
    probs: np.ndarray  # (10,) exp / total
    prediction: int  # argmax: the same at every temperature
    entropy: float  # of probs, in bits: 0 when one class takes all, log2(10) ≈ 3.32 when all are equal


def softmax_steps(acts: Acts, temperature: float = 1.0) -> SoftmaxSteps:
    """The numbers behind the softmax at a temperature T > 0 (1: the network's own): from the logits, the output
    of the stage before it (acts in stage order, as capture gives them). Below 1 the probabilities sharpen towards
    the largest logit, above 1 they flatten towards uniform; the logits and the prediction stay."""
    if not temperature > 0:
        raise ValueError(f"the temperature must be positive, not {temperature}")
    names = list(acts)
    z = _f64(acts[names[names.index("softmax") - 1]])
    scaled = z / temperature
    shift = float(scaled.max())
    e = np.exp(scaled - shift)
    total = float(e.sum())
    probs = e / total
    nonzero = probs[probs > 0]
    return SoftmaxSteps(z, float(temperature), scaled, shift, e, total, probs, int(np.argmax(z)),
                        float(-(nonzero * np.log2(nonzero)).sum()))


def activation_curve(activation: str, lo: float = -8.0, hi: float = 8.0, num: int = 321
                     ) -> tuple[np.ndarray, np.ndarray]:
    """(x, f(x)) of the activation function, for drawing its curve."""
    x = np.linspace(lo, hi, num)
    return x, ACTIVATIONS[activation].numpy(x)


def never_negative(model: LeNet, stage: str) -> bool:
    """True if a stage's output can never be negative: an activation whose op never outputs a negative
    number, or a pooling or dropout of one (a mean, a maximum or a root mean square of numbers ≥ 0 is ≥ 0)."""
    kind = model.stages.by_name[stage].kind
    if kind == "activation":
        return ACTIVATIONS[model.config.activation].nonnegative
    return kind in ("pool", "dropout") and never_negative(model, model.stages.previous(stage).name)


def stage_params(model: LeNet, stage: str) -> int:
    """How many weights and biases a stage has (0 for the input, activations, pooling, ...; BatchNorm's γ and β
    count, its running statistics do not)."""
    return sum(p.numel() for p in getattr(model, stage).parameters()) if model.stages.by_name[stage].is_module else 0


@dataclass(frozen=True)
class NormValue:
    """How BatchNorm output (c, i, j) or (k,) comes from its input: (x − μ) / √(σ² + ε) · γ + β, with the running
    statistics it learned in training (what it uses at inference)."""

    x: float  # the input (the conv's or dense layer's output there)
    mean: float  # μ: the running mean of this map or neuron
    var: float  # σ²: its running variance
    eps: float  # ε
    gamma: float  # γ: the learned scale
    beta: float  # β: the learned shift
    normalized: float  # (x − μ) / √(σ² + ε)
    value: float  # normalized · γ + β = the stage's output there
    activated: float  # the activation after it, at the same place


def batchnorm_value(model: LeNet, acts: Acts, stage: str, index: tuple[int, ...]) -> NormValue:
    """The numbers behind BatchNorm stage output at index ((c, i, j) after a conv, (k,) after a dense layer)."""
    _check_kind(model, stage, "batchnorm")
    bn = getattr(model, stage)
    c = index[0]
    x = float(_f64(acts[model.stages.previous(stage).name])[index])
    mean, var = float(bn.running_mean[c]), float(bn.running_var[c])
    gamma = float(bn.weight[c].detach()) if bn.weight is not None else 1.0
    beta = float(bn.bias[c].detach()) if bn.bias is not None else 0.0
    normalized = (x - mean) / np.sqrt(var + bn.eps)
    return NormValue(x, mean, var, float(bn.eps), gamma, beta, float(normalized), float(normalized * gamma + beta),
                     float(acts[model.stages.next(stage).name][index]))
