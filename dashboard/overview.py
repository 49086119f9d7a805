"""The CNN Explainer picture: every stage as a column, left to right, one figure per column."""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from charts import chart
from figures import color_limit, softmax_figure, stage_figure, vector_figure
from figures_overview import Column, clicked_column, overview_figure
from lenet.data import CLASS_NAMES
from lenet.model import LeNet
from lenet.stages import STAGE_BY_NAME, STAGES

# what each overview column shows: a dense layer is shown after its activation, as the data flows on
SHOWN = {"fc1": "act3", "fc2": "act4"}
COLUMNS = [s.name for s in STAGES if s.kind != "flatten" and s.name not in SHOWN.values()]
WIDTHS = {"input": 1.1, "conv1": 0.8, "act1": 0.8, "pool1": 0.8, "conv2": 1.0, "act2": 1.0, "pool2": 1.0,
          "fc1": 0.55, "fc2": 0.55, "fc3": 0.55, "softmax": 2.3}
MAP_KINDS = ("conv", "activation", "pool")
SMALL = '<span style="font-size:11px;color:#444">'  # the second line of a header (Plotly's <sub> is too small)


def header(model: LeNet, name: str) -> str:
    """'Conv 1 · 6×28×28 · 156 params' — the seed's shape printout, alive."""
    stage = STAGE_BY_NAME[name]
    shape = "×".join(str(d) for d in stage.shape)
    params = sum(p.numel() for p in getattr(model, name).parameters()) if stage.is_module else 0
    if stage.kind == "dense":  # narrow columns: the short name, shape and parameters on separate lines
        after = f"→{SHOWN[name]}" if name in SHOWN else "logits"
        return f"{name}<br>{SMALL}{after}<br>{shape}<br>{params:,} p.</span>"
    return f"{stage.title}<br>{SMALL}{shape}{f' · {params:,} params' if params else ''}</span>"


def limits(acts: dict[str, np.ndarray], mode: str) -> dict[str, float | None]:
    """Colour limit per map stage: None (each stage or map its own) or one network-wide value."""
    if mode != "network":
        return {}
    lim = max(color_limit(acts[s.name]) for s in STAGES if s.kind in MAP_KINDS)
    return {s.name: lim for s in STAGES if s.kind in MAP_KINDS}


def column_figure(model: LeNet, acts: dict[str, np.ndarray], name: str, mode: str, true_label: int | None,
                  selected: int | None, lims: dict[str, float | None], height: int | None = None):
    """The figure of one overview column."""
    stage = STAGE_BY_NAME[name]
    title = header(model, name)
    if stage.kind == "input":
        return stage_figure(acts["input"], title, kind="input", height=height)
    if stage.kind == "softmax":
        return softmax_figure(acts["softmax"], list(CLASS_NAMES), true_label, title=title, height=height or 520)
    if stage.kind in MAP_KINDS:
        return stage_figure(acts[name], title, limit=lims.get(name), per_map=mode == "map", kind=stage.kind,
                            selected=selected, height=height)
    labels = list(CLASS_NAMES) if name == "fc3" else None
    return vector_figure(acts[SHOWN.get(name, name)], title, selected=selected, labels=labels,
                         height=height or 520)


def columns_for(model: LeNet, acts: dict[str, np.ndarray], true_label: int | None, mode: str,
                difference: bool = False) -> list[Column]:
    """The overview's columns, from the registry, for one set of activations.

    difference: acts are A − B of two variants; the input (the same image) and the softmax are left out.
    """
    lims = limits(acts, mode)
    out = []
    for name in COLUMNS:
        stage = STAGE_BY_NAME[name]
        selected = st.session_state.get("map") if st.session_state.get("stage") == name else None
        title = header(model, name)
        if stage.kind in ("input", "softmax") and difference:
            continue
        if stage.kind == "input":
            out.append(Column(name, title, "input", acts["input"], WIDTHS[name]))
        elif stage.kind == "softmax":
            out.append(Column(name, title, "softmax", acts["softmax"], WIDTHS[name], labels=CLASS_NAMES,
                              true_label=true_label))
        elif stage.kind in MAP_KINDS:
            out.append(Column(name, title, "maps", acts[name], WIDTHS[name], limit=lims.get(name),
                              per_map=mode == "map", selected=selected))
        else:
            out.append(Column(name, title, "vector", acts[SHOWN.get(name, name)], WIDTHS[name],
                              selected=selected, labels=CLASS_NAMES if name == "fc3" else None))
    return out


def _select(key: str) -> None:
    hit = clicked_column(st.session_state.get(key))
    if hit is not None:
        st.session_state["stage"], st.session_state["map"] = hit


def build_overview(model: LeNet, acts: dict[str, np.ndarray], true_label: int | None, title: str = "",
                   difference: bool = False) -> go.Figure:
    """The whole network as one figure (see figures_overview), for the current colour-range mode."""
    mode = st.session_state.get("color_range", "stage")
    fig = overview_figure(columns_for(model, acts, true_label, mode, difference))
    if title:
        fig.update_layout(title=dict(text=title, font=dict(size=16)), margin=dict(t=50))
    return fig


def overview_ui(fig: go.Figure, key: str = "overview") -> None:
    """Draw an overview; a click on a map or neuron selects it for the detail view."""
    chart(fig, key=key, on_select=lambda: _select(key), selection_mode="points",
          config={"displayModeBar": "hover", "displaylogo": False, "toImageButtonOptions": {"scale": 3}})


def focus_ui(model: LeNet, acts: dict[str, np.ndarray], true_label: int | None) -> None:
    """One stage, large, for a projector."""
    name = st.selectbox("Stage", COLUMNS, index=COLUMNS.index(st.session_state.get("stage", "conv1"))
                        if st.session_state.get("stage") in COLUMNS else 1, key="focus_stage",
                        format_func=lambda n: STAGE_BY_NAME[n].title)
    mode = st.session_state.get("color_range", "stage")
    fig = column_figure(model, acts, name, mode, true_label, st.session_state.get("map"), limits(acts, mode),
                        height=760)
    chart(fig, key="focus_fig", config={"toImageButtonOptions": {"scale": 3}})
    st.caption(STAGE_BY_NAME[name].describe(model.config))
