"""Which language a browser session speaks, and the control that switches it (on every page).

The language comes from the link (?lang=zh, ?lang=en: a link on a slide keeps its language), else from what
this session chose, else from the browser's own language (a Chinese browser gets Chinese without asking). It is
always written back into the link, and switching it keeps the view (image, stage, pooling, open detail: all in
the session's state).
"""
from __future__ import annotations

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from lenet import i18n
from lenet.i18n import LANGUAGES, _, from_browser, language, use

# at the header's right end, left of the explorer's ⚙ Settings; its wrapper out of the page's flow too (in it, an
# empty wrapper still cost the page a gap of 18 px above its content)
LANGUAGE_CSS = """<style>
.st-key-language {position: fixed; top: 0.3rem; right: 9.5rem; z-index: 999990; width: auto;}
[data-testid="stLayoutWrapper"]:has(> .st-key-language) {position: absolute;}
.st-key-language [data-testid="stButtonGroup"] button {min-height: 2rem; padding: 0 0.6rem;}
</style>"""


def _session_language() -> str | None:
    """The browser session's language, for a thread that has not said its own: a widget's callback runs before
    the page (and settle_language) in each run's new thread."""
    if get_script_run_ctx(suppress_warning=True) is None:
        return None
    return st.session_state.get("lang")


i18n.fallback = _session_language


def settle_language() -> str:
    """The session's language for this run (set for the thread: lenet.i18n.use), and the link says it."""
    asked = st.query_params.get("lang")
    if asked in LANGUAGES:
        st.session_state["lang"] = asked
    elif st.session_state.get("lang") not in LANGUAGES:
        st.session_state["lang"] = from_browser(st.context.locale)
    lang = use(st.session_state["lang"])
    st.session_state["_lang_page"] = lang  # what the page behind an open dialog speaks (dialog_language_ui)
    if st.query_params.get("lang") != lang:
        st.query_params["lang"] = lang
    return lang


def _switched(key: str = "lang_choice") -> None:
    chosen = st.session_state.get(key)
    if chosen not in LANGUAGES:
        return
    # The browser sends a menu's choice back as the text it shows: in the next run, in the other language, that
    # text would match no option and the choice would be lost. Read here (with this run's texts), each menu's
    # value (a text: buttons, toggles and numbers are sent as what they are) is set again, so the view is kept.
    for key in list(st.session_state.keys()):
        if not key.startswith("lang_") and isinstance(st.session_state[key], str):
            st.session_state[key] = st.session_state[key]
    st.session_state["lang"] = chosen
    st.query_params["lang"] = chosen


def language_ui() -> None:
    """中文 | English, at the header's right end."""
    st.session_state["lang_choice"] = st.session_state["lang"]
    with st.container(key="language"):  # (its style inside it: nothing of it takes room on the page)
        st.html(LANGUAGE_CSS)
        st.segmented_control(_("Language"), list(LANGUAGES), key="lang_choice", format_func=LANGUAGES.get,
                             label_visibility="collapsed", on_change=_switched)


def uploader_words(key: str, types: str = "") -> None:
    """Streamlit's file uploader writes its button and its limit in English, whatever the page speaks: in another
    language both are drawn over by CSS (the uploader of widget key `key`; types: the formats it lists)."""
    if language() == "en":
        return
    limit = _("{mb} MB per file").format(mb=st.get_option("server.maxUploadSize"))
    said = _("{limit} • {types}").format(limit=limit, types=types) if types else limit
    # (the English text is left out; the words of the page's language come after it, in its place)
    button = f'.st-key-{key} [data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"]'
    limits = f'.st-key-{key} [data-testid="stFileUploaderDropzoneInstructions"] > div'
    st.html(f"""<style>
{button} p, {limits} > span {{display: none;}}
{button}::after {{content: "{_("Upload")}";}}
{limits}::after {{content: "{said}"; font-size: 0.875rem; color: rgba(49, 51, 63, 0.6);}}
</style>""")


def dialog_language_ui() -> None:
    """中文 | English in an open dialog's row of buttons (the dialog covers the header's). A dialog reruns alone:
    after a switch in it, the whole page is run again in the new language, the dialog open over it."""
    if st.session_state.get("lang") != st.session_state.get("_lang_page"):
        st.rerun(scope="app")
    st.session_state["lang_dialog"] = st.session_state["lang"]
    st.segmented_control(_("Language"), list(LANGUAGES), key="lang_dialog", format_func=LANGUAGES.get,
                         label_visibility="collapsed", on_change=_switched, args=("lang_dialog",))
