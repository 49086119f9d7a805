"""Model files that must not break anything: each kind, and what its message says (a regular expression)."""
from __future__ import annotations

import errno
import os
import subprocess
import zipfile
from pathlib import Path

import torch

from lenet import ModelConfig, build_model, save_checkpoint


def hostile_files(folder: Path) -> dict[str, str]:
    """Every kind of file that must not break a page, with what its message says."""
    model = build_model(ModelConfig(), seed=0)
    (folder / "text.pt").write_text("hello, this is not a model\n" * 10)
    (folder / "empty.pt").write_bytes(b"")
    (folder / "random.pt").write_bytes(os.urandom(3000))
    os.symlink("/etc/passwd", folder / "link.pt")
    os.symlink(folder / "nowhere.pt", folder / "dangling.pt")
    (folder / "folder.pt").mkdir()
    save_checkpoint(folder / "text-metrics.pt", model, metrics={"test_acc": "ninety", "epochs": 10})
    save_checkpoint(folder / "bool-metrics.pt", model, metrics={"epochs": True})
    save_checkpoint(folder / "snapshot-keys.pt", model, extra={"snapshots": {"first": model.state_dict()}})
    save_checkpoint(folder / "snapshot-shapes.pt", model, extra={"snapshots": {"1": {"x": torch.zeros(2)}}})
    torch.save([1, 2, 3], folder / "list.pt")
    os.mkfifo(folder / "pipe.pt")  # (opening it would wait for a writer forever)
    zip_bomb(save_checkpoint(folder / "ok.tmp", model), folder / "bomb.pt", 20 * 2**20)
    (folder / "ok.tmp").unlink()
    return {"bomb.pt": "would inflate to 21 MB", "pipe.pt": "not a regular file",
            "text.pt": "not a readable PyTorch file",
            "empty.pt": "not a readable PyTorch file", "random.pt": "PyTorch file|Python objects", "link.pt": "a link",
            "dangling.pt": "a link",
            "folder.pt": "a folder", "text-metrics.pt": "test_acc is not a number",
            "bool-metrics.pt": "epochs is not a number", "snapshot-keys.pt": "not an epoch number",
            "snapshot-shapes.pt": "epoch 1 does not fit", "list.pt": "not a LeNet explainer checkpoint"}


def zip_bomb(checkpoint: Path, out: Path, inflated: int) -> Path:
    """The checkpoint with one weight's record replaced by `inflated` zero bytes, deflated (a few hundred KB on
    disk for 300 MB): torch's reader inflates a record whole before it checks its size."""
    with zipfile.ZipFile(checkpoint) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            if info.filename.endswith("/data/4"):  # conv2's weights
                zout.writestr(info.filename, bytes(inflated), compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
            else:
                zout.writestr(info, zin.read(info))
    return out


class TinyDisk:
    """A 300-KB tmpfs as the models folder where this machine lets the tests mount one (root in CI); else the same
    folder on the ordinary disk with the save's write failing as a full disk's does (ENOSPC). A disk turned
    read-only under a running job is simulated either way (EROFS): Linux refuses to remount a file system
    read-only while the job holds its slot's lock file open for writing."""

    def __init__(self, folder, monkeypatch):
        import lenet.checkpoint as checkpoint

        self.folder, self.failing = folder, None
        self.real = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=300k", "tmpfs", str(folder)],
                                   capture_output=True).returncode == 0
        original = checkpoint.atomic_write

        def write(path, *args, **kwargs):
            if self.failing:
                raise OSError(self.failing, f"simulated: {errno.errorcode[self.failing]}", str(path))
            return original(path, *args, **kwargs)

        monkeypatch.setattr(checkpoint, "atomic_write", write)
        self.failing = None if self.real else errno.ENOSPC

    def make_room(self) -> None:
        if self.real:
            subprocess.run(["mount", "-o", "remount,size=16m", str(self.folder)], check=True)
        self.failing = None

    def read_only(self) -> None:
        self.failing = errno.EROFS

    def close(self) -> None:
        if self.real:
            subprocess.run(["umount", "-l", str(self.folder)])
