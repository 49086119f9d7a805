"""The explorer in Chinese and English (issue 23, its first part): the link, the browser's language, the switch
that keeps the view."""
import pytest

from lenet.i18n import use
from tests.dashboard.pages import run_explorer, shown


@pytest.fixture(autouse=True)
def _english_after():
    yield
    use("en")


def _texts(at) -> str:
    return " ".join(shown(e.value) for e in [*at.markdown, *at.caption] if isinstance(e.value, str))


def test_the_explorer_speaks_chinese_from_the_link_and_keeps_it_in_the_link():
    at = run_explorer({"lang": "zh", "idx": "3", "pool": "avg"})
    assert at.session_state["lang"] == "zh" and at.query_params["lang"] == "zh"
    assert at.segmented_control(key="pooling").options == ["平均", "最大", "L2"]
    assert at.segmented_control(key="source").options == ["挑选", "绘制", "上传"]
    assert at.button(key="random").label == "随机" and at.toggle(key="pick_wrong").label == "只看错误"
    said = _texts(at)
    assert "测试图像 #" in said and "用这些运算训练" in said  # the caption: which image, what runs
    assert any(m.value.startswith("**") and "%" in m.value and m.value[2] > "\u3000" for m in at.markdown), \
        "the prediction names its class in Chinese"


def _switch(at, lang: str) -> None:
    """Switch as the browser would: it sends each menu's choice as the text it shows (AppTest formats it in the
    test's own thread: that thread speaks what the page showed)."""
    at.segmented_control(key="lang_choice").set_value(lang).run()
    use(lang)


def test_switching_the_language_keeps_the_view():
    at = run_explorer({"idx": "7", "pool": "avg", "act": "sigmoid", "stage": "conv1", "map": "2", "cls": "Coat"})
    assert at.session_state["lang"] == "en" and at.segmented_control(key="pooling").options[0] == "average"
    before = {k: at.session_state[k] for k in ("index", "pooling", "activation", "stage", "map", "pick_class")}
    assert before["pick_class"] == "Coat"
    _switch(at, "zh")
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["lang"] == "zh" and at.segmented_control(key="pooling").options[0] == "平均"
    assert {k: at.session_state[k] for k in before} == before
    assert at.query_params["lang"] == "zh" and at.query_params["stage"] == "conv1"
    _switch(at, "en")
    assert not at.exception, [e.value for e in at.exception]
    assert at.segmented_control(key="pooling").options[0] == "average"
    assert {k: at.session_state[k] for k in before} == before
