"""The explorer's "Why this prediction?" dialog and the overview's outlines of the maps that matter, in AppTest:
the readings and pictures are those of lenet.attribution for the image shown, the class can be changed, the
outlines are the top maps of every stage and go away on request."""
import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.core.cache import gallery
from dashboard.figures.colours import color_limit
from dashboard.figures.overview import MARK
from lenet import attribution as A
from lenet.data import CLASS_NAMES
from lenet.pretrained import load_pretrained
from tests.dashboard.pages import charts
from tests.dashboard.pages import run_explorer as _run

IDX = 4


pytestmark = pytest.mark.usefixtures("fresh_caches")

_figures = charts  # the page's figures by chart key


def _overview(at: AppTest) -> dict:
    return next(f for f in _figures(at).values() if {"conv1", "pool2"} <= {t.get("name") for t in f["data"]})


def _marks(fig: dict) -> int:
    return sum(1 for s in fig["layout"].get("shapes", []) if s["line"]["color"] == MARK)


def _image() -> np.ndarray:
    return gallery()[0].images[IDX] / 255.0


def _text(at: AppTest) -> str:
    return " ".join(m.value for m in at.markdown)


def test_the_dialog_explains_the_prediction_and_the_overview_outlines_the_maps_that_matter():
    model = load_pretrained("relu", "max")
    img = _image()
    pred = int(np.argmax([A.score(model, img[None], k)[0] for k in range(10)]))
    at = _run({"idx": str(IDX), "wd": "1"})
    assert at.session_state["why"] == CLASS_NAMES[pred]  # opened by a link: on the prediction
    text = _text(at)
    for method in A.METHODS:
        values = A.attribute(model, img, pred, method)
        assert A.reading(method, values, CLASS_NAMES[pred]) in text, method
    why = _figures(at)["why_fig"]
    pictures = {t["name"]: t for t in why["data"] if t.get("name", "").startswith("why:")}
    assert set(pictures) == {f"why:{m.label.format(layer='conv2')}" for m in A.METHODS.values()}
    ig = A.attribute(model, img, pred, "integrated_gradients")
    assert pictures["why:Integrated gradients"]["meta"][0] == pytest.approx(color_limit(ig), rel=1e-5)
    parts = A.contributions(model, img, pred)
    assert A.maps_reading("Conv 2", parts["conv2"], CLASS_NAMES[pred]) in text
    overview = _overview(at)
    assert _marks(overview) == sum(len(A.top_maps(p)) for p in parts.values()) > 10
    labels = [x for t in overview["data"] if t.get("name") == "labels" for x in t["text"]]
    assert f"green: {CLASS_NAMES[pred]}" in labels


def test_another_class_is_explained_and_the_outlines_can_be_cleared():
    at = _run({"idx": str(IDX), "wd": "1"})
    other = "Bag" if at.session_state["why"] != "Bag" else "Coat"
    at.selectbox(key="why").set_value(other).run()
    assert not at.exception
    model, img, k = load_pretrained("relu", "max"), _image(), CLASS_NAMES.index(other)
    assert A.reading("saliency", A.attribute(model, img, k, "saliency"), other) in _text(at)
    assert at.query_params["why"] == [other] or at.query_params["why"] == other
    at.button(key="why_stop").click().run()
    assert not at.exception and at.session_state["why"] == "" and not at.session_state["why_open"]
    assert _marks(_overview(at)) == 0 and "why_fig" not in _figures(at)


def test_the_why_button_opens_the_dialog_on_the_prediction():
    at = _run({"idx": str(IDX)})
    assert "why_fig" not in _figures(at) and _marks(_overview(at)) == 0
    at.button(key="why_button").click().run()
    assert not at.exception and at.session_state["why_open"] and "why_fig" in _figures(at)
    assert at.session_state["why"] in CLASS_NAMES and "Which maps matter" in [t.label for t in at.tabs]
