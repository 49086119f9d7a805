"""The "Max or average?" page: the seed's Q&A answered from the project's own measurements, one recipe at a
time (classic: sigmoid; modern: relu): accuracy and every epoch side by side, the size of the pooled outputs and
of the gradients at each layer at initialisation and trained, each network run with the other pooling. The
sentences are written from the numbers (lenet.max_or_avg.answer)."""
from __future__ import annotations

import streamlit as st

from dashboard.core.cache import gallery, pooling_study
from dashboard.core.charts import CHART_OPTIONS, chart
from dashboard.figures.overview import DEFAULT_SCREEN
from dashboard.figures.pooling import curves_figure, gradients_figure
from dashboard.core.screen import screen_ui
from lenet.i18n import N_, _
from lenet.max_or_avg import answer

RESERVED = 120  # px above the charts: the menu and the title row
RECIPES = {"sigmoid": N_("classic recipe (sigmoid, SGD: the seed's)"), "relu": N_("modern recipe (relu, AdamW)")}
SEED = N_("The seed's Q&A: *max pooling or average pooling — which is used more?* — \"the difference is small; max "
          "pooling is used more because its outputs (and so its gradients) are larger, which makes training "
          "easier.\" Here is what the shipped networks measure.")


def show() -> None:
    room = screen_ui(RESERVED, "screen_pooling") or DEFAULT_SCREEN
    title, pick = st.columns([2, 3], vertical_alignment="center")
    title.markdown("#### " + _("Max or average pooling?"))
    if st.session_state.get("pooling_recipe") not in RECIPES:
        st.session_state["pooling_recipe"] = "sigmoid"
    activation = pick.radio(_("Recipe"), list(RECIPES), key="pooling_recipe", format_func=lambda r: _(RECIPES[r]),
                            label_visibility="collapsed", horizontal=True) or "sigmoid"  # (wraps on a phone)
    with st.spinner(_("Measuring both networks on the test images (once per server, a few seconds)…")):
        study = pooling_study(activation)
    samples, full = gallery()
    images = (_("the {n:,} test images") if full else _("the {n:,} bundled test images")).format(n=len(samples))
    if not study.max.history or not study.avg.history:
        st.warning(_("These shipped weights carry no per-epoch history (made before it was stored): make them again "
                     "with `python -m lenet.pretrained` for the training curves."))
    left, right = st.columns([5, 6], gap="medium")
    with left:
        st.caption(_(SEED))
        st.markdown("\n".join(f"- {line}" for line in answer(study, images)))
    height = int(max(240, min(380, (room.height - 20) / 2)))
    with right:  # a chart per recipe: the browser never reuses one recipe's figure for the other's
        chart(curves_figure(study, height), key=f"pooling_curves_{activation}", config=CHART_OPTIONS)
        chart(gradients_figure(study, height), key=f"pooling_gradients_{activation}", config=CHART_OPTIONS)
        st.caption(_("Gradients and outputs measured on {images}.").format(images=images))

