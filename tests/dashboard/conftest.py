import pytest

from dashboard.core import cache


@pytest.fixture
def fresh_caches():
    """Empty caches: each test computes what it shows (tests/dashboard/test_app.py, test_why.py, ...)."""
    cache.clear()
    yield


@pytest.fixture
def models(tmp_path, monkeypatch, need_dataset):
    """An empty user models folder for the pages, and empty caches."""
    monkeypatch.setenv("LENET_MODELS_DIR", str(tmp_path))
    cache.clear()
    return tmp_path
