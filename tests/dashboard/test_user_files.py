"""Models trained here as files (issue 22): a file replaced under its name is shown anew, not from the caches;
file names holding '|', '@' or '#' (any a models folder may hold) open on every page."""
import json

import numpy as np
import pytest
import torch
from streamlit.testing.v1 import AppTest

from dashboard.core.choice import ModelChoice, user_file_epoch
from lenet import acts_of, capture, load_pretrained
from lenet.checkpoint import save_checkpoint
from lenet.samples import load_samples
from tests.dashboard.pages import charts, mistakes_page, shown
from tests.dashboard.pages import run_explorer as _run
from tests.pictures import tolerance, values_of


def _conv1(at: AppTest) -> tuple[np.ndarray, float]:
    fig = next(f for f in (json.loads(c.proto.spec) for c in at.get("plotly_chart"))
               if "conv1" in {t.get("name") for t in f["data"]})
    trace = next(t for t in fig["data"] if t.get("name") == "conv1")
    return values_of(trace), tolerance(trace)


def _expected_conv1(model) -> np.ndarray:
    X = torch.from_numpy(load_samples().images[:1, None].astype(np.float32) / 255.0)
    return acts_of(capture(model, X))["conv1"][0]


def _save(path, model, epochs: int = 2) -> None:
    snapshots = {str(e): model.state_dict() for e in range(epochs + 1)}
    save_checkpoint(path, model, {"test_acc": 0.9, "epochs": epochs}, extra={"name": path.stem,
                                                                             "snapshots": snapshots})


def test_a_file_replaced_under_its_name_is_shown_anew(models):
    """A lecturer retrains in the notebook and drops the new file over the old one: the explorer and the Mistakes
    page show the new model's numbers (the shared caches were keyed by the file's name alone)."""
    first, second = load_pretrained("relu", "max"), load_pretrained("sigmoid", "max")
    _save(models / "lenet.pt", first)
    at = _run({"mode": "user", "um": "lenet.pt"})
    drawn, tol = _conv1(at)
    assert np.nanmax(np.abs(drawn[:28, :28] - _expected_conv1(first))) <= tol
    page = AppTest.from_function(mistakes_page, default_timeout=120)
    page.session_state["screen_mistakes"] = {"size": [1236, 720]}
    page.session_state["mistakes_model"] = "user:lenet.pt|relu|max"
    page.run()
    before = [t for t in charts(page)["confusion"]["data"] if t.get("name") == "pickers"][0]["hovertext"]

    _save(models / "lenet.pt", second)  # the same name, other weights
    at.run()
    drawn, tol = _conv1(at)
    assert np.nanmax(np.abs(drawn[:28, :28] - _expected_conv1(second))) <= tol
    page.run()
    after = [t for t in charts(page)["confusion"]["data"] if t.get("name") == "pickers"][0]["hovertext"]
    assert after != before


@pytest.mark.parametrize("name", ["a|b.pt", "m.pt@1.pt", "lenet@10.pt", "x#1-2.pt"])
def test_odd_file_names_open_on_every_page(models, name):
    _save(models / name, load_pretrained("relu", "max"))
    at = _run({"mode": "user", "um": name})
    assert at.session_state["user_model"] == name
    assert any(name in shown(m.value) for m in at.markdown)
    at.slider(key="user_epoch").set_value(0).run()  # an epoch of it
    assert not at.exception and any(f"{name}, epoch 0" in shown(m.value) for m in at.markdown)
    page = AppTest.from_function(mistakes_page, default_timeout=120)
    page.session_state["screen_mistakes"] = {"size": [1236, 720]}
    page.session_state["mistakes_model"] = ModelChoice(f"user:{name}", "relu", "max").key
    page.run()
    assert not page.exception and not page.error, [e.value for e in page.error]


def test_keys_read_back_whatever_the_file_name():
    for file in ("a|b.pt", "m.pt@1.pt", "lenet@10.pt", "x#1-2.pt", "plain.pt"):
        for epoch in ("", "3"):
            weights = f"user:{file}" + (f"@{epoch}" if epoch else "")
            assert user_file_epoch(weights) == (file, epoch)
            for stamp in ("", "18f3a-2c0"):
                choice = ModelChoice(weights, "relu", "l2", stamp=stamp)
                assert ModelChoice.from_key(choice.key) == choice
    assert ModelChoice.from_key("relu-max|sigmoid|avg") == ModelChoice("relu-max", "sigmoid", "avg")


def test_a_folder_of_2000_models_is_listed_a_page_at_a_time(tmp_path, monkeypatch):
    """The Training page with 2,000 files: it says how many, shows 20 (each read once), pages to the next 20;
    the explorer's menus offer the newest MAX_OFFERED."""
    import os

    from dashboard.core import cache
    from dashboard.app_pages.saved_models import PAGE
    from lenet import ModelConfig, build_model
    from tests.dashboard.pages import training_page

    monkeypatch.setenv("LENET_MODELS_DIR", str(tmp_path))
    cache.clear()
    first = save_checkpoint(tmp_path / "m0000.pt", build_model(ModelConfig(), seed=0), {"test_acc": 0.5, "epochs": 1},
                            extra={"name": "model"})
    for k in range(1, 2000):
        os.link(first, tmp_path / f"m{k:04d}.pt")
    at = AppTest.from_function(training_page, default_timeout=120)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(f"2,000 files in {tmp_path.name}/, newest first: 1–{PAGE} shown." in shown(c.value) for c in at.caption)
    deletes = [b for b in at.button if b.key and b.key.startswith("del_")]
    assert [b.key for b in deletes] == [f"del_m{k:04d}.pt" for k in range(PAGE)]
    assert at.button(key="models_newer").disabled and not at.button(key="models_older").disabled
    at.button(key="models_older").click().run()
    assert any(f"{PAGE + 1}–{2 * PAGE} shown." in shown(c.value) for c in at.caption)
    assert [b.key for b in at.button if b.key and b.key.startswith("del_")][0] == f"del_m{PAGE:04d}.pt"
    assert list(cache.user_models()) == [f"m{k:04d}.pt" for k in range(cache.MAX_OFFERED)]
