"""Switching the language against toggling the pooling, side by side on one page (issue 23: a switch re-renders
within the same time as a pooling toggle).

    python bench/language_switch.py               # 3 interleaved rounds of 6 of each, browser and server
    python bench/language_switch.py --rounds 4 --skip-server

1. browser: `streamlit run` + headless Chromium at 1920×1080, timed as ui_latency.py times a change: from the
   click to the paint of the last change it caused (1 s of quiet after the text the change brings). Rounds
   alternate: six pooling toggles (average ↔ max), six language switches (中文 ↔ English), and again. The
   first switch into a language builds that language's figures (the shared caches are keyed by language):
   it is reported on its own, the later ones are the median.
2. server: AppTest runs the real script; the rerun after a pooling toggle against the rerun after a switch.
Prints medians and the ratio switch / toggle; the last line is JSON.
"""
from __future__ import annotations

import argparse
import json
import statistics
import time

from dashboard_server import CHROMIUM, CHROMIUM_ARGS, PAGES, running_dashboard
from ui_latency import _WATCH, _changes, _settled

POOLS = {"en": ("average", "max"), "zh": ("平均", "最大")}
SEEN = {"en": "test image #0:", "zh": "测试图像 #0"}  # what the caption says once the page speaks it


def browser_side(rounds: int, repeats: int) -> dict:
    from playwright.sync_api import sync_playwright

    toggles, switches, firsts = [], [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1920, "height": 1080}, locale="en-GB")
        page.add_init_script(f"window.addEventListener('DOMContentLoaded', {_WATCH})")
        cdp = page.context.new_cdp_session(page)
        cdp.send("Performance.enable", {"timeDomain": "threadTicks"})
        with running_dashboard() as url:
            page.goto(url)
            _settled(page, 2, SEEN["en"])
            lang = "en"
            for r in range(rounds):
                names = POOLS[lang]
                toggles += _changes(page, cdp, repeats, lambda k: page.get_by_role("radio", name=names[k % 2]).click(),
                                    lambda k: f"relu + {names[k % 2]}")["wall"]
                order = ["zh", "en"] if lang == "en" else ["en", "zh"]
                switch = page.locator(".st-key-language")
                took = _changes(page, cdp, repeats,
                                lambda k: switch.get_by_role("radio", name="中文" if order[k % 2] == "zh" else
                                                             "English").click(),
                                lambda k: SEEN[order[k % 2]])["wall"]
                if r == 0:  # the first switch into Chinese built its figures; the first back found them
                    firsts.append(took[0])
                    took = took[1:]
                switches += took
                lang = order[(repeats - 1) % 2]
        browser.close()
    return {"browser_pooling_toggle_ms": statistics.median(toggles),
            "browser_language_switch_ms": statistics.median(switches),
            "browser_first_switch_ms": firsts[0],
            "browser_switch_over_toggle": statistics.median(switches) / statistics.median(toggles),
            "browser_pooling_toggle_all_ms": [round(t) for t in toggles],
            "browser_language_switch_all_ms": [round(t) for t in switches]}


def server_side(rounds: int, repeats: int) -> dict:
    from streamlit.testing.v1 import AppTest

    from lenet.i18n import use

    at = AppTest.from_file(str(PAGES), default_timeout=120)
    at.session_state["screen"] = {"size": [1876, 1080]}
    at.query_params["lang"] = "en"
    at.run()
    at.run()
    lang, toggles, switches = "en", [], []
    for r in range(rounds):
        for k in range(repeats):
            at.segmented_control(key="pooling").set_value("avg" if k % 2 == 0 else "max")
            t = time.perf_counter()
            at.run()
            toggles.append(time.perf_counter() - t)
        for k in range(repeats):
            lang = "zh" if lang == "en" else "en"
            at.segmented_control(key="lang_choice").set_value(lang)
            t = time.perf_counter()
            at.run()
            switches.append(time.perf_counter() - t)
            use(lang)  # (AppTest formats the menus' values in this thread: it speaks what the page shows)
    assert not at.exception, at.exception
    use("en")
    toggle, switch = statistics.median(toggles) * 1e3, statistics.median(switches[1:]) * 1e3
    return {"rerun_pooling_toggle_ms": toggle, "rerun_language_switch_ms": switch,
            "rerun_first_switch_ms": switches[0] * 1e3, "rerun_switch_over_toggle": switch / toggle}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--repeats", type=int, default=6, help="changes of each kind per round")
    p.add_argument("--skip-server", action="store_true")
    p.add_argument("--skip-browser", action="store_true")
    args = p.parse_args()
    result = {}
    if not args.skip_server:
        result.update(server_side(args.rounds, args.repeats))
        print(f"server rerun: pooling toggle {result['rerun_pooling_toggle_ms']:.0f} ms, language switch "
              f"{result['rerun_language_switch_ms']:.0f} ms (the first {result['rerun_first_switch_ms']:.0f} ms): "
              f"×{result['rerun_switch_over_toggle']:.2f}", flush=True)
    if not args.skip_browser:
        result.update(browser_side(args.rounds, args.repeats))
        print(f"browser, click to last paint: pooling toggle {result['browser_pooling_toggle_ms']:.0f} ms, "
              f"language switch {result['browser_language_switch_ms']:.0f} ms (the first "
              f"{result['browser_first_switch_ms']:.0f} ms): ×{result['browser_switch_over_toggle']:.2f}", flush=True)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
