"""LeNet built from a ModelConfig, one named module per stage (d2l 6.6, PyTorch edition; any member of the family)."""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import replace

import torch
from torch import nn

from lenet.config import ModelConfig
from lenet.ops import ACTIVATIONS, POOLINGS
from lenet.stages import Stage, Stages, stages_of


def _module(stage: Stage, config: ModelConfig) -> nn.Module:
    """The layer that computes one module stage, built from what the stage registry derived."""
    if stage.kind == "conv":
        return nn.Conv2d(stage.inputs[0], stage.shape[0], kernel_size=stage.spec.kernel, padding=stage.spec.padding)
    if stage.kind == "batchnorm":
        return nn.BatchNorm2d(stage.shape[0]) if stage.is_map else nn.BatchNorm1d(stage.shape[0])
    if stage.kind == "activation":
        return ACTIVATIONS[config.activation].module()
    if stage.kind == "pool":
        return POOLINGS[config.pooling].module()
    if stage.kind == "flatten":
        return nn.Flatten()
    if stage.kind == "dense":
        return nn.Linear(stage.inputs[0], stage.shape[0])
    if stage.kind == "dropout":
        return nn.Dropout(stage.spec.dropout)
    raise ValueError(f"no layer for a {stage.kind} stage")


class LeNet(nn.Sequential):
    """nn.Sequential of the config's module stages (lenet.stages); `config` is the ModelConfig it was built from,
    `stages` its stage registry. The seed's: conv1 (N, 6, 28, 28), act1, pool1 (N, 6, 14, 14), conv2
    (N, 16, 10, 10), act2, pool2 (N, 16, 5, 5), flatten (N, 400), fc1 (120), act3, fc2 (84), act4, fc3 (N, 10)."""

    def __init__(self, config: ModelConfig = ModelConfig()) -> None:
        stages = stages_of(config)
        super().__init__(OrderedDict((s.name, _module(s, config)) for s in stages.modules))
        self.config = config
        self.stages: Stages = stages

    @classmethod
    def from_state(cls, config: ModelConfig, state_dict: dict[str, torch.Tensor]) -> "LeNet":
        """A model of that config holding a copy of those weights, in eval mode; RuntimeError if they don't fit."""
        model = cls(config)
        model.load_state_dict(state_dict)
        return model.eval()


def build_model(config: ModelConfig = ModelConfig(), seed: int | None = None) -> LeNet:
    """A fresh LeNet with d2l's Xavier-uniform weight init (biases keep PyTorch's default init)."""
    if seed is not None:
        torch.manual_seed(seed)
    model = LeNet(config)
    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            nn.init.xavier_uniform_(m.weight)
    return model


def count_params(module: nn.Module) -> int:
    """Number of trainable parameters."""
    return sum(p.numel() for p in module.parameters() if p.requires_grad)


def with_ops(model: LeNet, activation: str | None = None, pooling: str | None = None) -> LeNet:
    """A new model with model's weights and other ops (each None keeps model's); model is left unchanged."""
    changes = {k: v for k, v in dict(activation=activation, pooling=pooling).items() if v is not None}
    new = LeNet.from_state(replace(model.config, **changes), model.state_dict())  # copies the tensors
    p = next(model.parameters())
    new.to(device=p.device, dtype=p.dtype)
    return new.train(model.training)
