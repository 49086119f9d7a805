"""The LeNet family's cost (issue 24): the seed's LeNet as fast as before, and the widest member within bounds.

    python bench/family_speed.py 6a8f4dd          # against the build before the family, 3 interleaved rounds
    python bench/family_speed.py 6a8f4dd --rounds 5 --images 20000

1. training, side by side: one epoch of the seed's classic LeNet (sigmoid, average pooling, SGD lr 0.9, batch 256)
   on the first --images real training images, by this checkout's engine and by the other commit's (checked out in
   a temporary git worktree), each in a fresh process, alternating (theirs, ours, theirs, ...): examples per
   second of training (evaluation excluded, as d2l reports it).
2. exploring, side by side: the explorer's server rerun after an input change (AppTest, the real script, at
   1920×1080; ui_latency.py's server_side), in each build, alternating.
3. the widest member (4 conv blocks of 64 maps with 7×7 kernels, BatchNorm, the maps kept 28×28 until the
   last block pools, and 3 hidden dense layers of 1,024 with BatchNorm and dropout), this checkout only: the
   explorer's server rerun after an input change, on a model of it saved as a model trained here; and, for
   scale, the same for the seed's LeNet saved the same way. The goal: at most 300 ms.
   Also the hand-written training pass against autograd, ms per step (batch 256), for members it covers: why the
   engine steps the seed's conv blocks by hand and every other member by autograd (lenet.fastgrad.trains_faster).
Prints the medians and ratios; the last line is JSON.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_TRAIN = """
import json, sys
from lenet.config import ModelConfig, TrainConfig
from lenet.engine import EpochEvent, Trainer
tc = TrainConfig(num_epochs=1, train_subset={images})
epochs = [e for e in Trainer(ModelConfig(), tc, device="cpu").run() if isinstance(e, EpochEvent)]
print(json.dumps({{"examples_per_sec": epochs[-1].examples_per_sec}}))
"""

_EXPLORE = """
import json, sys
sys.path.insert(0, {bench!r})
from ui_latency import server_side
print(json.dumps(server_side({repeats})))
"""


def _run(root: Path, code: str, env: dict | None = None) -> dict:
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(root), **(env or {})}, timeout=1800)
    if out.returncode:
        raise RuntimeError(out.stderr[-3000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def side_by_side(other: Path, rounds: int, images: int, repeats: int) -> dict:
    runs = {"theirs": {"train": [], "explore": []}, "ours": {"train": [], "explore": []}}
    for r in range(rounds):
        for who, root in (("theirs", other), ("ours", ROOT)):
            t = _run(root, _TRAIN.format(images=images))["examples_per_sec"]
            e = _run(root, _EXPLORE.format(bench=str(root / "bench"), repeats=repeats))["rerun_input_change_ms"]
            runs[who]["train"].append(t)
            runs[who]["explore"].append(e)
            print(f"round {r + 1} {who:6}: {t:7.0f} examples/s, input change {e:5.1f} ms", flush=True)
    med = {who: {k: statistics.median(v) for k, v in d.items()} for who, d in runs.items()}
    return {"train_examples_per_sec": {w: med[w]["train"] for w in med},
            "train_ratio_ours_over_theirs": med["ours"]["train"] / med["theirs"]["train"],
            "explore_input_change_ms": {w: med[w]["explore"] for w in med},
            "explore_ratio_ours_over_theirs": med["ours"]["explore"] / med["theirs"]["explore"]}


def widest_config():
    from lenet.config import ConvBlock, DenseLayer, ModelConfig

    convs = tuple(ConvBlock(64, 7, 3, batchnorm=True, pool=b == 3) for b in range(4))
    return ModelConfig("relu", "max", convs, (DenseLayer(1024, True, 0.5),) * 3)


def widest(repeats: int) -> dict:
    """The explorer's input change for the widest member and for the seed's, each saved as a model trained here."""
    import torch
    from streamlit.testing.v1 import AppTest

    from lenet.checkpoint import save_checkpoint
    from lenet.config import ModelConfig
    from lenet.model import build_model
    from lenet.stages import STAGES, stages_of

    out = {}
    with tempfile.TemporaryDirectory() as folder:
        os.environ["LENET_MODELS_DIR"] = folder
        for name, config in (("seed", ModelConfig("relu", "max")), ("widest", widest_config())):
            model = build_model(config, seed=0)
            with torch.no_grad():
                model.train()(torch.rand(32, 1, 28, 28))
            save_checkpoint(Path(folder) / f"{name}.pt", model.eval(), {"test_acc": 0.5})
            at = AppTest.from_file(str(ROOT / "dashboard" / "navigation.py"), default_timeout=300)
            at.session_state["screen"] = {"size": [1876, 1080]}
            at.query_params.update({"mode": "user", "um": f"{name}.pt"})
            at.run()
            at.run()
            times = []
            for k in range(repeats):
                at.session_state["index"] = 100 + k
                t = time.perf_counter()
                at.run()
                times.append(1e3 * (time.perf_counter() - t))
            assert not at.exception, [e.value for e in at.exception]
            drawn = " ".join(c.proto.spec for c in at.get("plotly_chart"))
            assert f'"conv{len(config.convs)}"' in drawn, "the network was not drawn"  # (what was timed)
            out[name] = {"input_change_ms": statistics.median(times),
                         "work_vs_seed": stages_of(config).work() / STAGES.work(),
                         "maps_drawn": sum(s.shape[0] for s in stages_of(config) if s.is_map)}
            print(f"{name:6}: input change {out[name]['input_change_ms']:.0f} ms ({out[name]['work_vs_seed']:.0f}× "
                  f"the seed's work per image, {out[name]['maps_drawn']} maps drawn)", flush=True)
    return out


def hand_vs_autograd(steps: int = 20) -> dict:
    """ms per training step (batch 256) of a member the hand-written pass covers, by it and by autograd."""
    import torch
    import torch.nn.functional as F

    from lenet.fastgrad import loss_and_grads, params_of
    from lenet.model import build_model
    from tests.members import MEMBERS

    out = {}
    from lenet.config import ARCHITECTURES, ModelConfig

    members = {**{k: MEMBERS[k] for k in ("seed", "no_hidden", "one_block", "three_blocks")},
               "wide 3×3": ModelConfig("relu", "max", *ARCHITECTURES["wide"])}
    for name, config in members.items():
        model = build_model(config, seed=0)
        X, y = torch.rand(256, 1, 28, 28), torch.randint(0, 10, (256,))
        params = params_of(model)
        times = {"hand": [], "autograd": []}
        for k in range(2 * steps):  # alternating
            how = "hand" if k % 2 == 0 else "autograd"
            t = time.perf_counter()
            if how == "hand":
                loss_and_grads(params, X, y, config)
            else:
                model.zero_grad()
                F.cross_entropy(model(X), y).backward()
            times[how].append(1e3 * (time.perf_counter() - t))
        out[name] = {k: statistics.median(v[2:]) for k, v in times.items()}
        print(f"{name}: a step by the hand-written pass {out[name]['hand']:.1f} ms, by autograd "
              f"{out[name]['autograd']:.1f} ms", flush=True)
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("commit", nargs="?", help="the build to compare with (skip the side-by-side part if none)")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--images", type=int, default=20000)
    p.add_argument("--repeats", type=int, default=9)
    args = p.parse_args()
    sys.path.insert(0, str(ROOT))
    result = {}
    if args.commit:
        with tempfile.TemporaryDirectory() as tmp:
            other = Path(tmp) / "other"
            subprocess.run(["git", "worktree", "add", "--detach", "-q", str(other), args.commit], cwd=ROOT,
                           check=True)
            try:
                result["side_by_side"] = side_by_side(other, args.rounds, args.images, args.repeats)
            finally:
                subprocess.run(["git", "worktree", "remove", "--force", str(other)], cwd=ROOT, check=False)
        s = result["side_by_side"]
        print(f"seed LeNet training: ours/theirs {s['train_ratio_ours_over_theirs']:.2f}; explorer input change: "
              f"ours/theirs {s['explore_ratio_ours_over_theirs']:.2f}")
    result["widest"] = widest(args.repeats)
    result["hand_vs_autograd_ms_per_step"] = hand_vs_autograd()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
