"""Training speed while the machine is busy: the worker's OpenMP threads spinning as the library does by default,
against waiting passively (OMP_WAIT_POLICY=PASSIVE) and against a short spin before they sleep
(GOMP_SPINCOUNT=1000, what lenet.jobs sets for the dashboard's worker).

    python bench/busy_training.py               # 3 rounds: each policy with the cores free, then with one busy
    python bench/busy_training.py --rounds 5

The dashboard's training worker shares the machine with the web server: a 70-s run once showed 12,996
examples/s, then 485, while the server drew pages. Each round trains the demo preset (6,000 images, 4 epochs) in
a fresh process per setting, side by side, with the cores free and then with one core kept busy by a spinning
process (as a server answering a class does). Prints each run and the medians; the last line is JSON.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import statistics
import subprocess
import sys

RUN = """
import torch
from lenet.config import PRESETS
from lenet.engine import EpochEvent, Trainer
torch.set_num_threads({threads})
model_config, train_config = PRESETS["demo"]
speeds = [ev.examples_per_sec for ev in Trainer(model_config, train_config, "cpu").run() if isinstance(ev, EpochEvent)]
print(speeds[-1])
"""


def _spin(stop) -> None:
    while not stop.is_set():
        pass


SETTINGS = {"default": {}, "passive": {"OMP_WAIT_POLICY": "PASSIVE"}, "spin 1000": {"GOMP_SPINCOUNT": "1000"}}


def train(setting: dict[str, str], threads: int) -> float:
    """examples/s of the demo preset in a fresh process with these OpenMP settings."""
    env = {k: v for k, v in os.environ.items() if k not in ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT")}
    out = subprocess.run([sys.executable, "-c", RUN.format(threads=threads)], capture_output=True, text=True,
                         check=True, env={**env, **setting})
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="rounds of each policy, free and busy")
    parser.add_argument("--threads", type=int, default=len(os.sched_getaffinity(0)), help="training threads")
    args = parser.parse_args()
    results: dict[str, list[float]] = {}
    for busy in (False, True):
        stop = mp.Event()
        spinner = mp.Process(target=_spin, args=(stop,), daemon=True) if busy else None
        if spinner:
            spinner.start()
        try:
            for r in range(args.rounds):
                for name, setting in SETTINGS.items():
                    speed = train(setting, args.threads)
                    key = f"{name}{', busy' if busy else ''}"
                    results.setdefault(key, []).append(speed)
                    print(f"round {r + 1} {key:>16}: {speed:8,.0f} examples/s", flush=True)
        finally:
            stop.set()
            if spinner:
                spinner.join()
    medians = {k: statistics.median(v) for k, v in results.items()}
    for k, v in medians.items():
        print(f"median {k:>16}: {v:8,.0f} examples/s")
    print(json.dumps({"threads": args.threads, "medians": medians}))


if __name__ == "__main__":
    main()
