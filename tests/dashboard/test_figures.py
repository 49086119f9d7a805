"""The shared figure pieces, tested directly: colour scales, pictures (decoded back to values), pickers, the
thumbnail strip; and every builder's output against Plotly's validation."""
import numpy as np
import pytest

import dashboard.figures.board as B
import dashboard.figures.colours as C
import dashboard.figures.base as F
import dashboard.figures.inputs as FI
import dashboard.figures.pictures as P
from tests.pictures import rgba_of, tolerance, values_of


def _trace(fig, name: str):
    return next(t for t in fig["data"] if t.get("name") == name)


def _labels(spec: dict) -> list[str]:
    """Every label of a board figure (one text trace per style)."""
    return [text for t in spec["data"] if t.get("name") == "labels" for text in t["text"]]


def _picked(spec: dict, field: str) -> list:
    """A field of every picker point (one picker trace per marker size), in trace order."""
    return [v for t in spec["data"] if t.get("name") == "pickers" for v in t[field]]


def test_grid_shape_tiles_towards_an_aspect():
    # square (a gallery, the fc1 weights): as many columns as rows, fewer columns on a tie
    assert F.grid_shape(16, 10, 10) == (4, 4) and F.grid_shape(6, 28, 28) == (3, 2)
    assert F.grid_shape(1, 28, 28) == (1, 1) and F.grid_shape(24, 28, 28) == (5, 5)
    # tall: six maps one above the other, sixteen in two columns
    assert F.grid_shape(6, 28, 28, 0.2) == (6, 1) and F.grid_shape(16, 10, 10, 0.2) == (8, 2)
    assert F.grid_shape(7, 3, 3, 100.0) == (1, 7)  # wide: one row


def test_tile_places_every_map_with_gaps():
    maps = np.arange(16 * 10 * 10, dtype=np.float32).reshape(16, 10, 10)
    z, centres = F.tile(maps, 4)
    assert z.shape == (4 * 11 - 1, 4 * 11 - 1)
    assert np.isnan(z[10]).all() and np.isnan(z[:, 10]).all()  # the gap row and column
    assert np.array_equal(z[11:21, 22:32], maps[6])  # map 6 sits in row 1, column 2
    assert centres[6] == (22 + 4.5, 11 + 4.5)


def test_signed_colours_are_centred_on_zero_and_gaps_are_transparent():
    z = np.array([[-2.0, 0.0, 2.0, np.nan, 5.0]], dtype=np.float32)
    rgba = C.SIGNED.rgba(z, 2.0)
    assert tuple(rgba[0, 0, :3]) == tuple(C.SIGNED.lut[0])  # −limit: darkest blue
    assert tuple(rgba[0, 2, :3]) == tuple(C.SIGNED.lut[255])  # +limit: darkest red
    assert rgba[0, 0, 2] > rgba[0, 0, 0] and rgba[0, 2, 0] > rgba[0, 2, 2]
    assert (rgba[0, 1, :3] > 240).all()  # zero is (nearly) white
    assert rgba[0, 3, 3] == 0 and (rgba[0, [0, 1, 2, 4], 3] == 255).all()
    assert tuple(rgba[0, 4]) == tuple(rgba[0, 2])  # beyond the limit: clipped


def test_a_value_gets_the_same_colour_on_the_signed_and_the_positive_scale():
    v = np.linspace(0, 3.0, 31, dtype=np.float32)[None]
    signed, positive = C.SIGNED.rgba(v, 3.0).astype(int), C.POSITIVE.rgba(v, 3.0).astype(int)
    assert np.abs(signed - positive).max() <= 4  # the positive scale is the signed scale's upper half
    assert (positive[0, 0, :3] > 240).all() and positive[0, -1, 0] > positive[0, -1, 2]  # white 0 to red


def test_weights_have_a_scale_of_their_own_and_every_scale_a_legend():
    w = C.WEIGHTS.rgba(np.array([[-1.0, 1.0]]), 1.0)[0, :, :3].astype(int)
    a = C.SIGNED.rgba(np.array([[-1.0, 1.0]]), 1.0)[0, :, :3].astype(int)
    assert np.abs(w - a).sum(-1).min() > 100  # neither end looks like an activation's colour
    assert C.SIGNED.legend(7.04) == "−7.04 … 0 … 7.04" and C.POSITIVE.legend(2.5) == "0 … 2.5"
    assert C.IMAGE.legend(1.0) == "0 … 1" and C.WEIGHTS.legend(0.4, per_map=True) == "each map ÷ its own max"


def test_stage_figure_is_one_picture_one_picker_and_a_colour_bar():
    maps = np.random.default_rng(0).normal(size=(6, 28, 28)).astype(np.float32)
    fig = F.stage_figure(maps, "conv1", selected=4)
    assert [t["type"] for t in fig.data] == ["image", "scatter", "heatmap"]
    picture, picker, bar = fig["data"]
    z, _ = F.tile(maps, 2)
    values = values_of(picture)
    assert values.shape == z.shape and np.isnan(values).sum() == np.isnan(z).sum()
    assert np.nanmax(np.abs(values - z)) <= tolerance(picture)
    lim = np.abs(maps).max()
    assert picture["meta"] == [pytest.approx(lim), "signed"] and bar["zmax"] == pytest.approx(lim)
    assert list(picker["customdata"]) == list(range(6))
    assert picker["hovertext"][2] == f"map 2: {maps[2].min():.3g} … {maps[2].max():.3g}"
    assert len(fig.layout["shapes"]) == 1  # the selected map is outlined


def test_colour_range_modes():
    maps = np.stack([np.full((5, 5), 0.1), np.full((5, 5), -4.0)]).astype(np.float32)
    per_map = values_of(_trace(F.stage_figure(maps, "x", per_map=True), "maps"))
    assert np.nanmax(per_map) == pytest.approx(1.0) and np.nanmin(per_map) == pytest.approx(-1.0)
    network = F.stage_figure(maps, "x", limit=10.0)
    assert _trace(network, "maps")["meta"][0] == 10.0 and network.data[2]["zmax"] == 10.0
    assert np.nanmin(values_of(_trace(network, "maps"))) == pytest.approx(-4.0, abs=0.2)
    grey = F.stage_figure(maps[:1] * 0 + 0.5, "input", C.IMAGE)
    assert _trace(grey, "maps")["meta"] == [1.0, "image"]
    assert (grey.data[2]["zmin"], grey.data[2]["zmax"]) == (0.0, 1.0)  # the colour bar of the greys
    assert np.nanmax(np.abs(values_of(_trace(grey, "maps")) - 0.5)) < 0.01
    weights = F.stage_figure(maps, "w", C.WEIGHTS)
    assert _trace(weights, "maps")["meta"][1] == "weights" and weights.data[2]["zmin"] == pytest.approx(-4.0)


def test_png_uri_round_trips_the_image():
    gray = np.linspace(0, 1, 28 * 28).reshape(28, 28)
    img = rgba_of({"source": P.png_uri(gray)})
    assert img.shape == (28, 28, 4) and img[0, 0, 0] == 0 and img[-1, -1, 0] == 255


def test_clicked_index_reads_selection_events():
    assert F.clicked_index({"selection": {"points": [{"customdata": 5, "x": 1}]}}) == 5
    assert F.clicked_index({"selection": {"points": [{"z": 1.0}]}}) is None
    assert F.clicked_index(None) is None


def test_number_grid_writes_every_value_in_its_cell_white_on_dark():
    b = B.Board()
    b.numbers(np.array([[0.5, -1.0], [-0.001, 0.25]]), 10, 20, 30.0)
    fig = b.figure()
    black, white = (t for t in fig["data"] if t.get("name") == "labels")
    assert black["text"] == ["0.50", "0.00", "0.25"] and black["textfont"]["color"] == "#000000"
    assert white["text"] == ["−1.00"] and white["textfont"]["color"] == "#ffffff"  # white on the dark cell
    assert (white["x"][0], white["y"][0]) == (10 + 45.0, 20 + 15.0)


def test_thumbnail_strip_frames_the_misclassified_and_reports_positions():
    images = (np.random.default_rng(1).uniform(size=(8, 28, 28)) * 255).astype(np.uint8)
    wrong = [False, True, False, False, True, False, False, False]
    fig = FI.thumbnail_strip(images, wrong, [f"#{k}" for k in range(8)], 46, 400)
    assert fig["layout"]["width"] == 400 and fig["layout"]["height"] < 60  # a slim strip
    assert _picked(fig, "customdata") == list(range(8))
    frames = fig["layout"]["shapes"]
    assert len(frames) == 2 and {s["line"]["color"] for s in frames} == {FI.WRONG}
    picture = next(t for t in fig["data"] if t.get("name") == "thumbnails")
    assert np.nanmax(np.abs(values_of(picture)[:28, :28] - images[0] / 255.0)) <= tolerance(picture)


def _every_figure():
    from dashboard.figures.training import training_figure
    from tests.dashboard.test_figures_detail import every_detail_figure
    from tests.dashboard.test_figures_overview import every_overview_figure

    rng = np.random.default_rng(5)
    maps = rng.normal(size=(16, 5, 5)).astype(np.float32)
    yield F.stage_figure(maps, "pool2", selected=3, per_map=True)
    yield F.stage_figure(maps, "weights", C.WEIGHTS, colour_bar=True)
    yield FI.thumbnail_strip((rng.uniform(size=(5, 28, 28)) * 255).astype(np.uint8), [True] * 5, ["x"] * 5, 46, 300)
    yield from every_overview_figure()
    yield from every_detail_figure()
    yield training_figure([], [], 10)
    yield from _learning_figures(rng)


def _learning_figures(rng):
    """Issue 13's: why this prediction, max or average."""
    from dashboard.figures.pooling import curves_figure, gradients_figure
    from dashboard.figures.why import attribution_figure
    from tests.lenet.test_max_or_avg import STUDY

    panels = [(name, rng.normal(size=(28, 28))) for name in ("Occlusion", "Saliency")]
    yield attribution_figure(rng.uniform(size=(28, 28)), panels, (0, 3, 4), 14)
    yield curves_figure(STUDY)
    yield gradients_figure(STUDY)


def test_the_attribution_overlay_is_as_opaque_as_the_value_is_strong():
    from dashboard.figures.why import SHOWN, overlay

    values = np.array([[0.0, 0.5, -1.0, 2.0]])
    rgba = overlay(values, 1.0)
    assert rgba[0, :, 3].tolist() == [0, round(127.5 * SHOWN), round(255 * SHOWN), round(255 * SHOWN)]
    assert rgba[0, 1, 0] > rgba[0, 1, 2] and rgba[0, 2, 2] > rgba[0, 2, 0]  # red raises, blue lowers


def test_every_figure_passes_plotly_validation():
    """The builders skip Plotly's validation for speed (figures.make_figure), so it is done here."""
    import plotly.graph_objects as go

    for fig in _every_figure():
        go.Figure(dict(fig))  # raises ValueError on any invalid property or value


def test_the_json_sent_is_the_figure():
    """What chart() sends (Figure.json) is the figure's data and layout, as plotly.py would encode them."""
    import json

    import plotly.io

    for fig in _every_figure():
        assert json.loads(fig.json) == json.loads(plotly.io.to_json(dict(fig), validate=False))


def test_json_has_no_nan():
    """JSON has no NaN: a non-finite number in a figure becomes null, as plotly.py writes it."""
    fig = F.make_figure([dict(type="scatter", x=[0.0, float("nan")], y=np.array([1.0, np.inf]))], {})
    import json

    sent = json.loads(fig.json, parse_constant=lambda c: pytest.fail(f"{c} in the JSON"))
    assert sent["data"][0]["x"] == [0.0, None] and sent["data"][0]["y"] == [1.0, None]


def test_datarevision_follows_the_content():
    a = F.stage_figure(np.zeros((1, 5, 5)), "x").layout["datarevision"]
    assert a == F.stage_figure(np.zeros((1, 5, 5)), "x").layout["datarevision"]
    assert a != F.stage_figure(np.ones((1, 5, 5)), "x").layout["datarevision"]


def test_figures_redraw_for_free_when_unchanged():
    """What lets Streamlit's second draw of a new chart find nothing changed (figures.make_figure)."""
    import json

    for fig in _every_figure():
        sent = json.loads(fig.json)  # exactly what chart() sends to the browser
        layout = sent["layout"]
        assert layout["template"] is None  # no template object: it would count as changed every time
        assert all(isinstance(t.get("meta", []), list) for t in sent["data"])
        assert layout["hovermode"] == "closest" and layout["font"]["family"] == F.FONT_FAMILY
        if "clickmode" in layout:  # a falsy dragmode would be replaced by Streamlit's selection set-up
            assert layout["dragmode"]


def test_seen_image_is_the_28x28_image_enlarged_with_sharp_pixels():
    image = np.random.default_rng(4).uniform(size=(28, 28)).astype(np.float32)
    uri = P.seen_image(image)
    assert uri.startswith("data:image/png;base64,")  # sent inline with the page update, no file to fetch
    rgba = rgba_of({"source": uri})
    assert rgba.shape == (112, 112, 4) and (rgba[..., 3] == 255).all()
    assert (rgba[..., 0] == rgba[..., 1]).all() and (rgba[..., 0] == rgba[..., 2]).all()  # greys
    big = rgba[..., 0]
    blocks = big.reshape(28, 4, 28, 4)
    assert (blocks == blocks[:, :1, :, :1]).all()  # every pixel a 4×4 block of one grey
    assert np.abs(blocks[:, 0, :, 0] / 255.0 - image).max() <= 0.5 / 255 + 1e-6


def test_axis_titles_are_objects_as_plotly_js_reads_them():
    """A plain string as an axis title is not shown by the browser's Plotly (it wants {"text": ...})."""
    for fig in _every_figure():
        layout = fig["layout"]
        for name, axis in layout.items():
            if name.startswith(("xaxis", "yaxis")) and "title" in axis:
                assert isinstance(axis["title"], dict), name
