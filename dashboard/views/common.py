"""What every detail view shares: what it is given (Detail) and the row of controls that picks an output."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import streamlit as st

from dashboard.figures.base import clicked_index
from dashboard.figures.detail import Paint
from dashboard.parts.overview import View, colouring
from lenet.i18n import _
from lenet.model import LeNet
from lenet.ops import ACTIVATIONS

Acts = dict[str, np.ndarray]  # stage name -> one image's output, no batch dimension


NARROW = 700  # px of dialog content below which the detail figures are laid out top to bottom (a phone)
FIELD_PX = 140  # a number field of the controls' row (two side by side on a phone)


@dataclass(frozen=True)
class Detail:
    """A detail view's inputs: the model shown, its stage outputs for the image, the stage to explain."""

    model: LeNet
    acts: Acts
    stage: str
    view: View  # how the overview shows these outputs: detail views colour them the same way
    other: tuple[LeNet, Acts] | None = None  # compare mode: the model compared with, and its outputs
    font: int = 12  # figure text size for this screen
    width: float = 1190.0  # px of the dialog's content
    nav: Callable[[], None] | None = None  # draws the dialog's buttons (close, previous, next) where it is called

    def paint(self, stage: str, c: int | None = None) -> Paint:
        """The colours of a stage's map c (or all of it) as the overview has them."""
        return Paint(*colouring(self.view, stage, c))

    @property
    def narrow(self) -> bool:
        """A phone: figures top to bottom, each as wide as the screen."""
        return self.width < NARROW

    def controls(self):
        """One row (wrapping on a phone) with the dialog's buttons, for the view's controls after them: made by
        the view, inside its own fragment if it has one (a fragment writes only into its own containers)."""
        if st.session_state.get("stage") != self.stage:  # Close, ◀ or ▶ in a view that reruns alone (a fragment):
            st.rerun(scope="app")  # the whole page again, so that the dialog closes or opens on the other stage
        row = st.container(horizontal=True, vertical_alignment="bottom", gap="small")
        if self.nav is not None:
            with row:
                self.nav()
        return row


def after_layer(model: LeNet, stage: str) -> tuple[str, str]:
    """What a conv or dense layer's output goes through before its activation's value, and that activation
    stage's name: ('sigmoid', 'act1'), or ('BatchNorm, sigmoid', 'act1') where the layer has a BatchNorm."""
    act = _(ACTIVATIONS[model.config.activation].label)
    nxt = model.stages.next(stage)
    if nxt is not None and nxt.kind == "batchnorm":
        return _("BatchNorm, {act}").format(act=act), model.stages.next(nxt.name).name
    return act, nxt.name if nxt is not None else ""


def map_ui(count: int, label: str, where=None) -> int:
    """Which map (or neuron) of the stage: a number input, kept in range."""
    st.session_state["map"] = min(max(0, int(st.session_state.get("map", 0))), count - 1)
    return (where or st).number_input(_("{what} (0–{last})").format(what=label, last=count - 1), 0, count - 1,
                                      key="map", width=FIELD_PX)


def position_ui(C: int, H: int, W: int, label: str, where, steps: bool = False) -> tuple[int, int, int]:
    """The map, the output pixel's row and column (a click on the output map sets them too) and, with steps,
    step back / play / step forward along the sliding window's path, into `where` (the controls' row).

    Number inputs rather than sliders: the page redraws every control after each input change, and a slider
    measures the page as it draws (a forced layout, ~10 ms of the browser's time per change, per slider).
    """
    st.session_state["row"] = min(int(st.session_state.get("row", 0)), H - 1)
    st.session_state["col"] = min(int(st.session_state.get("col", 0)), W - 1)
    with where:
        c = map_ui(C, label)
        st.number_input(_("output row i (0–{last})").format(last=H - 1), 0, H - 1, key="row", width=FIELD_PX,
                        help=_("the output pixel: choose its row and column, step or play") if steps else
                        _("the output pixel: choose its row and column"))
        st.number_input(_("output column j (0–{last})").format(last=W - 1), 0, W - 1, key="col", width=FIELD_PX)
        if steps:
            st.button(_("◀ step"), key="step_back", on_click=step, args=(H, W, -1))
            st.toggle(_("play"), key="playing", help=_("slide the window across the map, four positions a second"))
            st.button(_("step ▶"), key="step_fwd", on_click=step, args=(H, W, 1))
    return c, st.session_state["row"], st.session_state["col"]


def step(H: int, W: int, delta: int) -> None:
    """Move the output pixel by delta positions in reading order (the sliding window's path)."""
    flat = (st.session_state.get("row", 0) * W + st.session_state.get("col", 0) + delta) % (H * W)
    st.session_state["row"], st.session_state["col"] = divmod(flat, W)


def clicked_pixel(key: str, W: int) -> None:
    """A click on an output map's pixel (its picker) chooses that pixel."""
    flat = clicked_index(st.session_state.get(key))
    if flat is not None:
        st.session_state["row"], st.session_state["col"] = divmod(flat, W)
