"""The explorer's pieces around the overview: the sidebar's settings, which models are shown, the prediction,
compare mode's three overviews, the detail dialog."""
from __future__ import annotations

import numpy as np
import streamlit as st

from dashboard.keys import HELP
from dashboard.cache import accuracy, gallery, shipped_metrics, user_models
from dashboard.choice import ModelChoice, ops_label
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
# The settings panel: a button at the right end of the page's header row, its panel over the page (the network
# keeps its size: a sidebar took ~300 px of a 1280-px projector's width).
SETTINGS_CSS = """<style>
.st-key-settings {position: fixed; top: 0.3rem; right: 0.8rem; z-index: 999990; width: auto;}
</style>"""


def settings_ui() -> None:
    """The settings a lecturer changes less often than the image: weights, comparison, colours, focus,
    presentation mode; in a panel over the page."""
    st.html(SETTINGS_CSS)
    with st.container(key="settings"):
        with st.popover("⚙ Settings", help="weights, compare, colour range, focus, presentation mode"):
            _settings_body()


def _settings_body() -> None:
    models = user_models()
    modes = ["trained", "swap"] + (["user"] if models else [])
    viewing = st.session_state.get("user_model")
    if st.session_state["weights_mode"] == "user" and viewing and viewing not in models:
        st.session_state["model_gone"] = viewing  # deleted (perhaps from another session) while shown
    if st.session_state["weights_mode"] not in modes:
        st.session_state["weights_mode"] = "trained"
    st.radio("Weights", modes, key="weights_mode", format_func=WEIGHTS_MODES.get, on_change=_mode_changed,
             args=(models,))
    user = st.session_state["weights_mode"] == "user"
    if st.session_state["weights_mode"] == "swap":
        st.selectbox("Weights from", list(SHIPPED), key="base_weights")
    if user:
        _user_model_ui(models)
    allowed = [c for c in COMPARISONS if (c in USER_COMPARISONS) == user]
    if st.session_state.get("compare") not in ("", *allowed):
        st.session_state["compare"] = ""
    st.selectbox("Compare with", ["", *allowed], key="compare",
                 format_func=lambda c: COMPARISONS.get(c, "— nothing: one model —"))
    if st.session_state["compare"] in ("pool", "pool-trained"):
        pool = st.session_state["pooling"] or DEFAULTS["pooling"]
        others = [p for p in POOLINGS if p != pool]
        if st.session_state.get("compare_pooling") not in others:
            st.session_state["compare_pooling"] = others[0]
        st.selectbox("The other pooling", others, key="compare_pooling", format_func=lambda p: POOLINGS[p].label)
    if not gallery()[1]:
        st.info("Full Fashion-MNIST not found: picking from the 1,000 bundled test images.\n\n" + HOW_TO_GET_IT)
    st.radio("Colour range", ["map", "stage", "network"], key="color_range", horizontal=True,
             help="per map, per stage or across the whole network (CNN Explainer's unit / module / global)")
    st.toggle("Focus: one stage, large", key="focus")
    st.toggle("Presentation mode (F)", key="present", help="no header or bar, the network fills the screen; "
              "keys: " + HELP)


def _mode_changed(models: dict) -> None:
    """Choosing 'a model trained here': the bar's ops become the model's own (the toggles then swap them)."""
    if st.session_state.get("weights_mode") == "user":
        file = st.session_state.get("user_model")
        _ops_of_model(models.get(file) or next(iter(models.values()), None))


def _ops_of_model(checkpoint) -> None:
    if checkpoint is not None:
        st.session_state["activation"] = checkpoint.model_config.activation
        st.session_state["pooling"] = checkpoint.model_config.pooling


def gone_note() -> None:
    """Say so once if the model trained here that this session showed has been deleted meanwhile."""
    gone = st.session_state.pop("model_gone", None)
    if gone:
        st.warning(f"The model {plain(gone)} is gone (deleted, perhaps from another session); "
                   "showing another one instead.")


def _user_model_ui(models: dict) -> None:
    """A model trained in the dashboard (its epoch slider is in the bar: the maps stay in sight as it moves)."""
    if st.session_state.get("user_model") not in models:
        st.session_state["user_model"] = next(iter(models))
    st.selectbox("Model", list(models), key="user_model", format_func=lambda f: str(models[f].meta.get("name", f)),
                 on_change=lambda: _ops_of_model(models.get(st.session_state.get("user_model"))))
    config = models[st.session_state["user_model"]].model_config
    st.caption(f"Trained with {ops_label(config.activation, config.pooling)}. The bar's pooling and activation "
               "run its weights with other ops (not retrained); the caption under the prediction says which.")


def epoch_ui() -> None:
    """In the bar, for a model trained here: which epoch's weights (0 = the random initial ones)."""
    models = user_models()
    file = st.session_state.get("user_model")
    if st.session_state["weights_mode"] != "user" or file not in models:
        return
    epochs = sorted(snapshots_of(models[file]))
    if len(epochs) < 2:
        return
    if not epochs[0] <= st.session_state.get("user_epoch", -1) <= epochs[-1]:
        st.session_state["user_epoch"] = epochs[-1]
    st.slider("Epoch", epochs[0], epochs[-1], key="user_epoch", format="epoch %d", width=200,
              label_visibility="collapsed", help="the weights after this epoch (0 = the random initial weights): "
              "watch the feature maps form")


def same_weights_ui() -> None:
    """In the bar: keep the weights when the pooling or activation changes (the clean comparison), or show the
    network trained with the chosen ops. (A model trained here always keeps its weights.)"""
    if st.session_state["weights_mode"] == "user":
        return
    st.session_state["same_weights"] = st.session_state["weights_mode"] == "swap"
    st.toggle("same weights", key="same_weights", on_change=_same_weights_changed,
              help="on: the pooling and activation buttons swap only the op and keep these weights; off: each "
                   "combination shows the network trained with it (another network)")


def _same_weights_changed() -> None:
    if st.session_state.get("same_weights"):
        act = st.session_state["activation"] or DEFAULTS["activation"]
        pool = st.session_state["pooling"] or DEFAULTS["pooling"]
        st.session_state["base_weights"] = closest_shipped(act, pool)  # the weights shown now
        st.session_state["weights_mode"] = "swap"
    else:
        st.session_state["weights_mode"] = "trained"


def ops_changed() -> None:
    """The pooling or activation buttons (or the P key) changed the ops: with the trained variants, that is
    another network, and the page says so once."""
    if st.session_state.get("weights_mode") == "trained":
        act = st.session_state.get("activation") or DEFAULTS["activation"]
        pool = st.session_state.get("pooling") or DEFAULTS["pooling"]
        st.session_state["_another_network"] = closest_shipped(act, pool)


def another_network_note() -> None:
    """A toast, once, after the ops changed the network (not only its op)."""
    variant = st.session_state.pop("_another_network", None)
    if variant:
        act, _, pool = variant.partition("-")
        st.toast(f"Another network: the weights trained with {ops_label(act, pool)}. For the same weights with "
                 "only the op swapped, switch on “same weights”.")


def choices() -> tuple[ModelChoice, ModelChoice | None]:
    """The model shown and, in compare mode, the one beside it, from the page's state."""
    act = st.session_state["activation"] or DEFAULTS["activation"]  # a segmented control can be clicked off
    pool = st.session_state["pooling"] or DEFAULTS["pooling"]
    compare = st.session_state.get("compare", "")
    if st.session_state["weights_mode"] == "user":
        models = user_models()
        file = st.session_state.get("user_model")
        if file in models:
            trained = models[file].model_config.variant
            epochs = sorted(snapshots_of(models[file]))
            epoch = st.session_state.get("user_epoch", -1)
            weights = f"user:{file}" + (f"@{epoch}" if epochs and 0 <= epoch < epochs[-1] else "")
            shown = ModelChoice(weights, act, pool, trained)
            other = {"epochs": ModelChoice(f"user:{file}@0", act, pool, trained) if epochs else None,
                     "shipped": ModelChoice(closest_shipped(act, pool), act, pool)}.get(compare)
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
         build_overview(model_a, acts_a, label, screen, geo=g, limits=shared, colour_key=False)),
        (title.format("B", b.label, CLASS_NAMES[int(np.argmax(pb))], pb.max()), "overview_b",
         build_overview(model_b, acts_b, label, screen, geo=g, limits=shared, colour_key=False)),
        ("**A − B**, stage by stage, on the same colour ranges", "overview_diff",
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
    st.button("Close", key="close_detail", on_click=_close_detail, help="or press Esc", type="primary")
    st.button("◀", key="stage_back", on_click=move_stage, args=(-1,), help="the previous stage")
    st.button("▶", key="stage_fwd", on_click=move_stage, args=(1,), help="the next stage")


def detail_dialog(model: LeNet, acts, other, label: int | None, limits: dict | None, font: int,
                  page_width: float) -> None:
    """The open stage's numbers in a dialog over the overview; its Close, × and Esc close it."""
    stage = STAGE_BY_NAME[st.session_state["stage"]]
    width = dialog_width(page_width)

    def body() -> None:
        st.html(DIALOG_CSS)
        detail_ui(model, acts, view_of(model, acts, label, shared=limits), other, font, width - DIALOG_PAD, _nav)
        sync_query_params()  # the dialog reruns on its own: its map, pixel and temperature reach the link too

    st.dialog(f"{stage.name}: {stage.title}", width=width, on_dismiss=_close_detail)(body)()
