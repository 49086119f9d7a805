"""How fast the explorer answers: server-side reruns, browser repaint, first render.

    python bench/ui_latency.py            # all three, medians, last line JSON
    python bench/ui_latency.py --skip-browser

1. server: Streamlit's AppTest runs the real script; the time of a rerun after an input change (next test
   image) and after a pooling toggle, each on a warm app (median of --repeats changes).
2. browser: `streamlit run` + headless Chromium; the time from the click on "+" of the image index (the
   page's own click event) to the frame that paints the LAST change the click caused: a MutationObserver
   stamps every change to the page with its next animation frame, and the page counts as settled after
   1 s without any change (and with the new image's caption shown), so late repaints are never missed.
   The page is looked at ten times a second, never with Playwright's per-frame waiting (see _LOOK).
   Measured twice: on the page as it opens (no detail view open) and with the conv1 detail view open.
   Also reported: the renderer's main-thread time and CPU time per change (Chromium's own counters, which
   include the 1 s of quiet): on a noisy machine a steadier measure of what a change costs the browser.
3. first render: from starting `streamlit run` to the paint of the last change of the first full page, in a
   browser already running (as a user's is), which opens the page as soon as the server answers.
"""
from __future__ import annotations

import argparse
import json
import statistics
import time

from dashboard_server import CHROMIUM, CHROMIUM_ARGS, PAGES, running_dashboard


def server_side(repeats: int) -> dict[str, float]:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(PAGES), default_timeout=120)
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
    at.session_state["stage"] = "conv1"  # the conv detail view open too
    at.run()
    details = []
    for k in range(repeats):
        at.session_state["index"] = 200 + k
        t = time.perf_counter()
        at.run()
        details.append(time.perf_counter() - t)
    assert not at.exception, at.exception
    assert any("Sum per input map" in m.value for m in at.markdown)
    return {"rerun_input_change_ms": 1e3 * statistics.median(inputs),
            "rerun_pooling_toggle_ms": 1e3 * statistics.median(toggles[2:] or toggles),
            "rerun_input_change_conv_detail_ms": 1e3 * statistics.median(details)}


# Every change to the page is recorded with the time of the frame that paints it; a user's click sets t0.
_WATCH = """() => {
    window.__lastPaint = performance.timeOrigin + performance.now();
    window.__clickAt = null;
    document.addEventListener('click', () => { window.__clickAt = performance.timeOrigin + performance.now(); },
                              true);
    new MutationObserver(() => requestAnimationFrame(() => {
        window.__lastPaint = performance.timeOrigin + performance.now();
    })).observe(document.body, {subtree: true, childList: true, attributes: true, characterData: true});
}"""
# One cheap look at the page, taken ten times a second from Python: Playwright's own waiting (get_by_text,
# wait_for_function) re-runs its selector engine over the whole page on every frame, on the same main thread
# as the page's rendering, and so would slow down what it measures.
_LOOK = """([n, text]) => {
    const plots = [...document.querySelectorAll('.js-plotly-plot')];
    const drawn = plots.length >= n && plots.every(p => p.querySelector('.main-svg'));
    const shown = !text || [...document.querySelectorAll('[data-testid="stCaptionContainer"]')]
        .some(e => e.textContent.includes(text));
    return drawn && shown ? window.__lastPaint : null;
}"""
QUIET_S = 1.0  # the page counts as settled once nothing has changed for this long


def _settled(page, n_plots: int, text: str = "", timeout_s: float = 120) -> float:
    """Wait until every chart is drawn, `text` is in a caption and the page has stopped changing; the epoch
    ms of its last paint."""
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        last = page.evaluate(_LOOK, [n_plots, text])
        if last is not None and time.time() * 1e3 - last >= QUIET_S * 1e3:
            return last
        time.sleep(0.1)
    raise RuntimeError("the page never settled")


def _input_changes(page, cdp, repeats: int, first_index: int) -> dict[str, list[float]]:
    """Click "+" of the image index `repeats` times; per change the wall time to the last paint, and the
    renderer's main-thread and CPU time."""
    plus = page.get_by_test_id("stNumberInputStepUp").first
    plus.wait_for()
    out = {"wall": [], "main": [], "cpu": []}
    for k in range(repeats):
        n_plots = page.locator(".js-plotly-plot").count()
        before = _counters(cdp)
        plus.click()
        last = _settled(page, n_plots, f"test image #{first_index + k + 1}:")
        after = _counters(cdp)
        out["wall"].append(last - page.evaluate("() => window.__clickAt"))
        out["main"].append(1e3 * (after["TaskDuration"] - before["TaskDuration"]))
        out["cpu"].append(1e3 * (after["ProcessTime"] - before["ProcessTime"]))
    return out


def browser_side(repeats: int) -> dict[str, float]:
    """Each input change: from the click on "+" to the paint of the last change it caused, however late;
    on the page as it opens (the overview), then with the conv1 detail view open (?stage=conv1)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        # the browser is already running, as a user's is: its own start-up is not the app's first render
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1700, "height": 2200})
        page.add_init_script(f"window.addEventListener('DOMContentLoaded', {_WATCH})")
        cdp = page.context.new_cdp_session(page)  # Chromium's own counters: steadier than wall time here
        cdp.send("Performance.enable", {"timeDomain": "threadTicks"})
        t0 = time.time()
        with running_dashboard() as url:
            page.goto(url)
            first = _settled(page, 2, "test image #0:") / 1e3 - t0  # gallery, overview
            overview = _input_changes(page, cdp, repeats, 0)
            page.goto(f"{url}/?stage=conv1&idx={repeats}")
            _settled(page, 3, f"test image #{repeats}:")  # gallery, overview, conv detail
            detail = _input_changes(page, cdp, repeats, repeats)
        browser.close()
    med = statistics.median
    return {"first_render_s": first, "browser_input_change_ms": med(overview["wall"]),
            "browser_input_change_all_ms": [round(t) for t in overview["wall"]],
            "renderer_main_thread_ms_per_change": med(overview["main"]),
            "renderer_cpu_ms_per_change": med(overview["cpu"]),
            "browser_input_change_conv_detail_ms": med(detail["wall"]),
            "browser_input_change_conv_detail_all_ms": [round(t) for t in detail["wall"]],
            "renderer_main_thread_ms_per_change_conv_detail": med(detail["main"])}


def _counters(cdp) -> dict[str, float]:
    """The page's renderer: main-thread task time and the process's CPU time (all threads), in seconds."""
    return {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--repeats", type=int, default=7, help="changes timed per measurement")
    p.add_argument("--skip-browser", action="store_true", help="only the server-side reruns")
    args = p.parse_args()
    result = server_side(args.repeats)
    print(json.dumps(result), flush=True)
    print(f"server rerun: input change {result['rerun_input_change_ms']:.0f} ms "
          f"({result['rerun_input_change_conv_detail_ms']:.0f} ms with the conv detail open), pooling toggle "
          f"{result['rerun_pooling_toggle_ms']:.0f} ms (goal 100 ms)")
    if not args.skip_browser:
        result.update(browser_side(args.repeats))
        print(f"browser: input change to every figure painted {result['browser_input_change_ms']:.0f} ms "
              f"(goal 300 ms), {result['browser_input_change_conv_detail_ms']:.0f} ms with the conv detail "
              f"view open; first render {result['first_render_s']:.1f} s (goal 6 s)")
        print(f"browser work per input change: {result['renderer_main_thread_ms_per_change']:.0f} ms on the "
              f"renderer's main thread ({result['renderer_main_thread_ms_per_change_conv_detail']:.0f} ms with "
              f"the conv detail open), {result['renderer_cpu_ms_per_change']:.0f} ms CPU in the renderer")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
