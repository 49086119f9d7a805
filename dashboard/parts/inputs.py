"""Three ways in — pick, draw, upload — and one preprocessing (lenet.preprocess).

Built for a slim bar above the overview: picking is a row of controls and a strip of small thumbnails (the
ones the model gets wrong framed in red); drawing and uploading sit in a narrow column beside the overview.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st

from dashboard.core.cache import gallery, predictions, strip
from dashboard.core.charts import chart
from dashboard.figures.base import clicked_index
from dashboard.core.language import uploader_words
from dashboard.figures.pictures import png_uri
from dashboard.parts.sketch import TOOLS, pad_ui
from lenet.data import CLASS_NAMES, class_name
from dashboard.core.text import plain
from lenet.i18n import N_, _
from lenet.preprocess import ImageError, prepare_drawing, prepare_upload

SOURCES = {"pick": N_("Pick"), "draw": N_("Draw"), "upload": N_("Upload")}
ALL = N_("all classes")  # (a key in the link, as the class names are: shown translated)
THUMB_PX = 46  # a thumbnail in the strip, with its gap


@dataclass(frozen=True)
class Picked:
    """The image to show: (28, 28) float32 in [0, 1] (None: nothing yet), its true label if known, a caption."""

    image: np.ndarray | None
    label: int | None
    caption: str


def source_ui() -> str:
    """Pick, draw or upload (a segmented control; clicking the chosen one off keeps it)."""
    st.segmented_control(_("Input"), list(SOURCES), key="source", format_func=lambda s: _(SOURCES[s]),
                         label_visibility="collapsed")
    return st.session_state.get("source") or "pick"


def candidates(model_key: str) -> np.ndarray:
    """The gallery positions the filters let through (all of them if none would)."""
    samples = gallery()[0]
    out = np.arange(len(samples))
    cls = st.session_state.get("pick_class", ALL)
    if cls in CLASS_NAMES:
        out = out[samples.labels == CLASS_NAMES.index(cls)]
    if st.session_state.get("pick_wrong"):
        preds = predictions(model_key)
        out = out[preds[out] != samples.labels[out]]
    return out if len(out) else np.arange(len(samples))


def _position(allowed: np.ndarray, idx: int) -> int | None:
    """Where image idx is among the (sorted) allowed ones; None if it is not one of them."""
    pos = int(np.searchsorted(allowed, idx))
    return pos if pos < len(allowed) and allowed[pos] == idx else None


def _jump(model_key: str) -> np.ndarray:
    """After a filter changes: the current image if it passes, else the first one that does; the candidates."""
    allowed = candidates(model_key)
    if _position(allowed, int(st.session_state.get("index", 0))) is None:
        st.session_state["index"] = int(allowed[0])
    return allowed


def pick_controls_ui(model_key: str) -> np.ndarray:
    """Class filter, image index, random and 'only misclassified' (in the bar: widths in px at 18 px type)."""
    samples, full = gallery()
    if st.session_state.get("pick_class") not in (ALL, *CLASS_NAMES):
        st.session_state["pick_class"] = ALL
    filtered = st.session_state["pick_class"] != ALL or st.session_state.get("pick_wrong")
    # a link with a filter and no image (?wrong=1) opens on the first image it lets through
    allowed = _jump(model_key) if filtered else candidates(model_key)
    st.selectbox(_("Class"), [ALL, *CLASS_NAMES], key="pick_class", label_visibility="collapsed",
                 format_func=_, on_change=_jump, args=(model_key,), width=140)
    st.session_state["index"] = min(int(st.session_state.get("index", 0)), len(samples) - 1)
    st.number_input(_("Image (0–{last})").format(last=len(samples) - 1), 0, len(samples) - 1, key="index",
                    label_visibility="collapsed", width=124,
                    help=_("image of the test set") if full else _("image of the 1,000 bundled test images"))

    def choose_random() -> None:
        st.session_state["index"] = int(np.random.default_rng().choice(allowed))

    st.button(_("Random"), key="random", on_click=choose_random, help=_("a random image among those listed"))
    st.toggle(_("only wrong"), key="pick_wrong", on_change=_jump, args=(model_key,),
              help=_("only the images this model misclassifies (framed in red in the strip)"))
    return allowed


def strip_ui(model_key: str, allowed: np.ndarray, width: float) -> None:
    """A row of small thumbnails around the current image; a click picks one."""
    n = max(4, int(width // THUMB_PX))
    width = max(float(width), n * THUMB_PX + 4.0)  # never narrower than its thumbnails (a phone: ~7 of them)
    pos = _position(allowed, int(st.session_state.get("index", 0)))
    start = (pos // n) * n if pos is not None else 0
    page = tuple(int(k) for k in allowed[start:start + n])

    def choose_thumb() -> None:
        picked = clicked_index(st.session_state.get("gallery"))
        if picked is not None and picked < len(page):
            st.session_state["index"] = int(page[picked])

    chart(strip(model_key, page, THUMB_PX, int(width)), key="gallery", on_select=choose_thumb,
          selection_mode="points", width="content", config={"displayModeBar": False})


def picked() -> Picked:
    """The gallery image the index points at."""
    samples, full = gallery()
    idx = min(int(st.session_state.get("index", 0)), len(samples) - 1)
    label = int(samples.labels[idx])
    where = _("test image #{n}") if full else _("bundled test image #{n}")
    return Picked(samples.images[idx].astype(np.float32) / 255.0, label,
                  where.format(n=int(samples.indices[idx])) + ": " + class_name(label))


def draw_ui() -> Picked:
    """The drawing pad (optionally over the picked image, for what-ifs) and what the network makes of it."""
    edit = bool(st.session_state.get("draw_edit"))
    base = picked().image if edit else None
    with st.container(horizontal=True, vertical_alignment="center", gap="xsmall"):  # one row: the pad's height
        tool = st.selectbox(_("Tool"), list(TOOLS), format_func=lambda t: _(TOOLS[t]), key="draw_tool", width=86,
                            label_visibility="collapsed", help=_("pen, line, box or circle"))
        width = st.number_input(_("Brush"), 4, 60, 22, key="draw_width", width=90, label_visibility="collapsed",
                                help=_("the brush's width (4–60 px of the 280-px pad)"))
    sketch = pad_ui(tool, int(width), png_uri(base) if base is not None else None, "pad_edit" if edit else "pad")
    st.toggle(_("Over the image"), key="draw_edit", help=_("draw over the picked test image, for what-ifs"))
    what = _("your drawing") if base is None else _("the picked image, drawn over")
    if sketch is None:  # nothing drawn yet
        return Picked(base, None, what) if base is not None else \
            Picked(np.zeros((28, 28), np.float32), None, _("an empty canvas (all black)"))
    try:
        return Picked(prepare_drawing(sketch.gray).image, None, what)
    except ImageError:  # a blank pad: the network sees black, and the overview shows what that gives
        return Picked(np.zeros((28, 28), np.float32), None, _("an empty canvas (all black)"))


def upload_ui() -> Picked:
    uploader_words("upload", "PNG, JPG, GIF, WEBP, BMP")
    f = st.file_uploader(_("PNG or JPEG"), type=["png", "jpg", "jpeg", "gif", "webp", "bmp"], key="upload")
    if f is None:  # until a file is chosen the network shows what it makes of a black image: never an empty page
        st.caption(_("A photo of a garment, converted like Fashion-MNIST (light on black, 28×28). Until one is "
                     "chosen the network sees black."))
        return Picked(np.zeros((28, 28), np.float32), None, _("no upload yet: an all-black image"))
    try:
        prepared = prepare_upload(f.getvalue(), f.name)
    except ImageError as e:
        st.error(plain(str(e)))
        return Picked(np.zeros((28, 28), np.float32), None, _("the upload could not be read: an all-black image"))
    for note in prepared.notes:
        st.caption(note)
    return Picked(prepared.image, None, _("upload {name}").format(name=f.name))  # (the caption is shown as plain text)
