"""How long "Why this prediction?" takes on the server: each attribution of lenet.attribution (and the
occlusion square's drops, and the maps that matter) for 20 bundled images, on every shipped variant, in one
thread with torch's threads as the server has them. The issue's goal: any attribution of one image ≤ 300 ms.

    python bench/attribution_speed.py
"""
from __future__ import annotations

import time

import numpy as np

from lenet import attribution as A
from lenet.pretrained import SHIPPED, load_pretrained
from lenet.samples import load_samples

IMAGES = 20


def _times(fn, images, targets) -> list[float]:
    out = []
    for img, t in zip(images, targets):
        t0 = time.perf_counter()
        fn(img, int(t))
        out.append((time.perf_counter() - t0) * 1000)
    return out


def main() -> None:
    samples = load_samples()
    pick = np.linspace(0, len(samples) - 1, IMAGES).astype(int)
    images, targets = samples.images[pick] / 255.0, samples.labels[pick]
    A.attribute(load_pretrained(), images[0], 0, "saliency")  # Captum's import (~0.6 s, once per process)
    for variant in SHIPPED:
        model = load_pretrained(*variant.split("-"))
        jobs = {m: (lambda x, t, m=m: A.attribute(model, x, t, m)) for m in A.METHODS}
        jobs["occlusion square"] = lambda x, t: A.window_drops(model, x, t)
        jobs["maps that matter"] = lambda x, t: A.contributions(model, x, t)
        row = []
        for name, fn in jobs.items():
            ms = _times(fn, images, targets)
            row.append(f"{name} {np.median(ms):.0f} (max {max(ms):.0f})")
        print(f"{variant}, ms per image, median of {IMAGES}: " + "; ".join(row), flush=True)


if __name__ == "__main__":
    main()
