"""The Training page's import of a model trained in the d2l notebook (lenet.d2l): uploaded here or dropped into
the models folder, its activation and pooling chosen here, its accuracy measured once and saved with it."""
from __future__ import annotations

import numpy as np
import streamlit as st
import torch

from dashboard.core.cache import gallery, user_models
from dashboard.core.choice import ops_label
from dashboard.core.language import uploader_words
from dashboard.core.roles import refusal
from dashboard.core.text import plain
from lenet.d2l import DROPOUT, LAYOUT_TEXT, SEED_OPS, D2LError, Found, infer, layout_of, read_state
from lenet.i18n import N_, _, later, say
from lenet.ops import ACTIVATIONS, POOLINGS
from lenet.user_models import import_model, models_dir, writable, write_problem

UPLOAD = N_("the uploaded file")  # (the menu's value for an upload: shown through _())
HOW = N_("In the notebook, save the trained net's weights: `torch.save(net.state_dict(), 'lenet.params')` (the "
         "seed's net, with `Reshape()` first, or the book's current one without; d2l's BatchNorm LeNet or your "
         "own LeNet-like net built with `nn.Sequential` too). Upload that file here, or drop it into the models "
         "folder: it is listed at once with the seed's sigmoid + average pooling; import it here to choose others. "
         "Only weights are read (no code in the file can run).")


def dropped() -> list[str]:
    """d2l files dropped into the models folder as they are (not yet imported), by file name."""
    return [name for name, ck in user_models().items() if ck.meta.get("source") == "d2l" and "name" not in ck.meta]


def import_ui() -> None:
    with st.expander(_("Import a model trained in the d2l notebook")):
        st.markdown(_(HOW))
        uploader_words("d2l_upload")
        upload = st.file_uploader(_("The state_dict file"), key="d2l_upload", help=_("any name: .params, .pt, .pth"))
        sources = ([UPLOAD] if upload is not None else []) + dropped()
        if not sources:
            st.caption(_("No file uploaded, and no d2l file in the models folder."))
            return
        c1, c2, c3, c4 = st.columns([3, 2, 2, 3], vertical_alignment="bottom")
        source = c1.selectbox(_("Weights from"), sources, key="d2l_source",
                              format_func=lambda s: _(s) if s == UPLOAD else _("{file} (in the models folder)").format(
                                  file=s))
        c2.selectbox(_("Activation"), list(ACTIVATIONS), index=list(ACTIVATIONS).index(SEED_OPS[0]),
                     format_func=lambda a: _(ACTIVATIONS[a].label), key="d2l_activation",
                     help=_("what the net was built with: the file holds only weights"))
        c3.selectbox(_("Pooling"), list(POOLINGS), index=list(POOLINGS).index(SEED_OPS[1]),
                     format_func=lambda p: _(POOLINGS[p].label), key="d2l_pooling")
        default = (upload.name if source == UPLOAD else source).rsplit(".", 1)[0]
        identity = [source, upload.file_id if source == UPLOAD else ""]
        if st.session_state.get("_d2l_for") != identity:  # another file: its own name (not the last file's)
            st.session_state["_d2l_for"] = identity
            st.session_state["d2l_name"] = f"d2l {default}"
        c4.text_input(_("Save as"), key="d2l_name", max_chars=60)
        found = _found(upload.getvalue() if source == UPLOAD else models_dir() / source)
        if found is not None:
            _found_ui(found)
        st.button(_("Import"), key="d2l_import", on_click=_on_import)
        note = st.session_state.pop("_d2l_note", None)
        if note:
            done, said = note
            (st.success if done else st.error)(plain(said))


def _found(source) -> Found | str | None:
    """What the file is the weights of (lenet.d2l.infer), or why it is none; None where it cannot be read at all
    (the import says why)."""
    try:
        return infer(read_state(source))
    except D2LError as e:
        return e.explained()
    except OSError:
        return None


def _found_ui(found: Found | str) -> None:
    """The architecture the file holds, in short, and the padding where its shapes allow several."""
    if isinstance(found, str):
        st.warning(_("This file cannot be imported: {why}.").format(why=found))
        return
    config = found.config()
    said = _("The file holds {arch}: {convs} conv blocks, {dense} hidden dense layers.").format(
        arch=config.architecture, convs=len(config.convs), dense=len(config.dense))
    if found.dropped_out:
        said += " " + _("Dropout after dense layer {layers}: its rate is not in the file ({p:g} assumed; it plays no "
                        "part in what the net predicts).").format(layers=_(", ").join(map(str, found.dropped_out)),
                                                                 p=DROPOUT)
    st.caption(said)
    options = [",".join(map(str, p)) for p in found.paddings]
    if len(options) > 1:
        if st.session_state.get("d2l_padding") not in options:
            st.session_state["d2l_padding"] = options[0]
        st.selectbox(_("Padding of each conv block"), options, key="d2l_padding",
                     help=_("the file's shapes allow each of these (the most usual first): the net was built with "
                            "one of them"))
    else:
        st.session_state["d2l_padding"] = options[0]


def _on_import() -> None:
    """Before the page's run (a button's callback): so that the saved models above list the new one at once.
    The fields are read from the session state, which holds what was typed with the click, too."""
    state = st.session_state
    source, activation, pooling, name = (state.get(k) for k in ("d2l_source", "d2l_activation", "d2l_pooling",
                                                                 "d2l_name"))
    upload = state.get("d2l_upload")
    if source == UPLOAD and upload is None:
        st.session_state["_d2l_note"] = (False, _("Not imported: the uploaded file is gone (upload it again)."))
        return
    padding = state.get("d2l_padding")
    padding = tuple(int(p) for p in padding.split(",")) if isinstance(padding, str) and padding else None
    st.session_state["_d2l_note"] = _import(upload.getvalue() if source == UPLOAD else models_dir() / source,
                                            activation, pooling, name or "d2l model", padding)


def _import(source, activation: str, pooling: str, name: str, padding: tuple[int, ...] | None = None
            ) -> tuple[bool, str]:
    """Import and say what happened (whether it was imported; one line: the file saved and its accuracy, or why
    not)."""
    refused = refusal(_("import a model"))
    if refused:
        return False, refused
    unwritable = writable()
    if unwritable:
        return False, _("Not imported: {why}.").format(why=unwritable)
    try:
        state = read_state(source)
        samples, full = gallery()
        X, y = samples.tensor(), torch.from_numpy(samples.labels.astype(np.int64))
        # stored with the model, said in each reader's language
        where = later("the full test set ({n:,} images)", n=len(y)) if full else \
            later("the {n:,} bundled test images", n=len(y))
        path, acc = import_model(state, activation, pooling, name, models_dir(), X, y, where, padding)
    except D2LError as e:
        return False, _("Not imported: {why}.").format(why=e.explained())
    except OSError as e:  # a full or read-only disk, said in words (never the server's path)
        return False, _("Not imported: {why}.").format(why=write_problem(e, models_dir()))
    return True, _("Imported as {name} ({layout}; {ops}): accuracy {acc:.1%} on {where}. Open it in the Explorer "
                   "(Weights: a model trained here).").format(name=path.name, layout=_(LAYOUT_TEXT[layout_of(state)]),
                                                              ops=ops_label(activation, pooling), acc=acc,
                                                              where=say(where))
