"""The softmax detail view: from the logits to the probabilities, every step as a column of numbers, and a
temperature that sharpens or flattens the probabilities live while the logits stay (Transformer Explainer's
central interaction)."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.core.charts import CHART_OPTIONS, chart
from dashboard.figures.detail import temperature_figure
from dashboard.core.state import TEMPERATURES
from dashboard.views.common import Detail
from lenet.data import class_name, class_names
from lenet.explain import softmax_steps
from lenet.i18n import _



def reading(own, tempered) -> str:
    """One line on what the temperature did, from the numbers."""
    top = class_name(tempered.prediction)
    if abs(tempered.temperature - 1.0) < 1e-9:
        return _("At T = 1 these are the network's own probabilities: **{top}** {p:.1%}. Move T below 1 to sharpen "
                 "them, above 1 to flatten them.").format(top=top, p=tempered.probs[tempered.prediction])
    change = tempered.probs[tempered.prediction] - own.probs[own.prediction]
    said = _("T = {t:g} sharpens the probabilities: **{top}** {before:.1%} → {after:.1%} ({change:+.1%}), "
             "uncertainty {h_before:.2f} → {h_after:.2f} bits (at most 3.32, all ten equal). The logits and the "
             "prediction stay: dividing every logit by the same T keeps their order.") \
        if tempered.entropy < own.entropy else \
        _("T = {t:g} flattens the probabilities: **{top}** {before:.1%} → {after:.1%} ({change:+.1%}), "
          "uncertainty {h_before:.2f} → {h_after:.2f} bits (at most 3.32, all ten equal). The logits and the "
          "prediction stay: dividing every logit by the same T keeps their order.")
    return said.format(t=tempered.temperature, top=top, before=own.probs[own.prediction],
                       after=tempered.probs[tempered.prediction], change=change, h_before=own.entropy,
                       h_after=tempered.entropy)


def show(d: Detail) -> None:
    with d.controls():
        temperature = st.slider(_("Temperature T"), *TEMPERATURES, key="temperature", step=0.05, width=320,
                                help=_("the probabilities are softmax(z / T): T < 1 sharpens them, T > 1 flattens "
                                       "them"))
        st.latex(r"p_k = \frac{e^{z_k / T - m}}{\sum_j e^{z_j / T - m}}, \quad m = \max_j z_j / T", width="content")
    own, s = softmax_steps(d.acts), softmax_steps(d.acts, float(temperature))
    left, right = (st.container(), st.container()) if d.narrow else st.columns([1, 1.1], gap="medium")
    with left:
        st.markdown(reading(own, s))
        chart(temperature_figure(class_names(), own.probs, s.probs, s.temperature, height=300),
              key="temperature_fig", config=CHART_OPTIONS)
    with right:
        probability = _("probability")
        table = pd.DataFrame({_("class"): class_names(), _("logit z"): s.logits,
                              "z / T": s.scaled, "z / T − m": s.scaled - s.shift, "exp(z / T − m)": s.exp,
                              probability: s.probs, _("at T = 1"): own.probs})
        st.dataframe(table.style.format({c: "{:.3f}" for c in table.columns[1:]}).highlight_max(
            subset=[probability], color="#ffe08a"), hide_index=True, row_height=27)
        st.markdown(_("Σ exp = **{total:.4f}**; prediction: **{cls}** ({p:.1%}). Subtracting m changes nothing but "
                      "keeps e^z from overflowing.").format(total=s.total, cls=class_name(s.prediction),
                                                            p=s.probs[s.prediction]))
