import numpy as np
import pytest
import torch

from lenet.data import (CLASS_NAMES, DEBIAN_DIR, DatasetNotFound, find_data_root, has_torchvision_layout,
                        load_fashion_mnist, read_idx, read_split, to_float)
from lenet.samples import PER_CLASS, SAMPLES_PATH, load_samples, make_samples


def test_class_names():
    assert len(CLASS_NAMES) == 10 and CLASS_NAMES[0] == "T-shirt/top" and CLASS_NAMES[9] == "Ankle boot"


def test_real_dataset_shapes_and_balance(need_dataset):
    X, y = load_fashion_mnist(True)
    assert X.shape == (60_000, 28, 28) and X.dtype == torch.uint8 and y.shape == (60_000,)
    assert torch.bincount(y).tolist() == [6000] * 10
    X_test, y_test = load_fashion_mnist(False)
    assert X_test.shape == (10_000, 28, 28) and torch.bincount(y_test).tolist() == [1000] * 10
    Xf = to_float(X_test[:5])
    assert Xf.shape == (5, 1, 28, 28) and Xf.dtype == torch.float32 and 0 <= Xf.min() and Xf.max() <= 1


def test_debian_files_are_prepared_once_into_torchvision_layout(need_dataset, tmp_path, monkeypatch):
    if not (DEBIAN_DIR / "train-images-idx3-ubyte.gz").is_file():
        pytest.skip("this machine's data set is not the Debian package")
    monkeypatch.delenv("LENET_DATA_DIR", raising=False)
    monkeypatch.setenv("LENET_CACHE_DIR", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    root = find_data_root()
    assert root == tmp_path / "debian" and has_torchvision_layout(root)
    stamp = (root / "FashionMNIST" / "raw" / "train-images-idx3-ubyte").stat().st_mtime_ns
    assert find_data_root() == root
    assert (root / "FashionMNIST" / "raw" / "train-images-idx3-ubyte").stat().st_mtime_ns == stamp
    assert not list((root / "FashionMNIST" / "raw").glob(".*"))  # no temp files left


def test_explicit_root_in_torchvision_layout_wins(need_dataset, tmp_path, monkeypatch):
    real = find_data_root()
    monkeypatch.setenv("LENET_DATA_DIR", str(real))
    assert find_data_root() == real
    with pytest.raises(DatasetNotFound) as e:
        find_data_root(tmp_path)
    assert str(tmp_path) in str(e.value)


def test_missing_dataset_names_the_three_ways(tmp_path, monkeypatch):
    monkeypatch.setenv("LENET_DATA_DIR", str(tmp_path / "empty"))
    with pytest.raises(DatasetNotFound) as e:
        find_data_root()
    msg = str(e.value)
    assert "apt-get install dataset-fashion-mnist" in msg and "torchvision's layout" in msg and "download" in msg


def test_corrupt_dataset_is_a_clear_error(tmp_path, monkeypatch):
    raw = tmp_path / "FashionMNIST" / "raw"
    raw.mkdir(parents=True)
    for name in ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
                 "t10k-labels-idx1-ubyte"):
        (raw / name).write_bytes(b"\x00\x00\x08\x03garbage")
    with pytest.raises(DatasetNotFound, match="could not be read|shape"):
        load_fashion_mnist(False, tmp_path)


def test_read_split_equals_torchvisions_reading(need_dataset):
    X, y = read_split(False)
    X_tv, y_tv = load_fashion_mnist(False)
    assert X.dtype == np.uint8 and y.dtype == np.int64
    assert np.array_equal(X, X_tv.numpy()) and np.array_equal(y, y_tv.numpy())


@pytest.mark.parametrize("content", [b"", b"\x00\x00\x08\x03garbage", b"\x00\x00\x0d\x01\x00\x00\x00\x01abcd",
                                     b"\x00\x00\x08\x01\x00\x00\x00\x05abc"])
def test_read_idx_refuses_broken_files(tmp_path, content):
    bad = tmp_path / "t10k-labels-idx1-ubyte"
    bad.write_bytes(content)
    with pytest.raises(DatasetNotFound, match="IDX|truncated"):
        read_idx(bad)
    ok = tmp_path / "ok"
    ok.write_bytes(b"\x00\x00\x08\x02\x00\x00\x00\x02\x00\x00\x00\x03" + bytes(range(6)))
    assert read_idx(ok).tolist() == [[0, 1, 2], [3, 4, 5]]


def test_bundled_samples_are_small_balanced_and_real():
    s = load_samples()
    assert SAMPLES_PATH.stat().st_size < 1_000_000
    assert s.images.shape == (10 * PER_CLASS, 28, 28) and s.images.dtype == np.uint8
    assert np.bincount(s.labels).tolist() == [PER_CLASS] * 10
    assert (np.diff(s.indices) > 0).all() and s.indices.max() < 10_000
    assert s.tensor().shape == (1000, 1, 28, 28)


def test_bundled_samples_match_the_test_set(need_dataset):
    s = load_samples()
    X, y = load_fashion_mnist(False)
    assert np.array_equal(X.numpy()[s.indices], s.images) and np.array_equal(y.numpy()[s.indices], s.labels)
    fresh = make_samples()
    assert np.array_equal(fresh.indices, s.indices)
