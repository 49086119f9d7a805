"""How fast the explorer answers: server-side reruns, browser repaint, first render.

    python bench/ui_latency.py            # all three, medians, last line JSON
    python bench/ui_latency.py --skip-browser

1. server: Streamlit's AppTest runs the real script; the time of a rerun after an input change (next test
   image) and after a pooling toggle, each on a warm app (median of --repeats changes).
2. browser: `streamlit run` + headless Chromium; the time from clicking "+" on the image index until the
   new image's caption is shown and every Plotly chart on the page has repainted.
3. first render: from starting `streamlit run` to the whole explorer painted in the browser.
"""
from __future__ import annotations

import argparse
import json
import statistics
import time

from dashboard_server import APP, CHROMIUM, CHROMIUM_ARGS, running_dashboard



def server_side(repeats: int) -> dict[str, float]:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(APP), default_timeout=120)
    at.run()
    at.run()  # warm: models loaded, figures built once
    inputs, toggles = [], []
    for k in range(repeats):
        at.session_state["index"] = 100 + k
        t = time.perf_counter()
        at.run()
        inputs.append(time.perf_counter() - t)
    pool = next(b for b in at.get("button_group") if b.label == "Pooling")
    for k in range(repeats):
        pool.set_value("avg" if k % 2 == 0 else "max")
        t = time.perf_counter()
        at.run()
        toggles.append(time.perf_counter() - t)
        pool = next(b for b in at.get("button_group") if b.label == "Pooling")
    assert not at.exception, at.exception
    return {"rerun_input_change_ms": 1e3 * statistics.median(inputs),
            "rerun_pooling_toggle_ms": 1e3 * statistics.median(toggles[2:] or toggles)}


_PAINTED = """(n) => {
    const plots = [...document.querySelectorAll('.js-plotly-plot')];
    return plots.length >= n && plots.every(p => p.querySelector('.main-svg'));
}"""
_FRAMES = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))"


def browser_side(repeats: int) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    t0 = time.perf_counter()
    with running_dashboard() as url:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1700, "height": 2200})
            page.goto(url)
            page.get_by_text("Explain stage").wait_for(timeout=120_000)
            page.wait_for_function(_PAINTED, arg=6, timeout=120_000)  # gallery, seen, overview, details
            first = time.perf_counter() - t0
            times, firsts = [], []
            for k in range(repeats):
                n_plots = page.locator(".js-plotly-plot").count()
                caption = f"test image #{k + 1}:"
                t = time.perf_counter()
                page.get_by_test_id("stNumberInputStepUp").first.click()
                page.get_by_text(caption).wait_for()
                firsts.append(time.perf_counter() - t)
                # the last figure of the page is drawn from the new image once its header names it
                page.wait_for_function(_PAINTED, arg=n_plots, timeout=30_000)
                page.evaluate(_FRAMES)
                times.append(time.perf_counter() - t)
            browser.close()
    return {"first_render_s": first, "browser_input_change_ms": 1e3 * statistics.median(times),
            "browser_first_change_visible_ms": 1e3 * statistics.median(firsts)}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--repeats", type=int, default=7, help="changes timed per measurement")
    p.add_argument("--skip-browser", action="store_true", help="only the server-side reruns")
    args = p.parse_args()
    result = server_side(args.repeats)
    print(json.dumps(result), flush=True)
    print(f"server rerun: input change {result['rerun_input_change_ms']:.0f} ms, pooling toggle "
          f"{result['rerun_pooling_toggle_ms']:.0f} ms (goal 100 ms)")
    if not args.skip_browser:
        result.update(browser_side(args.repeats))
        print(f"browser: input change to every figure painted {result['browser_input_change_ms']:.0f} ms "
              f"(goal 300 ms); first render {result['first_render_s']:.1f} s (goal 6 s)")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
