"""What the filters learned: the conv kernels now and at their random initialisation, and for each map of a conv
stage the images that excite it most, with the part of the image its strongest pixel sees (receptive field)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from lenet.config import ModelConfig, TrainConfig
from lenet.i18n import _
from lenet.model import LeNet, build_model


def initial_model(config: ModelConfig, train_config: TrainConfig | None,
                  epoch0: dict[str, torch.Tensor] | None = None) -> tuple[LeNet, str]:
    """The model at its random initialisation, and how exactly that is known: the stored epoch-0 snapshot of a
    model trained here; else the init its training seed gives (training builds the model with that seed); else
    a fresh one of the same kind (seed 0). The global random state is left as it was."""
    if epoch0 is not None:
        return LeNet.from_state(config, epoch0), _("its stored initial weights (epoch 0)")
    with torch.random.fork_rng():
        if train_config is not None:
            return build_model(config, seed=train_config.seed).eval(), \
                _("its initial weights, rebuilt from its training seed ({seed})").format(seed=train_config.seed)
        return build_model(config, seed=0).eval(), _("a random initialisation of the same kind (its own is not stored)")


def receptive_field(stage: str, i: int, j: int, size: int = 28, config: ModelConfig = ModelConfig(),
                    clip: bool = True) -> tuple[int, int, int, int]:
    """The input pixels that output pixel (i, j) of a stage of the member `config` depends on: rows r0:r1, columns
    c0:c1 (clipped to the image). Worked back through each conv and pooling layer's kernel, stride and padding."""
    layers = LeNet(config)
    r0, r1, c0, c1 = i, i + 1, j, j + 1
    names = [s.name for s in layers.stages.modules]
    for name in reversed(names[:names.index(stage) + 1]):
        layer = getattr(layers, name)
        if hasattr(layer, "kernel_size"):  # conv and pooling layers; activations and flatten keep positions
            k, s, p = (_pair(getattr(layer, a, d)) for a, d in (("kernel_size", 1), ("stride", 1), ("padding", 0)))
            r0, r1 = r0 * s[0] - p[0], (r1 - 1) * s[0] - p[0] + k[0]
            c0, c1 = c0 * s[1] - p[1], (c1 - 1) * s[1] - p[1] + k[1]
    return (max(r0, 0), min(r1, size), max(c0, 0), min(c1, size)) if clip else (r0, r1, c0, c1)


def up_to(model: LeNet, stage: str) -> nn.Sequential:
    """The model's layers from the input up to and including a stage's (sharing the model's weights)."""
    names = [s.name for s in model.stages.modules]
    return nn.Sequential(*list(model.children())[:names.index(stage) + 1])


def _pair(v) -> tuple[int, int]:
    return (int(v), int(v)) if isinstance(v, (int, float)) else (int(v[0]), int(v[1]))


@dataclass(frozen=True)
class TopImages:
    """For each map of a stage: the images whose strongest pixel in that map is largest, strongest first."""

    stage: str
    images: np.ndarray  # (C, k) positions in the set
    values: np.ndarray  # (C, k) each image's largest value in the map
    pixels: np.ndarray  # (C, k, 2) where in the map (row, column) that value is


@torch.no_grad()
def top_images(model: LeNet, X: torch.Tensor, stage: str = "conv2", k: int = 9, batch: int = 1000) -> TopImages:
    """The k images of X ((N, 1, 28, 28) in [0, 1]) that excite each map of `stage` most (its largest output), the
    model as it predicts (eval mode: BatchNorm by its running statistics)."""
    head = up_to(model, stage).eval()
    best, where = [], []
    for start in range(0, len(X), batch):
        out = head(X[start:start + batch])  # (n, C, H, W)
        flat = out.flatten(2)
        v, pos = flat.max(2)  # (n, C)
        best.append(v)
        where.append(pos)
    best_t, where_t = torch.cat(best), torch.cat(where)  # (N, C)
    W = out.shape[-1]
    k = min(k, len(X))
    values, images = best_t.topk(k, dim=0)  # (k, C), strongest first
    pos = where_t.gather(0, images)
    pixels = torch.stack([pos // W, pos % W], -1)  # (k, C, 2)
    return TopImages(stage, images.T.numpy(), values.T.double().numpy(), pixels.transpose(0, 1).numpy())
