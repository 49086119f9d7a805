"""Receptive fields by perturbation, the top images against a direct computation, the initial weights."""
import numpy as np
import pytest
import torch

from lenet import ModelConfig, build_model
from lenet.config import TrainConfig
from lenet.filters import initial_model, receptive_field, top_images, up_to
from lenet.samples import load_samples


@pytest.mark.parametrize("stage,i,j", [("conv2", 0, 0), ("conv2", 4, 7), ("conv2", 9, 9), ("pool1", 3, 13),
                                       ("conv1", 0, 27), ("pool2", 2, 1)])
def test_the_receptive_field_is_exactly_the_pixels_the_output_depends_on(stage, i, j):
    model = build_model(ModelConfig("sigmoid", "avg"), seed=1).eval()
    r0, r1, c0, c1 = receptive_field(stage, i, j)
    head = up_to(model, stage)
    torch.manual_seed(2)
    x = torch.rand(1, 1, 28, 28)
    with torch.no_grad():
        base = head(x)[0, :, i, j]
        inside = torch.zeros(28, 28, dtype=torch.bool)
        inside[r0:r1, c0:c1] = True
        for r in range(28):  # every pixel: changing it changes the output exactly when it lies in the field
            for c in range(28):
                y = x.clone()
                y[0, 0, r, c] += 1.0
                changed = bool((head(y)[0, :, i, j] - base).abs().max() > 1e-7)
                assert changed == bool(inside[r, c]), (r, c)


def test_top_images_match_a_direct_computation():
    samples = load_samples()
    X = samples.tensor()
    model = build_model(ModelConfig("relu", "max"), seed=4).eval()
    top = top_images(model, X, "conv2", k=9, batch=333)
    with torch.no_grad():
        out = torch.nn.Sequential(model.conv1, model.act1, model.pool1, model.conv2)(X)
    strongest = out.flatten(2).max(2).values  # (N, 16)
    for c in range(16):
        order = torch.argsort(strongest[:, c], descending=True)[:9].numpy()
        assert np.allclose(top.values[c], strongest[order, c].double().numpy(), atol=1e-6)
        assert np.allclose(strongest[top.images[c], c].numpy(), strongest[order, c].numpy())
        for n, (r, col) in zip(top.images[c], top.pixels[c]):
            assert out[n, c, r, col] == pytest.approx(float(strongest[n, c]))
    assert top.images.shape == (16, 9) and top.pixels.shape == (16, 9, 2)


def test_the_initial_weights_are_the_ones_training_started_from():
    config, train = ModelConfig("relu", "max"), TrainConfig(seed=7)
    torch.manual_seed(123)
    before = torch.rand(3)
    torch.manual_seed(123)
    model, how = initial_model(config, train)
    assert torch.equal(torch.rand(3), before)  # the global random state is untouched
    expected = build_model(config, seed=7)
    assert all(torch.equal(a, b) for a, b in zip(model.state_dict().values(), expected.state_dict().values()))
    assert "training seed (7)" in how
    snap = {k: v + 1 for k, v in expected.state_dict().items()}
    stored, how = initial_model(config, train, snap)
    assert torch.equal(stored.conv1.weight, snap["conv1.weight"]) and "epoch 0" in how
    assert "not stored" in initial_model(config, None)[1]
