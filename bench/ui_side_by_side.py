"""This checkout's explorer against another commit's, side by side in one run (these machines are noisy).

    python bench/ui_side_by_side.py 8ddb7cd             # input change, 3 interleaved rounds of 9 changes each
    python bench/ui_side_by_side.py 8ddb7cd --what pooling --rounds 4

The other commit is checked out in a temporary git worktree; both are served and clicked in turn (round 1:
theirs, ours; round 2: theirs, ours; ...) in one headless Chromium at 1920×1080, and timed the way
ui_latency.py times them (click to the paint of the last change it caused). Prints the medians and their
ratio; the last line is JSON.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import tempfile
from pathlib import Path

from dashboard_server import CHROMIUM, CHROMIUM_ARGS, ROOT, running_dashboard
from ui_latency import _WATCH, _changes, _settled

POOLS = ["average", "max"]


def _round(browser, root: Path, what: str, repeats: int) -> dict[str, list[float]]:
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    page.add_init_script(f"window.addEventListener('DOMContentLoaded', {_WATCH})")
    cdp = page.context.new_cdp_session(page)
    cdp.send("Performance.enable", {"timeDomain": "threadTicks"})
    try:
        with running_dashboard(root=root) as url:
            page.goto(url)
            _settled(page, 2, "test image #0:")
            if what == "input":
                plus = page.get_by_test_id("stNumberInputStepUp").first
                plus.click()  # (the first change warms up what a change uses)
                _settled(page, 2, "test image #1:")
                return _changes(page, cdp, repeats, lambda k: plus.click(), lambda k: f"test image #{k + 2}:")
            return _changes(page, cdp, repeats, lambda k: page.get_by_role("radio", name=POOLS[k % 2]).click(),
                            lambda k: f"relu + {('avg', 'max')[k % 2]} pooling")
    finally:
        page.close()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("ref", help="the other commit (e.g. the one before a change)")
    p.add_argument("--what", choices=["input", "pooling"], default="input")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--repeats", type=int, default=9, help="changes timed per round")
    args = p.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        theirs = Path(tmp) / "other"
        subprocess.run(["git", "worktree", "add", "--detach", "-q", str(theirs), args.ref], cwd=ROOT, check=True)
        try:
            results = {"theirs": {"wall": [], "main": []}, "ours": {"wall": [], "main": []}}
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                for k in range(args.rounds):
                    for name, root in (("theirs", theirs), ("ours", ROOT)):
                        r = _round(browser, root, args.what, args.repeats)
                        for m in ("wall", "main"):
                            results[name][m] += r[m]
                        print(f"round {k + 1} {name}: {statistics.median(r['wall']):.0f} ms", flush=True)
                browser.close()
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(theirs)], cwd=ROOT, check=False)
    med = {n: {m: statistics.median(v) for m, v in r.items()} for n, r in results.items()}
    print(f"{args.what} change, click to last paint, median of {len(results['ours']['wall'])}: {args.ref} "
          f"{med['theirs']['wall']:.0f} ms, this checkout {med['ours']['wall']:.0f} ms, ratio "
          f"{med['ours']['wall'] / med['theirs']['wall']:.2f} (renderer main thread {med['theirs']['main']:.0f} → "
          f"{med['ours']['main']:.0f} ms)")
    print(json.dumps({"ref": args.ref, "what": args.what, **{f"{n}_{m}_ms": v for n, r in med.items()
                                                             for m, v in r.items()}}))


if __name__ == "__main__":
    main()
