"""The table of ops: every activation and every pooling type, each declared once, in one entry.

An entry holds everything the project knows about its op: the `nn` module the model is built from, the fast
forward and backward the training engine uses (lenet/fastgrad.py), the numpy form the detail arithmetic uses
(lenet/explain.py), the formula, a plain-language text and the label the dashboard shows. Everything else
iterates over ACTIVATIONS and POOLINGS, so adding an op is one entry here (and its tests): it then trains,
explains, and appears in the explorer's toggles, the URL, the training form and the CLI.

Pooling is 2×2 with stride 2 throughout. The fast forms see a batch of maps as the window's four positions,
PHASES, each a strided view of the input (N, C, H/2, W/2): 2×2 pooling as four slices is several times
faster than aten's pooling kernels on this project's CPUs (bench/train_speed.py).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from lenet.i18n import N_, _

Tensor = torch.Tensor
Phases = tuple[Tensor, Tensor, Tensor, Tensor]  # the window's positions (0,0), (0,1), (1,0), (1,1)

PHASES = ((0, 0), (0, 1), (1, 0), (1, 1))  # in PyTorch's scan order (row-major)
POOL_SIZE = 2  # every pooling stage: 2×2 windows, stride 2


def _num(v: float) -> str:
    return f"{v:.3f}"


@dataclass(frozen=True)
class Activation:
    """A nonlinearity applied to every value on its own."""

    name: str  # the key in ModelConfig, URLs and checkpoints
    label: str  # what menus show (through _())
    module: Callable[[], nn.Module]  # builds the model's layer
    forward: Callable[[Tensor], Tensor]  # the fast form, z -> a
    # grad * f'(z), written in terms of the output a = f(z) (the engine keeps a, not z); into `out` if given
    backward: Callable[[Tensor, Tensor, Tensor | None], Tensor]
    numpy: Callable[[np.ndarray], np.ndarray]  # f on numbers, for curves and hand-checkable arithmetic
    formula: str  # f written out
    text: str  # what it does, in plain words (an English key: describe() translates it)
    large_lr_hint: str = ""  # added to a divergence message when plain SGD ran with a large learning rate
    nonnegative: bool = True  # its outputs are never below 0 (the dashboard colours them on a 0-based scale)

    def describe(self) -> str:
        """The formula and what it does, in the thread's language."""
        return _("{formula}, {text}").format(formula=self.formula, text=_(self.text))


@dataclass(frozen=True)
class Pooling:
    """A 2×2, stride-2 summary of each window."""

    name: str  # the key in ModelConfig, URLs and checkpoints
    label: str  # what menus show, e.g. "average"
    module: Callable[[], nn.Module]  # builds the model's layer
    # the fast form: the window's four positions -> (pooled, what the backward needs)
    forward: Callable[[Phases], tuple[Tensor, tuple]]
    # (dpooled, the four positions, pooled, saved) -> the gradient at each of the four positions
    backward: Callable[[Tensor, Phases, Tensor, tuple], tuple[Tensor, ...]]
    numpy: Callable[[np.ndarray], float]  # one (k, k) window -> its pooled value
    pick: Callable[[np.ndarray], tuple[int, int] | None]  # the one input that decides, where there is one
    spelled: Callable[[np.ndarray], str]  # the formula with the window's numbers in it
    result: str  # name of the result, e.g. "mean" (through _())
    formula: str  # over the window a, b, c, d
    text: str  # what it does, in plain words
    shipped: bool = False  # trained weights for it ship in assets/weights (python -m lenet.pretrained)

    def describe(self) -> str:
        """What it does to each window, in the thread's language."""
        return _("{op} pooling: out = {formula} over each 2×2 window, {text}").format(
            op=_(self.label), formula=self.formula, text=_(self.text))


# --- activations -------------------------------------------------------------------------------------------

def _sigmoid_backward(grad: Tensor, a: Tensor, out: Tensor | None = None) -> Tensor:
    if out is None:
        return torch.ops.aten.sigmoid_backward(grad, a)  # grad * a * (1 - a), one kernel
    return torch.ops.aten.sigmoid_backward.grad_input(grad, a, grad_input=out)


def _relu_backward(grad: Tensor, a: Tensor, out: Tensor | None = None) -> Tensor:
    if out is None:
        return torch.ops.aten.threshold_backward(grad, a, 0.0)  # grad where a > 0
    return torch.ops.aten.threshold_backward.grad_input(grad, a, 0.0, grad_input=out)


SIGMOID = Activation(
    "sigmoid", "sigmoid", nn.Sigmoid, torch.sigmoid, _sigmoid_backward,
    lambda x: 1.0 / (1.0 + np.exp(-x)),
    "sigmoid(x) = 1 / (1 + e^(-x))", N_("squashing every value into (0, 1)"))
RELU = Activation(
    "relu", "relu", nn.ReLU, torch.relu, _relu_backward, lambda x: np.maximum(x, 0.0),
    "ReLU(x) = max(0, x)", N_("keeping positive values and zeroing negative ones"),
    large_lr_hint=N_(" (ReLU is unbounded, so large steps blow up; the classic lr 0.9 suits sigmoid; try 0.1 or "
                     "less)"))


# --- poolings ----------------------------------------------------------------------------------------------

def _avg_forward(p: Phases) -> tuple[Tensor, tuple]:
    return (p[0] + p[1]).add_(p[2]).add_(p[3]).mul_(0.25), ()


def _avg_backward(dp: Tensor, p: Phases, pooled: Tensor, saved: tuple) -> tuple[Tensor, ...]:
    return (dp * 0.25,) * 4


def _max_forward(p: Phases) -> tuple[Tensor, tuple]:
    """The maximum, and which position won by PyTorch's rule (the first maximum in row-major order), so that
    ties, common on the black background, route the gradient exactly as nn.MaxPool2d does."""
    a00, a01, a10, a11 = p
    right_top, right_bottom = a01 > a00, a11 > a10
    top, bottom = torch.maximum(a00, a01), torch.maximum(a10, a11)
    use_bottom = bottom > top
    return torch.maximum(top, bottom), (right_top, right_bottom, use_bottom)


def _max_backward(dp: Tensor, p: Phases, pooled: Tensor, saved: tuple) -> tuple[Tensor, ...]:
    right_top, right_bottom, use_bottom = saved
    zero = dp.new_zeros(())
    g_top, g_bottom = torch.where(use_bottom, zero, dp), torch.where(use_bottom, dp, zero)
    return (torch.where(right_top, zero, g_top), torch.where(right_top, g_top, zero),
            torch.where(right_bottom, zero, g_bottom), torch.where(right_bottom, g_bottom, zero))


def _first_max(window: np.ndarray) -> tuple[int, int]:
    r, c = np.unravel_index(int(np.argmax(window)), window.shape)
    return int(r), int(c)


# Below this mean square an L2 window counts as zero: a window of zeros (ReLU's black background) then gets
# gradient 0 instead of the 0 × ∞ = NaN of the square root's slope at 0.
L2_FLOOR = 1e-30


class L2Pool2d(nn.Module):
    """L2 pooling: the root mean square of each window, √((a² + b² + c² + d²) / 4) for 2×2.

    This is torch.nn.LPPool2d(2, k) divided by k (LPPool2d takes the root of the sum of squares): the mean
    keeps the output on the scale of average and max pooling, between the two for non-negative inputs.
    """

    def __init__(self, kernel_size: int = POOL_SIZE, stride: int = POOL_SIZE) -> None:
        super().__init__()
        self.kernel_size, self.stride = kernel_size, stride

    def forward(self, x: Tensor) -> Tensor:
        return F.avg_pool2d(x * x, self.kernel_size, self.stride).clamp_min(L2_FLOOR).sqrt()

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}"


def _l2_forward(p: Phases) -> tuple[Tensor, tuple]:
    mean_sq = (p[0] * p[0]).add_(p[1] * p[1]).add_(p[2] * p[2]).add_(p[3] * p[3]).mul_(0.25)
    return mean_sq.clamp_min(L2_FLOOR).sqrt_(), (mean_sq >= L2_FLOOR,)


def _l2_backward(dp: Tensor, p: Phases, pooled: Tensor, saved: tuple) -> tuple[Tensor, ...]:
    (live,) = saved
    scale = torch.where(live, dp * 0.25 / pooled, dp.new_zeros(()))  # d pooled / d a = a / (4 · pooled)
    return tuple(scale * a for a in p)


AVG = Pooling(
    "avg", N_("average"), lambda: nn.AvgPool2d(POOL_SIZE, POOL_SIZE), _avg_forward, _avg_backward,
    lambda w: float(np.mean(w)), lambda w: None,
    lambda w: "(" + " + ".join(_num(v) for v in np.ravel(w)) + f") / {np.size(w)}",
    N_("mean"), "(a + b + c + d) / 4", N_("every input counting the same"), shipped=True)
MAX = Pooling(
    "max", N_("max"), lambda: nn.MaxPool2d(POOL_SIZE, POOL_SIZE), _max_forward, _max_backward,
    lambda w: float(np.max(w)), _first_max,
    lambda w: "max(" + ", ".join(_num(v) for v in np.ravel(w)) + ")",
    "max", "max(a, b, c, d)", N_("keeping only the strongest response of each window"), shipped=True)
L2 = Pooling(
    "l2", "L2", L2Pool2d, _l2_forward, _l2_backward,
    lambda w: float(np.sqrt(np.mean(np.square(w)))), lambda w: None,
    lambda w: "√((" + " + ".join(f"{_num(v)}²" for v in np.ravel(w)) + f") / {np.size(w)})",
    N_("rms"), "√((a² + b² + c² + d²) / 4)",
    N_("the root mean square: every input counts, large ones more (between average and max)"))

ACTIVATIONS: dict[str, Activation] = {op.name: op for op in (SIGMOID, RELU)}
POOLINGS: dict[str, Pooling] = {op.name: op for op in (AVG, MAX, L2)}
