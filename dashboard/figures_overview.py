"""The whole overview as one Plotly figure on one pair of axes: every stage is a column of pictures.

One figure with one coordinate system (a board.Board; units ≈ screen pixels at full width): each column's maps
are one PNG image placed and scaled in its slot, the softmax bars are filled shapes, and the text (headers,
colour-strip ranges, class names) is a few text traces, one per style. The browser repaints a handful of
elements per input change instead of eleven subplots with eleven heatmaps and colour bars. A click on a map
or neuron reports [stage, index] (the picker's customdata).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from dashboard.board import Board
from dashboard.figures import clicked_customdata, color_limit, diverging_rgba, grey_rgba, grid_shape, map_hover, mosaic

WIDTH = 1200.0  # the figure's coordinate width (≈ pixels of a wide-layout page); columns share it
GAP_X = 12.0  # between columns
HEAD = 80.0  # header band at the top
BODY = 380.0  # height available to a column's maps or cells
STRIP = 9.0  # colour strip under each column
STRIP_STEPS = 64
TALL = 0.2  # width / height the maps of a column are tiled towards: tall columns, as in CNN Explainer
LABEL_W = 96.0  # room for the class names left of the softmax bars
WIDTHS = {"input": 1.1, "vector": 0.55, "softmax": 2.3}  # a column's share of the width, by what it draws


@dataclass(frozen=True)
class Column:
    """One stage column of the overview."""

    name: str  # stage name, reported back on click
    title: str  # header text (may hold <br> and <span style=...>)
    kind: str  # "input", "maps", "vector" or "softmax"
    values: np.ndarray  # (C, H, W) maps, (D,) vector or (10,) probabilities
    limit: float | None = None  # colour limit (None: the column's own)
    per_map: bool = False  # each map scaled to its own range
    selected: int | None = None  # map or neuron to outline
    labels: tuple[str, ...] | None = None  # vector / softmax labels
    true_label: int | None = None


def _grid(col: Column, aspect: float) -> tuple[int, int]:
    return grid_shape(*np.shape(col.values), aspect=aspect)


def column_width(col: Column, aspect: float = TALL) -> float:
    """A column's share of the figure's width: maps by how many of them sit side by side, the rest by kind."""
    return 0.6 + 0.2 * _grid(col, aspect)[1] if col.kind == "maps" else WIDTHS[col.kind]


def _slots(widths: list[float], total: float) -> list[tuple[float, float]]:
    """(left, width) of each column in figure units."""
    unit = (total - GAP_X * (len(widths) - 1)) / sum(widths)
    out, x = [], 0.0
    for w in widths:
        out.append((x, w * unit))
        x += w * unit + GAP_X
    return out


def _strip(b: Board, left: float, width: float, body: float, limit: float | None, per_map: bool) -> None:
    """A colour strip under a column, labelled with the range it spans."""
    ramp = np.linspace(-1.0, 1.0, STRIP_STEPS, dtype=np.float32)[None]
    rgba = grey_rgba((ramp + 1) / 2) if limit is None else diverging_rgba(ramp, 1.0)
    w, y = width * 0.9, HEAD + body + 12
    b.picture(rgba, left + (width - w) / 2, y, w / STRIP_STEPS, STRIP, name="strip",
              limit=None if limit is None else 1.0)
    text = "0 … 1" if limit is None else "±1 ÷ max" if per_map else f"±{limit:.3g}"
    b.label(left + width / 2, y + STRIP + 12, text)


def _maps(b: Board, col: Column, left: float, width: float, body: float, aspect: float) -> None:
    maps = np.asarray(col.values, dtype=np.float32)
    C, H, W = maps.shape
    ncols = _grid(col, aspect)[1]
    rgba, centres, limit = mosaic(maps, ncols, col.kind == "input", col.limit, col.per_map)
    h, w = rgba.shape[:2]
    s = min(width * 0.94 / w, body / h)  # units per pixel
    x0 = left + (width - w * s) / 2
    y0 = HEAD + (body - h * s) / 2
    b.picture(rgba, x0, y0, s, name=col.name, limit=limit)
    hover = map_hover(maps, f"{col.name} map") if col.kind == "maps" else [f"{col.name}: the image"]
    for k, (cx, cy) in enumerate(centres):
        b.picker(x0 + (cx + 0.5) * s, y0 + (cy + 0.5) * s, [col.name, k], hover[k], W * s)
    if col.selected is not None and 0 <= col.selected < C:
        r, c = divmod(col.selected, ncols)
        b.outline(x0 + c * (W + 1) * s, y0 + r * (H + 1) * s, x0 + (c * (W + 1) + W) * s,
                  y0 + (r * (H + 1) + H) * s)
    _strip(b, left, width, body, limit, col.per_map)


def _vector(b: Board, col: Column, left: float, width: float, body: float, aspect: float) -> None:
    v = np.asarray(col.values, dtype=np.float32)
    D = len(v)
    limit = col.limit if col.limit is not None else color_limit(v)
    cell_h, cell_w = body / D, min(width * 0.6, 28.0)
    x0 = left + (width - cell_w) / 2
    b.picture(diverging_rgba(v[:, None], limit), x0, HEAD, cell_w, cell_h, name=col.name, limit=limit)
    names = list(col.labels) if col.labels else [f"neuron {k}" for k in range(D)]
    for k in range(D):
        b.picker(x0 + cell_w / 2, HEAD + (k + 0.5) * cell_h, [col.name, k], f"{col.name} {names[k]}: {v[k]:.4f}",
                 max(3.0, cell_h))
    if col.selected is not None and 0 <= col.selected < D:
        b.outline(x0, HEAD + col.selected * cell_h, x0 + cell_w, HEAD + (col.selected + 1) * cell_h)
    _strip(b, left, width, body, limit, False)


def _softmax(b: Board, col: Column, left: float, width: float, body: float, aspect: float) -> None:
    probs = np.asarray(col.values, dtype=np.float64)
    pred = int(np.argmax(probs))
    row = body / len(probs)
    x0, room = left + LABEL_W, width - LABEL_W - 40
    for k, p in enumerate(probs):
        y0, y1 = HEAD + k * row + row * 0.2, HEAD + (k + 1) * row - row * 0.2
        x1 = x0 + max(p * room, 1.0)
        b.rect(x0, y0, x1, y1, "#d62728" if k == pred else "#7f7f7f")
        name = (col.labels[k] if col.labels else str(k)) + (" ✓" if k == col.true_label else "")
        bold = (lambda t: f"<b>{t}</b>") if k == pred else (lambda t: t)
        b.label(x0 - 4, (y0 + y1) / 2, bold(name), "middle left", 12)
        b.label(x1 + 3, (y0 + y1) / 2, bold(f"{p:.0%}"), "middle right", 12)


DRAW = {"input": _maps, "maps": _maps, "vector": _vector, "softmax": _softmax}  # by Column.kind


def overview_figure(columns: list[Column], height: int = 530, body: float = BODY, aspect: float = TALL,
                    width: float = WIDTH) -> go.Figure:
    """All columns side by side in one figure, a header over and a colour strip under each column.

    body: the height of the columns' maps and cells; aspect: the width / height their maps are tiled towards.
    """
    b = Board()
    for col, (left, w) in zip(columns, _slots([column_width(c, aspect) for c in columns], width)):
        b.label(left + w / 2, HEAD / 2, col.title, size=14)
        DRAW[col.kind](b, col, left, w, body, aspect)
    b.right, b.bottom = max(b.right, width), max(b.bottom, HEAD + body + 45)  # room for the strips' labels
    return b.figure(height)


def clicked_column(event) -> tuple[str, int] | None:
    """(stage name, index) of a click on the overview figure (its picker's customdata)."""
    for cd in clicked_customdata(event):
        if isinstance(cd, list) and len(cd) == 2 and isinstance(cd[0], str) and isinstance(cd[1], (int, float)):
            return cd[0], int(cd[1])
    return None
