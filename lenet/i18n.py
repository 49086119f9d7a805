"""The interface's two languages, Simplified Chinese and English, through gettext catalogues.

    from lenet.i18n import _, N_, ngettext, use
    use("zh")                                   # this thread (a browser session's run) speaks Chinese
    _("Epochs")                                 # "迭代周期"
    _("{n:,} images").format(n=60000)           # templates with named placeholders: a translator reorders them
    ngettext("{n} epoch", "{n} epochs", n)      # plural forms per language (Chinese has one)
    KINDS = {"conv": N_("convolution")}         # marked for extraction where defined, translated where shown

The catalogues: lenet/locale/<locale>/LC_MESSAGES/lenet.po (the sources, in the repository) and lenet.mo
(compiled from them by Babel and committed; a test checks that each .mo is the compilation of its .po, and that
every message of the code is translated with its placeholders intact). Extract and compile as the README's
"Translations" section says. English is the code's own text (no catalogue).

A message made where no reader's language is known (a training run's thread or process, a file every session
reads) is made with later(template, **params): one string that crosses threads, processes and JSON files, and
that say() writes in the reading thread's language. Any other string passes say() as it is.

The language is per thread (a ContextVar): Streamlit runs each browser session's script in its own thread, and
every cached value that holds text is keyed by the language it was made in.
"""
from __future__ import annotations

import contextvars
import functools
import gettext
import json
from typing import Callable
from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "lenet"
LANGUAGES = {"zh": "中文", "en": "English"}  # code -> its name in itself (what the language control shows)
LOCALES = {"zh": "zh_CN", "en": "en"}  # code -> the catalogue's locale
DEFAULT = "en"

_current: contextvars.ContextVar[str] = contextvars.ContextVar("lenet_language")
# where a thread that has not chosen asks (dashboard/core/language.py: the browser session's choice, for a widget's
# callback, which runs before the page has said its language); None: DEFAULT
fallback: Callable[[], str | None] | None = None


@functools.cache
def catalogue(lang: str) -> gettext.NullTranslations:
    """The compiled catalogue of a language (English: the code's own text)."""
    if lang == "en":
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, localedir=LOCALE_DIR, languages=[LOCALES[lang]], fallback=True)


def _speaking() -> str:
    lang = _current.get(None)
    if lang is None:
        lang = fallback() if fallback is not None else None
    return lang if lang in LANGUAGES else DEFAULT


def use(lang: str) -> str:
    """Speak this language in this thread from now on (an unknown code: the default); the code used."""
    lang = lang if lang in LANGUAGES else DEFAULT
    _current.set(lang)
    return lang


def language() -> str:
    """The language this thread speaks."""
    return _speaking()


def _(message: str) -> str:
    """The message in this thread's language."""
    return catalogue(_speaking()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form for n, in this thread's language (the template still to be formatted)."""
    return catalogue(_speaking()).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Marks a message for extraction where it is defined (a table of labels); _() translates it where shown."""
    return message


LATER = "\u2063i18n:"  # (an invisible separator first: no text a user types or a file holds starts so by chance)


def later(template: str, **params) -> str:
    """A message to be said in its reader's language (see the module's text); params: numbers, text, or other
    later() messages. Extracted like _() (babel -k later)."""
    return LATER + json.dumps({"t": template, "p": params}, ensure_ascii=False)


def later_n(singular: str, plural: str, n: int, **params) -> str:
    """later() with plural forms for n (a param too). Extracted like ngettext (babel -k later_n:1,2)."""
    return LATER + json.dumps({"t": singular, "pl": plural, "n": n, "p": {"n": n, **params}}, ensure_ascii=False)


def say(text, lang: str | None = None):
    """A later() message in this thread's language (or lang's); anything else as it is."""
    if not isinstance(text, str) or not text.startswith(LATER):
        return text
    if lang is not None:
        token = _current.set(lang)
        try:
            return say(text)
        finally:
            _current.reset(token)
    try:
        m = json.loads(text[len(LATER):])
        if not _known(m["t"]):  # only the code's own templates are filled in (a file's text could ask
            return text[len(LATER):]  # "{n:>999999999}"): anything else is shown as it is
        params = {k: say(v) for k, v in m.get("p", {}).items()}
        template = ngettext(m["t"], m["pl"], int(m["n"])) if "pl" in m else _(m["t"])
        try:
            return template.format(**params)
        except (KeyError, IndexError, ValueError):  # a catalogue that lost a placeholder: the code's own text
            return m["t"].format(**params)
    except (ValueError, KeyError, TypeError, AttributeError):
        return text[len(LATER):]


def _known(template) -> bool:
    """Whether a template is one of the code's messages (the catalogue holds every one: a test checks)."""
    known = getattr(catalogue("zh"), "_catalog", {})
    return isinstance(template, str) and (template in known or (template, 0) in known)


def from_environment(environ=None) -> str:
    """The language of a terminal (LC_ALL, LC_MESSAGES, LANGUAGE, LANG: 'zh_CN.UTF-8' is Chinese), for the
    command-line tools' --help."""
    import os

    environ = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANGUAGE", "LANG"):
        if environ.get(name):
            return from_browser(environ[name].split(":")[0].split(".")[0])
    return DEFAULT


def from_browser(locale: str | None) -> str:
    """The language for a browser's own (e.g. 'zh-CN', 'zh-Hant-TW', 'en-GB'): Chinese for any Chinese one."""
    return "zh" if (locale or "").lower().replace("_", "-").split("-")[0] == "zh" else DEFAULT


__all__ = ["DEFAULT", "LANGUAGES", "N_", "_", "from_browser", "language", "later", "later_n", "ngettext", "say", "use"]


class Said(Exception):
    """An error whose message is a later() message, for readers in either language: str(e) in English (logs, the
    command line; `english` where it adds words of its own), e.said the message itself (it crosses threads,
    processes and JSON), e.explained() in this thread's language (a page)."""

    def __init__(self, said: str, english: str | None = None) -> None:
        super().__init__(say(said, "en") if english is None else english)
        self.said = said

    def explained(self) -> str:
        return say(self.said)
