"""The training page: train LeNet in front of the class, watch the seed's curves live, keep the model."""
from __future__ import annotations

import streamlit as st

from dashboard.app_pages.d2l_import import import_ui
from dashboard.app_pages.saved_models import saved_models_ui
from dashboard.app_pages.architecture_form import work_ratio
from dashboard.app_pages.training_form import device_text, settings_ui
from dashboard.core.cache import job_manager
from dashboard.core.charts import chart
from dashboard.core.roles import is_lecturer, lecturer_key, refusal, run_too_long, unlock
from dashboard.core.text import plain
from dashboard.figures.training import training_figure
from dashboard.core.links import explorer_page
from lenet.data import FULL_TRAIN, dataset_available, how_to_get_it
from lenet.i18n import N_, _, say
from lenet.ops import POOLINGS
from lenet.jobs import JobBusy, TrainingJob
from lenet.slot import RemoteJob
from lenet.user_models import safe_name, writable

POLL_SECONDS = 3.0  # how often the page redraws a running job (each redraw takes CPU from training)
STATES = {"starting": N_("starting"), "running": N_("running"), "stopping": N_("stopping"),  # a state as the
          "finished": N_("finished"), "stopped": N_("stopped"), "failed": N_("failed"),  # page's title says it
          "unsaved": N_("not saved (no room)"), "discarded": N_("discarded")}
CURVES_PX = 340  # the live curves' height: with the progress above, all of it on a 1366×768 screen


def progress_ui() -> None:
    """The live view of the server's training job; polls every POLL_SECONDS while it runs."""
    job = job_manager().current
    running = job is not None and job.alive
    st.fragment(_progress_body, run_every=POLL_SECONDS if running else None)()


def _progress_body() -> None:
    job = job_manager().current
    if job is None:
        st.info(_("No training yet on this server. Choose the settings above, then start the run."))
        return
    p = job.progress()
    if not job.alive and st.session_state.get("_seen_finished") != job.id and p.state != "starting":
        st.session_state["_seen_finished"] = job.id
        st.rerun()  # once, when the job has ended: refresh the whole page (saved models list included)
    model_config = job.model_config
    head, stop = st.columns([5, 1], vertical_alignment="center")
    head.subheader(_("{activation} + {pooling} pooling — {state}").format(
        activation=model_config.activation, pooling=_(POOLINGS[model_config.pooling].label),
        state=_(STATES[p.state]) if p.state in STATES else p.state))
    if job.alive:
        stop.button(_("Stop"), on_click=_stop, args=(job,), type="secondary", key="stop_training",
                    help=_("ends after the current step; the last completed epoch is kept"))
    note = st.session_state.pop("_stop_note", None)
    if note:
        st.warning(note)
    last = p.epochs[-1] if p.epochs else None
    speed = _("{n:,.0f} examples/s (average of the epochs so far)").format(n=last.examples_per_sec) \
        if last and last.epoch else "…"
    remaining = _(", {s:.0f} s to go").format(s=p.remaining) if p.remaining is not None else ""
    st.progress(p.fraction, text=_("epoch {epoch:.1f} of {epochs} · {device} · {speed} · {elapsed:.0f} s "
                                   "elapsed{remaining}").format(
        epoch=p.steps[-1].epoch if p.steps else 0, epochs=p.num_epochs, device=device_text(p.device) or "…",
        speed=speed, elapsed=p.elapsed, remaining=remaining))
    chart(training_figure(p.steps, p.epochs, p.num_epochs, height=CURVES_PX), key="train_curves",
          config={"displayModeBar": False})  # (its buttons covered the legend on a phone)
    if p.error:
        st.error(plain(say(p.error)))
    if p.state == "unsaved" and hasattr(job, "save_again"):  # (this process trained it: its epochs are here)
        c1, c2 = st.columns([1, 1, 3])[:2]
        c1.button(_("Save again"), on_click=_keep, args=(job, "save"), type="primary", key="save_again")
        c2.button(_("Discard the run"), on_click=_keep, args=(job, "discard"), key="discard_run")
    if p.saved:
        taken = p.saved.stem != safe_name(job.name or p.saved.stem)
        st.success((_("Saved as {name} (a model of that name already existed; it is kept).") if taken else
                    _("Saved as {name}.")).format(name=plain(p.saved.name)))
        open_in_explorer(p.saved.name)
    elif p.state in ("stopped", "finished"):
        st.warning(_("No epoch was completed, so nothing was saved."))
    elif p.state == "discarded":
        st.info(_("The run was discarded: nothing was saved."))


def open_in_explorer(file: str) -> None:
    """A link that opens a saved model in the explorer (its settings panel then shows the epoch slider)."""
    st.page_link(explorer_page(), label=_("Open it in the Explorer"), icon="🔎",
                 query_params={"mode": "user", "um": file})


def _keep(job: TrainingJob, how: str) -> None:
    """Save again (or discard) a run whose model found no room in the models folder."""
    refused = refusal(_("save or discard runs"))
    if refused:
        st.session_state["_stop_note"] = refused
    elif how == "discard":
        job.discard()
    elif not job.save_again():
        st.session_state["_stop_note"] = _("Still no room: nothing was saved (what was trained is still kept).")


def _stop(job: TrainingJob | RemoteJob) -> None:
    refused = refusal(_("stop the run"))
    if refused:
        st.session_state["_stop_note"] = refused
    else:
        job.stop()


def role_ui() -> None:
    """Who may start, stop and delete here; the lecturer's unlock (a password field, never the URL)."""
    if lecturer_key() is None:
        st.caption(_("No lecturer key is set: anyone who can reach this server can start, stop and delete runs "
                     "and models. For a class, start the server with LENET_LECTURER_KEY set (see the README)."))
        return
    if is_lecturer():
        st.caption(_("Unlocked: this browser session is the lecturer's (start, stop, delete)."))
        return
    c1, c2, c3 = st.columns([2, 1, 3], vertical_alignment="bottom")
    c1.text_input(_("Lecturer key"), type="password", key="lecturer_typed",
                  help=_("students watch the run and explore; the lecturer starts, stops and deletes"))
    c2.button(_("Unlock"), key="unlock", on_click=_unlock)
    why = st.session_state.pop("_unlock_failed", None)
    if why:
        c3.warning(why)
    else:
        c3.caption(_("You are watching as a student: the lecturer starts, stops and deletes."))


def _unlock() -> None:
    typed = st.session_state.get("lecturer_typed") or ""
    st.session_state["lecturer_typed"] = ""  # the key does not stay in the page
    why = unlock(typed)
    if why:
        st.session_state["_unlock_failed"] = why


def show() -> None:
    st.markdown("#### " + _("Train LeNet on Fashion-MNIST"))
    role_ui()
    if not dataset_available():
        st.error(_("Training needs the full Fashion-MNIST.") + "\n\n" + how_to_get_it())
        saved_models_ui()
        import_ui()
        return
    job = job_manager().current
    if job is not None:  # the run first: its curves on the first screen
        progress_ui()
    with st.expander(_("Settings of a new run"), expanded=job is None or not job.alive):
        request = settings_ui()
    if request is not None:
        model_config, train_config, device, name = request
        images = train_config.train_subset or FULL_TRAIN
        unwritable = writable()  # found now, not after the whole run has trained
        refused = refusal(_("start a run")) or run_too_long(train_config.num_epochs, images,
                                                             train_config.batch_size, work_ratio(model_config)) \
            or (unwritable and _("Not started: {why}, so the trained model could not be saved.").format(
                why=unwritable))
        if refused:
            st.warning(refused)
        else:
            try:
                job_manager().start(TrainingJob(model_config, train_config, device=device, name=name))
                st.rerun()  # show the new run's progress at the top
            except JobBusy as e:
                st.warning(str(e))
    if job is None:
        progress_ui()
    saved_models_ui()
    import_ui()
