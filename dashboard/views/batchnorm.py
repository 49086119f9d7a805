"""The BatchNorm detail view: one value's (x − μ) / √(σ² + ε) · γ + β with the running statistics written out, and
the map (or layer) before and after."""
from __future__ import annotations

import numpy as np
import streamlit as st

from dashboard.charts import CHART_OPTIONS, chart
from dashboard.figures.base import stage_figure
from dashboard.views.common import Detail, map_ui, position_ui
from lenet.explain import batchnorm_value
from lenet.i18n import _
from lenet.ops import ACTIVATIONS


def show(d: Detail) -> None:
    out = d.acts[d.stage]
    before = d.model.stages.previous(d.stage).name
    if out.ndim == 3:
        c, i, j = position_ui(*out.shape, _("map"), d.controls())
        at, where = (c, i, j), f"[{c}, {i}, {j}]"
    else:
        with d.controls():
            c = map_ui(len(out), _("neuron"))
        at, where = (c,), f"[{c}]"
    b = batchnorm_value(d.model, d.acts, d.stage, at)
    act = _(ACTIVATIONS[d.model.config.activation].label)
    st.markdown(_("**{stage}{where}** = ({x:.4f} − μ {mean:.4f}) / √(σ² {var:.4f} + ε {eps:g}) · γ {gamma:.4f} + β "
                  "{beta:+.4f} = {norm:.4f} · {gamma:.4f} {beta:+.4f} = **{value:.4f}** → {act} = **{a:.4f}**").format(
        stage=d.stage, where=where, x=b.x, mean=b.mean, var=b.var, eps=b.eps, gamma=b.gamma, beta=b.beta,
        norm=b.normalized, value=b.value, act=act, a=b.activated))
    st.caption(_("μ and σ² are the running mean and variance of {what} {c} over the training images, fixed since "
                 "training; γ and β were learned with the weights.").format(
        what=_("map") if out.ndim == 3 else _("neuron"), c=c))
    if out.ndim == 3:  # the map before and after: the same picture, shifted and rescaled
        maps = np.stack([d.acts[before][c], out[c]])
        chart(stage_figure(maps, _("{before} map {c} → {stage} map {c}").format(before=before, stage=d.stage, c=c),
                           per_map=True, height=300 if d.narrow else 340, colour_bar=False), key="bn_maps",
              config=CHART_OPTIONS)
