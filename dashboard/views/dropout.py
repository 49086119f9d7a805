"""The dropout detail view: what it does while training, and that it passes every value at inference."""
from __future__ import annotations

import numpy as np
import streamlit as st

from dashboard.views.common import Detail, map_ui
from lenet.i18n import _


def show(d: Detail) -> None:
    out, before = d.acts[d.stage], d.acts[d.model.stages.previous(d.stage).name]
    with d.controls():
        k = map_ui(len(out), _("neuron"))
    p = d.model.stages.by_name[d.stage].spec.dropout
    same = bool(np.array_equal(out, before))
    st.markdown(_("**{stage}[{k}]** = {value:.4f}, the same as its input: at inference dropout is off. While "
                  "training, each of the {n} values was set to 0 with probability {p:g} and the others multiplied by "
                  "{scale:.2f}, a new random choice for every image.").format(
        stage=d.stage, k=k, value=float(out[k]), n=len(out), p=p, scale=1 / (1 - p)))
    if not same:  # (never: capture runs the model in eval mode)
        st.warning(_("These values differ from the layer before: the model ran in training mode."))
