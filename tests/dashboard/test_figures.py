"""Figure builders, tested directly: traces, pictures (decoded back to values), pickers, colour ranges."""
import numpy as np
import pytest

import dashboard.board as B
import dashboard.figures as F
import dashboard.figures_detail as FD
import dashboard.figures_overview as FO
from lenet.data import CLASS_NAMES
from lenet.explain import ConvWindow, PoolWindow
from tests.pictures import rgba_of, tolerance, values_of


def _trace(fig, name: str):
    return next(t for t in fig.to_dict()["data"] if t.get("name") == name)


def _labels(spec: dict) -> list[str]:
    """Every label of a board figure (one text trace per style)."""
    return [text for t in spec["data"] if t.get("name") == "labels" for text in t["text"]]


def _picked(spec: dict, field: str) -> list:
    """A field of every picker point (one picker trace per marker size), in trace order."""
    return [v for t in spec["data"] if t.get("name") == "pickers" for v in t[field]]


def test_one_tiling_rule_for_squares_and_tall_columns():
    # square (a gallery, the fc1 weights): as many columns as rows, fewer columns on a tie
    assert F.grid_shape(16, 10, 10) == (4, 4) and F.grid_shape(6, 28, 28) == (3, 2)
    assert F.grid_shape(1, 28, 28) == (1, 1) and F.grid_shape(24, 28, 28) == (5, 5)
    # tall (the overview's columns, FO.TALL): six maps one above the other, sixteen in two columns
    assert F.grid_shape(6, 28, 28, FO.TALL) == (6, 1) and F.grid_shape(6, 14, 14, FO.TALL) == (6, 1)
    assert F.grid_shape(16, 10, 10, FO.TALL) == (8, 2) and F.grid_shape(16, 5, 5, FO.TALL) == (8, 2)
    assert F.grid_shape(7, 3, 3, 100.0) == (1, 7)  # wide: one row


def test_tile_places_every_map_with_gaps():
    maps = np.arange(16 * 10 * 10, dtype=np.float32).reshape(16, 10, 10)
    z, centres = F.tile(maps, 4)
    assert z.shape == (4 * 11 - 1, 4 * 11 - 1)
    assert np.isnan(z[10]).all() and np.isnan(z[:, 10]).all()  # the gap row and column
    assert np.array_equal(z[11:21, 22:32], maps[6])  # map 6 sits in row 1, column 2
    assert centres[6] == (22 + 4.5, 11 + 4.5)


def test_diverging_colours_are_centred_on_zero_and_gaps_are_transparent():
    z = np.array([[-2.0, 0.0, 2.0, np.nan, 5.0]], dtype=np.float32)
    rgba = F.diverging_rgba(z, 2.0)
    assert tuple(rgba[0, 0, :3]) == tuple(F.DIVERGING_LUT[0])  # −limit: darkest blue
    assert tuple(rgba[0, 2, :3]) == tuple(F.DIVERGING_LUT[255])  # +limit: darkest red
    assert rgba[0, 0, 2] > rgba[0, 0, 0] and rgba[0, 2, 0] > rgba[0, 2, 2]
    assert (rgba[0, 1, :3] > 240).all()  # zero is (nearly) white
    assert rgba[0, 3, 3] == 0 and (rgba[0, [0, 1, 2, 4], 3] == 255).all()
    assert tuple(rgba[0, 4]) == tuple(rgba[0, 2])  # beyond the limit: clipped


def test_stage_figure_is_one_picture_one_picker_and_a_colour_bar():
    maps = np.random.default_rng(0).normal(size=(6, 28, 28)).astype(np.float32)
    fig = F.stage_figure(maps, "conv1", selected=4)
    assert [t.type for t in fig.data] == ["image", "scatter", "heatmap"]
    picture, picker, bar = fig.to_dict()["data"]
    z, _ = F.tile(maps, 2)
    values = values_of(picture)
    assert values.shape == z.shape and np.isnan(values).sum() == np.isnan(z).sum()
    assert np.nanmax(np.abs(values - z)) <= tolerance(picture)
    lim = np.abs(maps).max()
    assert picture["meta"][0] == pytest.approx(lim) and bar["zmax"] == pytest.approx(lim)
    assert list(picker["customdata"]) == list(range(6))
    assert picker["hovertext"][2] == f"map 2: {maps[2].min():.3g} … {maps[2].max():.3g}"
    assert len(fig.layout.shapes) == 1  # the selected map is outlined


def test_colour_range_modes():
    maps = np.stack([np.full((5, 5), 0.1), np.full((5, 5), -4.0)]).astype(np.float32)
    per_map = values_of(_trace(F.stage_figure(maps, "x", per_map=True), "maps"))
    assert np.nanmax(per_map) == pytest.approx(1.0) and np.nanmin(per_map) == pytest.approx(-1.0)
    network = F.stage_figure(maps, "x", limit=10.0)
    assert _trace(network, "maps")["meta"][0] == 10.0 and network.data[2].zmax == 10.0
    assert np.nanmin(values_of(_trace(network, "maps"))) == pytest.approx(-4.0, abs=0.2)
    grey = F.stage_figure(maps[:1] * 0 + 0.5, "input", kind="input")
    assert _trace(grey, "maps")["meta"][0] is None
    assert (grey.data[2].zmin, grey.data[2].zmax) == (0.0, 1.0)  # the colour bar of the greys
    assert np.nanmax(np.abs(values_of(_trace(grey, "maps")) - 0.5)) < 0.01


def test_png_uri_round_trips_the_image():
    gray = np.linspace(0, 1, 28 * 28).reshape(28, 28)
    img = rgba_of({"source": F.png_uri(gray)})
    assert img.shape == (28, 28, 4) and img[0, 0, 0] == 0 and img[-1, -1, 0] == 255


def test_clicked_index_reads_selection_events():
    assert F.clicked_index({"selection": {"points": [{"customdata": 5, "x": 1}]}}) == 5
    assert F.clicked_index({"selection": {"points": [{"z": 1.0}]}}) is None
    assert F.clicked_index(None) is None


def _columns(rng):
    maps = lambda *s: rng.normal(size=s).astype(np.float32)  # noqa: E731
    probs = np.full(10, 0.05)
    probs[9] = 0.55
    return [FO.Column("input", "Input", "input", rng.uniform(size=(1, 28, 28)).astype(np.float32)),
            FO.Column("conv1", "Conv 1", "maps", maps(6, 28, 28), selected=2),
            FO.Column("pool2", "Pooling 2", "maps", maps(16, 5, 5), per_map=True),
            FO.Column("fc1", "fc1", "vector", maps(120), limit=7.0),
            FO.Column("softmax", "Softmax", "softmax", probs, labels=CLASS_NAMES, true_label=9)]


def test_overview_is_one_figure_with_a_picture_per_stage():
    cols = _columns(np.random.default_rng(3))
    fig = FO.overview_figure(cols).to_dict()
    kinds = [t["type"] for t in fig["data"]]
    assert kinds.count("image") == 4 + 4  # a picture per map/vector column, and a colour strip under each
    assert kinds.count("heatmap") == 0 and len(fig["data"]) <= 20  # few traces, whatever the number of maps
    conv1 = next(t for t in fig["data"] if t.get("name") == "conv1")
    z, _ = F.tile(cols[1].values, 1)  # six maps stacked in one tall column
    assert np.nanmax(np.abs(values_of(conv1) - z)) <= tolerance(conv1)
    pool2 = values_of(next(t for t in fig["data"] if t.get("name") == "pool2"))
    assert np.nanmax(np.abs(pool2)) == pytest.approx(1.0)  # per-map range: each map ÷ its own max
    fc1 = next(t for t in fig["data"] if t.get("name") == "fc1")
    assert fc1["meta"][0] == 7.0 and values_of(fc1).shape == (120, 1)
    labels = _labels(fig)
    assert {"Input", "Conv 1", "Pooling 2", "fc1", "Softmax", "±7", "±1 ÷ max", "0 … 1"} <= set(labels)
    assert "<b>Ankle boot ✓</b>" in labels and "<b>55%</b>" in labels
    picked = _picked(fig, "customdata")
    assert len(picked) == 1 + 6 + 16 + 120
    assert picked[1 + 6 + 3] == ["pool2", 3]
    assert len(fig["layout"]["shapes"]) == 1  # conv1 map 2 outlined


def test_column_widths_follow_what_the_columns_draw():
    input_, conv1, pool2, fc1, softmax = _columns(np.random.default_rng(1))
    assert FO.column_width(conv1) < FO.column_width(pool2)  # one map per row against two
    assert FO.column_width(fc1) < FO.column_width(conv1) < FO.column_width(input_) < FO.column_width(softmax)


def test_focus_is_one_overview_column_tiled_to_its_space():
    conv1 = _columns(np.random.default_rng(2))[1]
    fig = FO.overview_figure([conv1], body=600.0, aspect=FO.WIDTH / 600.0).to_dict()
    picture = next(t for t in fig["data"] if t.get("name") == "conv1")
    z, _ = F.tile(conv1.values, 4)  # six maps in two rows of up to four (width / height ≈ 2, like the figure's)
    assert values_of(picture).shape == z.shape
    height, width = picture["dx"] * z.shape[0], picture["dx"] * z.shape[1]
    assert height <= 600.0 and width <= FO.WIDTH and max(height / 600.0, width / FO.WIDTH) > 0.9  # fills the space


def test_clicked_column_reads_stage_and_index():
    assert FO.clicked_column({"selection": {"points": [{"customdata": ["conv2", 3]}]}}) == ("conv2", 3)
    assert FO.clicked_column({"selection": {"points": [{"customdata": 3}]}}) is None
    assert FO.clicked_column({}) is None


def test_number_grid_writes_every_value_in_its_cell():
    b = B.Board()
    b.numbers(np.array([[0.5, -1.0], [-0.001, 0.25]]), 10, 20, 30.0)
    fig = b.figure().to_dict()
    black, white = (t for t in fig["data"] if t.get("name") == "labels")
    assert black["text"] == ["0.50", "0.00", "0.25"] and black["textfont"]["color"] == "#000000"
    assert white["text"] == ["−1.00"] and white["textfont"]["color"] == "#ffffff"  # white on the dark cell
    assert (white["x"][0], white["y"][0]) == (10 + 45.0, 20 + 15.0)


def _conv_window(C: int, pad: int, H: int) -> ConvWindow:
    rng = np.random.default_rng(C)
    padded = rng.uniform(size=(C, H + 2 * pad, H + 2 * pad))
    patches, kernels = padded[:, 3:8, 4:9], rng.normal(size=(C, 5, 5))
    products = patches * kernels
    sums = products.sum((1, 2))
    return ConvWindow(padded, patches, kernels, products, sums, 0.1, float(sums.sum() + 0.1), 0.0, pad, 3, 4)


@pytest.mark.parametrize("C, pad, H", [(1, 2, 28), (6, 0, 14)])
def test_conv_figure_shows_every_number_and_the_window(C, pad, H):
    w = _conv_window(C, pad, H)
    out = np.random.default_rng(9).normal(size=(H - 4 + 2 * pad,) * 2)
    fig = FD.conv_figure(w, out, 2, "conv1" if C == 1 else "conv2", "input" if C == 1 else "pool1", C == 1,
                         "relu").to_dict()
    labels = _labels(fig)
    assert "kernel of map 2" in labels
    assert sum(t == B.number_text(v) for t in labels for v in [w.products[0, 1, 2]]) >= 1
    assert len([t for t in labels if t.startswith("Σ = ")]) == C  # one sum per input map
    kernel = [t for t in fig["data"] if t.get("name") == "kernel"]
    assert len(kernel) == C and np.allclose(values_of(kernel[C - 1]), w.kernels[C - 1], atol=tolerance(kernel[0]))
    assert len(fig["layout"]["shapes"]) == C + 1  # the window on every input map, the output pixel
    if C == 1:  # 28×28: too many pixels to give each a marker; row and column inputs choose the pixel
        assert not _picked(fig, "customdata")
    else:
        assert _picked(fig, "customdata") == list(range(out.size))  # every output pixel can be clicked
        assert _picked(fig, "hovertext")[5] == f"conv2 map 2 (0, 5): {out[0, 5]:.4f}"


def test_pool_figure_shows_every_op_when_comparing():
    m = np.arange(16, dtype=np.float64).reshape(4, 4)
    windows = [PoolWindow(m[2:4, 0:2], "max", 13.0, (1, 1), 2, 0), PoolWindow(m[2:4, 0:2], "avg", 10.5, None, 2, 0),
               PoolWindow(m[2:4, 0:2], "l2", 10.55, None, 2, 0)]
    fig = FD.pool_figure(windows, m, np.zeros((2, 2)), 1, 0, "act1", "pool1", 0).to_dict()
    labels = _labels(fig)
    assert "max = 13.0000" in labels and "mean = 10.5000" in labels and "rms = 10.5500" in labels
    assert {"2×2 window, max pooling", "2×2 window, average pooling", "2×2 window, L2 pooling"} <= set(labels)
    assert labels.count("13.00") == 3  # the window's numbers, once per op
    assert len([t for t in fig["data"] if t.get("name") == "window"]) == 3
    # outlines: the window on the input map, max's deciding input, the output pixel; none for avg or L2
    assert len(fig["layout"]["shapes"]) == 3


def test_detail_charts():
    x = np.linspace(-3, 3, 7)
    act = FD.activation_figure(x, np.maximum(x, 0), np.array([1.0, -1.0]), np.array([1.0, 0.0]), "relu", (1.0, 1.0))
    assert [t.name for t in act.data] == ["relu", "this map", "selected"]
    contrib = FD.contributions_figure(np.array([0.5, -2.0, 1.0]), np.array([1, 2]), ["a", "b", "c"], 0.1, -0.4)
    assert list(contrib.data[0].y) == ["b", "c", "bias", "= value"]
    lo, hi = contrib.layout.xaxis.range  # room beyond the longest bars for their written values
    assert lo < -2.0 - 0.3 and hi > 1.0 + 0.3 and contrib.layout.yaxis.automargin  # and for the names


def _every_figure():
    rng = np.random.default_rng(5)
    maps = rng.normal(size=(16, 5, 5)).astype(np.float32)
    yield F.stage_figure(maps, "pool2", selected=3, per_map=True)
    yield F.stage_figure(rng.uniform(size=(24, 28, 28)), "gallery", kind="input", colour_bar=False)
    yield FO.overview_figure(_columns(rng))
    yield FO.overview_figure(_columns(rng)[3:4], body=600.0, aspect=2.0)
    yield FD.conv_figure(_conv_window(6, 0, 14), rng.normal(size=(10, 10)), 0, "conv2", "pool1", False, "sigmoid")
    p = PoolWindow(np.ones((2, 2)), "avg", 1.0, None, 0, 0)
    yield FD.pool_figure([p], np.ones((28, 28)), np.ones((14, 14)), 0, 0, "act1", "pool1", 0)
    x = np.linspace(-3, 3, 7)
    yield FD.activation_figure(x, np.maximum(x, 0), x, np.maximum(x, 0), "relu")
    yield FD.contributions_figure(np.array([0.5, -2.0]), np.array([1, 0]), ["a", "b"], 0.1, -1.4)


def test_every_figure_passes_plotly_validation():
    """The builders skip Plotly's validation for speed (figures.make_figure), so it is done here."""
    import plotly.graph_objects as go

    for fig in _every_figure():
        go.Figure(fig.to_dict())  # raises ValueError on any invalid property or value


def test_datarevision_follows_the_content():
    a = F.stage_figure(np.zeros((1, 5, 5)), "x").layout.datarevision
    assert a == F.stage_figure(np.zeros((1, 5, 5)), "x").layout.datarevision
    assert a != F.stage_figure(np.ones((1, 5, 5)), "x").layout.datarevision


def test_figures_redraw_for_free_when_unchanged():
    """What lets Streamlit's second draw of a new chart find nothing changed (figures.make_figure)."""
    import json

    import plotly.io
    import plotly.tools

    for fig in _every_figure():
        # exactly what st.plotly_chart sends to the browser
        sent = json.loads(plotly.io.to_json(plotly.tools.return_figure_from_figure_or_data(fig, True),
                                            validate=False))
        layout = sent["layout"]
        assert layout["template"] is None  # no template object: it would count as changed every time
        assert all(isinstance(t.get("meta", []), list) for t in sent["data"])
        assert layout["hovermode"] == "closest" and layout["font"]["family"] == F.FONT_FAMILY
        if "clickmode" in layout:  # a falsy dragmode would be replaced by Streamlit's selection set-up
            assert layout["dragmode"]


def test_seen_image_is_the_28x28_image_enlarged_with_sharp_pixels():
    image = np.random.default_rng(4).uniform(size=(28, 28)).astype(np.float32)
    uri = F.seen_image(image)
    assert uri.startswith("data:image/png;base64,")  # sent inline with the page update, no file to fetch
    rgba = rgba_of({"source": uri})
    assert rgba.shape == (224, 224, 4) and (rgba[..., 3] == 255).all()
    assert (rgba[..., 0] == rgba[..., 1]).all() and (rgba[..., 0] == rgba[..., 2]).all()  # greys
    big = rgba[..., 0]
    blocks = big.reshape(28, 8, 28, 8)
    assert (blocks == blocks[:, :1, :, :1]).all()  # every pixel an 8×8 block of one grey
    assert np.abs(blocks[:, 0, :, 0] / 255.0 - image).max() <= 0.5 / 255 + 1e-6
