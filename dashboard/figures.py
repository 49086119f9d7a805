"""Plotly figure builders for the overview: arrays in, figures out, no Streamlit calls.

One figure per stage column: all of a stage's maps are tiled into one mosaic heatmap (a single trace),
with an invisible marker over each map so that a click selects it.
"""
from __future__ import annotations

import base64
import io
import math

import numpy as np
import plotly.graph_objects as go
from PIL import Image

DIVERGING = "RdBu_r"  # blue negative, white zero, red positive (CNN Explainer's convention)
GREYS = [[0.0, "#000000"], [1.0, "#ffffff"]]
GAP = 1  # pixels of empty space between tiled maps
RANGE_MODES = ("map", "stage", "network")  # CNN Explainer's unit / module / global colour ranges
FONT = dict(size=15)


def grid_shape(count: int) -> tuple[int, int]:
    """Rows and columns for tiling count maps in a column of the overview (tall rather than wide)."""
    cols = {1: 1, 6: 2, 16: 4}.get(count, max(1, round(math.sqrt(count))))
    return math.ceil(count / cols), cols


def tile(maps: np.ndarray, cols: int) -> tuple[np.ndarray, list[tuple[float, float]]]:
    """Tile (C, H, W) maps into one array with NaN gaps; returns it and each map's centre (x, y)."""
    C, H, W = maps.shape
    rows = math.ceil(C / cols)
    out = np.full((rows * (H + GAP) - GAP, cols * (W + GAP) - GAP), np.nan, dtype=np.float32)
    centres = []
    for c in range(C):
        r, k = divmod(c, cols)
        y0, x0 = r * (H + GAP), k * (W + GAP)
        out[y0:y0 + H, x0:x0 + W] = maps[c]
        centres.append((x0 + (W - 1) / 2, y0 + (H - 1) / 2))
    return out, centres


def color_limit(values: np.ndarray) -> float:
    """Symmetric colour limit: the largest |value| (at least a tiny positive number)."""
    return max(float(np.nanmax(np.abs(values))) if values.size else 0.0, 1e-6)


def normalise_per_map(maps: np.ndarray) -> np.ndarray:
    """Each map divided by its own largest |value|, so every map uses the full colour range."""
    lim = np.maximum(np.abs(maps).reshape(len(maps), -1).max(1), 1e-6)
    return maps / lim[:, None, None]


def png_uri(gray: np.ndarray) -> str:
    """A (H, W) array in [0, 1] as a greyscale PNG data URI: far cheaper for a browser than a heatmap."""
    img = Image.fromarray(np.nan_to_num(np.clip(gray, 0, 1) * 255, nan=255).astype(np.uint8), "L")
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def image_trace(gray: np.ndarray, **axes) -> dict:
    """An image trace showing gray (H, W) in [0, 1] with pixel (0, 0) centred at (0, 0), like a heatmap."""
    return dict(type="image", source=png_uri(gray), x0=0, y0=0, dx=1, dy=1, hoverinfo="skip", **axes)


def stage_figure(maps: np.ndarray, title: str, limit: float | None = None, per_map: bool = False,
                 kind: str = "conv", selected: int | None = None, height: int | None = None) -> go.Figure:
    """One stage column: maps (C, H, W) tiled into a single heatmap with a colour bar.

    limit: colour range ±limit (None: this stage's own); per_map: each map scaled to its own range
    (hover still shows the true values); kind 'input' uses greys from 0 to 1.
    """
    maps = np.asarray(maps, dtype=np.float32)
    rows, cols = grid_shape(len(maps))
    shown = normalise_per_map(maps) if per_map and kind != "input" else maps
    z, centres = tile(shown, cols)
    true_z, _ = tile(maps, cols)
    if kind == "input":  # greys from 0 to 1: sent as a PNG, with a tiny heatmap only for the colour bar
        heat = image_trace(np.where(np.isnan(z), 1.0, z))
        scale = dict(type="heatmap", z=[[0.0, 1.0]], colorscale=GREYS, zmin=0.0, zmax=1.0, visible=True,
                     opacity=0, hoverinfo="skip", colorbar=dict(thickness=10, len=0.9), x=[0, 0], y=[0, 0])
    else:
        lim = 1.0 if per_map else (limit if limit is not None else color_limit(maps))
        heat = dict(type="heatmap", z=z, colorscale=DIVERGING, zmin=-lim, zmax=lim, zmid=0.0,
                    hovertemplate="%{z:.4f}<extra></extra>",
                    colorbar=dict(thickness=10, len=0.9, title=dict(text="÷ max" if per_map else "")))
        if per_map:  # hover shows the true values, not the rescaled ones
            heat.update(customdata=true_z, hovertemplate="%{customdata:.4f}<extra></extra>")
        scale = None
    xs, ys = zip(*centres)
    marker_px = 14 if maps.shape[-1] <= 10 else 26
    picker = dict(type="scatter", x=xs, y=ys, mode="markers", customdata=list(range(len(maps))),
                  marker=dict(size=marker_px, symbol="square", opacity=0.0), hoverinfo="none",
                  showlegend=False, name="maps")
    shapes = []
    if selected is not None and 0 <= selected < len(maps):
        H, W = maps.shape[1:]
        r, k = divmod(selected, cols)
        shapes.append(dict(type="rect", x0=k * (W + GAP) - 0.5, x1=k * (W + GAP) + W - 0.5,
                           y0=r * (H + GAP) - 0.5, y1=r * (H + GAP) + H - 0.5,
                           line=dict(color="#ffb000", width=3)))
    height = height or int(min(720, 120 + 90 * rows * (1 if maps.shape[-1] > 10 else 0.7)))
    layout = dict(title=dict(text=title, font=FONT), height=height, margin=dict(l=5, r=5, t=60, b=5),
                  xaxis=dict(visible=False, constrain="domain", fixedrange=True),
                  yaxis=dict(visible=False, autorange="reversed", scaleanchor="x", fixedrange=True),
                  shapes=shapes, clickmode="event+select", dragmode=False, plot_bgcolor="rgba(0,0,0,0)")
    return go.Figure(dict(data=[heat, picker] + ([scale] if scale else []), layout=layout))


def vector_figure(values: np.ndarray, title: str, limit: float | None = None, labels: list[str] | None = None,
                  selected: int | None = None, height: int = 520) -> go.Figure:
    """A dense stage (D,) as one column of cells, diverging colours around 0; click a cell to select it."""
    values = np.asarray(values, dtype=np.float32)
    lim = limit if limit is not None else color_limit(values)
    text = labels or [str(i) for i in range(len(values))]
    heat = dict(type="heatmap", z=values[:, None], zmin=-lim, zmax=lim, zmid=0.0, colorscale=DIVERGING,
                customdata=np.array(text)[:, None], hovertemplate="%{customdata}: %{z:.4f}<extra></extra>",
                colorbar=dict(thickness=10, len=0.9))
    picker = dict(type="scatter", x=[0] * len(values), y=list(range(len(values))), mode="markers",
                  customdata=list(range(len(values))), hoverinfo="none", showlegend=False,
                  marker=dict(size=max(4, min(20, height // max(len(values), 1))), symbol="square", opacity=0.0))
    shapes = []
    if selected is not None and 0 <= selected < len(values):
        shapes.append(dict(type="rect", x0=-0.5, x1=0.5, y0=selected - 0.5, y1=selected + 0.5,
                           line=dict(color="#ffb000", width=3)))
    layout = dict(title=dict(text=title, font=FONT), height=height, margin=dict(l=5, r=5, t=60, b=5),
                  xaxis=dict(visible=False), yaxis=dict(visible=bool(labels), autorange="reversed",
                                                        tickvals=list(range(len(values))) if labels else None,
                                                        ticktext=labels),
                  shapes=shapes, clickmode="event+select", dragmode=False)
    return go.Figure(dict(data=[heat, picker], layout=layout))


def softmax_figure(probs: np.ndarray, class_names: list[str], true_label: int | None = None,
                   title: str = "Softmax", height: int = 520, other: np.ndarray | None = None,
                   names: tuple[str, str] = ("", "")) -> go.Figure:
    """Horizontal bars of the 10 probabilities, the prediction highlighted; optionally a second model's."""
    probs = np.asarray(probs, dtype=np.float64)
    pred = int(np.argmax(probs))
    colours = ["#d62728" if k == pred else "#7f7f7f" for k in range(len(probs))]
    labels = [f"{n} ✓" if k == true_label else n for k, n in enumerate(class_names)]
    data = [dict(type="bar", x=probs, y=labels, orientation="h", marker=dict(color=colours), name=names[0],
                 text=[f"{p:.1%}" for p in probs], textposition="outside", cliponaxis=False,
                 hovertemplate="%{y}: %{x:.4f}<extra></extra>")]
    if other is not None:
        data.append(dict(type="bar", x=np.asarray(other), y=labels, orientation="h", name=names[1],
                         marker=dict(color="#1f77b4"), text=[f"{p:.1%}" for p in other], textposition="outside",
                         cliponaxis=False))
    layout = dict(title=dict(text=title, font=FONT), height=height, margin=dict(l=5, r=40, t=60, b=5),
                  xaxis=dict(range=[0, 1.15], tickformat=".0%"), yaxis=dict(autorange="reversed"),
                  barmode="group", showlegend=other is not None, legend=dict(orientation="h", y=-0.05))
    return go.Figure(dict(data=data, layout=layout))


def clicked_index(event) -> int | None:
    """The map or neuron index of a click on a figure built here (from st.plotly_chart's selection)."""
    try:
        points = event["selection"]["points"]
    except (KeyError, TypeError):
        return None
    for p in points or []:
        cd = p.get("customdata")
        if isinstance(cd, (int, float)):
            return int(cd)
        if isinstance(cd, list) and cd and isinstance(cd[0], (int, float)):
            return int(cd[0])
    return None
