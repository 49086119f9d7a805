"""Server CPU per input change of two checkouts, measured side by side: `streamlit run` of each in turn, the
same simulated class (bench/class_load.py) against each, alternating the order every round, each round its
own random images. These machines are noisy: only such paired runs say whether a change helped.

    python bench/class_side_by_side.py OTHER_CHECKOUT [--students 20] [--seconds 25] [--rounds 4]

OTHER_CHECKOUT: e.g. `git worktree add /tmp/base HEAD~1`. Prints each run and, per checkout, the sorted CPU
per change (ms), p95 latency (ms) and errors.
"""
from __future__ import annotations

import argparse
from pathlib import Path

try:  # run as a script (bench/ on the path) or imported as bench.class_side_by_side
    from class_load import measure
    from dashboard_server import ROOT, running_dashboard
except ImportError:
    from bench.class_load import measure
    from bench.dashboard_server import ROOT, running_dashboard


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("other", type=Path, help="another checkout of the project (the baseline)")
    p.add_argument("--students", type=int, default=20)
    p.add_argument("--seconds", type=float, default=25.0)
    p.add_argument("--rounds", type=int, default=4)
    args = p.parse_args()
    roots = [("baseline", args.other.resolve()), ("this", ROOT)]
    results: dict[str, list[tuple[float, float, int]]] = {name: [] for name, _ in roots}
    for r in range(args.rounds):
        for name, root in roots if r % 2 == 0 else roots[::-1]:
            pids: list[int] = []
            with running_dashboard(root=root, pids=pids) as url:
                measure(url, 5, 5, seed=999, server_pid=pids[0])  # warm-up, not counted
                m = measure(url, args.students, args.seconds, seed=r + 1, server_pid=pids[0])
            results[name].append((m["server_cpu_ms_per_change"], m["p95_ms"], m["errors"]))
            print(f"round {r + 1} {name}: CPU {m['server_cpu_ms_per_change']:.1f} ms per change, "
                  f"p95 {m['p95_ms']:.0f} ms, {m['errors']} errors", flush=True)
    for name, rows in results.items():
        print(f"{name}: CPU per change {sorted(round(c, 1) for c, _, _ in rows)} ms, "
              f"p95 {sorted(round(p) for _, p, _ in rows)} ms, errors {sum(e for _, _, e in rows)}")


if __name__ == "__main__":
    main()
