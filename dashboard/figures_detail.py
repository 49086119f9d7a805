"""Plotly figure builders for the detail views (the numbers behind one output value). No Streamlit calls."""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from figures import DIVERGING, FONT, GAP, color_limit, grid_shape, tile


MAX_PICKABLE = 200  # maps up to 14×14 get click-to-select pixels


def _rect(x0: float, y0: float, w: float, h: float, colour: str = "#ffb000") -> dict:
    return dict(type="rect", x0=x0 - 0.5, x1=x0 + w - 0.5, y0=y0 - 0.5, y1=y0 + h - 0.5,
                line=dict(color=colour, width=3))


def _layout(title: str, height: int) -> dict:
    return dict(title=dict(text=title, font=FONT), height=height, margin=dict(l=5, r=5, t=50, b=5),
                xaxis=dict(visible=False, constrain="domain", fixedrange=True),
                yaxis=dict(visible=False, autorange="reversed", scaleanchor="x", fixedrange=True))


def maps_with_window(maps: np.ndarray, row: int, col: int, size: int, title: str, numbers: bool = False,
                     height: int = 360, limit: float | None = None, greys: bool = False) -> go.Figure:
    """Maps (C, H, W) tiled, each with the same size×size window outlined at (row, col)."""
    maps = np.asarray(maps, dtype=np.float32)
    rows, cols = grid_shape(len(maps))
    z, _ = tile(maps, cols)
    H, W = maps.shape[1:]
    lim = limit if limit is not None else color_limit(maps)
    colour = dict(colorscale="Greys_r", zmin=0, zmax=1) if greys else \
        dict(colorscale=DIVERGING, zmin=-lim, zmax=lim, zmid=0)
    heat = dict(type="heatmap", z=z, hovertemplate="%{z:.4f}<extra></extra>", colorbar=dict(thickness=10),
                **colour)
    if numbers:
        heat.update(texttemplate="%{z:.2f}", textfont=dict(size=11))
    shapes = [_rect((c % cols) * (W + GAP) + col, (c // cols) * (H + GAP) + row, size, size)
              for c in range(len(maps))]
    layout = _layout(title, height)
    layout["shapes"] = shapes
    return go.Figure(dict(data=[heat], layout=layout))


def numbers_grid(values: np.ndarray, title: str, height: int = 300, limit: float | None = None) -> go.Figure:
    """(C, k, k) small arrays tiled with their values written in every cell (kernels, products, windows)."""
    values = np.asarray(values, dtype=np.float32)
    if values.ndim == 2:
        values = values[None]
    rows, cols = grid_shape(len(values)) if len(values) > 1 else (1, 1)
    cols = min(len(values), 3) if len(values) > 1 else 1
    z, _ = tile(values, cols)
    lim = limit if limit is not None else color_limit(values)
    heat = dict(type="heatmap", z=z, zmin=-lim, zmax=lim, zmid=0, colorscale=DIVERGING,
                texttemplate="%{z:.2f}", textfont=dict(size=12 if values.shape[-1] <= 5 else 9),
                hovertemplate="%{z:.5f}<extra></extra>", showscale=False)
    return go.Figure(dict(data=[heat], layout=_layout(title, height)))


def map_with_pixel(m: np.ndarray, row: int, col: int, title: str, height: int = 300,
                   size: int = 1) -> go.Figure:
    """One output map with the selected pixel (or window) outlined; click a pixel to select it."""
    m = np.asarray(m, dtype=np.float32)
    lim = color_limit(m)
    H, W = m.shape
    heat = dict(type="heatmap", z=m, zmin=-lim, zmax=lim, zmid=0, colorscale=DIVERGING,
                hovertemplate="(%{y}, %{x}): %{z:.4f}<extra></extra>", colorbar=dict(thickness=10))
    data = [heat]
    if H * W <= MAX_PICKABLE:  # one invisible marker per pixel makes it clickable; SVG cost grows with H·W
        yy, xx = np.mgrid[0:H, 0:W]
        data.append(dict(type="scatter", x=xx.ravel().tolist(), y=yy.ravel().tolist(), mode="markers",
                         customdata=list(range(H * W)), hoverinfo="none", showlegend=False,
                         marker=dict(size=max(6, 240 // max(H, W)), symbol="square", opacity=0.0)))
    layout = _layout(title, height)
    layout.update(shapes=[_rect(col, row, size, size)], clickmode="event+select", dragmode=False)
    return go.Figure(dict(data=data, layout=layout))


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
    return go.Figure(dict(data=data, layout=layout))


def contributions_figure(contrib: np.ndarray, top: np.ndarray, names: list[str], bias: float, value: float,
                         height: int = 360) -> go.Figure:
    """The largest inputs × weights of one neuron, with the bias and the sum."""
    labels = [names[i] for i in top] + ["bias", "= value"]
    vals = [float(contrib[i]) for i in top] + [bias, value]
    colours = ["#d62728" if v > 0 else "#1f77b4" for v in vals[:-1]] + ["#2ca02c"]
    data = [dict(type="bar", x=vals, y=labels, orientation="h", marker=dict(color=colours),
                 text=[f"{v:+.3f}" for v in vals], textposition="outside", cliponaxis=False)]
    layout = dict(title=dict(text=f"top {len(top)} of {len(contrib)} inputs × weights", font=FONT),
                  height=height, margin=dict(l=5, r=40, t=50, b=5), yaxis=dict(autorange="reversed"))
    return go.Figure(dict(data=data, layout=layout))
