"""The CNN Explainer picture: every stage as a column, left to right, built from the stage registry by kind."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from dashboard.charts import CHART_OPTIONS, chart
from dashboard.figures import color_limit
from dashboard.figures_overview import WIDTH, Column, clicked_column, overview_figure
from lenet.data import CLASS_NAMES
from lenet.explain import stage_params
from lenet.model import LeNet
from lenet.stages import STAGE_BY_NAME, STAGES, Stage, next_stage, previous_stage

SMALL = '<span style="font-size:11px;color:#444">'  # the second line of a header (Plotly's <sub> is too small)
FOCUS_BODY = 600.0  # focus mode: one column this tall
Acts = dict[str, np.ndarray]


@dataclass(frozen=True)
class View:
    """What every column is drawn for: the model, the image's stage outputs, the display settings."""

    model: LeNet
    acts: Acts
    true_label: int | None
    limits: dict[str, float | None]  # colour limit per map stage (none: each stage or map its own)
    per_map: bool  # each map scaled to its own range
    stage: str  # the stage whose map or neuron is selected ("" for none)
    selected: int  # that map or neuron


def _folded(stage: Stage) -> bool:
    """An activation after a dense stage is drawn in that stage's column: the data flows on through it."""
    return stage.kind == "activation" and previous_stage(stage.name).kind == "dense"


def _shown(name: str) -> str:
    """The stage whose values a column shows: a dense stage's own, or its folded activation's."""
    after = next_stage(name)
    return after.name if after is not None and _folded(after) else name


def header(model: LeNet, name: str) -> str:
    """'Conv 1 · 6×28×28 · 156 params' — the seed's shape printout, alive."""
    stage = STAGE_BY_NAME[name]
    shape = "×".join(str(d) for d in stage.shape)
    params = stage_params(model, name)
    if stage.kind == "dense":  # narrow columns: the short name, shape and parameters on separate lines
        after = f"→{_shown(name)}" if _shown(name) != name else "logits"
        return f"{name}<br>{SMALL}{after}<br>{shape}<br>{params:,} p.</span>"
    return f"{stage.title}<br>{SMALL}{shape}{f' · {params:,} params' if params else ''}</span>"


def _picked(view: View, name: str) -> int | None:
    return view.selected if view.stage == name else None


def _input_column(view: View, name: str) -> Column:
    return Column(name, header(view.model, name), "input", view.acts[name])


def _maps_column(view: View, name: str) -> Column:
    return Column(name, header(view.model, name), "maps", view.acts[name], limit=view.limits.get(name),
                  per_map=view.per_map, selected=_picked(view, name))


def _dense_column(view: View, name: str) -> Column:
    logits = next_stage(name).kind == "softmax"
    return Column(name, header(view.model, name), "vector", view.acts[_shown(name)], selected=_picked(view, name),
                  labels=CLASS_NAMES if logits else None)


def _softmax_column(view: View, name: str) -> Column:
    return Column(name, header(view.model, name), "softmax", view.acts[name], labels=CLASS_NAMES,
                  true_label=view.true_label)


COLUMN_BUILDERS = {"input": _input_column, "conv": _maps_column, "activation": _maps_column,
                   "pool": _maps_column, "dense": _dense_column, "softmax": _softmax_column}  # by stage kind
COLUMNS = [s.name for s in STAGES if s.kind in COLUMN_BUILDERS and not _folded(s)]
MAP_STAGES = [n for n in COLUMNS if COLUMN_BUILDERS[STAGE_BY_NAME[n].kind] is _maps_column]  # signed maps


def limits(acts: Acts, mode: str) -> dict[str, float | None]:
    """Colour limit per map stage: none (each stage or map its own) or, for 'network', one shared value."""
    if mode != "network":
        return {}
    lim = max(color_limit(acts[name]) for name in MAP_STAGES)
    return {name: lim for name in MAP_STAGES}


def view_of(model: LeNet, acts: Acts, true_label: int | None) -> View:
    """The view of these outputs under the page's colour-range mode and selection."""
    mode = st.session_state.get("color_range", "stage")
    return View(model, acts, true_label, limits(acts, mode), mode == "map", st.session_state.get("stage", ""),
                int(st.session_state.get("map", 0)))


def columns_for(view: View, difference: bool = False) -> list[Column]:
    """The overview's columns, from the registry.

    difference: the outputs are A − B of two models; the input (the same image) and the softmax are left out.
    """
    skip = {"input", "softmax"} if difference else set()
    return [COLUMN_BUILDERS[STAGE_BY_NAME[name].kind](view, name) for name in COLUMNS
            if STAGE_BY_NAME[name].kind not in skip]


def _select(key: str) -> None:
    hit = clicked_column(st.session_state.get(key))
    if hit is not None:
        st.session_state["stage"], st.session_state["map"] = hit


def build_overview(model: LeNet, acts: Acts, true_label: int | None, title: str = "",
                   difference: bool = False) -> go.Figure:
    """The whole network as one figure (see figures_overview), for the current colour-range mode."""
    fig = overview_figure(columns_for(view_of(model, acts, true_label), difference))
    if title:
        fig.update_layout(title=dict(text=title, font=dict(size=16)), margin=dict(t=50))
    return fig


def overview_ui(fig: go.Figure, key: str = "overview") -> None:
    """Draw an overview; a click on a map or neuron selects it for the detail view."""
    chart(fig, key=key, on_select=lambda: _select(key), selection_mode="points",
          config={**CHART_OPTIONS, "displayModeBar": "hover"})


def focus_ui(model: LeNet, acts: Acts, true_label: int | None) -> None:
    """One stage, large, for a projector: the overview's own column, given the whole width."""
    current = st.session_state.get("stage")
    name = st.selectbox("Stage", COLUMNS, index=COLUMNS.index(current) if current in COLUMNS else 1,
                        key="focus_stage", format_func=lambda n: STAGE_BY_NAME[n].title)
    column = COLUMN_BUILDERS[STAGE_BY_NAME[name].kind](view_of(model, acts, true_label), name)
    fig = overview_figure([column], height=int(FOCUS_BODY + 150), body=FOCUS_BODY, aspect=WIDTH / FOCUS_BODY)
    chart(fig, key="focus_fig", config=CHART_OPTIONS)
    st.caption(STAGE_BY_NAME[name].describe(model.config))
