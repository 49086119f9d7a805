"""Guesses of the lecturer key are slowed down per session and per server, and logged without the typed text."""
import logging
import time

from streamlit.testing.v1 import AppTest

from dashboard.core import key_guard
from tests.dashboard.pages import training_page


def test_a_session_waits_longer_after_each_miss_past_five():
    assert [key_guard.session_wait(m, 100.0, 100.0) for m in range(5)] == [0.0] * 5
    assert [key_guard.session_wait(m, 100.0, 100.0) for m in (5, 6, 7, 8, 20)] == [1.0, 2.0, 4.0, 8.0, 60.0]
    assert key_guard.session_wait(7, 100.0, 103.0) == 1.0 and key_guard.session_wait(7, 100.0, 105.0) == 0.0


def test_the_server_checks_one_try_a_second_across_processes(tmp_path):
    """Two guards on one file, as two server processes of one class: misses add up, and past five only one try
    a second is checked, whichever process it reaches."""
    a, b = (key_guard.ServerGuard(tmp_path / ".training" / "key-attempts") for _ in range(2))
    for k in range(5):
        assert (a if k % 2 else b).admit(1000.0 + k * 0.01) == 0.0
        (a if k % 2 else b).missed(1000.0 + k * 0.01)
    assert 0.5 < a.admit(1000.5) < 0.6  # half a second after the last try: not checked
    assert a.admit(1001.1) == 0.0  # a second after it: checked
    assert 0.85 < b.admit(1001.2) < 0.95 and 0.55 < a.admit(1001.5) < 0.65  # too soon, on either process
    assert b.admit(1002.2) == 0.0
    assert a.admit(1000.0 + key_guard.WINDOW_S + 10) == 0.0  # misses older than the window forgotten
    (tmp_path / ".training" / "key-attempts").write_text("garbled{")
    assert a.admit(5000.0) == 0.0  # a garbled record starts afresh


def test_the_page_slows_guesses_says_so_and_logs_them(models, monkeypatch, caplog):
    monkeypatch.setenv("LENET_LECTURER_KEY", "s3cret-key")
    at = AppTest.from_function(training_page, default_timeout=120).run()

    def guess(text: str) -> str:
        at.text_input(key="lecturer_typed").set_value(text).run()
        at.button(key="unlock").click().run()
        assert not at.exception
        return " ".join(w.value for w in at.warning)

    with caplog.at_level(logging.WARNING, logger="lenet.key"):
        said = [guess(f"guess-{k}") for k in range(5)]
    assert "not the lecturer key (4 more tries" in said[0] and "Wait 1 s before the next try" in said[4]
    assert "Too many wrong keys from this browser" in guess("s3cret-key")  # too soon: not even checked
    assert "lecturer" not in at.session_state
    logged = [r.getMessage() for r in caplog.records if r.name == "lenet.key"]
    assert len(logged) == 5 and "wrong key 5" in logged[-1]
    assert not any("guess-" in line for line in logged)  # the typed text is never logged
    time.sleep(1.1)
    guess("s3cret-key")
    assert at.session_state["lecturer"] and any("Unlocked" in c.value for c in at.caption)
