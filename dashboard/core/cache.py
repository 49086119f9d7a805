"""The app's only caching layer: models and figures as shared resources, per-input results as data.

Models are shared by every browser session, so nothing here hands out a model to be modified: a pooling or
activation swap builds (and caches) a separate model. Figures are built once per distinct (model, image,
screen, look) and then shared by every session that shows the same (a class following the lecturer's image);
a Figure is never changed after it is made. Keys are plain strings, bytes and frozen dataclasses. What every
input change asks for goes through shared() (far cheaper per call); the rest through Streamlit's caches.
"""
from __future__ import annotations

import copy
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import streamlit as st
import torch

from dashboard.core.choice import ModelChoice, user_file_epoch
from dashboard.figures.base import Figure
from dashboard.figures.inputs import thumbnail_strip
from dashboard.figures.overview import Screen
from dashboard.parts.overview import Look, build_overview
from dashboard.core.shared_cache import clear_shared, shared
from lenet import attribution
from lenet.capture import acts_of, capture
from lenet.checkpoint import Checkpoint, CheckpointError, load_checkpoint, snapshot_model, snapshots_of
from lenet.data import DatasetNotFound, class_name, dataset_available, read_split
from lenet.filters import TopImages, initial_model, top_images
from lenet.i18n import _, language
from lenet.max_or_avg import Study, study
from lenet.mistakes import Mistakes, mistakes
from lenet.model import LeNet, with_ops
from lenet.pretrained import pretrained_path
from lenet.stages import STAGES, stages_of
from lenet.samples import ImageSet, load_samples
from lenet.slot import JobManager
from lenet.user_models import SavedModel, models_dir, scan_models


def clear() -> None:
    """Empty every cache of the app (Streamlit's and shared()'s): tests start from nothing."""
    st.cache_resource.clear()
    st.cache_data.clear()
    clear_shared()


@shared(max_entries=16)
def _shipped(variant: str) -> Checkpoint:
    return load_checkpoint(pretrained_path(variant))


def shipped_metrics(variant: str) -> dict:
    """The metrics stored with a shipped checkpoint (test accuracy, epochs, ...)."""
    return _shipped(variant).metrics


def user_stamp(file: str) -> str:
    """What identifies a user model's file as it is now: its mtime and size ('' if it is not there)."""
    try:
        st_ = (models_dir() / file).stat()
    except (OSError, ValueError):
        return ""
    return f"{st_.st_mtime_ns:x}-{st_.st_size:x}"


def _user_model(weights: str, activation: str, pooling: str) -> LeNet:
    file, epoch = user_file_epoch(weights)
    path = models_dir() / file
    try:
        mtime = path.stat().st_mtime_ns
    except OSError:
        mtime = 0  # (gone: load_checkpoint says so)
    model = _user_checkpoint_model(str(path), mtime, epoch)
    if (model.config.activation, model.config.pooling) == (activation, pooling):
        return model
    return _user_model_with_ops(str(path), mtime, epoch, activation, pooling)


@st.cache_resource(show_spinner=False, max_entries=64)
def _user_checkpoint_model(path: str, mtime: int, epoch: str) -> LeNet:
    checkpoint = load_checkpoint(path)  # mtime in the key: a model saved again under the same name is reloaded
    return snapshot_model(checkpoint, int(epoch)) if epoch else checkpoint.model


@st.cache_resource(show_spinner=False, max_entries=64)
def _user_model_with_ops(path: str, mtime: int, epoch: str, activation: str, pooling: str) -> LeNet:
    """A user model's weights run with other ops: a model of its own (the cached one is shared, never changed)."""
    return with_ops(_user_checkpoint_model(path, mtime, epoch), activation=activation, pooling=pooling)


def get_model(key: str) -> LeNet:
    """The (shared, read-only) model for a ModelChoice key: its weights run with its ops (a separate model where
    they differ from those the weights were trained with); raises CheckpointError if its file is bad."""
    choice = ModelChoice.from_key(key)
    if choice.user:
        return _user_model(choice.weights, choice.activation, choice.pooling)
    return _model(key)


@shared(max_entries=64)
def _model(key: str) -> LeNet:
    choice = ModelChoice.from_key(key)
    model = _shipped(choice.weights).model
    if (model.config.activation, model.config.pooling) == (choice.activation, choice.pooling):
        return model
    return with_ops(model, activation=choice.activation, pooling=choice.pooling)


def model_error(key: str) -> str | None:
    """None if the model loads, else a message naming the file (not its server path) and the problem."""
    try:
        get_model(key)
        return None
    except CheckpointError as e:
        if e.problem == "file not found":
            return _("{name} is gone (deleted, perhaps from another session)").format(name=e.path.name)
        return f"{e.path.name}: {e.explained()}"


# Every session's script runs in a new thread, and torch's first operation in a thread costs ~1.5 ms of set-up:
# the forward passes of all sessions run in this one long-lived thread instead.
_TORCH = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lenet-forward")


@shared(max_entries=512)
def acts_for(key: str, image: bytes) -> dict[str, np.ndarray]:
    """Every stage's output (batch dimension dropped) for one input image (float32, 1×28×28) given as bytes;
    shared by every session, so read-only (an attempt to change one raises)."""
    X = torch.from_numpy(np.frombuffer(image, dtype=np.float32).reshape(1, 1, 28, 28).copy())
    model = get_model(key)
    acts = _TORCH.submit(lambda: acts_of(capture(model, X))).result()
    for values in acts.values():
        values.setflags(write=False)
    return acts


@st.cache_resource(show_spinner=False, max_entries=16)
def _private(key: str) -> LeNet:
    """A copy of a model for Captum alone: it hooks the modules it attributes to, which must not touch a forward
    pass another session runs on the shared model meanwhile (used in the _TORCH thread only)."""
    return copy.deepcopy(get_model(key))


def _image(image: bytes) -> np.ndarray:
    return np.frombuffer(image, dtype=np.float32).reshape(28, 28)


def attribution_of(key: str, image: bytes, target: int, method: str) -> tuple[np.ndarray, str]:
    """One attribution of a class's score to the pixels (lenet.attribution) and its one-line reading (in the
    session's language)."""
    values = _attribution_values(key, image, target, method)  # (the reading is cheap: written in each language)
    return values, attribution.reading(method, values, class_name(target), attribution.last_conv(get_model(key)))


@st.cache_data(show_spinner=False, max_entries=256)
def _attribution_values(key: str, image: bytes, target: int, method: str) -> np.ndarray:
    return _TORCH.submit(lambda: attribution.attribute(_private(key), _image(image), target, method)).result()


@st.cache_data(show_spinner=False, max_entries=256)
def window_drops_of(key: str, image: bytes, target: int) -> np.ndarray:
    """Occlusion's drop of the score for every position of its square (lenet.attribution.window_drops)."""
    return _TORCH.submit(lambda: attribution.window_drops(get_model(key), _image(image), target)).result()


@st.cache_data(show_spinner=False, max_entries=256)
def contributions_of(key: str, image: bytes, target: int) -> dict[str, np.ndarray]:
    """Each map's (neuron's) part of the class's score, stage by stage (lenet.attribution.contributions)."""
    return _TORCH.submit(lambda: attribution.contributions(_private(key), _image(image), target)).result()


@shared(max_entries=1)
def gallery() -> tuple[ImageSet, bool]:
    """The images to pick from: the full test set when present, else the bundled samples; and which."""
    if dataset_available():
        try:
            X, y = read_split(False)  # numpy, no torchvision import: it would cost the first paint ~1.3 s
            return ImageSet(X, y, np.arange(len(y))), True
        except DatasetNotFound:
            pass
    return load_samples(), False


SLOW_WORK = 20  # × the seed's work per image from which a model's first measurement is said while it runs


@shared(max_entries=32)
def mistakes_of(key: str) -> Mistakes:
    """What the model predicts for every gallery image (the full test set when present), computed once per
    model and shared by every session: the confusion matrix and its cells (lenet.mistakes)."""
    samples = gallery()[0]
    return mistakes(get_model(key), samples.tensor(), samples.labels)


def measured_once(key: str) -> None:
    """A model seen for the first time is run over every gallery image (its predictions: the strip's red frames,
    the accuracy): for a member many times the seed's work per image that takes a while, said while it runs
    (a 64-map, 7×7 LeNet over the full test set: a minute or more on 2 cores). Once per model, for every session."""
    if mistakes_of.holds(key):
        return
    ratio = stages_of(get_model(key).config).work() / STAGES.work()
    if ratio < SLOW_WORK:
        predictions(key)
        return
    n = len(gallery()[0])
    with st.spinner(_("Measuring this model on the {n:,} test images, once for every session: a network of "
                      "{ratio:,.0f}× the seed LeNet's work per image takes a while.").format(n=n, ratio=ratio)):
        predictions(key)


def predictions(key: str) -> np.ndarray:
    """The model's predicted class for every gallery image (shared: not to be modified)."""
    return mistakes_of(key).predictions


def accuracy(key: str) -> tuple[float, int]:
    """Accuracy on the gallery (the full test set when present) and the number of images."""
    samples = gallery()[0]
    return float((predictions(key) == samples.labels).mean()), len(samples)


@st.cache_resource(show_spinner=False)
def job_manager() -> JobManager:
    """The training slot: one job at a time per models folder, shared by every browser session and every
    server process (lenet.slot)."""
    return JobManager()


MAX_OFFERED = 100  # saved models offered in the menus: the newest (the Training page pages through all)


def user_models() -> dict[str, SavedModel]:
    """The newest saved user models (at most MAX_OFFERED) by file name, newest first; a file is read once while
    it is unchanged (lenet.user_models keeps what each held by name, mtime and size)."""
    try:
        return {m.path.name: m for m in scan_models(models_dir(), 0, MAX_OFFERED)[0]}
    except ValueError:  # the folder was set inside assets/: the Training page says so
        return {}


@shared(max_entries=512, by_language=True)
def overview(key: str, image: bytes, true_label: int | None, screen: Screen, settings: Look) -> Figure:
    """The overview of one model for one image (float32 bytes, 1×28×28), shared by every session; with
    settings.why, the maps that raise that class most outlined."""
    marks = None
    if settings.why >= 0:
        parts = contributions_of(key, image, settings.why)
        marks = {name: attribution.top_maps(p) for name, p in parts.items()}
    return build_overview(get_model(key), acts_for(key, image), true_label, screen, settings=settings, marks=marks)


@shared(max_entries=256, by_language=True)
def strip(key: str, page: tuple[int, ...], cell: int, width: int) -> Figure:
    """The thumbnail strip of these gallery images, those the model misclassifies framed."""
    samples = gallery()[0]
    preds = predictions(key)
    wrong = [bool(preds[k] != samples.labels[k]) for k in page]
    right, mistaken = _("#{n}: {true}"), _("#{n}: {true} — predicted {predicted}")
    hover = [(mistaken if w else right).format(n=int(samples.indices[k]), true=class_name(samples.labels[k]),
                                               predicted=class_name(preds[k])) for k, w in zip(page, wrong)]
    return thumbnail_strip(samples.images[list(page)], wrong, hover, cell, width)


@st.cache_resource(show_spinner=False, max_entries=32)
def top_images_of(key: str, layer: str = "conv2") -> TopImages:
    """For each map of a conv layer, the 9 gallery images that excite it most (lenet.filters), once per model."""
    samples = gallery()[0]
    return top_images(get_model(key), samples.tensor(), layer, k=9)


def initial_of(key: str) -> tuple[LeNet, str]:
    """The model at its random initialisation, and how that is known (lenet.filters.initial_model), in the
    session's language."""
    return _initial_of(key, language())


@st.cache_resource(show_spinner=False, max_entries=32)
def _initial_of(key: str, lang: str) -> tuple[LeNet, str]:
    choice = ModelChoice.from_key(key)
    model = get_model(key)
    if choice.user:
        try:
            checkpoint = load_checkpoint(models_dir() / choice.file)
        except CheckpointError:  # (gone or replaced since the model was loaded: from its seed, as shipped ones)
            return initial_model(model.config, None)
        return initial_model(model.config, checkpoint.train_config, snapshots_of(checkpoint).get(0))
    return initial_model(model.config, _shipped(choice.weights).train_config)


@st.cache_resource(show_spinner=False, max_entries=4)
def pooling_study(activation: str) -> Study:
    """Max against average pooling under the recipe of an activation (lenet.max_or_avg), measured once on the
    gallery (the full test set when present) and shared by every session."""
    samples, full = gallery()
    images = f"the {len(samples):,} {'test' if full else 'bundled test'} images"
    return _TORCH.submit(lambda: study(activation, samples.tensor(), torch.from_numpy(samples.labels),
                                       images)).result()
