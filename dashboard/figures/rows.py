"""The overview for a phone or a tablet: the same columns (figures.overview.Column), a stage a row, top to bottom.

One figure as wide as the screen and as tall as the network needs (the page scrolls; the figure does not catch
the finger: dragmode off). Each stage: a header line (title, shape, weights), its maps in a grid as wide as the
screen (conv1's 6 maps three to a row on a 390-px phone: ~114 px each), a dense layer's neurons as a grid of
cells, the softmax as bars with class names; under each, its colour strip and the colours named with the range
('blue −6.48 · 0 white · red 6.48'). Clicks and taps report [stage, index], as on the wide overview.
"""
from __future__ import annotations

import math

import numpy as np

from dashboard.figures.board import Board, number_text
from dashboard.figures.colours import IMAGE
from dashboard.figures.base import GAP, Figure
from dashboard.figures.overview import (LINE, MARK, NARROW_BELOW, STRIP, TRUE, Column, _outlined, class_names,
                                        place_maps, probability_row, text_width)
from lenet.i18n import _

__all__ = ["NARROW_BELOW", "map_grid", "row_font", "rows_figure"]
MAP_TARGET = 3.6  # a map's wished size, px per pixel of its height (28×28: ~100 px; clamped to 44-150)
MANY = 16  # maps a stage may have before they tile smaller (the seed's most)
VECTOR_COLUMNS = 20  # cells to a row for a dense layer (30 on a tablet)
LOGIT_CELL = 44.0  # px a logit's cell needs for its value ("−11.01" at 12 px)


def row_font(width: float) -> int:
    """Text size on a narrow screen: 14 px from a 380-px column up, 13 from 300, 12 below (a 320-px phone)."""
    return 14 if width >= 380 else 13 if width >= 300 else 12


def map_grid(count: int, H: int, W: int, width: float) -> tuple[int, float]:
    """Maps side by side and px per map pixel for count H×W maps across width: about MAP_TARGET·H px each (smaller
    beyond MANY maps: 64 maps of 28×28 at ~50 px, seven to a row), rows balanced (no lonely last map)."""
    target = min(150.0, max(44.0, MAP_TARGET * H * min(1.0, math.sqrt(MANY / count))))
    cols = max(1, min(count, int((width + GAP) // (target + GAP))))
    cols = math.ceil(count / math.ceil(count / cols))
    return cols, width / (cols * (W + GAP) - GAP)


def _header(b: Board, col: Column, y: float, font: int) -> float:
    rest = " · ".join(line for line in col.lines[1:] if line)
    b.label(0, y + LINE * font / 2, f"<b>{col.lines[0]}</b>  {rest}", "middle right", font)
    if col.note:
        b.label(0, y + 1.5 * LINE * font, col.note, "middle right", font, color=MARK)
        return y + 2 * LINE * font
    return y + LINE * font


def _legend(b: Board, col: Column, y: float, width: float, font: int, limit: float) -> float:
    w = min(96.0, width * 0.2)
    b.picture(col.scale.ramp(64), 0, y + (LINE * font - STRIP) / 2, w / 64, STRIP, name="strip", limit=limit,
              scale=col.scale)
    b.label(w + 6, y + LINE * font / 2, col.scale.words(limit, col.per_map and col.scale is not IMAGE),
            "middle right", font, color="#555555")
    return y + LINE * font


def _maps(b: Board, col: Column, y: float, width: float, font: int) -> float:
    C, H, W = np.shape(col.values)
    if col.kind == "input" or C == 1:  # one map: not wider than a good part of the screen
        cols, s = 1, min(width * 0.45, 168.0) / W
    else:
        cols, s = map_grid(C, H, W, width)
    limit, drawn = place_maps(b, col, cols, s, 0.0, y)
    return _legend(b, col, y + drawn + 6, width, font, limit)


def _vector(b: Board, col: Column, y: float, width: float, font: int) -> float:
    v = np.asarray(col.values, dtype=np.float32)
    D = len(v)
    limit = col.scale.limit_for(v, col.limit)
    if D <= 12:  # the logits, each value written in its cell: two rows where one would cut "−11.01"
        per_row = D if width / D >= LOGIT_CELL else math.ceil(D / 2)
    else:
        per_row = VECTOR_COLUMNS if width < 700 else 30
    rows = math.ceil(D / per_row)
    cell = width / per_row
    cell_h = max(cell, 1.6 * font) if D <= 12 else cell
    grid = np.full(rows * per_row, np.nan, np.float32)
    grid[:D] = v
    b.values(grid.reshape(rows, per_row), 0, y, cell, col.scale, limit, col.name, sy=cell_h)
    named = _("neuron {i}")
    names = [_(label) for label in col.labels] if col.labels else [named.format(i=i) for i in range(D)]
    values = v.tolist()
    if D <= 12:  # the logits: each value written in its cell
        luma = col.scale.lut[col.scale.index(v, limit)].astype(np.float64) @ np.array([0.299, 0.587, 0.114])
        for i, value in enumerate(values):
            r, c = divmod(i, per_row)
            b.label((c + 0.5) * cell, y + (r + 0.5) * cell_h, number_text(value),
                    size=max(12, min(font, int(cell / 3.2))), color="#ffffff" if luma[i] < 128 else "#000000")
    b.pickers([(i % per_row + 0.5) * cell for i in range(D)], [y + (i // per_row + 0.5) * cell_h for i in range(D)],
              [[col.name, i] for i in range(D)], [f"{col.name} {names[i]}: {values[i]:.4f}" for i in range(D)],
              max(4.0, cell * 0.9))
    for m, colour in _outlined(col, D):
        r, c = divmod(m, per_row)
        b.outline(c * cell, y + r * cell_h, (c + 1) * cell, y + (r + 1) * cell_h, color=colour)
    return _legend(b, col, y + rows * cell_h + 6, width, font, limit)


def _softmax(b: Board, col: Column, y: float, width: float, font: int) -> float:
    names = class_names(col)
    x0 = max(text_width(n, font) for n in names) + 6
    room = width - x0 - text_width("100%", font) - 8
    row = 1.35 * LINE * font
    for i in range(len(names)):
        probability_row(b, col, i, names, x0, y + i * row + row * 0.15, y + (i + 1) * row - row * 0.15, room, font,
                        x0 + room / 2, row * 0.8)
    y += len(names) * row
    if col.true_label is not None:
        b.label(0, y + LINE * font / 2, _("✓ true class"), "middle right", font, color=TRUE)
        y += LINE * font
    return y


def _empty(b: Board, col: Column, y: float, width: float, font: int) -> float:
    b.label(0, y + LINE * font / 2, (col.labels[0] if col.labels else "").replace("<br>", " "), "middle right", font)
    return y + LINE * font


DRAW = {"input": _maps, "maps": _maps, "vector": _vector, "softmax": _softmax, "empty": _empty}  # by kind


def rows_figure(columns: list[Column], width: float) -> Figure:
    """Every column as a row, top to bottom, in one figure `width` px wide and as tall as it needs."""
    font = row_font(width)
    b = Board()
    y = 2.0
    for col in columns:
        y = _header(b, col, y, font) + 4
        y = DRAW[col.kind](b, col, y, width, font) + 0.9 * LINE * font
    return b.figure(height=int(math.ceil(y)), width=int(width), dragmode=False)
