"""Three ways in — pick, draw, upload — and one preprocessing (lenet.preprocess)."""
from __future__ import annotations

import numpy as np
import streamlit as st

from dashboard.cache import gallery, predictions
from dashboard.charts import chart
from dashboard.figures import clicked_index, stage_figure
from lenet.data import CLASS_NAMES, HOW_TO_GET_IT
from lenet.preprocess import ImageError, prepare_drawing, prepare_upload

THUMBS = 24  # thumbnails shown at once in the gallery
CANVAS_PX = 280


def _pick_ui(model_key: str) -> tuple[np.ndarray, int | None, str]:
    samples, full = gallery()
    if not full:
        st.info("Full Fashion-MNIST not found: picking from the 1,000 bundled test images.\n\n" + HOW_TO_GET_IT)
    c1, c2 = st.columns(2)
    cls = c1.selectbox("Class", ["all classes", *CLASS_NAMES], key="pick_class")
    wrong_only = c2.toggle("only misclassified", key="pick_wrong")
    candidates = np.arange(len(samples))
    if cls != "all classes":
        candidates = candidates[samples.labels == CLASS_NAMES.index(cls)]
    if wrong_only:
        preds = predictions(model_key)
        candidates = candidates[preds[candidates] != samples.labels[candidates]]
    if len(candidates) == 0:
        st.warning("No image matches; showing all.")
        candidates = np.arange(len(samples))
    st.session_state["index"] = min(int(st.session_state.get("index", 0)), len(samples) - 1)
    idx = st.session_state["index"]
    pos = int(np.searchsorted(candidates, idx))
    start = (pos // THUMBS) * THUMBS if pos < len(candidates) and candidates[pos] == idx else 0
    page = candidates[start:start + THUMBS]

    def choose_random() -> None:
        st.session_state["index"] = int(np.random.default_rng().choice(candidates))

    def choose_thumb() -> None:
        picked = clicked_index(st.session_state.get("gallery"))
        if picked is not None and picked < len(page):
            st.session_state["index"] = int(page[picked])

    c1, c2 = st.columns([3, 1])
    c1.number_input(f"Image index (0–{len(samples) - 1})", 0, len(samples) - 1, key="index")
    c2.button("Random", key="random", on_click=choose_random, help="a random image among those listed")
    thumbs = samples.images[page].astype(np.float32) / 255.0
    hover = [f"#{int(samples.indices[k])}: {CLASS_NAMES[samples.labels[k]]}" for k in page]
    # no outline on the chosen thumbnail: the figure then stays the same while the index moves within the
    # page, and Streamlit keeps the chart instead of drawing it anew (≈ 55 ms of every input change)
    fig = stage_figure(thumbs, f"{len(candidates)} images — click one", kind="input", height=330, hover=hover,
                       colour_bar=False)
    chart(fig, key="gallery", on_select=choose_thumb, selection_mode="points", config={"displayModeBar": False})
    idx = st.session_state["index"]
    label = int(samples.labels[idx])
    where = "test image" if full else "bundled test image"
    return samples.images[idx].astype(np.float32) / 255.0, label, \
        f"{where} #{int(samples.indices[idx])}: {CLASS_NAMES[label]}"


def _canvas(background: np.ndarray | None):
    """The drawing canvas, or None with a message if the component cannot load."""
    try:
        from streamlit_drawable_canvas import st_canvas
    except Exception as e:  # the component registers itself at import; report rather than crash
        st.error(f"The drawing canvas could not load ({e}). Pick or upload an image instead.")
        return None
    c1, c2 = st.columns(2)
    tool = c1.selectbox("Tool", ["freedraw", "line", "rect", "circle"], key="draw_tool")
    width = c2.slider("Brush width", 4, 60, 22, key="draw_width")
    bg = None
    if background is not None:
        from PIL import Image
        bg = Image.fromarray((background * 255).astype(np.uint8)).resize((CANVAS_PX, CANVAS_PX),
                                                                          Image.Resampling.NEAREST)
    return st_canvas(fill_color="#ffffff", stroke_width=width, stroke_color="#ffffff",
                     background_color="#000000", background_image=bg, drawing_mode=tool,
                     height=CANVAS_PX, width=CANVAS_PX, return_image_data=True,
                     key="canvas_edit" if bg is not None else "canvas")


def _draw_ui(edit_from: np.ndarray | None) -> tuple[np.ndarray | None, str]:
    result = _canvas(edit_from)
    if result is None:
        return None, ""
    rgba = result.image_data
    if edit_from is not None:
        from PIL import Image
        base = np.asarray(Image.fromarray((edit_from * 255).astype(np.uint8)).resize(
            (CANVAS_PX, CANVAS_PX), Image.Resampling.NEAREST), dtype=np.uint8)
        strokes = np.zeros((CANVAS_PX, CANVAS_PX), np.uint8) if rgba is None else \
            (np.asarray(rgba)[..., :3].max(-1) * (np.asarray(rgba)[..., 3] > 0)).astype(np.uint8)
        rgba = np.dstack([np.maximum(base, strokes)] * 3 + [np.full_like(base, 255)])
    try:
        prepared = prepare_drawing(rgba)
    except ImageError as e:
        st.info(str(e).capitalize())
        return None, ""
    return prepared.image, "your drawing" if edit_from is None else "the picked image, drawn over"


def _upload_ui() -> tuple[np.ndarray | None, str]:
    f = st.file_uploader("PNG or JPEG", type=["png", "jpg", "jpeg", "gif", "webp", "bmp"], key="upload")
    if f is None:
        st.info("Upload a photo of a garment; it is converted like Fashion-MNIST (light on black, 28×28).")
        return None, ""
    try:
        prepared = prepare_upload(f.getvalue(), f.name)
    except ImageError as e:
        st.error(str(e))
        return None, ""
    for note in prepared.notes:
        st.caption(note)
    return prepared.image, f"upload {f.name}"


def image_ui(model_key: str) -> tuple[np.ndarray | None, int | None, str]:
    """The chosen 28×28 image (float32 in [0, 1]) or None, its true label if known, and a caption."""
    source = st.segmented_control("Input", ["pick", "draw", "upload"], key="source",
                                  format_func={"pick": "Pick", "draw": "Draw", "upload": "Upload"}.get)
    source = source or "pick"
    if source == "draw":
        edit = st.toggle("Start from the picked image (what-if)", key="draw_edit")
        base = None
        if edit:
            samples, _ = gallery()
            base = samples.images[min(int(st.session_state.get("index", 0)), len(samples) - 1)] / 255.0
        image, caption = _draw_ui(base)
        return image, None, caption
    if source == "upload":
        image, caption = _upload_ui()
        return image, None, caption
    return _pick_ui(model_key)
