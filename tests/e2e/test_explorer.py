"""End to end in a real browser: draw, toggle pooling, open a conv detail view, no error anywhere."""
from __future__ import annotations

from e2e_helpers import ARTIFACTS, assert_no_errors, wait_for_app


def test_draw_toggle_pooling_and_open_conv_detail(page, server):
    page.goto(server)
    wait_for_app(page, "Explain stage")
    assert_no_errors(page)
    page.screenshot(path=str(ARTIFACTS / "01-overview.png"), full_page=True)

    # draw a stroke on the canvas
    page.get_by_role("radio", name="Draw").click()
    canvas = page.locator("canvas").last
    canvas.wait_for(state="visible")
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + 60, box["y"] + 60)
    page.mouse.down()
    for k in range(1, 21):
        page.mouse.move(box["x"] + 60 + 8 * k, box["y"] + 60 + 7 * k, steps=2)
    page.mouse.up()
    page.get_by_text("your drawing").wait_for()
    wait_for_app(page, "your drawing")
    assert_no_errors(page)
    page.screenshot(path=str(ARTIFACTS / "02-drawing.png"), full_page=True)

    # toggle pooling: the URL and the headers follow
    page.get_by_role("radio", name="average").click()
    page.wait_for_function("() => location.search.includes('pool=avg')")
    wait_for_app(page, "relu + avg pooling (trained)")
    assert_no_errors(page)
    assert page.get_by_text("relu + avg pooling (trained)").count() >= 1

    # open the conv detail view through the URL a lecturer would put on a slide
    page.goto(server + "/?stage=conv2&map=3&i=4&j=5&pool=avg")
    wait_for_app(page, "Sum per input map")
    assert page.get_by_text("+ bias").count() >= 1
    assert_no_errors(page)
    page.screenshot(path=str(ARTIFACTS / "03-conv-detail.png"), full_page=True)


def test_bad_upload_gets_a_message(page, server, tmp_path):
    page.goto(server + "/?src=upload")
    page.get_by_text("Upload a photo of a garment").wait_for()
    bad = tmp_path / "broken.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n this is not really a png")
    page.locator("input[type=file]").set_input_files(str(bad))
    page.get_by_text("broken.png is not an image").wait_for()
    assert_no_errors(page)


def test_clicking_a_map_in_the_overview_opens_its_detail(page, server):
    page.goto(server + "/?stage=fc2")
    wait_for_app(page, "Explain stage")
    overview = page.locator(".js-plotly-plot", has_text="Conv 2").first
    # the invisible marker over conv2's map 3: which scatter trace and point (from the figure's own data)
    trace, point = overview.evaluate("""gd => {
        const scatter = gd.data.filter(t => t.type === 'scatter');
        for (const [k, t] of scatter.entries())
            for (const [i, cd] of (t.name === 'pickers' ? t.customdata : []).entries())
                if (cd[0] === 'conv2' && cd[1] === 3) return [k, i];
    }""")
    assert overview.locator(".scatterlayer .trace path.point").count() == 1 + 3 * 6 + 3 * 16 + 120 + 84 + 10
    box = overview.locator(".scatterlayer .trace").nth(trace).locator("path.point").nth(point).bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_function("() => location.search.includes('stage=conv2')")
    wait_for_app(page, "Sum per input map")
    assert "map=3" in page.url
    assert page.get_by_text("kernel of map 3").count() == 1
    assert_no_errors(page)


def test_clicking_a_thumbnail_picks_that_image(page, server):
    page.goto(server)
    wait_for_app(page, "Explain stage")
    gallery = page.locator(".js-plotly-plot", has_text="click one").first
    thumbs = gallery.locator(".scatterlayer .trace").first.locator("path.point")
    assert thumbs.count() == 24
    box = thumbs.nth(2).bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.get_by_text("test image #2:").wait_for()
    page.wait_for_function("() => location.search.includes('idx=2')")
    assert_no_errors(page)
