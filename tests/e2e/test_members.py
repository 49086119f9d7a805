"""Members of the LeNet family in a real browser (issue 24): d2l's BatchNorm LeNet, a 64-map LeNet, three blocks,
no hidden dense layer and dropout, each opened from a link at the projector's sizes and on a phone — with its own
ops, no exception, nothing sideways, clipped, outside or too small; a detail of each new kind whole at 1280×720;
two members compared side by side."""
from __future__ import annotations

import pytest
import torch

from lenet.checkpoint import save_checkpoint
from lenet.model import build_model
from tests.e2e.helpers import ARTIFACTS, assert_no_errors, prediction
from tests.e2e.test_screens import _SCREEN_CHECK, _drawn
from tests.members import MEMBERS

SHOWN = ("batchnorm", "wide64", "three_blocks", "no_hidden", "dropout_nopool")
SCREENS = [(390, 844), (1280, 720), (1920, 1080)]
DETAILS = ["um=member-batchnorm.pt&stage=bn2", "um=member-batchnorm.pt&stage=bn3", "um=member-wide64.pt&stage=conv2",
           "um=member-dropout_nopool.pt&stage=drop1", "um=member-three_blocks.pt&stage=pool3"]


@pytest.fixture(scope="module")
def members(server):
    """The members saved into the server's models folder as models trained here (removed afterwards: the other
    browser tests count that folder's models)."""
    folder = ARTIFACTS / "models"
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name in SHOWN:
        model = build_model(MEMBERS[name], seed=11)
        with torch.no_grad():
            model.train()(torch.rand(64, 1, 28, 28))
        paths.append(save_checkpoint(folder / f"member-{name}.pt", model.eval(), {"test_acc": 0.5, "epochs": 1},
                                     extra={"name": f"member {name}"}))
    yield server
    for path in paths:
        path.unlink(missing_ok=True)


def _fits(page, where: str) -> None:
    found = page.evaluate(_SCREEN_CHECK)
    if found["sideways"] > 1 or found["clipped"] or found["outside"] or found["small"]:
        page.wait_for_timeout(2000)  # (as test_screens: a scrollbar's new width, drawn a moment later)
        found = page.evaluate(_SCREEN_CHECK)
    assert found["sideways"] <= 1, (where, found["sideways"])
    assert not found["clipped"], (where, found["clipped"][:5])
    assert not found["outside"], (where, found["outside"][:5])
    assert not found["small"], (where, found["small"][:5])
    assert_no_errors(page)


@pytest.mark.parametrize("width,height", SCREENS, ids=[f"{w}x{h}" for w, h in SCREENS])
def test_every_member_is_drawn_on_every_screen_with_its_own_ops(page_at, members, width, height):
    page = page_at(width, height)
    for name in SHOWN:
        page.goto(f"{members}/?mode=user&um=member-{name}.pt&lang=en")
        _drawn(page, "", None)
        _fits(page, f"{name} at {width}x{height}")
        config = MEMBERS[name]
        said = prediction(page)
        assert f"member-{name}.pt" in said and "run with" not in said, said  # its own ops, not the defaults'
        names = page.evaluate("() => [...document.querySelectorAll('.st-key-network .js-plotly-plot')].map("
                              "p => JSON.stringify(p.data.map(t => t.name)))")
        drawn = " ".join(names)
        last, logits = f"conv{len(config.convs)}", f"fc{len(config.dense) + 1}"
        assert f'"{last}"' in drawn and f'"{logits}"' in drawn, (name, drawn[:300])
        page.screenshot(path=str(ARTIFACTS / f"member-{name}-{width}x{height}.png"))


@pytest.mark.parametrize("query", DETAILS)
def test_each_new_kind_of_detail_is_whole_at_1280x720(page_at, members, query):
    page = page_at(1280, 720)
    page.goto(f"{members}/?mode=user&{query}&map=1&lang=en")
    dialog = page.get_by_role("dialog")
    dialog.wait_for(timeout=60_000)
    page.wait_for_timeout(1500)
    _fits(page, query)
    box = dialog.bounding_box()
    assert box["y"] >= 0 and box["x"] >= 0 and box["x"] + box["width"] <= 1280, box
    page.screenshot(path=str(ARTIFACTS / f"member-detail-{query.split('=')[-1]}.png"))


def test_two_members_side_by_side(page_at, members):
    page = page_at(1920, 1080)
    page.goto(f"{members}/?mode=user&um=member-batchnorm.pt&cmp=model&vm=member-three_blocks.pt&lang=en")
    page.locator(".st-key-network .js-plotly-plot .main-svg").nth(1).wait_for(timeout=60_000)
    page.wait_for_timeout(1000)
    _fits(page, "compare")
    assert page.get_by_text("other shapes: side by side, no A − B").first.is_visible()
    page.screenshot(path=str(ARTIFACTS / "member-compare-1920x1080.png"))
