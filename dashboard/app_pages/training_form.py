"""The training page's settings: a preset fills every field at once, and what the fields show is what runs."""
from __future__ import annotations

from dataclasses import fields

import streamlit as st
import torch

from lenet.config import OPTIMIZERS, PRESETS, SCHEDULES, ModelConfig, TrainConfig
from lenet.data import FULL_TRAIN
from lenet.device import describe_device, pick_device
from lenet.jobs import TRAIN_THREADS
from lenet.ops import ACTIVATIONS, POOLINGS

DEVICES = ["auto", "cpu"] + (["cuda"] if torch.cuda.is_available() else []) + \
    (["mps"] if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available() else [])
PRESET_NAMES = {"classic": "classic: the seed's train_ch6", "modern": "modern: relu, max, AdamW",
                "demo": "demo: learns in seconds"}
PRESET_HELP = {"classic": "the seed's train_ch6: sigmoid + average pooling, SGD lr 0.9, 10 epochs",
               "modern": "relu + max pooling, AdamW, one-cycle schedule, flips and shifts, 30 epochs",
               "demo": "learns in seconds: relu + max, AdamW, 6,000 images, 4 epochs"}
# widget key -> the ModelConfig or TrainConfig field it sets
MODEL_FIELDS = {"train_activation": "activation", "train_pooling": "pooling"}
TRAIN_FIELDS = {"train_epochs": "num_epochs", "train_lr": "lr", "train_batch": "batch_size",
                "train_optimizer": "optimizer", "train_momentum": "momentum", "train_decay": "weight_decay",
                "train_schedule": "schedule", "train_augment": "augment", "train_seed": "seed",
                "train_subset": "train_subset"}


def fill_from_preset() -> None:
    """Every field takes the chosen preset's value (on a change of the preset, before the page is drawn)."""
    model_config, train_config = PRESETS[st.session_state["train_preset"]]
    for key, name in MODEL_FIELDS.items():
        st.session_state[key] = getattr(model_config, name)
    for key, name in TRAIN_FIELDS.items():
        st.session_state[key] = getattr(train_config, name)


def shown_configs() -> tuple[ModelConfig, TrainConfig]:
    """The configs the fields show, exactly."""
    defaults = {f.name: f.default for f in fields(TrainConfig)}
    values = {name: type(defaults[name])(st.session_state[key]) for key, name in TRAIN_FIELDS.items()}
    return (ModelConfig(**{name: st.session_state[key] for key, name in MODEL_FIELDS.items()}),
            TrainConfig(**values))


def preset(key: str):
    """The chosen preset's value for a field's widget (of the config field's type): every field's own default,
    so that a field whose state the session does not hold shows the preset's value, never its minimum — on
    the first visit, and whenever Streamlit or the browser has dropped the field's state (a run cut short by
    the next one; in a fresh clone, Unlock pressed while the page's first run was still drawing once gave
    batch 8, lr 0.00001)."""
    model_config, train_config = PRESETS[st.session_state["train_preset"]]
    if key in MODEL_FIELDS:
        return getattr(model_config, MODEL_FIELDS[key])
    name = TRAIN_FIELDS[key]
    default = next(f.default for f in fields(TrainConfig) if f.name == name)
    return type(default)(getattr(train_config, name))


def _index(options, key: str) -> int:
    return list(options).index(preset(key))


def settings_ui() -> tuple | None:
    """The run's settings; returns (model config, train config, device, name) when Start is pressed.
    Four fields a row at most, each label whole at 1280 px (phones stack them)."""
    if st.session_state.get("train_preset") not in PRESETS:
        st.session_state["train_preset"] = next(iter(PRESETS))
    c = st.columns([2, 1, 1], vertical_alignment="bottom")
    c[0].selectbox("Preset", list(PRESETS), key="train_preset", on_change=fill_from_preset,
                   format_func=PRESET_NAMES.get, help="fills every field below")
    c[1].selectbox("Activation", list(ACTIVATIONS), _index(ACTIVATIONS, "train_activation"),
                   key="train_activation", format_func=lambda a: ACTIVATIONS[a].label)
    c[2].selectbox("Pooling", list(POOLINGS), _index(POOLINGS, "train_pooling"), key="train_pooling",
                   format_func=lambda p: POOLINGS[p].label)
    st.caption(PRESET_HELP.get(st.session_state["train_preset"], ""))
    c = st.columns(4)
    c[0].number_input("Epochs", 1, 200, preset("train_epochs"), key="train_epochs")
    c[1].number_input(f"Training images (0 = all {FULL_TRAIN:,})", 0, FULL_TRAIN, preset("train_subset"),
                      step=1000, key="train_subset", help="train on the first N images only: quicker, less accurate")
    c[2].number_input("Batch size", 8, 4096, preset("train_batch"), key="train_batch")
    c[3].number_input("Learning rate", 1e-5, 20.0, preset("train_lr"), format="%.4g", key="train_lr")
    c = st.columns(4)
    c[0].selectbox("Optimizer", OPTIMIZERS, _index(OPTIMIZERS, "train_optimizer"), key="train_optimizer")
    c[1].number_input("Momentum (SGD)", 0.0, 0.999, preset("train_momentum"), format="%.3g", key="train_momentum")
    c[2].number_input("Weight decay", 0.0, 1.0, preset("train_decay"), format="%.4g", key="train_decay")
    c[3].selectbox("Schedule", SCHEDULES, _index(SCHEDULES, "train_schedule"), key="train_schedule")
    c = st.columns(4, vertical_alignment="bottom")
    c[0].toggle("Augment", preset("train_augment"), key="train_augment", help="random flips and ±2 px shifts")
    c[1].number_input("Seed", 0, 2**31 - 1, preset("train_seed"), key="train_seed")
    device = c[2].selectbox("Device", DEVICES, help="auto: cuda, then mps, then cpu", key="train_device")
    name = c[3].text_input("Model name", "", placeholder="automatic", key="train_name")
    c = st.columns([1, 3], vertical_alignment="center")
    pressed = c[0].button("Start training", type="primary", key="train_start")
    c[1].caption(f"Will train on **{describe_device(pick_device(device), threads=TRAIN_THREADS)}**.")
    if not pressed:
        return None
    model_config, train_config = shown_configs()
    return model_config, train_config, device, name.strip() or None
