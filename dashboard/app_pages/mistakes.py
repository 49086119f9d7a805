"""The Mistakes page: where a model goes wrong across the test set. The confusion matrix (counts or shares of
each true class), each class's accuracy, a click on a cell shows its images, a click on an image opens it in the
explorer; the most confident mistakes. Any shipped variant, model trained here, or epoch of one."""
from __future__ import annotations

import numpy as np
import streamlit as st

from dashboard.app_pages.model_pick import page_head
from dashboard.core.cache import gallery, mistakes_of
from dashboard.core.choice import ModelChoice, user_file_epoch
from dashboard.core.charts import CHART_OPTIONS, chart
from dashboard.figures.base import clicked_customdata, clicked_index
from dashboard.figures.mistakes import confusion_figure, confusion_rows_figure, gallery_figure
from dashboard.core.keys import taps_ui
from dashboard.core.links import explorer_page
from dashboard.figures.overview import DEFAULT_SCREEN
from dashboard.figures.rows import row_font
from dashboard.core.screen import screen_ui
from dashboard.core.state import init_state
from lenet.data import class_name, class_names
from lenet.i18n import _

SHOWN = 40  # images of a cell shown at most (most confident first)
THUMB = 50  # px per image in the galleries
RESERVED = 200  # px of the window above the matrix: the page's menu, the row of controls, the caption



def _open_in_explorer(choice: ModelChoice, position: int) -> None:
    """Show gallery image `position` in the explorer, on this model."""
    state = st.session_state
    state["index"], state["source"], state["pick_class"], state["pick_wrong"] = position, "pick", "all classes", False
    if choice.user:
        file, epoch = user_file_epoch(choice.weights)
        state["weights_mode"], state["user_model"], state["user_epoch"] = "user", file, int(epoch or -1)
    else:
        state["weights_mode"] = "trained"
    state["activation"], state["pooling"] = choice.activation, choice.pooling  # the ops it was looked at with
    state["stage"] = ""
    state["_open_explorer"] = True


def _gallery(key: str, choice: ModelChoice, positions: np.ndarray, title: str, width: int, font: int,
             named: bool = False, narrow: bool = False) -> None:
    """The images at positions (the most confident first); named: each with its prediction and true class;
    narrow: a phone's (taps, the page scrolls under a finger)."""
    samples = gallery()[0]
    m = mistakes_of(choice.key)
    shown = positions[:SHOWN]
    st.markdown(title)
    if not len(shown):
        st.caption(_("No images."))
        return
    said = _("#{n}: {true} — predicted {predicted} {p:.0%}; click to open it in the explorer")
    hover = [said.format(n=int(samples.indices[k]), true=class_name(m.labels[k]),
                         predicted=class_name(m.predictions[k]), p=m.confidence[k]) for k in shown]

    def opened() -> None:
        k = clicked_index(st.session_state.get(key))
        if k is not None and k < len(shown):
            _open_in_explorer(choice, int(shown[k]))

    labels = [(class_name(m.predictions[k]), class_name(m.labels[k])) for k in shown] if named else None
    fig = gallery_figure(samples.images[shown], hover, [bool(m.labels[k] != m.predictions[k]) for k in shown],
                         THUMB, width, labels, font, key if narrow else None)
    if narrow:
        st.session_state.setdefault("_galleries", {})[key] = (choice.key, [int(k) for k in shown])
        chart(fig, key=key, width="content", config={"displayModeBar": False})
    else:
        chart(fig, key=key, on_select=opened, selection_mode="points", width="content",
              config={"displayModeBar": False})
    if named:
        st.caption(_(":red[predicted] · :green[true] class under each image; framed in red: a mistake"))
    if len(positions) > SHOWN:
        st.caption(_("The {k} most confident of {n:,}.").format(k=SHOWN, n=len(positions)))


def _tapped(hit) -> None:
    """A tap on a phone's figure: a part of a class's row ([true, predicted]) or an image (["gallery key", k])."""
    if isinstance(hit, list) and len(hit) == 2 and all(isinstance(v, int) for v in hit):
        st.session_state["mistakes_cell"] = hit
    elif isinstance(hit, list) and len(hit) == 2 and isinstance(hit[1], int):
        key, shown = st.session_state.get("_galleries", {}).get(hit[0], (None, []))
        if key and 0 <= hit[1] < len(shown):
            _open_in_explorer(ModelChoice.from_key(key), shown[hit[1]])


def _cell_clicked() -> None:
    for cd in clicked_customdata(st.session_state.get("confusion")):
        if isinstance(cd, list) and len(cd) == 2:
            st.session_state["mistakes_cell"] = [int(cd[0]), int(cd[1])]


def show() -> None:
    init_state()
    if st.session_state.pop("_open_explorer", False):
        st.switch_page(explorer_page())
    room = screen_ui(RESERVED, "screen_mistakes") or DEFAULT_SCREEN
    choice, (c3,) = page_head(_("Mistakes"), "mistakes_model", [2.3, 2.6, 1.6, 2.5])
    if choice is None:
        return
    normalised = c3.toggle(_("Shares of each true class"), key="mistakes_share",
                           help=_("each row as percentages of its class's images (off: counts)"))
    samples, full = gallery()
    with st.spinner(_("Running the model over every image (once per model)…")):
        m = mistakes_of(choice.key)
    where = (_("the full test set ({n:,} images)") if full else
             _("the {n:,} bundled test images (the full test set is not installed)")).format(n=len(samples))
    cell = st.session_state.get("mistakes_cell")
    narrow = room.narrow  # a phone or a tablet: a row per class, then the images under it
    how = _("Each class's images, split by what the model predicted (green: right). Tap a part to see its images, "
            "an image to open it in the explorer.") if narrow else _("Rows: the true class and its accuracy; "
                                                                     "columns: what the model predicted. Click a "
                                                                     "cell to see its images, an image to open it "
                                                                     "in the explorer.")
    st.caption(_("{model}: accuracy {acc:.1%} on {where}. {how}").format(  # (the label's name is escaped)
        model=choice.label, acc=m.accuracy, where=where, how=how))
    font = row_font(room.width) if narrow else room.font
    if narrow:  # a row per class (the matrix is too wide for a phone); taps instead of a selection widget
        taps_ui("mistakes_taps", _tapped)
        fig = confusion_rows_figure(m.counts, class_names(), font, room.width, tuple(cell) if cell else None)
        left, right, gallery_px = st.container(), st.container(), room.width
    else:
        fig = confusion_figure(m.counts, class_names(), normalised, font, 0.62 * room.width, room.height,
                               tuple(cell) if cell else None)
        width = int(fig["layout"]["width"])
        left, right = st.columns([width, max(1, room.width - width)], gap="medium")
        gallery_px = room.width - width - 40
    with left:
        if narrow:
            chart(fig, key="confusion", width="content", config={"displayModeBar": False})
        else:
            chart(fig, key="confusion", on_select=_cell_clicked, selection_mode="points", width="content",
                  config={**CHART_OPTIONS, "displayModeBar": "hover"})
    with right:
        if cell:
            t, p = cell
            title = _("**{true}** correct: {n:,} images") if t == p else \
                _("**{true}** predicted **{predicted}**: {n:,} images")
            _gallery("cell_gallery", choice, m.cell(t, p),
                     title.format(true=class_name(t), predicted=class_name(p), n=int(m.counts[t, p])), gallery_px,
                     font, narrow=narrow)
        _gallery("worst_gallery", choice, m.most_confident_mistakes(24), _("The most confident mistakes"), gallery_px,
                 font, named=True, narrow=narrow)
