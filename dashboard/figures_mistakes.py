"""Figure builders for the Mistakes page: the confusion matrix as a board of cells, and a gallery of images.
Arrays in, plain figure data out; a click on a cell reports [true, predicted], on an image its position."""
from __future__ import annotations

import math

import numpy as np

from dashboard.board import Board
from dashboard.colours import IMAGE, POSITIVE
from dashboard.figures import GAP, Figure, tile
from dashboard.figures_overview import CHAR, LINE

CORRECT = "#dcefe0"  # the diagonal's cells: right answers, drawn apart from the mistakes' scale
WRONG = "#d62728"


def confusion_figure(counts: np.ndarray, names: list[str], normalised: bool, font: int = 14,
                     width: float = 760, height: float = 700, selected: tuple[int, int] | None = None) -> Figure:
    """Rows: true class (its name and accuracy at the left); columns: predicted class, their names staggered on
    two lines (each may take two cells' width). Each cell holds its count (or its share of the row); the
    mistakes are coloured by their share of the row, on one scale up to the largest mistake, the right answers
    (the diagonal) pale green. Every cell is clickable; the selected one is outlined (a new figure, so that
    the browser does not keep the click's selection, which dims the rest). As large as width × height allows,
    within limits."""
    n = len(names)
    totals = counts.sum(1)
    share = np.divide(counts, np.maximum(totals, 1)[:, None]).astype(np.float32)
    left = max(len(f"{name} 100%") for name in names) * CHAR * font + 8
    head = 2 * LINE * font + 8
    foot = LINE * font + 10
    cell = max(3.4 * font, min(6.0 * font, (width - left - 4) / n, (height - head - foot) / n))
    off = share.copy()
    np.fill_diagonal(off, np.nan)
    limit = max(float(np.nanmax(off)) if n > 1 else 0.0, 1e-6)
    b = Board()
    b.values(off, left, head, cell, POSITIVE, limit, name="confusion")
    for k in range(n):
        b.rect(left + k * cell, head + k * cell, left + (k + 1) * cell, head + (k + 1) * cell, CORRECT)
    luma = POSITIVE.lut[POSITIVE.index(np.nan_to_num(off), limit)].astype(np.float64) @ [0.299, 0.587, 0.114]
    xs, ys, cds, hovers = [], [], [], []
    for t in range(n):
        acc = counts[t, t] / totals[t] if totals[t] else float("nan")
        b.label(left - 6, head + (t + 0.5) * cell, f"{names[t]} {acc:.0%}", "middle left", font)
        b.label(left + (t + 0.5) * cell, (0.5 if t % 2 else 1.5) * LINE * font + 3, names[t], size=font)
        for p in range(n):
            text = f"{share[t, p]:.0%}" if normalised else f"{counts[t, p]:,}"
            dark = t != p and luma[t, p] < 128
            b.label(left + (p + 0.5) * cell, head + (t + 0.5) * cell, f"<b>{text}</b>" if t == p else text,
                    size=font, color="#ffffff" if dark else "#31333f")
            xs.append(left + (p + 0.5) * cell)
            ys.append(head + (t + 0.5) * cell)
            cds.append([t, p])
            hovers.append(f"true {names[t]}, predicted {names[p]}: {counts[t, p]:,} images "
                          f"({share[t, p]:.1%} of {names[t]})" + ("" if t == p else " — click to see them"))
    b.pickers(xs, ys, cds, hovers, cell * 0.9)
    if selected is not None:
        t, p = selected
        b.outline(left + p * cell, head + t * cell, left + (p + 1) * cell, head + (t + 1) * cell)
    b.label(left + n * cell / 2, head + n * cell + LINE * font / 2 + 4, "predicted class →", size=font)
    return b.figure(height=int(head + n * cell + foot), width=int(left + n * cell + 4))


def gallery_figure(images: np.ndarray, hover: list[str], wrong: list[bool], cell: int, width: int) -> Figure:
    """(N, 28, 28) uint8 images in rows, each about `cell` px; a click reports its position in the gallery."""
    N, H, W = images.shape
    cols = max(1, min(N, int((width - 4) // cell)))
    z, centres = tile(images.astype(np.float32) / 255.0, cols)
    s = cell / (W + GAP)
    b = Board()
    b.picture(IMAGE.rgba(z, 1.0), 2.0, 2.0, s, name="gallery", limit=1.0, scale=IMAGE)
    b.pickers([2.0 + (cx + 0.5) * s for cx, _ in centres], [2.0 + (cy + 0.5) * s for _, cy in centres],
              list(range(N)), hover, W * s)
    for k, bad in enumerate(wrong):
        if bad:
            r, c = divmod(k, cols)
            x0, y0 = 2.0 + c * (W + GAP) * s, 2.0 + r * (H + GAP) * s
            b.outline(x0 - 1, y0 - 1, x0 + W * s + 1, y0 + H * s + 1, color=WRONG, width=2)
    rows = math.ceil(N / cols)
    return b.figure(height=int(rows * (H + GAP) * s + 4), width=int(cols * (W + GAP) * s + 4))
