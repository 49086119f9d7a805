"""The explorer page: the whole network on the first screen, a slim input bar above it, details where you click.

Layout, top to bottom: one bar of controls (pooling, activation, input source, class, image, random, only
wrong, the prediction), a strip of small thumbnails (or, for drawing and uploading, a column beside the
overview), then the overview, sized to what is left of the window. A click on a map or neuron opens its
numbers in a dialog over the overview (close it with its × or Esc). Less used settings are in the ⚙ Settings
panel at the right end of the header, over the page: the network keeps its size while it is open.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st

from dashboard.app_pages.explorer_parts import (accuracy_line, choices, compare_overviews, detail_dialog, same_shapes,
                                                prediction_text)
from dashboard.app_pages.settings import (another_network_note, epoch_ui, gone_note, ops_settled, same_weights_ui,
                                          settings_ui,
                                          settle_ops_from_link)
from dashboard.core.cache import acts_for, get_model, measured_once, model_error, overview
from dashboard.core.choice import ModelChoice, ops_label
from dashboard.figures.overview import DEFAULT_SCREEN, Screen
from dashboard.parts.inputs import Picked, candidates, draw_ui, pick_controls_ui, picked, source_ui, strip_ui, upload_ui
from dashboard.core.keys import HELP, keys_ui
from dashboard.figures.layout import text_width
from dashboard.parts.overview import focus_ui, look, overview_ui, shared_limits
from dashboard.views import detail_stages
from dashboard.figures.pictures import seen_image
from dashboard.core.screen import screen_ui
from dashboard.core.state import init_state, ops_changed, sync_query_params
from dashboard.core.text import plain
from dashboard.views import settle_map
from dashboard.parts.why import settle_class, why_button, why_dialog
from lenet.config import ModelConfig
from lenet.i18n import _
from lenet.model import LeNet
from lenet.stages import stages_of
from lenet.ops import ACTIVATIONS, POOLINGS

RESERVED = 242  # px of the window above and below the overview: the page header, the bar, the strip, gaps (an
# estimate for the first drawing: the browser then measures where the network starts, screen.py)
STRIP_ROW = 56  # px of that for the strip's row (drawing and uploading have none)
PRESENT_RESERVED = 150  # the same in presentation mode: the prediction and the keys above
# presentation mode: no settings button, no header, the page from the top
PRESENT_CSS = """<style>
.st-key-settings, [data-testid="stHeader"] {display: none;}
[data-testid="stMainBlockContainer"] {padding-top: 0.6rem;}
</style>"""
SIDE_MAX, SIDE_MIN = 310, 200  # px of the column beside the overview when drawing or uploading ...
OVERVIEW_MIN = 1040  # ... which leaves the overview at least this (below it, the maps shrink fast: its texts)
SEEN = 46  # px of "what the network sees" beside the strip
INFO = 400  # px of the prediction and caption beside it (the caption: two lines at most)
WHY_PAD = 28  # px of the Why? button after them beyond its label's (a button's paddings and border)
GAP_PX = 18  # px between the elements of a row (a "small" gap: 1 rem at 18 px type)
# the bar's buttons a little narrower than Streamlit's: every control in one row at 1280 px
BAR_CSS = "<style>.st-key-bar button {padding-left: 0.6rem; padding-right: 0.6rem;}</style>"


def show() -> None:
    init_state()
    settle_ops_from_link()
    settings_ui()
    present = bool(st.session_state.get("present"))
    if present:
        st.html(PRESENT_CSS)
    keys_ui()
    gone_note()
    # Outside the fragment: a new size reruns the whole page. Inside, its first report could arrive while the
    # page's first run is still being drawn, and the browser fails to place a fragment's update into it.
    picking = (st.session_state.get("source") or "pick") == "pick"
    screen = screen_ui(PRESENT_RESERVED if present else RESERVED if picking else RESERVED - STRIP_ROW)
    # everything that depends on the image reruns alone when only the image or a control of the page changes
    # (a fragment): the settings panel is not sent again
    st.fragment(_body)(screen)


def _bar(model_key: str) -> tuple[str, np.ndarray | None]:
    """The bar of controls, one row (wrapping on a narrow window); returns the input source and the pick
    candidates. One horizontal container rather than a column per control: every element is a message per
    input change, and the columns were more than half of the page's."""
    st.html(BAR_CSS)
    with st.container(horizontal=True, vertical_alignment="center", gap="xsmall", key="bar"):
        st.segmented_control(_("Pooling"), list(POOLINGS), key="pooling",
                             format_func=lambda p: _(POOLINGS[p].label), label_visibility="collapsed",
                             help=_("pooling after each conv block"), on_change=ops_changed)
        st.segmented_control(_("Activation"), list(ACTIVATIONS), key="activation", label_visibility="collapsed",
                             format_func=lambda a: _(ACTIVATIONS[a].label), help=_("activation after each layer"),
                             on_change=ops_changed)
        ops_settled()
        same_weights_ui()
        epoch_ui()
        source = source_ui()
        allowed = pick_controls_ui(model_key) if source == "pick" else None
    return source, allowed


def why_px() -> int:
    """The Why? button's width in the session's language ("为什么？" is half again as wide as "Why?")."""
    return int(text_width(_("Why?"), 16) + WHY_PAD)


def _body(reported: Screen | None) -> None:
    screen = reported or DEFAULT_SCREEN
    choice, other = choices()
    if st.session_state.get("present"):
        _presentation(choice, other, reported)
        return
    error = model_error(choice.key)
    ready = None
    if not error:
        measured_once(choice.key)  # (said while it runs, for a model many times the seed's work)
    if not error and reported is not None and (st.session_state.get("source") or "pick") == "pick":
        # A picked image is known before any widget is drawn: the network is computed first, so that the bar,
        # the strip and the overview reach the browser in one burst (each separate burst is another redraw).
        ready = _prepare(choice, other, picked(), screen)
    source, allowed = _bar(choice.key)
    another_network_note()
    if error:
        st.error(_("This model cannot be loaded: {error}. Choose another one in ⚙ Settings.").format(
            error=plain(error)))
        sync_query_params()
        return
    narrow = screen.narrow  # a phone or a tablet: everything in one column, the network a stage a row
    if source == "pick":
        seen_row = st.container(horizontal=True, vertical_alignment="center", gap="small", key="seen")
        strip_room = screen.width if narrow else screen.width - SEEN - INFO - why_px() - 4 * GAP_PX
        with (st.container() if narrow else seen_row):
            strip_ui(choice.key, allowed if allowed is not None else candidates(choice.key), strip_room)
        view = picked()
        main, room = st.container(key="network"), screen
    elif narrow:
        view = draw_ui() if source == "draw" else upload_ui()
        seen_row = st.container(horizontal=True, vertical_alignment="center", gap="small", key="seen")
        main, room = st.container(key="network"), screen
    else:
        width = int(min(SIDE_MAX, max(SIDE_MIN, screen.width - OVERVIEW_MIN)))
        side, right = st.columns([width, max(1.0, screen.width - width)], gap="small")
        with side:
            view = draw_ui() if source == "draw" else upload_ui()
            seen_row = st.container(horizontal=True, vertical_alignment="center", gap="xsmall", key="seen")
            below = st.container(key="seen_below")  # what runs and the image, under the prediction (narrow)
        main = right.container(key="network")
        room = Screen(screen.width - width - 16, screen.height)  # (a projector's: the network a stage a column)
    if view.image is None or reported is None:  # (the overview waits for the browser's size)
        sync_query_params()
        return
    if ready is None or not _same(ready.view, view) or ready.room != room:
        ready = _prepare(choice, other, view, room)
    if source == "pick" and not narrow:
        info = INFO
    elif narrow:
        info = int(max(100, screen.width - SEEN - why_px() - 3 * GAP_PX))
    else:  # beside the pad: the picture and the prediction in the side column's row, the rest under them
        info = int(max(60, width - 16 - SEEN - 9))
    _draw(ready, main, seen_row, info, screen.width, below if source != "pick" and not narrow else None)
    sync_query_params()


def _presentation(choice, other, reported: Screen | None) -> None:
    """Presentation mode: no sidebar, no bar; the network fills the screen; the keys (keys.HELP) drive it."""
    top, keys_help = st.columns([3, 2], vertical_alignment="center")
    at = st.session_state.get("present_at")
    config = choice_config(choice)
    stages = stages_of(config)
    if at in stages.by_name:  # the stage framed on the network, in a sentence; its numbers one key away
        stage = stages.by_name[at]
        keys_help.markdown(_("**{title}** ({name}): {what}").format(
            title=stage.title, name=stage.name, what=first_sentence(stage.describe(config)))
            + "  \n:small[:gray[" + _("Enter: its numbers · →/PgDn, ←/PgUp: the next, the previous stage") + "]]")
    else:
        keys_help.caption(_("Keys: {keys}").format(keys=_(HELP)))
    view = picked() if st.session_state.get("source") != "draw" else draw_ui()
    if reported is not None and view.image is not None and not model_error(choice.key):
        _network(choice, other, view, st.container(key="network"), reported,
                 top.container(horizontal=True, vertical_alignment="center", gap="small", key="seen"))
    sync_query_params()
    ops_settled()  # (no bar here: the keys change the ops, which a link's model's own must not undo)


def first_sentence(text: str) -> str:
    """A stage's explanation up to its first full stop (its first sentence; "。" in Chinese)."""
    ends = [k for k in (text.find(". "), text.find("。")) if k >= 0]
    return text[:min(ends) + 1] if ends else text


def choice_config(choice: ModelChoice) -> ModelConfig:
    """The member and the ops the shown model runs (what a stage's explanation fills in): its own config where its
    file reads, else the seed's LeNet with the chosen ops."""
    if not model_error(choice.key):
        return get_model(choice.key).config
    return ModelConfig(choice.activation, choice.pooling)


@dataclass
class _Ready:
    """Everything the network part of the page shows, computed before any of it is drawn."""

    choice: ModelChoice
    view: Picked
    room: Screen
    model: LeNet
    acts: dict
    image: bytes  # what the network sees, float32
    seen: str
    overviews: list  # (title, chart key, figure) each
    focus: bool
    other: tuple | None  # compare mode's (model, acts) of B


def _prepare(choice: ModelChoice, other: ModelChoice | None, view: Picked, room: Screen) -> _Ready:
    image = np.ascontiguousarray(view.image, dtype=np.float32)
    model, acts = get_model(choice.key), acts_for(choice.key, image.tobytes())
    settle_class(acts["softmax"])
    settle_map(acts)
    comparing = other is not None and not model_error(other.key)
    focus = bool(st.session_state.get("focus")) and not comparing
    b = None
    if comparing:
        b = get_model(other.key), acts_for(other.key, image.tobytes())
        overviews = compare_overviews(model, b[0], choice, other, acts, b[1], view.label, room)
        if not same_shapes(model, b[0]):  # (the detail views set A's numbers beside B's: only where they line up)
            b = None
    else:
        overviews = [] if focus else [("", "overview", overview(choice.key, image.tobytes(), view.label, room,
                                                                look()))]
    return _Ready(choice, view, room, model, acts, image.tobytes(), seen_image(image), overviews, focus, b)


def _same(a: Picked, b: Picked) -> bool:
    return (a.label, a.caption) == (b.label, b.caption) and np.array_equal(a.image, b.image)


def _network(choice, other, view: Picked, main, room: Screen, seen_row) -> None:
    _draw(_prepare(choice, other, view, room), main, seen_row, "stretch", room.width)


def _draw(r: _Ready, main, seen_row, info: int | str = INFO, page_width: float = DEFAULT_SCREEN.width,
          below=None) -> None:
    """What the network sees and its prediction in seen_row (the text `info` px wide; what runs and what the
    image is with it, or in `below` if given), the overviews in main; the open dialog (as wide as the page of
    page_width px allows)."""
    note = ""
    if st.session_state["weights_mode"] == "trained" and r.choice.swapped:
        note = _(" No shipped weights were trained with {ops}: train some on the Training page.").format(
            ops=ops_label(r.choice.activation, r.choice.pooling))
    seen_row.image(r.seen, width=SEEN, caption=None)
    # the prediction and its caption in one element (one message less per input change)
    said = f":small[:gray[{r.choice.label} · {plain(r.view.caption)}]]"
    help = _("{model}; {accuracy}.{note} The picture: what the network sees, 28×28.").format(
        model=r.choice.label, accuracy=accuracy_line(r.choice), note=note)
    if below is None:
        seen_row.markdown(f"{prediction_text(r.acts, r.view.label)}  \n{said}", width=info, help=help)
    else:
        seen_row.markdown(prediction_text(r.acts, r.view.label), width=info)
        below.markdown(said, help=help)
    if not st.session_state.get("present"):  # (presentation mode's top row has no room for it)
        why_button(seen_row if below is None else below, r.acts["softmax"])
    with main:
        if r.focus:
            focus_ui(r.model, r.acts, r.view.label, r.room)
        for title, key, fig in r.overviews:
            if title:
                st.markdown(title)
            overview_ui(fig, key)
    if st.session_state.get("stage") not in detail_stages(r.model.stages):  # (a link's stage this member lacks)
        st.session_state["stage"] = ""
    if st.session_state.get("stage"):
        shared = shared_limits(r.model.stages, r.acts, r.other[1]) if r.other else None
        detail_dialog(r.model, r.acts, r.other, r.view.label, shared,
                      r.room.font, page_width)
    elif st.session_state.get("why_open"):
        why_dialog(r.choice.key, r.image, r.acts["softmax"], r.view.label, r.room.font, page_width)
