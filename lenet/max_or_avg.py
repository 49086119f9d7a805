"""'Max or average pooling?' answered from measurements, not from the seed's sentence.

The seed's Q&A: "the difference is small; max pooling is used more because its outputs (and so its gradients)
are larger, which makes training easier". Under one recipe (classic: sigmoid; modern: relu) the shipped max
and average variants are compared on what the project measures itself: test accuracy and every epoch's numbers
(stored with the weights), the size of the pooled outputs and of the gradients that reach each layer's
weights, at initialisation (the same initial weights for both: the training seed; only the pooling differs)
and after training, and each one's weights run with the other pooling. `answer` writes the sentences from the
numbers: if they flip, the sentences flip.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from lenet.checkpoint import load_checkpoint
from lenet.engine import evaluate
from lenet.fastgrad import loss_and_grads, params_of
from lenet.filters import initial_model
from lenet.i18n import _
from lenet.model import LeNet, with_ops
from lenet.stages import STAGE_BY_NAME

LAYERS = ("conv1", "conv2", "fc1", "fc2", "fc3")  # the layers with weights, input to output
POOLS = ("pool1", "pool2")
LEVEL = 0.005  # accuracies closer than this (half a point) are called level
CHUNK = 500  # images per pass when measuring


@dataclass(frozen=True)
class Side:
    """One pooling under one recipe: what its shipped variant measures."""

    pooling: str  # "max" or "avg"
    test_acc: float  # the shipped weights' test accuracy (full test set)
    epochs: int  # how long it was trained
    history: tuple[dict, ...]  # every epoch's numbers (engine.history_of)
    grads: dict[str, dict[str, float]]  # "init"/"trained" -> layer -> RMS of ∂loss/∂weight over the images
    outputs: dict[str, dict[str, float]]  # "init"/"trained" -> pooling stage -> mean |output|
    own_acc: float  # the trained weights as trained, on `images`
    swapped_acc: float  # the trained weights run with the other pooling, on `images`


@dataclass(frozen=True)
class Study:
    """Max against average under one recipe."""

    recipe: str  # e.g. "classic"
    activation: str
    max: Side
    avg: Side
    images: str  # what the gradients, outputs and swapped accuracies were measured on, e.g. "the 10,000 test images"


@dataclass(frozen=True)
class Measured:
    """What one pass over the images measures of a model."""

    grads: dict[str, float]  # layer -> RMS of ∂(mean cross-entropy)/∂weight
    outputs: dict[str, float]  # pooling stage -> mean |output|
    accuracy: float


def measure(model: LeNet, X: torch.Tensor, y: torch.Tensor) -> Measured:
    """The gradients' and the pooled outputs' sizes and the accuracy over the images X (N, 1, 28, 28), in one
    pass of the training engine's own forward and backward (lenet.fastgrad, tested equal to autograd) over
    cache-sized chunks: ~4× as fast as autograd over the whole set at once (the page's first visit took ~16 s)."""
    params, total = params_of(model), {}
    pooled, correct = dict.fromkeys(POOLS, 0.0), 0
    for i in range(0, len(X), CHUNK):
        Xc, yc = X[i:i + CHUNK], y[i:i + CHUNK]
        saved: dict[str, torch.Tensor] = {}
        logits, grads = loss_and_grads(params, Xc, yc, model.config, saved)[1:]
        for name in LAYERS:
            g = grads[f"{name}.weight"] * (len(Xc) / len(X))  # the chunk's share of the mean
            total[name] = total[name] + g if name in total else g
        for name, key in zip(POOLS, ("p1", "p2")):
            pooled[name] += float(saved[key].abs().sum())
        correct += int((logits.argmax(1) == yc).sum())
    return Measured({name: float(g.pow(2).mean().sqrt()) for name, g in total.items()},
                    {name: pooled[name] / (len(X) * math.prod(STAGE_BY_NAME[name].shape)) for name in POOLS},
                    correct / len(X))


def gradient_sizes(model: LeNet, X: torch.Tensor, y: torch.Tensor) -> dict[str, float]:
    """RMS of ∂(mean cross-entropy)/∂weight for each layer of LAYERS, over the images X (N, 1, 28, 28)."""
    return measure(model, X, y).grads


def side(pooling: str, test_acc: float, epochs: int, history: list[dict], init: LeNet, trained: LeNet, swapped: LeNet,
         X: torch.Tensor, y: torch.Tensor) -> Side:
    """Measure one side: gradients and outputs of the initial and trained model on (X, y), the trained and the
    swapped model's accuracy on them."""
    first, last = measure(init, X, y), measure(trained, X, y)
    return Side(pooling, test_acc, epochs, tuple(history), {"init": first.grads, "trained": last.grads},
                {"init": first.outputs, "trained": last.outputs}, last.accuracy, evaluate(swapped, X, y))


def study(activation: str, X: torch.Tensor, y: torch.Tensor, images: str) -> Study:
    """Max against average under the recipe of an activation, from the shipped variants (their stored accuracy
    and history; their initial weights rebuilt from the training seed) and measured on the images (X, y)."""
    from lenet.pretrained import pretrained_path  # (pretrained imports this package's checkpoint module too)

    sides, recipe = {}, ""
    for pooling, other in (("max", "avg"), ("avg", "max")):
        ck = load_checkpoint(pretrained_path(f"{activation}-{pooling}"))
        init = initial_model(ck.model_config, ck.train_config)[0]  # (the global random state is kept)
        sides[pooling] = side(pooling, float(ck.metrics["test_acc"]), int(ck.metrics.get("epochs", 0)),
                              ck.metrics.get("history", []), init,
                              ck.model, with_ops(ck.model, pooling=other), X, y)
        recipe = str(ck.meta.get("preset", ""))
    return Study(recipe, activation, sides["max"], sides["avg"], images)


def _pct(v: float) -> str:
    return f"{v:.1%}"


def _points(v: float) -> str:
    return _("{v:+.1f} points").format(v=v * 100).replace("-", "−")


def _span(ratios: list[float]) -> str:
    """'1.01–1.08×' (or '1.03×' when they agree to two decimals)."""
    lo, hi = f"{min(ratios):.2f}", f"{max(ratios):.2f}"
    return f"{lo}×" if lo == hi else f"{lo}–{hi}×"


def _first_epoch(s: Side) -> float | None:
    return next((e["test_acc"] for e in s.history if e["epoch"] == 1), None)


def answer(study: Study, images: str | None = None) -> list[str]:
    """The answer, a sentence per claim of the seed, each written from the numbers, in the thread's language.
    images: what the measurements were made on, in that language (default: study.images)."""
    mx, av = study.max, study.avg
    images = images or study.images
    out = []
    gap = mx.test_acc - av.test_acc
    epochs = max((e["epoch"] for e in mx.history), default=mx.epochs)
    if abs(gap) < LEVEL:
        out.append(_("**Accuracy: level.** Max {max}, average {avg} on the test set after {epochs} epochs: less "
                     "than half a point apart.").format(max=_pct(mx.test_acc), avg=_pct(av.test_acc), epochs=epochs))
    else:
        said = _("**Accuracy: max pooling wins** by {gap:.1f} points — max {max}, average {avg} on the test set "
                 "after {epochs} epochs; average is behind.") if gap > 0 else \
            _("**Accuracy: average pooling wins** by {gap:.1f} points — max {max}, average {avg} on the test set "
              "after {epochs} epochs; max is behind.")
        out.append(said.format(gap=abs(gap) * 100, max=_pct(mx.test_acc), avg=_pct(av.test_acc), epochs=epochs))
    e1m, e1a = _first_epoch(mx), _first_epoch(av)
    if e1m is not None and e1a is not None:
        faster = _("both learn at the same pace at first") if abs(e1m - e1a) < LEVEL else \
            _("max pooling learns faster at first") if e1m > e1a else _("average pooling learns faster at first")
        out.append(_("**Learning speed: {faster}** — after one epoch max {max}, average {avg} test accuracy (see the "
                     "training curves).").format(faster=faster, max=_pct(e1m), avg=_pct(e1a)))
    for when, words in (("init", _("at initialisation (the same weights, only the pooling differs)")),
                        ("trained", _("after training"))):
        outs = [mx.outputs[when][p] / av.outputs[when][p] for p in POOLS]
        grads = [mx.grads[when][n] / av.grads[when][n] for n in LAYERS]
        larger = [n for n, r in zip(LAYERS, grads) if r > 1]
        which = _(" ({layers})").format(layers=_(", ").join(larger)) if 0 < len(larger) < len(LAYERS) else ""
        out.append(_("**Outputs and gradients {when}:** max pooling's outputs are {outputs} average's ({pools}); the "
                     "gradients reaching the weights {gradients} — larger with max at {k} of {n} layers{which}.")
                   .format(when=words, outputs=_span(outs), pools=_(", ").join(POOLS), gradients=_span(grads),
                           k=len(larger), n=len(LAYERS), which=which))
    outs = [mx.outputs["init"][p] / av.outputs["init"][p] for p in POOLS]
    grads = [mx.grads["init"][n] / av.grads["init"][n] for n in LAYERS]
    holds = all(r > 1 for r in outs) and sum(r > 1 for r in grads) > len(LAYERS) / 2
    most = max(abs(r - 1) for r in outs + grads)
    if not holds:
        out.append(_("**The seed's claim** (max pooling's outputs, and so its gradients, are larger) **does not hold "
                     "here** at initialisation: see the numbers above."))
    elif most < 0.1:
        out.append(_("**The seed's claim** (max pooling's outputs, and so its gradients, are larger) **holds here** "
                     "at initialisation: larger outputs at both poolings and larger gradients at most layers, but "
                     "barely: by at most {most:.0%}.").format(most=most))
    else:
        out.append(_("**The seed's claim** (max pooling's outputs, and so its gradients, are larger) **holds here** "
                     "at initialisation: larger outputs at both poolings and larger gradients at most layers, by at "
                     "most {most:.0%}.").format(most=most))
    out.append(_("**Swapped:** the max-trained weights run with average pooling reach {max_swapped} ({max_change}), "
                 "the average-trained ones with max pooling {avg_swapped} ({avg_change}), on {images}.").format(
        max_swapped=_pct(mx.swapped_acc), max_change=_points(mx.swapped_acc - mx.own_acc),
        avg_swapped=_pct(av.swapped_acc), avg_change=_points(av.swapped_acc - av.own_acc), images=images))
    return out


def swapped(study: Study) -> Study:
    """The same study with max's numbers and average's exchanged (what `answer` must flip on)."""
    return Study(study.recipe, study.activation, Side("max", *_values(study.avg)), Side("avg", *_values(study.max)),
                 study.images)


def _values(s: Side) -> tuple:
    return s.test_acc, s.epochs, s.history, s.grads, s.outputs, s.own_acc, s.swapped_acc


def curves(s: Side, key: str) -> tuple[np.ndarray, np.ndarray]:
    """(epochs, values) of one history column, the epochs that have it."""
    points = [(e["epoch"], e[key]) for e in s.history if e.get(key) is not None]
    return np.array([p[0] for p in points], float), np.array([p[1] for p in points], float)
