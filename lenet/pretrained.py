"""The shipped weights in assets/weights/: which variants ship, where they are, how to load and how to make them.

    python -m lenet.pretrained            # make all of them again (about 5 minutes on a 2-core CPU)
    python -m lenet.pretrained relu-max   # just one

A variant ships for every activation × every pooling marked `shipped` in the ops table. Each is made by the
training CLI with the preset of its activation (sigmoid: the seed's classic recipe, unchanged; relu: the
modern one) and its pooling, so the poolings compare under one recipe. Each checkpoint stores its test
accuracy on the full test set.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from lenet.checkpoint import load_checkpoint
from lenet.config import PRESETS, ModelConfig
from lenet.data import ASSETS_DIR
from lenet.model import LeNet
from lenet.ops import ACTIVATIONS, POOLINGS

WEIGHTS_DIR = ASSETS_DIR / "weights"


def _preset_of(activation: str) -> str:
    """The first preset of that activation that trains on all the training images."""
    return next(name for name, (model_config, train_config) in PRESETS.items()
                if model_config.activation == activation and not train_config.train_subset)


SHIPPED: dict[str, ModelConfig] = {  # variant name (e.g. "relu-max") -> its ops
    ModelConfig(a, p).variant: ModelConfig(a, p) for a in ACTIVATIONS for p, op in POOLINGS.items() if op.shipped
}
RECIPES: dict[str, list[str]] = {  # variant -> the CLI flags that make it
    variant: ["--preset", _preset_of(c.activation), "--pooling", c.pooling] for variant, c in SHIPPED.items()
}


def pretrained_path(variant: str) -> Path:
    """Path of the shipped weights of a variant, e.g. 'relu-max'."""
    return WEIGHTS_DIR / f"lenet-{variant}.pt"


def load_pretrained(activation: str = "relu", pooling: str = "max") -> LeNet:
    """The shipped, trained model of that variant, in eval mode on the CPU."""
    return load_checkpoint(pretrained_path(ModelConfig(activation, pooling).variant)).model


def closest_shipped(activation: str, pooling: str) -> str:
    """The shipped variant with these ops, or, for a pooling that ships no weights, the first with this
    activation (its weights then run with the pooling swapped)."""
    variant = ModelConfig(activation, pooling).variant
    return variant if variant in SHIPPED else next(v for v, c in SHIPPED.items() if c.activation == activation)


def make_pretrained(variants: list[str], device: str = "auto") -> int:
    """Train and save the given variants with the training CLI; its exit code (0 when all were written)."""
    from lenet.train import main as train_main

    for variant in variants:
        code = train_main([*RECIPES[variant], "--device", device, "--quiet", "--out", str(pretrained_path(variant))])
        if code != 0:
            return code
    return 0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description="Make the shipped weights again, by the training CLI.")
    # (checked here, not by argparse's choices: Python 3.11's argparse refuses an empty list against them)
    p.add_argument("variants", nargs="*", metavar="VARIANT",
                   help=f"which variants to train: {', '.join(SHIPPED)} (default: all)")
    p.add_argument("--device", default="auto", help="auto, cpu, cuda, mps")
    args = p.parse_args(argv)
    unknown = [v for v in args.variants if v not in SHIPPED]
    if unknown:
        p.error(f"unknown variant {unknown[0]!r} (choose from {', '.join(SHIPPED)})")
    args.variants = args.variants or list(SHIPPED)
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    code = make_pretrained(args.variants, args.device)
    if code == 0:
        print(json.dumps({"wrote": [str(pretrained_path(v)) for v in args.variants]}))
    return code


if __name__ == "__main__":
    raise SystemExit(main())
