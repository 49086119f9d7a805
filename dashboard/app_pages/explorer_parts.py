"""The explorer's pieces around the overview: which models are shown, the prediction, compare mode's three
overviews, the detail dialog. (The settings panel and the bar's weights controls: app_pages/settings.py.)"""
from __future__ import annotations

import numpy as np
import streamlit as st

from dashboard.core.cache import accuracy, gallery, shipped_metrics, user_models, user_stamp
from dashboard.core.choice import ModelChoice
from dashboard.figures.base import Figure
from dashboard.figures.layout import fits
from dashboard.figures.overview import Screen, geometry
from dashboard.core.language import dialog_language_ui
from dashboard.parts.overview import build_overview, columns_for, shared_limits, view_of
from dashboard.core.state import shown_ops, sync_query_params
from dashboard.views import detail_ui, move_stage
from lenet.data import class_name
from lenet.i18n import _
from lenet.model import LeNet
from lenet.ops import ACTIVATIONS, POOLINGS
from lenet.pretrained import closest_shipped

def choices() -> tuple[ModelChoice, ModelChoice | None]:
    """The model shown and, in compare mode, the one beside it, from the page's state."""
    act, pool = shown_ops()
    compare = st.session_state.get("compare", "")
    if st.session_state["weights_mode"] == "user":
        models = user_models()
        file = st.session_state.get("user_model")
        if file in models:
            trained = models[file].model_config.variant
            epochs = list(models[file].epochs)
            epoch = st.session_state.get("user_epoch", -1)
            weights = f"user:{file}" + (f"@{epoch}" if epochs and 0 <= epoch < epochs[-1] else "")
            stamp = user_stamp(file)  # the file as it is now: a file replaced under its name is computed anew
            shown = ModelChoice(weights, act, pool, trained, stamp)
            other = {"epochs": ModelChoice(f"user:{file}@0", act, pool, trained, stamp) if epochs else None,
                     "shipped": ModelChoice(closest_shipped(act, pool), act, pool),
                     "model": _other_model(models, epoch if epochs and 0 <= epoch < epochs[-1] else None),
                     }.get(compare)
            return shown, other
    weights = closest_shipped(act, pool) if st.session_state["weights_mode"] == "trained" \
        else st.session_state["base_weights"]
    shown = ModelChoice(weights, act, pool)
    vs_pool = st.session_state.get("compare_pooling") or next(p for p in POOLINGS if p != pool)
    vs_act = next(a for a in ACTIVATIONS if a != act)
    other = {"pool": ModelChoice(weights, act, vs_pool),
             "pool-trained": ModelChoice(closest_shipped(act, vs_pool), act, vs_pool),
             "act": ModelChoice(weights, vs_act, pool)}.get(compare)
    return shown, other


def _other_model(models: dict, epoch: int | None) -> ModelChoice | None:
    """Compare mode's other model trained here, with its own ops, at the epoch shown where it has that epoch."""
    file = st.session_state.get("compare_model")
    if file not in models:
        return None
    config, epochs = models[file].model_config, list(models[file].epochs)
    at = f"@{epoch}" if epoch is not None and epochs and epoch in epochs and epoch < epochs[-1] else ""
    return ModelChoice(f"user:{file}{at}", config.activation, config.pooling, config.variant, user_stamp(file))


def same_shapes(a: LeNet, b: LeNet) -> bool:
    """Whether two models' stages line up name for name and shape for shape (then A − B means something)."""
    return [(s.name, s.shape) for s in a.stages] == [(s.name, s.shape) for s in b.stages]


def accuracy_line(choice: ModelChoice) -> str:
    """Test accuracy of what is shown: stored with the shipped weights, or measured once otherwise."""
    if not choice.user and not choice.swapped:
        m = shipped_metrics(choice.weights)
        return _("test accuracy {acc:.1%} ({images:,} images), trained {epochs} epochs").format(
            acc=m["test_acc"], images=m["test_examples"], epochs=m["epochs"])
    acc, n = accuracy(choice.key)
    full = gallery()[1]
    where = _("the full test set") if full else _("the bundled test images")
    line = _("accuracy {acc:.1%} on {where} ({n:,})").format(acc=acc, where=where, n=n)
    return line if choice.user else line + _(", weights not retrained for these ops")


def prediction_text(acts: dict[str, np.ndarray], label: int | None) -> str:
    """'**Ankle boot** 100% · correct' — never cut: it wraps rather than ends in an ellipsis."""
    probs = acts["softmax"]
    pred = int(np.argmax(probs))
    verdict = "" if label is None else _(" · correct") if pred == label else \
        _(" · wrong (true: {name})").format(name=class_name(label))
    return f"**{class_name(pred)}** {probs[pred]:.0%}{verdict}"


COMPARE_TITLE = 66  # px each of compare mode's overviews takes beyond its figure: its title line and the gaps


def compare_overviews(model_a: LeNet, model_b: LeNet, a: ModelChoice, b: ModelChoice, acts_a, acts_b,
                      label: int | None, room: Screen) -> list[tuple[str, str, Figure]]:
    """A, B and the difference A − B of every stage, each a third of the room, column for column on one
    geometry and one colour range per stage: (title, chart key, figure) each. Two members of other shapes: A and
    B each half the room, each on its own geometry and colours, and no difference."""
    pa, pb = acts_a["softmax"], acts_b["softmax"]
    title = _("**{which}** {model} — {cls}: {p:.0%}")
    if not same_shapes(model_a, model_b):
        screen = Screen(room.width, max(200.0, (room.height - 2 * COMPARE_TITLE) / 2), room.narrow)
        note = _("(other shapes: side by side, no A − B)")
        return [
            (title.format(which="A", model=a.label, cls=class_name(int(np.argmax(pa))), p=pa.max()), "overview",
             build_overview(model_a, acts_a, label, screen, colour_key=False)),
            (title.format(which="B", model=b.label, cls=class_name(int(np.argmax(pb))), p=pb.max()) + " " + note,
             "overview_b", build_overview(model_b, acts_b, label, screen)),
        ]
    diff = {k: acts_a[k] - acts_b[k] for k in acts_a}
    screen = Screen(room.width, max(200.0, (room.height - 3 * COMPARE_TITLE) / 3), room.narrow)
    shared = shared_limits(model_a.stages, acts_a, acts_b)
    columns = columns_for(view_of(model_a, acts_a, label))
    g = geometry(columns, screen) if fits(columns, screen) else None  # (else each a stage a row)
    return [
        (title.format(which="A", model=a.label, cls=class_name(int(np.argmax(pa))), p=pa.max()), "overview",
         build_overview(model_a, acts_a, label, screen, geo=g, limits=shared, colour_key=False)),
        (title.format(which="B", model=b.label, cls=class_name(int(np.argmax(pb))), p=pb.max()), "overview_b",
         build_overview(model_b, acts_b, label, screen, geo=g, limits=shared, colour_key=False)),
        (_("**A − B**, stage by stage, on the same colour ranges"), "overview_diff",
         build_overview(model_a, diff, label, screen, difference=True, geo=g, limits=shared)),
    ]


def _close_detail() -> None:
    st.session_state["stage"] = ""
    st.session_state["playing"] = False


# a compact dialog: its title and paddings smaller, so that a detail fits a 1280×720 screen whole
DIALOG_CSS = """<style>
div[data-testid=stDialog] {padding-top: 0.5rem;}
div[data-testid=stDialog] > div {margin-top: 0.4rem;}
div[role=dialog] h2 {font-size: 1.35rem; padding: 0.7rem 1.5rem 0.1rem 1.5rem;}
div[role=dialog] > div:last-child {padding: 0.4rem 1.5rem 0.8rem 1.5rem;}
</style>"""
DIALOG_MAX = 1400  # px: the widest a dialog gets (a 1920-px screen)
DIALOG_PAD = 54  # px of a dialog's width taken by its paddings


def dialog_width(page_width: float) -> int:
    """A dialog's width for a page of this width (the main column's): as wide as the window allows (Streamlit
    keeps 18 px either side; the main column has 21.6 px of padding either side), up to DIALOG_MAX."""
    return int(min(page_width + 2 * 21.6 - 2 * 18, DIALOG_MAX))


def _nav() -> None:
    st.button(_("Close"), key="close_detail", on_click=_close_detail, help=_("or press Esc"), type="primary")
    st.button("◀", key="stage_back", on_click=move_stage, args=(-1,), help=_("the previous stage"))
    st.button("▶", key="stage_fwd", on_click=move_stage, args=(1,), help=_("the next stage"))
    if not st.session_state.get("present"):  # (presentation mode shows no language control)
        dialog_language_ui()


def detail_dialog(model: LeNet, acts, other, label: int | None, limits: dict | None, font: int,
                  page_width: float) -> None:
    """The open stage's numbers in a dialog over the overview; its Close, × and Esc close it."""
    stage = model.stages.by_name[st.session_state["stage"]]
    width = dialog_width(page_width)

    def body() -> None:
        if st.session_state.get("stage") != stage.name:  # Close, ◀ or ▶ (the dialog reruns alone): the whole page
            st.rerun()  # again, so that the dialog closes, or opens with the other stage's title
        st.html(DIALOG_CSS)
        detail_ui(model, acts, view_of(model, acts, label, shared=limits), other, font, width - DIALOG_PAD, _nav)
        sync_query_params()  # the dialog reruns on its own: its map, pixel and temperature reach the link too

    st.dialog(f"{stage.name}: {stage.title}", width=width, on_dismiss=_close_detail)(body)()
