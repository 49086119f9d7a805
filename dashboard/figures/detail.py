"""Plotly figure builders for the detail views (the numbers behind one output value). No Streamlit calls.

The conv and pooling views are each one board (board.Board): the input map(s) with the window, the numbers
under it, the kernel, the products, the sums and the output map with the chosen pixel, in one figure. Every
coloured part has a legend; inputs and outputs are coloured as in the overview (the caller passes the same
scale and limit), kernels on the weights' own scale.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from dashboard.figures.board import Board, number_text
from dashboard.figures.colours import SIGNED, WEIGHTS, Scale
from dashboard.figures.base import FONT, Figure, make_figure
from lenet.explain import ConvWindow, PoolWindow
from lenet.i18n import _
from lenet.ops import POOLINGS

MAX_PICKABLE = 200  # output maps up to 14×14 get a clickable marker per pixel; a 28×28 map is chosen by its row
# and column inputs (784 markers made every redraw of the figure slower, figures.picker_trace)
GAP_X = 34.0  # between the parts of a figure (room for ⊙, =, →)


@dataclass(frozen=True)
class Paint:
    """How values are coloured: a scale and its limit (None: the values' own largest |value|)."""

    scale: Scale = SIGNED
    limit: float | None = None

    def of(self, z: np.ndarray) -> float:
        return self.scale.limit_for(z, self.limit)


def _legend(b: Board, x: float, y: float, width: float, paint: Paint, z: np.ndarray, font: int) -> float:
    """A colour strip with its range under a part of the figure; returns its height."""
    lim = paint.of(z)
    ramp = np.linspace(*paint.scale.bounds(lim), 64, dtype=np.float32)[None]
    b.picture(paint.scale.rgba(ramp, lim), x, y, width / 64, 7.0, name="strip", limit=lim, scale=paint.scale)
    b.label(x + width / 2, y + 7 + 0.7 * font + 2, paint.scale.legend(lim), size=font)
    return 7 + 1.4 * font + 4


def _pixel_pickers(b: Board, m: np.ndarray, x: float, y: float, s: float, label: str) -> None:
    """One invisible marker per pixel of an output map: hover shows its value, a click selects it."""
    H, W = m.shape
    for (i, j), v in np.ndenumerate(m):
        b.picker(x + (j + 0.5) * s, y + (i + 0.5) * s, i * W + j, f"{label} ({i}, {j}): {v:.4f}", s)


def _output_map(b: Board, m: np.ndarray, x: float, y: float, size: float, i: int, j: int, label: str,
                paint: Paint, font: int) -> None:
    """An output map with pixel (i, j) outlined and its legend; small maps have every pixel clickable."""
    H, W = m.shape
    s = size / max(H, W)
    b.values(m, x, y, s, paint.scale, paint.of(m), name="output")
    if H * W <= MAX_PICKABLE:
        _pixel_pickers(b, m, x, y, s, label)
    b.outline(x + j * s, y + i * s, x + (j + 1) * s, y + (i + 1) * s)
    _legend(b, x, y + H * s + 6, W * s, paint, m, font)


def _input_maps(b: Board, w: ConvWindow, inputs: Paint, x0: float, y0: float, room: float, chosen: int,
                source: str, font: int, cols: int) -> float:
    """The input map(s) with the window on each, `cols` to a row across `room` px from (x0, y0) (more to a row
    beyond nine maps: a 64-map layer's eight, their Σ in the hover only); several are clickable (["in", m]) and
    each has its Σ. Returns the height used."""
    C, k, Hp = w.kernels.shape[0], w.kernels.shape[-1], w.padded_input.shape[1]
    head = 1.6 * font + 4
    if C == 1:
        s = room / Hp
        title = _("{stage} (padded by {p})").format(stage=source, p=w.padding) if w.padding else source
        b.label(x0 + room / 2, y0 + head / 2, title, size=font)
        b.values(w.padded_input[0], x0, y0 + head, s, inputs.scale, inputs.of(w.padded_input), name="input")
        b.outline(x0 + w.col * s, y0 + head + w.row * s, x0 + (w.col + k) * s, y0 + head + (w.row + k) * s)
        return head + room
    cols = max(cols, math.ceil(math.sqrt(C)))
    labelled = cols <= 3
    gap = 10 if labelled else 4
    t = (room - gap * (cols - 1)) / cols
    row_h = t + (1.4 * font + 6 if labelled else gap)
    s = t / Hp
    b.label(x0 + room / 2, y0 + head / 2, _("{stage}: {n} input maps").format(stage=source, n=C), size=font)
    hover = _("input map {m}: Σ = {sum:.4f}")
    for m in range(C):
        r, q = divmod(m, cols)
        mx, my = x0 + q * (t + gap), y0 + head + r * row_h
        b.values(w.padded_input[m], mx, my, s, inputs.scale, inputs.of(w.padded_input), name="input")
        b.outline(mx + w.col * s, my + w.row * s, mx + (w.col + k) * s, my + (w.row + k) * s, width=2)
        if m == chosen:
            b.outline(mx - 2, my - 2, mx + t + 2, my + t + 2, color="#31333f", width=3)
        b.picker(mx + t / 2, my + t / 2, ["in", m], hover.format(m=m, sum=w.channel_sums[m]), t)
        if labelled:
            b.label(mx + t / 2, my + t + 0.7 * font + 2, f"{m}: Σ {number_text(w.channel_sums[m])}", size=font,
                    color="#31333f" if m == chosen else "#555555")
    return head + math.ceil(C / cols) * row_h


def conv_figure(w: ConvWindow, out_map: np.ndarray, c: int, stage: str, source: str, activation: str,
                inputs: Paint, output: Paint, chosen: int = 0, font: int = 12, width: float | None = None) -> Figure:
    """Conv output pixel (c, i, j): the input map(s) with the window, then for one input map patch ⊙ kernel =
    products and their sum Σ, then the output map with the pixel.

    With several input maps (conv2's six) each is drawn small with its Σ, and a click on one (customdata
    ["in", m]) shows its numbers: the `chosen` one. The kernel is on the weights' own scale. width: a phone's
    px: everything top to bottom instead, as wide as that.
    """
    C, k = w.kernels.shape[0], w.kernels.shape[-1]
    parts = ((w.patches[chosen], inputs, _("patch (map {m})").format(m=chosen) if C > 1 else
              _("patch under the window")),
             (w.kernels[chosen], Paint(WEIGHTS), _("kernel {c}, slice {m}").format(c=c, m=chosen) if C > 1 else
              _("kernel {c}").format(c=c)),
             (w.products[chosen], Paint(SIGNED), _("kernel ⊙ patch")))
    out_title = _("{stage} map {c} (pre-{activation})").format(stage=stage, c=c, activation=activation)
    head = 1.6 * font + 4
    b = Board()
    if width is not None:
        return _conv_narrow(b, w, out_map, c, stage, source, out_title, inputs, output, chosen, font, width, parts)
    cell = max(3.0 * font, 34.0)
    g = k * cell  # a number grid's side
    room = g if C == 1 else 3 * (2.2 * cell) + 20
    _input_maps(b, w, inputs, 0.0, 0.0, room, chosen, source, font, cols=3)
    x = room + GAP_X
    for n, (z, paint, title) in enumerate(parts):
        b.label(x + g / 2, head / 2, title, size=font)
        b.numbers(z, x, head, cell, paint.scale, paint.of(z), size=font, name=("patch", "kernel", "products")[n])
        _legend(b, x, head + g + 6, g, paint, z, font)
        if n < 2:
            b.label(x + g + GAP_X / 2, head + g / 2, "⊙" if n == 0 else "=", size=font + 6)
        x += g + GAP_X
    b.label(x - GAP_X + 4, head + g / 2, f"Σ = {number_text(w.channel_sums[chosen])}", "middle right", font + 2)
    x += 5 * font
    size = max(g, 200.0)
    b.label(x + size / 2, head / 2, out_title, size=font)
    _output_map(b, out_map, x, head, size, w.row, w.col, _("{stage} map {c}").format(stage=stage, c=c), output, font)
    return b.figure()


def _conv_narrow(b: Board, w: ConvWindow, out_map: np.ndarray, c: int, stage: str, source: str, out_title: str,
                 inputs: Paint, output: Paint, chosen: int, font: int, width: float, parts) -> Figure:
    """conv_figure for a phone: the input map(s) and the output map side by side, then patch, kernel and their
    product one under the other, each grid as wide as its numbers need."""
    k = w.kernels.shape[-1]
    head = 1.6 * font + 4
    half = (width - GAP_X) / 2
    used = _input_maps(b, w, inputs, 0.0, 0.0, half, chosen, source, font, cols=2)
    b.label(half + GAP_X + half / 2, head / 2, out_title, size=font)
    _output_map(b, out_map, half + GAP_X, head, half, w.row, w.col, _("{stage} map {c}").format(stage=stage, c=c),
                output, font)
    y = max(used, head + half + 7 + 1.4 * font + 4) + 10
    cell = min(width / k, 4.2 * font)
    g = k * cell
    x = (width - g) / 2
    for n, (z, paint, title) in enumerate(parts):
        b.label(width / 2, y + head / 2, title, size=font)
        b.numbers(z, x, y + head, cell, paint.scale, paint.of(z), size=font, name=("patch", "kernel", "products")[n])
        y += head + g + 6 + _legend(b, x, y + head + g + 6, g, paint, z, font)
        if n < 2:
            b.label(width / 2, y + 1.4 * font, "⊙" if n == 0 else "=", size=font + 6)
            y += 2.8 * font
    b.label(width / 2, y + font, f"Σ = {number_text(w.channel_sums[chosen])}", size=font + 2)
    b.label(0, y, "", size=font)  # (the extent: the Σ line's lower half)
    return b.figure(height=int(y + 2.5 * font), width=int(width))


def strongest(m: np.ndarray) -> tuple[int, int]:
    """Where a map responds most: the position of its largest value."""
    i, j = np.unravel_index(int(np.argmax(m)), m.shape)
    return int(i), int(j)


def pool_figure(windows: list[PoolWindow], in_map: np.ndarray, out_map: np.ndarray, i: int, j: int, source: str,
                stage: str, c: int, inputs: Paint, output: Paint, font: int = 12, width: float | None = None) -> Figure:
    """Pooled value (c, i, j): the input map with its 2×2 window, the window's numbers → op, the output map.

    windows: the window under the model's pooling, then (compare mode) the same window under another's.
    width: a phone's px: the two maps side by side across it, the window(s) under them.
    """
    b = Board()
    head = 1.6 * font + 4
    cell = max(4.5 * font, 56.0)
    size = 220.0 if width is None else (width - GAP_X) / 2
    s = size / in_map.shape[0]
    first = windows[0]
    b.label(size / 2, head / 2, _("{stage} map {c}").format(stage=source, c=c), size=font)
    b.values(in_map, 0.0, head, s, inputs.scale, inputs.of(in_map), name="input")
    b.outline(first.col * s, head + first.row * s, (first.col + 2) * s, head + (first.row + 2) * s)
    _legend(b, 0.0, head + size + 6, size, inputs, in_map, font)
    x, y = size + GAP_X + 16, head
    if width is not None:  # the output map beside the input; the windows below
        out_title = _("{stage} map {c}").format(stage=stage, c=c)
        b.label(size + GAP_X + size / 2, head / 2, out_title, size=font)
        _output_map(b, out_map, size + GAP_X, head, size, i, j, out_title, output, font)
        x, y = 0.0, head + size + 7 + 1.4 * font + 4 + head
    for w in windows:
        op = POOLINGS[w.op]
        b.label(x + cell, y - head / 2, _("2×2 window, {op} pooling").format(op=_(op.label)), size=font)
        b.numbers(w.window, x, y + 10, cell, inputs.scale, inputs.of(in_map), size=font + 1, name="window")
        if w.pick is not None:  # the input that decides
            r, cc = w.pick
            b.outline(x + cc * cell, y + 10 + r * cell, x + (cc + 1) * cell, y + 10 + (r + 1) * cell,
                      color="#2ca02c")
        b.label(x + cell, y + 10 + 2 * cell + font + 6, f"{_(op.result)} = {w.value:.4f}", size=font + 2)
        x += 2 * cell + GAP_X + 60
    if width is not None:
        return b.figure(height=int(y + 10 + 2 * cell + 2 * font + 14), width=int(width))
    b.label(x + size / 2, head / 2, _("{stage} map {c}").format(stage=stage, c=c), size=font)
    _output_map(b, out_map, x, head, size, i, j, _("{stage} map {c}").format(stage=stage, c=c), output, font)
    return b.figure()


def activation_figure(x: np.ndarray, y: np.ndarray, pre: np.ndarray, post: np.ndarray, name: str,
                      highlight: tuple[float, float] | None = None, height: int = 360) -> Figure:
    """The activation's curve with every value of this map on it."""
    data = [dict(type="scatter", x=x, y=y, mode="lines", name=name, line=dict(color="#444", width=3)),
            dict(type="scattergl", x=np.ravel(pre), y=np.ravel(post), mode="markers", name=_("this map"),
                 marker=dict(size=6, color="#d62728", opacity=0.5))]
    if highlight is not None:
        data.append(dict(type="scatter", x=[highlight[0]], y=[highlight[1]], mode="markers", name=_("selected"),
                         marker=dict(size=16, color="#ffb000", line=dict(color="black", width=2))))
    lo, hi = float(min(np.min(pre), -4)), float(max(np.max(pre), 4))
    layout = dict(title=dict(text=_("{name}: input → output").format(name=name), font=FONT), height=height,
                  margin=dict(l=40, r=10, t=50, b=40),
                  xaxis=dict(title=dict(text=_("input (pre-activation)")), range=[lo, hi]),
                  yaxis=dict(title=dict(text=_("output"))), legend=dict(orientation="h", y=-0.2))
    return make_figure(data, layout)


def contributions_figure(contrib: np.ndarray, top: np.ndarray, names: list[str], bias: float, value: float,
                         height: int = 360) -> Figure:
    """The largest inputs × weights of one neuron, with the bias and the sum."""
    labels = [names[i] for i in top] + [_("bias"), _("= value")]
    vals = [float(contrib[i]) for i in top] + [bias, value]
    colours = ["#d62728" if v > 0 else "#1f77b4" for v in vals[:-1]] + ["#2ca02c"]
    data = [dict(type="bar", x=vals, y=labels, orientation="h", marker=dict(color=colours),
                 text=[f"{v:+.3f}" for v in vals], textposition="outside", cliponaxis=False)]
    lo, hi = min(vals + [0.0]), max(vals + [0.0])
    room = 0.2 * (hi - lo)  # for the values written beyond the ends of the bars
    layout = dict(title=dict(text=_("top {k} of {n} inputs × weights").format(k=len(top), n=len(contrib)), font=FONT),
                  height=height, margin=dict(l=5, r=40, t=50, b=30),  # (room for the x axis's numbers)
                  xaxis=dict(range=[lo - room if lo < 0 else lo, hi + room if hi > 0 else hi]),
                  yaxis=dict(autorange="reversed", automargin=True),  # room for the inputs' names
                  uniformtext=dict(minsize=12, mode="show"))  # (Plotly shrinks text outside bars otherwise)
    return make_figure(data, layout)


def temperature_figure(names: list[str], own: np.ndarray, tempered: np.ndarray, temperature: float,
                       height: int = 300) -> Figure:
    """The probabilities at the network's own temperature (1, grey) beside those at T (red): one pair of bars
    per class (a row each, the class names written whole), on a fixed 0–100% axis so that sharpening and
    flattening show as bars growing and shrinking."""
    data = [dict(type="bar", y=names, x=own.tolist(), name=_("T = 1 (the network's)"), orientation="h",
                 marker=dict(color="#bbbbbb"), hovertemplate="%{y}: %{x:.1%}<extra>T = 1</extra>"),
            dict(type="bar", y=names, x=tempered.tolist(), name=f"T = {temperature:g}", orientation="h",
                 marker=dict(color="#d62728"), text=[f"{p:.0%}" for p in tempered], textposition="outside",
                 cliponaxis=False, textfont=dict(size=FONT["size"] - 2),
                 hovertemplate="%{y}: %{x:.1%}<extra>T = " + f"{temperature:g}</extra>")]
    layout = dict(barmode="group", height=height, margin=dict(l=5, r=40, t=30, b=30), font=FONT, bargap=0.25,
                  xaxis=dict(range=[0, 1.12], tickformat=".0%"), legend=dict(orientation="h", y=1.1, x=0),
                  yaxis=dict(autorange="reversed", automargin=True), hovermode="y",
                  uniformtext=dict(minsize=12, mode="show"))
    return make_figure(data, layout)


def batchnorm_figure(before: np.ndarray, after: np.ndarray, i: int, j: int, titles: tuple[str, str],
                     paints: tuple[Paint, Paint], font: int = 12, width: float | None = None) -> Figure:
    """A map before and after its BatchNorm side by side (width: a phone's px, top to bottom instead), pixel
    (i, j) outlined on both: the same picture, shifted and rescaled by the map's own μ, σ², γ and β."""
    head = 1.6 * font + 4
    size = 240.0 if width is None else min(width - 8, 300.0)
    tall = head + size + 7 + 1.4 * font + 12  # one map with its title and legend
    b = Board()
    for n, (m, title, paint) in enumerate(zip((before, after), titles, paints)):
        x, y = (n * (size + 60), 0.0) if width is None else (0.0, n * tall)
        b.label(x + size / 2, y + head / 2, title, size=font)
        _output_map(b, m, x, y + head, size, i, j, title, paint, font)
    return b.figure(height=int(tall if width is None else 2 * tall), width=int(2 * size + 60 if width is None else
                                                                                size))
