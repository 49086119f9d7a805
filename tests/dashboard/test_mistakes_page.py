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
