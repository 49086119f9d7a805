"""What the explorer says is what runs (issue 21): the toggles, the captions, the stage a detail opens on, the
settings panel, the phone's layout. Through AppTest, against direct computations."""
import json

import numpy as np
import pytest
import torch
from streamlit.testing.v1 import AppTest

from lenet import acts_of, capture, load_pretrained, with_ops
from lenet.checkpoint import save_checkpoint
from lenet.data import CLASS_NAMES
from lenet.samples import load_samples
from tests.dashboard.pages import APP, shown
from tests.dashboard.pages import run_explorer as _run
from tests.pictures import tolerance, values_of

pytestmark = pytest.mark.usefixtures("fresh_caches")


def _overview(at: AppTest) -> dict:
    (fig,) = [f for f in (json.loads(c.proto.spec) for c in at.get("plotly_chart"))
              if {"conv1", "pool2"} <= {t.get("name") for t in f["data"]}]
    return fig


def _stage(fig: dict, name: str) -> np.ndarray:
    return values_of(next(t for t in fig["data"] if t.get("name") == name))


def _tol(fig: dict, name: str) -> float:
    return tolerance(next(t for t in fig["data"] if t.get("name") == name))


def _caption(at: AppTest) -> str:
    return shown(next(m.value for m in at.markdown if ":small[" in m.value))


def _acts(model, index: int = 0) -> dict:
    X = torch.from_numpy(load_samples().images[index:index + 1, None].astype(np.float32) / 255.0)
    return acts_of(capture(model, X))


def _seg(at: AppTest, label: str):
    return next(b for b in at.get("button_group") if b.label == label)


def test_a_model_trained_here_runs_its_weights_with_the_pooling_chosen(tmp_path, monkeypatch):
    """'average' lit in the bar ran the model's own max pooling ('relu + max' said): now its weights run with
    average pooling, and the caption says both what it was trained with and what runs."""
    monkeypatch.setenv("LENET_MODELS_DIR", str(tmp_path))
    own = load_pretrained("relu", "max")
    save_checkpoint(tmp_path / "mine.pt", own, {"test_acc": 0.9, "epochs": 1}, extra={"name": "mine"})
    at = _run({"mode": "user", "um": "mine.pt", "pool": "avg"})
    assert "mine.pt: trained with relu + max, run with relu + average" in _caption(at)
    expected = _acts(with_ops(own, pooling="avg"))
    fig = _overview(at)
    drawn = _stage(fig, "pool1")
    assert np.nanmax(np.abs(drawn[:14, :14] - expected["pool1"][0])) <= _tol(fig, "pool1")
    _seg(at, "Pooling").set_value("max").run()
    assert "mine.pt: relu + max" in _caption(at) and "run with" not in _caption(at)


def test_choosing_a_model_trained_here_sets_the_bar_to_its_own_ops(tmp_path, monkeypatch):
    monkeypatch.setenv("LENET_MODELS_DIR", str(tmp_path))
    model = load_pretrained("sigmoid", "avg")
    save_checkpoint(tmp_path / "classic.pt", model, {"test_acc": 0.8, "epochs": 1}, extra={"name": "classic"})
    at = _run()
    at.radio(key="weights_mode").set_value("user").run()
    assert (at.session_state["activation"], at.session_state["pooling"]) == ("sigmoid", "avg")
    assert "classic.pt: sigmoid + average" in _caption(at)


def test_same_weights_is_one_click_from_the_bar_and_another_network_is_said():
    at = _run()
    conv1 = _stage(_overview(at), "conv1")
    _seg(at, "Pooling").set_value("avg").run()  # trained variants: another network, and the page says so
    assert [t.value for t in at.toast] and "Another network" in at.toast[0].value
    assert not np.allclose(np.nan_to_num(_stage(_overview(at), "conv1")), np.nan_to_num(conv1))
    _seg(at, "Pooling").set_value("max").run()
    at.toggle(key="same_weights").set_value(True).run()
    assert at.session_state["weights_mode"] == "swap" and at.session_state["base_weights"] == "relu-max"
    _seg(at, "Pooling").set_value("avg").run()
    assert not at.toast
    assert "relu + average on weights trained with relu + max (not retrained)" in _caption(at)
    fig = _overview(at)
    assert np.nanmax(np.abs(_stage(fig, "conv1") - conv1)) <= 2 * _tol(fig, "conv1")  # the same weights


def test_the_logits_open_on_the_predicted_class():
    at = _run({"stage": "fc3"})  # test image 0, an ankle boot (the 10th class: the first neuron was opened)
    logits = _acts(load_pretrained("relu", "max"))["fc3"]
    predicted = int(np.argmax(logits))
    assert predicted == 9
    assert at.session_state["map"] == predicted
    assert any(f"Neuron {predicted} ({CLASS_NAMES[predicted]})" in m.value for m in at.markdown)
    dialog = at.get("dialog")[0]
    assert dialog.proto.dialog.title == "fc3: Dense 3"  # not "Dense 3 (logits) (fc3)"


def test_the_settings_are_a_panel_not_a_sidebar():
    """The weights, compare, colour range, focus and presentation mode are in a panel over the page: nothing in
    the sidebar (which took ~300 px of a 1280-px projector's width from the network)."""
    at = _run()
    assert not at.sidebar.children
    assert {"weights_mode", "compare", "color_range", "focus", "present"} <= \
        {w.key for w in at.radio} | {w.key for w in at.selectbox} | {w.key for w in at.toggle}


def test_a_phone_gets_the_network_a_stage_a_row():
    """At 390 px (352 px of main column) the explorer raised 'Value out of range: -158' (the strip's width);
    now every stage is a row as wide as the screen, conv1's maps ≥ 56 px."""
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["screen"] = {"size": [352, 844, -1]}
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    fig = _overview(at)
    assert fig["layout"]["width"] == 352 and fig["layout"]["dragmode"] is False  # a finger scrolls the page
    conv1 = next(t for t in fig["data"] if t.get("name") == "conv1")
    assert conv1["dx"] * 28 >= 56
    assert fig["layout"]["height"] > 1500  # top to bottom
    strip = next(json.loads(c.proto.spec) for c in at.get("plotly_chart") if "thumbnails" in c.proto.spec)
    assert 0 < strip["layout"]["width"] <= 352
