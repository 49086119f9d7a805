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
