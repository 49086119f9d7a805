"""The Training page's list of saved models: a page of the folder at a time, each file read once while unchanged."""
from __future__ import annotations

from pathlib import Path

import streamlit as st

from dashboard.core.roles import refusal
from dashboard.core.text import plain
from dashboard.core.choice import ops_label
from lenet.i18n import _, say
from lenet.user_models import MAX_LISTED, SavedModel, delete_model, list_files, models_dir, scan_models

PAGE = 20  # models a page of the list shows (2,000 files in the folder: only these 20 are read)


def _delete(path: Path, folder: Path) -> None:
    refused = refusal(_("delete models"))
    if refused:
        st.session_state["_delete_note"] = refused
        return
    try:
        delete_model(path, folder)
    except FileNotFoundError:
        st.session_state["_delete_note"] = _("{name} was already deleted (by another session).").format(
            name=path.name)
    except (OSError, ValueError) as e:
        reason = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
        st.session_state["_delete_note"] = _("{name} could not be deleted: {reason}.").format(name=path.name,
                                                                                              reason=reason)


def _turn(step: int) -> None:
    st.session_state["_models_page"] = max(0, st.session_state.get("_models_page", 0) + step)


def saved_models_ui() -> None:
    st.subheader(_("Saved models"))
    try:
        folder = models_dir()
        files = list_files(folder)
    except ValueError as e:
        st.error(plain(str(e)))
        return
    except OSError as e:
        st.error(plain(_("The models folder {name}/ cannot be read ({error}).").format(
            name=folder.name, error=e.strerror or type(e).__name__)))
        return
    note = st.session_state.pop("_delete_note", None)
    if note:
        st.warning(plain(note))
    if not files:
        st.caption(plain(_("None yet in {name}/.").format(name=folder.name)))
        return
    pages = -(-len(files) // PAGE)
    page = min(st.session_state.get("_models_page", 0), pages - 1)
    st.session_state["_models_page"] = page
    models, skipped = scan_models(folder, page * PAGE, PAGE)
    if pages > 1:
        _pager(folder, len(files), page, pages)
    for line in skipped:
        st.warning(plain(_("Skipped {what}").format(what=say(line))))
    for model in models:
        _row(model, folder)


def _pager(folder: Path, count: int, page: int, pages: int) -> None:
    first, last = page * PAGE + 1, min(count, (page + 1) * PAGE)
    limit = _(" (a folder lists its newest {n:,} files)").format(n=MAX_LISTED) if count >= MAX_LISTED else ""
    c1, c2, c3 = st.columns([4, 1, 1], vertical_alignment="center")
    c1.caption(plain(_("{count:,} files in {name}/, newest first: {first:,}–{last:,} shown{limit}.").format(
        count=count, name=folder.name, first=first, last=last, limit=limit)))
    c2.button(_("◀ Newer"), key="models_newer", on_click=_turn, args=(-1,), disabled=page == 0,
              width="stretch")
    c3.button(_("Older ▶"), key="models_older", on_click=_turn, args=(1,), disabled=page >= pages - 1,
              width="stretch")


def _row(model: SavedModel, folder: Path) -> None:
    c1, c2 = st.columns([5, 1])
    m, model_config = model.metrics, model.model_config
    acc = m.get("test_acc")
    ops = ops_label(model_config.activation, model_config.pooling)
    if not model_config.is_seed:  # another member of the family: its shape in short first (6c5bn-16c5bn · …)
        ops = f"{model_config.architecture}, {ops}"
    # (every value from the file as plain text: a metric's text once rendered as Markdown, images included)
    if model.meta.get("source") != "d2l":
        how = _("{ops}, {epochs} epochs, test acc {acc}").format(ops=ops, epochs=plain(str(m.get("epochs", "?"))),
                                                               acc="?" if acc is None else f"{acc:.1%}")
    elif acc is None:  # dropped in as the notebook saved it
        how = _("from the d2l notebook, {ops} assumed (import it below to choose others)").format(ops=ops)
    else:
        how = _("from the d2l notebook, {ops}, accuracy {acc:.1%} on {where}").format(
            ops=ops, acc=acc, where=plain(str(say(m.get("evaluated_on", "?")))))
    c1.markdown(f"**{plain(str(model.meta.get('name', model.path.stem)))}** — {how} ({plain(model.path.name)})")
    c2.button(_("Delete"), key=f"del_{model.path.name}", on_click=_delete, args=(model.path, folder))
