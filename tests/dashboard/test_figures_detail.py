"""The detail views' figures: every number written, the window outlined, colours as in the overview."""
import numpy as np
import pytest

import dashboard.figures.board as B
import dashboard.figures.colours as C
import dashboard.figures.detail as FD
from lenet.explain import ConvWindow, PoolWindow
from tests.pictures import tolerance, values_of


def _labels(spec: dict) -> list[str]:
    return [text for t in spec["data"] if t.get("name") == "labels" for text in t["text"]]


def _picked(spec: dict, field: str) -> list:
    return [v for t in spec["data"] if t.get("name") == "pickers" for v in t[field]]


def _conv_window(C_in: int, pad: int, H: int) -> ConvWindow:
    rng = np.random.default_rng(C_in)
    padded = rng.uniform(size=(C_in, H + 2 * pad, H + 2 * pad))
    patches, kernels = padded[:, 3:8, 4:9], rng.normal(size=(C_in, 5, 5))
    products = patches * kernels
    sums = products.sum((1, 2))
    return ConvWindow(padded, patches, kernels, products, sums, 0.1, float(sums.sum() + 0.1), 0.0, pad, 3, 4)


def every_detail_figure():
    rng = np.random.default_rng(5)
    yield FD.conv_figure(_conv_window(6, 0, 14), rng.normal(size=(10, 10)), 0, "conv2", "pool1", "sigmoid",
                         FD.Paint(C.POSITIVE), FD.Paint(C.SIGNED), 2, 14)
    yield FD.conv_figure(_conv_window(1, 2, 28), rng.normal(size=(28, 28)), 0, "conv1", "input", "relu",
                         FD.Paint(C.IMAGE), FD.Paint(C.SIGNED, 3.0))
    p = PoolWindow(np.ones((2, 2)), "avg", 1.0, None, 0, 0)
    yield FD.pool_figure([p], np.ones((28, 28)), np.ones((14, 14)), 0, 0, "act1", "pool1", 0, FD.Paint(C.POSITIVE),
                         FD.Paint(C.POSITIVE))
    x = np.linspace(-3, 3, 7)
    yield FD.activation_figure(x, np.maximum(x, 0), x, np.maximum(x, 0), "relu")
    yield FD.contributions_figure(np.array([0.5, -2.0]), np.array([1, 0]), ["a", "b"], 0.1, -1.4)


@pytest.mark.parametrize("C_in, pad, H", [(1, 2, 28), (6, 0, 14)])
def test_conv_figure_shows_every_number_and_the_window(C_in, pad, H):
    w = _conv_window(C_in, pad, H)
    out = np.random.default_rng(9).normal(size=(H - 4 + 2 * pad,) * 2)
    chosen = C_in - 1
    inputs = FD.Paint(C.IMAGE if C_in == 1 else C.POSITIVE, None if C_in == 1 else 2.0)
    fig = FD.conv_figure(w, out, 2, "conv1" if C_in == 1 else "conv2", "input" if C_in == 1 else "pool1", "relu",
                         inputs, FD.Paint(C.SIGNED, 5.0), chosen, 12)
    labels = _labels(fig)
    assert any(t.startswith("kernel 2") for t in labels)
    for grid in (w.patches[chosen], w.kernels[chosen], w.products[chosen]):  # every number of the chosen map
        assert all(B.number_text(v) in labels for v in grid.ravel())
    assert f"Σ = {B.number_text(w.channel_sums[chosen])}" in labels
    kernel = next(t for t in fig["data"] if t.get("name") == "kernel")
    assert kernel["meta"][1] == "weights"  # kernels on the weights' own scale
    assert np.allclose(values_of(kernel), w.kernels[chosen], atol=tolerance(kernel))
    pictures = [t for t in fig["data"] if t.get("name") == "input"]
    assert len(pictures) == C_in and pictures[0]["meta"] == ([1.0, "image"] if C_in == 1 else [2.0, "positive"])
    output = next(t for t in fig["data"] if t.get("name") == "output")
    assert output["meta"] == [5.0, "signed"]  # the overview's colours, passed in
    assert {s["type"] for s in fig["layout"]["shapes"]} == {"rect"}
    assert min(t["textfont"]["size"] for t in fig["data"] if t.get("name") == "labels") >= 12
    if C_in == 1:  # 28×28: too many pixels to give each a marker; row and column inputs choose the pixel
        assert not _picked(fig, "customdata")
    else:
        picked = _picked(fig, "customdata")
        assert [cd for cd in picked if isinstance(cd, list)] == [["in", m] for m in range(6)]  # input maps
        assert [cd for cd in picked if not isinstance(cd, list)] == list(range(out.size))  # output pixels
        assert f"{chosen}: Σ {B.number_text(w.channel_sums[chosen])}" in labels


def test_pool_figure_shows_every_op_when_comparing():
    m = np.arange(16, dtype=np.float64).reshape(4, 4)
    windows = [PoolWindow(m[2:4, 0:2], "max", 13.0, (1, 1), 2, 0), PoolWindow(m[2:4, 0:2], "avg", 10.5, None, 2, 0),
               PoolWindow(m[2:4, 0:2], "l2", 10.55, None, 2, 0)]
    fig = FD.pool_figure(windows, m, np.zeros((2, 2)), 1, 0, "act1", "pool1", 0, FD.Paint(C.POSITIVE, 15.0),
                         FD.Paint(C.POSITIVE, 15.0))
    labels = _labels(fig)
    assert "max = 13.0000" in labels and "mean = 10.5000" in labels and "rms = 10.5500" in labels
    assert {"2×2 window, max pooling", "2×2 window, average pooling", "2×2 window, L2 pooling"} <= set(labels)
    assert labels.count("13.00") == 3  # the window's numbers, once per op
    assert len([t for t in fig["data"] if t.get("name") == "window"]) == 3
    # outlines: the window on the input map, max's deciding input, the output pixel; none for avg or L2
    assert len(fig["layout"]["shapes"]) == 3
    assert C.POSITIVE.legend(15.0) in labels  # the legend under the maps


def test_strongest_is_where_a_map_responds_most():
    m = np.zeros((5, 5))
    m[3, 1] = 2.0
    assert FD.strongest(m) == (3, 1)


def test_detail_charts():
    x = np.linspace(-3, 3, 7)
    act = FD.activation_figure(x, np.maximum(x, 0), np.array([1.0, -1.0]), np.array([1.0, 0.0]), "relu", (1.0, 1.0))
    assert [t["name"] for t in act.data] == ["relu", "this map", "selected"]
    contrib = FD.contributions_figure(np.array([0.5, -2.0, 1.0]), np.array([1, 2]), ["a", "b", "c"], 0.1, -0.4)
    assert list(contrib.data[0]["y"]) == ["b", "c", "bias", "= value"]
    lo, hi = contrib.layout["xaxis"]["range"]  # room beyond the longest bars for their written values
    assert lo < -2.0 - 0.3 and hi > 1.0 + 0.3 and contrib.layout["yaxis"]["automargin"]  # and for the names
