"""The explorer's settings: the ⚙ panel over the page (weights, compare, colour range, focus, presentation mode)
and, in the bar, what a lecturer reaches for mid-demonstration (same weights; a model's epoch).

A panel rather than a sidebar: a sidebar took ~300 px of a 1280-px projector's width from the network, which
shrank every map to a few pixels while it was open. The panel floats over the page; the network keeps its size.
"""
from __future__ import annotations

import streamlit as st

from dashboard.core.cache import gallery, user_models
from dashboard.core.choice import ops_label
from dashboard.core.keys import HELP
from dashboard.core.state import COMPARISONS, shown_ops
from dashboard.core.text import plain
from lenet.data import how_to_get_it
from lenet.i18n import N_, _
from lenet.ops import POOLINGS
from lenet.pretrained import SHIPPED, closest_shipped

WEIGHTS_MODES = {"trained": N_("trained with these ops (shipped variant)"),
                 "swap": N_("keep other weights, swap only the ops"), "user": N_("a model trained here")}
USER_COMPARISONS = ("epochs", "shipped", "model")
RANGES = {"map": N_("map"), "stage": N_("stage"), "network": N_("network")}  # the colour range's choices
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
        with st.popover(_("⚙ Settings"), help=_("weights, compare, colour range, focus, presentation mode")):
            _settings_body()


def _settings_body() -> None:
    models = user_models()
    modes = ["trained", "swap"] + (["user"] if models else [])
    viewing = st.session_state.get("user_model")
    if st.session_state["weights_mode"] == "user" and viewing and viewing not in models:
        st.session_state["model_gone"] = viewing  # deleted (perhaps from another session) while shown
    if st.session_state["weights_mode"] not in modes:
        st.session_state["weights_mode"] = "trained"
    st.radio(_("Weights"), modes, key="weights_mode", format_func=lambda m: _(WEIGHTS_MODES[m]),
             on_change=_mode_changed, args=(models,))
    user = st.session_state["weights_mode"] == "user"
    if st.session_state["weights_mode"] == "swap":
        st.selectbox(_("Weights from"), list(SHIPPED), key="base_weights",
                     format_func=lambda w: ops_label(*w.split("-")))
    if user:
        _user_model_ui(models)
    allowed = [c for c in COMPARISONS if (c in USER_COMPARISONS) == user]
    if st.session_state.get("compare") not in ("", *allowed):
        st.session_state["compare"] = ""
    st.selectbox(_("Compare with"), ["", *allowed], key="compare",
                 format_func=lambda c: _(COMPARISONS[c]) if c else _("— nothing: one model —"))
    if st.session_state["compare"] == "model":
        others = [f for f in models if f != st.session_state.get("user_model")] or list(models)
        if st.session_state.get("compare_model") not in others:
            st.session_state["compare_model"] = others[0]
        st.selectbox(_("The other model"), others, key="compare_model",
                     format_func=lambda f: str(models[f].meta.get("name", f)),
                     help=_("with its own ops; A − B where the two have the same shapes, side by side otherwise"))
    if st.session_state["compare"] in ("pool", "pool-trained"):
        pool = shown_ops()[1]
        others = [p for p in POOLINGS if p != pool]
        if st.session_state.get("compare_pooling") not in others:
            st.session_state["compare_pooling"] = others[0]
        st.selectbox(_("The other pooling"), others, key="compare_pooling",
                     format_func=lambda p: _(POOLINGS[p].label))
    if not gallery()[1]:
        st.info(_("Full Fashion-MNIST not found: picking from the 1,000 bundled test images.") + "\n\n"
                + how_to_get_it())
    st.radio(_("Colour range"), list(RANGES), key="color_range", horizontal=True, format_func=lambda r: _(RANGES[r]),
             help=_("per map, per stage or across the whole network (CNN Explainer's unit / module / global)"))
    st.toggle(_("Focus: one stage, large"), key="focus")
    st.toggle(_("Presentation mode (F)"), key="present",
              help=_("no header or bar, the network fills the screen; keys: {keys}").format(keys=_(HELP)))


def _mode_changed(models: dict) -> None:
    """Choosing 'a model trained here': the bar's ops become the model's own (the toggles then swap them)."""
    if st.session_state.get("weights_mode") == "user":
        _ops_of_chosen(models)


def settle_ops_from_link() -> None:
    """Until the bar's toggles have been drawn once (ops_settled): a link that names a model trained here but no
    ops (?mode=user&um=…, as the Training page's "Open it in the Explorer") runs it with the ops it was trained
    with. (Marked done at the first run only, a browser's first run cut short by the next one — the screen's size
    arriving — left the toggles at the defaults, one visit in two.)"""
    if st.session_state.get("_ops_from_link"):
        return
    if st.session_state.get("weights_mode") == "user" and not {"act", "pool"} & set(st.query_params):
        _ops_of_chosen(user_models())


def ops_settled() -> None:
    """The bar's toggles are drawn with the session's ops: a link's model's own ops are not applied again."""
    st.session_state["_ops_from_link"] = True


def _ops_of_chosen(models: dict) -> None:
    """The bar's ops: those of the model trained here that the session shows (or of the first one listed)."""
    _ops_of_model(models.get(st.session_state.get("user_model")) or next(iter(models.values()), None))


def _ops_of_model(checkpoint) -> None:
    if checkpoint is not None:
        st.session_state["activation"] = checkpoint.model_config.activation
        st.session_state["pooling"] = checkpoint.model_config.pooling


def gone_note() -> None:
    """Say so once if the model trained here that this session showed has been deleted meanwhile."""
    gone = st.session_state.pop("model_gone", None)
    if gone:
        st.warning(_("The model {name} is gone (deleted, perhaps from another session); showing another one "
                     "instead.").format(name=plain(gone)))


def _user_model_ui(models: dict) -> None:
    """A model trained in the dashboard (its epoch slider is in the bar: the maps stay in sight as it moves)."""
    if st.session_state.get("user_model") not in models:
        st.session_state["user_model"] = next(iter(models))
    st.selectbox(_("Model"), list(models), key="user_model", format_func=lambda f: str(models[f].meta.get("name", f)),
                 on_change=lambda: _ops_of_model(models.get(st.session_state.get("user_model"))))
    config = models[st.session_state["user_model"]].model_config
    st.caption(_("Trained with {ops}. The bar's pooling and activation run its weights with other ops (not "
                 "retrained); the caption under the prediction says which.").format(
        ops=ops_label(config.activation, config.pooling)))


def epoch_ui() -> None:
    """In the bar, for a model trained here: which epoch's weights (0 = the random initial ones)."""
    if st.session_state["weights_mode"] != "user":  # (first: the folder is listed only where it is needed)
        return
    models = user_models()
    file = st.session_state.get("user_model")
    if file not in models:
        return
    epochs = list(models[file].epochs)
    if len(epochs) < 2:
        return
    if not epochs[0] <= st.session_state.get("user_epoch", -1) <= epochs[-1]:
        st.session_state["user_epoch"] = epochs[-1]
    st.slider(_("Epoch"), epochs[0], epochs[-1], key="user_epoch", format=_("epoch %d"), width=200,
              label_visibility="collapsed", help=_("the weights after this epoch (0 = the random initial weights): "
                                                   "watch the feature maps form"))


def same_weights_ui() -> None:
    """In the bar: keep the weights when the pooling or activation changes (the clean comparison), or show the
    network trained with the chosen ops. (A model trained here always keeps its weights.)"""
    if st.session_state["weights_mode"] == "user":
        return
    st.session_state["same_weights"] = st.session_state["weights_mode"] == "swap"
    st.toggle(_("same weights"), key="same_weights", on_change=_same_weights_changed,
              help=_("on: the pooling and activation buttons swap only the op and keep these weights; off: each "
                     "combination shows the network trained with it (another network)"))


def _same_weights_changed() -> None:
    if st.session_state.get("same_weights"):
        st.session_state["base_weights"] = closest_shipped(*shown_ops())  # the weights shown now
        st.session_state["weights_mode"] = "swap"
    else:
        st.session_state["weights_mode"] = "trained"


def another_network_note() -> None:
    """A toast, once, after the ops changed the network (not only its op)."""
    variant = st.session_state.pop("_another_network", None)
    if variant:
        act, pool = variant.partition("-")[::2]
        st.toast(_("Another network: the weights trained with {ops}. For the same weights with only the op "
                   "swapped, switch on “same weights”.").format(ops=ops_label(act, pool)))
