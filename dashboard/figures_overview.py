"""The whole overview as one Plotly figure: one column of axes per stage, one heatmap per stage.

One figure instead of eleven: the browser repaints one plot per input change, not eleven (each Plotly plot
carries its own SVG layers, mode bar and layout pass). A click anywhere on a map or neuron reports the
column (the picker trace's meta) and the index (its customdata).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from figures import DIVERGING, GAP, GREYS, color_limit, grid_shape, image_trace, normalise_per_map, tile


@dataclass(frozen=True)
class Column:
    """One stage column of the overview."""

    name: str  # stage name, reported back on click
    title: str  # header text (may hold <br> and <sub>)
    kind: str  # "input", "maps", "vector" or "softmax"
    values: np.ndarray  # (C, H, W) maps, (D,) vector or (10,) probabilities
    width: float  # relative width
    limit: float | None = None  # colour limit (None: the column's own)
    per_map: bool = False  # each map scaled to its own range
    selected: int | None = None  # map or neuron to outline
    labels: tuple[str, ...] | None = None  # vector / softmax labels
    true_label: int | None = None


def _domains(widths: list[float], gap: float = 0.012) -> list[tuple[float, float]]:
    total = sum(widths) + gap * (len(widths) - 1)
    out, x = [], 0.0
    for w in widths:
        out.append((min(1.0, x / total), min(1.0, (x + w) / total)))
        x += w + gap
    return out


def overview_figure(columns: list[Column], height: int = 560) -> go.Figure:
    """All columns side by side in one figure, maps tiled per column, colour bars under each column."""
    data: list[dict] = []
    layout: dict = dict(height=height, margin=dict(l=5, r=5, t=70, b=60), showlegend=False,
                        clickmode="event+select", dragmode=False, plot_bgcolor="rgba(0,0,0,0)",
                        annotations=[], shapes=[])
    for k, (col, (x0, x1)) in enumerate(zip(columns, _domains([c.width for c in columns])), start=1):
        xa, ya = f"x{k}", f"y{k}"
        # fixedrange: no zoom, so no invisible drag handles over the neighbouring column to swallow clicks
        layout[f"xaxis{k}"] = dict(domain=[x0, x1], visible=False, anchor=ya, fixedrange=True)
        layout[f"yaxis{k}"] = dict(visible=False, anchor=xa, domain=[0.0, 1.0], autorange="reversed",
                                   fixedrange=True)
        layout["annotations"].append(dict(text=col.title, x=(x0 + x1) / 2, y=1.0, xref="paper", yref="paper",
                                          yanchor="bottom", showarrow=False, font=dict(size=14)))
        bar = dict(orientation="h", thickness=8, len=(x1 - x0) * 0.95, x=(x0 + x1) / 2, xanchor="center",
                   y=-0.02, yanchor="top", tickfont=dict(size=10), nticks=3)
        if col.kind in ("input", "maps"):
            maps = np.asarray(col.values, dtype=np.float32)
            rows, ncols = grid_shape(len(maps))
            shown = normalise_per_map(maps) if col.per_map and col.kind == "maps" else maps
            z, centres = tile(shown, ncols)
            true_z, _ = tile(maps, ncols)
            if col.kind == "input":
                data.append(image_trace(z, xaxis=xa, yaxis=ya))
                data.append(dict(type="heatmap", z=[[0.0, 1.0]], x=[0, 0], y=[0, 0], xaxis=xa, yaxis=ya,
                                 colorscale=GREYS, zmin=0.0, zmax=1.0, opacity=0, hoverinfo="skip", colorbar=bar))
            else:
                lim = 1.0 if col.per_map else (col.limit if col.limit is not None else color_limit(maps))
                heat = dict(type="heatmap", z=z, xaxis=xa, yaxis=ya, colorbar=bar, colorscale=DIVERGING,
                            zmin=-lim, zmax=lim, zmid=0.0, hovertemplate="%{z:.4f}<extra>" + col.name + "</extra>")
                if col.per_map:  # hover shows the true values, not the rescaled ones
                    heat.update(customdata=true_z, hovertemplate="%{customdata:.4f}<extra>" + col.name + "</extra>")
                data.append(heat)
            layout[f"yaxis{k}"].update(scaleanchor=xa)
            xs, ys = zip(*centres)
            data.append(dict(type="scatter", x=xs, y=ys, xaxis=xa, yaxis=ya, mode="markers", meta=col.name,
                             customdata=list(range(len(maps))), hoverinfo="none",
                             marker=dict(size=18, symbol="square", opacity=0.0)))
            if col.selected is not None and 0 <= col.selected < len(maps):
                H, W = maps.shape[1:]
                r, c = divmod(col.selected, ncols)
                layout["shapes"].append(dict(type="rect", xref=xa, yref=ya, x0=c * (W + GAP) - 0.5,
                                             x1=c * (W + GAP) + W - 0.5, y0=r * (H + GAP) - 0.5,
                                             y1=r * (H + GAP) + H - 0.5, line=dict(color="#ffb000", width=3)))
        elif col.kind == "vector":
            v = np.asarray(col.values, dtype=np.float32)
            lim = col.limit if col.limit is not None else color_limit(v)
            names = list(col.labels) if col.labels else [str(i) for i in range(len(v))]
            data.append(dict(type="heatmap", z=v[:, None], xaxis=xa, yaxis=ya, zmin=-lim, zmax=lim, zmid=0.0,
                             colorscale=DIVERGING, colorbar=bar, customdata=np.array(names)[:, None],
                             hovertemplate="%{customdata}: %{z:.4f}<extra>" + col.name + "</extra>"))
            data.append(dict(type="scatter", x=[0] * len(v), y=list(range(len(v))), xaxis=xa, yaxis=ya,
                             mode="markers", meta=col.name, customdata=list(range(len(v))), hoverinfo="none",
                             marker=dict(size=max(4, min(20, (height - 130) // len(v))), symbol="square",
                                         opacity=0.0)))
            if col.selected is not None and 0 <= col.selected < len(v):
                layout["shapes"].append(dict(type="rect", xref=xa, yref=ya, x0=-0.5, x1=0.5,
                                             y0=col.selected - 0.5, y1=col.selected + 0.5,
                                             line=dict(color="#ffb000", width=3)))
        else:  # softmax: horizontal bars with class names
            probs = np.asarray(col.values, dtype=np.float64)
            pred = int(np.argmax(probs))
            names = [f"{n} ✓" if i == col.true_label else n for i, n in enumerate(col.labels or ())]
            # class names written beside the bars (not as axis labels, which would spill into fc3's column)
            data.append(dict(type="bar", x=probs, y=list(range(len(probs))), orientation="h", xaxis=xa, yaxis=ya,
                             marker=dict(color=["#d62728" if i == pred else "#7f7f7f" for i in range(len(probs))]),
                             text=[f"{n} {p:.0%}" for n, p in zip(names, probs)], textposition="outside",
                             insidetextanchor="start", cliponaxis=False, customdata=names,
                             textfont=dict(size=12), hovertemplate="%{customdata}: %{x:.4f}<extra></extra>"))
            layout[f"xaxis{k}"].update(range=[0, 1.9])
    return go.Figure(dict(data=data, layout=layout))


def clicked_column(event, curves: dict[int, str]) -> tuple[str, int] | None:
    """(stage name, index) of a click on the overview figure; curves maps picker trace numbers to stages."""
    try:
        points = event["selection"]["points"]
    except (KeyError, TypeError):
        return None
    for p in points or []:
        name, cd = curves.get(p.get("curve_number")), p.get("customdata")
        if isinstance(cd, list) and cd:
            cd = cd[0]
        if name is not None and isinstance(cd, (int, float)):
            return name, int(cd)
    return None


def picker_curves(fig: go.Figure) -> dict[int, str]:
    """Trace number -> stage name for the clickable traces of an overview figure."""
    return {i: t.meta for i, t in enumerate(fig.data) if isinstance(t.meta, str)}
