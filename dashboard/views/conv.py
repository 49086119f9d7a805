"""The conv detail view: every input map under the window, kernel ⊙ patch, the sums, bias and activation."""
from __future__ import annotations

import numpy as np
import streamlit as st

from dashboard.core.charts import CHART_OPTIONS, chart
from dashboard.figures.base import clicked_customdata
from dashboard.figures.detail import MAX_PICKABLE, conv_figure
from dashboard.views.common import Detail, after_layer, position_ui, step
from lenet.explain import conv_window
from lenet.i18n import _

PLAY_SECONDS = 0.25  # one window position per timed rerun while 'play' is on: four a second

SUMS = 8  # input maps whose sums the line under the figure writes out



def show(d: Detail) -> None:
    """While 'play' is on the view reruns alone (a fragment) every PLAY_SECONDS, one pixel further."""
    playing = bool(st.session_state.get("playing"))
    st.fragment(_sliding_window, run_every=PLAY_SECONDS if playing else None)(d, playing)


def _clicked(key: str, W: int) -> None:
    """A click on the figure: an output pixel (its index) or one of the input maps (["in", m])."""
    for cd in clicked_customdata(st.session_state.get(key)):
        if isinstance(cd, list) and len(cd) == 2 and cd[0] == "in":
            st.session_state["in_map"] = int(cd[1])
            return
        if isinstance(cd, (int, float)):
            st.session_state["row"], st.session_state["col"] = divmod(int(cd), W)
            return


def _sliding_window(d: Detail, created_playing: bool) -> None:
    if bool(st.session_state.get("playing")) != created_playing:
        st.rerun(scope="app")  # play switched: the fragment is made again with (or without) its timer
    C, H, W = d.acts[d.stage].shape
    if created_playing:  # each timed rerun of the fragment moves one position on
        step(H, W, 1)
    c, i, j = position_ui(C, H, W, _("output map"), d.controls(), steps=True)
    w = conv_window(d.model, d.acts, d.stage, c, i, j)
    n_in = len(w.channel_sums)
    chosen = st.session_state.get("in_map", -1)
    if not 0 <= chosen < n_in:  # at first the input map that adds the most
        chosen = int(np.argmax(np.abs(w.channel_sums)))
    source = d.model.stages.previous(d.stage)
    act_label, act_stage = after_layer(d.model, d.stage)
    key = "cv_fig"
    named = source.title if source.kind == "input" else source.name  # (the input by its name in the language)
    chart(conv_figure(w, d.acts[d.stage][c], c, d.stage, named, act_label, d.paint(source.name),
                      d.paint(d.stage, c), chosen, d.font, d.width if d.narrow else None),
          key=key, on_select=lambda: _clicked(key, W), selection_mode="points", config=CHART_OPTIONS,
          width="content" if d.narrow else "stretch")
    sums = " + ".join(f"{s:.3f}" for s in w.channel_sums[:SUMS])  # (64 input maps: the first few, and a count)
    if n_in > SUMS:
        sums += " + " + _("… ({n} more)").format(n=n_in - SUMS)
    hints = [_("click an output pixel") if H * W <= MAX_PICKABLE else "", _("click an input map for its numbers")
             if n_in > 1 else ""]
    st.markdown(
        _("**Σ per input map** {sums} **+ bias** {bias:+.3f} **=** {z:.4f} → **{act} = {a:.4f}** ({where})").format(
            sums=sums, bias=w.bias, z=w.pre_activation, act=act_label, a=w.activated,
            where=f"{act_stage}[{c}, {i}, {j}]"),
        help=_("; ").join(h for h in hints if h) or None)
