"""Pictures as PNG data URIs, written here: the overview's maps (palette pictures on a colour scale), any RGBA
or grey array, and the enlarged image the network sees. No Streamlit, no plotly.py."""
from __future__ import annotations

import base64
import functools
import struct
import zlib

import numpy as np

from dashboard.figures.colours import IMAGE, Scale


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bytes(pixels: np.ndarray, palette: bytes | None = None, alpha: bytes | None = None) -> bytes:
    """An (H, W) uint8 grey or (H, W, 4) uint8 RGBA array, or (H, W) indices into a palette (RGB triples; alpha:
    one opacity per entry, fewer meaning opaque), as a PNG file written here: rows unfiltered, zlib at its
    fastest level. PIL's encoder took ~5× as long for the overview's small pictures, and a palette picture is a
    quarter of an RGBA one (tests/dashboard/test_figures.py reads the files back with PIL)."""
    h, w = pixels.shape[:2]
    channels = 1 if pixels.ndim == 2 else pixels.shape[2]
    raw = np.zeros((h, w * channels + 1), np.uint8)  # each row: filter type 0, then its bytes
    raw[:, 1:] = pixels.reshape(h, -1)
    colour = 3 if palette is not None else {1: 0, 4: 6}[channels]
    chunks = [_chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, colour, 0, 0, 0))]
    if palette is not None:
        chunks.append(_chunk(b"PLTE", palette))
        if alpha:
            chunks.append(_chunk(b"tRNS", alpha))
    chunks += [_chunk(b"IDAT", zlib.compress(raw.tobytes(), 1)), _chunk(b"IEND", b"")]
    return b"\x89PNG\r\n\x1a\n" + b"".join(chunks)


def _png_data_uri(pixels: np.ndarray, palette: bytes | None = None, alpha: bytes | None = None) -> str:
    return "data:image/png;base64," + base64.b64encode(png_bytes(pixels, palette, alpha)).decode()


@functools.lru_cache(maxsize=64)
def _opacities(opacity: float) -> bytes:
    """tRNS of a scale's palette (colours.Scale.palette): its colours at this opacity, the last transparent."""
    return bytes([round(255 * opacity)] * 255 + [0])


def values_uri(z: np.ndarray, scale: Scale, limit: float, opacity: float = 1.0) -> str:
    """(H, W) values on a scale as a palette PNG data URI (NaN transparent; opacity < 1: drawn pale)."""
    return _png_data_uri(scale.indexed(z, limit), scale.palette, _opacities(opacity))


def png_uri(image: np.ndarray) -> str:
    """An (H, W) array in [0, 1] (greys) or an (H, W, 4) uint8 RGBA array as a PNG data URI."""
    if image.ndim == 2:
        image = IMAGE.rgba(image, 1.0)
    image = np.ascontiguousarray(image)
    if image.nbytes <= SMALL_PNG:  # legends' colour strips: the same few pictures in every figure
        return _small_png_uri(image.shape, image.tobytes())
    return _png_data_uri(image)


SMALL_PNG = 4096  # bytes of RGBA: pictures this small are encoded once and remembered


@functools.lru_cache(maxsize=512)
def _small_png_uri(shape: tuple[int, ...], pixels: bytes) -> str:
    return _png_data_uri(np.frombuffer(pixels, np.uint8).reshape(shape))


def seen_image(image: np.ndarray, scale: int = 4) -> str:
    """A (28, 28) image in [0, 1] enlarged with sharp pixels, as a grey PNG data URI for st.image (an <img>,
    far cheaper than a Plotly chart). 4×: 112 px, sharp where it is shown (46 px) up to 2.4 device pixels per
    CSS pixel; 8× had four times the pixels and took ~1.8× as long to encode, per new image. A data URI
    travels with the page update itself: given an array, st.image stores a file the browser then fetches, one
    more round trip per input change."""
    g = np.rint(np.clip(image, 0, 1) * 255).astype(np.uint8)
    return _seen(g.tobytes(), g.shape, scale)


@functools.lru_cache(maxsize=256)
def _seen(grey: bytes, shape: tuple[int, int], scale: int) -> str:
    g = np.frombuffer(grey, np.uint8).reshape(shape)
    return _png_data_uri(np.repeat(np.repeat(g, scale, 0), scale, 1))
