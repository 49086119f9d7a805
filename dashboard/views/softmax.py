"""The softmax detail view: from the logits to the probabilities, every step as a column of numbers."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.views.common import Detail
from lenet.data import CLASS_NAMES
from lenet.explain import softmax_steps


def show(d: Detail) -> None:
    s = softmax_steps(d.acts)
    st.latex(r"p_k = \frac{e^{z_k - m}}{\sum_j e^{z_j - m}}, \quad m = \max_j z_j")
    table = pd.DataFrame({"class": CLASS_NAMES, "logit z": s.logits, "z − m": s.logits - s.shift,
                          "exp(z − m)": s.exp, "probability": s.probs})
    st.dataframe(table.style.format({c: "{:.4f}" for c in table.columns[1:]}).highlight_max(
        subset=["probability"], color="#ffe08a"), hide_index=True)
    st.markdown(f"Σ exp = **{s.total:.4f}**; prediction: **{CLASS_NAMES[s.prediction]}** "
                f"({s.probs[s.prediction]:.1%}). Subtracting m changes nothing but keeps e^z from overflowing.")
