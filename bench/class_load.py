"""A class of simulated students against the dashboard, at Streamlit's protocol level (no browsers).

    python bench/class_load.py                       # N = 1, 10, 40, 100 against a fresh `streamlit run`
    python bench/class_load.py --students 10 --seconds 10
    python bench/class_load.py --url http://127.0.0.1:8501 --students 40    # against a running server
    python bench/class_load.py --serve 3             # against a fresh `python -m dashboard.serve --replicas 3`

Each student is what a browser is to the server: it loads the page (keeping the cookies, such as the class
command's stickiness cookie), then opens a websocket to /_stcore/stream speaking Streamlit's protobuf
messages. It opens the explorer and reports its screen (1920×1080, as dashboard/core/screen.py does); the class
joins over 0.1 s per student (100 students over 10 s), each join checked and timed up to the first overview
drawn. Then, in the timed window (--seconds), each student changes the image about every --every seconds
(jittered), exactly as a click on the image index does: a rerun of the page's fragment with the new index.
Each change is timed from the message sent to the server's "script finished", and checked: the overview must
arrive, different from the one before, and no exception may come back. Reported per N: the joins' p50/p95;
the changes' p50 / p95 / max latency, changes served per second, errors; the server's CPU time per change in
the window (when this script started the server) and the simulation's own (it shares the machine). The last
line is JSON.
"""
from __future__ import annotations

import argparse
import asyncio
import collections
import concurrent.futures
import contextlib
import json
import os
import random
import resource
import statistics
import time
import urllib.request
from dataclasses import dataclass, field

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

try:  # run as a script (bench/ on the path) or imported as bench.class_load (the smoke test)
    from dashboard_server import descendants, running_class, running_dashboard
except ImportError:
    from bench.dashboard_server import descendants, running_class, running_dashboard

SCREEN = [1876, 1080]  # what a 1920×1080 browser reports: the main column's width, the window's height
IMAGES = 1000  # the bundled test images (always there); the index is drawn from these


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)  # seconds per input change
    joins: list[float] = field(default_factory=list)  # seconds from loading the page to the overview drawn
    errors: list[str] = field(default_factory=list)
    replicas: list[str] = field(default_factory=list)  # the process each student was given (class command)


class Student:
    """One simulated browser session."""

    def __init__(self, url: str, tally: Tally, rng: random.Random) -> None:
        self.page = url.rstrip("/") + "/"
        self.url = url.replace("http", "ws", 1).rstrip("/") + "/_stcore/stream"
        self.cookies = ""  # as the page load set them
        self.tally, self.rng = tally, rng
        self.ids: dict[str, str] = {}  # widget key -> element id, as the server named them
        self.fragment = ""  # the fragment the image index lives in
        self.last_overview = ""

    async def _run(self, ws, states: dict[str, tuple[str, object]], fragment: str = "") -> dict[str, str]:
        """Send one rerun; wait for its end; return {chart key: spec} of the charts it drew. Raises on an
        exception element."""
        msg = BackMsg()
        msg.rerun_script.query_string = ""
        msg.rerun_script.page_script_hash = ""
        msg.rerun_script.fragment_id = fragment
        for wid, (kind, value) in states.items():
            w = msg.rerun_script.widget_states.widgets.add()
            w.id = wid
            setattr(w, kind, value)
        await ws.send(msg.SerializeToString())
        charts: dict[str, str] = {}
        while True:
            fm = ForwardMsg()
            fm.ParseFromString(await ws.recv())
            kind = fm.WhichOneof("type")
            if kind == "script_finished":
                return charts
            if kind != "delta" or fm.delta.WhichOneof("type") != "new_element":
                continue
            el = fm.delta.new_element
            ek = el.WhichOneof("type")
            if ek == "exception":
                raise RuntimeError(f"the page raised {el.exception.type}: {el.exception.message[:120]}")
            inner = getattr(el, ek)
            wid = getattr(inner, "id", "") if ek not in ("markdown", "heading", "html") else ""
            if wid.startswith("$$ID-"):
                self.ids.setdefault(wid.rsplit("-", 1)[1], wid)
                if wid.endswith("-index"):
                    self.fragment = fm.delta.fragment_id
            if ek == "plotly_chart":
                charts[wid.rsplit("-", 1)[1]] = inner.spec

    def _load_page(self) -> None:
        with urllib.request.urlopen(self.page, timeout=60) as r:
            r.read()
            self.cookies = "; ".join(c.split(";", 1)[0] for c in r.headers.get_all("Set-Cookie") or [])
            if "lenet-replica=" in self.cookies:
                self.tally.replicas.append(self.cookies.split("lenet-replica=", 1)[1].split(";")[0])

    async def attend(self, join_at: float, start_at: float, end_at: float, every: float) -> None:
        try:
            await asyncio.sleep(max(0.0, join_at - time.perf_counter()))
            t_join = time.perf_counter()
            await asyncio.to_thread(self._load_page)
            async with websockets.connect(self.url, subprotocols=["streamlit"], max_size=None, open_timeout=60,
                                          additional_headers={"Cookie": self.cookies} if self.cookies else None
                                          ) as ws:
                await self._run(ws, {})  # the first run: the page asks for the screen's size
                screen = {self.ids["screen"]: ("json_value", json.dumps({"size": SCREEN}))}
                charts = await self._run(ws, screen)  # now the network is drawn
                if "overview" not in charts:
                    raise RuntimeError("the overview was not drawn once the screen was reported")
                self.tally.joins.append(time.perf_counter() - t_join)
                self.last_overview = charts["overview"]
                # students do not click in step
                await asyncio.sleep(max(0.0, start_at - time.perf_counter()) + self.rng.uniform(0, every))
                index = 0
                while time.perf_counter() < end_at:
                    index = (index + self.rng.randrange(1, IMAGES)) % IMAGES  # another image than the one shown
                    states = {**screen, self.ids["index"]: ("int_value", index)}
                    t0 = time.perf_counter()
                    charts = await self._run(ws, states, self.fragment)
                    self.tally.latencies.append(time.perf_counter() - t0)
                    overview = charts.get("overview")
                    if overview is None:
                        raise RuntimeError("an input change drew no overview")
                    if overview == self.last_overview:
                        raise RuntimeError(f"image {index}: the overview did not change")
                    self.last_overview = overview
                    await asyncio.sleep(max(0.0, self.rng.gauss(every, every / 4)))
        except Exception as e:  # one line per failure; the class goes on
            self.tally.errors.append(f"{type(e).__name__}: {e}")


JOIN_S_PER_STUDENT = 0.1  # a class opens the link over some seconds: 100 students over 10 s
SETTLE_S = 3.0  # after the last has joined, before the timed changes start


async def _class(url: str, students: int, seconds: float, every: float, seed: int, join_s: float,
                 server_pid: int | None) -> tuple[Tally, dict]:
    """Students join over join_s (untimed but checked), then change images for `seconds`: the window in which
    latencies and CPU times are measured."""
    tally, rng, cpu = Tally(), random.Random(seed), {}
    t0 = time.perf_counter()
    start_at = t0 + join_s + SETTLE_S
    end_at = start_at + seconds

    async def meter() -> None:
        await asyncio.sleep(start_at - time.perf_counter())
        cpu["server0"] = cpu_seconds(server_pid) if server_pid else None
        cpu["sim0"], cpu["t0"] = _own_cpu(), time.perf_counter()

    await asyncio.gather(meter(), *(Student(url, tally, random.Random(rng.random())).attend(
        t0 + join_s * k / students, start_at, end_at, every) for k in range(students)))
    cpu["server1"] = cpu_seconds(server_pid) if server_pid else None
    cpu["sim1"], cpu["t1"] = _own_cpu(), time.perf_counter()
    return tally, cpu


def _own_cpu() -> float:
    """This process's CPU time (the simulated class's own share of the machine)."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def cpu_seconds(pid: int) -> float:
    """The CPU time so far (user + system) of a process and all it started (the class command's replicas and
    proxy; a training worker), from /proc."""
    total = 0.0
    for p in [pid, *descendants(pid)]:
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:  # ended meanwhile
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def _run_alone(coroutine):
    """asyncio.run in a thread of its own: the caller may already have an event loop running in its thread (a
    test process where Playwright's sync API ran before)."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def measure(url: str, students: int, seconds: float, every: float = 3.0, seed: int = 0,
            server_pid: int | None = None, join_s: float | None = None) -> dict:
    """One class of `students`: they join over join_s (default 0.1 s each), then change images for `seconds`.
    Returned: the joins' p50/p95 (page load to the first overview drawn), the changes' latency percentiles (ms),
    changes served per second, errors; with server_pid, the server's CPU time per change in the timed window
    (all it did meanwhile), and always this simulation's own CPU time per change."""
    join_s = students * JOIN_S_PER_STUDENT if join_s is None else join_s
    tally, cpu = _run_alone(_class(url, students, seconds, every, seed, join_s, server_pid))
    lat, joins = sorted(tally.latencies), sorted(tally.joins)

    def pct(values: list[float], q: float) -> float:
        return 1e3 * values[min(len(values) - 1, int(q * len(values)))] if values else float("nan")

    n = max(len(lat), 1)
    return {"students": students, "changes": len(lat), "p50_ms": pct(lat, 0.5), "p95_ms": pct(lat, 0.95),
            "max_ms": 1e3 * lat[-1] if lat else float("nan"),
            "changes_per_s": len(lat) / max(cpu["t1"] - cpu["t0"], 1e-9),
            "errors": len(tally.errors), "error_lines": sorted(set(tally.errors))[:5],
            "join_p50_ms": pct(joins, 0.5), "join_p95_ms": pct(joins, 0.95),
            "students_per_process": dict(sorted(collections.Counter(tally.replicas).items())),
            "mean_ms": 1e3 * statistics.fmean(lat) if lat else float("nan"),
            "server_cpu_ms_per_change": 1e3 * (cpu["server1"] - cpu["server0"]) / n if server_pid else None,
            "simulation_cpu_ms_per_change": 1e3 * (cpu["sim1"] - cpu["sim0"]) / n}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--url", help="a running server (default: start `streamlit run dashboard/app.py`)")
    p.add_argument("--serve", type=int, metavar="N",
                   help="start `python -m dashboard.serve --replicas N` instead of `streamlit run`")
    p.add_argument("--students", type=int, nargs="*", default=[1, 10, 40, 100])
    p.add_argument("--seconds", type=float, default=30.0, help="how long each class runs")
    p.add_argument("--every", type=float, default=3.0, help="seconds between a student's changes (mean)")
    args = p.parse_args()
    with contextlib.ExitStack() as stack:
        url, pids = args.url, []
        if url is None and args.serve:
            url, proc = stack.enter_context(running_class(args.serve))
            pids.append(proc.pid)
        elif url is None:
            url = stack.enter_context(running_dashboard(pids=pids))
        results = []
        for k, n in enumerate(args.students):  # each class its own images (a seed each): none from the last
            r = measure(url, n, args.seconds, args.every, seed=k + 1, server_pid=pids[0] if pids else None)
            results.append(r)
            print(f"{n:4d} students: joined p50 {r['join_p50_ms']:5.0f} ms, p95 {r['join_p95_ms']:5.0f} ms; "
                  f"changes p50 {r['p50_ms']:6.0f} ms, p95 {r['p95_ms']:6.0f} ms, max {r['max_ms']:6.0f} ms, "
                  f"{r['changes_per_s']:5.1f} changes/s served, {r['errors']} errors {r['error_lines'] or ''}"
                  + (f", server CPU {r['server_cpu_ms_per_change']:.0f} ms per change"
                     if r["server_cpu_ms_per_change"] else "")
                  + f", simulation CPU {r['simulation_cpu_ms_per_change']:.0f} ms per change"
                  + (f", students per process {r['students_per_process']}" if r["students_per_process"] else ""),
                  flush=True)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
