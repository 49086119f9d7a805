"""How long the Mistakes page's first computation takes: every shipped variant over the test set (the full
10,000 images when installed, else the 1,000 bundled ones), three times each; the issue's goal is ≤ 2 s.

    python bench/mistakes_speed.py
"""
from __future__ import annotations

import time

import numpy as np
import torch

from lenet.data import dataset_available, read_split
from lenet.mistakes import mistakes
from lenet.pretrained import SHIPPED, load_pretrained
from lenet.samples import load_samples


def main() -> None:
    if dataset_available():
        images, labels = read_split(False)
    else:
        samples = load_samples()
        images, labels = samples.images, samples.labels
    X = torch.from_numpy(images[:, None].astype(np.float32) / 255.0)
    for variant in SHIPPED:
        model = load_pretrained(*variant.split("-"))
        times = []
        for _ in range(3):
            t0 = time.perf_counter()
            result = mistakes(model, X, labels)
            times.append(time.perf_counter() - t0)
        print(f"{variant}: {len(labels):,} images in {min(times):.2f}–{max(times):.2f} s, "
              f"accuracy {result.accuracy:.1%}", flush=True)


if __name__ == "__main__":
    main()
