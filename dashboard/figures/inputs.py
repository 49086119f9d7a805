"""Figure builders for choosing the input: the strip of thumbnails. No Streamlit calls."""
from __future__ import annotations

import numpy as np

from dashboard.figures.board import Board
from dashboard.figures.colours import IMAGE
from dashboard.figures.base import GAP, Figure, tile

WRONG = "#d62728"  # the frame of a thumbnail the model misclassifies


def thumbnail_strip(images: np.ndarray, wrong: list[bool], hover: list[str], cell: int, width: int) -> Figure:
    """A row of (N, 28, 28) uint8 images, each about `cell` px wide; a click reports its position in the row.

    The chosen image is not outlined: the figure then stays the same while the choice moves along the row, and
    Streamlit keeps the chart instead of drawing it anew (≈ 55 ms of every input change).
    """
    N, H, W = images.shape
    z, centres = tile(images.astype(np.float32) / 255.0, N)
    s = cell / (W + GAP)
    b = Board()
    b.picture(IMAGE.rgba(z, 1.0), 2.0, 2.0, s, name="thumbnails", limit=1.0, scale=IMAGE)
    for k, (cx, cy) in enumerate(centres):
        b.picker(2.0 + (cx + 0.5) * s, 2.0 + (cy + 0.5) * s, k, hover[k], W * s)
        if wrong[k]:
            x0 = 2.0 + k * (W + GAP) * s
            b.outline(x0 - 1, 1.0, x0 + W * s + 1, 3.0 + H * s, color=WRONG, width=2)
    return b.figure(height=int(H * s + 4), width=width)
