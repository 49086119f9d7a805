"""What the colours mean: one scale per kind of value, each with its legend. Numpy in, colours out.

- signed: values that can be either sign (conv outputs, logits, differences): blue − | white 0 | red +,
  symmetric around zero (CNN Explainer's convention).
- positive: values that are never negative (activation outputs and their pooled maps): white 0 → red, the
  positive half of the signed scale, so that a value gets the same colour on both under the same limit.
- weights: kernels and weights, a scale of their own so that they never read as activations:
  orange − | white 0 | purple +.
- image: the input, greys from 0 (black) to 1 (white), as the network sees it.

The pictures the figures send carry [limit, scale] as their meta, so tests can read values back.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import plotly.colors

from lenet.i18n import N_, _


def _lut(stops: list[str], n: int = 256) -> np.ndarray:
    """(n, 3) uint8 colours interpolated linearly between evenly spaced 'rgb(r,g,b)' or '#rrggbb' stops."""
    rgb = np.array([plotly.colors.unlabel_rgb(plotly.colors.convert_colors_to_same_type(s, "rgb")[0][0])
                    for s in stops], dtype=np.float64)
    at = np.linspace(0, 1, len(rgb))
    t = np.linspace(0, 1, n)
    return np.stack([np.interp(t, at, rgb[:, k]) for k in range(3)], 1).round().astype(np.uint8)


def _plotly_scale(lut: np.ndarray, steps: int = 11) -> list[list]:
    picks = np.linspace(0, len(lut) - 1, steps).round().astype(int)
    return [[k / (steps - 1), f"rgb({r},{g},{b})"] for k, (r, g, b) in enumerate(lut[picks])]


_RAMPS: dict[tuple[str, int], np.ndarray] = {}


@dataclass(frozen=True)
class Scale:
    """One colour scale: its colours, whether it is symmetric around zero, and how its legend reads."""

    name: str
    lut: np.ndarray  # (256, 3) uint8, index 0 = the low end
    signed: bool  # low end = −limit (else 0)
    meaning: str  # what the colours stand for, for legends (an English key: shown through _())
    ends: tuple[str, str, str] = ("", "", "")  # the colours' names: the low end, zero, the high end (keys too)

    def index(self, z: np.ndarray, limit: float) -> np.ndarray:
        """The LUT index of each value (NaN counts as 0)."""
        z = np.nan_to_num(np.asarray(z, dtype=np.float32))
        t = (z / limit + 1.0) / 2.0 if self.signed else z / limit
        return np.clip(np.rint(t * 255.0), 0, 255).astype(np.uint8)

    def rgba(self, z: np.ndarray, limit: float) -> np.ndarray:
        """(H, W) values -> (H, W, 4) uint8 colours; NaN (gaps between maps) transparent."""
        z = np.asarray(z, dtype=np.float32)
        out = np.empty(z.shape + (4,), np.uint8)
        out[..., :3] = self.lut[self.index(z, limit)]
        out[..., 3] = np.where(np.isnan(z), 0, 255)
        return out

    def indexed(self, z: np.ndarray, limit: float) -> np.ndarray:
        """(H, W) values -> (H, W) uint8 palette indices (see palette): 0 … 254 the scale's low to high end, 255
        for NaN (transparent)."""
        z = np.asarray(z, dtype=np.float32)
        t = (z / limit + 1.0) / 2.0 if self.signed else z / limit
        out = np.clip(np.rint(np.nan_to_num(t) * 254.0), 0, 254).astype(np.uint8)
        out[np.isnan(z)] = 255
        return out

    @functools.cached_property
    def palette(self) -> bytes:
        """The colours of `indexed` as a PNG palette: 255 of the scale's, evenly spaced from its low to its high
        end (each one of its colours), then one for the transparent pixels."""
        return self.lut[np.rint(np.arange(255) * 255 / 254).astype(int)].tobytes() + bytes(3)

    def ramp(self, steps: int = 64) -> np.ndarray:
        """(1, steps, 4) the scale's colours from its low end to its high end, for a legend's strip: the same
        picture whatever the limit (made once per scale)."""
        key = (self.name, steps)
        if key not in _RAMPS:
            lo, hi = self.bounds(1.0)
            _RAMPS[key] = self.rgba(np.linspace(lo, hi, steps, dtype=np.float32)[None], 1.0)
        return _RAMPS[key]

    def limit_for(self, values: np.ndarray, limit: float | None = None) -> float:
        """The colour limit values are drawn with: 1 on the image's greys (0 black, 1 white), else the given
        limit, else their own largest |value|."""
        if self is IMAGE:
            return 1.0
        return limit if limit is not None else color_limit(values)

    def bounds(self, limit: float) -> tuple[float, float]:
        return (-limit, limit) if self.signed else (0.0, limit)

    def colorscale(self) -> list[list]:
        """The scale for a Plotly colour bar."""
        return _plotly_scale(self.lut)

    def legend(self, limit: float, per_map: bool = False) -> str:
        """The range the colours span, e.g. '−7.04 … 0 … 7.04'."""
        if per_map:
            return _("each map ÷ its own max")
        lo, hi = self.bounds(limit)
        if self.signed:
            return f"{number(lo)} … 0 … {number(hi)}"
        return f"{number(lo)} … {number(hi)}"


    def words(self, limit: float, per_map: bool = False) -> str:
        """The range with its colours named, for a legend with room for a line: 'blue −6.48 · 0 white · red 6.48'."""
        low, zero, high = (_(end) for end in self.ends)
        if per_map:
            return (_("each map its own range: {low} − · 0 {zero} · {high} +") if self.signed
                    else _("each map its own range: 0 {zero} · {high} its largest")).format(low=low, zero=zero,
                                                                                             high=high)
        lo, hi = self.bounds(limit)
        if self.signed:
            return f"{low} {number(lo)} · 0 {zero} · {high} {number(hi)}"
        return f"{number(lo)} {zero if self.name != 'image' else low} · {high} {number(hi)}"


def number(v: float) -> str:
    """A value in a legend: three significant digits, a real minus sign."""
    text = f"{v:.3g}"
    return "0" if text in ("-0", "0") else text.replace("-", "−")


def _upper_half(lut: np.ndarray) -> np.ndarray:
    """The part of a symmetric scale from its middle (0) to its top, stretched over 256 entries."""
    at = np.linspace(len(lut) / 2, len(lut) - 1, len(lut))
    return np.stack([np.interp(at, np.arange(len(lut)), lut[:, k]) for k in range(3)], 1).round().astype(np.uint8)


_RDBU = _lut(plotly.colors.diverging.RdBu[::-1])  # blue, white, red
SIGNED = Scale("signed", _RDBU, True, N_("blue below 0, white 0, red above"), (N_("blue"), N_("white"), N_("red")))
POSITIVE = Scale("positive", _upper_half(_RDBU), False, N_("white 0, red the largest"),
                 (N_("white"), N_("white"), N_("red")))
WEIGHTS = Scale("weights", _lut(plotly.colors.diverging.PuOr), True, N_("orange below 0, white 0, purple above"),
                (N_("orange"), N_("white"), N_("purple")))
IMAGE = Scale("image", _lut(["rgb(0,0,0)", "rgb(255,255,255)"]), False, N_("black 0, white 1 (pixel brightness)"),
              (N_("black"), N_("black"), N_("white")))
SCALES: dict[str, Scale] = {s.name: s for s in (SIGNED, POSITIVE, WEIGHTS, IMAGE)}


def color_limit(values: np.ndarray) -> float:
    """The colour limit of some values: their largest |value| (at least a tiny positive number)."""
    return max(float(np.nanmax(np.abs(values))) if np.size(values) else 0.0, 1e-6)


def per_map_normalised(maps: np.ndarray) -> np.ndarray:
    """Each map divided by its own largest |value|, so every map spans the whole scale."""
    lim = np.maximum(np.abs(maps).reshape(len(maps), -1).max(1), 1e-6)
    return maps / lim[:, None, None]
