"""The softmax detail view: from the logits to the probabilities, every step as a column of numbers, and a
temperature that sharpens or flattens the probabilities live while the logits stay (Transformer Explainer's
central interaction)."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.charts import CHART_OPTIONS, chart
from dashboard.figures_detail import temperature_figure
from dashboard.state import TEMPERATURES
from dashboard.views.common import Detail
from lenet.data import CLASS_NAMES, class_name
from lenet.explain import softmax_steps



def reading(own, tempered) -> str:
    """One line on what the temperature did, from the numbers."""
    top = class_name(tempered.prediction)
    if abs(tempered.temperature - 1.0) < 1e-9:
        return (f"At T = 1 these are the network's own probabilities: **{top}** "
                f"{tempered.probs[tempered.prediction]:.1%}. Move T below 1 to sharpen them, above 1 to flatten them.")
    change = tempered.probs[tempered.prediction] - own.probs[own.prediction]
    how = "sharpens" if tempered.entropy < own.entropy else "flattens"
    return (f"T = {tempered.temperature:g} {how} the probabilities: **{top}** {own.probs[own.prediction]:.1%} → "
            f"{tempered.probs[tempered.prediction]:.1%} ({change:+.1%}), uncertainty {own.entropy:.2f} → "
            f"{tempered.entropy:.2f} bits (at most 3.32, all ten equal). The logits and the prediction stay: "
            "dividing every logit by the same T keeps their order.")


def show(d: Detail) -> None:
    with d.controls():
        temperature = st.slider("Temperature T", *TEMPERATURES, key="temperature", step=0.05, width=320,
                                help="the probabilities are softmax(z / T): T < 1 sharpens them, T > 1 flattens them")
        st.latex(r"p_k = \frac{e^{z_k / T - m}}{\sum_j e^{z_j / T - m}}, \quad m = \max_j z_j / T", width="content")
    own, s = softmax_steps(d.acts), softmax_steps(d.acts, float(temperature))
    left, right = (st.container(), st.container()) if d.narrow else st.columns([1, 1.1], gap="medium")
    with left:
        st.markdown(reading(own, s))
        chart(temperature_figure(list(CLASS_NAMES), own.probs, s.probs, s.temperature, height=300),
              key="temperature_fig", config=CHART_OPTIONS)
    with right:
        table = pd.DataFrame({"class": CLASS_NAMES, "logit z": s.logits, "z / T": s.scaled,
                              "z / T − m": s.scaled - s.shift, "exp(z / T − m)": s.exp, "probability": s.probs,
                              "at T = 1": own.probs})
        st.dataframe(table.style.format({c: "{:.3f}" for c in table.columns[1:]}).highlight_max(
            subset=["probability"], color="#ffe08a"), hide_index=True, row_height=27)
        st.markdown(f"Σ exp = **{s.total:.4f}**; prediction: **{class_name(s.prediction)}** "
                    f"({s.probs[s.prediction]:.1%}). Subtracting m changes nothing but keeps e^z from overflowing.")
