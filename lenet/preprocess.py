"""Turn any picture (an upload, a canvas drawing) into what LeNet expects: 28×28, light garment on black.

Fashion-MNIST's own recipe: trim the garment to its bounding box, resize so the longer side is 28 pixels,
keep the aspect ratio, centre it on a black 28×28 square. Uploads are checked first, so that a broken,
enormous, animated, CMYK, 16-bit or transparent file gets a clear message instead of an exception.
"""
from __future__ import annotations

import io
import threading
import warnings
from dataclasses import dataclass, field

import numpy as np
from PIL import Image, UnidentifiedImageError

from lenet.i18n import _

MAX_UPLOAD_BYTES = 10 * 1024 * 1024  # larger files are refused before decoding
MAX_PIXELS = 16_000_000  # checked from the header, before decoding: a 47 KB PNG can claim 6300×6300 (~1 GB)
WORK_PX = 1024  # pictures are reduced to this side before any float arithmetic (28×28 is the goal)
DECODE_SLOTS = 2  # at most this many pictures decode at once, whatever a class uploads together
DECODE_WAIT_S = 20.0  # how long an upload waits for a slot before it is told to try again
_decoding = threading.BoundedSemaphore(DECODE_SLOTS)
CONTENT_THRESHOLD = 0.08  # pixels brighter than this (on black) count as garment when cropping


class ImageError(ValueError):
    """The picture cannot be used; the message says why in plain words."""


@dataclass
class Prepared:
    """A picture ready for the network, with what was done to it."""

    image: np.ndarray  # (28, 28) float32 in [0, 1], light on black
    notes: list[str] = field(default_factory=list)  # e.g. "inverted: the picture had a light background"


def read_image(data: bytes, name: str = "upload") -> tuple[np.ndarray, list[str]]:
    """Decode an uploaded file into a grayscale array (H, W) float in [0, 1], checking it on the way.

    The size it claims is checked from its header before anything is decoded; JPEGs decode at a reduced
    scale; at most DECODE_SLOTS pictures decode at once (the others wait up to DECODE_WAIT_S): a class
    uploading together cannot exhaust the server's memory."""
    notes: list[str] = []
    if not data:
        raise ImageError(_("{name} is empty (0 bytes).").format(name=name))
    if len(data) > MAX_UPLOAD_BYTES:
        raise ImageError(_("{name} is {mb:.1f} MB; the limit is {limit:.0f} MB.").format(
            name=name, mb=len(data) / 1e6, limit=MAX_UPLOAD_BYTES / 1e6))
    if not _decoding.acquire(timeout=DECODE_WAIT_S):
        raise ImageError(_("the server is busy decoding other uploads; try {name} again in a moment.").format(
            name=name))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data))  # reads the header only
            if img.width * img.height > MAX_PIXELS:
                raise ImageError(_("{name} claims {w}×{h} pixels; at most {limit:.0f} megapixels are decoded "
                                   "(scale it down first).").format(name=name, w=img.width, h=img.height,
                                                                    limit=MAX_PIXELS / 1e6))
            if img.format not in ("PNG", "JPEG", "MPO", "GIF", "BMP", "WEBP"):
                raise ImageError(_("{name} is a {format} file; please upload a PNG or JPEG.").format(
                    name=name, format=img.format))
            if getattr(img, "n_frames", 1) > 1:
                notes.append(_("{name} is animated ({n} frames): using the first frame.").format(
                    name=name, n=img.n_frames))
                img.seek(0)
            if img.format in ("JPEG", "MPO"):
                img.draft(img.mode, (WORK_PX, WORK_PX))  # decode at 1/2, 1/4 or 1/8 scale when that is enough
            img.load()
            if max(img.size) > WORK_PX:
                img.thumbnail((WORK_PX, WORK_PX), Image.Resampling.BOX)
        return to_gray(img, notes), notes
    except ImageError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
        raise ImageError(_("{name} looks like a decompression bomb ({error}).").format(name=name, error=e)) from e
    except UnidentifiedImageError as e:
        raise ImageError(_("{name} is not an image PIL can read (is it really a PNG or JPEG?).").format(
            name=name)) from e
    except (OSError, SyntaxError, ValueError) as e:
        raise ImageError(_("{name} is damaged or truncated ({error}).").format(name=name, error=e)) from e
    finally:
        _decoding.release()


def to_gray(img: Image.Image, notes: list[str] | None = None) -> np.ndarray:
    """Any PIL mode -> (H, W) float32 in [0, 1]; transparency is flattened onto the background."""
    notes = notes if notes is not None else []
    if img.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I"):
        arr = np.asarray(img, dtype=np.float64)
        hi = 65535.0 if img.mode.startswith("I;16") or arr.max() > 255 else 255.0
        notes.append(_("16-bit image: scaled to 8-bit range."))
        return np.clip(arr / hi, 0, 1).astype(np.float32)
    if img.mode == "F":
        arr = np.asarray(img, dtype=np.float64)
        lo, hi = float(arr.min()), float(arr.max())
        return ((arr - lo) / (hi - lo if hi > lo else 1.0)).astype(np.float32)
    if img.mode == "CMYK":
        notes.append(_("CMYK image: converted to RGB."))
        img = img.convert("RGB")
    if img.mode == "P":
        img = img.convert("RGBA" if "transparency" in img.info else "RGB")
    if img.mode in ("LA", "RGBA", "PA"):
        rgba = np.asarray(img.convert("RGBA"), dtype=np.float32) / 255.0
        alpha = rgba[..., 3:4]
        gray_rgb = rgba[..., :3]
        # composite onto the colour that the opaque border suggests (black unless the picture is dark-on-light)
        opaque = alpha[..., 0] > 0.5
        bg = 0.0
        if opaque.any():
            lum = gray_rgb.mean(-1)[opaque]
            bg = 1.0 if lum.mean() < 0.5 else 0.0
        flat = gray_rgb * alpha + bg * (1 - alpha)
        if (alpha < 1).any():
            notes.append(_("transparent areas were treated as background."))
        return _luma(flat)
    return _luma(np.asarray(img.convert("RGB"), dtype=np.float32) / 255.0)


def _luma(rgb: np.ndarray) -> np.ndarray:
    return (rgb @ np.array([0.299, 0.587, 0.114], dtype=np.float32)).astype(np.float32)


def to_fashion_mnist(gray: np.ndarray, invert: bool | None = None) -> Prepared:
    """Crop to the garment, scale the longer side to 28 px keeping the aspect ratio, centre on black.

    invert=None decides from the border: a light border means dark-on-light, which is inverted.
    """
    gray = np.asarray(gray, dtype=np.float32)
    if gray.ndim != 2 or min(gray.shape) < 1:
        raise ImageError(_("expected a 2-D grayscale picture, got shape {shape}").format(shape=gray.shape))
    notes: list[str] = []
    border = np.concatenate([gray[0], gray[-1], gray[:, 0], gray[:, -1]])
    if invert is None:
        invert = float(np.median(border)) > 0.5
    if invert:
        gray = 1.0 - gray
        notes.append(_("inverted: the picture had a light background (Fashion-MNIST is light on black)."))
    gray, lifted = remove_background(gray)
    if lifted:
        notes.append(_("background removed: it was not black (a photo's paper, a shadow or a gradient)."))
    mask = gray > CONTENT_THRESHOLD
    if not mask.any():
        raise ImageError(_("the picture is empty: nothing stands out from the background."))
    rows, cols = np.flatnonzero(mask.any(1)), np.flatnonzero(mask.any(0))
    crop = gray[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]
    h, w = crop.shape
    scale = 28.0 / max(h, w)
    nh, nw = max(1, round(h * scale)), max(1, round(w * scale))
    resized = Image.fromarray(crop).resize((nw, nh), Image.Resampling.LANCZOS if max(h, w) > 28
                                           else Image.Resampling.BICUBIC)
    out = np.zeros((28, 28), dtype=np.float32)
    top, left = (28 - nh) // 2, (28 - nw) // 2
    out[top:top + nh, left:left + nw] = np.asarray(resized, dtype=np.float32)
    return Prepared(np.clip(out, 0.0, 1.0), notes)


def remove_background(gray: np.ndarray) -> tuple[np.ndarray, bool]:
    """Make the background black: (greys, whether anything was removed).

    A photo's background is rarely black once inverted: off-white paper becomes a grey of ~0.15, often lighter on
    one side. Left in, it is cropped as if it were garment and the network sees a grey frame (act1 lights up
    along it). The background is modelled as a plane fitted to the picture's border (the darker 60 % of its
    pixels, so a garment touching the edge does not count as background); the plane plus the border's noise is
    subtracted and the rest stretched back to [0, 1]. A black background (a drawing, a Fashion-MNIST image) is
    left exactly as it is.
    """
    h, w = gray.shape
    band = max(1, round(0.02 * min(h, w)))
    edge = np.zeros((h, w), bool)
    edge[:band], edge[-band:], edge[:, :band], edge[:, -band:] = True, True, True, True
    ys, xs = np.nonzero(edge)
    values = gray[ys, xs]
    keep = values <= np.quantile(values, 0.6)
    if float(values[keep].max(initial=0.0)) <= CONTENT_THRESHOLD / 2:
        return gray, False  # black already
    design = np.stack([np.ones(keep.sum()), xs[keep] / w, ys[keep] / h], 1)
    coef = np.linalg.lstsq(design, values[keep].astype(np.float64), rcond=None)[0]
    noise = float(np.quantile(np.abs(values[keep] - design @ coef), 0.95))
    yy, xx = np.mgrid[0:h, 0:w]
    level = (coef[0] + coef[1] * xx / w + coef[2] * yy / h + noise + 0.02).astype(np.float32)
    out = np.clip(gray - level, 0.0, None)
    top = float(out.max())
    return (out / top if top > 0 else out).astype(np.float32), True


def prepare_upload(data: bytes, name: str = "upload") -> Prepared:
    """An uploaded PNG/JPEG -> Prepared, or ImageError with a clear message."""
    gray, notes = read_image(data, name)
    prepared = to_fashion_mnist(gray)
    prepared.notes[:0] = notes
    return prepared


def prepare_drawing(picture: np.ndarray | None) -> Prepared:
    """A drawing, light strokes on black -> Prepared; ImageError if blank.

    picture: greys (H, W) in [0, 1] (what the dashboard's drawing pad sends), or a canvas's (H, W, 3 or 4) uint8.
    """
    if picture is None or picture.size == 0:
        raise ImageError(_("the canvas is empty: draw a garment first."))
    picture = np.asarray(picture)
    if picture.ndim == 2:
        gray = np.clip(picture.astype(np.float32), 0.0, 1.0)
    else:
        rgba = picture if picture.dtype == np.uint8 else np.clip(picture, 0, 255).astype(np.uint8)
        gray = to_gray(Image.fromarray(rgba, "RGBA" if rgba.shape[-1] == 4 else "RGB"))
    if gray.max() <= CONTENT_THRESHOLD:
        raise ImageError(_("the canvas is empty: draw a garment first."))
    return to_fashion_mnist(gray, invert=False)
