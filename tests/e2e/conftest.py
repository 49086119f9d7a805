"""A real dashboard server on 127.0.0.1 and a real Chromium (Debian's) driven by Playwright."""
from __future__ import annotations

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
    if models.exists():
        for f in models.iterdir():
            f.unlink()
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


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1700, "height": 2200})
    pg = context.new_page()
    pg.set_default_timeout(60_000)
    yield pg
    context.close()
