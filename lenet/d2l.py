"""Models trained in the d2l notebook: `torch.save(net.state_dict(), path)` of the book's LeNet, read as ours.

The seed's `net` (SEED.md) begins with a `Reshape()` module, so its weighted layers sit at positions 1, 4, 8,
10 and 12 of its nn.Sequential (keys `1.weight`, `4.weight`, `8.weight`, ...); the book's current edition
drops `Reshape()` and they sit at 0, 3, 7, 9 and 11. Either file holds only weights: which activation and
pooling the net was built with is not in it, so the reader chooses (default the seed's: sigmoid + average).
Loaded with weights_only=True (no code in the file can run); every shape is checked against LeNet's with a
message naming the layer.
"""
from __future__ import annotations

import io
import os
import pickle
import re
from pathlib import Path

import torch

from lenet.config import ModelConfig
from lenet.i18n import N_, later, say
from lenet.model import LeNet

# the weighted layers' positions in each layout, in LeNet's order (conv1, conv2, fc1, fc2, fc3)
LAYOUTS = {
    "seed": (1, 4, 8, 10, 12),  # with Reshape() first, as in SEED.md
    "book": (0, 3, 7, 9, 11),  # the d2l book's current LeNet, without Reshape()
}
LAYOUT_TEXT = {"seed": N_("the seed's layout, Reshape() first"),  # (English keys: shown through _())
               "book": N_("the d2l book's layout, no Reshape()")}
OURS = ("conv1", "conv2", "fc1", "fc2", "fc3")
SEED_OPS = ("sigmoid", "avg")  # what the seed's net uses
MAX_BYTES = 16 * 1024 * 1024  # LeNet's weights are ~250 KB
_KEY = re.compile(r"^(\d+)\.(weight|bias)$")


class D2LError(ValueError):
    """Not a usable d2l LeNet state_dict; the message says why, in one line (str(e) in English; e.said the
    lenet.i18n.later() message, e.explained() in this thread's language)."""

    def __init__(self, message: str) -> None:
        super().__init__(say(message, "en"))
        self.said = message

    def explained(self) -> str:
        return say(self.said)


def is_d2l_state(payload) -> bool:
    """Whether a loaded object looks like an nn.Sequential's state_dict (keys 'N.weight' / 'N.bias' only)."""
    return (isinstance(payload, dict) and bool(payload)
            and all(isinstance(k, str) and _KEY.match(k) for k in payload)
            and all(isinstance(v, torch.Tensor) for v in payload.values()))


def layout_of(state: dict[str, torch.Tensor]) -> str:
    """Which layout ('seed' or 'book') the keys follow; D2LError if neither."""
    positions = tuple(sorted({int(_KEY.match(k).group(1)) for k in state}))
    for name, wanted in LAYOUTS.items():
        if positions == wanted:
            return name
    raise D2LError(later("its layers sit at positions {positions} of the Sequential; d2l's LeNet has them at {seed} "
                         "(the seed, with Reshape()) or {book} (the book, without)",
                         positions=", ".join(map(str, positions)), seed=", ".join(map(str, LAYOUTS["seed"])),
                         book=", ".join(map(str, LAYOUTS["book"]))))


def convert(state: dict[str, torch.Tensor], activation: str = SEED_OPS[0], pooling: str = SEED_OPS[1]) -> LeNet:
    """Our LeNet with the d2l state_dict's weights and the chosen ops; D2LError naming any layer that does not fit."""
    if not is_d2l_state(state):
        raise D2LError(later("not a state_dict of an nn.Sequential (expected keys such as '1.weight', '4.bias')"))
    layout = layout_of(state)
    model = LeNet(ModelConfig(activation, pooling))
    ours = model.state_dict()
    mapped = {}
    for position, name in zip(LAYOUTS[layout], OURS):
        for part in ("weight", "bias"):
            key, theirs = f"{position}.{part}", f"{name}.{part}"
            if key not in state:
                raise D2LError(later("{key} is missing ({layer}'s {part})", key=key, layer=name, part=part))
            got, want = tuple(state[key].shape), tuple(ours[theirs].shape)
            if got != want:
                raise D2LError(later("{key} ({layer}'s {part}) has shape {got}, LeNet's is {want}: not the book's "
                                     "LeNet", key=key, layer=name, part=part,
                                     got="×".join(map(str, got)) or "scalar", want="×".join(map(str, want))))
            mapped[theirs] = state[key].detach().to("cpu", torch.float32)
    if not all(torch.isfinite(v).all() for v in mapped.values()):
        raise D2LError(later("its weights contain NaN or infinite values"))
    model.load_state_dict(mapped)
    return model.eval()


def read_state(source: str | os.PathLike | bytes) -> dict[str, torch.Tensor]:
    """A d2l state_dict from a file or an upload's bytes, loaded safely; D2LError (one line) on anything else."""
    data = source if isinstance(source, bytes) else None
    if data is None:
        path = Path(source)
        if not path.is_file() or path.is_symlink():
            raise D2LError(later("not a file"))
        if path.stat().st_size > MAX_BYTES:
            raise D2LError(later("{mb:.0f} MB, far larger than LeNet's weights: refused", mb=path.stat().st_size / 1e6))
        data = path.read_bytes()
    elif len(data) > MAX_BYTES:
        raise D2LError(later("{mb:.0f} MB, far larger than LeNet's weights: refused", mb=len(data) / 1e6))
    try:
        payload = torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as e:
        if "GLOBAL" not in str(e):  # bytes a pickle cannot even start on: not a PyTorch file at all
            raise D2LError(later("not a readable PyTorch file (truncated, corrupt or something else)")) from e
        raise D2LError(later("refused: it holds Python objects other than weights, which could run code when loaded "
                             "(save net.state_dict(), not net)")) from e
    except Exception as e:  # torch's readers fail in many ways on a file that is not theirs
        raise D2LError(later("not a readable PyTorch file (truncated, corrupt or something else)")) from e
    if isinstance(payload, torch.nn.Module) or not is_d2l_state(payload):
        raise D2LError(later("not a state_dict of d2l's LeNet (save it with torch.save(net.state_dict(), path))"))
    return payload
