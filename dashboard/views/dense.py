"""The dense detail view: one neuron's largest inputs × weights, its bias and sum, and (for a layer fed by
the flattened maps) its weights laid out as those maps."""
from __future__ import annotations

import numpy as np
import streamlit as st

from dashboard.charts import CHART_OPTIONS, chart
from dashboard.colours import WEIGHTS
from dashboard.figures import stage_figure
from dashboard.figures_detail import contributions_figure
from dashboard.views.common import Detail, map_ui
from lenet.data import class_name
from lenet.explain import dense_neuron
from lenet.ops import ACTIVATIONS
from lenet.stages import flat_source, next_stage, previous_stage

TOP = 12  # inputs × weights shown, largest first


def input_names(stage: str) -> list[str]:
    """A name for each input of a dense stage: its map and position where it was flattened from maps."""
    source = flat_source(stage)
    if source is None:
        prev = previous_stage(stage)
        return [f"{prev.name}[{i}]" for i in range(prev.shape[0])]
    return [f"{source.name} map {c} ({r},{q})" for c, r, q in np.ndindex(*source.shape)]


def show(d: Detail) -> None:
    logits = next_stage(d.stage).kind == "softmax"
    count = d.acts[d.stage].shape[0]
    with d.controls():
        k = map_ui(count, "neuron")
        if logits:  # the neuron's class, beside its number
            st.markdown(f"**{class_name(min(k, count - 1))}**")
    n = dense_neuron(d.model, d.acts, d.stage, k, top=TOP)
    act = ACTIVATIONS[d.model.config.activation].label
    after = f" → {act} = **{n.activated:.4f}**" if n.activated is not None else " (a logit)"
    label = f" ({class_name(k)})" if logits else ""
    st.markdown(f"Neuron {k}{label}: Σ {len(n.inputs)} inputs × weights = {n.contributions.sum():.4f}, "
                f"+ bias {n.bias:+.4f} = **{n.value:.4f}**{after}")
    c1, c2 = st.columns([1.2, 1])
    chart(contributions_figure(n.contributions, n.top, input_names(d.stage), n.bias, n.value, height=330),
          key="dn_contrib", where=c1, config=CHART_OPTIONS)
    source = flat_source(d.stage)
    if source is not None:
        C, H, W = source.shape
        chart(stage_figure(n.weights.reshape(source.shape), f"neuron {k}'s {n.weights.size} weights as {C} "
                           f"maps of {H}×{W} (one per {source.name} map)", WEIGHTS, height=330), key="dn_w",
              where=c2, config=CHART_OPTIONS)
