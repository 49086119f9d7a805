"""Text from users (model names, file names, messages that quote them) shown as plain text in Markdown."""
from __future__ import annotations

import re

# every character Markdown (with GitHub's extensions and Streamlit's :colour[...] and :icon: directives) or a
# formula could read as syntax, and those that make a URL or an e-mail address a link of its own
_SPECIAL = re.compile(r"[\\`*_{}\[\]()#+\-.!|~<>:/@&$=\"'%]")


def plain(text: str) -> str:
    """text for st.markdown / st.caption / st.warning / a help tooltip that shows exactly as typed: no bold, no
    links, no images, no HTML, no formulas, and no web or mail address turned into a link. Each such character
    is written as a numeric character reference (&#46; for '.'): Markdown shows it as the character and never
    reads it as syntax. Streamlit still makes links of 'www.x.org', 'http://…' and 'a@b.co' from the references
    (and from backslash escapes): an invisible word joiner (U+2060) after 'www', ':' and '@' keeps them text."""
    text = _WWW.sub("\\g<0>\u2060", str(text))
    return _SPECIAL.sub(_reference, text).replace("\n", " ").replace("\r", " ")


_WWW = re.compile(r"www", re.IGNORECASE)


def _reference(m: re.Match) -> str:
    c = m.group(0)
    return f"&#{ord(c)};&#8288;" if c in ":@" else f"&#{ord(c)};"
