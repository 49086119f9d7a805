"""The dense detail view: one neuron's largest inputs × weights, its bias and sum, and (for a layer fed by
the flattened maps) its weights laid out as those maps."""
from __future__ import annotations

import numpy as np
import streamlit as st

from dashboard.core.charts import CHART_OPTIONS, chart
from dashboard.figures.colours import WEIGHTS
from dashboard.figures.base import stage_figure
from dashboard.figures.detail import contributions_figure
from dashboard.views.common import Detail, after_layer, map_ui
from lenet.data import class_name
from lenet.explain import dense_neuron
from lenet.i18n import _
from lenet.stages import Stages

TOP = 12  # inputs × weights shown, largest first


def input_names(stages: Stages, stage: str) -> list[str]:
    """A name for each input of a dense stage: its map and position where it was flattened from maps."""
    source = stages.flat_source(stage)
    if source is None:
        prev = stages.previous(stage)
        return [f"{prev.name}[{i}]" for i in range(prev.shape[0])]
    named = _("{stage} map {c} ({r},{q})")
    return [named.format(stage=source.name, c=c, r=r, q=q) for c, r, q in np.ndindex(*source.shape)]


def show(d: Detail) -> None:
    logits = d.model.stages.logits.name == d.stage
    count = d.acts[d.stage].shape[0]
    with d.controls():
        k = map_ui(count, _("neuron"))
        if logits:  # the neuron's class, beside its number
            st.markdown(f"**{class_name(min(k, count - 1))}**")
    n = dense_neuron(d.model, d.acts, d.stage, k, top=TOP)
    act = after_layer(d.model, d.stage)[0]
    after = f" → {act} = **{n.activated:.4f}**" if n.activated is not None else _(" (a logit)")
    label = f" ({class_name(k)})" if logits else ""
    st.markdown(_("Neuron {k}{cls}: Σ {n} inputs × weights = {sum:.4f}, + bias {bias:+.4f} = **{value:.4f}**{after}")
                .format(k=k, cls=label, n=len(n.inputs), sum=n.contributions.sum(), bias=n.bias, value=n.value,
                        after=after))
    c1, c2 = st.columns([1.2, 1])
    names = input_names(d.model.stages, d.stage)
    chart(contributions_figure(n.contributions, n.top, names, n.bias, n.value, height=330),
          key="dn_contrib", where=c1, config=CHART_OPTIONS)
    source = d.model.stages.flat_source(d.stage)
    if source is not None:
        C, H, W = source.shape
        chart(stage_figure(n.weights.reshape(source.shape), _("neuron {k}'s {n} weights as {C} maps of {H}×{W} (one "
                                                              "per {stage} map)").format(
            k=k, n=n.weights.size, C=C, H=H, W=W, stage=source.name), WEIGHTS, height=330), key="dn_w",
              where=c2, config=CHART_OPTIONS)
