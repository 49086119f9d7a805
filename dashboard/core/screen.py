"""The screen the page is shown on: its size, reported by the browser, and the page's compact look.

Streamlit's server does not know the browser's size, so a tiny component (JavaScript only, nothing drawn)
reports the main column's width and the window's height, and again after every resize. The figures are then
laid out in CSS pixels for that screen (figures.overview.Screen): text stays at the size it was laid out in,
which is what keeps it readable and unclipped on a projector.

The reporter is the first thing every run sends (navigation.py, before the pages' slow imports): on a
fresh server the browser has said its size before the first run has finished, so the page is drawn once, at
the right size. It also starts loading plotly.js, which Streamlit otherwise fetches only when the first chart
arrives (4.7 MB of JavaScript: over a second of the first render spent after the page is otherwise ready).
"""
from __future__ import annotations

from pathlib import Path

import streamlit as st

from dashboard.figures.overview import NARROW_BELOW, Screen
from lenet.i18n import language

_JS = """
export default function(component) {
    const { setStateValue, data } = component;
    if (!window.__lenetPreloaded && data && data.preload) {  // Streamlit's own chunks, by their file names
        window.__lenetPreloaded = true;
        const main = document.querySelector('script[type="module"][src*="static/js/index."]');
        if (main) for (const name of data.preload) import(new URL(name, main.src).href).catch(() => {});
    }
    const main = () => document.querySelector('[data-testid="stMainBlockContainer"]');
    const measure = () => {
        const el = main();
        let width = window.innerWidth, top = -1;
        if (el) {
            const style = getComputedStyle(el);
            width = el.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
            // where the network starts on the page (what the bar and the strip above it take, however they wrap)
            const net = document.querySelector('.st-key-network');
            const scroller = document.querySelector('[data-testid="stMain"]');
            if (net && net.offsetParent) top = net.getBoundingClientRect().top + (scroller ? scroller.scrollTop : 0);
        }
        return [Math.floor(width), Math.floor(window.innerHeight), Math.round(top)];
    };
    let last = null;  // what this reporter told its page (each page's reporter tells its own once at least)
    window.__lenetReport = () => {
        const [w, h, top] = measure();
        // where the server already placed the network for this page's language (a switch back to a language
        // measured before): nothing to tell, no second drawing
        const held = data && data.held;  // [width, height, top] the server lays this run out for, if it knows
        if (held && Math.abs(held[0] - w) < 8 && Math.abs(held[1] - h) < 8 && top >= 0 && held[2] >= 0
            && Math.abs(held[2] - top) < 8) { last = [w, h, top]; return; }
        if (last && Math.abs(last[0] - w) < 8 && Math.abs(last[1] - h) < 8
            && (top < 0 || Math.abs(last[2] - top) < 8)) return;
        last = [w, h, top < 0 && last ? last[2] : top];
        setStateValue("size", last);
    };
    if (!window.__lenetWatch) {  // once per page: the main column can change width without the window resizing
        let timer = null;
        window.__lenetWatch = () => { clearTimeout(timer); timer = setTimeout(() => window.__lenetReport(), 150); };
        window.addEventListener("resize", window.__lenetWatch);
        // the main column's size changes with its width, and with its height when what is above the network wraps
        new ResizeObserver(window.__lenetWatch).observe(main() || document.body);
        window.__lenetReport();  // the first size at once: the page waits for it
    } else {
        window.__lenetWatch();
    }
}
"""

_screen = st.components.v2.component("lenet_screen", js=_JS)
# plotly.js as Streamlit's front end loads it (a chunk of its build, named with a hash): preloaded by the reporter
PRELOAD = sorted(p.name for p in (Path(st.__file__).parent / "static" / "static" / "js").glob("PlotlyChart.*.js"))

# Compact page: little padding, the header's height kept for its buttons, the size component out of sight.
_CSS = """
<style>
[data-testid="stMainBlockContainer"] {padding: 2.6rem 1.2rem 0.5rem 1.2rem; max-width: none;}
[data-testid="stHeader"] {height: 2.5rem; min-height: 2.5rem;}
[class*="st-key-screen"], .st-key-keys {display: none;}
[data-testid="stFileUploaderDropzoneInstructions"] * {white-space: normal; overflow: visible; text-overflow: clip;}
</style>
"""


def report_screen(key: str = "screen") -> None:
    """The reporter (nothing visible): first in every run of the pages laid out for the screen (navigation.py).
    Each page its own key: a reporter with the key of the page before would stay mounted in the browser and,
    its size unchanged, never report to the new page (whose widget it is not)."""
    st.html('<style>[class*="st-key-screen"] {display: none;}</style>')
    _screen(key=key, on_size_change=lambda: None, default={"size": None}, data={"preload": PRELOAD,
                                                                              "held": _held(key)})


def _held(key: str) -> list | None:
    """The size and the network's top the server will lay this run out for, where it knows both (the page's
    language measured before, see _top_in_language): the reporter then stays quiet about the same."""
    result = st.session_state.get(key)
    size = result.get("size") if hasattr(result, "get") else None
    top = st.session_state.get("_tops", {}).get((key, language()))
    return [size[0], size[1], top] if isinstance(size, list) and len(size) >= 2 and top is not None else None


BOTTOM = 14  # px kept free under the network (the page's bottom padding)


def _top_in_language(key: str, size: list, top: float) -> float:
    """Where the network starts in this run's language. The words above it wrap differently in each language
    (an English caption takes two lines at 1280 px where the Chinese takes one): a report measures the page of
    the run before, so it is kept for that run's language, and a switch to a language measured before draws
    at once at that language's place (the browser's next report then changes nothing: no second drawing)."""
    tops = st.session_state.setdefault("_tops", {})
    if st.session_state.get(f"_{key}_seen") != size and top >= 0:  # a new report: of the last run's page
        st.session_state[f"_{key}_seen"] = list(size)
        tops[(key, st.session_state.get(f"_{key}_lang", language()))] = top
    st.session_state[f"_{key}_lang"] = language()  # what the next report will have measured
    return tops.get((key, language()), top)


def screen_ui(reserved: float, key: str = "screen") -> Screen | None:
    """The page's compact look, and the room for the main figure: the main column's width, the window's height
    less what sits above the network (the container keyed "network": measured by the browser once it is on the
    page; until then `reserved` pixels, an estimate) and BOTTOM; None until the browser has reported (a moment
    after the first run starts: the page then skips its largest figure rather than draw it twice)."""
    st.html(_CSS)
    result = st.session_state.get(key)
    size = result.get("size") if hasattr(result, "get") else None
    if not isinstance(size, list) or len(size) < 2:
        return None
    width, height = float(size[0]), float(size[1])
    top = float(size[2]) if len(size) > 2 and isinstance(size[2], (int, float)) and size[2] >= 0 else -1.0
    top = _top_in_language(key, size, top)
    above = top + BOTTOM if top >= 0 else reserved
    return Screen(width, float(max(300.0, height - above)), width < NARROW_BELOW)
