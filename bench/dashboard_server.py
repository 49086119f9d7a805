"""Shared by the browser benchmarks and the browser tests: a real `streamlit run dashboard/app.py` or the
class-serving command on a free 127.0.0.1 port, and Chromium's path and launch flags."""
from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import IO, Iterator

from dashboard.serve import answers  # the health check the class command uses

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "dashboard" / "app.py"  # what `streamlit run` starts
PAGES = ROOT / "dashboard" / "navigation.py"  # the script each session runs (what AppTest runs)
CHROMIUM = os.environ.get("LENET_CHROMIUM", "/usr/bin/chromium")  # Debian's; Playwright never downloads one
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync", "--disable-quic"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_healthy(url: str, proc: subprocess.Popen, timeout_s: float, what: str) -> None:
    """Until url answers Streamlit's health check; RuntimeError if proc exits first or time runs out."""
    deadline = time.time() + timeout_s
    while not answers(url):
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with code {proc.returncode}")
        if time.time() > deadline:
            raise RuntimeError(f"{what} did not answer within {timeout_s:.0f} s")
        time.sleep(0.05)


@contextlib.contextmanager
def running_dashboard(env: dict[str, str] | None = None, log: IO | None = None,
                      timeout_s: float = 120, root: Path = ROOT, pids: list[int] | None = None) -> Iterator[str]:
    """Start the dashboard on a free 127.0.0.1 port, wait until it answers, yield its URL, stop it after.

    env: extra environment variables; log: where the server's output goes (default: discarded); root: another
    checkout of the project to run instead of this one (its packages come first on the path); pids: a list
    the server's process id is appended to (to read its CPU time).
    """
    port = _free_port()
    if root != ROOT:
        env = {**(env or {}), "PYTHONPATH": str(root)}
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(root / APP.relative_to(ROOT)), "--server.port", str(port),
                             "--server.address", "127.0.0.1", "--server.headless", "true",
                             "--browser.gatherUsageStats", "false"], cwd=root,
                            stdout=log or subprocess.DEVNULL, stderr=subprocess.STDOUT if log else subprocess.DEVNULL,
                            env={**os.environ, **(env or {})})
    if pids is not None:
        pids.append(proc.pid)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(url, proc, timeout_s, "streamlit")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


@contextlib.contextmanager
def running_class(replicas: int, env: dict[str, str] | None = None, log: IO | None = None,
                  timeout_s: float = 240) -> Iterator[tuple[str, subprocess.Popen]]:
    """`python -m dashboard.serve --replicas N` on a free port: yields its URL (HAProxy's) and its process; at
    the end stops it as a terminal's Ctrl-C does (SIGINT) and waits for it."""
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "dashboard.serve", "--port", str(port), "--host", "127.0.0.1",
                             "--replicas", str(replicas)], cwd=ROOT, env={**os.environ, **(env or {})},
                            stdout=log or subprocess.DEVNULL, stderr=subprocess.STDOUT if log else subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(url, proc, timeout_s, "dashboard.serve")
        yield url, proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def descendants(pid: int) -> list[int]:
    """The processes started by pid, and theirs (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found
