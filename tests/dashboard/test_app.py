"""The app, run headless by Streamlit's AppTest: no exceptions, toggles change the figures, URL state."""
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import streamlit as st
import torch
from streamlit.testing.v1 import AppTest

import lenet.pretrained as pretrained
from lenet import acts_of, capture, load_pretrained, with_ops
from lenet.explain import pool_window
from lenet.ops import POOLINGS
from lenet.samples import load_samples
from tests.pictures import tolerance, values_of

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "navigation.py")  # what each session runs


def _run(params: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for k, v in (params or {}).items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _charts(at: AppTest) -> list[tuple[str, dict]]:
    """Every Plotly chart's title text and figure, in page order."""
    out = []
    for el in at.get("plotly_chart"):
        fig = json.loads(el.proto.spec)
        out.append((fig.get("layout", {}).get("title", {}).get("text", ""), fig))
    return out


def _overviews(at: AppTest) -> list[dict]:
    """The overview figures (one picture per stage column, named after the stage)."""
    return [f for _, f in _charts(at) if {"conv1", "pool2", "fc1"} <= {t.get("name") for t in f["data"]}]


def _picture(fig: dict, name: str) -> dict:
    return next(t for t in fig["data"] if t.get("name") == name)


def _stage_z(fig: dict, stage: str) -> np.ndarray:
    """The values (decoded from the colours) of one stage column of an overview figure."""
    return values_of(_picture(fig, stage))


def _labels(fig: dict) -> list[str]:
    return [text for t in fig["data"] if t.get("name") == "labels" for text in t["text"]]


def _seg(at: AppTest, label: str):
    return next(b for b in at.get("button_group") if b.label == label)


@pytest.fixture(autouse=True)
def fresh_caches():
    st.cache_resource.clear()
    st.cache_data.clear()
    yield


def test_default_view_runs_and_shows_every_stage():
    at = _run()
    (overview,) = _overviews(at)
    titles = " ".join(_labels(overview))
    for name in ("Input", "Conv 1", "Activation 1", "Pooling 1", "Conv 2", "Pooling 2", "fc1", "fc2",
                 "fc3", "logits", "Softmax"):
        assert name in titles, name
    assert "156 params" in titles and "2,416 params" in titles  # the shape printout, alive
    # a header's lines are separate lines (<br>), its second one small
    assert '<br><span style="font-size:11px;color:#444">6×28×28 · 156 params</span>' in titles
    assert "48,120 p." in titles and "850 p." in titles
    assert any("Ankle boot" in m.value for m in at.get("metric"))  # test image 0 is an ankle boot
    # no detail view until a stage is chosen (or a map clicked), as in CNN Explainer
    assert at.selectbox(key="stage").value == "" and not any("Sum per input map" in m.value for m in at.markdown)
    # every chart without Streamlit's theme (charts.chart): the figures carry their own look, no template
    assert [el.proto.theme for el in at.get("plotly_chart")] == [""] * 2  # gallery, overview
    at.selectbox(key="stage").set_value("conv1").run()
    assert any("Sum per input map" in m.value for m in at.markdown) and at.query_params["stage"] == "conv1"
    assert [el.proto.theme for el in at.get("plotly_chart")] == [""] * 3  # and the conv detail


def test_pooling_toggle_changes_the_figures():
    at = _run()
    before = _stage_z(_overviews(at)[0], "pool1")
    conv_before = _stage_z(_overviews(at)[0], "conv1")
    _seg(at, "Pooling").set_value("avg").run()
    assert not at.exception
    assert not np.allclose(np.nan_to_num(_stage_z(_overviews(at)[0], "pool1")), np.nan_to_num(before))
    # other trained weights, so conv1's maps change too
    assert not np.allclose(np.nan_to_num(_stage_z(_overviews(at)[0], "conv1")), np.nan_to_num(conv_before))
    assert at.query_params["pool"] == "avg"


def _image_acts(model, index: int = 0) -> dict[str, np.ndarray]:
    """What the explorer computes for a bundled test image (index 0 is the first image of the test set)."""
    X = torch.from_numpy(load_samples().images[index:index + 1, None].astype(np.float32) / 255.0)
    return acts_of(capture(model, X))


def test_swapping_only_the_pooling_keeps_the_weights():
    at = _run({"mode": "swap", "w": "relu-max", "pool": "avg"})
    assert any("weights trained with relu-max" in m.label for m in at.get("metric"))
    (overview,) = _overviews(at)
    acts = _image_acts(with_ops(load_pretrained("relu", "max"), pooling="avg"))
    for stage in ("conv1", "act1", "pool1", "conv2"):  # relu-max's weights, before and after average pooling
        picture = _picture(overview, stage)
        drawn = values_of(picture)
        shown = drawn[~np.isnan(drawn)]
        assert np.abs(np.sort(shown) - np.sort(acts[stage].ravel())).max() <= tolerance(picture), stage
    trained = _image_acts(load_pretrained("relu", "avg"))  # not the weights trained with average pooling
    assert np.abs(acts["conv1"] - trained["conv1"]).max() > 0.1


def test_stage_selection_opens_its_detail_view_with_the_models_own_numbers():
    at = _run({"i": "5", "j": "6", "map": "2"})
    at.selectbox(key="stage").set_value("pool1").run()
    assert not at.exception
    w = pool_window(load_pretrained("relu", "max"), _image_acts(load_pretrained("relu", "max")), "pool1", 2, 5, 6)
    assert w.value > 0  # a window on the garment, not the black background
    text = " ".join(m.value for m in at.markdown)
    assert f"max pooling: {POOLINGS['max'].spelled(w.window)} = {w.value:.4f}" in text
    at.selectbox(key="stage").set_value("softmax").run()
    assert any("prediction: **Ankle boot**" in m.value for m in at.markdown)


def test_l2_pooling_from_the_ops_table_runs_in_the_explorer():
    at = _run({"pool": "l2", "stage": "pool1", "i": "5", "j": "6", "map": "2"})
    assert _seg(at, "Pooling").options == [op.label for op in POOLINGS.values()]  # the toggle lists the table
    assert any("No shipped weights were trained with L2 pooling" in c.value for c in at.sidebar.caption)
    assert any("relu + l2 pooling (weights trained with relu-avg)" in m.label for m in at.get("metric"))
    model = with_ops(load_pretrained("relu", "avg"), pooling="l2")
    w = pool_window(model, _image_acts(model), "pool1", 2, 5, 6)
    text = " ".join(m.value for m in at.markdown)
    assert f"L2 pooling: {POOLINGS['l2'].spelled(w.window)} = {w.value:.4f}" in text


def test_query_string_round_trip():
    at = _run({"idx": "5", "pool": "avg", "act": "sigmoid", "stage": "fc1", "map": "7", "range": "network"})
    assert at.session_state["index"] == 5 and at.session_state["pooling"] == "avg"
    assert at.session_state["activation"] == "sigmoid" and at.session_state["stage"] == "fc1"
    assert at.session_state["map"] == 7 and at.session_state["color_range"] == "network"
    assert any("Neuron 7" in m.value for m in at.markdown)
    at.selectbox(key="stage").set_value("conv2").run()
    assert at.query_params["stage"] == "conv2" and at.query_params["idx"] == "5"


def test_bad_query_values_fall_back_to_defaults():
    at = _run({"pool": "median", "idx": "-3", "stage": "nope"})
    assert at.session_state["pooling"] == "max" and at.session_state["index"] == 0


def test_works_without_the_dataset(monkeypatch, tmp_path):
    monkeypatch.setenv("LENET_DATA_DIR", str(tmp_path))
    at = _run({"mode": "swap", "w": "relu-avg"})  # a swap's accuracy is measured on what is there
    assert any("bundled" in i.value and "apt-get install" in i.value for i in at.info)
    assert any("on the bundled test images (1,000 images)" in c.value for c in at.caption)


def test_corrupt_weights_file_is_named_and_other_variants_work(monkeypatch, tmp_path):
    for f in pretrained.WEIGHTS_DIR.glob("*.pt"):
        shutil.copy(f, tmp_path / f.name)
    (tmp_path / "lenet-relu-max.pt").write_bytes(b"PK\x03\x04 truncated")
    monkeypatch.setattr(pretrained, "WEIGHTS_DIR", tmp_path)
    at = _run()
    assert any("lenet-relu-max.pt" in e.value and "corrupt" in e.value for e in at.error)
    _seg(at, "Pooling").set_value("avg").run()
    assert not at.exception and not at.error
    assert any("relu + avg" in m.label for m in at.get("metric"))


def test_compare_mode_shows_both_and_the_difference():
    at = _run({"cmp": "1"})
    figs = _overviews(at)
    assert [f["layout"]["title"]["text"].split(":")[0] for f in figs] == ["A", "B", "A − B, stage by stage"]
    a, b, diff = (_stage_z(f, "pool1") for f in figs)
    atol = sum(tolerance(_picture(f, "pool1")) for f in figs)
    assert np.nanmax(np.abs((a - b) - diff)) <= atol and np.nanmax(np.abs(diff)) > 10 * atol
    assert "input" not in {t.get("name") for t in figs[2]["data"]}  # the same image: no difference to show
    labels = [m.label for m in at.get("metric")]
    assert any("max pooling" in text for text in labels) and any("avg pooling" in text for text in labels)


def test_sliding_window_steps_along_the_rows():
    at = _run({"stage": "conv1", "i": "3", "j": "27"})
    at.button(key="step_fwd").click().run()
    assert (at.session_state["row"], at.session_state["col"]) == (4, 0)  # wraps to the next row
    assert any("row 4, column 0" in m.value for m in at.markdown)
    at.button(key="step_back").click().run()
    assert (at.session_state["row"], at.session_state["col"]) == (3, 27)
    at.toggle(key="playing").set_value(True).run()  # playing: every (timed) rerun moves one position
    assert not at.exception and (at.session_state["row"], at.session_state["col"]) == (4, 0)


def test_compare_mode_shows_both_pooling_windows():
    at = _run({"cmp": "1", "stage": "pool1", "i": "5", "j": "6"})
    text = " ".join(m.value for m in at.markdown)
    assert "max pooling: max(" in text and "average pooling: (" in text
    (pool,) = [f for _, f in _charts(at) if any(t.get("name") == "window" for t in f["data"])]
    labels = _labels(pool)
    assert "2×2 window, max pooling" in labels and "2×2 window, average pooling" in labels
