"""Plotly figure builders for the detail views (the numbers behind one output value). No Streamlit calls.

The conv and pooling views are each one board (board.Board): the input map(s) with the window, the numbers
under it, the kernel, the products, the sums and the output map with the chosen pixel, in one figure.
"""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from dashboard.board import Board, number_text
from dashboard.figures import FONT, color_limit, make_figure
from lenet.explain import ConvWindow, PoolWindow
from lenet.ops import POOLINGS

HEAD = 34.0  # room for the column titles
MAX_PICKABLE = 200  # output maps up to 14×14 get a clickable marker per pixel; a 28×28 map is chosen by its row
# and column inputs (784 markers made every redraw of the figure slower, figures.picker_trace)


def _pixel_pickers(b: Board, m: np.ndarray, x: float, y: float, s: float, label: str) -> None:
    """One invisible marker per pixel of an output map: hover shows its value, a click selects it."""
    H, W = m.shape
    for (i, j), v in np.ndenumerate(m):
        b.picker(x + (j + 0.5) * s, y + (i + 0.5) * s, i * W + j, f"{label} ({i}, {j}): {v:.4f}", s)


def _output_map(b: Board, m: np.ndarray, x: float, y: float, size: float, i: int, j: int, title: str,
                label: str) -> None:
    """An output map with pixel (i, j) outlined; small maps have every pixel clickable."""
    H, W = m.shape
    s = size / max(H, W)
    b.label(x + W * s / 2, HEAD / 2, title, size=13)
    b.values(m, x, y, s, name="output")
    if H * W <= MAX_PICKABLE:
        _pixel_pickers(b, m, x, y, s, label)
    b.outline(x + j * s, y + i * s, x + (j + 1) * s, y + (i + 1) * s)


def conv_figure(w: ConvWindow, out_map: np.ndarray, c: int, stage: str, source: str, greys: bool,
                activation: str) -> go.Figure:
    """Conv output pixel (c, i, j): per input map, patch ⊙ kernel = products → Σ; then the output map.

    One row per input map (1 for conv1, 6 for conv2). greys: the input is the image (0 … 1 in greys).
    """
    C, k = w.kernels.shape[0], w.kernels.shape[-1]
    cell = 34.0 if C == 1 else 24.0
    font = 11 if C == 1 else 9
    g = k * cell  # a number grid's side
    b = Board()
    xs = [0.0]
    for width in (g, g, g, g):  # input map, patch, kernel, products
        xs.append(xs[-1] + width + 40)
    x_sum, x_out = xs[4] - 40 + 14, xs[4] - 40 + 110
    titles = (f"{source} (padded by {w.padding})" if w.padding else source, "patch under the window",
              f"kernel of map {c}", "kernel ⊙ patch")
    for x, t in zip(xs, titles):
        b.label(x + g / 2, HEAD / 2, t, size=13)
    b.label(x_sum + 40, HEAD / 2, "sum", size=13)
    lims = [color_limit(a) for a in (w.padded_input, w.kernels, w.products)]
    for m in range(C):
        y = HEAD + m * (g + 14)
        Hp = w.padded_input.shape[1]
        s = g / Hp
        b.values(w.padded_input[m], 0.0, y, s, lims[0], greys=greys, name="input")
        b.outline(w.col * s, y + w.row * s, (w.col + k) * s, y + (w.row + k) * s)
        b.numbers(w.patches[m], xs[1], y, cell, lims[0], greys=greys, size=font, name="patch")
        b.numbers(w.kernels[m], xs[2], y, cell, lims[1], size=font, name="kernel")
        b.numbers(w.products[m], xs[3], y, cell, lims[2], size=font, name="products")
        for x, sym in ((xs[2] - 20, "⊙"), (xs[3] - 20, "=")):
            b.label(x, y + g / 2, sym, size=18)
        b.label(x_sum, y + g / 2, f"Σ = {number_text(w.channel_sums[m])}", "middle right", 12)
    i, j = w.row, w.col
    _output_map(b, out_map, x_out, HEAD, max(200.0, min(260.0, C * (g + 14) - 14)), i, j,
                f"{stage} map {c} (pre-{activation})", f"{stage} map {c}")
    return b.figure()


def pool_figure(windows: list[PoolWindow], in_map: np.ndarray, out_map: np.ndarray, i: int, j: int, source: str,
                stage: str, c: int) -> go.Figure:
    """Pooled value (c, i, j): the input map with its 2×2 window, the window's numbers → op, the output map.

    windows: the window under the model's pooling, then (compare mode) the same window under another's.
    """
    b = Board()
    size, cell = 200.0, 60.0
    s = size / in_map.shape[0]
    first = windows[0]
    b.label(size / 2, HEAD / 2, f"{source} map {c}", size=13)
    b.values(in_map, 0.0, HEAD, s, name="input")
    b.outline(first.col * s, HEAD + first.row * s, (first.col + 2) * s, HEAD + (first.row + 2) * s)
    x = size + 50
    lim = color_limit(in_map)
    for w in windows:
        op = POOLINGS[w.op]
        b.label(x + cell, HEAD / 2, f"2×2 window, {op.label} pooling", size=13)
        b.numbers(w.window, x, HEAD + 20, cell, lim, size=13, name="window")
        if w.pick is not None:  # the input that decides
            r, cc = w.pick
            b.outline(x + cc * cell, HEAD + 20 + r * cell, x + (cc + 1) * cell, HEAD + 20 + (r + 1) * cell,
                      color="#2ca02c")
        b.label(x + cell, HEAD + 20 + 2 * cell + 22, f"{op.result} = {w.value:.4f}", size=14)
        x += 2 * cell + 90
    _output_map(b, out_map, x, HEAD, size, i, j, f"{stage} map {c}", f"{stage} map {c}")
    return b.figure()


def activation_figure(x: np.ndarray, y: np.ndarray, pre: np.ndarray, post: np.ndarray, name: str,
                      highlight: tuple[float, float] | None = None, height: int = 360) -> go.Figure:
    """The activation's curve with every value of this map on it."""
    data = [dict(type="scatter", x=x, y=y, mode="lines", name=name, line=dict(color="#444", width=3)),
            dict(type="scattergl", x=np.ravel(pre), y=np.ravel(post), mode="markers", name="this map",
                 marker=dict(size=6, color="#d62728", opacity=0.5))]
    if highlight is not None:
        data.append(dict(type="scatter", x=[highlight[0]], y=[highlight[1]], mode="markers", name="selected",
                         marker=dict(size=16, color="#ffb000", line=dict(color="black", width=2))))
    lo, hi = float(min(np.min(pre), -4)), float(max(np.max(pre), 4))
    layout = dict(title=dict(text=f"{name}: input → output", font=FONT), height=height,
                  margin=dict(l=40, r=10, t=50, b=40), xaxis=dict(title="input (pre-activation)", range=[lo, hi]),
                  yaxis=dict(title="output"), legend=dict(orientation="h", y=-0.2))
    return make_figure(data, layout)


def contributions_figure(contrib: np.ndarray, top: np.ndarray, names: list[str], bias: float, value: float,
                         height: int = 360) -> go.Figure:
    """The largest inputs × weights of one neuron, with the bias and the sum."""
    labels = [names[i] for i in top] + ["bias", "= value"]
    vals = [float(contrib[i]) for i in top] + [bias, value]
    colours = ["#d62728" if v > 0 else "#1f77b4" for v in vals[:-1]] + ["#2ca02c"]
    data = [dict(type="bar", x=vals, y=labels, orientation="h", marker=dict(color=colours),
                 text=[f"{v:+.3f}" for v in vals], textposition="outside", cliponaxis=False)]
    lo, hi = min(vals + [0.0]), max(vals + [0.0])
    room = 0.2 * (hi - lo)  # for the values written beyond the ends of the bars
    layout = dict(title=dict(text=f"top {len(top)} of {len(contrib)} inputs × weights", font=FONT),
                  height=height, margin=dict(l=5, r=40, t=50, b=5),
                  xaxis=dict(range=[lo - room if lo < 0 else lo, hi + room if hi > 0 else hi]),
                  yaxis=dict(autorange="reversed", automargin=True))  # room for the inputs' names
    return make_figure(data, layout)
