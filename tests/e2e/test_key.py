"""Guessing the lecturer key through a real browser on a server that has one: after five wrong keys the page
turns tries away unchecked and says so; each wrong key is logged without what was typed."""
from __future__ import annotations

from bench.dashboard_server import running_dashboard
from tests.e2e.helpers import ARTIFACTS, assert_no_errors


def test_key_guesses_are_slowed_down_said_and_logged(page_at, tmp_path):
    log_path = ARTIFACTS / "streamlit-key.log"
    with open(log_path, "w") as log, running_dashboard(env={"LENET_MODELS_DIR": str(tmp_path),
                                                            "LENET_LECTURER_KEY": "s3cret-key"}, log=log) as url:
        page = page_at(1280, 720)
        page.goto(url + "/training")
        field = page.locator(".st-key-lecturer_typed input")
        field.wait_for()
        for k in range(6):
            field.fill(f"guess-{k}")
            page.get_by_role("button", name="Unlock").click()
            said = page.get_by_text("Too many wrong keys" if k == 5 else "not the lecturer key" + (
                f" ({4 - k} more tr" if k < 4 else ". Wait 1 s"))
            said.first.wait_for()
        page.wait_for_timeout(1100)  # the wait the page asked for after the fifth wrong key
        field.fill("s3cret-key")
        page.get_by_role("button", name="Unlock").click()
        page.get_by_text("Unlocked: this browser session is the lecturer's").wait_for(timeout=15_000)
        assert_no_errors(page)
    logged = log_path.read_text()
    assert logged.count("lecturer key refused") == 5 and "guess-" not in logged and "s3cret" not in logged
