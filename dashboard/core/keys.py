"""Keyboard shortcuts for the lecturer at the front (what a presenter's clicker sends moves through the network),
and taps on the network as a phone lays it out.

A tiny component (JavaScript only, nothing drawn) listens to the page's keys, except while a text or number
field has the focus, and sends each one to the server, where it changes the view's state like a click would.
It also reports taps (and clicks) on a figure that leaves dragging to the page (dragmode off: the network a
stage a row, figures.rows): such a figure cannot be a Streamlit selection widget, which turns dragging back on
and so keeps a finger from scrolling the page. The tap's point is looked up among the figure's pickers.
"""
from __future__ import annotations

from typing import Callable

import streamlit as st

from dashboard.core.state import ops_changed, shown_ops
from dashboard.views import move_stage, next_detail_stage
from lenet.i18n import N_
from lenet.ops import POOLINGS
from lenet.stages import POSSIBLE_NAMES

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
        if (!document.querySelector(".st-key-network")) return;  // the explorer's keys: other pages keep theirs
        e.preventDefault();
        window.__lenetKeyCount = (window.__lenetKeyCount || 0) + 1;  // each press once, however many reruns
        window.__lenetKeySend("key", [e.key, window.__lenetKeyCount]);
    }, true);
    document.addEventListener("click", (e) => {
        const gd = e.target && e.target.closest && e.target.closest(".js-plotly-plot");
        if (!gd || !gd._fullLayout || gd._fullLayout.dragmode !== false) return;
        const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis, box = gd.getBoundingClientRect();
        const x = xa.p2l(e.clientX - box.left - xa._offset), y = ya.p2l(e.clientY - box.top - ya._offset);
        for (const t of gd.data.filter(t => t.name === "pickers")) {
            const half = t.marker.size / 2;
            for (let i = 0; i < t.x.length; i++)
                if (Math.abs(x - t.x[i]) <= half && Math.abs(y - t.y[i]) <= half) {
                    window.__lenetKeyCount = (window.__lenetKeyCount || 0) + 1;
                    window.__lenetKeySend("tap", [t.customdata[i], window.__lenetKeyCount]);
                    return;
                }
        }
    }, true);
}
"""


def _cycle_pooling() -> None:
    names = list(POOLINGS)
    _, current = shown_ops()
    st.session_state["pooling"] = names[(names.index(current) + 1) % len(names)]
    ops_changed()


def _next_image(delta: int) -> Callable[[], None]:
    def move() -> None:
        from dashboard.app_pages.explorer_parts import choices  # the page's own modules, imported when used
        from dashboard.parts.inputs import candidates

        allowed = candidates(choices()[0].key).tolist()
        idx = int(st.session_state.get("index", 0))
        later = [k for k in allowed if (k - idx) * delta > 0]
        st.session_state["index"] = (min(later) if delta > 0 else max(later)) if later else \
            (allowed[0] if delta > 0 else allowed[-1])
        st.session_state["source"] = "pick"
    return move


def _move(delta: int) -> Callable[[], None]:
    """Next or previous stage: in presentation mode the stage framed on the network (its numbers open with
    Enter: the network stays in sight while the lecturer walks through it); else the next stage's numbers."""
    def move() -> None:
        if st.session_state.get("present") and not st.session_state.get("stage"):
            st.session_state["present_at"] = next_detail_stage(st.session_state.get("present_at"), delta)
        else:
            move_stage(delta)
    return move


def _toggle_detail() -> None:
    if st.session_state.get("stage"):
        st.session_state["stage"] = ""
    elif st.session_state.get("present") and st.session_state.get("present_at"):
        st.session_state["stage"], st.session_state["map"] = st.session_state["present_at"], -1
    else:
        move_stage(1)


def _close() -> None:
    st.session_state["stage"] = ""


def _toggle_presentation() -> None:
    st.session_state["present"] = not st.session_state.get("present")


# key (as the browser names it) -> (what it does, in words; the action)
SHORTCUTS: dict[str, tuple[str, Callable[[], None]]] = {
    "ArrowRight": ("next stage", _move(1)),
    "PageDown": ("next stage", _move(1)),
    "ArrowLeft": ("previous stage", _move(-1)),
    "PageUp": ("previous stage", _move(-1)),
    "Enter": ("open or close the stage's numbers", _toggle_detail),
    "Escape": ("close the numbers", _close),
    "p": ("next pooling", _cycle_pooling),
    "n": ("next image", _next_image(1)),
    "b": ("previous image", _next_image(-1)),
    "f": ("presentation mode on or off", _toggle_presentation),
}
HELP = N_("→/PgDn next stage · ←/PgUp previous · Enter its numbers · Esc close · P pooling · N/B next/previous "
          "image · F present")

_keys = st.components.v2.component("lenet_keys", js=_JS % sorted(SHORTCUTS))


def _pressed() -> None:
    state = st.session_state.get("keys") or {}
    pressed = state.get("key") if hasattr(state, "get") else None
    if not isinstance(pressed, list) or len(pressed) != 2 or pressed[1] == st.session_state.get("_key_seen"):
        return
    key, st.session_state["_key_seen"] = pressed
    if key in SHORTCUTS:
        SHORTCUTS[key][1]()


def _open_tapped(hit) -> None:
    """A tap on a map or neuron of the network laid out for a phone: open its numbers, as a click does."""
    if isinstance(hit, list) and len(hit) == 2 and hit[0] in POSSIBLE_NAMES and isinstance(hit[1], int) \
            and hit[1] >= 0:
        st.session_state["stage"], st.session_state["map"] = hit
        st.session_state["why_open"] = False  # one dialog at a time: the map's


def _on_tap(key: str, on_tap: Callable[[object], None]) -> Callable[[], None]:
    """The component's tap callback: each tap (numbered by the page) handed once to on_tap, as its customdata."""
    def tapped() -> None:
        state = st.session_state.get(key) or {}
        tap = state.get("tap") if hasattr(state, "get") else None
        if isinstance(tap, list) and len(tap) == 2 and tap[1] != st.session_state.get(f"_{key}_seen"):
            st.session_state[f"_{key}_seen"] = tap[1]
            on_tap(tap[0])
    return tapped


def taps_ui(key: str, on_tap: Callable[[object], None]) -> None:
    """On a page other than the explorer: taps on its figures that leave dragging to the page, each reported
    once to on_tap with the tapped point's customdata (its keys are not listened to here)."""
    _keys(key=key, on_tap_change=_on_tap(key, on_tap))


def keys_ui() -> None:
    """Listen to the page's keys and taps (mounted once per run, out of sight)."""
    _keys(key="keys", on_key_change=_pressed, on_tap_change=_on_tap("keys", _open_tapped))
