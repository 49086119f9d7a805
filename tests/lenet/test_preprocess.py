import io
import zlib
import struct

import numpy as np
import pytest
from PIL import Image

from lenet.preprocess import ImageError, MAX_PIXELS, prepare_drawing, prepare_upload, to_fashion_mnist
from lenet.samples import load_samples


def _png(img: Image.Image, fmt="PNG", **kw) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, **kw)
    return buf.getvalue()


@pytest.fixture(scope="module")
def shirt():
    return load_samples().images[0]  # an ankle boot, light on black, 28x28 uint8


def test_dark_on_light_photo_is_inverted_cropped_and_centred(shirt):
    big = Image.fromarray(255 - shirt).resize((300, 300), Image.Resampling.NEAREST)
    p = prepare_upload(_png(big), "boot.png")
    assert p.image.shape == (28, 28) and p.image.dtype == np.float32
    assert any("inverted" in n for n in p.notes)
    assert p.image[0].max() < 0.1 and p.image.max() > 0.8  # black border, light garment
    assert np.corrcoef(p.image.ravel(), to_fashion_mnist(shirt / 255.0).image.ravel())[0, 1] > 0.95
    assert np.corrcoef(p.image.ravel(), shirt.ravel())[0, 1] > 0.75


def test_small_drawing_is_scaled_up_keeping_aspect():
    canvas = np.zeros((280, 280, 4), dtype=np.uint8)
    canvas[100:140, 60:220] = 255  # a wide bar, 160 x 40
    p = prepare_drawing(canvas)
    rows = np.flatnonzero(p.image.max(1) > 0.5)
    cols = np.flatnonzero(p.image.max(0) > 0.5)
    assert cols[0] <= 1 and cols[-1] >= 26  # fills the width
    assert 5 <= len(rows) <= 9 and abs((rows[0] + rows[-1]) / 2 - 13.5) <= 1  # keeps 4:1, centred


@pytest.mark.parametrize("data,match", [(b"", "empty"), (b"not an image at all", "not an image"),
                                        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, "not an image|damaged")])
def test_broken_uploads_get_clear_messages(data, match):
    with pytest.raises(ImageError, match=match):
        prepare_upload(data)


def test_truncated_png(shirt):
    data = _png(Image.fromarray(shirt).resize((200, 200)))
    with pytest.raises(ImageError, match="damaged or truncated"):
        prepare_upload(data[: len(data) // 2])


def test_decompression_bomb_is_refused():
    # a valid PNG header claiming 20000 x 20000 pixels
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    ihdr = struct.pack(">IIBBBBB", 20000, 20000, 8, 0, 0, 0, 0)
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 100)) + \
        chunk(b"IEND", b"")
    assert 20000 * 20000 > MAX_PIXELS
    with pytest.raises(ImageError, match="megapixels|decompression bomb"):
        prepare_upload(data)


def test_a_small_file_claiming_a_huge_picture_is_refused_before_decoding():
    """A 6300×6300 PNG of one colour is ~40 KB, and would take ~1 GB to decode: refused from its header."""
    big = _png(Image.new("L", (6300, 6300)), optimize=True)
    assert len(big) < 100_000
    import resource

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(ImageError, match="6300×6300 pixels; at most 16 megapixels"):
        prepare_upload(big, "huge.png")
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 50_000  # KB: nothing was decoded


def test_a_large_photo_is_reduced_while_it_decodes():
    photo = Image.fromarray(np.asarray(_tshirt_photo(800).resize((3600, 3600))))
    p = prepare_upload(_png(photo, "JPEG", quality=80), "big.jpg")
    assert p.image.shape == (28, 28) and p.image.max() > 0.8


def test_at_most_a_few_uploads_decode_at_once(monkeypatch, shirt):
    import lenet.preprocess as P

    monkeypatch.setattr(P, "DECODE_WAIT_S", 0.2)
    data = _png(Image.fromarray(255 - shirt))
    held = [P._decoding.acquire(timeout=1) for _ in range(P.DECODE_SLOTS)]  # the others are decoding
    try:
        assert all(held)
        with pytest.raises(ImageError, match="busy"):
            prepare_upload(data)
    finally:
        for _ in held:
            P._decoding.release()
    assert prepare_upload(data).image.shape == (28, 28)  # and once they are done, it decodes


def test_animated_cmyk_16bit_and_alpha_are_handled(shirt):
    frames = [Image.fromarray(shirt), Image.fromarray(255 - shirt)]
    buf = io.BytesIO()
    frames[0].save(buf, "GIF", save_all=True, append_images=frames[1:])
    p = prepare_upload(buf.getvalue(), "anim.gif")
    assert any("first frame" in n for n in p.notes) and p.image.max() > 0.5

    cmyk = Image.fromarray(shirt).convert("RGB").convert("CMYK")
    p = prepare_upload(_png(cmyk, "JPEG"), "cmyk.jpg")
    assert any("CMYK" in n for n in p.notes) and p.image.max() > 0.5

    sixteen = Image.fromarray(shirt.astype(np.uint16) * 257)
    assert sixteen.mode.startswith("I;16")
    p = prepare_upload(_png(sixteen), "deep.png")
    assert any("16-bit" in n for n in p.notes)
    assert np.corrcoef(p.image.ravel(), to_fashion_mnist(shirt / 255.0).image.ravel())[0, 1] > 0.99

    rgba = np.zeros((64, 64, 4), dtype=np.uint8)
    rgba[16:48, 16:48] = (0, 0, 0, 255)  # an opaque black square on a transparent background
    p = prepare_upload(_png(Image.fromarray(rgba, "RGBA")), "alpha.png")
    assert any("transparent" in n for n in p.notes)
    assert p.image.max() > 0.9  # the square became light on black


def test_empty_canvas_asks_for_a_drawing():
    with pytest.raises(ImageError, match="draw"):
        prepare_drawing(np.zeros((200, 200, 4), dtype=np.uint8))
    with pytest.raises(ImageError, match="draw"):
        prepare_drawing(None)


def test_blank_upload_is_refused():
    with pytest.raises(ImageError, match="empty"):
        prepare_upload(_png(Image.new("L", (50, 50), 255)))


def _tshirt_photo(size=400, seed=0) -> Image.Image:
    """A dark T-shirt photographed on off-white paper: the paper's grey falls off to one side, with sensor noise."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:size, 0:size] / size
    paper = 0.90 - 0.12 * xx - 0.05 * yy  # lit from the top left
    shirt = np.zeros((size, size), bool)
    shirt[int(.30 * size):int(.85 * size), int(.32 * size):int(.68 * size)] = True  # body
    shirt[int(.30 * size):int(.45 * size), int(.15 * size):int(.85 * size)] = True  # sleeves
    photo = np.where(shirt, 0.18, paper) + rng.normal(0, 0.015, (size, size))
    rgb = np.clip(np.stack([photo * 1.02, photo, photo * 0.95], -1) * 255, 0, 255).astype(np.uint8)
    return Image.fromarray(rgb)


def test_photo_on_light_paper_has_no_grey_frame():
    p = prepare_upload(_png(_tshirt_photo(), "JPEG", quality=85), "tshirt.jpg")
    assert any("inverted" in n for n in p.notes) and any("background removed" in n for n in p.notes)
    img = p.image
    ring = np.concatenate([img[0], img[-1], img[:, 0], img[:, -1]])
    shirt = img > 0.5
    rows, cols = np.flatnonzero(shirt.any(1)), np.flatnonzero(shirt.any(0))
    assert cols[0] <= 1 and cols[-1] >= 26  # cropped to the sleeves, not to the paper
    assert 20 <= len(rows) <= 24  # the shirt is 0.55 x 0.70 of its box: it keeps its shape
    assert img[~shirt].mean() < 0.03 and (img[shirt] > 0.8).mean() > 0.9  # black around, light garment
    assert ring[ring > 0.1].size <= 12, "the paper's grey made a frame"  # only the sleeves' ends touch the edge


def test_black_backgrounds_are_left_alone(shirt):
    from lenet.preprocess import remove_background
    gray = shirt / 255.0
    out, lifted = remove_background(gray.astype(np.float32))
    assert not lifted and np.array_equal(out, gray.astype(np.float32))
