"""The training page's settings: a preset fills every field at once, and what the fields show is what runs."""
from __future__ import annotations

import math
import re
from dataclasses import fields

import streamlit as st
import torch

from dashboard.app_pages.architecture_form import architecture_summary, layers_ui, network_ui, shown_architecture
from lenet.config import OPTIMIZERS, PRESETS, SCHEDULES, ModelConfig, TrainConfig
from lenet.data import FULL_TRAIN
from lenet.device import describe_device, pick_device
from lenet.i18n import N_, _, ngettext
from lenet.worker import TRAIN_THREADS
from lenet.ops import ACTIVATIONS, POOLINGS

DEVICES = ["auto", "cpu"] + (["cuda"] if torch.cuda.is_available() else []) + \
    (["mps"] if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available() else [])
PRESET_NAMES = {"classic": N_("classic: the seed's train_ch6"), "modern": N_("modern: relu, max, AdamW"),
                "demo": N_("demo: learns in seconds")}
PRESET_HELP = {"classic": N_("the seed's train_ch6: sigmoid + average pooling, SGD lr 0.9, 10 epochs"),
               "modern": N_("relu + max pooling, AdamW, one-cycle schedule, flips and shifts, 30 epochs"),
               "demo": N_("learns in seconds: relu + max, AdamW, 6,000 images, 4 epochs")}
SCHEDULE_NAMES = {"constant": N_("constant"), "onecycle": N_("one-cycle")}
DEVICE_NAMES = {"auto": N_("auto")}
# widget key -> the ModelConfig or TrainConfig field it sets
MODEL_FIELDS = {"train_activation": "activation", "train_pooling": "pooling"}
TRAIN_FIELDS = {"train_epochs": "num_epochs", "train_lr": "lr", "train_batch": "batch_size",
                "train_optimizer": "optimizer", "train_momentum": "momentum", "train_decay": "weight_decay",
                "train_schedule": "schedule", "train_augment": "augment", "train_seed": "seed",
                "train_subset": "train_subset"}
# widget key -> (its name, lowest, highest): the fields take any number (what a field shows is its value, where
# Streamlit's own bounds kept showing 300 while 2 ran) and the form refuses what lies outside, naming the field
LIMITS = {"train_epochs": (N_("Epochs"), 1, 200), "train_subset": (N_("Training images"), 0, FULL_TRAIN),
          "train_batch": (N_("Batch size"), 8, 4096), "train_lr": (N_("Learning rate"), 1e-5, 20.0),
          "train_momentum": (N_("Momentum"), 0.0, 0.999), "train_decay": (N_("Weight decay"), 0.0, 1.0),
          "train_seed": (N_("Seed"), 0, 2**31 - 1)}  # (names: English keys, shown through _())


def device_text(described: str) -> str:
    """lenet.device.describe_device's words in the session's language ('cpu (2 threads)': a count of threads;
    a GPU's name stays as its maker writes it)."""
    m = re.fullmatch(r"cpu \((\d+) threads?\)", described or "")
    return ngettext("cpu ({n} thread)", "cpu ({n} threads)", int(m[1])).format(n=int(m[1])) if m else described


def _number(v) -> str:
    if isinstance(v, float) and math.isfinite(v) and v != int(v):
        return f"{v:.12f}".rstrip("0") if abs(v) < 1e-3 else f"{v:g}"  # 0.00001, not 1e-05
    return f"{int(v):,}" if isinstance(v, (int, float)) and math.isfinite(v) else str(v)


FORM_CSS = """<style>
[class*="st-key-train_"] [data-testid="stNumberInputClearButton"] { display: none; }
</style>"""  # (a field is emptied by deleting its text: it then takes the preset's value again, said)


def out_of_range(keys=LIMITS) -> list[str]:
    """One sentence per field (of these keys) whose value lies outside its range, naming the field, its range
    and the value; [] when every field may run."""
    problems = []
    for key in keys:
        name, low, high = LIMITS[key]
        v = st.session_state.get(key)
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or not low <= v <= high:
            problems.append(_("{field} must be {low} … {high}; it is {value}.").format(
                field=_(name), low=_number(low), high=_number(high), value=_number(v)))
    return problems


def _field(column, label: str, key: str, **kwargs) -> None:
    """A number field with its range in its help and no bounds of its own (out_of_range checks them). Its value
    lives in the session's state, set from the preset where missing; a value no field holds (NaN or ∞ sent past
    the browser, which Streamlit turns into an empty value) is put back to the preset's and said so."""
    low, high = LIMITS[key][1:]
    if key in st.session_state and st.session_state[key] is None:
        st.session_state.setdefault("_form_reset", []).append(key)
    if st.session_state.get(key) is None:
        st.session_state[key] = preset(key)
    if isinstance(preset(key), int):
        kwargs.setdefault("step", 1)  # (an int field: with no value given, Streamlit would make it a float one)
    note = kwargs.pop("note", None)
    column.number_input(label, value=None, key=key, help=f"{_number(low)} … {_number(high)}"
                        + (_("; {note}").format(note=note) if note else ""), **kwargs)


def _said(keys: list[str]) -> None:
    """Under a row of fields: what is wrong with them, in words."""
    for key in keys:
        if key in st.session_state.get("_form_reset", []):
            st.session_state["_form_reset"].remove(key)
            st.warning(_("{field} was empty or not a number: it is the preset's {value} again, as the field "
                         "shows.").format(field=_(LIMITS[key][0]), value=_number(preset(key))))
    for problem in out_of_range(keys):
        st.error(_("{problem} Nothing starts until it is.").format(problem=problem))


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
    convs, dense = shown_architecture()  # (settings_ui starts nothing while the architecture is wrong)
    return (ModelConfig(**{name: st.session_state[key] for key, name in MODEL_FIELDS.items()}, convs=convs,
                        dense=dense), TrainConfig(**values))


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
    st.html(FORM_CSS)
    if st.session_state.get("train_preset") not in PRESETS:
        st.session_state["train_preset"] = next(iter(PRESETS))
    c = st.columns([2, 1, 1, 2], vertical_alignment="bottom")
    c[0].selectbox(_("Preset"), list(PRESETS), key="train_preset", on_change=fill_from_preset,
                   format_func=lambda p: _(PRESET_NAMES[p]) if p in PRESET_NAMES else p,
                   help=_("fills every field below"))
    c[1].selectbox(_("Activation"), list(ACTIVATIONS), _index(ACTIVATIONS, "train_activation"),
                   key="train_activation", format_func=lambda a: _(ACTIVATIONS[a].label))
    c[2].selectbox(_("Pooling"), list(POOLINGS), _index(POOLINGS, "train_pooling"), key="train_pooling",
                   format_func=lambda p: _(POOLINGS[p].label))
    network_ui(c[3])
    preset_help = PRESET_HELP.get(st.session_state["train_preset"])
    summary = architecture_summary(st.session_state["train_activation"], st.session_state["train_pooling"])
    st.caption(" · ".join(t for t in (_(preset_help) if preset_help else "", summary) if t))
    c = st.columns(4)
    _field(c[0], _("Epochs"), "train_epochs")
    _field(c[1], _("Training images (0 = all {n:,})").format(n=FULL_TRAIN), "train_subset", step=1000,
           note=_("train on the first N images only: quicker, less accurate"))
    _field(c[2], _("Batch size"), "train_batch")
    _field(c[3], _("Learning rate"), "train_lr", format="%.4g")
    _said(["train_epochs", "train_subset", "train_batch", "train_lr"])
    c = st.columns(4)
    c[0].selectbox(_("Optimizer"), OPTIMIZERS, _index(OPTIMIZERS, "train_optimizer"), key="train_optimizer")
    _field(c[1], _("Momentum (SGD)"), "train_momentum", format="%.3g")
    _field(c[2], _("Weight decay"), "train_decay", format="%.4g")
    c[3].selectbox(_("Schedule"), SCHEDULES, _index(SCHEDULES, "train_schedule"), key="train_schedule",
                   format_func=lambda s: _(SCHEDULE_NAMES[s]) if s in SCHEDULE_NAMES else s)
    _said(["train_momentum", "train_decay"])
    c = st.columns(4, vertical_alignment="bottom")
    c[0].toggle(_("Augment"), preset("train_augment"), key="train_augment",
                help=_("random flips and ±2 px shifts"))
    _field(c[1], _("Seed"), "train_seed")
    device = c[2].selectbox(_("Device"), DEVICES, help=_("auto: cuda, then mps, then cpu"), key="train_device",
                            format_func=lambda d: _(DEVICE_NAMES[d]) if d in DEVICE_NAMES else d)
    name = c[3].text_input(_("Model name"), "", placeholder=_("automatic"), key="train_name")
    _said(["train_seed"])
    wrong = shown_architecture()  # (the blocks and layers, or what is wrong with them)
    problems = out_of_range() + ([wrong] if isinstance(wrong, str) else [])
    c = st.columns([1, 3], vertical_alignment="center")
    pressed = c[0].button(_("Start training"), type="primary", key="train_start", disabled=bool(problems))
    c[1].caption(ngettext("Not startable: {n} field out of range (said under each).",
                          "Not startable: {n} fields out of range (said under each).", len(problems)).format(
        n=len(problems)) if problems else
        _("Will train on **{device}**.").format(
            device=device_text(describe_device(pick_device(device), threads=TRAIN_THREADS))))
    # the network's layers under Start: above it they pushed the button below a 1366×768 screen, and the live
    # curves of the run it starts then began scrolled off the top
    layers_ui(st.session_state["train_activation"], st.session_state["train_pooling"])
    if not pressed or problems:  # (a Start sent past a disabled button starts nothing either)
        return None
    model_config, train_config = shown_configs()
    return model_config, train_config, device, name.strip() or None
