"""The user models folder: listing (unreadable files reported), deleting only inside it, never in assets/."""
import pytest

from lenet import ModelConfig, build_model, save_checkpoint
from lenet.data import ASSETS_DIR
from lenet.user_models import delete_model, model_path, models_dir, safe_name, scan_models


def test_listing_deleting_and_guarding(tmp_path, monkeypatch):
    monkeypatch.setenv("LENET_MODELS_DIR", str(tmp_path))
    assert models_dir() == tmp_path.resolve()
    path = save_checkpoint(model_path("classic 1"), build_model(ModelConfig(), seed=0), {"test_acc": 0.5},
                           extra={"name": "classic 1"})
    assert path == tmp_path / "classic-1.pt"
    (tmp_path / "broken.pt").write_bytes(b"PK\x03\x04")
    models, errors = scan_models()
    assert [m.path.name for m in models] == ["classic-1.pt"] and models[0].meta["name"] == "classic 1"
    assert len(errors) == 1 and "broken.pt" in errors[0]
    with pytest.raises(ValueError):
        delete_model(tmp_path.parent / "elsewhere.pt")
    delete_model(models[0].path)
    assert scan_models()[0] == []
    monkeypatch.setenv("LENET_MODELS_DIR", str(ASSETS_DIR / "weights"))
    with pytest.raises(ValueError, match="shipped weights"):
        models_dir()


def test_missing_folder_lists_nothing(tmp_path):
    assert scan_models(tmp_path / "not-yet") == ([], [])


@pytest.mark.parametrize("name,file", [("my run", "my-run"), ("../../etc/passwd", "etc-passwd"), ("", "model"),
                                       ("ö/ä", "model"), ("a" * 200, "a" * 80)])
def test_names_become_safe_file_names(name, file):
    assert safe_name(name) == file
