"""Figure builders for the Mistakes page: the confusion matrix as a board of cells, and a gallery of images.
Arrays in, plain figure data out; a click on a cell reports [true, predicted], on an image its position."""
from __future__ import annotations

import math

import numpy as np

from dashboard.figures.board import Board
from dashboard.figures.colours import IMAGE, POSITIVE
from dashboard.figures.base import Figure
from dashboard.figures.overview import LINE, TRUE, text_width
from lenet.i18n import _

CORRECT = "#dcefe0"  # the diagonal's cells: right answers, drawn apart from the mistakes' scale
TOOLBAR = 26  # px above the matrix left empty for the chart's toolbar (shown on hover)
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
    left = max(text_width(f"{name} 100%", font) for name in names) + 8
    head = TOOLBAR + 2 * LINE * font + 8  # (the toolbar's room above the column names: it never covers them)
    foot = 2 * LINE * font + 14  # the axis's name, then the colours' legend
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
    right = _("true {true}, predicted {predicted}: {n:,} images ({share:.1%} of {true})")
    wrong = _("true {true}, predicted {predicted}: {n:,} images ({share:.1%} of {true}) — click to see them")
    for t in range(n):
        acc = counts[t, t] / totals[t] if totals[t] else float("nan")
        b.label(left - 6, head + (t + 0.5) * cell, f"{names[t]} {acc:.0%}", "middle left", font)
        b.label(left + (t + 0.5) * cell, TOOLBAR + (0.5 if t % 2 else 1.5) * LINE * font + 3, names[t], size=font)
        for p in range(n):
            text = f"{share[t, p]:.0%}" if normalised else f"{counts[t, p]:,}"
            dark = t != p and luma[t, p] < 128
            b.label(left + (p + 0.5) * cell, head + (t + 0.5) * cell, f"<b>{text}</b>" if t == p else text,
                    size=font, color="#ffffff" if dark else "#31333f")
            xs.append(left + (p + 0.5) * cell)
            ys.append(head + (t + 0.5) * cell)
            cds.append([t, p])
            hovers.append((right if t == p else wrong).format(true=names[t], predicted=names[p], n=counts[t, p],
                                                              share=share[t, p]))
    b.pickers(xs, ys, cds, hovers, cell * 0.9)
    if selected is not None:
        t, p = selected
        b.outline(left + p * cell, head + t * cell, left + (p + 1) * cell, head + (t + 1) * cell)
    b.label(left + n * cell / 2, head + n * cell + LINE * font / 2 + 4, _("predicted class →"), size=font)
    y = head + n * cell + 1.5 * LINE * font + 8
    b.picture(POSITIVE.ramp(64), left, y - 4, 80 / 64, 8.0, name="strip", limit=limit, scale=POSITIVE)
    said = _("mistakes: 0 → {limit:.0%} of the true class").format(limit=limit)
    b.label(left + 86, y, said, "middle right", font, color="#555555")
    x = left + 86 + text_width(said, font) + 10
    b.rect(x, y - 6, x + 12, y + 6, CORRECT)
    b.label(x + 16, y, _("right answers"), "middle right", font, color="#555555")
    # the last column's name may stick out of its cell: room for it on the right
    overhang = max(0.0, text_width(names[-1], font) / 2 - cell / 2)
    legend = x + 16 + text_width(_("right answers"), font) - left
    return b.figure(height=int(head + n * cell + foot), width=int(max(left + n * cell + overhang, left + legend) + 4))


def gallery_figure(images: np.ndarray, hover: list[str], wrong: list[bool], cell: int, width: int,
                   labels: list[tuple[str, str]] | None = None, font: int = 12, tag: str | None = None) -> Figure:
    """(N, 28, 28) uint8 images in rows, each about `cell` px; a click reports its position in the gallery.
    labels: (predicted, true) class names written under each image (predicted in red, true in green), each
    image then as wide as the longest name. tag: for a phone, a click reports [tag, position] and the figure
    leaves dragging to the page (taps come through keys.taps_ui)."""
    N, H, W = images.shape
    if labels:
        cell = int(max(cell, max(text_width(n, font) for pair in labels for n in pair) + 8))
    cols = max(1, min(N, int((width - 4) // cell)))
    rows = math.ceil(N / cols)
    under = 2 * LINE * font + 4 if labels else 0.0
    b = Board()
    side = cell - 6.0
    s = side / W
    for k in range(N):
        r, c = divmod(k, cols)
        x0, y0 = 2.0 + c * cell + (cell - side) / 2, 2.0 + r * (side + 6 + under)
        b.picture(IMAGE.rgba(images[k].astype(np.float32) / 255.0, 1.0), x0, y0, s, name="gallery", limit=1.0,
                  scale=IMAGE)
        b.picker(x0 + side / 2, y0 + side / 2, [tag, k] if tag else k, hover[k], side)
        if wrong[k]:
            b.outline(x0 - 1, y0 - 1, x0 + side + 1, y0 + side + 1, color=WRONG, width=2)
        if labels:
            predicted, true = labels[k]
            b.label(x0 + side / 2, y0 + side + 0.6 * LINE * font + 2, predicted, size=font, color=WRONG)
            b.label(x0 + side / 2, y0 + side + 1.6 * LINE * font + 2, true, size=font, color=TRUE)
    return b.figure(height=int(rows * (side + 6 + under) + 4), width=int(cols * cell + 4),
                    dragmode=False if tag else "pan")


def confusion_rows_figure(counts: np.ndarray, names: list[str], font: int, width: float,
                          selected: tuple[int, int] | None = None) -> Figure:
    """The confusion matrix for a phone: a row per true class, its name and accuracy, a bar split by what its
    images were predicted as (the right answers pale green, each mistake coloured by its share of the row, as in
    the matrix), and its largest mistakes in words. A tap on a part reports [true, predicted] (the figure leaves
    dragging to the page: taps come through keys.taps_ui)."""
    n = len(names)
    totals = counts.sum(1)
    share = np.divide(counts, np.maximum(totals, 1)[:, None]).astype(np.float64)
    off = share.copy()
    np.fill_diagonal(off, 0.0)
    limit = max(float(off.max()), 1e-6)
    bar = 22.0
    row = 2 * LINE * font + bar + 12
    b = Board()
    part = _("true {true}, predicted {predicted}: {n:,} images ({share:.1%})")
    for t in range(n):
        y = 4 + t * row
        b.label(0, y + LINE * font / 2, _("<b>{name}</b> {share:.0%} right").format(name=names[t], share=share[t, t]),
                "middle right", font)
        x = 0.0
        for p in np.argsort(-counts[t], kind="stable"):
            w = share[t, p] * width
            if counts[t, p] == 0:
                continue
            colour = CORRECT if p == t else "#%02x%02x%02x" % tuple(POSITIVE.lut[POSITIVE.index(off[t, p], limit)])
            b.rect(x, y + LINE * font + 2, x + max(w, 1.0), y + LINE * font + 2 + bar, colour)
            b.picker(x + w / 2, y + LINE * font + 2 + bar / 2, [t, int(p)],
                     part.format(true=names[t], predicted=names[p], n=counts[t, p], share=share[t, p]),
                     max(4.0, min(w, bar)))
            if selected == (t, int(p)):
                b.outline(x, y + LINE * font + 2, x + max(w, 1.0), y + LINE * font + 2 + bar)
            x += w
        worst = [p for p in np.argsort(-off[t], kind="stable")[:3] if off[t, p] >= 0.005]
        said = _("taken for {classes}").format(classes=_(", ").join(f"{names[p]} {off[t, p]:.0%}" for p in worst)) \
            if worst else _("no mistakes")
        b.label(0, y + 1.5 * LINE * font + bar + 4, said, "middle right", font, color="#555555")
    return b.figure(height=int(n * row + 8), width=int(width), dragmode=False)
