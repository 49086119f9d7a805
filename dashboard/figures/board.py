"""A board: one Plotly figure on one pair of axes, on which pictures, number grids and text are placed.

The overview and the detail views are drawn on boards so that each is ONE figure with few traces, however many
maps and numbers it shows: all pictures are PNG images, the text is one trace per text style and the clickable
markers one trace per marker size. Coordinates are "units" (≈ screen pixels at the board's nominal width),
y pointing down.
"""
from __future__ import annotations

import numpy as np

from dashboard.figures.colours import SIGNED, Scale
from dashboard.figures.base import OUTLINE, Figure, image_trace, make_figure, picker_trace
from dashboard.figures.pictures import values_uri


def number_text(v: float) -> str:
    """A value as printed in a number grid: two decimals, a real minus sign."""
    text = f"{v:.2f}"
    return "0.00" if text == "-0.00" else text.replace("-", "−")


def _px(values: list[float]) -> list[float]:
    """Positions to a tenth of a unit: far below a screen pixel, and JSON writes short floats ~4× as fast."""
    return np.round(np.asarray(values, dtype=np.float64), 1).tolist()


class Board:
    """Collects the traces of one figure; `figure()` returns it."""

    def __init__(self):
        self.images: list[dict] = []
        self.text = dict(x=[], y=[], text=[], pos=[], size=[], color=[])
        self.pick: dict[float, tuple[list, list, list, list]] = {}  # marker size -> x, y, customdata, hover
        self.fills: dict[str, tuple[list, list]] = {}
        self.shapes: list[dict] = []
        self.right = 0.0  # extent of what was placed, for the axis ranges
        self.bottom = 0.0

    def _extent(self, x1: float, y1: float) -> None:
        self.right, self.bottom = max(self.right, x1), max(self.bottom, y1)

    def label(self, x: float, y: float, text: str, pos: str = "middle center", size: int = 11,
              color: str = "#31333f") -> None:
        for k, v in zip(("x", "y", "text", "pos", "size", "color"), (x, y, text, pos, size, color)):
            self.text[k].append(v)
        self._extent(x, y + 0.7 * size)  # the text's lower half, for the axis ranges

    def picker(self, x: float, y: float, cd, hover: str, size: float) -> None:
        self.pickers([x], [y], [cd], [hover], size)

    def pickers(self, xs, ys, cds, hovers, size: float) -> None:
        """Several pickers of one size at once (an overview places ~290 per image)."""
        group = self.pick.setdefault(round(max(4.0, min(40.0, size)), 1), ([], [], [], []))
        for into, values in zip(group, (xs, ys, cds, hovers)):
            into.extend(values)

    def outline(self, x0: float, y0: float, x1: float, y1: float, color: str = OUTLINE, width: int = 3) -> None:
        self.shapes.append(dict(type="rect", x0=x0, x1=x1, y0=y0, y1=y1, line=dict(color=color, width=width)))

    def rect(self, x0: float, y0: float, x1: float, y1: float, color: str) -> None:
        """A filled rectangle (drawn with every other one of its colour as one trace)."""
        xs, ys = self.fills.setdefault(color, ([], []))
        xs += [x0, x1, x1, x0, x0, None]
        ys += [y0, y0, y1, y1, y0, None]
        self._extent(x1, y1)

    def picture(self, rgba: np.ndarray, x: float, y: float, sx: float, sy: float | None = None,
                name: str | None = None, limit: float = 1.0, scale: Scale = SIGNED) -> tuple[float, float]:
        """Place an (H, W, 4) picture with its top-left corner at (x, y), each pixel sx × sy; returns its size.

        limit and scale: what its colours mean (colours.py), kept in the trace's meta.
        """
        sy = sx if sy is None else sy
        H, W = rgba.shape[:2]
        self.images.append(image_trace(rgba, x + sx / 2, y + sy / 2, sx, sy, name=name, limit=limit, scale=scale))
        self._extent(x + W * sx, y + H * sy)
        return W * sx, H * sy

    def values(self, z: np.ndarray, x: float, y: float, s: float, scale: Scale = SIGNED,
               limit: float | None = None, name: str | None = None, sy: float | None = None,
               opacity: float = 1.0) -> tuple[float, float]:
        """A map of values (NaN: transparent) as a picture on a colour scale, up to limit (default: its own
        largest |value|), each value sx × sy; returns its size. opacity < 1: drawn pale."""
        lim = scale.limit_for(z, limit)
        sy = s if sy is None else sy
        H, W = np.shape(z)
        self.images.append(image_trace(values_uri(z, scale, lim, opacity), x + s / 2, y + sy / 2, s, sy, name=name,
                                       limit=lim, scale=scale))
        self._extent(x + W * s, y + H * sy)
        return W * s, H * sy

    def numbers(self, z: np.ndarray, x: float, y: float, cell: float, scale: Scale = SIGNED,
                limit: float | None = None, size: int = 11, name: str | None = None) -> tuple[float, float]:
        """A small (h, w) grid of values, coloured and with every value written in its cell (white on dark)."""
        z = np.asarray(z, dtype=np.float64)
        lim = scale.limit_for(z, limit)
        w, h = self.values(z.astype(np.float32), x, y, cell, scale, lim, name)
        luma = scale.lut[scale.index(z, lim)].astype(np.float64) @ np.array([0.299, 0.587, 0.114])
        for (r, c), v in np.ndenumerate(z):
            self.label(x + (c + 0.5) * cell, y + (r + 0.5) * cell, number_text(v), size=size,
                       color="#ffffff" if luma[r, c] < 128 else "#000000")
        return w, h

    def figure(self, height: int | None = None, margin_top: int = 10, pad: float = 4.0,
               width: int | None = None, dragmode: str | bool = "pan") -> Figure:
        """The figure. With width (and height) given, one unit is one CSS pixel: the figure is that size, its
        axes span exactly [0, width] × [0, height], and text sizes match what was laid out. dragmode False: a
        finger dragging over the figure scrolls the page (a tall figure on a phone), taps still select."""
        data = list(self.images)
        for colour, (xs, ys) in self.fills.items():
            data.append(dict(type="scatter", x=xs, y=ys, mode="lines", fill="toself", fillcolor=colour,
                             line=dict(width=0, color=colour), hoverinfo="skip", name="fill"))
        # one text trace per style: per-point font and position arrays make Plotly style every label on its own,
        # which costs more than all the pictures together
        groups: dict[tuple, list[int]] = {}
        for k, style in enumerate(zip(self.text["pos"], self.text["size"], self.text["color"])):
            groups.setdefault(style, []).append(k)
        for (pos, size, color), ks in groups.items():
            data.append(dict(type="scatter", mode="text", x=_px([self.text["x"][k] for k in ks]),
                             y=_px([self.text["y"][k] for k in ks]), text=[self.text["text"][k] for k in ks],
                             textposition=pos, textfont=dict(size=size, color=color), hoverinfo="skip",
                             name="labels"))
        for size, (xs, ys, cds, hovers) in self.pick.items():  # likewise one picker trace per marker size
            data.append(picker_trace(_px(xs), _px(ys), cds, hovers, size))
        layout = dict(showlegend=False, clickmode="event+select" if dragmode else "event", dragmode=dragmode,
                      plot_bgcolor="rgba(0,0,0,0)", shapes=self.shapes)
        if width is not None and height is not None:
            layout.update(width=width, height=height, margin=dict(l=0, r=0, t=0, b=0, pad=0),
                          xaxis=dict(visible=False, range=[0, width], fixedrange=True),
                          yaxis=dict(visible=False, range=[height, 0], fixedrange=True))
            return make_figure(data, layout)
        height = height or int(self.bottom + pad + margin_top + 10)
        layout.update(height=height, margin=dict(l=5, r=5, t=margin_top, b=5),
                      xaxis=dict(visible=False, range=[-pad, self.right + pad], fixedrange=True, constrain="domain"),
                      yaxis=dict(visible=False, range=[self.bottom + pad, -pad], fixedrange=True, scaleanchor="x"))
        return make_figure(data, layout)
