"""Keyboard shortcuts for the lecturer at the front: what a presenter's clicker sends moves through the network.

A tiny component (JavaScript only, nothing drawn) listens to the page's keys, except while a text or number
field has the focus, and sends each one to the server, where it changes the view's state like a click would.
"""
from __future__ import annotations

from typing import Callable

import streamlit as st

from dashboard.state import DEFAULTS
from dashboard.views import move_stage
from lenet.ops import POOLINGS

_JS = """
export default function(component) {
    window.__lenetKeySend = component.setTriggerValue;  // the latest instance's sender
    if (window.__lenetKeys) return;
    window.__lenetKeys = true;
    const wanted = new Set(%s);
    document.addEventListener("keydown", (e) => {
        const t = e.target;
        if (t && (t.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(t.tagName))) return;
        if (e.ctrlKey || e.metaKey || e.altKey || !wanted.has(e.key)) return;
        e.preventDefault();
        window.__lenetKeyCount = (window.__lenetKeyCount || 0) + 1;  // each press once, however many reruns
        window.__lenetKeySend("key", [e.key, window.__lenetKeyCount]);
    }, true);
}
"""


def _cycle_pooling() -> None:
    names = list(POOLINGS)
    current = st.session_state.get("pooling") or DEFAULTS["pooling"]
    st.session_state["pooling"] = names[(names.index(current) + 1) % len(names)]


def _next_image(delta: int) -> Callable[[], None]:
    def move() -> None:
        from dashboard.app_pages.explorer_parts import choices  # the page's own modules, imported when used
        from dashboard.inputs import candidates

        allowed = candidates(choices()[0].key).tolist()
        idx = int(st.session_state.get("index", 0))
        later = [k for k in allowed if (k - idx) * delta > 0]
        st.session_state["index"] = (min(later) if delta > 0 else max(later)) if later else \
            (allowed[0] if delta > 0 else allowed[-1])
        st.session_state["source"] = "pick"
    return move


def _toggle_detail() -> None:
    if st.session_state.get("stage"):
        st.session_state["stage"] = ""
    else:
        move_stage(1)


def _close() -> None:
    st.session_state["stage"] = ""


def _toggle_presentation() -> None:
    st.session_state["present"] = not st.session_state.get("present")


# key (as the browser names it) -> (what it does, in words; the action)
SHORTCUTS: dict[str, tuple[str, Callable[[], None]]] = {
    "ArrowRight": ("next stage", lambda: move_stage(1)),
    "PageDown": ("next stage", lambda: move_stage(1)),
    "ArrowLeft": ("previous stage", lambda: move_stage(-1)),
    "PageUp": ("previous stage", lambda: move_stage(-1)),
    "Enter": ("open or close the stage's numbers", _toggle_detail),
    "Escape": ("close the numbers", _close),
    "p": ("next pooling", _cycle_pooling),
    "n": ("next image", _next_image(1)),
    "b": ("previous image", _next_image(-1)),
    "f": ("presentation mode on or off", _toggle_presentation),
}
HELP = "→/PgDn next stage · ←/PgUp previous · Enter numbers · P pooling · N/B next/previous image · F present"

_keys = st.components.v2.component("lenet_keys", js=_JS % sorted(SHORTCUTS))


def _pressed() -> None:
    state = st.session_state.get("keys") or {}
    pressed = state.get("key") if hasattr(state, "get") else None
    if not isinstance(pressed, list) or len(pressed) != 2 or pressed[1] == st.session_state.get("_key_seen"):
        return
    key, st.session_state["_key_seen"] = pressed
    if key in SHORTCUTS:
        SHORTCUTS[key][1]()


def keys_ui() -> None:
    """Listen to the page's keys (mounted once per run, out of sight)."""
    _keys(key="keys", on_key_change=_pressed)
