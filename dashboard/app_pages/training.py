"""The training page: train LeNet in front of the class, watch the seed's curves live, keep the model."""
from __future__ import annotations

from dataclasses import replace

import streamlit as st
import torch

from dashboard.cache import job_manager
from dashboard.charts import chart
from dashboard.figures_training import training_figure
from lenet.config import OPTIMIZERS, PRESETS
from lenet.data import HOW_TO_GET_IT, dataset_available
from lenet.device import describe_device, pick_device
from lenet.jobs import JobBusy, TrainingJob
from lenet.ops import ACTIVATIONS, POOLINGS
from lenet.user_models import delete_model, models_dir, scan_models

POLL_SECONDS = 3.0  # how often the page redraws a running job (each redraw takes CPU from training)
DEVICES = ["auto", "cpu"] + (["cuda"] if torch.cuda.is_available() else []) + \
    (["mps"] if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available() else [])


def settings_ui() -> tuple | None:
    """The run's settings; returns (model config, train config, device, name) when Start is pressed."""
    with st.form("train_form"):
        c1, c2, c3 = st.columns(3)
        preset = c1.selectbox("Preset", list(PRESETS), key="train_preset",
                              help="classic = the seed's train_ch6; modern = relu + max, AdamW, one-cycle, "
                                   "augmentation")
        model_config, base = PRESETS[preset]
        activation = c2.selectbox("Activation", list(ACTIVATIONS), key="train_activation",
                                  index=list(ACTIVATIONS).index(model_config.activation),
                                  format_func=lambda a: ACTIVATIONS[a].label)
        pooling = c3.selectbox("Pooling", list(POOLINGS), key="train_pooling",
                               index=list(POOLINGS).index(model_config.pooling),
                               format_func=lambda p: POOLINGS[p].label)
        c1, c2, c3, c4 = st.columns(4)
        epochs = c1.number_input("Epochs", 1, 200, base.num_epochs, key="train_epochs")
        lr = c2.number_input("Learning rate", 1e-5, 20.0, base.lr, format="%.4g", key="train_lr")
        batch = c3.number_input("Batch size", 8, 4096, base.batch_size, key="train_batch")
        optimizer = c4.selectbox("Optimizer", OPTIMIZERS, index=OPTIMIZERS.index(base.optimizer),
                                 key="train_optimizer")
        c1, c2, c3, c4 = st.columns(4)
        seed = c1.number_input("Seed", 0, 2**31 - 1, base.seed, key="train_seed")
        subset = c2.number_input("Training images (0 = all 60,000)", 0, 60_000, 0, step=1000, key="train_subset")
        device = c3.selectbox("Device", DEVICES, help="auto: cuda, then mps, then cpu", key="train_device")
        name = c4.text_input("Model name", "", placeholder="automatic", key="train_name")
        st.caption(f"Will train on **{describe_device(pick_device(device))}**.")
        if not st.form_submit_button("Start training", type="primary", key="train_start"):
            return None
    train_config = replace(base, num_epochs=int(epochs), lr=float(lr), batch_size=int(batch), optimizer=optimizer,
                           seed=int(seed), train_subset=int(subset))
    return (replace(model_config, activation=activation, pooling=pooling), train_config, device,
            name.strip() or None)


def progress_ui() -> None:
    """The live view of the server's training job; polls every POLL_SECONDS while it runs."""
    job = job_manager().current
    running = job is not None and job.alive
    st.fragment(_progress_body, run_every=POLL_SECONDS if running else None)()


def _progress_body() -> None:
    job = job_manager().current
    if job is None:
        st.info("No training yet on this server. Choose the settings above and press Start.")
        return
    p = job.progress()
    if not job.alive and st.session_state.get("_seen_finished") is not job and p.state != "starting":
        st.session_state["_seen_finished"] = job
        st.rerun()  # once, when the job has ended: refresh the whole page (saved models list included)
    model_config = job.model_config
    st.subheader(f"{model_config.activation} + {model_config.pooling} pooling — {p.state}")
    st.progress(p.fraction, text=f"epoch {p.steps[-1].epoch if p.steps else 0:.1f} of {p.num_epochs}")
    last = p.epochs[-1] if p.epochs else None
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("device", p.device or "…")
    c2.metric("examples/sec", f"{last.examples_per_sec:,.0f}" if last and last.epoch else "…")
    c3.metric("elapsed", f"{p.elapsed:.0f} s")
    c4.metric("remaining", f"{p.remaining:.0f} s" if p.remaining is not None else "…")
    chart(training_figure(p.steps, p.epochs, p.num_epochs), key="train_curves")
    if job.alive:
        st.button("Stop", on_click=job.stop, type="secondary", key="stop_training",
                  help="ends after the current step; the last completed epoch is kept")
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
        c1.markdown(f"**{checkpoint.meta.get('name', checkpoint.path.stem)}** — {model_config.activation} + "
                    f"{model_config.pooling}, {m.get('epochs')} epochs, test acc {m.get('test_acc', 0):.1%} "
                    f"(`{checkpoint.path.name}`)")
        c2.button("Delete", key=f"del_{checkpoint.path.name}", on_click=delete_model,
                  args=(checkpoint.path, folder))


def show() -> None:
    st.title("Train LeNet")
    if not dataset_available():
        st.error("Training needs the full Fashion-MNIST.\n\n" + HOW_TO_GET_IT)
        saved_models_ui()
        return
    request = settings_ui()
    if request is not None:
        model_config, train_config, device, name = request
        try:
            job_manager().start(TrainingJob(model_config, train_config, device=device, name=name))
        except JobBusy as e:
            st.warning(str(e))
    progress_ui()
    saved_models_ui()
