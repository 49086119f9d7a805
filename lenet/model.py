"""LeNet built from a ModelConfig, one named module per stage (d2l 6.6, PyTorch edition)."""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import replace

import torch
from torch import nn

from lenet.config import ModelConfig
from lenet.stages import MODULE_STAGES


class LeNet(nn.Sequential):
    """nn.Sequential of the registry's module stages; remembers the config it was built from."""

    def __init__(self, config: ModelConfig = ModelConfig()) -> None:
        act = {"sigmoid": nn.Sigmoid, "relu": nn.ReLU}[config.activation]
        pool = {"avg": nn.AvgPool2d, "max": nn.MaxPool2d}[config.pooling]
        layers = OrderedDict(
            conv1=nn.Conv2d(1, 6, kernel_size=5, padding=2),  # (N, 6, 28, 28)
            act1=act(),
            pool1=pool(kernel_size=2, stride=2),  # (N, 6, 14, 14)
            conv2=nn.Conv2d(6, 16, kernel_size=5),  # (N, 16, 10, 10)
            act2=act(),
            pool2=pool(kernel_size=2, stride=2),  # (N, 16, 5, 5)
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


def _with_config(model: LeNet, config: ModelConfig) -> LeNet:
    new = LeNet(config)
    new.load_state_dict(model.state_dict())  # copies tensors; the argument is never touched
    p = next(model.parameters())
    new.to(device=p.device, dtype=p.dtype)
    new.train(model.training)
    return new


def with_pooling(model: LeNet, pooling: str) -> LeNet:
    """A new model with model's weights and the other pooling op; model is left unchanged."""
    return _with_config(model, replace(model.config, pooling=pooling))


def with_activation(model: LeNet, activation: str) -> LeNet:
    """A new model with model's weights and the other activation; model is left unchanged."""
    return _with_config(model, replace(model.config, activation=activation))
