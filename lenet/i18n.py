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

The language is per thread (a ContextVar): Streamlit runs each browser session's script in its own thread, and
every cached value that holds text is keyed by the language it was made in.
"""
from __future__ import annotations

import contextvars
import functools
import gettext
from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "lenet"
LANGUAGES = {"zh": "中文", "en": "English"}  # code -> its name in itself (what the language control shows)
LOCALES = {"zh": "zh_CN", "en": "en"}  # code -> the catalogue's locale
DEFAULT = "en"

_current: contextvars.ContextVar[str] = contextvars.ContextVar("lenet_language", default=DEFAULT)


@functools.cache
def catalogue(lang: str) -> gettext.NullTranslations:
    """The compiled catalogue of a language (English: the code's own text)."""
    if lang == "en":
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, localedir=LOCALE_DIR, languages=[LOCALES[lang]], fallback=True)


def use(lang: str) -> str:
    """Speak this language in this thread from now on (an unknown code: the default); the code used."""
    lang = lang if lang in LANGUAGES else DEFAULT
    _current.set(lang)
    return lang


def language() -> str:
    """The language this thread speaks."""
    return _current.get()


def _(message: str) -> str:
    """The message in this thread's language."""
    return catalogue(_current.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form for n, in this thread's language (the template still to be formatted)."""
    return catalogue(_current.get()).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Marks a message for extraction where it is defined (a table of labels); _() translates it where shown."""
    return message


def from_browser(locale: str | None) -> str:
    """The language for a browser's own (e.g. 'zh-CN', 'zh-Hant-TW', 'en-GB'): Chinese for any Chinese one."""
    return "zh" if (locale or "").lower().replace("_", "-").split("-")[0] == "zh" else DEFAULT


__all__ = ["DEFAULT", "LANGUAGES", "N_", "_", "from_browser", "language", "ngettext", "use"]
