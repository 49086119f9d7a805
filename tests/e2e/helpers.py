"""Small helpers shared by the browser tests."""
from __future__ import annotations

from pathlib import Path

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

_IDLE_AND_PAINTED = """() => {
    const plots = [...document.querySelectorAll('.js-plotly-plot')];
    return plots.length > 0 && plots.every(p => p.querySelector('.main-svg'));
}"""


def wait_for_app(page, text: str = "LeNet, stage by stage") -> None:
    """Until the page shows text and every Plotly chart on it has painted."""
    page.get_by_text(text).first.wait_for()
    page.wait_for_timeout(250)  # a rerun may start right after the first paint
    page.wait_for_function(_IDLE_AND_PAINTED, timeout=60_000)


def assert_no_errors(page) -> None:
    errors = page.locator("[data-testid='stException']").all_inner_texts()
    assert not errors, errors[0][:2000]


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
