"""The One step page: one plain SGD step on one image, up close. The loss; the gradient flowing back through
every stage, drawn like the overview (∂loss/∂ each stage's output); ∂loss/∂ the conv kernels and the weights
before and after the step; the prediction after it. Step again from there, or reset to the model."""
from __future__ import annotations

import numpy as np
import streamlit as st
import torch

from dashboard.app_pages.model_pick import page_head
from dashboard.core.cache import gallery, get_model
from dashboard.core.charts import CHART_OPTIONS, chart
from dashboard.figures.colours import SIGNED, WEIGHTS
from dashboard.figures.base import stage_figure
from dashboard.figures.filters import kernels_figure
from dashboard.figures.overview import DEFAULT_SCREEN, Column, Screen, overview_figure
from dashboard.figures.rows import row_font, rows_figure
from dashboard.parts.overview import columns_for, view_of
from dashboard.core.screen import screen_ui
from lenet.data import CLASS_NAMES, class_name
from lenet.i18n import _, ngettext
from lenet.model import LeNet
from lenet.step import Step, one_step

RESERVED = 330  # px of the window that is not the gradient overview: the controls, the numbers, the titles


def gradient_columns(model: LeNet, step: Step, label: int | None) -> list[Column]:
    """The overview's columns for the gradients: ∂loss/∂ each stage's output on the signed scale, the input's
    gradient as a map, the softmax column showing the probabilities after the step (the true class `label`)."""
    out = []
    for col in columns_for(view_of(model, step.output_grads, None, difference=True)):
        if col.name == "input":
            col = Column("input", (_("∂loss/∂input"), "1×28×28", ""), "maps", step.output_grads["input"], SIGNED)
        elif col.name == "softmax":
            col = Column("softmax", (_("After the step"), _("{n} classes").format(n=len(CLASS_NAMES)), ""),
                         "softmax", step.probs_after,
                         labels=CLASS_NAMES, true_label=label)
        out.append(col)
    return out


def _state_key(model_key: str, position: int) -> str:
    return f"{model_key}#{position}"


def show() -> None:
    room = screen_ui(RESERVED, "screen_step") or DEFAULT_SCREEN
    choice, (c3, c4, c5, c6, c7) = page_head(_("One step"), "step_model", [1.5, 2.4, 1.0, 1.0, 1.7, 0.9, 0.8, 0.8],
                                             "bottom")
    if choice is None:
        return
    samples, full = gallery()
    position = int(c3.number_input(_("Image"), 0, len(samples) - 1, key="step_image",
                                   value=int(st.session_state.get("index", 0)) % len(samples)))
    label = int(samples.labels[position])
    target = c4.selectbox(_("Target class"), range(10), index=label, key=f"step_target_{position}",
                          format_func=lambda k: class_name(k) + (_(" (true)") if k == label else ""))
    lr = c5.number_input("lr", 0.001, 10.0, 0.1, format="%.3f", key="step_lr", help=_("the step's learning rate"))
    key = _state_key(choice.key, position)
    stepped = st.session_state.setdefault("_stepped", {})
    if c6.button(_("Step"), key="step_go", type="primary"):
        stepped[key] = stepped.get(key, 0) + 1
    if c7.button(_("Reset"), key="step_reset"):
        stepped.pop(key, None)
    model = get_model(choice.key)
    x = torch.from_numpy(samples.images[position].astype(np.float32) / 255.0)
    steps_done = stepped.get(key, 0)
    current = model
    for _k in range(steps_done):  # the steps taken so far, replayed (a few milliseconds each)
        current = one_step(current, x, target, float(lr))[1]
    step = one_step(current, x, target, float(lr))[0]
    pred, pred_after = int(np.argmax(step.probs)), int(np.argmax(step.probs_after))
    when = _("Before any step") if not steps_done else \
        ngettext("After {n} step", "After {n} steps", steps_done).format(n=steps_done)
    image = (_("Test image #{n}") if full else _("Test image #{n} (bundled)")).format(n=int(samples.indices[position]))
    st.markdown(_("{when}: loss **{loss:.4f}**, P({target}) {p:.1%}, predicted **{pred}**. One more SGD step at lr "
                  "{lr:g} (w ← w − lr · ∂loss/∂w): loss **{loss_after:.4f}** ({change:+.4f}), P({target}) "
                  "{p_after:.1%}, predicted **{pred_after}**. {image}: {true}.").format(
        when=when, loss=step.loss, target=class_name(target), p=step.probs[target], pred=class_name(pred), lr=lr,
        loss_after=step.loss_after, change=step.loss_after - step.loss, p_after=step.probs_after[target],
        pred_after=class_name(pred_after), image=image, true=class_name(label)))
    st.caption(_("The gradient flowing back: ∂loss/∂ each stage's output (blue: raising that value lowers the loss; "
                 "red: raises it). A dense column shows its activation's gradient; fc3's is p − onehot(target)."))
    columns = gradient_columns(current, step, label)
    if room.narrow:  # a phone: a stage a row, as the explorer's
        chart(rows_figure(columns, room.width), key="step_overview", width="content",
              config={"displayModeBar": False})
        _weights_ui(step, row_font(room.width), room.width)
    else:
        chart(overview_figure(columns, Screen(room.width, max(260.0, room.height))), key="step_overview",
              width="content", config=CHART_OPTIONS)
        _weights_ui(step, room.font)


def weighted_layers(step: Step) -> list[str]:
    """The layers with weights (conv and dense; not BatchNorm's γ), input to output: the seed's conv1, conv2, fc1,
    fc2, fc3."""
    return [name[:-len(".weight")] for name, g in step.weight_grads.items() if name.endswith(".weight") and g.ndim > 1]


def _weights_ui(step: Step, font: int, narrow: float | None = None) -> None:
    """One layer's weights: a conv layer's kernels before and after the step beside ∂loss/∂kernel; a dense
    layer's ∂loss/∂W as a matrix (neurons × inputs) beside what the step changed. narrow: a phone's width in
    px (each grid on its own, as wide as the screen)."""
    layers = weighted_layers(step)
    if st.session_state.get("step_layer") not in layers:
        st.session_state["step_layer"] = "conv1"
    layer = st.segmented_control(_("∂loss/∂ the weights of"), layers, key="step_layer") or "conv1"
    name = f"{layer}.weight"
    grad, before, after = step.weight_grads[name], step.before[name], step.after[name]
    change = float(np.abs(after - before).max())
    k1, k2 = (st.container(), st.container()) if narrow else st.columns(2)
    if layer.startswith("conv") and narrow:
        O, I = grad.shape[:2]
        px = min(14.0, (narrow - (0 if I == 1 else 60)) / (6 * (O if I == 1 else I)))
        for n, (first, other, title, scale) in enumerate(((after, before, _("after the step"), WEIGHTS),
                                                          (before, after, _("before"), WEIGHTS),
                                                          (grad, grad, "∂loss/∂kernel", SIGNED))):
            chart(kernels_figure(first, other, layer, font, px, titles=(title, ""), single=True, scale=scale,
                                 dragmode=False), key=f"step_kernels_{n}", width="content",
                  config={"displayModeBar": False})
    elif layer.startswith("conv"):
        px = 14.0 if grad.shape[1] == 1 else 5.0  # (one input map: its kernels in a row, larger)
        with k1:
            chart(kernels_figure(after, before, layer, font, px, titles=(_("after the step"), _("before"))),
                  key="step_kernels", config=CHART_OPTIONS)
        with k2:
            chart(kernels_figure(grad, grad, layer, font, px, titles=("∂loss/∂kernel", ""), single=True,
                                 scale=SIGNED), key="step_kernels_grad", config=CHART_OPTIONS)
    else:
        out, inputs = grad.shape
        with k1:
            chart(stage_figure(grad[None], _("∂loss/∂{name}: {out} neurons (rows) × {inputs} inputs").format(
                name=name, out=out, inputs=inputs), SIGNED,
                hover=[_("{name}: |∂loss/∂w| up to {top:.3g}").format(name=name, top=np.abs(grad).max())]),
                  key="step_dense_grad", config=CHART_OPTIONS)
        with k2:
            rows = np.abs(grad).sum(1)
            top = [int(k) for k in np.argsort(-rows)[:3]]
            st.markdown(_("For one image each row is that neuron's ∂loss/∂output times the layer's input vector: "
                          "the rows differ only by a factor (rank 1). The rows that change most: neurons {rows}.")
                        .format(rows=_(", ").join(f"{k} (Σ|∂loss/∂w| {rows[k]:.3g})" for k in top)))
    st.caption(_("The step moves every weight of {layer} by −lr · ∂loss/∂w: at most {change:.3g} here (lr {lr:g}; "
                 "the largest weight of {layer} is {largest:.3g}).").format(
        layer=layer, change=change, lr=step.lr, largest=float(np.abs(before).max())))
