"""The "Max or average?" page in AppTest: its sentences are lenet.max_or_avg's answer for the shipped variants,
measured on the page's images; its curves are the stored histories; the recipe switch changes all of it."""
import pytest
import torch
from streamlit.testing.v1 import AppTest

from dashboard.core.cache import gallery
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
    acc = [t for t in figures["pooling_curves_sigmoid"]["data"] if t["name"].endswith("test accuracy")]
    history = load_checkpoint(pretrained_path("sigmoid-max")).metrics["history"]
    assert acc[0]["name"] == "max: test accuracy" and acc[0]["y"] == [h["test_acc"] for h in history]
    _ranges_hold_the_numbers(figures["pooling_curves_sigmoid"])
    gradients = figures["pooling_gradients_sigmoid"]
    assert gradients["layout"]["yaxis"]["dtick"] == 1  # powers of ten only: no small minor tick labels
    bars = gradients["data"]
    assert [b["name"] for b in bars] == ["max, at init", "average, at init", "max, trained", "average, trained"]
    at.radio(key="pooling_recipe").set_value("relu").run()
    assert not at.exception
    text = " ".join(m.value for m in at.markdown)
    for line in _expected("relu"):
        assert line in text
    assert "below" not in text and "above" not in text  # (the curves are beside the text, or under it on a phone)
    _ranges_hold_the_numbers(charts(at)["pooling_curves_relu"])
    assert not at.warning  # every shipped variant carries its history


def _ranges_hold_the_numbers(fig: dict) -> None:
    """Every axis has a range set from the numbers (after a recipe switch the browser once kept −100 %…400 %
    and epochs −1…6 from an empty figure's autorange), and the curves lie inside it."""
    layout = fig["layout"]
    accs = [v for t in fig["data"] if t.get("yaxis") != "y2" for v in t["y"]]
    losses = [v for t in fig["data"] if t.get("yaxis") == "y2" for v in t["y"]]
    epochs = [v for t in fig["data"] for v in t["x"]]
    (a0, a1), (l0, l1), (e0, e1) = (layout[k]["range"] for k in ("yaxis", "yaxis2", "xaxis"))
    assert 0 <= a0 <= min(accs) and max(accs) <= a1 <= 1
    assert l0 == 0 and max(losses) <= l1 and e0 < min(epochs) and max(epochs) < e1
