"""The "Max or average?" page in AppTest: its sentences are lenet.max_or_avg's answer for the shipped variants,
measured on the page's images; its curves are the stored histories; the recipe switch changes all of it."""
import pytest
import torch
from streamlit.testing.v1 import AppTest

from dashboard.cache import gallery
from lenet import max_or_avg as M
from lenet.checkpoint import load_checkpoint
from lenet.pretrained import pretrained_path
from tests.dashboard.pages import charts, pooling_page


pytestmark = pytest.mark.usefixtures("fresh_caches")


def _open() -> AppTest:
    at = AppTest.from_function(pooling_page, default_timeout=120)
    at.session_state["screen_pooling"] = {"size": [1236, 720]}
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _expected(activation: str) -> list[str]:
    samples, full = gallery()
    images = f"the {len(samples):,} {'test' if full else 'bundled test'} images"
    return M.answer(M.study(activation, samples.tensor(), torch.from_numpy(samples.labels), images))


def test_the_page_says_what_the_numbers_say_for_each_recipe():
    at = _open()
    text = " ".join(m.value for m in at.markdown)
    for line in _expected("sigmoid"):
        assert line in text
    figures = charts(at)
    acc = [t for t in figures["pooling_curves"]["data"] if t["name"].endswith("test accuracy")]
    history = load_checkpoint(pretrained_path("sigmoid-max")).metrics["history"]
    assert acc[0]["name"] == "max: test accuracy" and acc[0]["y"] == [h["test_acc"] for h in history]
    bars = figures["pooling_gradients"]["data"]
    assert [b["name"] for b in bars] == ["max, at init", "average, at init", "max, trained", "average, trained"]
    at.button_group(key="pooling_recipe").set_value("relu").run()
    assert not at.exception
    text = " ".join(m.value for m in at.markdown)
    for line in _expected("relu"):
        assert line in text
    assert not at.warning  # every shipped variant carries its history
