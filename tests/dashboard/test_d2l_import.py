"""The Training page's import of a model from the d2l notebook, through AppTest (an upload, which AppTest cannot
send, is tested in Chromium: tests/e2e/test_training.py)."""
import numpy as np
import torch
from streamlit.testing.v1 import AppTest

from lenet.checkpoint import load_checkpoint
from lenet.data import CLASS_NAMES, read_split
from tests.dashboard.pages import APP, shown, training_page
from tests.lenet.test_d2l import d2l_net


def _page() -> AppTest:
    at = AppTest.from_function(training_page, default_timeout=120)
    at.run()
    assert not at.exception
    return at


def _lines(at: AppTest) -> str:
    return " ".join(shown(m.value) for m in at.markdown)


def test_a_dropped_file_is_listed_explorable_and_imported_with_the_ops_chosen(models, monkeypatch):
    monkeypatch.delenv("LENET_LECTURER_KEY", raising=False)
    net = d2l_net("seed", "relu", "max")
    torch.save(net.state_dict(), models / "notebook.pt")
    at = _page()
    assert "from the d2l notebook, sigmoid + average pooling assumed" in _lines(at)
    assert at.selectbox(key="d2l_source").options == ["notebook.pt (in the models folder)"]
    at.selectbox(key="d2l_activation").set_value("relu")
    at.selectbox(key="d2l_pooling").set_value("max")
    at.text_input(key="d2l_name").set_value("my lenet")
    at.button(key="d2l_import").click().run()
    assert not at.exception and not at.error
    (done,) = [shown(s.value) for s in at.success if "Imported" in s.value]
    X, y = read_split(False)
    with torch.no_grad():
        expected = (net(torch.from_numpy(X[:, None].astype(np.float32) / 255.0)).argmax(1).numpy() == y).mean()
    assert "my-lenet.pt" in done and f"accuracy {expected:.1%} on the full test set (10,000 images)" in done
    ck = load_checkpoint(models / "my-lenet.pt")
    assert (ck.model_config.activation, ck.model_config.pooling) == ("relu", "max")
    assert abs(ck.metrics["test_acc"] - expected) < 1e-9
    at.run()
    assert f"from the d2l notebook, relu + max pooling, accuracy {expected:.1%}" in _lines(at)
    # the explorer lists both and shows the imported one's own predictions
    explorer = AppTest.from_file(APP, default_timeout=120)
    explorer.query_params.update({"mode": "user", "um": "my-lenet.pt"})
    explorer.run()
    explorer.session_state["screen"] = {"size": [1876, 1080]}
    explorer.run()
    assert not explorer.exception
    assert set(explorer.selectbox(key="user_model").options) == {"my lenet", "notebook.pt"}
    with torch.no_grad():
        first = int(net(torch.from_numpy(X[:1, None].astype(np.float32) / 255.0)).argmax())
    assert any(m.value.startswith(f"**{CLASS_NAMES[first]}**") for m in explorer.markdown)


def test_a_student_cannot_import_and_a_file_that_does_not_fit_says_why(models, monkeypatch):
    monkeypatch.setenv("LENET_LECTURER_KEY", "s3cret-key")
    torch.save(d2l_net("book").state_dict(), models / "fine.pt")
    torch.save(torch.nn.Sequential(torch.nn.Linear(784, 10)).state_dict(), models / "wide.pt")
    at = _page()
    assert any("wide.pt: a d2l state_dict that does not fit LeNet: layer 0 is not a convolution: a LeNet begins with "
               "one" in shown(w.value) for w in at.warning)
    at.button(key="d2l_import").click().run()
    assert any("Only the lecturer can import a model" in e.value for e in at.error)
    assert sorted(p.name for p in models.glob("*.pt")) == ["fine.pt", "wide.pt"]


def test_each_file_is_saved_under_its_own_name(models, monkeypatch):
    """Choosing another file gives the name field that file's name (it kept the first file's: a good
    lenet.params, chosen after a refused bad.params, was saved as "d2l bad")."""
    monkeypatch.delenv("LENET_LECTURER_KEY", raising=False)
    torch.save(d2l_net("seed").state_dict(), models / "bad.pt")
    torch.save(d2l_net("seed").state_dict(), models / "lenet.pt")
    at = _page()
    at.selectbox(key="d2l_source").set_value("bad.pt").run()
    assert at.text_input(key="d2l_name").value == "d2l bad"
    at.selectbox(key="d2l_source").set_value("lenet.pt").run()
    assert at.text_input(key="d2l_name").value == "d2l lenet"
    at.text_input(key="d2l_name").set_value("typed").run()  # what is typed for the same file stays
    assert at.text_input(key="d2l_name").value == "typed"


def test_an_import_into_a_full_models_folder_says_so_in_words(need_dataset, tiny_disk, monkeypatch):
    from dashboard.core import cache

    monkeypatch.setenv("LENET_MODELS_DIR", str(tiny_disk.folder))
    monkeypatch.delenv("LENET_LECTURER_KEY", raising=False)
    cache.clear()
    torch.save(d2l_net("seed").state_dict(), tiny_disk.folder / "notebook.pt")  # 250 KB of the 300
    at = _page()
    at.button(key="d2l_import").click().run()
    assert not at.exception, [e.value for e in at.exception]
    (said,) = [shown(e.value) for e in at.error]
    assert said.startswith("Not imported: the models folder models/ is full: ") and str(tiny_disk.folder) not in said
    assert sorted(p.name for p in tiny_disk.folder.iterdir() if p.name != ".training") == ["notebook.pt"]


def test_a_notebook_member_imports_with_the_padding_chosen(models, monkeypatch):
    """d2l's BatchNorm LeNet and an exercise net, dropped in: the page says what each file holds and asks the
    padding only where the shapes allow several (the seed's net: 2, 0 first); the import builds that member."""
    from tests.lenet.test_d2l import d2l_batchnorm_net, exercise_net

    monkeypatch.delenv("LENET_LECTURER_KEY", raising=False)
    torch.save(d2l_batchnorm_net().state_dict(), models / "bn.pt")
    torch.save(exercise_net().state_dict(), models / "exercise.pt")
    torch.save(d2l_net("book").state_dict(), models / "seed.pt")
    at = _page()
    at.selectbox(key="d2l_source").set_value("exercise.pt").run()
    said = " ".join(c.value for c in at.caption)
    assert "16c3p1-32c3p1-64c3p1 · 256d0.5-128: 3 conv blocks, 2 hidden dense layers" in said
    assert "Dropout after dense layer 1: its rate is not in the file (0.5 assumed" in said
    at.selectbox(key="d2l_source").set_value("seed.pt").run()
    assert at.selectbox(key="d2l_padding").options[0] == "2,0"
    at.selectbox(key="d2l_padding").set_value("0,1")
    at.text_input(key="d2l_name").set_value("seed other padding")
    at.button(key="d2l_import").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    ck = load_checkpoint(models / "seed-other-padding.pt")
    assert [b.padding for b in ck.model_config.convs] == [0, 1]
    at.selectbox(key="d2l_source").set_value("bn.pt").run()
    assert "6c5bn-16c5bn · 120bn-84bn" in " ".join(c.value for c in at.caption)
    at.text_input(key="d2l_name").set_value("bn").run()
    at.button(key="d2l_import").click().run()
    assert not at.error, [e.value for e in at.error]
    ck = load_checkpoint(models / "bn-2.pt")  # (bn.pt is the file dropped in)
    assert any(b.batchnorm for b in ck.model_config.convs) and ck.meta.get("name") == "bn"
