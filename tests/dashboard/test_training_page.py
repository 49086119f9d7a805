"""The training page through AppTest: a short real run, its progress, the saved model in the explorer."""
import time

from streamlit.testing.v1 import AppTest

from tests.dashboard.pages import APP, shown
from tests.dashboard.pages import training_page as _training_page


def _wait_until_done(at: AppTest, timeout: float = 120) -> None:
    from dashboard.core.cache import job_manager

    job = job_manager().current
    assert job is not None
    assert job.join(timeout)
    at.run()


def test_short_real_run_shows_progress_and_the_model_reaches_the_explorer(models):
    at = AppTest.from_function(_training_page, default_timeout=120)
    at.run()
    assert not at.exception
    # what the page says before a run: where the settings are (above), what 0 training images means
    assert any("Choose the settings above, then start" in i.value for i in at.info)
    assert at.number_input(key="train_subset").label == "Training images (0 = all 60,000)"
    at.number_input(key="train_epochs").set_value(2)
    at.number_input(key="train_subset").set_value(3000)
    at.text_input(key="train_name").set_value("lecture demo")
    at.button(key="train_start").click().run()
    assert not at.exception
    from dashboard.core.cache import job_manager

    job = job_manager().current
    deadline = time.time() + 60
    while not job.progress().steps and time.time() < deadline:
        time.sleep(0.05)
    at.run()
    assert any("sigmoid + average pooling" in h.value for h in at.subheader)  # the classic preset, live
    _wait_until_done(at)
    assert job.progress().state == "finished", job.progress().error
    at.run()  # the first run after the end refreshes the page once
    assert any("Saved as lecture-demo.pt" in shown(s.value) for s in at.success), \
        [e.value for e in at.error]
    # a link to the saved model in the explorer (not a menu that does not exist)
    link = next(p for p in at.get("page_link") if "Explorer" in p.proto.label)
    assert link.proto.query_string == "mode=user&um=lecture-demo.pt"
    assert any("lecture demo" in m.value for m in at.markdown)
    assert (models / "lecture-demo.pt").is_file()

    explorer = AppTest.from_file(APP, default_timeout=120)
    explorer.session_state["screen"] = {"size": [1236, 720]}  # what a browser reports (dashboard/core/screen.py)
    explorer.query_params["mode"] = "user"
    explorer.run()
    assert not explorer.exception
    assert explorer.session_state["user_model"] == "lecture-demo.pt"
    assert any("lecture-demo.pt" in shown(m.value) for m in explorer.markdown)  # (escaped Markdown)
    explorer.slider(key="user_epoch").set_value(0).run()  # the random initial weights
    assert not explorer.exception
    assert any("lecture-demo.pt, epoch 0" in shown(m.value) for m in explorer.markdown)


def test_a_second_start_while_training_is_refused(models):
    from dashboard.core.cache import job_manager
    from lenet.config import ModelConfig, TrainConfig
    from lenet.jobs import TrainingJob

    running = job_manager().start(TrainingJob(ModelConfig(), TrainConfig(num_epochs=50, train_subset=3000),
                                              device="cpu", out_dir=models))
    try:
        at = AppTest.from_function(_training_page, default_timeout=120)
        at.run()
        at.button(key="train_start").click().run()
        assert any("already in progress" in w.value for w in at.warning)
        assert any(b.label == "Stop" for b in at.button)
    finally:
        running.stop()
        assert running.join(30)


def test_diverging_run_is_reported_on_the_page(models):
    at = AppTest.from_function(_training_page, default_timeout=120)
    at.run()
    at.selectbox(key="train_activation").set_value("relu")
    at.number_input(key="train_lr").set_value(10.0)
    at.number_input(key="train_subset").set_value(3000)
    at.number_input(key="train_epochs").set_value(3)
    at.button(key="train_start").click().run()
    _wait_until_done(at)
    at.run()
    assert any("Training diverged" in e.value and "learning rate 10" in e.value for e in at.error)
    assert [f.name for f in models.iterdir()] == [".training"]  # nothing saved (the slot's shared files only)


def test_the_form_offers_every_op_in_the_table_and_trains_l2_pooling(models):
    from lenet import load_checkpoint
    from lenet.ops import ACTIVATIONS, POOLINGS

    at = AppTest.from_function(_training_page, default_timeout=120)
    at.run()
    assert at.selectbox(key="train_pooling").options == [op.label for op in POOLINGS.values()]
    assert at.selectbox(key="train_activation").options == [op.label for op in ACTIVATIONS.values()]
    at.selectbox(key="train_pooling").set_value("l2")
    at.number_input(key="train_epochs").set_value(1)
    at.number_input(key="train_subset").set_value(3000)
    at.text_input(key="train_name").set_value("l2 demo")
    at.button(key="train_start").click().run()
    _wait_until_done(at)
    at.run()
    assert any("Saved as l2-demo.pt" in shown(s.value) for s in at.success), [e.value for e in at.error]
    checkpoint = load_checkpoint(models / "l2-demo.pt")
    assert checkpoint.model_config.pooling == "l2" and checkpoint.metrics["epochs"] == 1


def test_a_preset_fills_every_field_and_the_run_is_what_the_fields_show(models):
    from lenet import load_checkpoint
    from lenet.config import PRESETS

    at = AppTest.from_function(_training_page, default_timeout=120)
    at.run()
    at.selectbox(key="train_preset").set_value("modern").run()  # at once, before Start
    model_config, train_config = PRESETS["modern"]
    assert at.selectbox(key="train_activation").value == "relu" and at.selectbox(key="train_pooling").value == "max"
    assert at.selectbox(key="train_optimizer").value == "adamw" and at.number_input(key="train_lr").value == 3e-3
    assert at.number_input(key="train_epochs").value == 30 and at.toggle(key="train_augment").value is True
    assert at.selectbox(key="train_schedule").value == "onecycle"
    at.number_input(key="train_epochs").set_value(1)  # the user's own changes stay when Start is pressed
    at.number_input(key="train_subset").set_value(2560)
    at.selectbox(key="train_pooling").set_value("l2")
    at.text_input(key="train_name").set_value("as shown")
    at.run()
    shown = {k: at.session_state[k] for k in ("train_epochs", "train_subset", "train_pooling", "train_lr")}
    at.button(key="train_start").click().run()
    _wait_until_done(at)
    checkpoint = load_checkpoint(models / "as-shown.pt")
    assert checkpoint.model_config.activation == "relu" and checkpoint.model_config.pooling == shown["train_pooling"]
    saved = checkpoint.train_config
    assert (saved.num_epochs, saved.train_subset, saved.lr) == (shown["train_epochs"], shown["train_subset"],
                                                                shown["train_lr"])
    assert (saved.optimizer, saved.weight_decay, saved.schedule, saved.augment) == \
        (train_config.optimizer, train_config.weight_decay, train_config.schedule, train_config.augment)
    from lenet.worker import TRAIN_THREADS

    assert checkpoint.metrics["device"] == f"cpu ({TRAIN_THREADS} thread{'s' if TRAIN_THREADS > 1 else ''})"


def test_the_quick_demo_learns(models):
    from lenet import load_checkpoint

    at = AppTest.from_function(_training_page, default_timeout=120)
    at.run()
    at.selectbox(key="train_preset").set_value("demo").run()
    at.text_input(key="train_name").set_value("demo")
    at.button(key="train_start").click().run()
    _wait_until_done(at, 120)
    checkpoint = load_checkpoint(models / "demo.pt")
    # the demo's few images and epochs are enough to learn: how fast it runs is measured in bench/, not here
    assert checkpoint.metrics["test_acc"] > 0.7
    assert (checkpoint.metrics["epochs"], checkpoint.metrics["train_examples"]) == (4, 6000)


def test_a_field_whose_state_was_dropped_takes_the_presets_value(models):
    """Streamlit drops a widget's state when a run ends before the widget was drawn (a run cut short by the
    next one); the field then shows the preset's value again, never its minimum (batch 8, lr 0.00001)."""
    at = AppTest.from_function(_training_page, default_timeout=120)
    at.session_state["train_preset"] = "classic"  # kept, while the fields' states were dropped
    at.run()
    assert not at.exception
    assert at.number_input(key="train_batch").value == 256 and at.number_input(key="train_lr").value == 0.9
    assert at.number_input(key="train_epochs").value == 10


def test_a_field_out_of_its_range_is_refused_by_name_and_nothing_starts(models):
    """Typed 300 epochs (or sent past the browser: −5, 10⁹): the field shows it, the page names the field and its
    range, and Start is off until it is back in range; NaN (which Streamlit empties) is the preset's again, said."""
    at = AppTest.from_function(_training_page, default_timeout=120)
    at.run()
    for key, value, said in [("train_epochs", 300, "Epochs must be 1 … 200; it is 300."),
                             ("train_epochs", -5, "Epochs must be 1 … 200; it is -5."),
                             ("train_epochs", 10**9, "Epochs must be 1 … 200; it is 1,000,000,000."),
                             ("train_lr", 0.0, "Learning rate must be 0.00001 … 20; it is 0."),
                             ("train_batch", 5000, "Batch size must be 8 … 4,096; it is 5,000."),
                             ("train_seed", 2**31, "Seed must be 0 … 2,147,483,647; it is 2,147,483,648.")]:
        before = at.number_input(key=key).value
        at.number_input(key=key).set_value(value).run()
        assert not at.exception, [e.value for e in at.exception]
        assert at.number_input(key=key).value == value  # the field shows what was typed, and it is refused
        assert [e.value for e in at.error] == [f"{said} Nothing starts until it is."]
        assert at.button(key="train_start").disabled
        at.number_input(key=key).set_value(before).run()
        assert not at.error and not at.button(key="train_start").disabled
    at.number_input(key="train_lr").set_value(float("nan")).run()
    assert at.number_input(key="train_lr").value == 0.9 and not at.button(key="train_start").disabled
    assert any("Learning rate was empty or not a number: it is the preset's 0.9 again" in w.value for w in at.warning)


def test_a_full_models_folder_keeps_the_run_until_saved_again(need_dataset, tiny_disk, monkeypatch):
    """The page says in words why nothing was saved (never the server's path), offers Save again and saves the run
    once there is room."""
    from dashboard.core import cache

    monkeypatch.setenv("LENET_MODELS_DIR", str(tiny_disk.folder))
    cache.clear()
    at = AppTest.from_function(_training_page, default_timeout=120)
    at.run()
    at.selectbox(key="train_preset").set_value("demo").run()
    at.number_input(key="train_epochs").set_value(1)
    at.number_input(key="train_subset").set_value(1280)
    at.text_input(key="train_name").set_value("no room").run()
    at.button(key="train_start").click().run()
    assert not at.exception, [e.value for e in at.exception]
    _wait_until_done(at)
    at.run()
    said = " ".join(e.value for e in at.error)
    assert "Not saved: the models folder models/ is full" in shown(said) and str(tiny_disk.folder) not in said
    assert any("not saved (no room)" in h.value for h in at.subheader)
    at.button(key="save_again").click().run()
    assert any("Still no room" in w.value for w in at.warning)
    tiny_disk.make_room()
    at.button(key="save_again").click().run()
    assert not at.exception
    assert any("Saved as no-room.pt" in shown(s.value) for s in at.success), [e.value for e in at.error]
    assert (tiny_disk.folder / "no-room.pt").is_file()


def test_the_page_builds_a_member_and_what_runs_is_what_shows(models, monkeypatch):
    """d2l's BatchNorm LeNet from its preset: the shape printout and the parameter count follow the fields; the
    run trains that member (its checkpoint says so) and the explorer shows it. A network whose maps shrink to
    nothing cannot start; a wide one counts its work against the run limit."""
    from dashboard.core.cache import job_manager
    from lenet.checkpoint import load_checkpoint
    from lenet.config import ARCHITECTURES

    at = AppTest.from_function(_training_page, default_timeout=120)
    at.run()
    assert any("61,706 parameters, 1.0× the seed LeNet's work" in c.value for c in at.caption)
    at.selectbox(key="arch_preset").set_value("batchnorm").run()
    assert any("6c5bn-16c5bn · 120bn-84bn: 44,878 parameters" in c.value for c in at.caption)
    printout = next(m.value for m in at.markdown if "**conv1** Conv2d" in m.value)
    assert "**bn1** BatchNorm2d → 6×24×24 · 12 parameters" in printout and "**pool2** AvgPool2d → 16×4×4  \n" \
        in printout and "**fc1** Linear → 120 · 30,840 parameters" in printout
    at.selectbox(key="train_preset").set_value("demo").run()  # the recipe; the network stays
    at.number_input(key="train_epochs").set_value(1)
    at.number_input(key="train_subset").set_value(2000)
    at.text_input(key="train_name").set_value("bn demo")
    at.button(key="train_start").click().run()
    assert not at.exception and not at.warning, [w.value for w in at.warning]
    _wait_until_done(at)
    assert job_manager().current.progress().state == "finished", job_manager().current.progress().error
    assert any("6c5bn-16c5bn · 120bn-84bn, relu + max pooling, 1 epochs" in shown(m.value) for m in at.markdown)
    ck = load_checkpoint(models / "bn-demo.pt")
    assert (ck.model_config.convs, ck.model_config.dense) == ARCHITECTURES["batchnorm"]
    assert (ck.model_config.activation, ck.model_config.pooling) == ("relu", "max")
    explorer = AppTest.from_file(APP, default_timeout=120)
    explorer.session_state["screen"] = {"size": [1236, 720]}
    explorer.query_params.update({"mode": "user", "um": "bn-demo.pt"})
    explorer.run()
    assert not explorer.exception and '"bn1"' in " ".join(c.proto.spec for c in explorer.get("plotly_chart"))

    at.number_input(key="arch_blocks").set_value(4).run()  # 28 → 14 → 5 → 0: nothing left
    assert at.selectbox(key="arch_preset").value == "custom"
    assert any("The maps shrink to nothing (28 → 24 → 12 → 8 → 4" in e.value for e in at.error)
    assert at.button(key="train_start").disabled
    at.number_input(key="arch_blocks").set_value(2).run()
    at.number_input(key="arch_c0_channels").set_value(64)
    at.number_input(key="arch_c1_channels").set_value(64).run()
    monkeypatch.setenv("LENET_MAX_STEPS", "200")
    at.number_input(key="train_epochs").set_value(2)
    at.button(key="train_start").click().run()
    assert any("of a network that does" in w.value and "the seed LeNet's work per image" in w.value
               for w in at.warning), [w.value for w in at.warning]
