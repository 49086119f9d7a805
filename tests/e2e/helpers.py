"""Small helpers shared by the browser tests."""
from __future__ import annotations

from pathlib import Path

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

_IDLE_AND_PAINTED = """() => {
    const plots = [...document.querySelectorAll('.js-plotly-plot')];
    return plots.length > 0 && plots.every(p => p.querySelector('.main-svg'));
}"""


def prediction(page) -> str:
    """The explorer's prediction and what it says of the model and the image (the text beside the picture)."""
    texts = page.locator(".st-key-seen [data-testid='stMarkdownContainer'], "
                         ".st-key-seen_below [data-testid='stMarkdownContainer']").all_inner_texts()
    return " ".join(texts).replace("\u2060", "")  # (text.plain's invisible joiners)


def wait_for_app(page, text: str | None = None) -> None:
    """Until the page shows text (default: the explorer's prediction) and every Plotly chart on it has painted."""
    if text is None:
        page.locator(".st-key-seen [data-testid='stMarkdownContainer']").first.wait_for()
    else:
        page.get_by_text(text).filter(visible=True).first.wait_for()  # not a stale copy being replaced
    page.wait_for_timeout(250)  # a rerun may start right after the first paint
    page.wait_for_function(_IDLE_AND_PAINTED, timeout=60_000)


# Laid out for this window: the overview's figure is as wide as the main column (the browser has told its size,
# and the figure drawn for it has replaced the first one).
_LAID_OUT = """() => {
    const gd = document.querySelector('.st-key-overview .js-plotly-plot');
    const main = document.querySelector('[data-testid="stMainBlockContainer"]');
    if (!gd || !gd._fullLayout || !main) return false;
    const style = getComputedStyle(main);
    const room = main.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    return Math.abs(gd._fullLayout.width - room) < 12;
}"""


def wait_laid_out(page, text: str | None = None) -> None:
    """Until the page shows text and the overview is drawn for this window's size."""
    wait_for_app(page, text)
    page.wait_for_function(_LAID_OUT, timeout=60_000)
    page.wait_for_timeout(300)


def overview(page):
    """The overview chart's locator."""
    return page.locator(".st-key-overview .js-plotly-plot").first


def assert_no_errors(page) -> None:
    """No exception shown on the page, and none in its JavaScript (the test fixtures record those)."""
    errors = page.locator("[data-testid='stException']").all_inner_texts()
    assert not errors, errors[0][:2000]
    crashes = [m for m in getattr(page, "messages", []) if m.startswith("page error")]
    assert not crashes, crashes[:3]


# Where on the page a picker point (an invisible marker whose click selects, figures.picker_trace) lies,
# computed from the figure's own data and axes: pickers are not drawn point by point (marker.maxdisplayed),
# hover and click find them from the data, as Plotly does.
_PICKER_AT = """([gd, wanted]) => {
    const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis, box = gd.getBoundingClientRect();
    for (const t of gd.data.filter(t => t.name === 'pickers'))
        for (const [i, cd] of t.customdata.entries())
            if (JSON.stringify(cd) === JSON.stringify(wanted))
                return [box.left + xa._offset + xa.l2p(t.x[i]), box.top + ya._offset + ya.l2p(t.y[i])];
    return null;
}"""


def picker_position(chart, customdata) -> tuple[float, float]:
    """Page coordinates of the picker point whose customdata is `customdata`, in a Plotly chart's locator."""
    handle = chart.element_handle()
    at = chart.page.evaluate(_PICKER_AT, [handle, customdata])
    assert at is not None, f"no picker with customdata {customdata}"
    return at[0], at[1]
