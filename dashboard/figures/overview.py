"""The whole overview as one Plotly figure, laid out in CSS pixels for the screen it is shown on.

One figure with one coordinate system (a board.Board, one unit = one CSS pixel): each column's maps are one
PNG image placed and scaled in its slot, the softmax bars are filled shapes, and the text (headers, legends,
class names) is a few text traces, one per style. The browser repaints a handful of elements per input
change. A click on a map or neuron reports [stage, index] (the picker's customdata). Where everything goes
(the screen, the columns, the geometry) is worked out in dashboard/figures/layout.py.
"""
from __future__ import annotations

import numpy as np

from dashboard.figures.board import Board
from dashboard.figures.base import GAP, OUTLINE, Figure, clicked_customdata, map_hover, mosaic
from dashboard.figures.colours import IMAGE
from dashboard.figures.layout import (BAR_MIN, CHAR, DEFAULT_SCREEN, LINE, NARROW_BELOW, STRIP, Column, Geometry,
                                      Screen, geometry, text_width)
from lenet.i18n import N_, _

__all__ = ["BAR_MIN", "CHAR", "COLOUR_KEY", "DEFAULT_SCREEN", "FRAME", "LINE", "MARK", "NARROW_BELOW", "STRIP", "TRUE",
           "Column", "Geometry", "Screen", "class_names", "clicked_column", "geometry", "overview_figure",
           "place_maps", "probability_row", "text_width"]

TRUE = "#1a7f37"  # the true class's name
MARK = "#1a7f37"  # the outlines of the maps that matter
FRAME = "#31333f"  # the frame of the stage being talked about (presentation mode)


def _legend(b: Board, col: Column, left: float, width: float, g: Geometry, limit: float) -> None:
    """A colour strip under a column, labelled with the range it spans."""
    y = g.head + g.body + 6
    w = min(width, max(40.0, width * 0.9))
    b.picture(col.scale.ramp(64), left + (width - w) / 2, y, w / 64, STRIP, name="strip", limit=limit,
              scale=col.scale)
    b.label(left + width / 2, y + STRIP + LINE * g.font / 2 + 1, _compact_legend(col, limit), size=g.font)


def _compact_legend(col: Column, limit: float) -> str:
    if col.per_map and col.scale is not IMAGE:
        return _("÷ own max")
    lo, hi = col.scale.bounds(limit)
    return f"±{limit:.3g}" if col.scale.signed else f"{lo:.3g}–{hi:.3g}"


def _outlined(col: Column, count: int) -> list[tuple[int, str]]:
    """The maps (cells) of a column to outline and their colours: those that matter, then the selected one."""
    picked = [(m, MARK) for m in col.marked] + ([(col.selected, OUTLINE)] if col.selected is not None else [])
    return [(m, colour) for m, colour in picked if 0 <= m < count]


def place_maps(b: Board, col: Column, cols: int, s: float, x: float, y: float, room_w: float | None = None,
               room_h: float | None = None) -> tuple[float, float]:
    """A maps (or input) column's maps tiled `cols` to a row, each pixel s px, from (x, y) — or centred in a
    room_w × room_h box there — with a picker each and the outlined ones outlined; returns (the colour limit,
    the height drawn). Shared by the overview's columns and a phone's rows (figures.rows)."""
    maps = np.asarray(col.values, dtype=np.float32)
    C, H, W = maps.shape
    z, centres, limit = mosaic(maps, cols, col.scale, col.limit, col.per_map)
    h, w = z.shape
    x0 = x + (room_w - w * s) / 2 if room_w is not None else x
    y0 = y + (room_h - h * s) / 2 if room_h is not None else y
    b.values(z, x0, y0, s, col.scale, limit, col.name, opacity=0.35 if col.faded else 1.0)
    named = col.lines[0] if col.name == "input" else col.name  # (the input's name in the page's language)
    hover = map_hover(maps, _("{stage} map").format(stage=named)) if col.kind == "maps" else \
        [_("{stage}: the image").format(stage=named)]
    b.pickers([x0 + (c[0] + 0.5) * s for c in centres], [y0 + (c[1] + 0.5) * s for c in centres],
              [[col.name, i] for i in range(len(centres))], hover, W * s)
    for m, colour in _outlined(col, C):
        r, c = divmod(m, cols)
        b.outline(x0 + c * (W + GAP) * s, y0 + r * (H + GAP) * s, x0 + (c * (W + GAP) + W) * s,
                  y0 + (r * (H + GAP) + H) * s, color=colour)
    return limit, h * s


def _maps(b: Board, col: Column, left: float, width: float, g: Geometry, k: int) -> None:
    W = np.shape(col.values)[2]
    limit = place_maps(b, col, g.grids[k], g.sizes[k] / W, left, g.head, width, g.body)[0]
    _legend(b, col, left, width, g, limit)


def _vector(b: Board, col: Column, left: float, width: float, g: Geometry, k: int) -> None:
    v = np.asarray(col.values, dtype=np.float32)
    D = len(v)
    limit = col.scale.limit_for(v, col.limit)
    cell_h, cell_w = g.body / D, g.sizes[k]
    x0 = left + (width - cell_w) / 2
    b.values(v[:, None], x0, g.head, cell_w, col.scale, limit, col.name, sy=cell_h)
    named = _("neuron {i}")
    names = [_(label) for label in col.labels] if col.labels else [named.format(i=i) for i in range(D)]
    values = v.tolist()  # (Python floats format several times faster than numpy's)
    b.pickers([x0 + cell_w / 2] * D, [g.head + (i + 0.5) * cell_h for i in range(D)], [[col.name, i] for i in range(D)],
              [f"{col.name} {names[i]}: {values[i]:.4f}" for i in range(D)], max(3.0, cell_h))
    for m, colour in _outlined(col, D):
        b.outline(x0, g.head + m * cell_h, x0 + cell_w, g.head + (m + 1) * cell_h, color=colour)
    _legend(b, col, left, width, g, limit)


def class_names(col: Column) -> list[str]:
    """A softmax column's class names, the true class marked ✓."""
    return [(_(col.labels[i]) if col.labels else str(i)) + (" ✓" if i == col.true_label else "")
            for i in range(len(col.values))]


def probability_row(b: Board, col: Column, i: int, names: list[str], x0: float, y0: float, y1: float, room: float,
                    font: int, picker_x: float, picker_size: float) -> None:
    """Class i's bar from x0 across room px at its probability (the prediction red and bold), its name before
    it (the true class green), its percentage after it, a picker at picker_x. Shared with figures.rows."""
    probs = np.asarray(col.values, dtype=np.float64)
    p, predicted = probs[i], i == int(np.argmax(probs))
    x1 = x0 + max(p * room, 1.0)
    b.rect(x0, y0, x1, y1, "#d62728" if predicted else "#7f7f7f")
    bold = (lambda t: f"<b>{t}</b>") if predicted else (lambda t: t)
    b.label(x0 - 4, (y0 + y1) / 2, bold(names[i]), "middle left", font,
            color=TRUE if i == col.true_label else "#31333f")
    b.label(x1 + 3, (y0 + y1) / 2, bold(f"{p:.0%}"), "middle right", font)
    b.picker(picker_x, (y0 + y1) / 2, [col.name, i], f"{names[i]}: {p:.4f}", picker_size)


def _softmax(b: Board, col: Column, left: float, width: float, g: Geometry, k: int) -> None:
    """The probabilities as bars with class names and percentages. Where the rows would be shorter than a line
    of text (compare mode's three overviews), only the most probable classes are shown, most probable first,
    the true class always among them: the text keeps its size."""
    probs = np.asarray(col.values, dtype=np.float64)
    names = class_names(col)
    shown = list(range(len(probs)))
    fit = int(g.body // (LINE * g.font))
    if fit < len(probs):
        shown = [int(i) for i in np.argsort(-probs, kind="stable")[:max(1, fit)]]
        if col.true_label is not None and col.true_label not in shown:
            shown[-1] = col.true_label
    row = g.body / len(shown)
    x0 = left + max(text_width(n, g.font) for n in names) + 4
    room = g.sizes[k]
    for r, i in enumerate(shown):
        y0, y1 = g.head + r * row + row * 0.18, g.head + (r + 1) * row - row * 0.18
        probability_row(b, col, i, names, x0, y0, y1, room, g.font, x0 + max(probs[i] * room, 1.0) / 2,
                        max(3.0, row * 0.6))
    if len(shown) < len(probs):
        b.label(left + width / 2, g.head + g.body + 6 + STRIP / 2,
                _("top {k} of {n}").format(k=len(shown), n=len(probs)), size=g.font)
    elif col.true_label is not None:
        b.label(left + width / 2, g.head + g.body + 6 + STRIP / 2, _("✓ true class"), size=g.font, color=TRUE)


def _empty(b: Board, col: Column, left: float, width: float, g: Geometry, k: int) -> None:
    b.label(left + width / 2, g.head + g.body / 2, col.labels[0] if col.labels else "", size=g.font)


DRAW = {"input": _maps, "maps": _maps, "vector": _vector, "softmax": _softmax, "empty": _empty}  # by kind


COLOUR_KEY = N_("colours: blue negative · white 0 · red positive — the strip under each column gives its range")


def overview_figure(columns: list[Column], screen: Screen = DEFAULT_SCREEN,
                    geo: Geometry | None = None, colour_key: bool = True) -> Figure:
    """All columns side by side in one figure of the screen's size: a header over each column, its maps or
    cells, and a legend under it; under them, what the colours mean (colour_key). geo: a geometry to share with
    other overviews (compare mode)."""
    g = geo or geometry(columns, screen)
    b = Board()
    if colour_key and len(columns) > 1:
        b.label(screen.width / 2, g.head + g.body + 6 + STRIP + 1.5 * LINE * g.font + 2, _(COLOUR_KEY), size=g.font,
                color="#555555")
    for k, (col, (left, width)) in enumerate(zip(columns, g.slots)):
        for i, line in enumerate(col.lines):
            note = bool(col.note) and not line and i == len(col.lines) - 1
            if i >= g.lines and not note:
                continue
            b.label(left + width / 2, 3 + (i + 0.5) * LINE * g.font, col.note if note else
                    f"<b>{line}</b>" if i == 0 else line, size=g.font,
                    color=MARK if note else "#31333f" if i == 0 else "#555555")
        DRAW[col.kind](b, col, left, width, g, k)
        if col.framed:
            b.outline(left - 3, 1, left + width + 3, g.head + g.body + STRIP + LINE * g.font + 8, color=FRAME, width=3)
    return b.figure(height=int(screen.height), width=int(screen.width))


def clicked_column(event) -> tuple[str, int] | None:
    """(stage name, index) of a click on the overview figure (its picker's customdata)."""
    for cd in clicked_customdata(event):
        if isinstance(cd, list) and len(cd) == 2 and isinstance(cd[0], str) and isinstance(cd[1], (int, float)):
            return cd[0], int(cd[1])
    return None
