"""The explorer's pieces around the overview: the sidebar's settings, which models are shown, the prediction,
compare mode's three overviews, the detail dialog."""
from __future__ import annotations

import numpy as np
import streamlit as st

from dashboard.keys import HELP
from dashboard.cache import accuracy, gallery, shipped_metrics, user_models
from dashboard.choice import ModelChoice
from dashboard.figures import Figure
from dashboard.figures_overview import Screen, geometry
from dashboard.overview import build_overview, columns_for, shared_limits, view_of
from dashboard.state import COMPARISONS, DEFAULTS, sync_query_params
from dashboard.text import plain
from dashboard.views import detail_ui, move_stage
from lenet.checkpoint import snapshots_of
from lenet.data import CLASS_NAMES, HOW_TO_GET_IT
from lenet.model import LeNet
from lenet.ops import ACTIVATIONS, POOLINGS
from lenet.pretrained import SHIPPED, closest_shipped
from lenet.stages import STAGE_BY_NAME

WEIGHTS_MODES = {"trained": "trained with these ops (shipped variant)", "swap": "keep other weights, swap only the ops",
                 "user": "a model trained here"}
USER_COMPARISONS = ("epochs", "shipped")


def sidebar_ui() -> None:
    """The settings a lecturer changes less often than the image: weights, comparison, colours, focus."""
    sb = st.sidebar
    sb.header("Model")
    models = user_models()
    modes = ["trained", "swap"] + (["user"] if models else [])
    viewing = st.session_state.get("user_model")
    if st.session_state["weights_mode"] == "user" and viewing and viewing not in models:
        st.session_state["model_gone"] = viewing  # deleted (perhaps from another session) while shown
    if st.session_state["weights_mode"] not in modes:
        st.session_state["weights_mode"] = "trained"
    sb.radio("Weights", modes, key="weights_mode", format_func=WEIGHTS_MODES.get)
    user = st.session_state["weights_mode"] == "user"
    if st.session_state["weights_mode"] == "swap":
        sb.selectbox("Weights from", list(SHIPPED), key="base_weights")
    if user:
        _user_model_ui(sb, models)
    allowed = [c for c in COMPARISONS if (c in USER_COMPARISONS) == user]
    if st.session_state.get("compare") not in ("", *allowed):
        st.session_state["compare"] = ""
    sb.selectbox("Compare with", ["", *allowed], key="compare",
                 format_func=lambda c: COMPARISONS.get(c, "— nothing: one model —"))
    if st.session_state["compare"] in ("pool", "pool-trained"):
        pool = st.session_state["pooling"] or DEFAULTS["pooling"]
        others = [p for p in POOLINGS if p != pool]
        if st.session_state.get("compare_pooling") not in others:
            st.session_state["compare_pooling"] = others[0]
        sb.selectbox("The other pooling", others, key="compare_pooling", format_func=lambda p: POOLINGS[p].label)
    if not gallery()[1]:
        sb.info("Full Fashion-MNIST not found: picking from the 1,000 bundled test images.\n\n" + HOW_TO_GET_IT)
    sb.header("Display")
    sb.radio("Colour range", ["map", "stage", "network"], key="color_range", horizontal=True,
             help="per map, per stage or across the whole network (CNN Explainer's unit / module / global)")
    sb.toggle("Focus: one stage, large", key="focus")
    sb.toggle("Presentation mode (F)", key="present", help="no sidebar or bar, the network fills the screen; "
              "keys: " + HELP)


def gone_note() -> None:
    """Say so once if the model trained here that this session showed has been deleted meanwhile."""
    gone = st.session_state.pop("model_gone", None)
    if gone:
        st.warning(f"The model {plain(gone)} is gone (deleted, perhaps from another session); "
                   "showing another one instead.")


def _user_model_ui(sb, models: dict) -> None:
    """A model trained in the dashboard, optionally as it was after an earlier epoch."""
    if st.session_state.get("user_model") not in models:
        st.session_state["user_model"] = next(iter(models))
    file = sb.selectbox("Model", list(models), key="user_model",
                        format_func=lambda f: models[f].meta.get("name", f))
    epochs = sorted(snapshots_of(models[file]))
    if len(epochs) > 1:
        if not 0 <= st.session_state.get("user_epoch", -1) <= epochs[-1]:
            st.session_state["user_epoch"] = epochs[-1]
        sb.slider("Epoch (watch the feature maps form)", epochs[0], epochs[-1], key="user_epoch",
                  help="0 = the random initial weights")
    config = models[file].model_config
    sb.caption(f"{ACTIVATIONS[config.activation].label} + {POOLINGS[config.pooling].label} pooling; the bar's "
               "pooling and activation apply to the shipped variants.")


def choices() -> tuple[ModelChoice, ModelChoice | None]:
    """The model shown and, in compare mode, the one beside it, from the page's state."""
    act = st.session_state["activation"] or DEFAULTS["activation"]  # a segmented control can be clicked off
    pool = st.session_state["pooling"] or DEFAULTS["pooling"]
    compare = st.session_state.get("compare", "")
    if st.session_state["weights_mode"] == "user":
        models = user_models()
        file = st.session_state.get("user_model")
        if file in models:
            config = models[file].model_config
            epochs = sorted(snapshots_of(models[file]))
            epoch = st.session_state.get("user_epoch", -1)
            weights = f"user:{file}" + (f"@{epoch}" if epochs and 0 <= epoch < epochs[-1] else "")
            shown = ModelChoice(weights, config.activation, config.pooling)
            other = {"epochs": ModelChoice(f"user:{file}@0", config.activation, config.pooling) if epochs else None,
                     "shipped": ModelChoice(closest_shipped(config.activation, config.pooling), config.activation,
                                            config.pooling)}.get(compare)
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


def accuracy_line(choice: ModelChoice) -> str:
    """Test accuracy of what is shown: stored with the shipped weights, or measured once otherwise."""
    if not choice.user and not choice.swapped:
        m = shipped_metrics(choice.weights)
        return f"test accuracy {m['test_acc']:.1%} ({m['test_examples']:,} images), trained {m['epochs']} epochs"
    acc, n = accuracy(choice.key)
    _, full = gallery()
    note = "" if choice.user else ", weights not retrained for these ops"
    return f"accuracy {acc:.1%} on {'the full test set' if full else 'the bundled test images'} ({n:,}){note}"


def prediction_text(acts: dict[str, np.ndarray], label: int | None) -> str:
    """'**Ankle boot** 100% · correct' — never cut: it wraps rather than ends in an ellipsis."""
    probs = acts["softmax"]
    pred = int(np.argmax(probs))
    verdict = "" if label is None else (" · correct" if pred == label else f" · wrong (true: {CLASS_NAMES[label]})")
    return f"**{CLASS_NAMES[pred]}** {probs[pred]:.0%}{verdict}"


COMPARE_TITLE = 66  # px each of compare mode's overviews takes beyond its figure: its title line and the gaps


def compare_overviews(model_a: LeNet, model_b: LeNet, a: ModelChoice, b: ModelChoice, acts_a, acts_b,
                      label: int | None, room: Screen) -> list[tuple[str, str, Figure]]:
    """A, B and the difference A − B of every stage, each a third of the room, column for column on one
    geometry and one colour range per stage: (title, chart key, figure) each."""
    diff = {k: acts_a[k] - acts_b[k] for k in acts_a}
    screen = Screen(room.width, max(200.0, (room.height - 3 * COMPARE_TITLE) / 3))
    shared = shared_limits(acts_a, acts_b)
    g = geometry(columns_for(view_of(model_a, acts_a, label)), screen)
    pa, pb = acts_a["softmax"], acts_b["softmax"]
    title = "**{}** {} — {}: {:.0%}"
    return [
        (title.format("A", a.label, CLASS_NAMES[int(np.argmax(pa))], pa.max()), "overview",
         build_overview(model_a, acts_a, label, screen, geo=g, limits=shared)),
        (title.format("B", b.label, CLASS_NAMES[int(np.argmax(pb))], pb.max()), "overview_b",
         build_overview(model_b, acts_b, label, screen, geo=g, limits=shared)),
        ("**A − B**, stage by stage, on the same colour ranges", "overview_diff",
         build_overview(model_a, diff, label, screen, difference=True, geo=g, limits=shared)),
    ]


def _close_detail() -> None:
    st.session_state["stage"] = ""
    st.session_state["playing"] = False


def detail_dialog(model: LeNet, acts, other, label: int | None, limits: dict | None, font: int) -> None:
    """The open stage's numbers in a dialog over the overview; its × and Esc close it."""
    stage = STAGE_BY_NAME[st.session_state["stage"]]
    width = "large"

    def body() -> None:
        c1, c2, c3 = st.columns([1, 1, 4], vertical_alignment="center")
        c1.button("◀ previous stage", key="stage_back", on_click=move_stage, args=(-1,), width="stretch")
        c2.button("next stage ▶", key="stage_fwd", on_click=move_stage, args=(1,), width="stretch")
        c3.button("Close", key="close_detail", on_click=_close_detail, help="or press Esc")
        detail_ui(model, acts, view_of(model, acts, label, shared=limits), other, font)
        sync_query_params()  # the dialog reruns on its own: its map, pixel and temperature reach the link too

    st.dialog(f"{stage.title} ({stage.name})", width=width, on_dismiss=_close_detail)(body)()
