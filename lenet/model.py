"""LeNet built from a ModelConfig, one named module per stage (d2l 6.6, PyTorch edition)."""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import replace

import torch
from torch import nn

from lenet.config import ModelConfig
from lenet.ops import ACTIVATIONS, POOLINGS
from lenet.stages import MODULE_STAGES


class LeNet(nn.Sequential):
    """nn.Sequential of the registry's module stages; `config` is the ModelConfig it was built from."""

    def __init__(self, config: ModelConfig = ModelConfig()) -> None:
        act, pool = ACTIVATIONS[config.activation].module, POOLINGS[config.pooling].module
        layers = OrderedDict(
            conv1=nn.Conv2d(1, 6, kernel_size=5, padding=2),  # (N, 6, 28, 28)
            act1=act(),
            pool1=pool(),  # (N, 6, 14, 14)
            conv2=nn.Conv2d(6, 16, kernel_size=5),  # (N, 16, 10, 10)
            act2=act(),
            pool2=pool(),  # (N, 16, 5, 5)
            flatten=nn.Flatten(),  # (N, 400)
            fc1=nn.Linear(16 * 5 * 5, 120),
            act3=act(),
            fc2=nn.Linear(120, 84),
            act4=act(),
            fc3=nn.Linear(84, 10),  # (N, 10) logits
        )
        assert list(layers) == [s.name for s in MODULE_STAGES], "model and stage registry disagree"
        super().__init__(layers)
        self.config = config

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
