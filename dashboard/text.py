"""Text from users (model names, file names, messages that quote them) shown as plain text in Markdown."""
from __future__ import annotations

import re

_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~<>:/@&$])")


def plain(text: str) -> str:
    """text for st.markdown / st.caption / st.warning that shows exactly as typed: no bold, no links, no
    images, no HTML, no formulas: every punctuation character Markdown gives a meaning is backslash-escaped,
    so a URL is not even recognised as one."""
    return _SPECIAL.sub(r"\\\1", str(text)).replace("\n", " ")
