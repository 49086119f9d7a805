"""The activation detail view: the activation's curve with every value of one map (or layer) on it."""
from __future__ import annotations

import streamlit as st

from dashboard.core.charts import CHART_OPTIONS, chart
from dashboard.figures.detail import activation_figure
from dashboard.views.common import Detail, map_ui
from lenet.explain import activation_curve
from lenet.i18n import _
from lenet.ops import ACTIVATIONS


def show(d: Detail) -> None:
    pre, post = d.acts[d.model.stages.previous(d.stage).name], d.acts[d.stage]
    act = ACTIVATIONS[d.model.config.activation]
    x, y = activation_curve(act.name)
    highlight = None
    row = d.controls()
    if pre.ndim == 3:  # maps: one map at a time, the chosen pixel marked
        c = map_ui(len(pre), _("map"), row)
        pre, post = pre[c], post[c]
        i = min(st.session_state.get("row", 0), pre.shape[0] - 1)
        j = min(st.session_state.get("col", 0), pre.shape[1] - 1)
        highlight = (float(pre[i, j]), float(post[i, j]))
    chart(activation_figure(x, y, pre, post, _(act.label), highlight, height=320 if d.narrow else 380), key="act_curve",
          config=CHART_OPTIONS)
