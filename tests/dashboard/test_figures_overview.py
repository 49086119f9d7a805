"""The overview figure, laid out in CSS pixels for a screen: sizes, fonts, colours, pickers, alignment."""
import numpy as np
import pytest

import dashboard.figures.colours as C
import dashboard.figures.base as F
import dashboard.figures.overview as FO
from lenet.data import CLASS_NAMES
from tests.pictures import tolerance, values_of

SCREENS = {"1280×720": FO.Screen(1236, 478), "1366×768": FO.Screen(1322, 526), "1920×1080": FO.Screen(1876, 838)}


def _labels(spec: dict) -> list[str]:
    return [text for t in spec["data"] if t.get("name") == "labels" for text in t["text"]]


def _picked(spec: dict, field: str) -> list:
    return [v for t in spec["data"] if t.get("name") == "pickers" for v in t[field]]


def lenet_columns(rng, true_label: int | None = 9) -> list[FO.Column]:
    """Columns shaped like LeNet's eleven, with the texts the dashboard gives them."""
    maps = lambda *s: rng.normal(size=s).astype(np.float32)  # noqa: E731
    pos = lambda *s: np.abs(maps(*s))  # noqa: E731
    probs = np.full(10, 0.02)
    probs[9] = 0.82
    return [FO.Column("input", ("Input", "1×28×28", ""), "input", rng.uniform(size=(1, 28, 28)).astype(np.float32),
                      C.IMAGE),
            FO.Column("conv1", ("Conv 1", "6×28×28", "156 params"), "maps", maps(6, 28, 28), selected=2),
            FO.Column("act1", ("Activation 1", "6×28×28", ""), "maps", pos(6, 28, 28), C.POSITIVE),
            FO.Column("pool1", ("Pooling 1", "6×14×14", ""), "maps", pos(6, 14, 14), C.POSITIVE),
            FO.Column("conv2", ("Conv 2", "16×10×10", "2,416 params"), "maps", maps(16, 10, 10)),
            FO.Column("act2", ("Activation 2", "16×10×10", ""), "maps", pos(16, 10, 10), C.POSITIVE),
            FO.Column("pool2", ("Pooling 2", "16×5×5", ""), "maps", pos(16, 5, 5), C.POSITIVE, per_map=True),
            FO.Column("fc1", ("fc1", "120→act3", "48,120 p."), "vector", pos(120), C.POSITIVE, limit=7.0),
            FO.Column("fc2", ("fc2", "84→act4", "10,164 p."), "vector", pos(84), C.POSITIVE),
            FO.Column("fc3", ("fc3", "10 logits", "850 p."), "vector", maps(10), labels=CLASS_NAMES),
            FO.Column("softmax", ("Softmax", "10 classes", ""), "softmax", probs, labels=CLASS_NAMES,
                      true_label=true_label)]


def every_overview_figure():
    rng = np.random.default_rng(5)
    yield FO.overview_figure(lenet_columns(rng))
    yield FO.overview_figure(lenet_columns(rng)[7:8], FO.Screen(1200, 600))


@pytest.mark.parametrize("name", list(SCREENS))
def test_the_whole_network_fits_the_screen_with_readable_text(name):
    screen = SCREENS[name]
    cols = lenet_columns(np.random.default_rng(3))
    fig = FO.overview_figure(cols, screen)
    layout = fig["layout"]
    assert (layout["width"], layout["height"]) == (int(screen.width), int(screen.height))
    assert layout["xaxis"]["range"] == [0, int(screen.width)]  # one unit, one CSS pixel
    sizes = [t["textfont"]["size"] for t in fig["data"] if t.get("name") == "labels"]
    assert min(sizes) >= (14 if name == "1920×1080" else 12)
    g = FO.geometry(cols, screen)
    right = g.slots[-1][0] + g.slots[-1][1]
    assert right <= screen.width + 0.5  # nothing beyond the right edge: the softmax's "100%" included
    for (left, width), col in zip(g.slots, cols):  # every header line fits its column
        assert max(FO.text_width(line, g.font) for line in col.lines) <= width + 1, col.name
    for (l1, w1), (l2, _) in zip(g.slots, g.slots[1:]):  # columns never overlap
        assert l1 + w1 < l2
    conv1 = next(t for t in fig["data"] if t.get("name") == "conv1")
    assert conv1["dx"] * 28 >= 64  # conv1's maps at least 64 px
    bottom = max(t["y0"] + t["dy"] * (len(values_of(t)) - 0.5) for t in fig["data"] if t["type"] == "image")
    assert bottom <= screen.height  # the legends' strips inside the figure


def test_columns_keep_their_values_colours_and_pickers():
    cols = lenet_columns(np.random.default_rng(3))
    fig = FO.overview_figure(cols)
    kinds = [t["type"] for t in fig["data"]]
    assert kinds.count("image") == 10 + 10  # a picture per map/vector column, and a legend strip under each
    assert kinds.count("heatmap") == 0 and len(fig["data"]) <= 40  # few traces, whatever the number of maps
    g = FO.geometry(cols, FO.DEFAULT_SCREEN)
    conv1 = next(t for t in fig["data"] if t.get("name") == "conv1")
    z, _ = F.tile(cols[1].values, g.grids[1])
    assert np.nanmax(np.abs(values_of(conv1) - z)) <= tolerance(conv1) and conv1["meta"][1] == "signed"
    act1 = next(t for t in fig["data"] if t.get("name") == "act1")
    assert act1["meta"][1] == "positive" and np.nanmin(values_of(act1)) >= 0
    pool2 = values_of(next(t for t in fig["data"] if t.get("name") == "pool2"))
    assert np.nanmax(np.abs(pool2)) == pytest.approx(1.0, abs=0.02)  # per-map range: each map ÷ its own max
    fc1 = next(t for t in fig["data"] if t.get("name") == "fc1")
    assert fc1["meta"] == [7.0, "positive"] and values_of(fc1).shape == (120, 1)
    labels = _labels(fig)
    assert {"<b>Input</b>", "<b>Conv 1</b>", "<b>Pooling 2</b>", "<b>fc1</b>", "<b>Softmax</b>"} <= set(labels)
    assert {"0–7", "÷ own max", "0–1", "✓ true class"} <= set(labels)
    assert "<b>Ankle boot ✓</b>" in labels and "<b>82%</b>" in labels
    picked = _picked(fig, "customdata")
    assert len(picked) == 1 + 3 * 6 + 3 * 16 + 120 + 84 + 10 + 10  # every map, neuron and class can be clicked
    assert ["pool2", 3] in picked and ["softmax", 9] in picked
    assert len(fig["layout"]["shapes"]) == 1  # conv1 map 2 outlined


def test_maps_grow_with_the_screen_and_the_font_with_it():
    cols = lenet_columns(np.random.default_rng(4))
    small, large = FO.geometry(cols, SCREENS["1280×720"]), FO.geometry(cols, SCREENS["1920×1080"])
    assert small.font == 12 and large.font == 14
    assert large.sizes[1] > 1.4 * small.sizes[1]  # conv1's maps


def test_two_overviews_of_the_same_stages_line_up():
    rng = np.random.default_rng(6)
    a, b = lenet_columns(rng), lenet_columns(rng)
    screen = FO.Screen(1876, 260)
    g = FO.geometry(a, screen)
    fa, fb = (FO.overview_figure(c, screen, g) for c in (a, b))
    xs = lambda f: [t["x0"] for t in f["data"] if t.get("name") in ("conv1", "pool2", "fc2")]  # noqa: E731
    assert xs(fa) == xs(fb)


def test_focus_is_one_column_given_the_whole_screen():
    conv1 = lenet_columns(np.random.default_rng(2))[1]
    screen = FO.Screen(1200, 640)
    fig = FO.overview_figure([conv1], screen)
    picture = next(t for t in fig["data"] if t.get("name") == "conv1")
    assert picture["dx"] * 28 > 150  # six large maps


def test_clicked_column_reads_stage_and_index():
    assert FO.clicked_column({"selection": {"points": [{"customdata": ["conv2", 3]}]}}) == ("conv2", 3)
    assert FO.clicked_column({"selection": {"points": [{"customdata": 3}]}}) is None
    assert FO.clicked_column({}) is None
