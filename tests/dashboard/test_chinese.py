"""Issue 23's walk: every page and every detail view in Chinese (AppTest), failing on any text still in English
outside the names that stay (tests/dashboard/english.py: LeNet, ReLU, SGD, Grad-CAM, conv1 …) — widget labels,
options, help, Markdown, captions, alerts, and every figure's titles, axes, legends, labels and hover texts."""
import pytest
from streamlit.testing.v1 import AppTest

from lenet.i18n import use
from tests.dashboard import pages
from tests.dashboard.english import english, visible_texts
from tests.dashboard.pages import open_page, run_explorer

# every state the explorer draws differently: each detail view, the Why? dialog, each comparison, each input
# source, focus, presentation, swapped weights, the wrong ones only, a softmax temperature
EXPLORER = [{}, *({"stage": s} for s in ("conv1", "act1", "pool1", "conv2", "act2", "pool2", "fc1", "act3", "fc2",
                                           "act4", "fc3", "softmax")),
            {"wd": "1"}, {"wd": "1", "why": "Coat"}, {"cmp": "pool"}, {"cmp": "pool-trained", "pool": "avg"},
            {"cmp": "act"}, {"stage": "pool1", "cmp": "pool"}, {"stage": "fc1", "cmp": "act"},
            {"src": "draw"}, {"src": "upload"}, {"focus": "1", "stage": "conv2"}, {"pres": "1"},
            {"pres": "1", "at": "conv1"}, {"mode": "swap", "w": "relu-avg", "act": "sigmoid"}, {"wrong": "1"},
            {"stage": "softmax", "t": "3"}, {"stage": "softmax", "t": "0.3"}, {"range": "map", "stage": "conv1"},
            {"pool": "l2", "stage": "pool2"}, {"act": "sigmoid", "pool": "avg", "stage": "act3"}]


@pytest.fixture(autouse=True)
def _english_after():
    yield
    use("en")


def _still_english(at, where: str) -> list[str]:
    assert not at.exception, (where, [e.value for e in at.exception])
    return [f"{where}: {t[:200]!r}" for t in english(visible_texts(at))]


def test_the_explorer_and_every_detail_view_speak_chinese(fresh_caches):
    found = []
    for params in EXPLORER:
        found += _still_english(run_explorer({**params, "lang": "zh"}), f"explorer {params}")
        use("en")
    assert not found, "\n".join(found)


def test_a_model_trained_here_is_explored_in_chinese(models):
    from lenet import ModelConfig, build_model, save_checkpoint

    model = build_model(ModelConfig("relu", "max"), seed=0)
    snapshots = {str(e): {k: v.clone() for k, v in model.state_dict().items()} for e in range(3)}
    save_checkpoint(models / "我的.pt", model, {"test_acc": 0.5, "epochs": 2}, extra={"snapshots": snapshots})
    found = []
    for params in ({"mode": "user", "um": "我的.pt"}, {"mode": "user", "um": "我的.pt", "cmp": "epochs"},
                   {"mode": "user", "um": "我的.pt", "pool": "avg", "stage": "pool1"}):
        found += _still_english(run_explorer({**params, "lang": "zh"}), f"explorer {params}")
        use("en")
    assert not found, "\n".join(found)


@pytest.mark.parametrize("size", [(1876, 1000), (390, 844)], ids=["projector", "phone"])
def test_every_other_page_speaks_chinese(size, need_dataset, models):
    found = []
    for script, page in ((pages.mistakes_page, "mistakes"), (pages.filters_page, "filters"),
                         (pages.step_page, "step"), (pages.pooling_page, "pooling")):
        at = open_page(script, page, "relu-max|relu|max", size, lang="zh")
        use("zh")  # (AppTest sends each menu's value as shown, formatted in this thread: it speaks the page's)
        found += _still_english(at, page)
        if page == "mistakes":  # a cell's images
            at.session_state["mistakes_cell"] = [6, 0]
            found += _still_english(at.run(), "mistakes, a cell")
        if page == "step":  # a dense layer's gradients, after a step
            at.segmented_control(key="step_layer").set_value("fc1").run()
            at.button(key="step_go").click().run()
            found += _still_english(at, "step, fc1 after a step")
        if page == "pooling":
            at.radio(key="pooling_recipe").set_value("relu").run()
            found += _still_english(at, "pooling, the modern recipe")
        use("en")
    assert not found, "\n".join(found)


def test_the_training_page_speaks_chinese_with_its_models_and_its_refusals(need_dataset, models, monkeypatch):
    from lenet import ModelConfig, build_model, save_checkpoint

    save_checkpoint(models / "我的.pt", build_model(ModelConfig(), seed=0), {"test_acc": 0.5, "epochs": 1})
    (models / "坏的.pt").write_bytes(b"not a checkpoint")  # listed as skipped, with why
    monkeypatch.setenv("LENET_LECTURER_KEY", "k")
    at = AppTest.from_function(pages.training_page, default_timeout=120)
    at.query_params["lang"] = "zh"
    at.run()
    use("zh")  # (AppTest sends each menu's value as shown, formatted in this thread: it speaks the page's)
    found = _still_english(at, "training")
    assert any("已跳过" in w.value for w in at.warning), "the skipped file is said in Chinese"
    at.text_input(key="lecturer_typed").input("wrong").run()
    at.button(key="unlock").click().run()
    found += _still_english(at, "training, a wrong key")
    at.number_input(key="train_epochs").set_value(500).run()
    found += _still_english(at, "training, a field out of range")
    assert any("迭代周期数必须在" in e.value for e in at.error)
    assert not found, "\n".join(found)
