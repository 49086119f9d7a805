"""The classic preset trained from the dashboard against the same run from the CLI, on this machine.

    python bench/train_in_app.py --epochs 10      # the full classic recipe (about 2 × 40 s here)

CLI: `python -m lenet.train --preset classic --epochs N`, timed from start to exit. In-app: a real
`streamlit run dashboard/app.py`, the training page driven in headless Chromium (the page polling the job
every 3 s, as a lecturer would watch it), timed from pressing Start to the page saying the model is saved.
The two runs alternate (CLI, app, CLI, app, ...) --rounds times. Goal: in-app ≤ 1.2 × CLI. Last line JSON.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from dashboard_server import CHROMIUM, CHROMIUM_ARGS, ROOT, running_dashboard


def cli_run(epochs: int, out: Path) -> float:
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "lenet.train", "--preset", "classic", "--epochs", str(epochs),
                    "--quiet", "--out", str(out)], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t


def app_run(page, url: str, epochs: int, name: str) -> float:
    page.goto(url + "/training")
    page.get_by_text("Start training").wait_for(timeout=120_000)
    page.get_by_label("Epochs").fill(str(epochs))
    page.get_by_label("Model name").fill(name)
    t = time.perf_counter()
    page.get_by_role("button", name="Start training").click()
    page.get_by_text(f"Saved as {name}.pt").wait_for(timeout=1_800_000)
    return time.perf_counter() - t


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--epochs", type=int, default=10, help="epochs of the classic preset")
    p.add_argument("--rounds", type=int, default=1, help="alternating CLI / app pairs")
    args = p.parse_args()
    from playwright.sync_api import sync_playwright

    models = Path(tempfile.mkdtemp(prefix="lenet-bench-models-"))
    cli, app = [], []
    with running_dashboard({"LENET_MODELS_DIR": str(models)}) as url:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1500, "height": 1500})
            for r in range(args.rounds):
                cli.append(cli_run(args.epochs, models / f"cli-{r}.pt"))
                print(f"round {r + 1}: CLI {cli[-1]:.1f} s", flush=True)
                app.append(app_run(page, url, args.epochs, f"app-{r}"))
                print(f"round {r + 1}: in-app {app[-1]:.1f} s", flush=True)
            browser.close()
    result = {"epochs": args.epochs, "cli_s": statistics.median(cli), "app_s": statistics.median(app),
              "ratio": statistics.median(app) / statistics.median(cli), "cli_runs": cli, "app_runs": app}
    print(f"classic preset, {args.epochs} epochs: CLI {result['cli_s']:.1f} s, in-app {result['app_s']:.1f} s, "
          f"ratio {result['ratio']:.2f} (goal ≤ 1.2)")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
