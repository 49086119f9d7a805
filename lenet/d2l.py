"""Models trained in the d2l notebook: `torch.save(net.state_dict(), path)` of the book's LeNet, or any LeNet-like
net built with nn.Sequential as the book writes them, read as ours.

The seed's `net` (SEED.md) begins with a `Reshape()` module, so its weighted layers sit at positions 1, 4, 8,
10 and 12 of its nn.Sequential (keys `1.weight`, `4.weight`, `8.weight`, ...); the book's current edition
drops `Reshape()` and they sit at 0, 3, 7, 9 and 11. The architecture is inferred from the keys' order and
shapes: a 4-d weight is a convolution (its kernel and maps), a 2-d one a dense layer, running statistics a
BatchNorm; the positions without keys between them are the activation, the pooling, the flatten and dropout, so
their count says which blocks pool and which dense layers drop out. What the file cannot say is chosen by the
reader: the activation and the pooling type (default the seed's: sigmoid + average), and the padding where the
shapes allow more than one (the most usual first: each conv padded by 0 or by half its kernel). Dropout's rate is
not in the file either; it plays no part at inference, and DROPOUT is assumed.
Loaded with weights_only=True (no code in the file can run); a net that is not LeNet-like is refused with a
message naming the layer.
"""
from __future__ import annotations

import io
import itertools
import os
import pickle
import re
from dataclasses import dataclass
from pathlib import Path

import torch

from lenet.config import IMAGE, LIMITS, ConvBlock, DenseLayer, ModelConfig
from lenet.i18n import N_, Said, later
from lenet.model import LeNet

LAYOUT_TEXT = {"seed": N_("the seed's layout, Reshape() first"),  # (English keys: shown through _())
               "book": N_("the d2l book's layout, no Reshape()")}
SEED_OPS = ("sigmoid", "avg")  # what the seed's net uses
DROPOUT = 0.5  # assumed for a dropout layer (d2l's usual rate; the file does not hold it)
MAX_BYTES = 16 * 1024 * 1024  # LeNet's weights are ~250 KB; the widest member's ~13 MB
_PARTS = ("weight", "bias", "running_mean", "running_var", "num_batches_tracked")
_KEY = re.compile(r"^(\d+)\.(" + "|".join(_PARTS) + r")$")


class D2LError(Said, ValueError):
    """Not a usable d2l LeNet state_dict; the message says why, in one line (lenet.i18n.Said: str(e) in English,
    e.said the later() message, e.explained() in this thread's language)."""


def is_d2l_state(payload) -> bool:
    """Whether a loaded object looks like an nn.Sequential's state_dict (keys 'N.weight', 'N.bias' and, for a
    BatchNorm, 'N.running_mean' … only)."""
    return (isinstance(payload, dict) and bool(payload)
            and all(isinstance(k, str) and _KEY.match(k) for k in payload)
            and all(isinstance(v, torch.Tensor) for v in payload.values()))


@dataclass(frozen=True)
class Layer:
    """One weighted module of the file: where it sits in the Sequential, what it is, its numbers."""

    position: int
    kind: str  # "conv", "batchnorm" or "dense"
    out: int  # maps or neurons it gives
    takes: int  # maps or inputs it takes (BatchNorm: its size)
    kernel: int = 0  # conv only


def _shape(t: torch.Tensor) -> str:
    return "×".join(map(str, t.shape)) or "scalar"


def layers_of(state: dict[str, torch.Tensor]) -> list[Layer]:
    """The file's weighted modules in order; D2LError naming one that is not a conv, BatchNorm or dense layer."""
    by_position: dict[int, dict[str, torch.Tensor]] = {}
    for key, value in state.items():
        position, part = _KEY.match(key).groups()
        by_position.setdefault(int(position), {})[part] = value
    layers = []
    for position in sorted(by_position):
        parts = by_position[position]
        weight, bias = parts.get("weight"), parts.get("bias")
        if "running_mean" in parts:
            n = parts["running_mean"].numel()
            ok = parts["running_mean"].dim() == 1 and all(k in parts and parts[k].shape == (n,)
                                                          for k in ("running_var", "weight", "bias"))
            if not ok:
                raise D2LError(later("layer {position} is a BatchNorm without its γ, β and running variance of one "
                                     "size each: not supported", position=position))
            layers.append(Layer(position, "batchnorm", n, n))
            continue
        if weight is None or bias is None:
            key = "{}.{}".format(position, "bias" if weight is not None else "weight")
            raise D2LError(later("{key} is missing (layer {position} has {parts})", position=position, key=key,
                                 parts=", ".join(sorted(parts))))
        if weight.dim() == 4 and bias.shape == weight.shape[:1]:
            if weight.shape[2] != weight.shape[3]:
                raise D2LError(later("{key} has shape {got}: a {kh}×{kw} kernel, where a LeNet's are square",
                                     key="{}.weight".format(position), got=_shape(weight), kh=weight.shape[2],
                                     kw=weight.shape[3]))
            layers.append(Layer(position, "conv", weight.shape[0], weight.shape[1], weight.shape[2]))
        elif weight.dim() == 2 and bias.shape == weight.shape[:1]:
            layers.append(Layer(position, "dense", weight.shape[0], weight.shape[1]))
        else:
            raise D2LError(later("layer {position} (weight {got}, bias {bias}) is neither a convolution nor a dense "
                                 "layer", position=position, got=_shape(weight), bias=_shape(bias)))
    return layers


def layout_of(state: dict[str, torch.Tensor]) -> str:
    """Which layout the keys follow: 'seed' (Reshape() first: the first layer at position 1) or 'book' (at 0);
    D2LError if neither."""
    first = min(int(_KEY.match(k).group(1)) for k in state)
    if first not in (0, 1):
        raise D2LError(later("its first layer sits at position {position} of the Sequential; d2l's LeNet starts at 1 "
                             "(the seed, with Reshape()) or 0 (the book, without)", position=first))
    return "seed" if first == 1 else "book"


@dataclass(frozen=True)
class Found:
    """What the file says about the net: everything but the ops and, where the shapes allow several, the padding."""

    layout: str
    convs: tuple[ConvBlock, ...]  # padding 0: config() puts in the chosen one
    dense: tuple[DenseLayer, ...]
    paddings: tuple[tuple[int, ...], ...]  # every padding of the conv blocks the shapes allow, the most usual first
    dropped_out: tuple[int, ...]  # the hidden dense layers followed by dropout (1-based), DROPOUT assumed

    def config(self, activation: str = SEED_OPS[0], pooling: str = SEED_OPS[1],
               padding: tuple[int, ...] | None = None) -> ModelConfig:
        """The member with these ops and this padding (one of `paddings`; None: the first)."""
        padding = self.paddings[0] if padding is None else tuple(padding)
        if padding not in self.paddings:
            raise D2LError(later("a padding of {padding} does not fit the file's shapes (it allows {allowed})",
                                 padding=_paddings(padding), allowed="; ".join(map(_paddings, self.paddings))))
        convs = tuple(ConvBlock(b.channels, b.kernel, p, b.batchnorm, b.pool) for b, p in zip(self.convs, padding))
        return ModelConfig(activation, pooling, convs, self.dense)


def _paddings(padding: tuple[int, ...]) -> str:
    return ", ".join(map(str, padding))


def _gap(layers: list[Layer], k: int, allowed: tuple[int, ...], what: str) -> int:
    """How many modules without weights sit between layer k (or its BatchNorm) and the next weighted one."""
    last = k + 1 if k + 1 < len(layers) and layers[k + 1].kind == "batchnorm" else k
    gap = layers[last + 1].position - layers[last].position - 1
    if gap not in allowed:
        raise D2LError(later("between layer {a} and layer {b} sit {n} modules without weights; a LeNet has {allowed} "
                             "there ({what})", a=layers[last].position, b=layers[last + 1].position, n=gap,
                             allowed=" or ".join(map(str, allowed)), what=later(what)))
    return gap


def infer(state: dict[str, torch.Tensor]) -> Found:
    """The LeNet a d2l state_dict is the weights of; D2LError naming the first layer that is not LeNet-like."""
    if not is_d2l_state(state):
        raise D2LError(later("not a state_dict of an nn.Sequential (expected keys such as '1.weight', '4.bias')"))
    layout, layers = layout_of(state), layers_of(state)
    convs, dense, dropped, maps, k = [], [], [], 1, 0
    (c0, c1), (k0, k1) = LIMITS["channels"], LIMITS["kernel"]
    while k < len(layers) and layers[k].kind == "conv":
        layer = layers[k]
        if layer.takes != maps:
            raise D2LError(later("layer {position} takes {got} maps where the layer before gives {want}",
                                 position=layer.position, got=layer.takes, want=maps))
        if not (c0 <= layer.out <= c1 and k0 <= layer.kernel <= k1):
            raise D2LError(later("layer {position} has {n} maps of {k}×{k} kernels; a LeNet's conv layers have "
                                 "{c0}–{c1} maps and kernels of {k0}×{k0} to {k1}×{k1}", position=layer.position,
                                 n=layer.out, k=layer.kernel, c0=c0, c1=c1, k0=k0, k1=k1))
        norm = _norm(layers, k)
        if k + 1 + norm >= len(layers):
            raise D2LError(later("layer {position} is a convolution with no dense layer after it",
                                 position=layer.position))
        to_dense = layers[k + 1 + norm].kind == "dense"
        gap = _gap(layers, k, (2, 3) if to_dense else (1, 2),
                   N_("activation, pooling, flatten") if to_dense else N_("activation, pooling"))
        convs.append(ConvBlock(layer.out, layer.kernel, 0, bool(norm), gap == (3 if to_dense else 2)))
        maps, k = layer.out, k + 1 + norm
    if not convs:
        raise D2LError(later("layer {position} is not a convolution: a LeNet begins with one",
                             position=layers[0].position))
    first = k
    while k < len(layers):
        layer = layers[k]
        if layer.kind != "dense":
            raise D2LError(later("layer {position} comes after the dense layers but is not one: not LeNet-like",
                                 position=layer.position))
        if k > first and layer.takes != layers[k - 1 - _norm_before(layers, k)].out:
            raise D2LError(later("layer {position} takes {got} inputs where the layer before gives {want}",
                                 position=layer.position, got=layer.takes,
                                 want=layers[k - 1 - _norm_before(layers, k)].out))
        norm = _norm(layers, k)
        if k + 1 + norm >= len(layers):  # the output layer
            if layer.out != 10 or norm:
                raise D2LError(later("the last layer ({position}) gives {n} values; a LeNet's gives one per class, 10",
                                     position=layer.position, n=layer.out))
            break
        if not LIMITS["width"][0] <= layer.out <= LIMITS["width"][1]:
            raise D2LError(later("layer {position} has {n} neurons; a LeNet's hidden dense layers have {w0}–{w1}",
                                 position=layer.position, n=layer.out, w0=LIMITS["width"][0], w1=LIMITS["width"][1]))
        drop = _gap(layers, k, (1, 2), N_("activation, dropout")) == 2
        dense.append(DenseLayer(layer.out, bool(norm), DROPOUT if drop else 0.0))
        if drop:
            dropped.append(len(dense))
        k += 1 + norm
    if len(convs) > LIMITS["blocks"][1] or len(dense) > LIMITS["dense"][1]:
        raise D2LError(later("it has {convs} conv blocks and {dense} hidden dense layers; a LeNet has up to {b} and "
                             "{d}",
                             convs=len(convs), dense=len(dense), b=LIMITS["blocks"][1], d=LIMITS["dense"][1]))
    flat = layers[first]
    paddings = _paddings_for(convs, flat.takes)
    if not paddings:
        raise D2LError(later("layer {position} takes {got} inputs, but {c} maps of no padding's size give that "
                             "(the conv blocks' {c} maps are C×s×s)", position=flat.position, got=flat.takes,
                             c=convs[-1].channels))
    found = Found(layout, tuple(convs), tuple(dense), paddings, tuple(dropped))
    found.config()  # a member of the family (ValueError otherwise: nothing the checks above let through)
    return found


def _norm(layers: list[Layer], k: int) -> int:
    """1 if layer k is followed by its BatchNorm (of its size, right after it), else 0."""
    nxt = layers[k + 1] if k + 1 < len(layers) else None
    if nxt is None or nxt.kind != "batchnorm":
        return 0
    if nxt.takes != layers[k].out or nxt.position != layers[k].position + 1:
        raise D2LError(later("layer {position} is a BatchNorm of {n} that does not follow a layer of {n} right before "
                             "it",
                             position=nxt.position, n=nxt.takes))
    return 1


def _norm_before(layers: list[Layer], k: int) -> int:
    return 1 if layers[k - 1].kind == "batchnorm" else 0


def _paddings_for(convs: list[ConvBlock], inputs: int) -> tuple[tuple[int, ...], ...]:
    """Every padding of the blocks that makes their last maps C×s×s = inputs: those with each block padded by 0
    or by half its kernel first (the usual choices; the more blocks padded by half, the earlier), the rest after."""
    fits = []
    for padding in itertools.product(*(range(b.kernel) for b in convs)):
        side = IMAGE
        for b, p in zip(convs, padding):
            side = side + 2 * p - b.kernel + 1
            side = side // 2 if b.pool and side >= 2 else side if not b.pool else 0
            if side < 1:
                break
        else:
            if convs[-1].channels * side * side == inputs:
                fits.append(tuple(padding))
    usual = sorted((p for p in fits if all(q in (0, b.kernel // 2) for q, b in zip(p, convs))),
                   key=lambda p: -sum(q > 0 and q == b.kernel // 2 for q, b in zip(p, convs)))
    return tuple(usual + [p for p in fits if p not in usual])


def convert(state: dict[str, torch.Tensor], activation: str = SEED_OPS[0], pooling: str = SEED_OPS[1],
            padding: tuple[int, ...] | None = None) -> LeNet:
    """Our LeNet with the d2l state_dict's weights, its inferred architecture and the chosen ops (and padding: one
    of infer(state).paddings; None: the most usual); D2LError naming any layer that does not fit."""
    found = infer(state)
    model = LeNet(found.config(activation, pooling, padding))
    ours = model.state_dict()
    theirs = [s.name for s in model.stages.modules if s.kind in ("conv", "batchnorm", "dense")]
    mapped = {}
    for layer, name in zip(layers_of(state), theirs):
        for part in _PARTS:
            key, mine = f"{layer.position}.{part}", f"{name}.{part}"
            if mine not in ours:
                continue
            if key not in state:
                if part == "num_batches_tracked":
                    continue  # (an older PyTorch's BatchNorm: ours keeps its 0)
                raise D2LError(later("{key} is missing ({layer}'s {part})", key=key, layer=name, part=part))
            got, want = tuple(state[key].shape), tuple(ours[mine].shape)
            if got != want:
                raise D2LError(later("{key} ({layer}'s {part}) has shape {got}, LeNet's is {want}: not the book's "
                                     "LeNet", key=key, layer=name, part=part,
                                     got="×".join(map(str, got)) or "scalar", want="×".join(map(str, want))))
            mapped[mine] = state[key].detach().to("cpu", ours[mine].dtype)
    if not all(torch.isfinite(v).all() for v in mapped.values() if v.is_floating_point()):
        raise D2LError(later("its weights contain NaN or infinite values"))
    left = [k for k in ours if k not in mapped and not k.endswith("num_batches_tracked")]
    if left:  # (infer() found as many layers as the model has: never)
        raise D2LError(later("{key} is missing", key=left[0]))
    model.load_state_dict(mapped, strict=False)  # (only num_batches_tracked may be left: an older file's)
    return model.eval()


def read_state(source: str | os.PathLike | bytes) -> dict[str, torch.Tensor]:
    """A d2l state_dict from a file or an upload's bytes, loaded safely; D2LError (one line) on anything else."""
    data = source if isinstance(source, bytes) else None
    if data is None:
        path = Path(source)
        if not path.is_file() or path.is_symlink():
            raise D2LError(later("not a file"))
        if path.stat().st_size > MAX_BYTES:
            raise D2LError(later("{mb:.0f} MB, far larger than a LeNet's weights: refused",
                                 mb=path.stat().st_size / 1e6))
        data = path.read_bytes()
    elif len(data) > MAX_BYTES:
        raise D2LError(later("{mb:.0f} MB, far larger than a LeNet's weights: refused", mb=len(data) / 1e6))
    try:
        payload = torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as e:
        if "GLOBAL" not in str(e):  # bytes a pickle cannot even start on: not a PyTorch file at all
            raise D2LError(later("not a readable PyTorch file (truncated, corrupt or something else)")) from e
        raise D2LError(later("refused: it holds Python objects other than weights, which could run code when loaded "
                             "(save net.state_dict(), not net)")) from e
    except Exception as e:  # torch's readers fail in many ways on a file that is not theirs
        raise D2LError(later("not a readable PyTorch file (truncated, corrupt or something else)")) from e
    if isinstance(payload, torch.nn.Module) or not is_d2l_state(payload):
        raise D2LError(later("not a state_dict of d2l's LeNet (save it with torch.save(net.state_dict(), path))"))
    return payload
