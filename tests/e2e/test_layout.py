"""The explorer as a class sees it, at 1280×720, 1366×768 and 1920×1080: the whole network on the first screen,
text large enough for the back row and never clipped, details opening where the eye is, play playing."""
from __future__ import annotations

import pytest

from tests.e2e.helpers import ARTIFACTS, assert_no_errors, overview, picker_position, wait_laid_out

VIEWPORTS = [(1280, 720), (1366, 768), (1920, 1080)]

# Every text of the overview: its font size and box, and whether any two overlap or one leaves the figure.
_TEXTS = """(key) => {
    const gd = document.querySelector('.st-key-' + (key || 'overview') + ' .js-plotly-plot');
    const fig = gd.getBoundingClientRect();
    const boxes = [...gd.querySelectorAll('.textpoint text, g.textpoint text, text.textpoint')]
        .concat([...gd.querySelectorAll('.scatterlayer text')])
        .filter((t, i, all) => all.indexOf(t) === i && t.textContent.trim());
    const out = boxes.map(t => { const r = t.getBoundingClientRect();
        return {text: t.textContent, size: parseFloat(getComputedStyle(t).fontSize),
                l: r.left, r: r.right, t: r.top, b: r.bottom}; });
    const overlaps = [];
    for (let i = 0; i < out.length; i++) for (let j = i + 1; j < out.length; j++) {
        const a = out[i], b = out[j];
        if (a.l < b.r - 1 && b.l < a.r - 1 && a.t < b.b - 1 && b.t < a.b - 1) overlaps.push([a.text, b.text]);
    }
    const outside = out.filter(a => a.l < fig.left - 1 || a.r > fig.right + 1 || a.t < fig.top - 1
                                     || a.b > fig.bottom + 1).map(a => a.text);
    return {count: out.length, min: Math.min(...out.map(a => a.size)), overlaps, outside};
}"""


def _open(page, server: str, query: str = "") -> None:
    page.goto(server + "/" + query)
    wait_laid_out(page)


@pytest.mark.parametrize("width,height", VIEWPORTS, ids=[f"{w}x{h}" for w, h in VIEWPORTS])
def test_the_whole_network_on_the_first_screen(page_at, server, width, height):
    page = page_at(width, height)
    _open(page, server)
    box = overview(page).bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= height  # input to softmax, no scrolling
    assert box["height"] >= 0.55 * height and box["x"] + box["width"] <= width
    texts = page.evaluate(_TEXTS)
    assert texts["count"] > 50  # headers, legends, class names, percentages
    assert texts["min"] >= (14 if width >= 1920 else 12)
    assert not texts["overlaps"], texts["overlaps"][:5]
    assert not texts["outside"], texts["outside"][:5]
    conv1_px = page.evaluate("() => { const gd = document.querySelector('.st-key-overview .js-plotly-plot');"
                             " const t = gd.data.find(t => t.name === 'conv1'); return t.dx * 28; }")
    assert conv1_px >= 64
    verdict = page.locator("p", has_text="· correct").first
    assert verdict.inner_text().startswith("Ankle boot 100%")
    assert verdict.evaluate("e => e.scrollWidth <= e.clientWidth + 1")  # the prediction is never cut
    assert_no_errors(page)
    page.screenshot(path=str(ARTIFACTS / f"first-screen-{width}x{height}.png"))


@pytest.mark.parametrize("width,height", [(1280, 720), (1920, 1080)], ids=["1280x720", "1920x1080"])
def test_a_click_opens_the_numbers_in_view_and_esc_closes_them(page_at, server, width, height):
    page = page_at(width, height)
    _open(page, server)
    page.mouse.click(*picker_position(overview(page), ["conv2", 3]))
    dialog = page.get_by_role("dialog")
    dialog.get_by_text("Σ per input map").filter(visible=True).first.wait_for()
    figure = dialog.locator(".js-plotly-plot").first
    figure.wait_for()
    box = figure.bounding_box()
    assert 0 <= box["y"] < height - 200  # the numbers are on screen, not hundreds of pixels below
    assert dialog.get_by_text("kernel 3, slice").count() == 1
    page.wait_for_function("() => location.search.includes('stage=conv2')")
    page.screenshot(path=str(ARTIFACTS / f"detail-conv2-{width}x{height}.png"))
    page.keyboard.press("Escape")
    dialog.wait_for(state="detached")
    page.wait_for_function("() => !location.search.includes('stage=')")
    # the dialog's own buttons: ▶ opens the next stage under its own title, Close closes (the dialog reruns on
    # its own: both once left it as it was)
    page.mouse.click(*picker_position(overview(page), ["conv2", 3]))
    dialog.get_by_text("conv2: Conv 2").wait_for()
    dialog.get_by_role("button", name="▶").filter(visible=True).first.click()
    page.get_by_role("dialog").get_by_text("act2: Activation 2").wait_for()
    page.get_by_role("dialog").get_by_text("Close", exact=True).filter(visible=True).first.click()
    page.get_by_role("dialog").wait_for(state="detached")
    page.wait_for_function("() => !location.search.includes('stage=')")
    assert_no_errors(page)


def test_play_slides_the_window_on_until_switched_off(page_at, server):
    page = page_at(1920, 1080)
    _open(page, server, "?stage=conv1&map=0&i=0&j=0")
    dialog = page.get_by_role("dialog")
    column = dialog.get_by_role("spinbutton", name="output column j (0–27)")
    column.wait_for()
    assert column.input_value() == "0"
    dialog.get_by_text("play", exact=True).click()
    page.wait_for_timeout(3000)
    row = dialog.get_by_role("spinbutton", name="output row i (0–27)")
    moved = int(column.input_value()) + 28 * int(row.input_value())
    assert moved >= 6  # several positions, not one (4 a second is the goal; a busy CI machine is slower)
    dialog.get_by_text("play", exact=True).click()
    page.wait_for_timeout(800)
    stopped = column.input_value()
    page.wait_for_timeout(1500)
    assert column.input_value() == stopped
    assert_no_errors(page)


def test_presentation_mode_and_its_keys(page_at, server):
    """What a presenter's clicker sends moves through the network; PageDown frames the next stage on the network
    (it opened a dialog over the whole network: walking the stages lost the overview), Enter opens its numbers;
    everything is in the URL for a slide."""
    page = page_at(1280, 720)
    _open(page, server, "?pres=1")
    assert page.locator(".st-key-settings").is_hidden()
    assert page.get_by_role("radio", name="average").count() == 0  # no bar
    box = overview(page).bounding_box()
    assert box["y"] + box["height"] <= 720 and box["height"] >= 0.7 * 720  # the network fills the screen
    page.screenshot(path=str(ARTIFACTS / "presentation-1280x720.png"))
    steps = [("n", "idx=1"), ("p", "pool=l2"), ("PageDown", "at=conv1"), ("PageDown", "at=act1"),
             ("PageUp", "at=conv1")]
    for key, expected in steps:
        page.keyboard.press(key)
        page.wait_for_function(f"() => location.search.includes('{expected}')")
    assert page.get_by_role("dialog").count() == 0 and "stage=" not in page.url  # the network stays in sight
    # the frame around conv1's column, in one look at the figure (between two looks the browser may be drawing it
    # anew), looked at until the figure has settled: in CI, loaded, one look caught the frame of the figure before
    # (around the input) with conv1's new position; a frame in the wrong place for good times out
    page.wait_for_function(
        "() => { const gd = document.querySelector('.st-key-overview .js-plotly-plot');"
        " const f = gd && gd.layout && gd.data && gd.layout.shapes.find(s => s.line.color === '#31333f');"
        " const c = f && gd.data.find(t => t.name === 'conv1'); return c ? f.x0 < c.x0 && c.x0 < f.x1 : false; }")
    assert page.get_by_text("6 kernels of 5×5 slide over the image").count() == 1  # what the stage does, in a line
    page.keyboard.press("Enter")  # opens the framed stage's numbers
    page.get_by_role("dialog").get_by_text("Σ per input map").filter(visible=True).first.wait_for()
    assert "stage=conv1" in page.url
    page.keyboard.press("Escape")
    page.get_by_role("dialog").wait_for(state="detached")
    # the server has heard the dialog close (the link says so) before the next key: on a loaded machine Streamlit
    # batched the dialog's dismissal with the key's update ("multiple different fragmentIds … in a single batch")
    # and kept the stage open
    page.wait_for_function("() => !location.search.includes('stage=')")
    page.keyboard.press("b")
    page.wait_for_function("() => !location.search.includes('stage=') && !location.search.includes('idx=')")
    page.keyboard.press("f")  # presentation off: the bar is back
    page.get_by_role("radio", name="average").wait_for()
    assert "pres=1" not in page.url
    assert_no_errors(page)


def test_compare_fits_one_1920x1080_screen(page_at, server):
    """A, B and A − B, one above the other, all three whole on the first screen, column for column."""
    page = page_at(1920, 1080)
    _open(page, server, "?cmp=pool")
    for key in ("overview_b", "overview_diff"):
        page.locator(f".st-key-{key} .js-plotly-plot .main-svg").first.wait_for()
    boxes = [page.locator(f".st-key-{key} .js-plotly-plot").first.bounding_box()
             for key in ("overview", "overview_b", "overview_diff")]
    assert all(0 <= b["y"] and b["y"] + b["height"] <= 1080 for b in boxes), boxes
    lefts = [page.evaluate(f"() => document.querySelector('.st-key-{key} .js-plotly-plot').data"
                           ".find(t => t.name === 'pool1').x0") for key in ("overview", "overview_b", "overview_diff")]
    assert max(lefts) - min(lefts) < 1e-6  # the same column in the same place
    for key in ("overview", "overview_b", "overview_diff"):
        texts = page.evaluate(_TEXTS, key)
        assert texts["min"] >= 14, key
        assert not texts["overlaps"] and not texts["outside"], (key, texts["overlaps"][:3], texts["outside"][:3])
    assert_no_errors(page)
    page.screenshot(path=str(ARTIFACTS / "compare-1920x1080.png"))


def test_drawing_leaves_the_overview_room_at_1280x720(page_at, server):
    """Pad and prediction beside the overview; the maps stay large enough to see and nothing is cut."""
    page = page_at(1280, 720)
    page.goto(server + "/?src=draw")
    overview(page).locator(".main-svg").first.wait_for()
    page.get_by_text("an empty canvas").first.wait_for()
    box = overview(page).bounding_box()
    assert box["x"] + box["width"] <= 1280 and box["y"] + box["height"] <= 720
    conv1_px = page.evaluate("() => { const gd = document.querySelector('.st-key-overview .js-plotly-plot');"
                             " const t = gd.data.find(t => t.name === 'conv1'); return t.dx * 28; }")
    assert conv1_px >= 40
    texts = page.evaluate(_TEXTS)
    assert not texts["overlaps"] and not texts["outside"], (texts["overlaps"][:3], texts["outside"][:3])
    caption = page.get_by_text("an empty canvas").first.bounding_box()
    assert caption["y"] + caption["height"] <= 720  # the prediction's caption is on screen too
    assert_no_errors(page)
