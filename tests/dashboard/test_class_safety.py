"""The Training page in front of a class, through AppTest: nothing a file or a name can break, a lecturer and
students, the limit on a run."""
import time

from streamlit.testing.v1 import AppTest

from dashboard.core.text import plain
from tests.dashboard.pages import APP, shown
from tests.dashboard.pages import training_page as _training_page
from tests.files import hostile_files


def test_bad_files_and_hostile_names_never_break_a_page(models):
    """Every kind of broken file is listed as skipped with its reason; both pages still render; a name written
    in Markdown (bold, a link, an external image) is shown as typed."""
    from lenet import ModelConfig, build_model, save_checkpoint

    hostile = hostile_files(models)
    name = "**bold** [link](http://example.com) ![img](http://example.com/x.png)"
    save_checkpoint(models / "named.pt", build_model(ModelConfig(), seed=0), {"test_acc": 0.5, "epochs": 1},
                    extra={"name": name})
    at = AppTest.from_function(_training_page, default_timeout=120).run()
    assert not at.exception, [e.value for e in at.exception]
    skipped = [w.value for w in at.warning if w.value.startswith("Skipped")]
    assert len(skipped) == len(hostile)
    assert not any(str(models) in w for w in skipped)  # no server paths
    row = next(m.value for m in at.markdown if "bold" in m.value)
    assert name in shown(row)  # shown as typed, and as text.plain writes it: nothing left for Markdown to read
    assert plain(name) in row and not {"*", "[", "]", "(", ")", "!", ":", "/"} & set(plain(name).replace("&#", ""))

    explorer = AppTest.from_file(APP, default_timeout=120)
    explorer.session_state["screen"] = {"size": [1236, 720]}
    explorer.query_params["mode"] = "user"
    explorer.run()
    assert not explorer.exception, [e.value for e in explorer.exception]


def test_deleting_a_model_that_is_gone_or_cannot_go_says_why(models):
    from lenet import ModelConfig, build_model, save_checkpoint

    for stem in ("a", "b"):
        save_checkpoint(models / f"{stem}.pt", build_model(ModelConfig(), seed=0), {"test_acc": 0.5, "epochs": 1})
    at = AppTest.from_function(_training_page, default_timeout=120).run()
    (models / "a.pt").unlink()  # another session deleted it meanwhile
    at.button(key="del_a.pt").click().run()
    assert not at.exception and any("already deleted" in w.value for w in at.warning)
    models.chmod(0o555)  # a folder that cannot be written
    try:
        at.button(key="del_b.pt").click().run()
        if (models / "b.pt").exists():  # (root may delete anyway)
            assert not at.exception and any("could not be deleted" in w.value for w in at.warning)
    finally:
        models.chmod(0o755)


def test_start_is_refused_at_once_when_the_models_folder_cannot_be_written(models, monkeypatch):
    target = models / "not-a-folder"
    target.write_text("a file where the folder should be")  # cannot be created or written, even by root
    monkeypatch.setenv("LENET_MODELS_DIR", str(target))
    at = AppTest.from_function(_training_page, default_timeout=120).run()
    at.button(key="train_start").click().run()
    from dashboard.core.cache import job_manager

    assert job_manager().current is None or not job_manager().current.alive
    assert any("Not started" in w.value and "not-a-folder" in w.value for w in at.warning), \
        [w.value for w in at.warning]


def test_a_model_deleted_while_shown_gives_a_message(models):
    from lenet import ModelConfig, build_model, save_checkpoint

    save_checkpoint(models / "shown.pt", build_model(ModelConfig(), seed=0), {"test_acc": 0.5, "epochs": 1},
                    extra={"name": "shown"})
    explorer = AppTest.from_file(APP, default_timeout=120)
    explorer.session_state["screen"] = {"size": [1236, 720]}
    explorer.query_params["mode"] = "user"
    explorer.query_params["um"] = "shown.pt"
    explorer.run()
    assert not explorer.exception and not explorer.error
    (models / "shown.pt").unlink()
    explorer.run()
    assert not explorer.exception, [e.value for e in explorer.exception]
    assert any("shown" in w.value and "is gone" in w.value for w in explorer.warning), [w.value for w in explorer.warning]


def test_without_a_key_the_page_says_anyone_may_do_anything(models, monkeypatch):
    monkeypatch.delenv("LENET_LECTURER_KEY", raising=False)
    at = AppTest.from_function(_training_page, default_timeout=120).run()
    assert any("anyone who can reach this server can start, stop and delete" in c.value for c in at.caption)


def test_a_student_cannot_start_stop_or_delete_and_the_lecturer_can(models, monkeypatch, train_data):
    from dashboard.core.cache import job_manager
    from lenet import ModelConfig, TrainConfig, build_model, save_checkpoint
    from lenet.data import Data
    from lenet.jobs import TrainingJob

    monkeypatch.setenv("LENET_LECTURER_KEY", "s3cret-key")
    save_checkpoint(models / "kept.pt", build_model(ModelConfig(), seed=0), {"test_acc": 0.5, "epochs": 1})
    student = AppTest.from_function(_training_page, default_timeout=120).run()
    assert any("watching as a student" in c.value for c in student.caption)
    student.button(key="train_start").click().run()
    assert job_manager().current is None and any("Only the lecturer can start" in w.value for w in student.warning)
    student.button(key="del_kept.pt").click().run()
    assert (models / "kept.pt").is_file() and any("Only the lecturer can delete" in w.value for w in student.warning)

    # the lecturer's run (here started directly, as the lecturer's session would): the student sees it, cannot stop it
    small = Data(train_data.X_train[:2560], train_data.y_train[:2560], train_data.X_test[:500],
                 train_data.y_test[:500])
    job = job_manager().start(TrainingJob(ModelConfig("relu", "max"), TrainConfig(num_epochs=200, optimizer="adamw",
                                                                                   lr=3e-3),
                                          device="cpu", data=small, out_dir=models))
    try:
        deadline = time.time() + 60
        while not job.progress().steps and time.time() < deadline:
            time.sleep(0.05)
        student.run()
        student.button(key="stop_training").click().run()
        assert job.alive and job.progress().state == "running"
        assert any("Only the lecturer can stop" in w.value for w in student.warning)

        lecturer = AppTest.from_function(_training_page, default_timeout=120).run()
        lecturer.text_input(key="lecturer_typed").set_value("wrong").run()
        lecturer.button(key="unlock").click().run()
        assert any("not the lecturer key" in w.value for w in lecturer.warning)
        lecturer.text_input(key="lecturer_typed").set_value("s3cret-key").run()
        lecturer.button(key="unlock").click().run()
        assert lecturer.session_state["lecturer"] and lecturer.session_state["lecturer_typed"] == ""
        lecturer.button(key="stop_training").click().run()
        assert job.join(60) and job.progress().state == "stopped"
    finally:
        job.stop()
        job.join(60)


def test_a_run_too_long_for_the_slot_is_refused(models, monkeypatch):
    from dashboard.core.cache import job_manager

    monkeypatch.delenv("LENET_LECTURER_KEY", raising=False)
    at = AppTest.from_function(_training_page, default_timeout=120).run()
    at.number_input(key="train_epochs").set_value(200)
    at.number_input(key="train_batch").set_value(8)
    at.button(key="train_start").click().run()
    assert job_manager().current is None
    assert any("1,500,000 steps" in w.value and "LENET_MAX_STEPS" in w.value for w in at.warning), \
        [w.value for w in at.warning]
