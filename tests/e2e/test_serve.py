"""End to end through the class command: `python -m dashboard.serve --replicas 2` (HAProxy in front), a lecturer
and a student in two browsers held by different replicas; the run, its live view and its Stop cross processes;
nothing outlives the command."""
from __future__ import annotations

import os
import re
import signal
import socket
import time
from pathlib import Path

import pytest

from bench.dashboard_server import descendants, running_class
from dashboard.serve.proxy import COOKIE
from dashboard.serve import answers, find_haproxy
from lenet.data import dataset_available
from tests.e2e.helpers import ARTIFACTS, assert_no_errors
from tests.testsupport import skip_or_fail

KEY = "e2e-lecturer-key"


@pytest.fixture
def haproxy():
    if find_haproxy() is None:
        skip_or_fail("HAProxy is not installed (apt-get install haproxy)")


def _stats(log: str) -> dict[str, int]:
    """Sessions served so far by each replica, from HAProxy's stats socket (its folder is named in the log)."""
    folder = re.search(r"logs in (\S+)\)", log).group(1)
    with socket.socket(socket.AF_UNIX) as s:
        s.connect(os.path.join(folder, "haproxy.sock"))
        s.sendall(b"show stat\n")
        text = b"".join(iter(lambda: s.recv(65536), b"")).decode()
    head, *rows = [line.split(",") for line in text.splitlines() if line]
    col = head.index("stot")
    return {r[1]: int(r[col]) for r in rows if r[0] == "replicas" and r[1].startswith("r")}


def _gone(pids: list[int], timeout: float = 15) -> list[int]:
    """Those of pids still running after timeout (a zombie counts as ended)."""
    deadline = time.time() + timeout
    while True:
        alive = []
        for pid in pids:
            try:
                with open(f"/proc/{pid}/stat") as f:
                    if f.read().rsplit(")", 1)[1].split()[0] != "Z":
                        alive.append(pid)
            except FileNotFoundError:
                pass
        if not alive or time.time() > deadline:
            return alive
        time.sleep(0.2)


def _browser_on(browser, url: str, replica: str):
    """A browser session whose HAProxy cookie holds it to one replica, as its first visit would have."""
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    context.add_cookies([{"name": COOKIE, "value": replica, "url": url}])
    page = context.new_page()
    page.set_default_timeout(60_000)
    return page


def test_lecturer_and_student_on_two_replicas(browser, haproxy, tmp_path):
    if not dataset_available():
        skip_or_fail("training needs the full Fashion-MNIST")
    ARTIFACTS.mkdir(exist_ok=True)
    env = {"LENET_MODELS_DIR": str(tmp_path / "models"), "LENET_LECTURER_KEY": KEY}
    log_path = ARTIFACTS / "serve.log"
    pages = []
    with open(log_path, "w") as log, running_class(2, env=env, log=log) as (url, proc):
        try:
            _class_on_two_replicas(browser, url, proc, tmp_path, log_path, pages)
        except Exception:
            for k, page in enumerate(pages):
                if not page.is_closed():
                    page.screenshot(path=str(ARTIFACTS / f"failed-serve-{k}.png"))
            raise


def _class_on_two_replicas(browser, url, proc, tmp_path, log_path, pages) -> None:
    lecturer = _browser_on(browser, url, "r1")
    pages.append(lecturer)
    lecturer.goto(url + "/training")
    lecturer.get_by_text("Start training").wait_for()  # the page drawn, as a user sees it
    lecturer.get_by_role("textbox", name="Lecturer key").fill(KEY)
    lecturer.get_by_role("button", name="Unlock").click()
    lecturer.get_by_text("Unlocked").wait_for()
    lecturer.get_by_role("spinbutton", name="Epochs").fill("40")
    lecturer.get_by_role("spinbutton", name="Training images").fill("6000")
    lecturer.get_by_label("Model name").fill("class run")
    lecturer.get_by_role("button", name="Start training").click()
    started, refused = lecturer.get_by_text(re.compile(r"epoch [1-9]\.\d of 40")), lecturer.get_by_role("alert")
    started.or_(refused).first.wait_for(timeout=120_000)
    assert not refused.count(), refused.all_inner_texts()  # (a warning or an error instead of the run)

    student = _browser_on(browser, url, "r2")
    pages.append(student)
    student.goto(url + "/training")
    student.get_by_text("sigmoid + average pooling — running").wait_for()  # the run of another process, live
    first = student.get_by_text(re.compile(r"epoch \d+\.\d of 40")).inner_text()
    student.get_by_text(re.compile(r"epoch \d+\.\d of 40")).filter(has_not_text=first).wait_for(timeout=60_000)
    student.get_by_role("button", name="Stop").click()
    student.get_by_text("Only the lecturer can stop").wait_for()
    student.wait_for_timeout(2000)
    assert student.get_by_text("— running").count() == 1 and lecturer.get_by_text("— running").count() == 1
    student.screenshot(path=str(ARTIFACTS / "20-student-on-r2.png"))
    sessions = _stats(log_path.read_text())
    assert sessions["r1"] >= 1 and sessions["r2"] >= 1, sessions  # each browser was served by its replica

    # the lecturer's key works on any replica: unlocked on r2, Stop ends the run r1 trains
    student.get_by_role("textbox", name="Lecturer key").fill(KEY)
    student.get_by_role("button", name="Unlock").click()
    student.get_by_text("Unlocked").wait_for()
    student.get_by_role("button", name="Stop").click()
    student.get_by_text("Saved as class-run.pt").wait_for(timeout=60_000)
    lecturer.get_by_text("Saved as class-run.pt").wait_for(timeout=60_000)
    assert (tmp_path / "models" / "class-run.pt").is_file()
    for page in (lecturer, student):
        assert page.get_by_text("— stopped").count() == 1
        assert_no_errors(page)
        page.context.close()

    # killed outright, the command takes everything it started with it
    started = descendants(proc.pid)
    assert len(started) >= 3  # two replicas and HAProxy (and what they started)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    left = _gone(started)
    assert not left, f"still running after the class command was killed: {left}"


def _replicas(proc) -> list[int]:
    """The class command's streamlit processes now."""
    found = []
    for pid in descendants(proc.pid):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if b"streamlit" in f.read():
                    found.append(pid)
        except OSError:  # ended meanwhile
            pass
    return found


def test_a_dead_replica_comes_back_and_ctrl_c_stops_everything(haproxy, tmp_path):
    ARTIFACTS.mkdir(exist_ok=True)
    with open(ARTIFACTS / "serve-restart.log", "w") as log, \
            running_class(1, env={"LENET_MODELS_DIR": str(tmp_path)}, log=log) as (url, proc):
        [first] = _replicas(proc)
        os.kill(first, signal.SIGKILL)
        deadline = time.time() + 120
        while True:  # restarted, and answering through the proxy again
            now = [p for p in _replicas(proc) if p != first]
            if now and answers(url):
                break
            assert time.time() < deadline, "the replica was not restarted"
            time.sleep(0.5)
        started = descendants(proc.pid)
        proc.send_signal(signal.SIGINT)  # what a terminal's Ctrl-C sends
        assert proc.wait(30) == 0
        assert not _gone(started)
    said = (ARTIFACTS / "serve-restart.log").read_text()
    folder = Path(re.search(r"logs in (\S+)\)", said).group(1))
    assert "Stopped." in said and not folder.exists()  # its configuration, socket and logs: gone
