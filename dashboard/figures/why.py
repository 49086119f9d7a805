"""The "why this prediction?" figure: each attribution over the image the network sees, side by side."""
from __future__ import annotations

import numpy as np

from dashboard.figures.board import Board
from dashboard.figures.colours import IMAGE, SIGNED, color_limit, number
from dashboard.figures.base import OUTLINE, Figure
from lenet.i18n import _

PIXEL = 0.5  # px per image pixel, in units of the font size: four ~170 px panels, two by two, beside the readings
SHOWN = 0.9  # the opacity of an attribution at its colour limit: the image stays visible under the strongest


def overlay(values: np.ndarray, limit: float) -> np.ndarray:
    """(28, 28) attribution -> (28, 28, 4) RGBA on the signed scale (red raises the score, blue lowers it), each
    pixel as opaque as its |value| is large: the image shows through where the attribution is small."""
    rgba = SIGNED.rgba(np.asarray(values, dtype=np.float32), limit)
    rgba[..., 3] = np.rint(np.clip(np.abs(values) / limit, 0, 1) * 255 * SHOWN)
    return rgba


def attribution_figure(image: np.ndarray, panels: list[tuple[str, np.ndarray]],
                       window: tuple[int, int, int] | None = None, font: int = 12, per_row: int = 4) -> Figure:
    """One panel per (title, (28, 28) values), per_row to a row: the image in greys with the values over it, each
    on its own symmetric limit (written under it). window: (panel, top, left) of a 5×5 square to outline
    (occlusion's)."""
    b = Board()
    px = PIXEL * font
    size = 28 * px
    gap = 2.2 * font
    head = 1.6 * font
    row_h = head + size + 1.8 * font + 4
    for k, (title, values) in enumerate(panels):
        r, q = divmod(k, per_row)
        x, y = q * (size + gap), r * row_h
        b.label(x + size / 2, y + head / 2, f"<b>{title}</b>", size=font)
        b.values(np.asarray(image, dtype=np.float32), x, y + head, px, IMAGE, 1.0, name="image")
        limit = color_limit(values)
        b.picture(overlay(values, limit), x, y + head, px, name=f"why:{title}", limit=limit, scale=SIGNED)
        b.label(x + size / 2, y + head + size + 0.9 * font,
                _("blue −{limit} … red +{limit}").format(limit=number(limit)), size=font, color="#555555")
        if window is not None and window[0] == k:
            i, j = window[1:]
            b.outline(x + j * px, y + head + i * px, x + (j + 5) * px,
                      y + head + (i + 5) * px, color=OUTLINE, width=2)
    return b.figure(margin_top=2)
