"""The model a page shows when it is not the explorer: a shipped variant, a model trained or imported here, or
an epoch of one (the Mistakes, Filters and One step pages)."""
from __future__ import annotations

from dataclasses import replace

import streamlit as st

from dashboard.core.cache import model_error, user_models, user_stamp
from dashboard.core.choice import ModelChoice, ops_label
from dashboard.core.text import plain
from lenet.i18n import _
from lenet.pretrained import SHIPPED


def model_options(saved: dict) -> dict[str, str]:
    """Model choice key -> its name in the menu: the shipped variants, then the models trained here (`saved`:
    cache.user_models())."""
    out = {}
    for variant in SHIPPED:
        act, pool = variant.split("-")
        out[ModelChoice(variant, act, pool).key] = _("{ops} (shipped)").format(ops=ops_label(act, pool, short=True))
    for file, ck in saved.items():
        cfg = ck.model_config
        out[ModelChoice(f"user:{file}", cfg.activation, cfg.pooling).key] = _("{name} (here)").format(
            name=ck.meta.get("name", file))
    return out


def model_ui(c1, c2, key: str) -> ModelChoice:
    """The menu in c1 (state key `key`), and in c2 the epoch of a model trained here with snapshots."""
    saved = user_models()  # (the folder listed once a run)
    models = model_options(saved)
    if st.session_state.get(key) not in models:
        st.session_state[key] = next(iter(models))
    choice = ModelChoice.from_key(c1.selectbox(_("Model"), list(models), key=key, format_func=models.get,
                                               label_visibility="collapsed"))
    if choice.user:
        file = choice.file
        epochs = list(saved[file].epochs)
        if len(epochs) > 1:
            epoch = c2.number_input(_("After epoch"), epochs[0], epochs[-1], epochs[-1], key=f"{key}_epoch_{file}",
                                    help=_("0 = the random initial weights"))
            if epoch != epochs[-1]:
                choice = replace(choice, weights=f"user:{file}@{epoch}")
        choice = replace(choice, stamp=user_stamp(file))  # (the menu's keys stay; the caches see the file's state)
    return choice


def page_head(title: str, key: str, widths: list[float], align: str = "center") -> tuple[ModelChoice | None, list]:
    """One row: the page's title, its model menu and epoch (state key `key`) in the first three columns of these
    widths; the other columns for the page. The choice is None for a model that cannot be loaded (said)."""
    cols = st.columns(widths, vertical_alignment=align)
    cols[0].markdown(f"#### {title}")
    choice = model_ui(cols[1], cols[2], key)
    error = model_error(choice.key)
    if error:
        st.error(_("This model cannot be loaded: {error}.").format(error=plain(error)))
        return None, cols[3:]
    return choice, cols[3:]
