"""Which device to compute on: cuda, then mps, then cpu, unless one is named."""
from __future__ import annotations

import torch


def pick_device(name: str = "auto") -> torch.device:
    """The named device, or the best available one for name='auto'; a clear error if it is missing."""
    if name == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    device = torch.device(name)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise RuntimeError(f"device {name!r} was asked for, but this machine has no usable CUDA GPU")
    if device.type == "mps" and not (getattr(torch.backends, "mps", None) and torch.backends.mps.is_available()):
        raise RuntimeError(f"device {name!r} was asked for, but MPS is not available here")
    return device


def describe_device(device: torch.device, threads: int | None = None) -> str:
    """'cpu (2 threads)', 'cuda (NVIDIA H100 80GB HBM3)', ...; threads: the CPU threads the run will use
    (default: this process's)."""
    if device.type == "cuda":
        return f"cuda ({torch.cuda.get_device_name(device)})"
    if device.type == "cpu":
        n = threads or torch.get_num_threads()
        return f"cpu ({n} thread{'s' if n != 1 else ''})"
    return device.type
