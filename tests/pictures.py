"""Reading the figures back: the values behind a picture (an image trace) that the dashboard coloured."""
from __future__ import annotations

import base64
import io

import numpy as np
from PIL import Image

from dashboard.figures import DIVERGING_LUT


def rgba_of(trace: dict) -> np.ndarray:
    """The (H, W, 4) uint8 pixels of an image trace's PNG data URI."""
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(trace["source"].split(",", 1)[1]))).convert("RGBA"))


def _limit(trace: dict) -> float | None:
    """The colour limit a picture was coloured with (its meta is [limit]); None: greys from 0 to 1."""
    return trace["meta"][0]


def values_of(trace: dict) -> np.ndarray:
    """Approximate values of a picture (within limit/255), NaN where transparent (the gaps between maps)."""
    rgba = rgba_of(trace).astype(np.int32)
    limit = _limit(trace)
    if limit is None:  # greys from 0 to 1
        values = rgba[..., 0] / 255.0
    else:
        dist = ((rgba[..., None, :3] - DIVERGING_LUT.astype(np.int32)[None, None]) ** 2).sum(-1)
        values = (dist.argmin(-1) / 127.5 - 1.0) * limit
    return np.where(rgba[..., 3] == 0, np.nan, values)


def tolerance(trace: dict) -> float:
    """How far values_of() may be from the true values."""
    return (_limit(trace) or 1.0) * 2.0 / 127.5  # rounding, plus a neighbouring colour
