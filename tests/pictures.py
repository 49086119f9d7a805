"""Reading the figures back: the values behind a picture (an image trace) that the dashboard coloured."""
from __future__ import annotations

import base64
import io

import numpy as np
from PIL import Image

from dashboard.figures.colours import SCALES


def rgba_of(trace: dict) -> np.ndarray:
    """The (H, W, 4) uint8 pixels of an image trace's PNG data URI."""
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(trace["source"].split(",", 1)[1]))).convert("RGBA"))


def scale_of(trace: dict):
    """The colour scale and limit a picture was coloured with (its meta is [limit, scale name])."""
    limit, name = trace["meta"]
    return SCALES[name], limit


def values_of(trace: dict) -> np.ndarray:
    """Approximate values of a picture (within tolerance()), NaN where transparent (the gaps between maps)."""
    rgba = rgba_of(trace).astype(np.int32)
    scale, limit = scale_of(trace)
    dist = ((rgba[..., None, :3] - scale.lut.astype(np.int32)[None, None]) ** 2).sum(-1)
    t = dist.argmin(-1) / 255.0
    lo, hi = scale.bounds(limit)
    return np.where(rgba[..., 3] == 0, np.nan, lo + t * (hi - lo))


def tolerance(trace: dict) -> float:
    """How far values_of() may be from the true values: rounding, plus a neighbouring colour."""
    scale, limit = scale_of(trace)
    lo, hi = scale.bounds(limit)
    return (hi - lo) * 2.5 / 255.0
