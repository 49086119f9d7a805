"""The One step page through AppTest: its numbers are lenet.step's, Step steps on from the last, Reset resets."""
import numpy as np
import torch
from streamlit.testing.v1 import AppTest

from lenet.pretrained import load_pretrained
from lenet.samples import load_samples
from lenet.step import one_step
from tests.dashboard.pages import charts, open_page, step_page
from tests.pictures import tolerance, values_of


def _text(at: AppTest) -> str:
    return " ".join(m.value for m in at.markdown)


def test_a_step_its_gradients_and_the_next_step(models):
    at = open_page(step_page, "step", "sigmoid-avg|sigmoid|avg")
    at.number_input(key="step_image").set_value(4).run()  # a shirt
    at.selectbox(key="step_target_4").set_value(2)  # pushed towards pullover
    at.number_input(key="step_lr").set_value(0.5).run()
    model = load_pretrained("sigmoid", "avg")
    x = torch.from_numpy(load_samples().images[4].astype(np.float32) / 255.0)
    first, after = one_step(model, x, 2, 0.5)
    assert f"Before any step: loss **{first.loss:.4f}**" in _text(at)
    assert f"loss **{first.loss_after:.4f}**" in _text(at)
    overview = charts(at)["step_overview"]
    (grad,) = [t for t in overview["data"] if t["type"] == "image" and t.get("name") == "input"]
    assert np.allclose(values_of(grad), first.output_grads["input"][0], atol=tolerance(grad))
    at.button(key="step_go").click().run()
    second, _ = one_step(after, x, 2, 0.5)
    assert f"After 1 step: loss **{second.loss:.4f}**" in _text(at) and abs(second.loss - first.loss_after) < 1e-5
    at.button(key="step_reset").click().run()
    assert f"Before any step: loss **{first.loss:.4f}**" in _text(at)
    assert not at.exception


def test_every_layers_weight_gradient_is_shown(models):
    at = open_page(step_page, "step", "relu-max|relu|max")
    model = load_pretrained("relu", "max")
    x = torch.from_numpy(load_samples().images[0].astype(np.float32) / 255.0)
    step, _ = one_step(model, x, int(load_samples().labels[0]), 0.1)
    kernels = charts(at)["step_kernels_grad"]  # conv1 first
    picture = next(t for t in kernels["data"] if t["type"] == "image")
    assert picture["meta"][0] == np.abs(step.weight_grads["conv1.weight"]).max()
    for layer in ("conv2", "fc1", "fc3"):
        at.button_group(key="step_layer").set_value(layer).run()
        assert not at.exception
        grad = step.weight_grads[f"{layer}.weight"]
        if layer == "conv2":
            picture = next(t for t in charts(at)["step_kernels_grad"]["data"] if t["type"] == "image")
            assert picture["meta"][0] == np.abs(grad).max()
        else:
            (picture,) = [t for t in charts(at)["step_dense_grad"]["data"] if t["type"] == "image"]
            assert np.allclose(values_of(picture), grad, atol=tolerance(picture))
            rows = np.abs(grad).sum(1)
            assert f"neurons {int(np.argmax(rows))} (Σ|∂loss/∂w| {rows.max():.3g})" in _text(at)
        assert f"at most {0.1 * np.abs(grad).max():.3g} here" in " ".join(c.value for c in at.caption)
