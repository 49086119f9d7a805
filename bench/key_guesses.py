"""How fast the lecturer key can be guessed: wrong keys checked per second by one session and by many.

    python bench/key_guesses.py                 # 1 session, then 20, 15 s each
    python bench/key_guesses.py --seconds 30 --sessions 1 5 20

Each session is the Training page run through Streamlit's AppTest (the page's own Unlock callback), typing a
new wrong key and pressing Unlock as fast as the page answers; sessions take turns, as a student's scripted
browsers would. Counted: the tries the page checked ("not the lecturer key") against those it turned away
unchecked ("Too many wrong keys"). The models folder (and with it the server-wide record) is a fresh temporary
one per measurement. The last line is JSON.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import tempfile
import time

PAGE = "from dashboard.app_pages import training; training.show()"


def measure(sessions: int, seconds: float) -> dict:
    from streamlit.testing.v1 import AppTest

    from dashboard.core import cache

    with tempfile.TemporaryDirectory() as folder:
        os.environ["LENET_MODELS_DIR"] = folder
        cache.clear()
        pages = [AppTest.from_string(PAGE, default_timeout=60).run() for _ in range(sessions)]
        checked = refused = 0
        start = time.perf_counter()
        k = 0
        while time.perf_counter() - start < seconds:
            at = pages[k % sessions]
            at.text_input(key="lecturer_typed").set_value(f"guess-{k}").run()
            at.button(key="unlock").click().run()
            said = " ".join(w.value for w in at.warning)
            checked += "not the lecturer key" in said
            refused += "Too many wrong keys" in said
            k += 1
        elapsed = time.perf_counter() - start
    return {"sessions": sessions, "seconds": round(elapsed, 1), "checked": checked, "turned_away": refused,
            "checked_per_s": round(checked / elapsed, 2),
            "checked_per_s_after_five": round(max(0, checked - 5) / elapsed, 2)}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--seconds", type=float, default=15)
    p.add_argument("--sessions", type=int, nargs="+", default=[1, 20])
    args = p.parse_args()
    os.environ["LENET_LECTURER_KEY"] = "the-right-key"
    logging.getLogger("lenet.key").setLevel(logging.ERROR)  # (one log line a miss: not what is measured)
    logging.getLogger("streamlit").setLevel(logging.ERROR)
    results = []
    for n in args.sessions:
        r = measure(n, args.seconds)
        print(f"{n} session(s), {r['seconds']} s: {r['checked']} wrong keys checked ({r['checked_per_s']}/s), "
              f"{r['turned_away']} turned away unchecked", flush=True)
        results.append(r)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
