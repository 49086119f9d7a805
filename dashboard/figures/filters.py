"""Figure builders for the Filters page: a conv layer's kernels, learned and at initialisation, on the weights'
colour scale; the images that excite a map most, with what its strongest pixel sees outlined."""
from __future__ import annotations

import numpy as np

from dashboard.figures.board import Board
from dashboard.figures.colours import IMAGE, WEIGHTS, Scale
from dashboard.figures.base import GAP, OUTLINE, Figure, tile
from dashboard.figures.overview import LINE, STRIP, text_width
from lenet.i18n import _


def _grid(kernels: np.ndarray, by_output: bool) -> tuple[np.ndarray, int, int]:
    """(O, I, k, k) kernels as one array: a row per output map (by_output) or, for a single input, one row."""
    O, I, k = kernels.shape[:3]
    if not by_output:  # conv1: 6 kernels of one input, side by side
        z = tile(kernels[:, 0], O)[0]
        return z, 1, O
    rows = [tile(kernels[o], I)[0] for o in range(O)]
    z = tile(np.stack(rows), 1)[0]
    return z, O, I


def kernels_figure(learned: np.ndarray, initial: np.ndarray, layer: str, font: int, px: float,
                   selected: int | None = None, titles: tuple[str, str] | None = None,
                   single: bool = False, scale: Scale = WEIGHTS, dragmode: str | bool = "pan") -> Figure:
    """Two grids side by side (titled `titles`; single: the first only), learned and at initialisation, one
    colour limit for both (the largest |value|): each kernel's pixels `px` wide. conv1's kernels in a row;
    conv2's a row per output map (its 6 input slices), each row clickable (reports the map) and the selected
    one outlined. dragmode False: a phone's (the page scrolls under a finger; taps through keys.taps_ui)."""
    O, I, k = learned.shape[:3]
    titles = titles or (_("learned"), _("at initialisation"))
    by_output = I > 1
    limit = float(max(np.abs(learned).max(), np.abs(initial).max(), 1e-6))
    row_name = _("map {r}")
    left = (text_width(row_name.format(r=15), font) + 12) if by_output else 0.0
    head = LINE * font + 4
    b = Board()
    x = left
    for title, kernels in list(zip(titles, (learned, initial)))[:1 if single else 2]:
        z, rows, cols = _grid(np.asarray(kernels, np.float32), by_output)
        w, h = b.values(z, x, head, px, scale, limit, name=f"{layer} {title}")
        b.label(x + w / 2, head / 2, _("{layer}, {title}").format(layer=layer, title=title), size=font)
        if by_output:
            said = _("{layer} map {r}: its {n} kernels {title} — click for the images it likes")
            hover = [said.format(layer=layer, r=r, n=I, title=title) for r in range(rows)]
            b.pickers([x + w / 2] * rows, [head + (r + 0.5) * (k + GAP) * px for r in range(rows)], list(range(rows)),
                      hover, (k + GAP) * px)
        if selected is not None and by_output:
            y0 = head + selected * (k + GAP) * px
            b.outline(x - 2, y0 - 2, x + w + 2, y0 + k * px + 2)
        x += w + 4 * font
    if by_output:
        for r in range(O):
            b.label(left - 6, head + (r + 0.5) * (k + GAP) * px, row_name.format(r=r), "middle left", font)
    bottom = head + (O if by_output else 1) * (k + GAP) * px + 4
    what = _("weights ±{limit:.3g}: orange −, purple +") if scale is WEIGHTS else _("±{limit:.3g}: blue −, red +")
    text = what.format(limit=limit) + ("" if single else _(", one scale for both"))
    grids = x - 4 * font
    at = left if left + 102 + text_width(text, font) <= grids else 0.0  # under the grid, or from the left edge
    b.picture(scale.ramp(64), at, bottom, 96 / 64, STRIP, name="strip", limit=limit, scale=scale)
    b.label(at + 96 + 6, bottom + STRIP / 2, text, "middle right", font)
    return b.figure(height=int(bottom + STRIP + LINE * font), width=int(max(grids, at + 102 + text_width(text, font))),
                    dragmode=dragmode)


def top_figure(images: np.ndarray, boxes: list[tuple[int, int, int, int]], hover: list[str], cell: float,
               font: int, per_row: int | None = None) -> Figure:
    """(k, 28, 28) uint8 images, per_row to a row (default: all in one), `cell` px each, the box (r0, r1, c0, c1)
    of each outlined."""
    N, H, W = images.shape
    cols = per_row or N
    z, centres = tile(images.astype(np.float32) / 255.0, cols)
    s = cell / (W + GAP)
    b = Board()
    b.picture(IMAGE.rgba(z, 1.0), 2.0, 2.0, s, name="top images", limit=1.0, scale=IMAGE)
    for n, (r0, r1, c0, c1) in enumerate(boxes):
        r, c = divmod(n, cols)
        x0, y0 = 2.0 + c * (W + GAP) * s, 2.0 + r * (H + GAP) * s
        b.outline(x0 + c0 * s, y0 + r0 * s, x0 + c1 * s, y0 + r1 * s, color=OUTLINE, width=2)
    b.pickers([2.0 + (c[0] + 0.5) * s for c in centres], [2.0 + (c[1] + 0.5) * s for c in centres],
              list(range(N)), hover, W * s)
    rows = -(-N // cols)
    return b.figure(height=int(rows * (H + GAP) * s + 4), width=int(cols * (W + GAP) * s + 4))
