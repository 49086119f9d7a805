"""The training page: train LeNet in front of the class, watch the seed's curves live, keep the model."""
from __future__ import annotations

import streamlit as st

from dashboard.app_pages.training_form import settings_ui
from dashboard.cache import job_manager
from dashboard.charts import chart
from dashboard.figures_training import training_figure
from lenet.data import HOW_TO_GET_IT, dataset_available
from lenet.jobs import JobBusy, TrainingJob
from lenet.ops import ACTIVATIONS, POOLINGS
from lenet.user_models import delete_model, models_dir, scan_models

POLL_SECONDS = 3.0  # how often the page redraws a running job (each redraw takes CPU from training)
CURVES_PX = 340  # the live curves' height: with the progress above, all of it on a 1366×768 screen


def progress_ui() -> None:
    """The live view of the server's training job; polls every POLL_SECONDS while it runs."""
    job = job_manager().current
    running = job is not None and job.alive
    st.fragment(_progress_body, run_every=POLL_SECONDS if running else None)()


def _progress_body() -> None:
    job = job_manager().current
    if job is None:
        st.info("No training yet on this server. Choose the settings below and press Start.")
        return
    p = job.progress()
    if not job.alive and st.session_state.get("_seen_finished") is not job and p.state != "starting":
        st.session_state["_seen_finished"] = job
        st.rerun()  # once, when the job has ended: refresh the whole page (saved models list included)
    model_config = job.model_config
    head, stop = st.columns([5, 1], vertical_alignment="center")
    head.subheader(f"{model_config.activation} + {model_config.pooling} pooling — {p.state}")
    if job.alive:
        stop.button("Stop", on_click=job.stop, type="secondary", key="stop_training",
                    help="ends after the current step; the last completed epoch is kept")
    last = p.epochs[-1] if p.epochs else None
    speed = f"{last.examples_per_sec:,.0f} examples/s" if last and last.epoch else "…"
    remaining = f", {p.remaining:.0f} s to go" if p.remaining is not None else ""
    st.progress(p.fraction, text=f"epoch {p.steps[-1].epoch if p.steps else 0:.1f} of {p.num_epochs} · "
                                 f"{p.device or '…'} · {speed} · {p.elapsed:.0f} s elapsed{remaining}")
    chart(training_figure(p.steps, p.epochs, p.num_epochs, height=CURVES_PX), key="train_curves")
    if p.error:
        st.error(p.error)
    if p.saved:
        st.success(f"Saved as {p.saved.name} in {p.saved.parent} — choose it in the Explorer's model menu.")
    elif p.state in ("stopped", "finished"):
        st.warning("No epoch was completed, so nothing was saved.")


def saved_models_ui() -> None:
    st.subheader("Saved models")
    try:
        folder = models_dir()
    except ValueError as e:
        st.error(str(e))
        return
    models, errors = scan_models(folder)
    for message in errors:
        st.warning(f"Unreadable model file skipped: {message}")
    if not models:
        st.caption(f"None yet in {folder}.")
    for checkpoint in models:
        c1, c2 = st.columns([5, 1])
        m, model_config = checkpoint.metrics, checkpoint.model_config
        c1.markdown(f"**{checkpoint.meta.get('name', checkpoint.path.stem)}** — "
                    f"{ACTIVATIONS[model_config.activation].label} + {POOLINGS[model_config.pooling].label} "
                    f"pooling, {m.get('epochs')} epochs, test acc {m.get('test_acc', 0):.1%} "
                    f"(`{checkpoint.path.name}`)")
        c2.button("Delete", key=f"del_{checkpoint.path.name}", on_click=delete_model,
                  args=(checkpoint.path, folder))


def show() -> None:
    st.markdown("#### Train LeNet on Fashion-MNIST")
    if not dataset_available():
        st.error("Training needs the full Fashion-MNIST.\n\n" + HOW_TO_GET_IT)
        saved_models_ui()
        return
    job = job_manager().current
    if job is not None:  # the run first: its curves on the first screen
        progress_ui()
    with st.expander("Settings of a new run", expanded=job is None or not job.alive):
        request = settings_ui()
    if request is not None:
        model_config, train_config, device, name = request
        try:
            job_manager().start(TrainingJob(model_config, train_config, device=device, name=name))
            st.rerun()  # show the new run's progress at the top
        except JobBusy as e:
            st.warning(str(e))
    if job is None:
        progress_ui()
    saved_models_ui()
