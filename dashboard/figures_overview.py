"""The whole overview as one Plotly figure, laid out in CSS pixels for the screen it is shown on.

One figure with one coordinate system (a board.Board, one unit = one CSS pixel): each column's maps are one
PNG image placed and scaled in its slot, the softmax bars are filled shapes, and the text (headers, legends,
class names) is a few text traces, one per style. The browser repaints a handful of elements per input
change. A click on a map or neuron reports [stage, index] (the picker's customdata).

The layout fits the screen: the font grows with the width (never below 12 px), and every map is drawn as
large as the columns' widths allow, as in CNN Explainer: each map a square of D0 · √(H / 28) pixels (conv1's
28×28 maps largest, pool2's 5×5 smallest, all readable), stacked in as few side-by-side columns as the height
allows. D0 is the largest size at which every column, with its header and legend, fits the width.
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from dashboard.board import Board
from dashboard.colours import IMAGE, SIGNED, Scale
from dashboard.figures import GAP, OUTLINE, Figure, clicked_customdata, map_hover, mosaic

CHAR = 0.56  # a character's width in em, for Source Sans text (a little generous: text must never overlap)
LINE = 1.3  # a line's height in em
STRIP = 8.0  # the colour strip of a legend, px
BAR_MIN = 7.0  # the softmax bars' room, at least, in em
TRUE = "#1a7f37"  # the true class's name
MARK = "#1a7f37"  # the outlines of the maps that matter
FRAME = "#31333f"  # the frame of the stage being talked about (presentation mode)


NARROW_BELOW = 1100  # px of main column: below this a page is laid out for a phone or a tablet (one column)


@dataclass(frozen=True)
class Screen:
    """The room a figure has, in CSS pixels; narrow: on a phone or a tablet (a page under NARROW_BELOW px wide),
    where the network is drawn a stage a row (figures_rows) rather than a stage a column."""

    width: float
    height: float
    narrow: bool = False

    @property
    def font(self) -> int:
        """The figure text size: 12 px up to 1300 px of width (a 1280-1366 px screen), 14 at 1860 (1920)."""
        return int(min(18, max(12, 12 + (self.width - 1300) / 280)))


DEFAULT_SCREEN = Screen(1230, 440)  # before the browser has said its size (and in tests): a 1280×720 screen


@dataclass(frozen=True)
class Column:
    """One stage column of the overview."""

    name: str  # stage name, reported back on click
    lines: tuple[str, ...]  # the header, a line each: title, shape, parameters
    kind: str  # "input", "maps", "vector", "softmax" or "empty" (a placeholder that keeps columns aligned)
    values: np.ndarray  # (C, H, W) maps, (D,) vector or (10,) probabilities
    scale: Scale = SIGNED  # what the colours mean
    limit: float | None = None  # colour limit (None: the column's own)
    per_map: bool = False  # each map scaled to its own range
    selected: int | None = None  # map or neuron to outline
    labels: tuple[str, ...] | None = None  # vector / softmax labels
    true_label: int | None = None
    faded: bool = False  # drawn pale: not the stage in focus
    marked: tuple[int, ...] = ()  # maps or neurons outlined as those that matter most for a class
    note: str = ""  # a line under the header in the outlines' colour (what they mean), in place of an empty one
    framed: bool = False  # the stage being talked about: a frame around the whole column


def text_width(text: str, font: float) -> float:
    """How wide a line of text is, about (generously)."""
    return len(text) * CHAR * font


@dataclass(frozen=True)
class Geometry:
    """Where everything goes, from the screen and the columns' shapes and texts alone: two overviews of the
    same stages (compare mode) get the same geometry and line up column for column."""

    font: int
    head: float  # height of the header band
    body: float  # height of the maps and cells
    slots: tuple[tuple[float, float], ...]  # (left, width) of each column
    sizes: tuple[float, ...]  # each column's map size in px (maps, input), cell width (vector) or bar room
    grids: tuple[int, ...]  # maps side by side in each column (1 for other kinds)
    lines: int = 3  # header lines drawn (2: without the weight counts, where they would keep the maps small)


def _map_size(d0: float, H: int) -> float:
    return d0 * math.sqrt(H / 28.0)


def _maps_fit(col: Column, d0: float, body: float) -> tuple[float, float, int]:
    """A maps column at base size d0: (its width, its map size, maps side by side)."""
    C, H, W = np.shape(col.values)
    if col.kind == "input":
        D = min(1.5 * d0, body)
        return D, D, 1
    D = _map_size(d0, H)
    s = D / W  # px per map pixel
    rows_max = max(1, int((body / s + GAP) // (H + GAP)))
    cols = math.ceil(C / rows_max)
    return (cols * (W + GAP) - GAP) * s, D, cols


def _widths(columns: list[Column], d0: float, font: int, body: float) -> tuple[list[float], list[float], list[int]]:
    widths, sizes, grids = [], [], []
    for col in columns:
        text = max((text_width(line, font) for line in col.lines), default=0.0) + 4
        legend = text_width("±0.000", font) + 4
        if col.kind in ("input", "maps"):
            w, size, grid = _maps_fit(col, d0, body)
        elif col.kind == "vector":
            w = size = 1.6 * font
            grid = 1
        elif col.kind == "softmax":
            names = max(text_width(n + " ✓", font) for n in (col.labels or ("0",)))
            size, grid = BAR_MIN * font, 1
            w = names + size + text_width("100%", font) + 8
        else:  # empty: drawn only with a geometry shared with the overview it lines up with
            w, size, grid = 0.0, 0.0, 1
        widths.append(max(w, text, legend if col.kind != "softmax" else 0.0))
        sizes.append(size)
        grids.append(grid)
    return widths, sizes, grids


def geometry(columns: list[Column], screen: Screen) -> Geometry:
    """The largest maps at which every column fits the screen's width; what is left widens the gaps.

    It depends on the columns' kinds, shapes and texts, never on their values: worked out once per screen and
    network, not on every input change."""
    return _geometry(tuple((c.kind, np.shape(c.values), tuple(c.lines) + ((c.note,) if c.note else ()),
                            tuple(c.labels or ())) for c in columns), screen)


@functools.lru_cache(maxsize=256)
def _geometry(shapes: tuple, screen: Screen) -> Geometry:
    """(geometry() without its cache key's values.) Where the headers' third lines (the weight counts) would
    keep the maps small (an overview beside the drawing pad), the headers have two lines."""
    full = _fit(shapes, screen, 3)
    short = _fit(shapes, screen, 2)
    return full if _first_map(full) >= 0.8 * _first_map(short) else short


def _first_map(g: Geometry) -> float:
    return next((size for size, grid in zip(g.sizes[1:], g.grids[1:]) if size), 0.0)


def _fit(shapes: tuple, screen: Screen, lines: int) -> Geometry:
    columns = [Column("", lines_[:lines] + lines_[3:], kind, np.empty(shape, np.float32), labels=labels or None)
               for kind, shape, lines_, labels in shapes]  # (a fourth line: the input's note, kept)
    font = screen.font
    head = 3 * LINE * font + 6
    body = max(60.0, screen.height - head - (STRIP + 6 + 2 * LINE * font) - 6)  # legends, then the colour key
    gap = max(6.0, 0.6 * font)
    room = screen.width - gap * (len(columns) - 1)
    lo, hi = 4.0, 2 * body
    for _ in range(30):  # bisect the base map size
        mid = (lo + hi) / 2
        if sum(_widths(columns, mid, font, body)[0]) <= room:
            lo = mid
        else:
            hi = mid
    widths, sizes, grids = _widths(columns, lo, font, body)
    extra = max(0.0, room - sum(widths))
    for k, col in enumerate(columns):  # the softmax bars take some of what is left
        if col.kind == "softmax":
            more = min(extra, 3 * BAR_MIN * font)
            widths[k] += more
            sizes[k] += more
            extra -= more
    gap += extra / max(1, len(columns) - 1) if len(columns) > 1 else 0.0
    slots, x = [], (extra if len(columns) == 1 else 0.0) / 2
    for w in widths:
        slots.append((x, w))
        x += w + gap
    return Geometry(font, head, body, tuple(slots), tuple(sizes), tuple(grids), lines)


def _legend(b: Board, col: Column, left: float, width: float, g: Geometry, limit: float) -> None:
    """A colour strip under a column, labelled with the range it spans."""
    y = g.head + g.body + 6
    w = min(width, max(40.0, width * 0.9))
    b.picture(col.scale.ramp(64), left + (width - w) / 2, y, w / 64, STRIP, name="strip", limit=limit,
              scale=col.scale)
    b.label(left + width / 2, y + STRIP + LINE * g.font / 2 + 1, _compact_legend(col, limit), size=g.font)


def _compact_legend(col: Column, limit: float) -> str:
    if col.per_map and col.scale is not IMAGE:
        return "÷ own max"
    lo, hi = col.scale.bounds(limit)
    return f"±{limit:.3g}" if col.scale.signed else f"{lo:.3g}–{hi:.3g}"


def _outlined(col: Column, count: int) -> list[tuple[int, str]]:
    """The maps (cells) of a column to outline and their colours: those that matter, then the selected one."""
    picked = [(m, MARK) for m in col.marked] + ([(col.selected, OUTLINE)] if col.selected is not None else [])
    return [(m, colour) for m, colour in picked if 0 <= m < count]


def _maps(b: Board, col: Column, left: float, width: float, g: Geometry, k: int) -> None:
    maps = np.asarray(col.values, dtype=np.float32)
    C, H, W = maps.shape
    z, centres, limit = mosaic(maps, g.grids[k], col.scale, col.limit, col.per_map)
    s = g.sizes[k] / W
    h, w = z.shape
    x0, y0 = left + (width - w * s) / 2, g.head + (g.body - h * s) / 2
    b.values(z, x0, y0, s, col.scale, limit, col.name, opacity=0.35 if col.faded else 1.0)
    hover = map_hover(maps, f"{col.name} map") if col.kind == "maps" else [f"{col.name}: the image"]
    b.pickers([x0 + (cx + 0.5) * s for cx, _ in centres], [y0 + (cy + 0.5) * s for _, cy in centres],
              [[col.name, i] for i in range(len(centres))], hover, W * s)
    for m, colour in _outlined(col, C):
        r, c = divmod(m, g.grids[k])
        b.outline(x0 + c * (W + GAP) * s, y0 + r * (H + GAP) * s, x0 + (c * (W + GAP) + W) * s,
                  y0 + (r * (H + GAP) + H) * s, color=colour)
    _legend(b, col, left, width, g, limit)


def _vector(b: Board, col: Column, left: float, width: float, g: Geometry, k: int) -> None:
    v = np.asarray(col.values, dtype=np.float32)
    D = len(v)
    limit = col.scale.limit_for(v, col.limit)
    cell_h, cell_w = g.body / D, g.sizes[k]
    x0 = left + (width - cell_w) / 2
    b.values(v[:, None], x0, g.head, cell_w, col.scale, limit, col.name, sy=cell_h)
    names = list(col.labels) if col.labels else [f"neuron {i}" for i in range(D)]
    values = v.tolist()  # (Python floats format several times faster than numpy's)
    b.pickers([x0 + cell_w / 2] * D, [g.head + (i + 0.5) * cell_h for i in range(D)], [[col.name, i] for i in range(D)],
              [f"{col.name} {names[i]}: {values[i]:.4f}" for i in range(D)], max(3.0, cell_h))
    for m, colour in _outlined(col, D):
        b.outline(x0, g.head + m * cell_h, x0 + cell_w, g.head + (m + 1) * cell_h, color=colour)
    _legend(b, col, left, width, g, limit)


def _softmax(b: Board, col: Column, left: float, width: float, g: Geometry, k: int) -> None:
    """The probabilities as bars with class names and percentages. Where the rows would be shorter than a line
    of text (compare mode's three overviews), only the most probable classes are shown, most probable first,
    the true class always among them: the text keeps its size."""
    probs = np.asarray(col.values, dtype=np.float64)
    pred = int(np.argmax(probs))
    names = [(col.labels[i] if col.labels else str(i)) + (" ✓" if i == col.true_label else "")
             for i in range(len(probs))]
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
        p = probs[i]
        y0, y1 = g.head + r * row + row * 0.18, g.head + (r + 1) * row - row * 0.18
        x1 = x0 + max(p * room, 1.0)
        b.rect(x0, y0, x1, y1, "#d62728" if i == pred else "#7f7f7f")
        bold = (lambda t: f"<b>{t}</b>") if i == pred else (lambda t: t)
        b.label(x0 - 4, (y0 + y1) / 2, bold(names[i]), "middle left", g.font,
                color=TRUE if i == col.true_label else "#31333f")
        b.label(x1 + 3, (y0 + y1) / 2, bold(f"{p:.0%}"), "middle right", g.font)
        b.picker((x0 + x1) / 2, (y0 + y1) / 2, [col.name, i], f"{names[i]}: {p:.4f}", max(3.0, row * 0.6))
    if len(shown) < len(probs):
        b.label(left + width / 2, g.head + g.body + 6 + STRIP / 2, f"top {len(shown)} of {len(probs)}", size=g.font)
    elif col.true_label is not None:
        b.label(left + width / 2, g.head + g.body + 6 + STRIP / 2, "✓ true class", size=g.font, color=TRUE)


def _empty(b: Board, col: Column, left: float, width: float, g: Geometry, k: int) -> None:
    b.label(left + width / 2, g.head + g.body / 2, col.labels[0] if col.labels else "", size=g.font)


DRAW = {"input": _maps, "maps": _maps, "vector": _vector, "softmax": _softmax, "empty": _empty}  # by kind


COLOUR_KEY = "colours: blue negative · white 0 · red positive — the strip under each column gives its range"


def overview_figure(columns: list[Column], screen: Screen = DEFAULT_SCREEN,
                    geo: Geometry | None = None, colour_key: bool = True) -> Figure:
    """All columns side by side in one figure of the screen's size: a header over each column, its maps or
    cells, and a legend under it; under them, what the colours mean (colour_key). geo: a geometry to share with
    other overviews (compare mode)."""
    g = geo or geometry(columns, screen)
    b = Board()
    if colour_key and len(columns) > 1:
        b.label(screen.width / 2, g.head + g.body + 6 + STRIP + 1.5 * LINE * g.font + 2, COLOUR_KEY, size=g.font,
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
