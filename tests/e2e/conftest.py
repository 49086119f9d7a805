"""A real dashboard server on 127.0.0.1 and a real Chromium (Debian's) driven by Playwright."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bench.dashboard_server import CHROMIUM, CHROMIUM_ARGS, running_dashboard  # shared with the benchmarks
from tests.e2e.helpers import ARTIFACTS
from tests.testsupport import skip_or_fail


@pytest.fixture(scope="session")
def server():
    """`streamlit run dashboard/app.py` on a free port, its output in test-artifacts/; yields its base URL."""
    ARTIFACTS.mkdir(exist_ok=True)
    models = ARTIFACTS / "models"  # this server's user models folder, emptied for each run
    shutil.rmtree(models, ignore_errors=True)
    with open(ARTIFACTS / "streamlit.log", "w") as log:
        try:
            with running_dashboard(env={"LENET_MODELS_DIR": str(models)}, log=log, timeout_s=60) as url:
                yield url
        except RuntimeError as e:
            pytest.fail(f"{e}; see {ARTIFACTS / 'streamlit.log'}")


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        skip_or_fail(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test, so that fixtures can tell a failure."""
    outcome = yield
    setattr(item, "report_" + call.when, outcome.get_result())


def _watch(pg) -> None:
    """Keep the page's console messages and errors, for a failing test's artifacts."""
    pg.messages = []
    pg.on("console", lambda m: pg.messages.append(f"console {m.type}: {m.text}"))
    pg.on("pageerror", lambda e: pg.messages.append(f"page error: {e}"))


def _screenshot_if_failed(request, pages) -> None:
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        for k, pg in enumerate(pages):
            pg.screenshot(path=str(ARTIFACTS / f"failed-{request.node.name}-{k}.png"))
            (ARTIFACTS / f"failed-{request.node.name}-{k}.log").write_text(
                f"{pg.url}\n" + "\n".join(getattr(pg, "messages", [])))


@pytest.fixture
def page(browser, server, request):
    """A page the size of a 1920×1080 projector (a screenshot in test-artifacts/ if the test fails)."""
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    pg = context.new_page()
    pg.set_default_timeout(60_000)
    _watch(pg)
    yield pg
    _screenshot_if_failed(request, [pg])
    context.close()


@pytest.fixture
def page_at(browser, server, request):
    """page_at(width, height): a page of that size (closed after the test)."""
    contexts = []

    def make(width: int, height: int):
        context = browser.new_context(viewport={"width": width, "height": height})
        contexts.append(context)
        pg = context.new_page()
        pg.set_default_timeout(60_000)
        _watch(pg)
        return pg

    yield make
    _screenshot_if_failed(request, [p for c in contexts for p in c.pages])
    for context in contexts:
        context.close()
