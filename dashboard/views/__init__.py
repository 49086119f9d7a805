"""The detail views, one module per stage kind, chosen through the stage registry's `kind`.

Adding a view: a module with show(detail: Detail) and one line in DETAIL_VIEWS. The stage selector offers
every stage of the model shown whose kind has a view.
"""
from __future__ import annotations

from typing import Callable

import numpy as np
import streamlit as st

from dashboard.figures.detail import strongest
from dashboard.parts.overview import View
from dashboard.views import activation, batchnorm, conv, dense, dropout, pool, softmax
from dashboard.views.common import Acts, Detail
from lenet.model import LeNet
from lenet.stages import STAGES, Stages

DETAIL_VIEWS: dict[str, Callable[[Detail], None]] = {
    "conv": conv.show,
    "batchnorm": batchnorm.show,
    "activation": activation.show,
    "pool": pool.show,
    "dense": dense.show,
    "dropout": dropout.show,
    "softmax": softmax.show,
}


def detail_ui(model: LeNet, acts: Acts, view: View, other: tuple[LeNet, Acts] | None = None, font: int = 12,
              width: float = 1190.0, nav: Callable[[], None] | None = None) -> None:
    """The view for the open stage's kind, then what the stage does (shown in a dialog over the overview, opened
    by a click on a map or neuron, or by ?stage= in the URL, as in CNN Explainer). width: px of the dialog's
    content; nav: draws the dialog's buttons, in the view's row of controls."""
    names = detail_stages(model.stages)
    stage = st.session_state.get("stage")
    if stage not in names:
        return
    settle_map(acts)
    _open_on_the_strongest(acts, stage)
    DETAIL_VIEWS[model.stages.by_name[stage].kind](Detail(model, acts, stage, view, other, font, width, nav))
    st.caption(model.stages.by_name[stage].describe(model.config))


def detail_stages(stages: Stages) -> list[str]:
    """The stages that have a detail view, in order; remembered for the session's keys and buttons, whose
    callbacks run before the page knows its model."""
    names = [s.name for s in stages if s.kind in DETAIL_VIEWS]
    st.session_state["_detail_stages"] = names
    return names


def next_detail_stage(current: str | None, delta: int) -> str:
    """The stage with a detail view delta places after current (before the first: the first, or the last), in
    the model the page showed last."""
    names = st.session_state.get("_detail_stages") or [s.name for s in STAGES if s.kind in DETAIL_VIEWS]
    k = names.index(current) if current in names else (-1 if delta > 0 else 0)
    return names[(k + delta) % len(names)]


def move_stage(delta: int) -> None:
    """Open the previous (-1) or next (+1) stage that has a detail view, on its strongest map (see settle_map)."""
    st.session_state["stage"] = next_detail_stage(st.session_state.get("stage"), delta)
    st.session_state["map"] = -1


def strongest_unit(values: np.ndarray) -> int:
    """The map (or neuron) a stage opens on when none was clicked: the one with the largest value. For the
    logits that is the predicted class; for maps the one that responds most somewhere."""
    values = np.asarray(values)
    return int(np.argmax(values.reshape(len(values), -1).max(axis=1)))


def settle_map(acts: Acts) -> None:
    """A stage opened without a map (a key, a link naming none: map -1) opens on its strongest one; before
    the overview is drawn, so that its outline is on that map too."""
    stage = st.session_state.get("stage")
    if stage in acts and int(st.session_state.get("map", 0)) < 0:
        st.session_state["map"] = strongest_unit(acts[stage])
        if st.session_state.get("_opened") == (stage, -1):  # a link naming the pixel (not the map) keeps it
            st.session_state["_opened"] = (stage, st.session_state["map"])


def _open_on_the_strongest(acts: Acts, stage: str) -> None:
    """A map opened anew starts at its strongest response, not at an all-zero corner of the background.
    (A link that names the pixel keeps it: the state read from the URL counts as already opened.)"""
    c = int(st.session_state.get("map", 0))
    if st.session_state.get("_opened") == (stage, c):
        return
    st.session_state["_opened"] = (stage, c)
    values = acts[stage]
    if np.ndim(values) == 3 and 0 <= c < len(values):
        st.session_state["row"], st.session_state["col"] = strongest(values[c])
        st.session_state["in_map"] = -1
