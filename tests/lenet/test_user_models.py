"""The user models folder: listing (unreadable files reported), deleting only inside it, never in assets/."""
import os
import time

import pytest

from lenet import ModelConfig, build_model, save_checkpoint
from lenet.data import ASSETS_DIR
from lenet.user_models import delete_model, list_files, model_path, models_dir, safe_name, scan_models


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


def test_a_folder_of_2000_files_is_listed_from_names_and_each_file_is_read_once(tmp_path, monkeypatch):
    """2,000 models: a page of the list reads its own 20 files, once; the next look reads none; a file replaced
    under its name is read again (and shows what it holds now); a deleted one is no longer listed."""
    from lenet import user_models

    first = save_checkpoint(tmp_path / "m0000.pt", build_model(ModelConfig(), seed=0), {"test_acc": 0.5})
    for k in range(1, 2000):
        os.link(first, tmp_path / f"m{k:04d}.pt")  # (one inode: the same mtime, listed by name)
    reads = []
    real = user_models.load_checkpoint
    monkeypatch.setattr(user_models, "load_checkpoint", lambda path: reads.append(path.name) or real(path))
    assert len(list_files(tmp_path)) == 2000
    models, skipped = scan_models(tmp_path, 20, 20)
    assert [m.path.name for m in models] == [f"m{k:04d}.pt" for k in range(20, 40)] and not skipped
    assert reads == [m.path.name for m in models]
    reads.clear()
    assert [m.path.name for m in scan_models(tmp_path, 20, 20)[0]] == [f"m{k:04d}.pt" for k in range(20, 40)]
    assert reads == []  # unchanged files: nothing read
    time.sleep(0.01)
    save_checkpoint(tmp_path / "m0025.pt", build_model(ModelConfig(), seed=1), {"test_acc": 0.75})
    (tmp_path / "m0030.pt").unlink()
    models = scan_models(tmp_path, 0, 21)[0]
    assert reads == ["m0025.pt", *[f"m{k:04d}.pt" for k in range(20)]]  # the newest first, then the rest
    assert models[0].path.name == "m0025.pt" and models[0].metrics["test_acc"] == 0.75
    assert "m0030.pt" not in {name for name, _, _ in list_files(tmp_path)}
    assert not hasattr(models[0], "model")  # the list holds no weights (2,000 models' would be ~600 MB)
