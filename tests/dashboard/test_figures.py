"""Figure builders, tested directly: traces, shapes, colour ranges."""
import numpy as np
import pytest

import figures as F
import figures_detail as FD
from lenet.data import CLASS_NAMES


def test_grid_and_tile_place_every_map_with_gaps():
    maps = np.arange(16 * 10 * 10, dtype=np.float32).reshape(16, 10, 10)
    assert F.grid_shape(16) == (4, 4) and F.grid_shape(6) == (3, 2) and F.grid_shape(1) == (1, 1)
    z, centres = F.tile(maps, 4)
    assert z.shape == (4 * 11 - 1, 4 * 11 - 1)
    assert np.isnan(z[10]).all() and np.isnan(z[:, 10]).all()  # the gap row and column
    assert np.array_equal(z[11:21, 22:32], maps[6])  # map 6 sits in row 1, column 2
    assert centres[6] == (22 + 4.5, 11 + 4.5)


def test_stage_figure_is_one_heatmap_plus_one_picker():
    maps = np.random.default_rng(0).normal(size=(6, 28, 28)).astype(np.float32)
    fig = F.stage_figure(maps, "conv1", selected=4)
    kinds = [t.type for t in fig.data]
    assert kinds == ["heatmap", "scatter"]
    heat, picker = fig.data
    lim = np.abs(maps).max()
    assert heat.zmin == pytest.approx(-lim) and heat.zmax == pytest.approx(lim) and heat.zmid == 0
    assert list(picker.customdata) == list(range(6))
    assert len(fig.layout.shapes) == 1  # the selected map is outlined
    assert fig.layout.yaxis.autorange == "reversed"


def test_colour_range_modes():
    maps = np.stack([np.full((5, 5), 0.1), np.full((5, 5), -4.0)]).astype(np.float32)
    per_map = F.stage_figure(maps, "x", per_map=True)
    z = np.asarray(per_map.data[0].z, dtype=float)
    assert np.nanmax(z) == pytest.approx(1.0) and np.nanmin(z) == pytest.approx(-1.0)
    true_values = np.asarray(per_map.data[0].customdata, dtype=float)
    assert np.nanmin(true_values) == pytest.approx(-4.0)  # hover still shows the real numbers
    network = F.stage_figure(maps, "x", limit=10.0)
    assert network.data[0].zmax == 10.0
    grey = F.stage_figure(maps[:1] * 0 + 0.5, "input", kind="input")
    assert grey.data[0].type == "image" and grey.data[0].source.startswith("data:image/png;base64,")
    assert (grey.data[2].zmin, grey.data[2].zmax) == (0.0, 1.0)  # the colour bar of the greys
    assert F.stage_figure(maps, "x").data[0].customdata is None  # values shown as they are: no duplicate


def test_png_uri_round_trips_the_image():
    import base64
    import io

    from PIL import Image

    gray = np.linspace(0, 1, 28 * 28).reshape(28, 28)
    uri = F.png_uri(gray)
    img = np.asarray(Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1]))))
    assert img.shape == (28, 28) and img[0, 0] == 0 and img[-1, -1] == 255


def test_vector_and_softmax_figures():
    v = np.linspace(-2, 3, 120).astype(np.float32)
    fig = F.vector_figure(v, "fc1", selected=7)
    assert np.asarray(fig.data[0].z).shape == (120, 1) and fig.data[0].zmax == pytest.approx(3.0)
    probs = np.full(10, 0.02)
    probs[3] = 0.82
    sm = F.softmax_figure(probs, list(CLASS_NAMES), true_label=3)
    bar = sm.data[0]
    assert list(bar.x) == pytest.approx(list(probs)) and bar.y[3].startswith("Dress")
    assert bar.marker.color[3] != bar.marker.color[0]  # the prediction stands out


def test_clicked_index_reads_selection_events():
    assert F.clicked_index({"selection": {"points": [{"customdata": 5, "x": 1}]}}) == 5
    assert F.clicked_index({"selection": {"points": [{"z": 1.0}]}}) is None
    assert F.clicked_index(None) is None


def test_detail_figures():
    padded = np.random.default_rng(1).normal(size=(6, 14, 14))
    fig = FD.maps_with_window(padded, 3, 4, 5, "input")
    assert len(fig.layout.shapes) == 6 and fig.layout.shapes[0].x0 == 3.5
    grid = FD.numbers_grid(np.ones((6, 5, 5)), "kernels")
    assert grid.data[0].texttemplate == "%{z:.2f}"
    px = FD.map_with_pixel(np.zeros((10, 10)), 2, 3, "out")
    assert len(px.data[1].customdata) == 100 and px.layout.shapes[0].x0 == 2.5
    assert len(FD.map_with_pixel(np.zeros((28, 28)), 2, 3, "out").data) == 1  # too many pixels to pick
    x = np.linspace(-3, 3, 7)
    act = FD.activation_figure(x, np.maximum(x, 0), np.array([1.0, -1.0]), np.array([1.0, 0.0]), "relu", (1.0, 1.0))
    assert [t.name for t in act.data] == ["relu", "this map", "selected"]
    contrib = FD.contributions_figure(np.array([0.5, -2.0, 1.0]), np.array([1, 2]), ["a", "b", "c"], 0.1, -0.4)
    assert list(contrib.data[0].y) == ["b", "c", "bias", "= value"]
