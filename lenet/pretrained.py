"""Regenerate the shipped weights in assets/weights/: all four variants, each by the training CLI.

    python -m lenet.pretrained            # all four (about 5 minutes on a 2-core CPU)
    python -m lenet.pretrained relu-max   # just one

sigmoid × {avg, max} use the seed's classic recipe unchanged, so the two poolings compare under it;
relu × {avg, max} use the modern preset. Each checkpoint stores its test accuracy on the full test set.
"""
from __future__ import annotations

import argparse
import json

from lenet.checkpoint import pretrained_path
from lenet.cli import main as train_main

RECIPES: dict[str, list[str]] = {
    "sigmoid-avg": ["--preset", "classic"],
    "sigmoid-max": ["--preset", "classic", "--pooling", "max"],
    "relu-avg": ["--preset", "modern", "--pooling", "avg"],
    "relu-max": ["--preset", "modern"],
}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("variants", nargs="*", default=list(RECIPES), choices=list(RECIPES),
                   help="which variants to train (default: all)")
    p.add_argument("--device", default="auto", help="auto, cpu, cuda, mps")
    args = p.parse_args(argv)
    for variant in args.variants:
        activation, pooling = variant.split("-")
        out = pretrained_path(activation, pooling)
        code = train_main([*RECIPES[variant], "--device", args.device, "--quiet", "--out", str(out)])
        if code != 0:
            return code
    print(json.dumps({"wrote": [str(pretrained_path(*v.split("-"))) for v in args.variants]}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
