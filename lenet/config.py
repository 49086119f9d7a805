"""Typed configurations: what a model is and how it was trained (stored with the weights)."""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields
from typing import Any

from lenet.ops import ACTIVATIONS, POOLINGS

OPTIMIZERS = ("sgd", "adamw")
SCHEDULES = ("constant", "onecycle")


def _check_types(config) -> None:
    """Each field holds a value of its default's type (a float field takes an int too; a bool is no number): a
    checkpoint whose seed is text is refused when it is read, not by the page that uses the seed."""
    for f in fields(config):
        if isinstance(f.default, tuple):  # a tuple of blocks or layers (each checked itself), like its default's
            value, part = getattr(config, f.name), type(f.default[0])
            if not (isinstance(value, tuple) and all(isinstance(v, part) for v in value)):
                raise ValueError(f"{f.name} must be a tuple of {part.__name__}, got {str(value)[:60]!r}")
            continue
        value, kind = getattr(config, f.name), type(f.default)
        ok = isinstance(value, bool) if kind is bool else \
            isinstance(value, (int, float)) and not isinstance(value, bool) if kind is float else \
            isinstance(value, kind) and not isinstance(value, bool)
        if not ok:
            raise ValueError(f"{f.name} must be {kind.__name__}, got {type(value).__name__} {str(value)[:40]!r}")


IMAGE = 28  # the input is one 28×28 grayscale map
LIMITS = dict(blocks=(1, 4), channels=(1, 64), kernel=(1, 7), dense=(0, 3), width=(1, 1024))  # the family's bounds
MAX_DROPOUT = 0.9


@dataclass(frozen=True)
class ConvBlock:
    """One convolution block: conv (stride 1), optional BatchNorm2d, the activation, optional 2×2 pooling."""

    channels: int = 6  # output maps, 1–64
    kernel: int = 5  # square kernel, 1–7
    padding: int = 2  # zeros around each input map, 0 … kernel − 1
    batchnorm: bool = False  # BatchNorm2d between the conv and the activation (d2l §8.5)
    pool: bool = True  # 2×2 stride-2 pooling (the model's pooling type) after the activation

    def __post_init__(self) -> None:
        _check_types(self)
        (c0, c1), (k0, k1) = LIMITS["channels"], LIMITS["kernel"]
        if not (c0 <= self.channels <= c1 and k0 <= self.kernel <= k1 and 0 <= self.padding < self.kernel):
            raise ValueError(f"a conv block needs {c0}–{c1} channels, a kernel of {k0}–{k1} and a padding of 0 … "
                             f"kernel − 1, got {self.channels}, {self.kernel}, {self.padding}")


@dataclass(frozen=True)
class DenseLayer:
    """One hidden dense layer: Linear, optional BatchNorm1d, the activation, optional dropout."""

    width: int = 120  # neurons, 1–1,024
    batchnorm: bool = False  # BatchNorm1d between the Linear and the activation (d2l §8.5)
    dropout: float = 0.0  # dropout probability after the activation while training (off at inference)

    def __post_init__(self) -> None:
        _check_types(self)
        w0, w1 = LIMITS["width"]
        if not (w0 <= self.width <= w1 and 0.0 <= self.dropout <= MAX_DROPOUT):
            raise ValueError(f"a dense layer needs {w0}–{w1} neurons and a dropout of 0 … {MAX_DROPOUT}, got "
                             f"{self.width}, {self.dropout}")


SEED_CONVS = (ConvBlock(6, 5, 2), ConvBlock(16, 5, 0))  # d2l §6.6: 6 maps of 28×28, then 16 of 10×10
SEED_DENSE = (DenseLayer(120), DenseLayer(84))
# The Training page's architecture presets: (convs, dense). The seed's; d2l §8.5's LeNet with batch normalization
# (no padding on the first convolution, 16×4×4 into the first dense layer); a wider LeNet with 3×3 kernels.
ARCHITECTURES: dict[str, tuple[tuple[ConvBlock, ...], tuple[DenseLayer, ...]]] = {
    "lenet": (SEED_CONVS, SEED_DENSE),
    "batchnorm": ((ConvBlock(6, 5, 0, batchnorm=True), ConvBlock(16, 5, 0, batchnorm=True)),
                  (DenseLayer(120, batchnorm=True), DenseLayer(84, batchnorm=True))),
    "wide": ((ConvBlock(16, 3, 1), ConvBlock(32, 3, 1)), (DenseLayer(120), DenseLayer(84))),
}


@dataclass(frozen=True)
class ModelConfig:
    """The network's variable parts; the default is d2l's classic LeNet exactly. Any member of the LeNet family:
    1–4 conv blocks, 0–3 hidden dense layers, then the 10-way output layer."""

    activation: str = "sigmoid"  # nonlinearity after every conv and hidden dense layer: a key of ops.ACTIVATIONS
    pooling: str = "avg"  # 2x2 stride-2 pooling of every block that pools: a key of ops.POOLINGS
    convs: tuple[ConvBlock, ...] = SEED_CONVS
    dense: tuple[DenseLayer, ...] = SEED_DENSE  # the hidden layers; the output layer (10 classes) always follows

    def __post_init__(self) -> None:
        _check_types(self)
        if self.activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {tuple(ACTIVATIONS)}, got {self.activation!r}")
        if self.pooling not in POOLINGS:
            raise ValueError(f"pooling must be one of {tuple(POOLINGS)}, got {self.pooling!r}")
        (b0, b1), (d0, d1) = LIMITS["blocks"], LIMITS["dense"]
        if not (b0 <= len(self.convs) <= b1 and d0 <= len(self.dense) <= d1):
            raise ValueError(f"a LeNet has {b0}–{b1} conv blocks and {d0}–{d1} hidden dense layers, got "
                             f"{len(self.convs)} and {len(self.dense)}")
        sizes = self.map_sizes()
        if min(sizes) < 1:
            raise ValueError(f"the maps shrink to nothing: sizes {' → '.join(map(str, sizes))}")

    def map_sizes(self) -> list[int]:
        """The side of the maps after the input, each conv and each pooling: [28, 28, 14, 10, 5] for the seed's."""
        sizes = [IMAGE]
        for block in self.convs:
            sizes.append(sizes[-1] + 2 * block.padding - block.kernel + 1)
            if block.pool:
                sizes.append(sizes[-1] // 2)
        return sizes

    @property
    def is_seed(self) -> bool:
        """The seed's architecture (d2l §6.6), whatever its ops."""
        return self.convs == SEED_CONVS and self.dense == SEED_DENSE

    @property
    def variant(self) -> str:
        """Short name used in file names and menus, e.g. 'relu-max'."""
        return f"{self.activation}-{self.pooling}"

    @property
    def architecture(self) -> str:
        """The shape in one line, e.g. '6c5p2-16c5 · 120-84' (maps, kernel, padding; 'bn' for BatchNorm, 'np' for
        a block that does not pool, 'd0.5' for dropout)."""
        convs = "-".join(f"{b.channels}c{b.kernel}" + (f"p{b.padding}" if b.padding else "")
                         + ("bn" if b.batchnorm else "") + ("" if b.pool else "np") for b in self.convs)
        dense = "-".join(f"{d.width}" + ("bn" if d.batchnorm else "") + (f"d{d.dropout:g}" if d.dropout else "")
                         for d in self.dense)
        return f"{convs} · {dense or '0'}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any], strict: bool = False) -> "ModelConfig":
        """The config a dict (JSON, a checkpoint) holds; fields it lacks keep the seed's; unknown fields are
        dropped (a newer version's), or with strict refused (ValueError)."""
        known = _known(cls, d)
        if strict and set(d) - set(known):
            raise ValueError(f"unknown model config fields: {sorted(set(d) - set(known))}")
        for name, part in _PARTS.items():  # JSON and checkpoints hold lists of dicts
            if name in known:
                value = known[name]
                if not isinstance(value, (list, tuple)) or not all(isinstance(v, (dict, part)) for v in value):
                    raise ValueError(f"{name} must be a list of {part.__name__} fields, got {str(value)[:60]!r}")
                known[name] = tuple(v if isinstance(v, part) else part(**_known(part, v)) for v in value)
        return cls(**known)


_PARTS = {"convs": ConvBlock, "dense": DenseLayer}


@dataclass(frozen=True)
class TrainConfig:
    """One training run's recipe; the defaults are d2l's train_ch6 (the seed's 'classic' preset)."""

    lr: float = 0.9  # peak learning rate
    batch_size: int = 256  # examples per SGD step (the last, partial batch is kept, as DataLoader does)
    num_epochs: int = 10  # passes over the 60,000 training images
    optimizer: str = "sgd"  # "sgd" (plain, as in d2l) or "adamw"
    momentum: float = 0.0  # SGD momentum (0 = d2l's plain SGD)
    weight_decay: float = 0.0  # decoupled (adamw) or L2 (sgd) weight decay
    schedule: str = "constant"  # "constant" lr or "onecycle" (warm-up then cosine decay)
    augment: bool = False  # random horizontal flips and ±2 px shifts of each batch (modern preset)
    seed: int = 0  # seeds the initial weights, the shuffling and the augmentation
    train_subset: int = 0  # use only the first N training images (0 = all); for demos and tests
    reports_per_epoch: int = 5  # progress events per epoch (the seed's animator plotted 5)

    def __post_init__(self) -> None:
        _check_types(self)
        if not (math.isfinite(self.lr) and math.isfinite(self.momentum) and math.isfinite(self.weight_decay)):
            raise ValueError("lr, momentum and weight_decay must be finite numbers")
        if not (0 <= self.seed < 2**63 and self.train_subset >= 0 and 0 <= self.momentum < 1
                and self.weight_decay >= 0):
            raise ValueError("seed must be in 0 … 2^63−1, train_subset >= 0, momentum in [0, 1), weight_decay >= 0")
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {OPTIMIZERS}, got {self.optimizer!r}")
        if self.schedule not in SCHEDULES:
            raise ValueError(f"schedule must be one of {SCHEDULES}, got {self.schedule!r}")
        if self.lr <= 0 or self.batch_size < 1 or self.num_epochs < 0 or self.reports_per_epoch < 1:
            raise ValueError("lr must be > 0, batch_size >= 1, num_epochs >= 0, reports_per_epoch >= 1")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "TrainConfig":
        return cls(**_known(cls, d))


PRESETS: dict[str, tuple[ModelConfig, TrainConfig]] = {
    # d2l 6.6 train_ch6, unchanged: Xavier-uniform, plain SGD lr 0.9, batch 256, 10 epochs, sigmoid + avg.
    "classic": (ModelConfig("sigmoid", "avg"), TrainConfig()),
    # ReLU + max pooling with AdamW, a one-cycle schedule and light augmentation.
    "modern": (
        ModelConfig("relu", "max"),
        TrainConfig(lr=3e-3, num_epochs=30, optimizer="adamw", weight_decay=5e-4,
                    schedule="onecycle", augment=True),
    ),
    # Learns in seconds in front of a class (about 0.8 test accuracy after ~6 s on a 2-core CPU): ReLU and
    # AdamW start learning at once, where the classic sigmoid network sits near chance for its first epoch.
    "demo": (
        ModelConfig("relu", "max"),
        TrainConfig(lr=3e-3, num_epochs=4, batch_size=128, optimizer="adamw", train_subset=6000),
    ),
}


def _known(cls: type, d: dict[str, Any]) -> dict[str, Any]:
    names = {f.name for f in fields(cls)}
    return {k: v for k, v in d.items() if k in names}
