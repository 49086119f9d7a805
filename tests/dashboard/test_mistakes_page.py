"""The Mistakes page through AppTest: the confusion matrix against a direct computation, a cell's images."""
import numpy as np
import torch
from streamlit.testing.v1 import AppTest

from lenet.data import CLASS_NAMES, read_split
from lenet.pretrained import load_pretrained
from tests.dashboard.pages import charts, mistakes_page


def _texts(fig: dict) -> list[str]:
    return [t for trace in fig["data"] if trace.get("name") == "labels" for t in trace["text"]]


def test_the_matrix_counts_what_the_model_predicts_and_a_cell_shows_its_images(models):
    at = AppTest.from_function(mistakes_page, default_timeout=120)
    at.session_state["screen_mistakes"] = {"size": [1876, 1000]}
    at.run()
    assert not at.exception
    options = at.selectbox(key="mistakes_model").options
    assert "relu + max (shipped)" in options and "sigmoid + average (shipped)" in options
    at.session_state["mistakes_model"] = "relu-max|relu|max"  # (AppTest cannot pick a formatted option)
    at.run()
    X, y = read_split(False)
    with torch.no_grad():
        pred = load_pretrained("relu", "max")(torch.from_numpy(X[:, None].astype(np.float32) / 255.0)).argmax(1)
    expected = np.zeros((10, 10), int)
    np.add.at(expected, (y, pred.numpy()), 1)
    caption = " ".join(c.value for c in at.caption)
    assert f"accuracy {(pred.numpy() == y).mean():.1%} on the full test set (10,000 images)" in caption
    matrix = charts(at)["confusion"]
    texts = _texts(matrix)
    for t in range(10):
        assert f"{CLASS_NAMES[t]} {expected[t, t] / expected[t].sum():.0%}" in texts  # each class's accuracy
    cells = [trace for trace in matrix["data"] if trace.get("name") == "pickers"][0]
    for (t, p), hover in zip(cells["customdata"], cells["hovertext"]):
        assert f": {expected[t, p]:,} images" in hover
    assert "<b>" + f"{expected[3, 3]:,}" + "</b>" in texts  # the diagonal in bold
    # a cell's images: the worst confusion
    off = expected - np.diag(np.diag(expected))
    t, p = (int(v) for v in np.unravel_index(np.argmax(off), off.shape))
    at.session_state["mistakes_cell"] = [t, p]
    at.run()
    assert any(f"**{CLASS_NAMES[t]}** predicted **{CLASS_NAMES[p]}**: {expected[t, p]:,} images" in m.value
               for m in at.markdown)
    gallery = charts(at)["cell_gallery"]
    hovers = [h for trace in gallery["data"] if trace.get("name") == "pickers" for h in trace["hovertext"]]
    assert len(hovers) == min(40, expected[t, p])
    assert all(f"{CLASS_NAMES[t]} — predicted {CLASS_NAMES[p]}" in h for h in hovers)
    # shares instead of counts
    at.toggle(key="mistakes_share").set_value(True).run()
    assert f"{expected[t, p] / expected[t].sum():.0%}" in _texts(charts(at)["confusion"])
    assert not at.exception


def _text_boxes(fig: dict, font_w: float = 0.56):
    """(text, left, right, top) of every label, from its position and Plotly's textposition (about)."""
    out = []
    for trace in fig["data"]:
        if trace.get("name") != "labels":
            continue
        size, pos = trace["textfont"]["size"], trace["textposition"]
        for x, y, text in zip(trace["x"], trace["y"], trace["text"]):
            w = len(text.replace("<b>", "").replace("</b>", "")) * font_w * size
            left = x - w if pos.endswith("left") else x if pos.endswith("right") else x - w / 2
            out.append((text, left, left + w, y - size / 2))
    return out


def test_at_1280_nothing_is_clipped_the_colours_are_explained_and_mistakes_are_named(models):
    """'Ankle boo' was cut at the figure's right edge, the toolbar covered the column names, no legend said what
    the colours mean, the most confident mistakes were images without their prediction."""
    at = AppTest.from_function(mistakes_page, default_timeout=120)
    at.session_state["screen_mistakes"] = {"size": [1236, 720]}
    at.session_state["mistakes_model"] = "relu-max|relu|max"
    at.run()
    assert not at.exception
    figs = charts(at)
    matrix = figs["confusion"]
    width = matrix["layout"]["width"]
    boxes = _text_boxes(matrix)
    assert all(left >= 0 and right <= width for _, left, right, _ in boxes), \
        [b for b in boxes if b[1] < 0 or b[2] > width]
    names = [b for b in boxes if b[0] in CLASS_NAMES]
    assert min(top for *_, top in names) >= 26  # under the toolbar's room
    assert any(b[0].startswith("mistakes: 0 → ") for b in boxes) and any(b[0] == "right answers" for b in boxes)
    worst = figs["worst_gallery"]
    by_colour = {t["textfont"]["color"]: t["text"] for t in worst["data"] if t.get("name") == "labels"}
    predicted, true = by_colour["#d62728"], by_colour["#1a7f37"]  # red, green
    hovers = [h for trace in worst["data"] if trace.get("name") == "pickers" for h in trace["hovertext"]]
    assert len(predicted) == len(true) == len(hovers) == 24  # its prediction and its true class under each image
    for p, t, hover in zip(predicted, true, hovers):
        assert f": {t} — predicted {p}" in hover


def test_a_phone_gets_a_row_per_class_that_scrolls_under_a_finger(models):
    at = AppTest.from_function(mistakes_page, default_timeout=120)
    at.session_state["screen_mistakes"] = {"size": [352, 844]}
    at.session_state["mistakes_model"] = "relu-max|relu|max"
    at.run()
    assert not at.exception
    rows = charts(at)["confusion"]
    assert rows["layout"]["width"] == 352 and rows["layout"]["dragmode"] is False
    texts = _texts(rows)
    assert sum(t.startswith("<b>") and t.endswith("right") for t in texts) == 10
    cells = [c for trace in rows["data"] if trace.get("name") == "pickers" for c in trace["customdata"]]
    assert all(isinstance(c, list) and len(c) == 2 for c in cells) and {c[0] for c in cells} == set(range(10))
    at.session_state["mistakes_cell"] = cells[1]  # what a tap does (mistakes._tapped; tapped in tests/e2e)
    at.run()
    assert not at.exception and charts(at)["cell_gallery"]["layout"]["dragmode"] is False
