"""Plotly figure builders shared by the views: arrays in, figures out, no Streamlit calls.

Maps are coloured here, in numpy, and sent as small PNG images (Plotly `image` traces): the browser then only
places a picture instead of colouring thousands of heatmap cells, which is what keeps a repaint cheap. Values
are never lost: every map or neuron has an invisible marker (a "picker") whose hover text gives its numbers
and whose click selects it, and the detail views print the exact values.
"""
from __future__ import annotations

import json
import math
import zlib

import numpy as np

from dashboard.figures.colours import IMAGE, SIGNED, Scale, per_map_normalised
from dashboard.figures.pictures import png_uri, values_uri
from lenet.i18n import _

GAP = 1  # pixels of empty space between tiled maps
FONT = dict(size=15)
OUTLINE = "#ffb000"


def _plain(o):
    """numpy values as JSON values (NaN and infinities as null, as Plotly writes them)."""
    if isinstance(o, np.ndarray):
        if o.dtype.kind == "f" and not np.isfinite(o).all():
            return np.where(np.isfinite(o), o, None).tolist()
        return o.tolist()
    if isinstance(o, np.generic):
        return _plain(np.asarray(o)) if o.dtype.kind == "f" else o.item()
    raise TypeError(f"{type(o).__name__} is not a figure value")


def _finite(o):
    """o with every non-finite float as None (JSON has no NaN)."""
    if isinstance(o, float):
        return o if math.isfinite(o) else None
    if isinstance(o, dict):
        return {k: _finite(v) for k, v in o.items()}
    if isinstance(o, (list, tuple)):
        return [_finite(v) for v in o]
    return o


def to_json(o) -> str:
    """Figure data as compact JSON, the way plotly.js reads it."""
    try:
        return json.dumps(o, default=_plain, separators=(",", ":"), allow_nan=False)
    except ValueError:  # a NaN or infinity in plain floats
        return json.dumps(_finite(o), default=_plain, separators=(",", ":"), allow_nan=False)


class Figure(dict):
    """A Plotly figure as plain data, {"data": [traces], "layout": {...}}, with its JSON made once.

    What plotly.js draws, without plotly.py's objects: building a go.Figure and converting it back (deep copies
    of every trace, a second JSON encoding) cost more server time per input change than everything else
    together. Built by make_figure and never changed after: charts.chart sends `json` as it is, and a cache can
    share one figure between sessions.
    """

    json: str
    digest: str  # a checksum of json: what the chart's identity is computed from (hashing 60 KB costs ~2 ms)

    @property
    def data(self) -> list[dict]:
        return self["data"]

    @property
    def layout(self) -> dict:
        return self["layout"]


# The app's look, set in each figure instead of by Streamlit's theme (see make_figure): the theme's font, dark
# grey text, white paper and hover labels.
# the page's own font; Chinese characters come from the system's fallback (Debian's fonts-noto-cjk, PingFang,
# YaHei): naming a CJK font before sans-serif made its wider Latin glyphs the figures' (texts overflowed)
FONT_FAMILY = '"Source Sans", sans-serif'
TEXT = "#31333f"
STYLE = dict(font=dict(family=FONT_FAMILY, size=14, color=TEXT), paper_bgcolor="#ffffff", hovermode="closest",
             hoverlabel=dict(bgcolor="#ffffff", bordercolor="rgba(0,0,0,0.2)",
                             font=dict(family=FONT_FAMILY, size=15, color=TEXT)))


def make_figure(data: list[dict], layout: dict) -> Figure:
    """A figure from trace dicts and a layout, with the app's look, as plain data (see Figure).

    Not validated here (plotly.py's property-by-property validation costs tens of ms per rerun): every
    builder's output is validated in tests/dashboard/test_figures.py instead. Streamlit draws a new chart
    twice (when it mounts, then again with its theme applied); the second draw is nearly free only if
    Plotly.react finds nothing changed, so each figure:
    - carries layout.datarevision, a checksum of the data: Plotly then does not compare the data arrays;
    - has no template (shown with `theme=None`, see charts.py): a template object, even an empty one, counts
      as changed on every redraw and forces a full one; STYLE gives the look instead;
    - keeps trace `meta` as a list, never an object (objects likewise always count as changed);
    - sets hovermode (and boards a truthy dragmode) so Streamlit's selection set-up has nothing to change.
    """
    data_json = to_json(data)
    layout = {**STYLE, **layout, "font": {**STYLE["font"], **layout.get("font", {})},
              "datarevision": zlib.crc32(data_json.encode()), "template": None}
    fig = Figure(data=data, layout=layout)
    fig.json = f'{{"data":{data_json},"layout":{to_json(layout)}}}'
    fig.digest = f"{zlib.crc32(fig.json.encode()):08x}{len(fig.json):x}"
    return fig


def grid_shape(count: int, H: int, W: int, aspect: float = 1.0) -> tuple[int, int]:
    """Rows and columns for tiling count maps of H×W (GAP apart): the layout whose width / height is closest to
    aspect (1: square, as in a gallery; 0.2: a tall column, as in the overview). Ties go to fewer columns."""
    best: tuple[float, int] | None = None
    for cols in range(1, count + 1):
        rows = math.ceil(count / cols)
        if (rows - 1) * cols >= count:  # an empty last row: the same as fewer columns
            continue
        ratio = (cols * (W + GAP) - GAP) / (rows * (H + GAP) - GAP)
        score = round(abs(math.log(ratio / aspect)), 9)
        if best is None or score < best[0]:
            best = (score, cols)
    cols = best[1] if best else 1
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


def mosaic(maps: np.ndarray, cols: int, scale: Scale, limit: float | None = None,
           per_map: bool = False) -> tuple[np.ndarray, list[tuple[float, float]], float]:
    """(C, H, W) maps tiled `cols` to a row, to be coloured on a scale: the values (NaN in the gaps), each map's
    centre, and the colour limit (1 for the image's greys and when each map is scaled to its own range)."""
    lim = 1.0 if per_map else scale.limit_for(maps, limit)
    z, centres = tile(per_map_normalised(maps) if per_map and scale is not IMAGE else maps, cols)
    return z, centres, lim


def image_trace(rgba: np.ndarray | str, x0: float = 0.0, y0: float = 0.0, dx: float = 1.0, dy: float = 1.0,
                name: str | None = None, limit: float = 1.0, scale: Scale = SIGNED, **axes) -> dict:
    """An image trace of rgba (or of a PNG data URI) whose pixel (0, 0) is centred at (x0, y0) and whose pixels
    are dx × dy.

    Its meta is [limit, scale name]: what the colours mean (see colours.py).
    """
    source = rgba if isinstance(rgba, str) else png_uri(rgba)
    return dict(type="image", source=source, x0=x0, y0=y0, dx=dx, dy=dy, hoverinfo="skip",
                name=name, meta=[limit, scale.name], **axes)


def colour_bar_trace(scale: Scale, limit: float, title: str = "", **bar) -> dict:
    """An invisible heatmap that only carries a colour bar of a scale over its range."""
    lo, hi = scale.bounds(limit)
    return dict(type="heatmap", z=[[lo, hi]], x=[0, 0], y=[0, 0], opacity=0, hoverinfo="skip",
                colorscale=scale.colorscale(), zmin=lo, zmax=hi,
                colorbar=dict(thickness=12, len=0.9, title=dict(text=title), **bar))


def picker_trace(xs, ys, customdata, hovertext, size, **axes) -> dict:
    """Invisible markers over maps or cells: hover shows hovertext, a click reports customdata.

    marker.maxdisplayed=1: Plotly draws one of them, not one SVG path per point. Hover and click-to-select
    find points from the data, not from the drawing, so every point still answers; the overview's 281
    markers cost the browser ~15 ms per redraw when drawn (tests/e2e checks hover and click)."""
    return dict(type="scatter", x=list(xs), y=list(ys), mode="markers", customdata=list(customdata),
                hovertext=list(hovertext), hovertemplate="%{hovertext}<extra></extra>", showlegend=False,
                marker=dict(size=size, symbol="square", opacity=0.0, maxdisplayed=1), name="pickers", **axes)


def map_hover(maps: np.ndarray, label: str) -> list[str]:
    """One hover line per map: its range, and that a click opens it."""
    flat = np.asarray(maps).reshape(len(maps), -1)
    return [f"{label} {k}: {lo:.3g} … {hi:.3g}" for k, (lo, hi) in enumerate(zip(flat.min(1).tolist(),
                                                                                 flat.max(1).tolist()))]


def stage_figure(maps: np.ndarray, title: str, scale: Scale = SIGNED, limit: float | None = None,
                 per_map: bool = False, selected: int | None = None, height: int | None = None,
                 hover: list[str] | None = None, colour_bar: bool = True) -> Figure:
    """Maps (C, H, W) tiled into one picture, with a colour bar and a picker per map.

    scale: what the colours mean (colours.py); limit: the top of its range (None: these maps' own);
    per_map: each map scaled to its own range. hover: one text per map (default: its value range).
    """
    maps = np.asarray(maps, dtype=np.float32)
    rows, cols = grid_shape(*maps.shape)
    z, centres, lim = mosaic(maps, cols, scale, limit, per_map)
    xs, ys = zip(*centres)
    H, W = maps.shape[1:]
    data = [image_trace(values_uri(z, scale, lim), name="maps", limit=lim, scale=scale),
            picker_trace(xs, ys, range(len(maps)), hover or map_hover(maps, _("map")), 14 if W <= 10 else 26)]
    if colour_bar:
        data.append(colour_bar_trace(scale, lim, _("÷ max") if per_map else ""))
    shapes = []
    if selected is not None and 0 <= selected < len(maps):
        r, k = divmod(selected, cols)
        shapes.append(dict(type="rect", x0=k * (W + GAP) - 0.5, x1=k * (W + GAP) + W - 0.5,
                           y0=r * (H + GAP) - 0.5, y1=r * (H + GAP) + H - 0.5, line=dict(color=OUTLINE, width=3)))
    height = height or int(min(720, 120 + 90 * rows * (1 if W > 10 else 0.7)))
    layout = dict(title=dict(text=title, font=FONT), height=height, margin=dict(l=5, r=5, t=60, b=5),
                  xaxis=dict(visible=False, constrain="domain", fixedrange=True, range=[-0.5, z.shape[1] - 0.5]),
                  yaxis=dict(visible=False, range=[z.shape[0] - 0.5, -0.5], scaleanchor="x", fixedrange=True),
                  shapes=shapes, clickmode="event+select", dragmode="pan", plot_bgcolor="rgba(0,0,0,0)")
    return make_figure(data, layout)


def clicked_customdata(event) -> list:
    """The customdata of every point of a click or selection (from st.plotly_chart's selection state)."""
    try:
        points = event["selection"]["points"]
    except (KeyError, TypeError):
        return []
    return [p.get("customdata") for p in points or []]


def clicked_index(event) -> int | None:
    """The map or neuron index of a click on a figure built here (from st.plotly_chart's selection)."""
    for cd in clicked_customdata(event):
        if isinstance(cd, list) and cd:
            cd = cd[-1]
        if isinstance(cd, (int, float)):
            return int(cd)
    return None
