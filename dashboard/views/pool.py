"""The pooling detail view: one window of the input map, the op on its numbers, the pooled map."""
from __future__ import annotations

import streamlit as st

from dashboard.core.charts import CHART_OPTIONS, chart
from dashboard.figures.detail import pool_figure
from dashboard.views.common import Detail, clicked_pixel, position_ui
from lenet.explain import pool_window
from lenet.i18n import _
from lenet.ops import POOLINGS


def show(d: Detail) -> None:
    C, H, W = d.acts[d.stage].shape
    c, i, j = position_ui(C, H, W, _("map"), d.controls())
    windows = [pool_window(d.model, d.acts, d.stage, c, i, j)]
    if d.other is not None:  # compare mode: the same window under the other model's pooling, side by side
        windows.append(pool_window(*d.other, d.stage, c, i, j))
    source = d.model.stages.previous(d.stage).name
    key = "pl_fig"
    chart(pool_figure(windows, d.acts[source][c], d.acts[d.stage][c], i, j, source, d.stage, c,
                      d.paint(source, c), d.paint(d.stage, c), d.font, d.width if d.narrow else None),
          key=key, on_select=lambda: clicked_pixel(key, W), selection_mode="points", config=CHART_OPTIONS,
          width="content" if d.narrow else "stretch")
    st.markdown("  \n".join("**" + _("{op} pooling: {spelled} = {value:.4f}").format(
        op=_(POOLINGS[w.op].label), spelled=POOLINGS[w.op].spelled(w.window), value=w.value) + "**" for w in windows))
