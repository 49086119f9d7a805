"""The training page through AppTest: a short real run, its progress, the saved model in the explorer."""
import time
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "main.py")  # the pages (app.py serves them)


def _training_page():
    import training

    training.show()


@pytest.fixture
def models(tmp_path, monkeypatch, need_dataset):
    monkeypatch.setenv("LENET_MODELS_DIR", str(tmp_path))
    st.cache_resource.clear()
    st.cache_data.clear()
    return tmp_path


def _wait_until_done(at: AppTest, timeout: float = 120) -> None:
    from cache import job_manager

    job = job_manager().current
    assert job is not None
    assert job.join(timeout)
    at.run()


def test_short_real_run_shows_progress_and_the_model_reaches_the_explorer(models):
    at = AppTest.from_function(_training_page, default_timeout=120)
    at.run()
    assert not at.exception
    form_numbers = {n.label: n for n in at.number_input}
    form_numbers["Epochs"].set_value(2)
    form_numbers["Training images (0 = all 60,000)"].set_value(3000)
    at.text_input[0].set_value("lecture demo")
    at.button[0].click().run()  # Start training
    assert not at.exception
    from cache import job_manager

    job = job_manager().current
    deadline = time.time() + 60
    while not job.progress().steps and time.time() < deadline:
        time.sleep(0.05)
    at.run()
    assert any("sigmoid + avg pooling" in h.value for h in at.subheader)  # the classic preset, live
    _wait_until_done(at)
    assert job.progress().state == "finished", job.progress().error
    at.run()  # the first run after the end refreshes the page once
    assert any("Saved as lecture-demo.pt" in s.value for s in at.success), [e.value for e in at.error]
    assert any("lecture demo" in m.value for m in at.markdown)
    assert (models / "lecture-demo.pt").is_file()

    explorer = AppTest.from_file(APP, default_timeout=120)
    explorer.query_params["mode"] = "user"
    explorer.run()
    assert not explorer.exception
    assert explorer.session_state["user_model"] == "lecture-demo.pt"
    assert any("lecture-demo.pt" in m.label for m in explorer.get("metric"))
    explorer.slider(key="user_epoch").set_value(0).run()  # the random initial weights
    assert not explorer.exception
    assert any("after epoch 0" in m.label for m in explorer.get("metric"))


def test_a_second_start_while_training_is_refused(models):
    from cache import job_manager
    from lenet.config import ModelConfig, TrainConfig
    from lenet.jobs import TrainingJob

    running = job_manager().start(TrainingJob(ModelConfig(), TrainConfig(num_epochs=50, train_subset=3000),
                                              device="cpu", out_dir=models))
    try:
        at = AppTest.from_function(_training_page, default_timeout=120)
        at.run()
        at.button[0].click().run()
        assert any("already in progress" in w.value for w in at.warning)
        assert any(b.label == "Stop" for b in at.button)
    finally:
        running.stop()
        assert running.join(30)


def test_diverging_run_is_reported_on_the_page(models):
    at = AppTest.from_function(_training_page, default_timeout=120)
    at.run()
    at.selectbox[1].set_value("relu")  # activation
    nums = {n.label: n for n in at.number_input}
    nums["Learning rate"].set_value(10.0)
    nums["Training images (0 = all 60,000)"].set_value(3000)
    nums["Epochs"].set_value(3)
    at.button[0].click().run()
    _wait_until_done(at)
    at.run()
    assert any("Training diverged" in e.value and "learning rate 10" in e.value for e in at.error)
    assert not list(models.iterdir())  # nothing saved
