"""The translations: the compiled catalogue is its source's compilation, every message of the code is translated
with its placeholders intact, and the language is each thread's own."""
import ast
import io
import json
import string
import threading
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from lenet import i18n
from lenet.data import class_name

ROOT = Path(__file__).resolve().parents[2]
PO = i18n.LOCALE_DIR / "zh_CN" / "LC_MESSAGES" / "lenet.po"


def _catalogue():
    with open(PO, "rb") as f:
        return read_po(f, locale="zh_CN")


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_the_compiled_catalogue_is_the_compilation_of_its_source():
    compiled = io.BytesIO()
    write_mo(compiled, _catalogue())
    assert compiled.getvalue() == PO.with_suffix(".mo").read_bytes(), \
        "lenet.mo is stale: run `pybabel compile -d lenet/locale -D lenet` (the README's Translations)"


def test_every_message_of_the_code_is_translated_with_its_placeholders():
    catalogue = _catalogue()
    found = set()
    for folder in ("lenet", "dashboard"):
        for _, _, message, _, _ in extract_from_dir(ROOT / folder, method_map=[("**.py", "python")],
                                                    keywords={"_": None, "N_": None, "later": None,
                                                              "ngettext": (1, 2), "later_n": (1, 2)}):
            found.add(message if isinstance(message, str) else message[0])
    assert found, "nothing extracted"
    missing = sorted(m for m in found if not (catalogue.get(m) and catalogue.get(m).string))
    assert not missing, f"untranslated (pybabel update, then translate): {missing[:10]}"
    for message in catalogue:
        if not message.id:
            continue
        assert "fuzzy" not in message.flags, message.id
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        texts = [message.string] if isinstance(message.string, str) else list(message.string)
        for text in texts:
            assert _fields(text) == _fields(ids[0]), (message.id, text)  # every placeholder survives


def test_no_module_that_translates_uses_the_name_of_the_translation_as_a_throwaway():
    """`_` is the translation wherever lenet.i18n's is imported: `x, _ = f()` in a function would shadow it (an
    UnboundLocalError on the next `_("…")` there)."""
    for path in [*ROOT.joinpath("lenet").rglob("*.py"), *ROOT.joinpath("dashboard").rglob("*.py")]:
        tree = ast.parse(path.read_text())
        if not any(isinstance(n, ast.ImportFrom) and n.module == "lenet.i18n" and any(a.name == "_" for a in n.names)
                   for n in tree.body):
            continue
        for node in ast.walk(tree):  # (module level, functions and comprehensions: one name, one meaning)
            targets = node.targets if isinstance(node, ast.Assign) else \
                [node.target] if isinstance(node, (ast.For, ast.AugAssign, ast.AnnAssign, ast.comprehension)) else \
                [item.optional_vars for item in node.items if item.optional_vars] if isinstance(node, ast.With) \
                else []
            for t in targets:
                names = [e.id for e in ast.walk(t) if isinstance(e, ast.Name)]
                assert "_" not in names, f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', '?')} assigns _"


def test_a_chinese_browser_gets_chinese_and_each_thread_its_own_language():
    assert [i18n.from_browser(x) for x in ("zh-CN", "zh_TW", "zh-Hant-HK", "en-GB", "", None, "fr")] == \
        ["zh", "zh", "zh", "en", "en", "en", "en"]
    said = {}

    def speak(lang):
        i18n.use(lang)
        said[lang] = (i18n._("Explorer"), class_name(9), i18n._("{n:,} weights").format(n=48120))

    threads = [threading.Thread(target=speak, args=(lang,)) for lang in ("zh", "en")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert said == {"zh": ("探索", "短靴", "48,120 个权重"), "en": ("Explorer", "Ankle boot", "48,120 weights")}
    assert i18n.use("klingon") == "en"


def test_a_message_made_where_no_reader_is_known_is_said_in_each_readers_language():
    """later(): a run's error, a skipped file's reason, written in a thread or process that knows no reader,
    kept as one string (JSON, a file, a queue) and said by each reader in their own language."""
    why = i18n.later("the models folder {name} is full: {free}", name="models/", free=i18n.later("no room left"))
    message = i18n.later_n("Not saved: {why}. The {n} trained epoch is kept on this server until there is room: "
                           "free some (delete a model below), then Save again, or discard the run.",
                           "Not saved: {why}. The {n} trained epochs are kept on this server until there is room: "
                           "free some (delete a model below), then Save again, or discard the run.", 3, why=why)
    assert isinstance(message, str) and message == json.loads(json.dumps(message))
    assert i18n.say(message, "en").startswith("Not saved: the models folder models/ is full: no room left. The 3 "
                                              "trained epochs are kept")
    assert i18n.say(message, "zh").startswith("未保存：模型文件夹 models/ 已满：没有剩余空间。已训练的 3 个迭代周期")
    assert i18n.say("plain text, as typed") == "plain text, as typed" and i18n.say(None) is None
    assert i18n.say(i18n.LATER + "{not json") == "{not json"  # never an exception on a page
    # a file's text that looks like a message is filled in only with the code's own templates
    hostile = i18n.LATER + json.dumps({"t": "{n:>999999999}", "p": {"n": 1}})
    assert i18n.say(hostile) == hostile[len(i18n.LATER):]


def test_errors_say_english_to_the_log_and_each_reader_their_language(tmp_path):
    from lenet.checkpoint import CheckpointError, load_checkpoint
    from lenet.d2l import D2LError, read_state

    (tmp_path / "cut.pt").write_bytes(b"PK\x03\x04 cut short")
    try:
        load_checkpoint(tmp_path / "cut.pt")
    except CheckpointError as e:
        assert "truncated or corrupt, not a readable PyTorch file (" in str(e)  # the library's words, for the log
        i18n.use("zh")
        assert e.explained() == "被截断或已损坏，不是可读的 PyTorch 文件"
        i18n.use("en")
        assert e.explained() == "truncated or corrupt, not a readable PyTorch file"
    try:
        read_state(b"\x00" * 10)
    except D2LError as e:
        assert str(e).startswith("not a readable PyTorch file")
        i18n.use("zh")
        assert e.explained().startswith("不是可读的 PyTorch 文件")
        i18n.use("en")


def test_a_thread_that_has_not_chosen_asks_the_fallback():
    """A widget's callback runs in the run's new thread before the page says its language: it asks the browser
    session (dashboard/core/language.py sets the fallback)."""
    said = {}

    def callback():
        said["text"] = i18n._("Close")

    before = i18n.fallback
    i18n.fallback = lambda: "zh"
    try:
        t = threading.Thread(target=callback)
        t.start()
        t.join()
    finally:
        i18n.fallback = before
    assert said["text"] == "关闭"


def test_the_command_lines_help_speaks_the_terminals_language(monkeypatch):
    from lenet.train import build_parser

    assert i18n.from_environment({"LANG": "zh_CN.UTF-8"}) == "zh"
    assert i18n.from_environment({"LC_ALL": "en_US.UTF-8", "LANG": "zh_CN.UTF-8"}) == "en"
    assert i18n.from_environment({}) == "en"
    for name in ("LC_ALL", "LC_MESSAGES", "LANGUAGE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    try:
        assert "迭代周期数（classic：10）" in build_parser().format_help()
    finally:
        i18n.use("en")
    monkeypatch.setenv("LANG", "C.UTF-8")
    assert "epochs (classic: 10)" in build_parser().format_help()


def test_the_errors_that_speak_both_languages_share_one_base():
    """CheckpointError, D2LError and TrainingDiverged are lenet.i18n.Said: English for str(e), the later() message
    in e.said, the reader's language from e.explained()."""
    from lenet.checkpoint import CheckpointError
    from lenet.d2l import D2LError
    from lenet.engine import TrainingDiverged
    from lenet.i18n import Said, later, say, use

    said = later("its weights contain NaN or infinite values")
    for e in (CheckpointError("m.pt", said, "torch's words"), D2LError(said), TrainingDiverged(said)):
        assert isinstance(e, Said) and e.said == said
        assert "its weights contain NaN or infinite values" in str(e)
        use("zh")
        try:
            assert e.explained() != say(said, "en") and "NaN" in e.explained()
        finally:
            use("en")
    assert str(CheckpointError("m.pt", said, "torch's words")) == \
        "m.pt: its weights contain NaN or infinite values (torch's words)"
