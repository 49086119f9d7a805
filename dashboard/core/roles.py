"""Who may do what: a lecturer and a class.

With a lecturer key set (the environment variable LENET_LECTURER_KEY, or `lecturer_key` in Streamlit's
secrets, .streamlit/secrets.toml), every browser session is a student until it unlocks with the key: students
watch the live run and explore, but cannot start, stop or delete. The key is typed into a password field,
never put in the URL (a URL ends up on the projector). Without a key (one person on a laptop) everyone may
do everything, and the Training page says so.

Limits on a run (for everyone; the lecturer sets them in the environment): LENET_MAX_STEPS, the most
optimisation steps one run may take (epochs × batches per epoch), so that nobody holds the only training slot
for hours.
"""
from __future__ import annotations

import math
import os

import streamlit as st

from lenet.i18n import _

DEFAULT_MAX_STEPS = 12_000  # the modern preset (30 epochs of 60,000 at batch 256) takes 7,050


def lecturer_key() -> str | None:
    """The configured key, or None: the environment first, then Streamlit's secrets."""
    key = os.environ.get("LENET_LECTURER_KEY")
    if not key:
        try:
            key = st.secrets.get("lecturer_key")
        except Exception:  # no secrets file, or one that does not parse: no key from there
            key = None
    return str(key) if key else None


def is_lecturer() -> bool:
    """May this session start, stop and delete? Everyone may when no key is set."""
    return lecturer_key() is None or bool(st.session_state.get("lecturer"))


def unlock(typed: str) -> str | None:
    """Unlock this session if `typed` is the key (compared in constant time): None, else what the page says
    (wrong keys are slowed down per session and per server, and logged: dashboard/core/key_guard.py)."""
    from dashboard.core.key_guard import check
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    key = lecturer_key()
    if key is None:
        return _("No lecturer key is set on this server.")
    ctx = get_script_run_ctx()
    ok, why = check(st.session_state, typed, key, ctx.session_id if ctx else "-")
    if ok:
        st.session_state["lecturer"] = True
    return why


def refusal(action: str) -> str | None:
    """None if this session may do `action` ("start", "stop", "delete"), else why not, in plain words."""
    if is_lecturer():
        return None
    return _("Only the lecturer can {action} here: students watch the run and explore (the lecturer unlocks with "
             "the key on this page).").format(action=action)


def max_steps() -> int:
    try:
        return max(1, int(os.environ.get("LENET_MAX_STEPS") or DEFAULT_MAX_STEPS))
    except ValueError:
        return DEFAULT_MAX_STEPS


def run_too_long(epochs: int, images: int, batch: int, work: float = 1.0) -> str | None:
    """None if a run of this size is allowed, else why not. work: what one step of the network costs against a
    step of the seed's LeNet (a 64-map member's steps count several times each)."""
    batches = math.ceil(images / max(1, batch))
    steps, limit = epochs * batches, max_steps()
    if steps * max(work, 1.0) <= limit:
        return None
    if work > 1.0:
        return _("This run would take {steps:,} steps ({epochs} epochs × {batches:,} batches) of a network that "
                 "does {ratio:.1f}× the seed LeNet's work per image: {cost:,.0f} of the seed's steps, where this "
                 "server allows {limit:,} per run, so that nobody holds the only training slot for long. Choose "
                 "fewer epochs, fewer images, a larger batch or a smaller network (the limit is LENET_MAX_STEPS)."
                 ).format(steps=steps, epochs=epochs, batches=batches, ratio=work, cost=steps * work, limit=limit)
    return _("This run would take {steps:,} steps ({epochs} epochs × {batches:,} batches); this server allows "
             "{limit:,} per run, so that nobody holds the only training slot for long. Choose fewer epochs, fewer "
             "images or a larger batch (the limit is LENET_MAX_STEPS).").format(steps=steps, epochs=epochs,
                                                                               batches=batches, limit=limit)
