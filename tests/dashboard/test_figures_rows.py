"""The network a stage a row (a phone's or a tablet's): every stage in order, everything inside the screen's
width, the maps as large as promised, the values the same as the overview's, taps' targets for every map."""
import numpy as np
import pytest
import torch

from dashboard.figures.overview import CHAR
from dashboard.figures.rows import map_grid, rows_figure
from dashboard.parts.overview import Look, columns_for, columns_of, view_of
from lenet.stages import STAGES
from lenet import acts_of, capture, load_pretrained
from lenet.samples import load_samples
from tests.pictures import rgba_of, values_of


@pytest.fixture(scope="module")
def columns():
    model = load_pretrained("relu", "max")
    X = torch.from_numpy(load_samples().images[:1, None].astype(np.float32) / 255.0)
    return columns_for(view_of(model, acts_of(capture(model, X)), 9, settings=Look())), acts_of(capture(model, X))


@pytest.mark.parametrize("width", [277.0, 317.0, 352.0, 730.0, 980.0])
def test_everything_is_inside_the_screen(columns, width):
    cols, _ = columns
    fig = rows_figure(cols, width)
    assert fig.layout["width"] == int(width) and fig.layout["dragmode"] is False  # a finger scrolls the page
    for t in fig.data:
        if t["type"] == "image":
            h, w = rgba_of(t).shape[:2]
            left, right = t["x0"] - t["dx"] / 2, t["x0"] + (w - 0.5) * t["dx"]
            assert left >= -0.5 and right <= width + 0.5, (t["name"], left, right)
        elif t.get("name") == "labels":
            size = t["textfont"]["size"]
            assert size >= 12
            for x, text in zip(t["x"], t["text"]):
                shown = text.replace("<b>", "").replace("</b>", "")
                half = len(shown) * CHAR * size / 2
                if t["textposition"] == "middle right":
                    assert x >= 0 and x + 2 * half <= width + 1, text
                elif t["textposition"] == "middle center":
                    assert x - half >= -1 and x + half <= width + 1, text


def test_stages_in_order_maps_large_and_values_as_computed(columns):
    cols, acts = columns
    fig = rows_figure(cols, 352.0)
    pictures = {t["name"]: t for t in fig.data if t["type"] == "image"}
    tops = [pictures[name]["y0"] for name in columns_of(STAGES) if name in pictures]
    assert tops == sorted(tops)  # input at the top, the logits at the bottom
    assert pictures["conv1"]["dx"] * 28 >= 56  # conv1's maps on a 390-px phone
    conv1 = values_of(pictures["conv1"])
    cols_, s = map_grid(6, 28, 28, 352.0)
    assert cols_ == 3 and np.allclose(conv1[:28, :28], acts["conv1"][0], atol=2 * 6.48 * 2.5 / 255)
    taps = [cd for t in fig.data if t.get("name") == "pickers" for cd in t["customdata"]]
    assert ["conv1", 5] in taps and ["fc1", 119] in taps and ["softmax", 9] in taps  # every map, neuron, class


def test_the_logits_are_two_rows_where_one_would_cut_them(columns):
    cols, acts = columns
    narrow = rows_figure(cols, 317.0)
    wide = rows_figure(cols, 730.0)
    for fig, rows in ((narrow, 2), (wide, 1)):
        fc3 = next(t for t in fig.data if t["type"] == "image" and t["name"] == "fc3")
        assert rgba_of(fc3).shape[0] == rows
