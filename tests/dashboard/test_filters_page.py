"""The Filters page through AppTest: the kernels shown are the model's and its initial ones, the top images
and their receptive fields those lenet.filters computes."""
import numpy as np
import torch

from dashboard.figures.colours import WEIGHTS
from lenet import ModelConfig, build_model
from lenet.data import CLASS_NAMES, read_split
from lenet.filters import receptive_field, top_images
from lenet.pretrained import load_pretrained
from tests.dashboard.pages import charts, open_page, filters_page
from tests.pictures import tolerance, values_of


def test_kernels_initial_weights_and_the_images_a_map_likes(models):
    at = open_page(filters_page, "filters", "relu-max|relu|max")
    model = load_pretrained("relu", "max")
    initial = build_model(ModelConfig("relu", "max"), seed=0)  # the shipped relu variants trained with seed 0
    conv1 = charts(at)["conv1_kernels"]
    learned, start = [t for t in conv1["data"] if t["type"] == "image" and t["name"].startswith("conv1 ")]
    assert start["name"] == "conv1 at initialisation" and start["meta"][1] == WEIGHTS.name
    got = values_of(learned)  # the picture's values read back from its colours
    expected = np.concatenate([np.pad(k[0], ((0, 0), (0, 1)), constant_values=np.nan)
                               for k in model.conv1.weight.detach().numpy()], 1)[:, :-1]
    assert np.allclose(got, expected, atol=tolerance(learned), equal_nan=True)
    got0 = values_of(start)
    expected0 = np.concatenate([np.pad(k[0], ((0, 0), (0, 1)), constant_values=np.nan)
                                for k in initial.conv1.weight.detach().numpy()], 1)[:, :-1]
    assert np.allclose(got0, expected0, atol=tolerance(start), equal_nan=True)
    assert any("rebuilt from its training seed (0)" in c.value for c in at.caption)
    # a conv2 map's favourite images
    at.number_input(key="filters_map").set_value(5).run()
    X, y = read_split(False)
    top = top_images(model, torch.from_numpy(X[:, None].astype(np.float32) / 255.0), "conv2", k=9)
    fig = charts(at)["top_images"]
    hovers = [h for t in fig["data"] if t.get("name") == "pickers" for h in t["hovertext"]]
    assert [h.split(":")[0] for h in hovers] == [f"#{n}" for n in top.images[5]]
    assert all(CLASS_NAMES[y[n]] in h for n, h in zip(top.images[5], hovers))
    shapes = fig["layout"]["shapes"]
    assert len(shapes) == 9
    px = None
    for shape, (i, j) in zip(shapes, top.pixels[5]):  # each outline is its image's receptive field
        r0, r1, c0, c1 = receptive_field("conv2", int(i), int(j))
        scale = (shape["y1"] - shape["y0"]) / (r1 - r0)
        px = px or scale
        assert abs(scale - px) < 1e-6 and abs(shape["y0"] - (2.0 + r0 * px)) < 1e-6
        assert abs((shape["x1"] - shape["x0"]) - (c1 - c0) * px) < 1e-6
    assert not at.exception
