"""End to end, issue 13's views in Chromium: the softmax temperature, a model from the d2l notebook uploaded, the
mistakes across the test set."""
from __future__ import annotations

import re

import torch

from lenet.data import CLASS_NAMES, dataset_available
from lenet.samples import load_samples
from tests.e2e.helpers import ARTIFACTS, assert_no_errors, picker_position, prediction, wait_for_app
from tests.lenet.test_d2l import d2l_net
from tests.testsupport import skip_or_fail


def test_the_temperature_slider_flattens_the_probabilities_live(page_at, server):
    page = page_at(1280, 720)
    page.goto(server + "/?idx=4&stage=softmax&t=0.5")
    wait_for_app(page, "sharpens the probabilities")
    bars = page.locator(".st-key-temperature_fig .js-plotly-plot").first
    tempered = bars.evaluate("gd => gd.data[1].x")  # (a row of bars per class: the probabilities along x)
    assert max(tempered) > 0.99  # T = 0.5: the top class takes nearly all
    slider = page.get_by_role("slider", name="Temperature T")
    slider.focus()
    for _ in range(50):  # 0.5 → 3.0 in steps of 0.05
        page.keyboard.press("ArrowRight")
    page.get_by_text("T = 3 flattens the probabilities").wait_for(timeout=30_000)
    page.wait_for_function("() => { const gd = document.querySelector('.st-key-temperature_fig .js-plotly-plot');"
                           " return gd && Math.max(...gd.data[1].x) < 0.9; }", timeout=30_000)
    assert "t=3" in page.url
    page.screenshot(path=str(ARTIFACTS / "softmax-temperature-1280x720.png"))
    assert_no_errors(page)


def test_a_d2l_state_dict_uploaded_is_imported_and_explored(page_at, server, tmp_path):
    if not dataset_available():
        skip_or_fail("the import measures the accuracy on the full Fashion-MNIST test set")
    net = d2l_net("book", "sigmoid", "avg")
    path = tmp_path / "lenet.params"
    torch.save(net.state_dict(), path)
    page = page_at(1366, 768)
    page.goto(server + "/training")
    page.get_by_text("Import a model trained in the d2l notebook").click()
    page.locator(".st-key-d2l_upload input[type=file]").set_input_files(str(path))
    page.get_by_label("Save as").fill("e2e d2l")
    page.get_by_role("button", name="Import").click()
    done = page.get_by_text(re.compile(r"Imported as e2e-d2l(-\d+)?\.pt \(the d2l book's layout"))
    done.wait_for(timeout=60_000)
    assert "on the full test set (10,000 images)" in done.inner_text()
    page.screenshot(path=str(ARTIFACTS / "d2l-import-1366x768.png"))
    assert_no_errors(page)
    file = re.search(r"e2e-d2l(-\d+)?\.pt", done.inner_text()).group(0)
    page.goto(server + f"/?mode=user&um={file}&idx=0")
    wait_for_app(page)
    page.get_by_text(f"{file}: ").first.wait_for(timeout=30_000)  # the model shown is the imported one
    with torch.no_grad():
        predicted = CLASS_NAMES[int(net(load_samples().tensor()[:1]).argmax())]
    assert prediction(page).startswith(predicted)
    assert_no_errors(page)


def test_a_confusion_cell_shows_its_images_and_one_opens_in_the_explorer(page_at, server):
    if not dataset_available():
        skip_or_fail("the mistakes page is checked on the full Fashion-MNIST test set")
    page = page_at(1280, 720)
    page.goto(server + "/mistakes")
    wait_for_app(page, "Click a cell to see its images")
    matrix = page.locator(".st-key-confusion .js-plotly-plot").first
    box = matrix.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 1280
    page.mouse.click(*picker_position(matrix, [6, 0]))  # shirts taken for T-shirts
    page.get_by_text(re.compile(r"Shirt predicted T-shirt/top: [\d,]+ images")).wait_for(timeout=30_000)
    page.screenshot(path=str(ARTIFACTS / "mistakes-1280x720.png"))
    cell = page.locator(".st-key-cell_gallery .js-plotly-plot").first
    cell.wait_for()
    page.wait_for_function("() => document.querySelector('.st-key-cell_gallery .js-plotly-plot .main-svg')")
    hover = cell.evaluate("gd => gd.data.find(t => t.name === 'pickers').hovertext[0]")
    number = re.match(r"#(\d+): Shirt — predicted T-shirt/top", hover).group(1)
    page.mouse.click(*picker_position(cell, 0))
    page.wait_for_url(re.compile(rf"/\?idx={number}&act=sigmoid&pool=avg(&lang=en)?$"), timeout=30_000)  # on this model
    wait_for_app(page)
    assert prediction(page).startswith("T-shirt/top")
    assert f"test image #{number}: Shirt" in prediction(page)
    assert_no_errors(page)


def test_the_filters_page_shows_kernels_and_a_clicked_maps_favourite_images(page_at, server):
    page = page_at(1280, 720)
    page.goto(server + "/filters")
    wait_for_app(page, "excite conv2 map 0")
    kernels = page.locator(".st-key-conv2_kernels .js-plotly-plot").first
    box = kernels.bounding_box()
    assert box["y"] + box["height"] <= 720 and box["x"] >= 0  # both layers' kernels on the first screen
    page.mouse.click(*picker_position(kernels, 7))  # the row of conv2 map 7
    page.get_by_text("excite conv2 map 7").wait_for(timeout=30_000)
    top = page.locator(".st-key-top_images .js-plotly-plot").first
    assert top.evaluate("gd => gd.layout.shapes.length") == 9  # each image's receptive field outlined
    page.screenshot(path=str(ARTIFACTS / "filters-1280x720.png"))
    assert_no_errors(page)


def test_one_step_shows_the_gradient_and_steps_on(page_at, server):
    page = page_at(1280, 720)
    page.goto(server + "/step")
    wait_for_app(page, "Before any step")
    grads = page.locator(".st-key-step_overview .js-plotly-plot").first
    grads.wait_for(state="visible", timeout=30_000)  # (the first run's figure may still be replaced)
    page.wait_for_timeout(500)
    box = grads.bounding_box()
    assert box["y"] + box["height"] <= 720 and box["x"] + box["width"] <= 1280  # the gradients on the first screen
    before = page.get_by_text(re.compile(r"One more SGD step")).first.inner_text()
    page.get_by_role("button", name="Step").click()
    page.get_by_text("After 1 step:").wait_for(timeout=30_000)
    after = page.get_by_text(re.compile(r"One more SGD step")).first.inner_text()
    loss_after_first = float(re.search(r"One more SGD step .*?loss (\d+\.\d+)", before).group(1))
    assert float(re.search(r"After 1 step: loss (\d+\.\d+)", after).group(1)) == loss_after_first
    page.screenshot(path=str(ARTIFACTS / "step-1280x720.png"))
    page.get_by_role("radio", name="fc1").click()  # a dense layer's ∂loss/∂W
    page.locator(".st-key-step_dense_grad .js-plotly-plot").first.wait_for(state="visible", timeout=30_000)
    assert page.get_by_text("rank 1").count() == 1
    assert_no_errors(page)


def test_why_shows_four_attributions_and_outlines_the_maps_that_matter(page_at, server):
    page = page_at(1280, 720)
    page.goto(server + "/?idx=3")
    wait_for_app(page)
    page.get_by_role("button", name="Why?").click()
    page.get_by_text("Which maps matter").wait_for(timeout=30_000)
    page.wait_for_function("() => { const gd = document.querySelector('.st-key-why_fig .js-plotly-plot');"
                           " return gd && gd.data.filter(t => (t.name || '').startsWith('why:')).length === 4; }",
                           timeout=30_000)
    assert "why=" in page.url
    page.screenshot(path=str(ARTIFACTS / "why-1280x720.png"))
    page.keyboard.press("Escape")
    page.get_by_text("Which maps matter").wait_for(state="detached", timeout=30_000)
    green = ("() => { const gd = document.querySelector('.st-key-overview .js-plotly-plot');"
             " return gd && (gd.layout.shapes || []).filter(s => s.line.color === '#1a7f37').length; }")
    page.wait_for_function(green, timeout=30_000)
    assert page.evaluate(green) >= 12  # three maps (or neurons) in most of eight stages
    page.screenshot(path=str(ARTIFACTS / "why-outlines-1280x720.png"))
    assert_no_errors(page)


def test_max_or_average_answers_from_the_numbers_for_both_recipes(page_at, server):
    page = page_at(1280, 720)
    page.goto(server + "/pooling")
    page.get_by_text("The seed's claim").wait_for(timeout=60_000)
    page.wait_for_function("() => { const gd = document.querySelector("
                           "'.st-key-pooling_curves_sigmoid .js-plotly-plot');"
                           " return gd && gd.data.length === 4 && gd.data[0].x.length === 11; }", timeout=30_000)
    assert page.get_by_text("after 10 epochs").count() == 1  # the classic recipe: 10 epochs
    page.screenshot(path=str(ARTIFACTS / "pooling-1280x720.png"))
    page.get_by_text("modern recipe (relu, AdamW)").click()
    page.get_by_text("after 30 epochs").wait_for(timeout=60_000)
    page.wait_for_function("() => document.querySelector('.st-key-pooling_curves_relu .js-plotly-plot')"
                           "?.data[0].x.length === 31", timeout=30_000)
    for back_and_forth in range(2):  # the axes as drawn hold the curves, after every switch (they once read
        # −100 %…400 % and epochs −1…6 until a reload)
        recipe = "relu" if back_and_forth == 0 else "sigmoid"
        drawn = page.evaluate(f"() => {{ const l = document.querySelector('.st-key-pooling_curves_{recipe} "
                              f".js-plotly-plot')._fullLayout; return [l.yaxis.range, l.xaxis.range]; }}")
        (a0, a1), (e0, e1) = drawn
        assert 0 <= a0 < a1 <= 1 and -1 < e0 < 1 and e1 < (31 if recipe == "relu" else 11), drawn
        if back_and_forth == 0:
            page.get_by_text("classic recipe (sigmoid, SGD: the seed's)").click()
            page.wait_for_function("() => document.querySelector('.st-key-pooling_curves_sigmoid .js-plotly-plot')"
                                   "?.data[0].x.length === 11", timeout=30_000)
    assert_no_errors(page)
