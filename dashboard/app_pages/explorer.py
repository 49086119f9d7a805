"""The explorer page: pick or draw an image, see every stage, open the numbers behind any of them."""
from __future__ import annotations

import numpy as np
import streamlit as st

from dashboard.cache import (ModelChoice, accuracy, acts_for, gallery, get_model, model_error, shipped_metrics,
                             user_models)
from dashboard.figures import seen_image
from dashboard.inputs import image_ui
from dashboard.overview import build_overview, focus_ui, overview_ui
from dashboard.state import DEFAULTS, init_state, sync_query_params
from dashboard.views import detail_ui
from lenet.checkpoint import snapshots_of
from lenet.data import CLASS_NAMES
from lenet.ops import ACTIVATIONS, POOLINGS
from lenet.pretrained import SHIPPED, closest_shipped


def controls_ui() -> tuple[ModelChoice, ModelChoice | None]:
    """Sidebar toggles; returns the model to show and, in compare mode, the one to compare it with."""
    sb = st.sidebar
    sb.header("Network")
    sb.segmented_control("Pooling", list(POOLINGS), key="pooling", format_func=lambda p: POOLINGS[p].label)
    sb.segmented_control("Activation", list(ACTIVATIONS), key="activation",
                         format_func=lambda a: ACTIVATIONS[a].label)
    models = user_models()
    modes = ["trained", "swap"] + (["user"] if models else [])
    if st.session_state["weights_mode"] not in modes:
        st.session_state["weights_mode"] = "trained"
    sb.radio("Weights", modes, key="weights_mode", format_func={
        "trained": "trained with these ops (shipped variant)",
        "swap": "keep other weights, swap only the ops",
        "user": "a model trained here"}.get)
    if st.session_state["weights_mode"] == "swap":
        sb.selectbox("Weights from", list(SHIPPED), key="base_weights")
    if st.session_state["weights_mode"] == "user":
        return _user_choice_ui(sb, models)
    pool = st.session_state["pooling"] or DEFAULTS["pooling"]  # a segmented control can be clicked off
    others = [p for p in POOLINGS if p != pool]
    if st.session_state.get("compare_pooling") not in others:
        st.session_state["compare_pooling"] = others[0]
    sb.toggle("Compare with another pooling", key="compare")
    if st.session_state["compare"]:
        sb.selectbox("Compare with", others, key="compare_pooling", format_func=lambda p: POOLINGS[p].label)
    sb.header("Display")
    sb.radio("Colour range", ["map", "stage", "network"], key="color_range", horizontal=True,
             help="per map, per stage or across the whole network (CNN Explainer's unit / module / global)")
    sb.toggle("Focus: one stage, large (projector)", key="focus")
    act = st.session_state["activation"] or DEFAULTS["activation"]

    def choice(pooling: str) -> ModelChoice:
        weights = closest_shipped(act, pooling) if st.session_state["weights_mode"] == "trained" \
            else st.session_state["base_weights"]
        return ModelChoice(weights, act, pooling)

    shown = choice(pool)
    if st.session_state["weights_mode"] == "trained" and shown.swapped:
        sb.caption(f"No shipped weights were trained with {POOLINGS[pool].label} pooling: these are "
                   f"{shown.weights}'s, with the pooling swapped. Train a model with it on the Training page.")
    other = choice(st.session_state["compare_pooling"]) if st.session_state["compare"] else None
    return shown, other


def _user_choice_ui(sb, user_models: dict) -> tuple[ModelChoice, ModelChoice | None]:
    """A model trained in the dashboard, optionally as it was after an earlier epoch."""
    if st.session_state.get("user_model") not in user_models:
        st.session_state["user_model"] = next(iter(user_models))
    file = sb.selectbox("Model", list(user_models), key="user_model",
                        format_func=lambda f: user_models[f].meta.get("name", f))
    ck = user_models[file]
    epochs = sorted(snapshots_of(ck))
    weights = f"user:{file}"
    if len(epochs) > 1:
        last = epochs[-1]
        if not 0 <= st.session_state.get("user_epoch", -1) <= last:
            st.session_state["user_epoch"] = last
        epoch = sb.slider("Epoch (watch the feature maps form)", epochs[0], last, key="user_epoch",
                          help="0 = the random initial weights")
        weights += f"@{epoch}" if epoch != last else ""
    act, pool = ck.model_config.activation, ck.model_config.pooling
    sb.caption(f"{ACTIVATIONS[act].label} + {POOLINGS[pool].label} pooling; the toggles above apply to the "
               "shipped variants.")
    sb.toggle("Compare with the shipped variant", key="compare")
    choice = ModelChoice(weights, act, pool)
    other = ModelChoice(closest_shipped(act, pool), act, pool) if st.session_state["compare"] else None
    return choice, other


def accuracy_line(choice: ModelChoice) -> str:
    """Test accuracy of what is shown: stored with the shipped weights, or measured once for a swap."""
    if choice.user:
        acc, n = accuracy(choice.key)
        return f"accuracy {acc:.1%} on {n:,} test images"
    if not choice.swapped:
        m = shipped_metrics(choice.weights)
        return (f"test accuracy {m['test_acc']:.1%} ({m['test_examples']:,} test images), "
                f"trained {m['epochs']} epochs")
    acc, n = accuracy(choice.key)
    _, full = gallery()
    where = "the full test set" if full else "the bundled test images"
    return f"accuracy {acc:.1%} on {where} ({n:,} images), weights not retrained for these ops"


def prediction_ui(acts: dict[str, np.ndarray], label: int | None, name: str) -> None:
    probs = acts["softmax"]
    pred = int(np.argmax(probs))
    verdict = "" if label is None else \
        ("correct" if pred == label else f"wrong: the true class is {CLASS_NAMES[label]}")
    st.metric(name, f"{CLASS_NAMES[pred]} {probs[pred]:.0%}", help="the network's prediction")
    if verdict:
        st.caption(verdict)


def compare_overviews(model_a, model_b, a: ModelChoice, b: ModelChoice, acts_a, acts_b,
                      label) -> list[tuple[str, object]]:
    """Both variants' overviews, then the difference A − B of every stage: (chart key, figure) each."""
    diff = {k: acts_a[k] - acts_b[k] for k in acts_a}
    return [("overview", build_overview(model_a, acts_a, label, title=f"A: {a.label}")),
            ("overview_b", build_overview(model_b, acts_b, label, title=f"B: {b.label}")),
            ("overview_diff", build_overview(model_a, diff, label, title="A − B, stage by stage", difference=True))]


def show() -> None:
    init_state()
    choice, other = controls_ui()
    error = model_error(choice.key)
    if error:
        st.error(f"This model cannot be loaded: {error}. Choose another variant in the sidebar.")
        sync_query_params()
        return
    st.title("LeNet, stage by stage")
    # everything that depends on the image reruns alone when only the image or a view control changes (a
    # fragment): the sidebar and the title are not sent again
    st.fragment(_body)(choice, other)


def _body(choice: ModelChoice, other: ModelChoice | None) -> None:
    left, mid, right = st.columns([2.2, 0.8, 1.4])
    with left:
        image, label, caption = image_ui(choice.key)
    if image is None:
        sync_query_params()
        return
    image = np.ascontiguousarray(image, dtype=np.float32)
    model, acts = get_model(choice.key), acts_for(choice.key, image.tobytes())
    comparing = other is not None and not model_error(other.key)
    focus = bool(st.session_state.get("focus")) and not comparing
    # What follows is computed before any of it is drawn, so that it reaches the browser in one burst: the
    # browser redraws the page as elements arrive, and elements sent while the server is still computing
    # the next ones cost it extra redraws (measured: ~20 ms of its time per input change).
    seen = seen_image(image)
    if comparing:
        model_b, acts_b = get_model(other.key), acts_for(other.key, image.tobytes())
        overviews = compare_overviews(model, model_b, choice, other, acts, acts_b, label)
    else:
        overviews = [] if focus else [("overview", build_overview(model, acts, label))]
    with mid:
        st.markdown("**What the network sees** (28×28)")
        st.image(seen, width=224)
        st.caption(caption)
    with right:
        prediction_ui(acts, label, choice.label)
        st.caption(accuracy_line(choice))
        if comparing:
            prediction_ui(acts_b, label, other.label)
            st.caption(accuracy_line(other))
    if focus:
        focus_ui(model, acts, label)
    for key, fig in overviews:
        overview_ui(fig, key)
    if comparing:
        detail_ui(model, acts, other=(model_b, acts_b))
    elif not focus:
        st.divider()
        detail_ui(model, acts)
    sync_query_params()
