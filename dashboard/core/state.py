"""The view's state lives in the URL query string, so that a link on a slide reopens exactly that view."""
from __future__ import annotations

import streamlit as st

from lenet.data import CLASS_NAMES
from lenet.i18n import N_
from lenet.ops import ACTIVATIONS, POOLINGS
from lenet.pretrained import SHIPPED, closest_shipped
from lenet.stages import POSSIBLE_NAMES

# what compare mode sets side by side (state key "compare"; "" = off)
COMPARISONS = {
    "pool": N_("the same weights, another pooling"),
    "pool-trained": N_("another pooling, each trained with its own"),
    "act": N_("the same weights, another activation"),
    "epochs": N_("this model before training (epoch 0)"),
    "shipped": N_("the shipped variant with these ops"),
    "model": N_("another model trained here (at the same epoch)"),
}
ALIASES = {"cmp": {"1": "pool"}}  # older links

# query-string name -> (session-state key, default, allowed values or a type)
FIELDS: dict[str, tuple[str, object, object]] = {
    "src": ("source", "pick", ("pick", "draw", "upload")),
    "idx": ("index", 0, int),
    "act": ("activation", "relu", tuple(ACTIVATIONS)),
    "pool": ("pooling", "max", tuple(POOLINGS)),
    "mode": ("weights_mode", "trained", ("trained", "swap", "user")),
    "um": ("user_model", "", str),
    "ep": ("user_epoch", -1, int),
    "w": ("base_weights", "relu-max", tuple(SHIPPED)),
    "stage": ("stage", "", ("", *POSSIBLE_NAMES)),  # "": no detail view open (one the model lacks: none either)
    "map": ("map", -1, int),  # -1: none chosen (a stage opens on its strongest, views.settle_map)
    "i": ("row", 14, int),
    "j": ("col", 14, int),
    "cmp": ("compare", "", ("", *COMPARISONS)),
    "vm": ("compare_model", "", str),  # compare mode's other model trained here (a file name)
    "vs": ("compare_pooling", "", ("", *POOLINGS)),  # compare with this pooling ("": the first other one)
    "cls": ("pick_class", "all classes", ("all classes", *CLASS_NAMES)),
    "wrong": ("pick_wrong", False, bool),
    "pres": ("present", False, bool),
    "at": ("present_at", "", ("", *POSSIBLE_NAMES)),  # presentation mode: the stage framed on the network
    "range": ("color_range", "stage", ("map", "stage", "network")),
    "focus": ("focus", False, bool),
    "t": ("temperature", 1.0, float),  # the softmax view's temperature, TEMPERATURES[0] … TEMPERATURES[1]
    "why": ("why", "", ("", *CLASS_NAMES)),  # the class whose evidence is shown ("": none)
    "wd": ("why_open", False, bool),  # the "Why this prediction?" dialog is open
}
TEMPERATURES = (0.1, 5.0)


DEFAULTS: dict[str, object] = {key: default for key, default, _ in FIELDS.values()}  # by session-state key


def _parse(raw: str, default: object, allowed: object) -> object:
    if allowed is str:
        return raw
    if allowed is int:
        try:
            return max(0, int(raw))
        except ValueError:
            return default
    if allowed is bool:
        return raw in ("1", "true", "yes")
    if allowed is float:
        try:
            value = round(float(raw), 2)
        except ValueError:
            return default
        return value if TEMPERATURES[0] <= value <= TEMPERATURES[1] else default
    return raw if raw in allowed else default  # type: ignore[operator]


def presenting() -> bool:
    """Is the explorer in presentation mode: the session's state once it has read the link, else the link."""
    if st.session_state.get("_state_loaded"):
        return bool(st.session_state.get("present"))
    return _parse(st.query_params.get("pres", "0"), False, bool)


def shown_ops() -> tuple[str, str]:
    """(activation, pooling) the bar shows (its default where a segmented control was clicked off)."""
    return (st.session_state.get("activation") or DEFAULTS["activation"],
            st.session_state.get("pooling") or DEFAULTS["pooling"])


def ops_changed() -> None:
    """The pooling or activation buttons (or the P key) changed the ops: with the trained variants, that is
    another network, and the page says so once (app_pages/settings.another_network_note)."""
    if st.session_state.get("weights_mode") == "trained":
        st.session_state["_another_network"] = closest_shipped(*shown_ops())


def init_state() -> None:
    """Once per browser session: fill session state from the query string (unknown values ignored)."""
    if st.session_state.get("_state_loaded"):
        for key, default, allowed in FIELDS.values():
            value = st.session_state.get(key, default)
            if value is None and allowed not in (int, bool, str, float):  # a control clicked off
                value = default
            # re-assigning keeps the value of widgets not drawn on this run (Streamlit drops those keys)
            st.session_state[key] = value
        return
    params = st.query_params
    for name, (key, default, allowed) in FIELDS.items():
        raw = ALIASES.get(name, {}).get(params[name], params[name]) if name in params else None
        st.session_state[key] = _parse(raw, default, allowed) if raw is not None else default
    st.session_state["_state_loaded"] = True
    if "i" in params or "j" in params:  # a link that names the pixel keeps it (else: the strongest response)
        st.session_state["_opened"] = (st.session_state["stage"], st.session_state["map"])


def sync_query_params() -> None:
    """Write the current state back to the URL (only values that differ from the defaults)."""
    wanted = {}
    for name, (key, default, allowed) in FIELDS.items():
        value = st.session_state.get(key, default)
        if value != default:
            wanted[name] = ("1" if value else "0") if allowed is bool else f"{value:g}" if allowed is float \
                else str(value)
    wanted["lang"] = st.session_state.get("lang", "en")  # (the link keeps its language: dashboard/core/language.py)
    if dict(st.query_params) != wanted:
        st.query_params.from_dict(wanted)
