"""Why this prediction: a dialog over the explorer with the attributions of the current image for a class (the
prediction by default, any class on demand), and the overview's outlines of the maps that matter for it."""
from __future__ import annotations

import numpy as np
import streamlit as st

from dashboard.core.cache import attribution_of, contributions_of, get_model, window_drops_of
from dashboard.core.charts import CHART_OPTIONS, chart
from dashboard.figures.why import attribution_figure
from dashboard.core.language import dialog_language_ui
from dashboard.parts.overview import columns_of, shown
from dashboard.core.state import sync_query_params
from dashboard.views.common import NARROW
from lenet.attribution import METHODS, WINDOW, last_conv, maps_reading
from lenet.data import CLASS_NAMES, class_name
from lenet.i18n import _


# the readings beside the pictures in a smaller type (14 px), so that the dialog fits a 1280×720 screen
TEXT_CSS = "<style>.st-key-why_text p, .st-key-why_text li {font-size: 0.8rem; line-height: 1.45;}</style>"


def open_why(predicted: int) -> None:
    """The Why? button: open the dialog on the class already asked about, else the prediction."""
    if st.session_state.get("why") not in CLASS_NAMES:
        st.session_state["why"] = CLASS_NAMES[predicted]
    st.session_state["why_open"] = True
    st.session_state["stage"] = ""  # one dialog at a time


def settle_class(probs: np.ndarray) -> None:
    """Opened by a link that names no class: the prediction (before the overview is drawn with its outlines)."""
    if st.session_state.get("why_open") and st.session_state.get("why") not in CLASS_NAMES:
        st.session_state["why"] = CLASS_NAMES[int(np.argmax(probs))]


def _close() -> None:
    st.session_state["why_open"] = False


def _stop() -> None:
    st.session_state["why_open"] = False
    st.session_state["why"] = ""


def why_button(container, probs: np.ndarray) -> None:
    container.button(_("Why?"), key="why_button", on_click=open_why, args=(int(np.argmax(probs)),),
                     help=_("which pixels and which maps made this prediction (Captum attributions)"))


def why_dialog(key: str, image: bytes, probs: np.ndarray, label: int | None, font: int,
               page_width: float = 1240.0) -> None:
    """The dialog, while open: a class, four attributions of its score with a reading each, the maps that matter
    (the pictures beside the readings; on a phone one under the other). (Its class is settled by then:
    settle_class runs before the overview is drawn.)"""
    from dashboard.app_pages.explorer_parts import DIALOG_CSS, DIALOG_PAD, dialog_width  # (the page's own module)

    width = dialog_width(page_width)
    narrow = width - DIALOG_PAD < NARROW

    def body() -> None:
        if not st.session_state.get("why_open"):  # Close or Clear (the dialog reruns alone): the whole page again
            st.rerun()
        st.html(DIALOG_CSS + TEXT_CSS)
        pred = int(np.argmax(probs))

        def name(c: str) -> str:
            k = CLASS_NAMES.index(c)
            notes = ([_("predicted")] if k == pred else []) + ([_("true")] if k == label else [])
            return _("{name} ({p:.0%}{notes})").format(
                name=class_name(k), p=probs[k], notes="".join(_(", {note}").format(note=n) for n in notes))

        with st.container(horizontal=True, vertical_alignment="bottom", gap="small"):
            st.button(_("Close"), key="why_close", on_click=_close, type="primary", help=_("or press Esc"))
            st.selectbox(_("Why this class?"), CLASS_NAMES, key="why", format_func=name, width=320,
                         help=_("every attribution explains this class's score (its logit, before the softmax)"))
            st.button(_("Clear the outlines"), key="why_stop", on_click=_stop,
                      help=_("remove the green outlines from the overview and close"))
            dialog_language_ui()
        target = CLASS_NAMES.index(st.session_state["why"])
        results = {m: attribution_of(key, image, target, m) for m in METHODS}
        drops = window_drops_of(key, image, target)
        i, j = np.unravel_index(int(np.argmax(drops)), drops.shape)
        stages, layer = get_model(key).stages, last_conv(get_model(key))
        panels = [(_(METHODS[m].label).format(layer=layer), got[0]) for m, got in results.items()]
        left, right = (st.container(), st.container()) if narrow else st.columns([1, 1.15], gap="medium")
        chart(attribution_figure(np.frombuffer(image, np.float32).reshape(28, 28), panels,
                                 (list(METHODS).index("occlusion"), int(i), int(j)), font, per_row=2),
              key="why_fig", where=left, config=CHART_OPTIONS)
        said = _("**{method}** ({explains}): {reading}")
        lines = ["- " + said.format(method=_(METHODS[m].label).format(layer=layer),
                                    explains=_(METHODS[m].explains).format(w=WINDOW, layer=layer),
                                    reading=got[1]) for m, got in results.items()]
        lines.insert(1, "- " + _("The orange square: covering rows {top}–{bottom}, columns {left}–{right} lowers the "
                                 "score most, by {drop:.2f}.").format(top=i, bottom=i + WINDOW - 1, left=j,
                                                                      right=j + WINDOW - 1, drop=float(drops[i, j])))
        parts = contributions_of(key, image, target)
        maps = [f"- {maps_reading(stages.by_name[c].title, parts[shown(stages, c)], class_name(target), noun)}"
                for c in columns_of(stages) if shown(stages, c) in parts
                for noun in ["maps" if stages.by_name[c].is_map else "neurons"]]  # (English keys)
        with right.container(key="why_text"):
            said, matter = st.tabs([_("What the pictures say"), _("Which maps matter")])
            said.markdown("\n".join(lines))
            matter.markdown(_("For {cls} (layer integrated gradients; outlined in green on the overview):").format(
                cls=class_name(target)) + "\n" + "\n".join(maps))
        sync_query_params()

    st.dialog(_("Why this prediction?"), width=width, on_dismiss=_close)(body)()
