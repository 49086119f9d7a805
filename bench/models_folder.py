"""The Training page with a big models folder, and with a zip bomb in it: this checkout against another commit,
side by side in one run (these machines are noisy).

    python bench/models_folder.py                 # this checkout: 2,000 files, then the bomb
    python bench/models_folder.py eaa74d8         # and that commit, in turn (round 1: theirs, ours; ...)
    python bench/models_folder.py eaa74d8 --files 500 --rounds 2

Each measurement runs in a fresh process (the page through Streamlit's AppTest, the models folder a temporary
one): the first load of the page, then four more (the median), with FILES copies of one checkpoint (hard
links); then the growth of the process's peak memory over one load of the page whose folder holds one
checkpoint and a 2-MB file whose record inflates to 2 GB. Prints each and the medians; the last line is JSON.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

LOADS = """
import os, resource, statistics, sys, time
from pathlib import Path
from streamlit.testing.v1 import AppTest
from lenet import ModelConfig, build_model, save_checkpoint
folder = Path(sys.argv[1])
PAGE = "from dashboard.app_pages import training; training.show()"
def load():
    at = AppTest.from_string(PAGE, default_timeout=600)
    t = time.perf_counter()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return time.perf_counter() - t
first = save_checkpoint(folder / "m0000.pt", build_model(ModelConfig(), seed=0), {"test_acc": 0.5, "epochs": 1})
if sys.argv[2] == "bomb":
    import importlib.util  # (our tests' bomb maker, with the measured checkout's lenet)
    spec = importlib.util.spec_from_file_location("bomb_maker", Path(sys.argv[3]) / "tests" / "files.py")
    files = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(files)
    files.zip_bomb(first, folder / "bomb.pt", 2 * 2**30)
    os.environ["LENET_MODELS_DIR"] = str(folder / "empty")
    load()  # (Streamlit and torch warmed up on an empty folder: what grows after is the bomb's)
    os.environ["LENET_MODELS_DIR"] = str(folder)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    seconds = load()
    print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024, seconds)
else:
    for k in range(1, int(sys.argv[2])):
        os.link(first, folder / f"m{k:04d}.pt")
    os.environ["LENET_MODELS_DIR"] = str(folder)
    print(load(), statistics.median(load() for _ in range(4)))
"""


def _measure(root: Path, what: str) -> list[float]:
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "PYTHONPATH": str(root)}
        out = subprocess.run([sys.executable, "-c", LOADS, folder, what, str(ROOT)], cwd=root, env=env,
                             capture_output=True, text=True, timeout=3600)
        if out.returncode:
            raise SystemExit(out.stderr[-2000:])
        return [float(v) for v in out.stdout.split()]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("ref", nargs="?", help="another commit to measure in turn (e.g. the one before a change)")
    p.add_argument("--files", type=int, default=2000)
    p.add_argument("--rounds", type=int, default=1)
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        roots = {"ours": ROOT}
        if args.ref:
            roots = {"theirs": Path(tmp) / "other", **roots}
            subprocess.run(["git", "worktree", "add", "--detach", "-q", str(roots["theirs"]), args.ref],
                           cwd=ROOT, check=True)
        try:
            results = {name: {"first_s": [], "again_s": [], "bomb_mb": [], "bomb_s": []} for name in roots}
            for r in range(args.rounds):
                for name, root in roots.items():
                    first, again = _measure(root, str(args.files))
                    grew, seconds = _measure(root, "bomb")
                    print(f"round {r + 1} {name}: {args.files:,} files: first load {first:.2f} s, again {again:.2f} s"
                          f" · with the bomb: +{grew:,.0f} MB, {seconds:.2f} s", flush=True)
                    for key, value in zip(results[name], (first, again, grew, seconds)):
                        results[name][key].append(value)
        finally:
            if args.ref:
                subprocess.run(["git", "worktree", "remove", "--force", str(roots["theirs"])], cwd=ROOT)
    medians = {name: {k: round(statistics.median(v), 3) for k, v in r.items()} for name, r in results.items()}
    print(json.dumps({"files": args.files, "medians": medians}))


if __name__ == "__main__":
    main()
