"""How fast the explorer answers: server-side reruns, browser repaint, first render.

    python bench/ui_latency.py            # all three, medians, last line JSON
    python bench/ui_latency.py --skip-browser

1. server: Streamlit's AppTest runs the real script; the time of a rerun after an input change (next test
   image) and after a pooling toggle, each on a warm app (median of --repeats changes).
2. browser: `streamlit run` + headless Chromium at 1920×1080; the time from a click (the page's own click
   event) to the frame that paints the LAST change the click caused: a MutationObserver stamps every change
   to the page with its next animation frame, and the page counts as settled after 1 s without any change
   (and with the text the change brings shown), so late repaints are never missed. The page is looked at
   ten times a second, never with Playwright's per-frame waiting (see _LOOK). Three kinds of click: "+" of
   the image index, the pooling toggle, and "step ▶" of the conv1 detail view (the sliding window one
   position on, in the view open over the overview, as the page shows it after a click on a map).
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
    at.session_state["screen"] = {"size": [1876, 1080]}  # what a 1920×1080 browser reports (dashboard/core/screen.py)
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
    assert any("Σ per input map" in m.value for m in at.markdown)
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
    const texts = '[data-testid="stMarkdownContainer"], [data-testid="stCaptionContainer"]';
    const shown = !text || [...document.querySelectorAll(texts)].some(e => e.textContent.includes(text));
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


def _changes(page, cdp, repeats: int, act, text) -> dict[str, list[float]]:
    """`repeats` changes: act(k) makes the k-th (a click), text(k) is what the page then shows; per change the
    wall time from the click to the last paint, and the renderer's main-thread and CPU time."""
    out = {"wall": [], "main": [], "cpu": []}
    for k in range(repeats):
        n_plots = page.locator(".js-plotly-plot").count()
        before = _counters(cdp)
        act(k)
        last = _settled(page, n_plots, text(k))
        after = _counters(cdp)
        out["wall"].append(last - page.evaluate("() => window.__clickAt"))
        out["main"].append(1e3 * (after["TaskDuration"] - before["TaskDuration"]))
        out["cpu"].append(1e3 * (after["ProcessTime"] - before["ProcessTime"]))
    return out


def browser_side(repeats: int, width: int = 1920, height: int = 1080) -> dict[str, float]:
    """On a 1920×1080 page: each input change (the click on "+" of the image index), each pooling toggle, and
    each change inside the conv1 detail view (the output map's "+"), from the click to the paint of the last
    change it caused, however late."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        # the browser is already running, as a user's is: its own start-up is not the app's first render
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": width, "height": height})
        page.add_init_script(f"window.addEventListener('DOMContentLoaded', {_WATCH})")
        cdp = page.context.new_cdp_session(page)  # Chromium's own counters: steadier than wall time here
        cdp.send("Performance.enable", {"timeDomain": "threadTicks"})
        t0 = time.time()
        with running_dashboard() as url:
            page.goto(url)
            first = _settled(page, 2, "test image #0:") / 1e3 - t0  # thumbnail strip, overview
            plus = page.get_by_test_id("stNumberInputStepUp").first
            inputs = _changes(page, cdp, repeats, lambda k: plus.click(), lambda k: f"test image #{k + 1}:")
            pools = ["average", "max"]
            toggles = _changes(page, cdp, repeats, lambda k: page.get_by_role("radio", name=pools[k % 2]).click(),
                               lambda k: f"relu + {('avg', 'max')[k % 2]} pooling")
            page.goto(f"{url}/?stage=conv1&map=0&i=3&j=3")
            _settled(page, 3, "at map 0, row 3")  # strip, overview, conv detail
            step = page.get_by_role("dialog").get_by_role("button", name="step ▶").filter(visible=True).first
            detail = _changes(page, cdp, repeats, lambda k: step.click(), lambda k: f"row 3, column {4 + k})")
            drawing = _drawing(page, url)
        browser.close()
    med = statistics.median
    return {"first_render_s": first, "browser_input_change_ms": med(inputs["wall"]),
            "browser_input_change_all_ms": [round(t) for t in inputs["wall"]],
            "renderer_main_thread_ms_per_change": med(inputs["main"]),
            "renderer_cpu_ms_per_change": med(inputs["cpu"]),
            "browser_pooling_toggle_ms": med(toggles["wall"]),
            "browser_pooling_toggle_all_ms": [round(t) for t in toggles["wall"]],
            "browser_conv_detail_change_ms": med(detail["wall"]),
            "browser_conv_detail_change_all_ms": [round(t) for t in detail["wall"]],
            "renderer_main_thread_ms_per_change_conv_detail": med(detail["main"]), **drawing}


# Stamps each new picture of the input the overview shows (one per update the drawing causes).
_WATCH_INPUT = """() => { window.__inputAt = []; let last = null;
    setInterval(() => { const gd = document.querySelector('.st-key-overview .js-plotly-plot');
        const t = gd && gd.data && gd.data.find(t => t.name === 'input');
        if (t && t.source !== last) { last = t.source; window.__inputAt.push(performance.now()); } }, 10); }"""


def _drawing(page, url: str, seconds: float = 3.0) -> dict[str, float]:
    """A stroke drawn for `seconds` on the pad: how often the overview follows it, and from the pen lifting
    to the last paint of the drawing's final overview."""
    page.goto(url + "/?src=draw")
    _settled(page, 1, "an empty canvas")
    page.evaluate(_WATCH_INPUT)
    box = page.locator(".sketch canvas").bounding_box()
    x, y = box["x"] + 40, box["y"] + 40
    page.mouse.move(x, y)
    page.mouse.down()
    t_down = page.evaluate("() => performance.now()")
    k = 0
    while page.evaluate("() => performance.now()") - t_down < seconds * 1e3:
        k += 1
        page.mouse.move(x + (k * 3) % 200, y + (k * 2) % 200)
        time.sleep(0.03)
    t_up = page.evaluate("() => performance.now() + performance.timeOrigin")
    page.mouse.up()
    last = _settled(page, 1, "your drawing")
    stamps = page.evaluate("() => window.__inputAt.map(t => t + performance.timeOrigin)")
    during = [t for t in stamps if t < t_up]
    return {"drawing_updates_per_s": len(during) / seconds, "drawing_stroke_end_to_paint_ms": last - t_up}


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
        print(f"browser (1920×1080): input change to every figure painted {result['browser_input_change_ms']:.0f} "
              f"ms, pooling toggle {result['browser_pooling_toggle_ms']:.0f} ms (goal 250 ms each); a change in "
              f"the conv detail view {result['browser_conv_detail_change_ms']:.0f} ms; first render "
              f"{result['first_render_s']:.1f} s (goal 6 s)")
        print(f"drawing: the overview follows the pen {result['drawing_updates_per_s']:.1f} times a second (goal 4), "
              f"{result['drawing_stroke_end_to_paint_ms']:.0f} ms from lifting it to the last paint (goal 300 ms)")
        print(f"browser work per input change: {result['renderer_main_thread_ms_per_change']:.0f} ms on the "
              f"renderer's main thread ({result['renderer_main_thread_ms_per_change_conv_detail']:.0f} ms per "
              f"change in the conv detail), {result['renderer_cpu_ms_per_change']:.0f} ms CPU in the renderer")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
