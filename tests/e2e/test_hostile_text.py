"""Text from a file is plain text in a real browser: a model's name and a metric's text holding links, e-mail
addresses, Markdown images and bold make no link, no image and no bold on the Training page or in the explorer."""
from __future__ import annotations

from lenet import load_pretrained
from lenet.checkpoint import save_checkpoint
from tests.e2e.helpers import ARTIFACTS, assert_no_errors

NAME = "visit www.evil.com or mail a@b.co https://evil.org **bold**"
WHERE = "![x](http://127.0.0.1:9/t.png) [link](http://x.org) www.evil.com"
LINKS = """() => [...document.querySelectorAll('[data-testid="stMain"] a, [data-testid="stMain"] img')]
    .map(a => a.href || a.src).filter(u => u && !u.startsWith(location.origin) && !u.startsWith('data:'))"""


def test_names_and_metrics_from_a_file_are_plain_text(page_at, server):
    save_checkpoint(ARTIFACTS / "models" / "hostile.pt", load_pretrained("relu", "max"),
                    {"test_acc": 0.8, "evaluated_on": WHERE}, extra={"name": NAME, "source": "d2l"})
    try:
        page = page_at(1280, 900)
        page.goto(server + "/training")
        page.get_by_text("Saved models").wait_for(timeout=60_000)
        # shown as typed (its invisible joiners keep the addresses from becoming links)
        page.wait_for_function(f"() => {{ const t = document.querySelector('[data-testid=\"stMain\"]').innerText"
                               f".replaceAll('\\u2060', ''); return t.includes({WHERE!r}) && t.includes({NAME!r}); }}",
                               timeout=60_000)
        assert page.evaluate(LINKS) == []
        bolds = page.locator("[data-testid='stMain'] strong").all_inner_texts()
        assert "bold" not in [b.strip() for b in bolds]  # the name's own **bold** is not made bold
        page.goto(server + "/?mode=user&um=hostile.pt")
        page.locator(".st-key-network .js-plotly-plot .main-svg").first.wait_for(timeout=60_000)
        assert page.evaluate(LINKS) == []
        assert_no_errors(page)
    finally:
        (ARTIFACTS / "models" / "hostile.pt").unlink(missing_ok=True)
