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
        value, kind = getattr(config, f.name), type(f.default)
        ok = isinstance(value, bool) if kind is bool else \
            isinstance(value, (int, float)) and not isinstance(value, bool) if kind is float else \
            isinstance(value, kind) and not isinstance(value, bool)
        if not ok:
            raise ValueError(f"{f.name} must be {kind.__name__}, got {type(value).__name__} {str(value)[:40]!r}")


@dataclass(frozen=True)
class ModelConfig:
    """The network's variable parts; the default is d2l's classic LeNet exactly."""

    activation: str = "sigmoid"  # nonlinearity after conv1, conv2, fc1, fc2: a key of ops.ACTIVATIONS
    pooling: str = "avg"  # 2x2 stride-2 pooling after each conv block: a key of ops.POOLINGS

    def __post_init__(self) -> None:
        _check_types(self)
        if self.activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {tuple(ACTIVATIONS)}, got {self.activation!r}")
        if self.pooling not in POOLINGS:
            raise ValueError(f"pooling must be one of {tuple(POOLINGS)}, got {self.pooling!r}")

    @property
    def variant(self) -> str:
        """Short name used in file names and menus, e.g. 'relu-max'."""
        return f"{self.activation}-{self.pooling}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "ModelConfig":
        return cls(**_known(cls, d))


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
