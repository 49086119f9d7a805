"""The detail views, one module per stage kind, chosen through the stage registry's `kind`.

Adding a view: a module with show(detail: Detail) and one line in DETAIL_VIEWS. The stage selector offers
every stage whose kind has a view.
"""
from __future__ import annotations

from typing import Callable

import streamlit as st

from dashboard.views import activation, conv, dense, pool, softmax
from dashboard.views.common import Acts, Detail
from lenet.model import LeNet
from lenet.stages import STAGE_BY_NAME, STAGES

DETAIL_VIEWS: dict[str, Callable[[Detail], None]] = {
    "conv": conv.show,
    "activation": activation.show,
    "pool": pool.show,
    "dense": dense.show,
    "softmax": softmax.show,
}
NO_STAGE = "— none: click a map or neuron above, or choose a stage here —"


def detail_ui(model: LeNet, acts: Acts, other: tuple[LeNet, Acts] | None = None) -> None:
    """Stage selector, its explanation, and the view for its kind.

    None is open at first: a click on a map or neuron in the overview (or this selector) opens one, as in
    CNN Explainer. The overview alone answers an input change faster (a detail view costs the browser
    ~50-80 ms more per change), which matters most while a lecturer clicks through images.
    """
    names = ["", *(s.name for s in STAGES if s.kind in DETAIL_VIEWS)]
    if st.session_state.get("stage") not in names:
        st.session_state["stage"] = ""
    stage = st.selectbox("Explain stage", names, key="stage",
                         format_func=lambda n: f"{STAGE_BY_NAME[n].title} ({n})" if n else NO_STAGE)
    if not stage:
        return
    st.info(STAGE_BY_NAME[stage].describe(model.config))
    DETAIL_VIEWS[STAGE_BY_NAME[stage].kind](Detail(model, acts, stage, other))
