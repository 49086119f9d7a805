"""Where the overview's columns go: the screen a figure is laid out for, the columns it shows, and the geometry
that fits them to the screen's width (the largest maps at which every column, with its header and legend, fits).

The layout fits the screen: the font grows with the width (never below 12 px), and every map is drawn as
large as the columns' widths allow, as in CNN Explainer: each map a square of D0 · √(H / 28) pixels (conv1's
28×28 maps largest, pool2's 5×5 smallest, all readable), stacked in as few side-by-side columns as the height
allows. D0 is the largest size at which every column, with its header and legend, fits the width.
"""
from __future__ import annotations

import functools
import math
import unicodedata
from dataclasses import dataclass

import numpy as np

from dashboard.figures.colours import SIGNED, Scale
from dashboard.figures.base import GAP

CHAR = 0.56  # a character's width in em, for Source Sans text (a little generous: text must never overlap)
WIDE = 1.02  # a Chinese character's (Noto Sans CJK: one em)
LINE = 1.3  # a line's height in em
STRIP = 8.0  # the colour strip of a legend, px
BAR_MIN = 7.0  # the softmax bars' room, at least, in em


NARROW_BELOW = 1100  # px of main column: below this a page is laid out for a phone or a tablet (one column)


@dataclass(frozen=True)
class Screen:
    """The room a figure has, in CSS pixels; narrow: on a phone or a tablet (a page under NARROW_BELOW px wide),
    where the network is drawn a stage a row (figures.rows) rather than a stage a column."""

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
    """How wide a line of text is, about (generously): a Chinese character takes a whole em."""
    return sum(WIDE if unicodedata.east_asian_width(c) in "WF" else CHAR for c in text) * font


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


READABLE = 14.0  # px: the smallest map side a column of maps may be drawn at on a projector


def fits(columns: list[Column], screen: Screen) -> bool:
    """Whether the network fits the screen's width a stage a column with its maps readable (at least READABLE px
    each): the seed's and most members do; four blocks of 64 maps with BatchNorm (19 columns) do not, and are laid
    out a stage a row instead, as on a phone (figures.rows)."""
    g = geometry(columns, screen)
    left, width = g.slots[-1]
    return left + width <= screen.width + 1 and _first_map(g) >= READABLE


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
