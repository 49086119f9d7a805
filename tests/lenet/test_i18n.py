"""The translations: the compiled catalogue is its source's compilation, every message of the code is translated
with its placeholders intact, and the language is each thread's own."""
import ast
import io
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
                                                    keywords={**{"_": None, "N_": None}, "ngettext": (1, 2)}):
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
