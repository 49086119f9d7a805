"""The BatchNorm detail view: one value's (x − μ) / √(σ² + ε) · γ + β with the running statistics written out, and
the map (or layer) before and after."""
from __future__ import annotations

import streamlit as st

from dashboard.core.charts import CHART_OPTIONS, chart
from dashboard.figures.detail import batchnorm_figure
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
    st.markdown(f"**{d.stage}{where}** = (x − μ) / √(σ² + ε) · γ + β  \n= ({_n(b.x)} − {_n(b.mean, True)}) / "
                f"√({_n(b.var)} + {b.eps:g}) · {_n(b.gamma)} + {_n(b.beta, True)} = {_n(b.normalized)} · "
                f"{_n(b.gamma)} + {_n(b.beta, True)} = **{_n(b.value)}** → {act} = **{_n(b.activated)}**")
    st.caption(_("μ and σ² are the running mean and variance of {what} {c} over the training images, fixed since "
                 "training; γ and β were learned with the weights.").format(
        what=_("map") if out.ndim == 3 else _("neuron"), c=c))
    if out.ndim == 3:  # the map before and after: the same picture, shifted and rescaled
        titles = tuple(_("{stage} map {c}").format(stage=s, c=c) for s in (before, d.stage))
        chart(batchnorm_figure(d.acts[before][c], out[c], at[1], at[2], titles,
                               (d.paint(before, c), d.paint(d.stage, c)), d.font, d.width if d.narrow else None),
              key="bn_maps", config=CHART_OPTIONS, width="content")


def _n(v: float, parenthesised: bool = False) -> str:
    """A number as the sum writes it: −0.1234 with a real minus sign, in parentheses where it follows a sign."""
    text = f"{v:.4f}".replace("-", "−")
    return f"({text})" if parenthesised and v < 0 else text
