"""End to end in a real browser: draw, toggle pooling, open a conv detail view, no error anywhere."""
from __future__ import annotations

from tests.e2e.helpers import ARTIFACTS, assert_no_errors, picker_position, wait_for_app, wait_laid_out
from tests.e2e.helpers import overview as overview_of

# counts the overview's new input pictures (each is a new image the network sees)
_WATCH_INPUT = """() => { window.__inputUpdates = 0; let last = null;
    setInterval(() => { const gd = document.querySelector('.st-key-overview .js-plotly-plot');
        const t = gd && gd.data && gd.data.find(t => t.name === 'input');
        if (t && t.source !== last) { if (last !== null) window.__inputUpdates += 1; last = t.source; } }, 20); }"""


def test_draw_toggle_pooling_and_open_conv_detail(page, server):
    page.goto(server)
    wait_for_app(page)
    assert_no_errors(page)
    page.screenshot(path=str(ARTIFACTS / "01-overview.png"))

    # draw a stroke on the pad: the overview follows the pen while it moves, not only when it lifts
    page.get_by_role("radio", name="Draw").click()
    pad = page.locator(".sketch canvas")
    pad.wait_for(state="visible")
    overview_of(page).wait_for()
    page.wait_for_timeout(1000)
    page.evaluate(_WATCH_INPUT)
    box = pad.bounding_box()
    page.mouse.move(box["x"] + 60, box["y"] + 60)
    page.mouse.down()
    for k in range(1, 21):
        page.mouse.move(box["x"] + 60 + 8 * k, box["y"] + 60 + 7 * k, steps=2)
        page.wait_for_timeout(60)
    during = page.evaluate("() => window.__inputUpdates")
    page.mouse.up()
    page.get_by_text("your drawing").first.wait_for()
    assert during >= 2  # several overviews of the unfinished stroke
    wait_for_app(page, "your drawing")
    assert_no_errors(page)
    page.screenshot(path=str(ARTIFACTS / "02-drawing.png"))

    # toggle pooling: the URL and the headers follow
    page.get_by_role("radio", name="average").click()
    page.wait_for_function("() => location.search.includes('pool=avg')")
    wait_for_app(page, "relu + average, trained with these ops")
    assert_no_errors(page)
    assert page.get_by_text("relu + average, trained with these ops").count() >= 1

    # open the conv detail view through the URL a lecturer would put on a slide
    page.goto(server + "/?stage=conv2&map=3&i=4&j=5&pool=avg")
    wait_for_app(page, "Σ per input map")
    page.get_by_text("+ bias").first.wait_for()  # the sum line of the same window
    assert_no_errors(page)
    page.screenshot(path=str(ARTIFACTS / "03-conv-detail.png"))


def test_bad_upload_gets_a_message(page, server, tmp_path):
    page.goto(server + "/?src=upload")
    page.get_by_text("A photo of a garment").wait_for()
    bad = tmp_path / "broken.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n this is not really a png")
    page.locator("input[type=file]").set_input_files(str(bad))
    page.get_by_text("broken.png is not an image").wait_for()
    assert_no_errors(page)


def test_clicking_a_map_in_the_overview_opens_its_detail(page, server):
    page.goto(server + "/")
    wait_laid_out(page)
    overview = overview_of(page)
    pickers = overview.evaluate("gd => gd.data.filter(t => t.name === 'pickers').map(t => t.x.length)")
    assert sum(pickers) == 1 + 3 * 6 + 3 * 16 + 120 + 84 + 10 + 10  # every map, neuron, class can be clicked
    assert overview.locator(".scatterlayer .trace path.point").count() <= len(pickers)  # none drawn one by one
    x, y = picker_position(overview, ["conv2", 3])
    page.mouse.move(x, y)
    overview.locator(".hoverlayer .hovertext", has_text="conv2 map 3:").wait_for()  # hover finds it from data
    page.mouse.click(x, y)
    page.wait_for_function("() => location.search.includes('stage=conv2')")
    wait_for_app(page, "Σ per input map")
    assert "map=3" in page.url
    assert page.get_by_text("kernel 3, slice").count() == 1
    assert_no_errors(page)


def test_clicking_a_thumbnail_picks_that_image(page, server):
    page.goto(server)
    wait_laid_out(page)
    gallery = page.locator(".st-key-gallery .js-plotly-plot").first
    assert gallery.evaluate("gd => gd.data.find(t => t.name === 'pickers').customdata.length") >= 20
    page.mouse.click(*picker_position(gallery, 2))
    page.get_by_text("test image #2:").wait_for()
    page.wait_for_function("() => location.search.includes('idx=2')")
    assert_no_errors(page)


def test_a_flood_of_uploads_over_the_protocol_is_bounded(page, server, tmp_path):
    """A student who PUTs file after file under made-up ids through one session (past the browser, with the
    session's own XSRF cookie) holds at most the session's bound in the server's memory; each drop is logged."""
    import re
    import time

    from PIL import Image

    from dashboard.core import upload_guard

    page.goto(server + "/?src=upload")
    page.get_by_text("A photo of a garment").wait_for()
    Image.new("L", (28, 28), 128).save(tmp_path / "grey.png")
    with page.expect_request(lambda r: "/_stcore/upload_file/" in r.url and r.method == "PUT") as request:
        page.locator("input[type=file]").set_input_files(str(tmp_path / "grey.png"))
    session = request.value.url.split("/upload_file/")[1].split("/")[0]
    xsrf = next(c["value"] for c in page.context.cookies() if c["name"] == "_streamlit_xsrf")
    for k in range(8):  # 8 × 9.5 MB (40 once held +380 MB, never released while the session lived)
        answer = page.request.put(f"{server}/_stcore/upload_file/{session}/parked-{k}", headers={"X-Xsrftoken": xsrf},
                                  multipart={"file": {"name": f"x{k}.bin", "mimeType": "application/octet-stream",
                                                      "buffer": bytes(int(9.5 * 2**20))}})
        assert answer.status == 204  # (taken: the bound releases the oldest, it does not refuse)
    time.sleep(2)  # (Streamlit's metrics cache the memory figures for a moment)
    metrics = page.request.get(server + "/_stcore/metrics").text()
    held = sum(float(v) for v in re.findall(r'cache_memory_bytes\{cache_type="UploadedFileManager"[^}]*\} (\S+)',
                                             metrics))
    assert 0 < held <= upload_guard.SESSION_BYTES, held
    log = (ARTIFACTS / "streamlit.log").read_text()
    assert f"upload dropped: session {session[:8]}" in log and "grey.png" not in log
