"""End to end: train in the browser, watch the curves move, stop, open the new model in the explorer."""
from __future__ import annotations

import re

from tests.e2e.helpers import ARTIFACTS, assert_no_errors, wait_for_app
from tests.testsupport import skip_or_fail

from lenet.data import dataset_available


def test_train_watch_stop_and_explore(page_at, server):
    if not dataset_available():
        skip_or_fail("training needs the full Fashion-MNIST")
    page = page_at(1366, 768)
    page.goto(server + "/training")
    page.get_by_text("Start training").wait_for()
    page.get_by_role("spinbutton", name="Epochs").fill("40")
    page.get_by_role("spinbutton", name="Training images").fill("6000")
    page.get_by_label("Model name").fill("e2e run")
    page.get_by_role("button", name="Start training").click()
    # the live view polls the job: the progress text moves past epoch 1
    page.get_by_text(re.compile(r"epoch [1-9]\.\d of 40")).wait_for(timeout=120_000)
    curves = page.locator(".st-key-train_curves .js-plotly-plot").first
    box = curves.bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= 768  # the live curves without scrolling
    titles = curves.evaluate("gd => [gd._fullLayout.xaxis.title.text, gd._fullLayout.yaxis.title.text, "
                             "gd._fullLayout.yaxis2.title.text]")
    assert titles == ["epoch", "loss", "accuracy"]
    assert page.get_by_text(re.compile(r"cpu \(\d+ threads?\)")).count() >= 1
    page.screenshot(path=str(ARTIFACTS / "10-training.png"))

    # a second browser session sees the running job and cannot start another
    other = page.context.browser.new_context(viewport={"width": 1500, "height": 1500}).new_page()
    other.goto(server + "/training")
    other.get_by_text("sigmoid + average pooling — running").wait_for(timeout=60_000)
    other.get_by_text("Settings of a new run").click()  # folded away while a run goes: its curves come first
    other.get_by_role("button", name="Start training").click()
    other.get_by_text("already in progress").wait_for(timeout=60_000)
    other.context.close()

    # leave for the explorer and come back: the live curves are still there
    page.goto(server + "/")
    wait_for_app(page)
    page.goto(server + "/training")
    page.get_by_text("sigmoid + average pooling — running").wait_for(timeout=60_000)
    page.get_by_role("button", name="Stop").click()
    page.get_by_text("Saved as e2e-run.pt").wait_for(timeout=60_000)
    assert page.get_by_text("stopped").count() >= 1
    assert_no_errors(page)

    page.goto(server + "/?mode=user")
    wait_for_app(page)
    assert page.get_by_text("e2e-run.pt").count() >= 1
    epoch = page.locator(".st-key-user_epoch")  # in the bar: the maps stay in sight while it moves
    epoch.wait_for()
    assert epoch.bounding_box()["y"] < 200
    assert_no_errors(page)
    page.screenshot(path=str(ARTIFACTS / "11-trained-model.png"), full_page=True)


def test_a_value_out_of_range_is_named_and_nothing_starts(page_at, server):
    """Typed 300 epochs and lr 0: the fields keep what was typed, the page names each field and its range, Start
    is off; typed back into range, Start is on again."""
    if not dataset_available():
        skip_or_fail("the Training page's form needs the full Fashion-MNIST")
    page = page_at(1280, 720)
    page.goto(server + "/training")
    page.get_by_text("Start training").wait_for()
    for label, typed in (("Epochs", "300"), ("Learning rate", "0")):
        field = page.get_by_role("spinbutton", name=label)
        field.fill(typed)
        field.press("Enter")
    page.get_by_text("Epochs must be 1 … 200; it is 300. Nothing starts until it is.").wait_for()
    page.get_by_text("Learning rate must be 0.00001 … 20; it is 0.").wait_for()
    assert page.get_by_role("spinbutton", name="Epochs").input_value() == "300"
    assert page.get_by_role("button", name="Start training").is_disabled()
    page.screenshot(path=str(ARTIFACTS / "12-training-out-of-range.png"))
    for label, typed in (("Epochs", "3"), ("Learning rate", "0.5")):
        field = page.get_by_role("spinbutton", name=label)
        field.fill(typed)
        field.press("Enter")
    page.wait_for_function("() => ![...document.querySelectorAll('button')].find(b => "
                           "b.innerText.includes('Start training')).disabled")
    assert page.get_by_text("Nothing starts until it is").count() == 0
    assert_no_errors(page)
