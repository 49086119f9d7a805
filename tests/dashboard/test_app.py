"""The app, run headless by Streamlit's AppTest: no exceptions, toggles change the figures, URL state."""
import json
import shutil

import numpy as np
import pytest
import torch
from streamlit.testing.v1 import AppTest

import lenet.pretrained as pretrained
from lenet import acts_of, capture, load_pretrained, with_ops
from lenet.explain import pool_window, softmax_steps
from lenet.ops import POOLINGS
from lenet.samples import load_samples
from tests.dashboard.pages import APP, shown
from tests.dashboard.pages import run_explorer as _run
from tests.pictures import tolerance, values_of



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


pytestmark = pytest.mark.usefixtures("fresh_caches")


def _captions(at: AppTest) -> str:
    """The page's captions, and the small print of its texts (the prediction's caption is one with it), with
    the Markdown escapes of plain text (text.plain) taken out."""
    return " ".join([c.value for c in at.caption]
                    + [shown(m.value) for m in at.markdown if ":small[" in m.value])


def _text(at: AppTest) -> str:
    return " ".join(m.value for m in at.markdown)


def test_the_overview_waits_for_the_browsers_size_and_fills_it():
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    assert not at.exception and not _overviews(at)  # first run: the size is not known yet
    assert "**Ankle boot**" not in _text(at) and len(at.get("plotly_chart")) == 1  # the strip only
    at.session_state["screen"] = {"size": [1876, 1080]}
    at.run()
    (overview,) = _overviews(at)
    assert overview["layout"]["width"] == 1876 and 0.55 * 1080 <= overview["layout"]["height"] < 1080


def test_default_view_runs_and_shows_every_stage():
    at = _run()
    (overview,) = _overviews(at)
    titles = _labels(overview)
    for name in ("Input", "Conv 1", "Activation 1", "Pooling 1", "Conv 2", "Pooling 2", "Dense 1", "Dense 2",
                 "Dense 3", "Softmax"):
        assert f"<b>{name}</b>" in titles, name
    # plain headers: how many neurons, how many weights (not "120→act3", "48,120 p.")
    assert {"156 weights", "2,416 weights", "120 neurons", "48,120 weights", "850 weights", "10 logits",
            "6×28×28"} <= set(titles)
    assert not [t for t in titles if "→" in t or t.endswith(" p.")]
    assert any(t.startswith("colours: blue negative · white 0 · red positive") for t in titles)  # what they mean
    assert "**Ankle boot** 100% · correct" in _text(at)  # test image 0 is an ankle boot
    assert "relu + max, trained with these ops · test image #0: Ankle boot" in _captions(at)
    # no detail view until a map or neuron is clicked (or ?stage= given), as in CNN Explainer
    assert at.session_state["stage"] == "" and "Σ per input map" not in _text(at)
    # every chart without Streamlit's theme (charts.chart): the figures carry their own look, no template
    assert [el.proto.theme for el in at.get("plotly_chart")] == [""] * 2  # thumbnail strip, overview
    at.session_state["stage"] = "conv1"
    at.run()
    assert "Σ per input map" in _text(at) and at.query_params["stage"] == "conv1"
    assert [el.proto.theme for el in at.get("plotly_chart")] == [""] * 3  # and the conv detail
    at.button(key="stage_fwd").click().run()  # the dialog's next stage
    assert at.session_state["stage"] == "act1" and at.query_params["stage"] == "act1"
    at.button(key="close_detail").click().run()
    assert at.session_state["stage"] == "" and "stage" not in at.query_params


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
    assert "relu + average on weights trained with relu + max (not retrained)" in _captions(at)
    (overview,) = _overviews(at)
    acts = _image_acts(with_ops(load_pretrained("relu", "max"), pooling="avg"))
    for stage in ("conv1", "act1", "pool1", "conv2"):  # relu-max's weights, before and after average pooling
        picture = _picture(overview, stage)
        drawn = values_of(picture)
        shown = drawn[~np.isnan(drawn)]
        assert np.abs(np.sort(shown) - np.sort(acts[stage].ravel())).max() <= tolerance(picture), stage
    trained = _image_acts(load_pretrained("relu", "avg"))  # not the weights trained with average pooling
    assert np.abs(acts["conv1"] - trained["conv1"]).max() > 0.1


def test_a_detail_view_shows_the_models_own_numbers():
    at = _run({"stage": "pool1", "i": "5", "j": "6", "map": "2"})
    w = pool_window(load_pretrained("relu", "max"), _image_acts(load_pretrained("relu", "max")), "pool1", 2, 5, 6)
    assert w.value > 0  # a window on the garment, not the black background
    assert f"max pooling: {POOLINGS['max'].spelled(w.window)} = {w.value:.4f}" in _text(at)
    at.session_state["stage"] = "softmax"
    at.run()
    assert "prediction: **Ankle boot**" in _text(at)


def test_the_softmax_temperature_changes_the_probabilities_not_the_logits():
    at = _run({"stage": "softmax", "t": "0.5", "idx": "4"})  # (any image; the numbers are checked)
    (slider,) = [s for s in at.slider if s.label == "Temperature T"]
    assert slider.value == 0.5
    steps = softmax_steps(_image_acts(load_pretrained("relu", "max"), 4), 0.5)
    assert "0.5 sharpens the probabilities" in _text(at)
    table = at.dataframe[0].value
    assert np.allclose(table["probability"], steps.probs) and np.allclose(table["z / T"], steps.logits / 0.5)
    slider.set_value(3.0).run()
    hot = softmax_steps(_image_acts(load_pretrained("relu", "max"), 4), 3.0)
    assert "T = 3 flattens the probabilities" in _text(at) and at.query_params["t"] == "3"
    table = at.dataframe[0].value
    assert np.allclose(table["probability"], hot.probs) and np.allclose(table["logit z"], steps.logits)
    assert not at.exception


def test_a_map_opened_without_a_pixel_starts_at_its_strongest_response():
    at = _run({"stage": "pool1", "map": "2"})
    acts = _image_acts(load_pretrained("relu", "max"))
    i, j = np.unravel_index(int(np.argmax(acts["pool1"][2])), (14, 14))
    assert (at.session_state["row"], at.session_state["col"]) == (i, j)
    w = pool_window(load_pretrained("relu", "max"), acts, "pool1", 2, int(i), int(j))
    assert w.value == acts["pool1"][2].max() > 0.5 and f"= {w.value:.4f}**" in _text(at)


def test_l2_pooling_from_the_ops_table_runs_in_the_explorer():
    at = _run({"pool": "l2", "stage": "pool1", "i": "5", "j": "6", "map": "2"})
    assert _seg(at, "Pooling").options == [op.label for op in POOLINGS.values()]  # the toggle lists the table
    assert "relu + L2 on weights trained with relu + average (not retrained)" in _captions(at)
    prediction = next(m for m in at.markdown if ":small[" in m.value)
    assert "No shipped weights were trained with relu + L2 pooling" in prediction.proto.help
    model = with_ops(load_pretrained("relu", "avg"), pooling="l2")
    w = pool_window(model, _image_acts(model), "pool1", 2, 5, 6)
    text = " ".join(m.value for m in at.markdown)
    assert f"L2 pooling: {POOLINGS['l2'].spelled(w.window)} = {w.value:.4f}" in text


def test_query_string_round_trip():
    at = _run({"idx": "5", "pool": "avg", "act": "sigmoid", "stage": "fc1", "map": "7", "range": "network"})
    assert at.session_state["index"] == 5 and at.session_state["pooling"] == "avg"
    assert at.session_state["activation"] == "sigmoid" and at.session_state["stage"] == "fc1"
    assert at.session_state["map"] == 7 and at.session_state["color_range"] == "network"
    assert "Neuron 7" in _text(at)
    at.button(key="stage_back").click().run()
    assert at.query_params["stage"] == "pool2" and at.query_params["idx"] == "5"


def test_bad_query_values_fall_back_to_defaults():
    at = _run({"pool": "median", "idx": "-3", "stage": "nope"})
    assert at.session_state["pooling"] == "max" and at.session_state["index"] == 0


def test_works_without_the_dataset(monkeypatch, tmp_path):
    monkeypatch.setenv("LENET_DATA_DIR", str(tmp_path))
    at = _run({"mode": "swap", "w": "relu-avg"})  # a swap's accuracy is measured on what is there
    assert any("bundled" in i.value and "apt-get install" in i.value for i in at.info)
    assert "bundled test image #0" in _captions(at)


def test_corrupt_weights_file_is_named_and_other_variants_work(monkeypatch, tmp_path):
    for f in pretrained.WEIGHTS_DIR.glob("*.pt"):
        shutil.copy(f, tmp_path / f.name)
    (tmp_path / "lenet-relu-max.pt").write_bytes(b"PK\x03\x04 truncated")
    monkeypatch.setattr(pretrained, "WEIGHTS_DIR", tmp_path)
    at = _run()
    assert any("lenet-relu-max.pt" in shown(e.value) and "corrupt" in e.value for e in at.error)
    _seg(at, "Pooling").set_value("avg").run()
    assert not at.exception and not at.error
    assert "relu + average, trained with these ops" in _captions(at)


def _titles(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown if m.value.startswith(("**A** ", "**B** ", "**A − B**"))]


def test_compare_shows_the_clean_effect_of_the_pooling_by_default():
    """Same weights, only the pooling swapped: conv1 (before any pooling) is identical in A and B."""
    at = _run({"cmp": "1"})  # an older link: compare pooling
    figs = _overviews(at)
    titles = _titles(at)
    assert [t.split("**")[1] for t in titles] == ["A", "B", "A − B"]
    assert "relu + max, trained with these ops" in titles[0] and \
        "relu + average on weights trained with relu + max (not retrained)" in titles[1]
    a, b, diff = (_stage_z(f, "pool1") for f in figs)
    atol = sum(tolerance(_picture(f, "pool1")) for f in figs)
    assert np.nanmax(np.abs((a - b) - diff)) <= atol and np.nanmax(np.abs(diff)) > 3 * atol
    conv1 = _picture(figs[2], "conv1")
    assert np.nanmax(np.abs(values_of(conv1))) <= tolerance(conv1)  # the clean effect: nothing before pooling
    assert _picture(figs[0], "pool1")["meta"] == _picture(figs[1], "pool1")["meta"]  # one colour range
    xs = [_picture(f, "conv2")["x0"] for f in figs]
    assert xs[0] == xs[1] == xs[2]  # column for column
    assert "input" not in {t.get("name") for t in figs[2]["data"]}  # the same image: no difference to show


def test_compare_trained_variants_and_activations():
    at = _run({"cmp": "pool-trained"})
    titles = _titles(at)
    assert "relu + average, trained with these ops" in titles[1]
    conv1 = _stage_z(_overviews(at)[2], "conv1")
    assert np.nanmax(np.abs(conv1)) > 0.1  # two separately trained networks differ before any pooling
    at = _run({"cmp": "act"})
    assert "sigmoid + max on weights trained with relu + max (not retrained)" in _titles(at)[1]


def test_sliding_window_steps_along_the_rows():
    at = _run({"stage": "conv1", "map": "0", "i": "3", "j": "27"})
    at.button(key="step_fwd").click().run()
    assert (at.session_state["row"], at.session_state["col"]) == (4, 0)  # wraps to the next row
    assert any("(act1[0, 4, 0])" in m.value for m in at.markdown)
    at.button(key="step_back").click().run()
    assert (at.session_state["row"], at.session_state["col"]) == (3, 27)
    at.toggle(key="playing").set_value(True).run()  # playing: every (timed) rerun moves one position
    assert not at.exception and (at.session_state["row"], at.session_state["col"]) == (4, 0)


def test_compare_mode_shows_both_pooling_windows():
    at = _run({"cmp": "pool", "stage": "pool1", "i": "5", "j": "6"})
    text = " ".join(m.value for m in at.markdown)
    assert "max pooling: max(" in text and "average pooling: (" in text
    (pool,) = [f for _, f in _charts(at) if any(t.get("name") == "window" for t in f["data"])]
    labels = _labels(pool)
    assert "2×2 window, max pooling" in labels and "2×2 window, average pooling" in labels


def test_presentation_mode_hides_the_bar_and_keeps_the_network():
    at = _run({"pres": "1", "idx": "3"})
    assert not at.get("button_group") and not at.number_input  # no bar: no toggles, no image index
    (overview,) = _overviews(at)
    assert overview["layout"]["height"] > 720 - 242  # more of the screen than with the bar
    assert any("Keys:" in c.value and "next stage" in c.value for c in at.caption)
    assert "test image #3:" in _captions(at) and at.query_params["pres"] == "1"


def test_a_link_with_only_wrong_opens_on_a_misclassified_image():
    """?wrong=1 without an image: the first image the model gets wrong, not image 0 (which it gets right)."""
    at = _run({"wrong": "1"})
    idx = int(at.session_state["index"])
    assert idx > 0 and at.session_state["pick_wrong"]
    assert any("· wrong (true:" in m.value for m in at.markdown)
    chosen = _run({"wrong": "1", "idx": str(idx)})  # a link to one of them keeps it
    assert int(chosen.session_state["index"]) == idx
