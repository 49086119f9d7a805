"""The real Fashion-MNIST, read through torchvision, from wherever this machine has it."""
from __future__ import annotations

import functools
import gzip
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from lenet.atomic import atomic_write
from lenet.i18n import N_, _

CLASS_NAMES: tuple[str, ...] = (N_("T-shirt/top"), N_("Trouser"), N_("Pullover"), N_("Dress"), N_("Coat"),
                                N_("Sandal"), N_("Shirt"), N_("Sneaker"), N_("Bag"), N_("Ankle boot"))

ASSETS_DIR = Path(__file__).resolve().parent.parent / "assets"  # shipped with the code: samples and weights
DEBIAN_DIR = Path("/usr/share/datasets/fashion-mnist")  # Debian package dataset-fashion-mnist
RAW_FILES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
             "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")
HOW_TO_GET_IT = N_(
    "Fashion-MNIST was not found. Any one of these works:\n"
    "  1. Debian/Ubuntu: sudo apt-get install dataset-fashion-mnist  (files under /usr/share/datasets/fashion-mnist)\n"
    "  2. Put torchvision's layout, DIR/FashionMNIST/raw/{train,t10k}-{images-idx3,labels-idx1}-ubyte, in ./data "
    "or anywhere, and pass --data-dir DIR or set LENET_DATA_DIR=DIR\n"
    "  3. When online: let torchvision download it (--download on the CLI, or LENET_DOWNLOAD=1)"
)


def how_to_get_it() -> str:
    """HOW_TO_GET_IT in the session's language (the CLI and the logs say it in English)."""
    return _(HOW_TO_GET_IT)


def class_name(k: int) -> str:
    """Class k's name as the page shows it, in the session's language (CLASS_NAMES: the English keys)."""
    return _(CLASS_NAMES[int(k)])


def class_names() -> list[str]:
    """Every class's name, in the session's language."""
    return [_(name) for name in CLASS_NAMES]


class DatasetNotFound(FileNotFoundError):
    """No copy of Fashion-MNIST could be found or fetched; the message says how to get one."""


def cache_dir() -> Path:
    """Where prepared data lives: $LENET_CACHE_DIR, else ~/.cache/lenet-explainer."""
    return Path(os.environ.get("LENET_CACHE_DIR") or Path.home() / ".cache" / "lenet-explainer")


def has_torchvision_layout(root: Path) -> bool:
    """True if root/FashionMNIST/raw holds the four uncompressed IDX files."""
    raw = Path(root) / "FashionMNIST" / "raw"
    return all((raw / f).is_file() for f in RAW_FILES)


def _prepare_from_debian(src: Path, dest_root: Path) -> Path:
    """Decompress Debian's .gz files once into torchvision's layout under dest_root."""
    raw = dest_root / "FashionMNIST" / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    for name in RAW_FILES:
        target = raw / name
        if target.is_file():
            continue
        def copy(fout, src_gz=src / f"{name}.gz"):
            with gzip.open(src_gz, "rb") as fin:
                shutil.copyfileobj(fin, fout)

        atomic_write(target, copy)  # a killed process never leaves a half file under the real name
    return dest_root


def find_data_root(root: str | os.PathLike | None = None, download: bool | None = None) -> Path:
    """The first Fashion-MNIST root in torchvision layout that exists (see HOW_TO_GET_IT for the order)."""
    explicit = root or os.environ.get("LENET_DATA_DIR")
    if explicit:
        explicit = Path(explicit)
        if has_torchvision_layout(explicit):
            return explicit
        if all((explicit / f"{f}.gz").is_file() for f in RAW_FILES):  # a folder of the original .gz files
            return _prepare_from_debian(explicit, cache_dir() / "from-gz")
        raise DatasetNotFound(f"{explicit} holds no Fashion-MNIST in torchvision's layout.\n{HOW_TO_GET_IT}")
    if has_torchvision_layout(Path("data")):
        return Path("data")
    if all((DEBIAN_DIR / f"{f}.gz").is_file() for f in RAW_FILES):
        return _prepare_from_debian(DEBIAN_DIR, cache_dir() / "debian")
    if download is None:
        download = os.environ.get("LENET_DOWNLOAD", "") not in ("", "0")
    if download:
        from torchvision.datasets import FashionMNIST  # imported when needed: it takes ~1 s

        try:
            FashionMNIST("data", train=True, download=True)
            FashionMNIST("data", train=False, download=True)
        except Exception as e:  # network errors come in many types
            raise DatasetNotFound(f"torchvision's download failed ({e}).\n{HOW_TO_GET_IT}") from e
        return Path("data")
    raise DatasetNotFound(HOW_TO_GET_IT)


FULL_TRAIN, FULL_TEST = 60_000, 10_000  # Fashion-MNIST's training and test images


def _check_shapes(images: tuple, labels: tuple, train: bool, root: Path) -> None:
    expected = FULL_TRAIN if train else FULL_TEST
    if images != (expected, 28, 28) or labels != (expected,):
        raise DatasetNotFound(f"Fashion-MNIST under {root} has shape {images}, expected "
                              f"({expected}, 28, 28).\n{HOW_TO_GET_IT}")


@functools.lru_cache(maxsize=4)
def _load(train: bool, root: Path) -> tuple[torch.Tensor, torch.Tensor]:
    from torchvision.datasets import FashionMNIST  # imported when needed: it takes ~1 s

    try:
        ds = FashionMNIST(str(root), train=train, download=False)
    except Exception as e:
        raise DatasetNotFound(f"Fashion-MNIST under {root} could not be read ({e}).\n{HOW_TO_GET_IT}") from e
    X, y = ds.data, ds.targets  # (N, 28, 28) uint8, (N,) int64
    _check_shapes(tuple(X.shape), tuple(y.shape), train, root)
    return X, y


def load_fashion_mnist(train: bool, root: str | os.PathLike | None = None,
                       download: bool | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """All images (N, 28, 28) uint8 and labels (N,) int64 of one split, read by torchvision."""
    return _load(train, find_data_root(root, download).resolve())


def read_idx(path: Path) -> np.ndarray:
    """An IDX file of unsigned bytes (the format of Fashion-MNIST's raw files) as a numpy array."""
    data = Path(path).read_bytes()
    if len(data) < 4 or data[:3] != b"\x00\x00\x08":
        raise DatasetNotFound(f"{path} is not an IDX file of unsigned bytes.\n{HOW_TO_GET_IT}")
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * k:8 + 4 * k], "big") for k in range(ndim)]
    offset = 4 + 4 * ndim
    if len(data) != offset + int(np.prod(dims)):
        raise DatasetNotFound(f"{path} is truncated or has extra bytes.\n{HOW_TO_GET_IT}")
    return np.frombuffer(bytearray(data), np.uint8, offset=offset).reshape(dims)  # writable, as torch wants


@functools.lru_cache(maxsize=4)
def _read_split(train: bool, root: Path) -> tuple[np.ndarray, np.ndarray]:
    raw = root / "FashionMNIST" / "raw"
    prefix = "train" if train else "t10k"
    X, y = read_idx(raw / f"{prefix}-images-idx3-ubyte"), read_idx(raw / f"{prefix}-labels-idx1-ubyte")
    _check_shapes(X.shape, y.shape, train, root)
    return X, y.astype(np.int64)


def read_split(train: bool, root: str | os.PathLike | None = None) -> tuple[np.ndarray, np.ndarray]:
    """One split as numpy arrays, (N, 28, 28) uint8 and (N,) int64, parsed straight from the IDX files.

    The same files and the same result as load_fashion_mnist (tests/lenet/test_data.py checks), without
    importing torchvision: that import alone takes ~1.3 s, a fifth of the dashboard's first-render budget.
    Training reads through torchvision.datasets.FashionMNIST; the dashboard's gallery reads here.
    """
    return _read_split(train, find_data_root(root, download=False).resolve())


def dataset_available(root: str | os.PathLike | None = None) -> bool:
    """True if the full data set can be had without downloading."""
    try:
        find_data_root(root, download=False)
        return True
    except DatasetNotFound:
        return False


def to_float(X: torch.Tensor) -> torch.Tensor:
    """uint8 images (N, 28, 28) -> float32 (N, 1, 28, 28) in [0, 1], as ToTensor() gives."""
    return X.unsqueeze(1).to(torch.float32).div_(255.0)


@dataclass
class Data:
    """Train and test tensors, already on the device: X float (N, 1, 28, 28) in [0, 1], y int64 (N,)."""

    X_train: torch.Tensor
    y_train: torch.Tensor
    X_test: torch.Tensor
    y_test: torch.Tensor

    @classmethod
    def load(cls, device: torch.device | str = "cpu", root: str | None = None, train_subset: int = 0,
             download: bool | None = None) -> "Data":
        """The real Fashion-MNIST (optionally only the first train_subset training images)."""
        X, y = load_fashion_mnist(True, root, download)
        if train_subset:
            X, y = X[:train_subset], y[:train_subset]
        X_test, y_test = load_fashion_mnist(False, root, download)
        return cls(to_float(X).to(device), y.to(device), to_float(X_test).to(device), y_test.to(device))
