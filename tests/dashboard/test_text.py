"""User text shown as typed (dashboard.core.text.plain): nothing in it is Markdown, HTML, a formula or a link."""
import html

from dashboard.core.text import plain

HOSTILE = ["![x](http://host/t.png)", "**bold** _it_ `code` ~~s~~", "[link](http://x.org) <b>tag</b>",
           "visit www.evil.com or mail a@b.co https://evil.org", ":red[red] :material/home: $x^2$ \\(y\\)",
           "# head\n- item\n1. one", "a|b.pt@3#5", "50% & \"quotes\" 'single' = x"]


def test_what_is_left_is_letters_digits_and_character_references():
    for text in HOSTILE:
        out = plain(text)
        stripped = out
        for ref in set(__import__("re").findall(r"&#\d+;", out)):
            stripped = stripped.replace(ref, "")
        assert not set(stripped) & set("\\`*_{}[]()#+-.!|~<>:/@&$=\"'%\n"), (text, out)
        # what a reader sees is what was typed (with invisible joiners that keep addresses from becoming links)
        assert html.unescape(out).replace("\u2060", "") == text.replace("\n", " ")
