"""Detail views: the arithmetic behind one output of the selected stage, with its plain-language story."""
from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st
import torch

from charts import chart
from figures import clicked_index, stage_figure
from figures_detail import MAX_PICKABLE, activation_figure, contributions_figure, conv_figure, pool_figure
from lenet.data import CLASS_NAMES
from lenet.explain import (activation_curve, conv_window, dense_neuron, next_stage, pool_window, previous_stage,
                           softmax_steps)
from lenet.model import LeNet
from lenet.stages import STAGE_BY_NAME, STAGES

CFG = {"displaylogo": False, "toImageButtonOptions": {"scale": 3}}


def _torch(acts: dict[str, np.ndarray]) -> dict[str, torch.Tensor]:
    return {k: torch.from_numpy(v[None]) for k, v in acts.items()}


def _position_ui(C: int, H: int, W: int, label: str, steps: bool = False) -> tuple[int, int, int]:
    """One row of controls: the map, the output pixel's row and column (a click on the output map sets them
    too) and, for the conv view, step back / play / step forward along the sliding window's path.

    Number inputs rather than sliders: the page redraws every control after each input change, and a slider
    measures the page as it draws (a forced layout, ~10 ms of the browser's time per change, per slider).
    """
    st.session_state["row"] = min(int(st.session_state.get("row", 0)), H - 1)
    st.session_state["col"] = min(int(st.session_state.get("col", 0)), W - 1)
    cols = st.columns([1.2, 1, 1, 0.8, 0.8, 0.8] if steps else [1.2, 1, 1, 2.4], vertical_alignment="bottom")
    with cols[0]:
        c = _map_ui(C, label)
    cols[1].number_input(f"output row i (0–{H - 1})", 0, H - 1, key="row")
    cols[2].number_input(f"output column j (0–{W - 1})", 0, W - 1, key="col")
    if steps:
        cols[3].button("◀ step", key="step_back", on_click=_step, args=(H, W, -1))
        cols[4].toggle("play", key="playing", help="slide the window across the map, one position every 0.7 s")
        cols[5].button("step ▶", key="step_fwd", on_click=_step, args=(H, W, 1))
    return c, st.session_state["row"], st.session_state["col"]


def _clicked_pixel(key: str, W: int) -> None:
    flat = clicked_index(st.session_state.get(key))
    if flat is not None:
        st.session_state["row"], st.session_state["col"] = divmod(flat, W)


def _map_ui(count: int, label: str) -> int:
    st.session_state["map"] = min(int(st.session_state.get("map", 0)), count - 1)
    return st.number_input(f"{label} (0–{count - 1})", 0, count - 1, key="map")


def _step(H: int, W: int, delta: int) -> None:
    """Move the output pixel by delta positions in reading order (the sliding window's path)."""
    flat = (st.session_state.get("row", 0) * W + st.session_state.get("col", 0) + delta) % (H * W)
    st.session_state["row"], st.session_state["col"] = divmod(flat, W)


def conv_ui(model: LeNet, acts: dict[str, np.ndarray], stage: str) -> None:
    """The conv view; while 'play' is on it reruns alone (a fragment) every 0.7 s, one pixel further."""
    playing = bool(st.session_state.get("playing"))
    st.fragment(_conv_body, run_every=0.7 if playing else None)(model, acts, stage)


def _conv_body(model: LeNet, acts: dict[str, np.ndarray], stage: str) -> None:
    C, H, W = acts[stage].shape
    if st.session_state.get("playing"):  # each timed rerun of the fragment moves one position on
        _step(H, W, 1)
    c, i, j = _position_ui(C, H, W, "output map", steps=True)
    w = conv_window(model, _torch(acts), stage, c, i, j)
    st.caption("the output pixel: " + ("click it on the output map, " if H * W <= MAX_PICKABLE else "") +
               "choose its row and column, step or play")
    key = "cv_fig"
    chart(conv_figure(w, acts[stage][c], c, stage, previous_stage(stage), stage == "conv1", model.config.activation),
          key=key, on_select=lambda: _clicked_pixel(key, W), selection_mode="points", config=CFG)
    sums = " + ".join(f"{s:.3f}" for s in w.channel_sums)
    act = model.config.activation
    st.markdown(
        f"**Sum per input map:** {sums}  \n"
        f"**+ bias** {w.bias:+.3f} **= pre-activation** {w.pre_activation:.4f}  \n"
        f"**{act}({w.pre_activation:.4f}) = {w.activated:.4f}** (the value in {next_stage(stage)} at "
        f"map {c}, row {i}, column {j})")


def activation_ui(model: LeNet, acts: dict[str, np.ndarray], stage: str) -> None:
    pre, post = acts[previous_stage(stage)], acts[stage]
    x, y = activation_curve(model.config.activation)
    highlight = None
    if pre.ndim == 3:
        c = _map_ui(len(pre), "map")
        pre_m, post_m = pre[c], post[c]
        i, j = min(st.session_state.get("row", 0), pre_m.shape[0] - 1), min(st.session_state.get("col", 0),
                                                                               pre_m.shape[1] - 1)
        highlight = (float(pre_m[i, j]), float(post_m[i, j]))
    else:
        pre_m, post_m = pre, post
    chart(activation_figure(x, y, pre_m, post_m, model.config.activation, highlight), key="act_curve", config=CFG)


def pool_ui(model: LeNet, acts: dict[str, np.ndarray], stage: str, other: tuple | None = None) -> None:
    C, H, W = acts[stage].shape
    c, i, j = _position_ui(C, H, W, "map")
    p = pool_window(model, _torch(acts), stage, c, i, j)
    q = None
    if other is not None:  # compare mode: the same window under the other pooling, side by side
        other_model, other_acts = other
        q = pool_window(other_model, _torch(other_acts), stage, c, i, j)
    key = "pl_fig"
    chart(pool_figure(p, acts[previous_stage(stage)][c], acts[stage][c], i, j, previous_stage(stage), stage, c,
                      other=q), key=key, on_select=lambda: _clicked_pixel(key, W), selection_mode="points", config=CFG)
    for r in (p, q) if q is not None else (p,):
        a, b, cc, d = r.window.ravel()
        formula = f"max({a:.3f}, {b:.3f}, {cc:.3f}, {d:.3f})" if r.op == "max" else \
            f"({a:.3f} + {b:.3f} + {cc:.3f} + {d:.3f}) / 4"
        st.markdown(f"**{r.op} pooling: {formula} = {r.value:.4f}**")


def dense_ui(model: LeNet, acts: dict[str, np.ndarray], stage: str) -> None:
    D = acts[stage].shape[0]
    k = _map_ui(D, "neuron")
    d = dense_neuron(model, _torch(acts), stage, k, top=12)
    prev = previous_stage(stage)
    names = [f"{prev}[{i}]" for i in range(len(d.inputs))]
    if stage == "fc1":  # name the flattened inputs by their map and position
        names = [f"pool2 map {i // 25} ({i % 25 // 5},{i % 5})" for i in range(400)]
    c1, c2 = st.columns([1.2, 1])
    chart(contributions_figure(d.contributions, d.top, names, d.bias, d.value), key="dn_contrib", where=c1,
          config=CFG)
    with c2:
        after = f" → {model.config.activation} = **{d.activated:.4f}**" if d.activated is not None else " (a logit)"
        label = f" ({CLASS_NAMES[k]})" if stage == "fc3" else ""
        st.markdown(f"Neuron {k}{label}: Σ {len(d.inputs)} inputs × weights = {d.contributions.sum():.4f}, "
                    f"+ bias {d.bias:+.4f} = **{d.value:.4f}**{after}")
        if stage == "fc1":
            chart(stage_figure(d.weights.reshape(16, 5, 5), f"neuron {k}'s 400 weights as 16 maps "
                               "of 5×5 (one per pool2 map)", height=360), key="dn_w", config=CFG)


def softmax_ui(acts: dict[str, np.ndarray]) -> None:
    s = softmax_steps(_torch(acts))
    st.latex(r"p_k = \frac{e^{z_k - m}}{\sum_j e^{z_j - m}}, \quad m = \max_j z_j")
    table = pd.DataFrame({"class": CLASS_NAMES, "logit z": s.logits, "z − m": s.logits - s.shift,
                          "exp(z − m)": s.exp, "probability": s.probs})
    st.dataframe(table.style.format({c: "{:.4f}" for c in table.columns[1:]}).highlight_max(
        subset=["probability"], color="#ffe08a"), hide_index=True)
    st.markdown(f"Σ exp = **{s.total:.4f}**; prediction: **{CLASS_NAMES[s.prediction]}** "
                f"({s.probs[s.prediction]:.1%}). Subtracting m changes nothing but keeps e^z from overflowing.")


NO_STAGE = "— none: click a map or neuron above, or choose a stage here —"


def detail_ui(model: LeNet, acts: dict[str, np.ndarray], other: tuple | None = None) -> None:
    """Stage selector, its explanation, and the view for its kind.

    None is open at first: a click on a map or neuron in the overview (or this selector) opens one, as in
    CNN Explainer. The overview alone answers an input change faster (a detail view costs the browser
    ~50-80 ms more per change), which matters most while a lecturer clicks through images.
    """
    names = ["", *(s.name for s in STAGES if s.kind not in ("input", "flatten"))]
    if st.session_state.get("stage") not in names:
        st.session_state["stage"] = ""
    stage = st.selectbox("Explain stage", names, key="stage",
                         format_func=lambda n: f"{STAGE_BY_NAME[n].title} ({n})" if n else NO_STAGE)
    if not stage:
        return
    st.info(STAGE_BY_NAME[stage].describe(model.config))
    kind = STAGE_BY_NAME[stage].kind
    if kind == "conv":
        conv_ui(model, acts, stage)
    elif kind == "activation":
        activation_ui(model, acts, stage)
    elif kind == "pool":
        pool_ui(model, acts, stage, other)
    elif kind == "dense":
        dense_ui(model, acts, stage)
    else:
        softmax_ui(acts)
