"""The conv detail view: every input map under the window, kernel ⊙ patch, the sums, bias and activation."""
from __future__ import annotations

import streamlit as st

from dashboard.charts import CHART_OPTIONS, chart
from dashboard.figures_detail import MAX_PICKABLE, conv_figure
from dashboard.views.common import Detail, clicked_pixel, position_ui, step
from lenet.explain import conv_window
from lenet.ops import ACTIVATIONS
from lenet.stages import next_stage, previous_stage

PLAY_SECONDS = 0.7  # one window position per timed rerun while 'play' is on


def show(d: Detail) -> None:
    """While 'play' is on the view reruns alone (a fragment) every PLAY_SECONDS, one pixel further."""
    playing = bool(st.session_state.get("playing"))
    st.fragment(_sliding_window, run_every=PLAY_SECONDS if playing else None)(d)


def _sliding_window(d: Detail) -> None:
    C, H, W = d.acts[d.stage].shape
    if st.session_state.get("playing"):  # each timed rerun of the fragment moves one position on
        step(H, W, 1)
    c, i, j = position_ui(C, H, W, "output map", steps=True)
    w = conv_window(d.model, d.acts, d.stage, c, i, j)
    st.caption("the output pixel: " + ("click it on the output map, " if H * W <= MAX_PICKABLE else "") +
               "choose its row and column, step or play")
    source = previous_stage(d.stage)
    act = ACTIVATIONS[d.model.config.activation]
    key = "cv_fig"
    chart(conv_figure(w, d.acts[d.stage][c], c, d.stage, source.name, source.kind == "input", act.label),
          key=key, on_select=lambda: clicked_pixel(key, W), selection_mode="points", config=CHART_OPTIONS)
    sums = " + ".join(f"{s:.3f}" for s in w.channel_sums)
    st.markdown(
        f"**Sum per input map:** {sums}  \n"
        f"**+ bias** {w.bias:+.3f} **= pre-activation** {w.pre_activation:.4f}  \n"
        f"**{act.label}({w.pre_activation:.4f}) = {w.activated:.4f}** (the value in {next_stage(d.stage).name} at "
        f"map {c}, row {i}, column {j})")
