"""Every page for every member of the LeNet family (issue 24): a model of each, saved as a model trained here,
opened in the explorer (every stage's detail, Why?, focus, a phone), on Mistakes, Filters and One step."""
import re

import pytest
import torch
from streamlit.testing.v1 import AppTest

from lenet.checkpoint import save_checkpoint
from lenet.model import build_model
from tests.dashboard.pages import SCREEN, filters_page, mistakes_page, open_page, run_explorer, step_page
from tests.members import MEMBERS


def _member(name: str):
    """A member with weights of its own (BatchNorm's running statistics moved off their start), in eval mode."""
    model = build_model(MEMBERS[name], seed=11)
    with torch.no_grad():
        model.train()(torch.rand(64, 1, 28, 28))
    return model.eval()


@pytest.fixture
def saved(models):
    for name in MEMBERS:
        save_checkpoint(models / f"{name}.pt", _member(name), {"test_acc": 0.5, "epochs": 1},
                        extra={"name": name})
    return models


def _key(name: str) -> str:
    config = MEMBERS[name]
    return f"user:{name}.pt|{config.activation}|{config.pooling}"


@pytest.mark.parametrize("name", MEMBERS)
def test_the_explorer_shows_every_stage_of_every_member(saved, name):
    at = run_explorer({"mode": "user", "um": f"{name}.pt"})
    stages = _member(name).stages
    figures = [f for f in at.get("plotly_chart")]
    assert figures, "no network drawn"
    spec = " ".join(c.proto.spec for c in figures)
    for column in ("conv1", stages.logits.name, "softmax"):
        assert f'"{column}"' in spec, column
    for stage in stages:
        if stage.kind in ("input", "flatten"):
            continue
        at.query_params["stage"] = stage.name
        at.query_params["map"] = "0"
        page = AppTest.from_file(at._script_path, default_timeout=120)
        page.session_state["screen"] = {"size": list(SCREEN)}
        for k, v in {"mode": "user", "um": f"{name}.pt", "stage": stage.name, "map": "0"}.items():
            page.query_params[k] = v
        page.run()
        assert not page.exception, (stage.name, [e.value for e in page.exception])
        assert page.session_state["stage"] == stage.name


@pytest.mark.parametrize("name", ["batchnorm", "three_blocks", "wide64", "no_hidden"])
def test_why_focus_and_a_phone_for_members(saved, name):
    at = run_explorer({"mode": "user", "um": f"{name}.pt", "wd": "1"})
    assert any("Grad-CAM" in m.value for m in at.markdown)
    at = run_explorer({"mode": "user", "um": f"{name}.pt", "focus": "1"})
    phone = AppTest.from_file(at._script_path, default_timeout=120)
    phone.session_state["screen"] = {"size": [358, 844]}
    phone.query_params.update({"mode": "user", "um": f"{name}.pt"})
    phone.run()
    assert not phone.exception, [e.value for e in phone.exception]


@pytest.mark.parametrize("name", MEMBERS)
@pytest.mark.parametrize("script,page", [(mistakes_page, "mistakes"), (filters_page, "filters"), (step_page, "step")])
def test_the_learning_pages_show_every_member(saved, name, script, page):
    at = open_page(script, page, _key(name))
    assert not at.exception and not at.error, [e.value for e in at.error]


def test_members_speak_chinese(saved):
    """The stages a member adds (BatchNorm, dropout, a third block, a wide layer) in Chinese too."""
    from lenet.i18n import use
    from tests.dashboard.english import english, visible_texts

    def still_english(at) -> list[str]:  # (the models' file names are the user's own words: they stay)
        texts = [re.sub("|".join(MEMBERS), "", t) for t in visible_texts(at)]
        return english(texts)

    found = []
    for name, params in (("batchnorm", {}), ("batchnorm", {"stage": "bn2"}), ("batchnorm", {"stage": "bn3"}),
                         ("batchnorm", {"stage": "fc1"}), ("batchnorm", {"wd": "1"}),
                         ("dropout_nopool", {"stage": "drop1"}), ("three_blocks", {"stage": "conv3"}),
                         ("wide64", {"stage": "conv2"}), ("no_hidden", {"stage": "fc1"})):
        at = run_explorer({"mode": "user", "um": f"{name}.pt", **params, "lang": "zh"})
        found += [f"{name} {params}: {t[:200]!r}" for t in still_english(at)]
        use("en")
    for script, page in ((mistakes_page, "mistakes"), (filters_page, "filters"), (step_page, "step")):
        at = open_page(script, page, _key("three_blocks"), lang="zh")
        found += [f"{page}: {t[:200]!r}" for t in still_english(at)]
        use("en")
    assert not found, "\n".join(found)


def test_two_members_compare_side_by_side_or_as_a_difference(saved):
    """LeNet against BatchNorm LeNet on the same image: other shapes, so A and B side by side (no A − B, each its
    own columns) and the detail views show A's numbers alone; two of the same shapes: A, B and A − B."""
    import json

    def overviews(at):
        return {c.proto.id.rsplit("-", 1)[-1]: json.loads(c.proto.spec) for c in at.get("plotly_chart")}

    at = run_explorer({"mode": "user", "um": "seed.pt", "cmp": "model", "vm": "batchnorm.pt"})
    figs = overviews(at)
    assert {"overview", "overview_b"} <= set(figs) and "overview_diff" not in figs
    assert '"bn1"' in json.dumps(figs["overview_b"]) and '"bn1"' not in json.dumps(figs["overview"])
    assert any("other shapes: side by side, no A − B" in m.value for m in at.markdown)
    at = run_explorer({"mode": "user", "um": "seed.pt", "cmp": "model", "vm": "batchnorm.pt", "stage": "pool1"})
    assert not at.exception
    at = run_explorer({"mode": "user", "um": "seed.pt", "cmp": "model", "vm": "no_hidden.pt"})
    assert "overview_diff" not in overviews(at)  # (no hidden dense layers: other stages)
    save_checkpoint(saved / "seed2.pt", build_model(MEMBERS["seed"], seed=3).eval(), {"test_acc": 0.5},
                    extra={"name": "seed2"})
    at = run_explorer({"mode": "user", "um": "seed.pt", "cmp": "model", "vm": "seed2.pt", "stage": "pool1"})
    assert {"overview", "overview_b", "overview_diff"} <= set(overviews(at))


def test_a_network_too_wide_for_the_projector_is_laid_out_a_stage_a_row():
    """Every member of tests/members.py fits a 1280×720 projector a stage a column with its maps readable; four
    blocks of 64 maps with BatchNorm (19 columns) do not: a stage a row, as on a phone, every text inside."""
    import numpy as np

    from dashboard.figures.layout import READABLE, fits, geometry
    from dashboard.figures.overview import Screen
    from dashboard.parts.overview import Look, build_overview, columns_for, view_of
    from lenet.capture import acts_of, capture
    from tests.members import WIDEST_SHOWN

    screen = Screen(1236, 720)
    for name, config in {**MEMBERS, "widest": WIDEST_SHOWN}.items():
        model = build_model(config, seed=0).eval()
        acts = acts_of(capture(model, torch.rand(1, 1, 28, 28)))
        columns = columns_for(view_of(model, acts, 3, settings=Look()))
        assert fits(columns, screen) == (name != "widest"), name
        fig = build_overview(model, acts, 3, screen, settings=Look())
        assert (fig.layout.get("dragmode") is False) == (name == "widest"), name
        if name != "widest":
            g = geometry(columns, screen)
            assert g.slots[-1][0] + g.slots[-1][1] <= screen.width + 1
            assert min(s for s, c in zip(g.sizes[1:], columns[1:]) if c.kind == "maps") >= READABLE * 0.99, name
        else:
            assert fig.layout["width"] <= screen.width + 1 and np.isfinite(fig.layout["height"])
