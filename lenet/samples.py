"""The bundled sample images: the first PER_CLASS test images of every class, so the app needs no data set.

    python -m lenet.samples                # writes assets/samples.npz from the real test set

The file holds images (N, 28, 28) uint8, labels (N,) and the images' indices in the original test set.
"""
from __future__ import annotations

import argparse
import io
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from lenet.atomic import atomic_write
from lenet.data import ASSETS_DIR, CLASS_NAMES, load_fashion_mnist

SAMPLES_PATH = ASSETS_DIR / "samples.npz"
PER_CLASS = 100


@dataclass(frozen=True)
class ImageSet:
    """Test images with their labels and their indices in the test set: the bundled samples or the whole set."""

    images: np.ndarray  # (N, 28, 28) uint8
    labels: np.ndarray  # (N,) int64
    indices: np.ndarray  # (N,) int64, position in the Fashion-MNIST test set

    def __len__(self) -> int:
        return len(self.labels)

    def tensor(self) -> torch.Tensor:
        """All images as (N, 1, 28, 28) float32 in [0, 1]."""
        return torch.from_numpy(self.images).unsqueeze(1).float().div_(255.0)


def make_samples(per_class: int = PER_CLASS, root: str | None = None) -> ImageSet:
    """The first per_class images of each class in the real test set, in test-set order."""
    X, y = load_fashion_mnist(False, root)
    picks = np.sort(np.concatenate([np.flatnonzero(y.numpy() == c)[:per_class] for c in range(len(CLASS_NAMES))]))
    return ImageSet(X.numpy()[picks], y.numpy()[picks].astype(np.int64), picks.astype(np.int64))


def save_samples(samples: ImageSet, path: str | os.PathLike = SAMPLES_PATH) -> Path:
    """Write samples to a compressed .npz, atomically."""
    buf = io.BytesIO()
    np.savez_compressed(buf, images=samples.images, labels=samples.labels, indices=samples.indices)
    return atomic_write(path, lambda f: f.write(buf.getvalue()))


def load_samples(path: str | os.PathLike = SAMPLES_PATH) -> ImageSet:
    """Read the bundled samples (no pickles allowed)."""
    with np.load(path, allow_pickle=False) as f:
        s = ImageSet(f["images"], f["labels"].astype(np.int64), f["indices"].astype(np.int64))
    if s.images.dtype != np.uint8 or s.images.shape[1:] != (28, 28) or len(s.labels) != len(s.images):
        raise ValueError(f"{path}: not a samples file (images {s.images.dtype} {s.images.shape})")
    return s


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Write the bundled sample images from the real test set.")
    p.add_argument("--per-class", type=int, default=PER_CLASS, help="images per class")
    p.add_argument("--out", default=str(SAMPLES_PATH), help="output .npz path")
    p.add_argument("--data-dir", default=None, help="Fashion-MNIST root (default: the usual search)")
    args = p.parse_args(argv)
    path = save_samples(make_samples(args.per_class, args.data_dir), args.out)
    print(f"wrote {path} ({path.stat().st_size / 1024:.0f} KiB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
