"""The fast training engine: the whole data set as one tensor on the device, no DataLoader.

Use it as an iterator of progress events (what the dashboard's live curves consume):

    trainer = Trainer(ModelConfig("relu", "max"), TrainConfig(num_epochs=3))
    for event in trainer.run():
        print(event)

or from the command line (lenet/train.py): python -m lenet.train --preset classic --out model.pt
"""
from __future__ import annotations

import ctypes
import math
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

import torch
import torch.nn.functional as F

from lenet.config import ModelConfig, TrainConfig
from lenet.data import Data
from lenet.device import describe_device, pick_device
from lenet.fastgrad import autograd_grads, logits_of, loss_and_grads, params_of, trains_faster
from lenet.i18n import Said, later
from lenet.model import LeNet, build_model
from lenet.ops import ACTIVATIONS

BLOWUP_LOSS = 1e3  # a batch loss this large (chance is ln 10 = 2.3) means the weights are running away
EVAL_CHUNK = 256  # test images per forward pass: larger chunks fall out of the CPU cache and run slower


def _keep_freed_memory() -> None:
    """Ask glibc to keep freed memory for reuse instead of returning it to the OS after every step.

    The CPU step frees and reallocates megabyte-sized activations; by default glibc unmaps them and every
    new step pays ~1,000 page faults (zeroed pages) for the same memory. No-op where glibc is absent.
    """
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-1, 1 << 30)  # M_TRIM_THRESHOLD: keep up to 1 GiB of free heap
        libc.mallopt(-3, 1 << 25)  # M_MMAP_THRESHOLD: serve blocks up to 32 MiB from the heap
    except (OSError, AttributeError):
        pass


class TrainingDiverged(Said, RuntimeError):
    """The loss became NaN or infinite; the message names the likely cause (lenet.i18n.Said: str(e) in English,
    e.said the later() message, which the worker passes on for each reader's language)."""


@dataclass(frozen=True)
class StepEvent:
    """Running train metrics of the current epoch, several times per epoch."""

    epoch: float  # fractional epochs done, e.g. 2.4
    step: int  # optimizer steps done so far, over all epochs
    train_loss: float  # mean loss over this epoch's batches so far (as d2l's animator plots it)
    train_acc: float  # accuracy over this epoch's examples so far


@dataclass(frozen=True)
class EpochEvent:
    """End of an epoch: its train metrics, the test accuracy and a snapshot of the weights."""

    epoch: int  # epochs done (0 = the initial weights, before any training)
    step: int
    train_loss: float  # nan for epoch 0
    train_acc: float  # nan for epoch 0
    test_acc: float  # on the whole test set
    examples_per_sec: float  # training throughput so far (evaluation excluded, as in d2l)
    seconds: float  # wall-clock time so far, evaluation included
    device: str  # e.g. "cpu (2 threads)"
    state_dict: dict[str, torch.Tensor] = field(repr=False, default_factory=dict)  # CPU copy of the weights


def predict(model: LeNet, X: torch.Tensor) -> torch.Tensor:
    """The predicted class of every image (N,), as at inference, in cache-sized chunks, without autograd."""
    return torch.cat([logits_of(model, X[i:i + EVAL_CHUNK]).argmax(1)
                      for i in range(0, len(X), EVAL_CHUNK)]) if len(X) else torch.zeros(0, dtype=torch.int64)


def evaluate(model: LeNet, X: torch.Tensor, y: torch.Tensor) -> float:
    """Accuracy of model on (X, y)."""
    return (predict(model, X) == y).sum().item() / max(len(X), 1)


def _augment(X: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    """Random horizontal flips and shifts of up to 2 px, per image (the modern preset)."""
    N = len(X)
    flip = (torch.rand(N, generator=gen, device=gen.device) < 0.5).to(X.device)
    X = torch.where(flip[:, None, None, None], X.flip(3), X)
    shift = torch.randint(0, 5, (2, N), generator=gen, device=gen.device).to(X.device)
    padded = F.pad(X, (2, 2, 2, 2))  # (N, 1, 32, 32), black border
    ar = torch.arange(28, device=X.device)
    rows = (ar[None, :] + shift[0][:, None])[:, :, None]  # (N, 28, 1)
    cols = (ar[None, :] + shift[1][:, None])[:, None, :]  # (N, 1, 28)
    n = torch.arange(N, device=X.device)[:, None, None]
    return padded[n, 0, rows, cols].unsqueeze(1)


BUILD_OPTIMIZER: dict[str, Callable[..., torch.optim.Optimizer]] = {
    "sgd": lambda params, c: torch.optim.SGD(params, lr=c.lr, momentum=c.momentum, weight_decay=c.weight_decay,
                                             foreach=True),
    "adamw": lambda params, c: torch.optim.AdamW(params, lr=c.lr, weight_decay=c.weight_decay, foreach=True),
}  # the keys are TrainConfig's choices (config.OPTIMIZERS)


def _optimizer(model: LeNet, train_config: TrainConfig, total_steps: int):
    opt = BUILD_OPTIMIZER[train_config.optimizer](model.parameters(), train_config)
    sched = None
    if train_config.schedule == "onecycle" and total_steps > 0:
        sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=train_config.lr, total_steps=total_steps,
                                                    pct_start=0.15)
    return opt, sched


HISTORY = ("epoch", "train_loss", "train_acc", "test_acc", "seconds")  # what each epoch's record holds


def history_of(epochs: list[EpochEvent]) -> list[dict[str, float | None]]:
    """Every completed epoch's numbers (epoch 0: the initial weights, no training loss or accuracy: None)."""
    return [{k: (None if isinstance(v, float) and math.isnan(v) else v) for k in HISTORY
             for v in [getattr(e, k)]} for e in epochs]


def metrics_of(epochs: list[EpochEvent], train_config: TrainConfig, train_examples: int, test_examples: int
               ) -> dict[str, Any]:
    """What a run reached at its last epoch, and the history of every epoch, as stored with its checkpoint and
    printed by the CLI."""
    last = epochs[-1]
    return dict(test_acc=last.test_acc, train_loss=last.train_loss, train_acc=last.train_acc,
                examples_per_sec=last.examples_per_sec, seconds=last.seconds, device=last.device,
                epochs=last.epoch, seed=train_config.seed, train_examples=train_examples,
                test_examples=test_examples, history=history_of(epochs))


def divergence_message(train_config: TrainConfig, model_config: ModelConfig, epoch: float, what: str) -> str:
    """Why training failed, in words a student can act on. what: 'nan', 'blowup' or 'dead'."""
    symptom = {
        "nan": later("the loss became NaN or infinite"),
        "blowup": later("a batch loss exceeded {limit:g} (guessing at random gives 2.3)", limit=BLOWUP_LOSS),
        "dead": later("the network stopped learning: no gradient reaches the first layer, because every ReLU "
                      "in some layer now outputs 0 for every image (the ReLUs 'died')"),
    }[what]
    lr, optimizer = train_config.lr, train_config.optimizer
    large_lr_hint = ACTIVATIONS[model_config.activation].large_lr_hint
    tip = later(large_lr_hint) if large_lr_hint and optimizer == "sgd" and lr >= 0.5 else \
        later("; try a value 10x smaller")
    return later("Training diverged at epoch {epoch:.2f}: {symptom}. Most likely the learning rate {lr:g} is "
                 "probably too high for {optimizer} with {activation} activations{tip}.", epoch=epoch,
                 symptom=symptom, lr=lr, optimizer=optimizer, activation=model_config.activation, tip=tip)


class Trainer:
    """One training run. run() yields StepEvent and EpochEvent objects; break out of it to stop."""

    def __init__(self, model_config: ModelConfig = ModelConfig(), train_config: TrainConfig = TrainConfig(),
                 device: str = "auto", data: Data | None = None, data_root: str | None = None) -> None:
        self.model_config, self.train_config = model_config, train_config
        self.device = pick_device(device)
        self.device_name = describe_device(self.device)
        if self.device.type == "cpu":
            _keep_freed_memory()
        self.data = data or Data.load(self.device, data_root, train_config.train_subset)
        self.model = build_model(model_config, seed=train_config.seed).to(self.device)
        self.history: list[StepEvent | EpochEvent] = []

    def _snapshot(self) -> dict[str, torch.Tensor]:
        return {k: v.detach().to("cpu", copy=True) for k, v in self.model.state_dict().items()}

    def run(self, should_stop: Callable[[], bool] = lambda: False) -> Iterator[StepEvent | EpochEvent]:
        """Train, yielding progress; stops early (after the current step) once should_stop() is true."""
        train_config, d, model = self.train_config, self.data, self.model
        n = len(d.X_train)
        steps_per_epoch = math.ceil(n / train_config.batch_size)
        report_every = max(1, steps_per_epoch // train_config.reports_per_epoch)
        opt, sched = _optimizer(model, train_config, steps_per_epoch * train_config.num_epochs)
        params = params_of(model)
        fast = trains_faster(self.model_config)  # else autograd through the modules (BatchNorm, dropout, ...)
        model.train()
        gen = torch.Generator(device="cpu").manual_seed(train_config.seed)
        t_start = time.perf_counter()
        train_seconds, examples, step = 0.0, 0, 0

        first = EpochEvent(0, 0, math.nan, math.nan, evaluate(model, d.X_test, d.y_test), 0.0,
                           time.perf_counter() - t_start, self.device_name, self._snapshot())
        self.history.append(first)
        yield first
        for epoch in range(train_config.num_epochs):
            t_epoch = time.perf_counter()
            perm = torch.randperm(n, generator=gen).to(self.device)
            loss_sum = torch.zeros((), device=self.device)  # kept on the device: no host sync per step
            correct = torch.zeros((), dtype=torch.int64, device=self.device)
            worst = torch.zeros((), device=self.device)  # largest batch loss since the last report
            signal = torch.zeros((), device=self.device)  # sum of |conv1 weight gradient| since then
            seen = 0
            for i in range(steps_per_epoch):
                idx = perm[i * train_config.batch_size:(i + 1) * train_config.batch_size]
                X, y = d.X_train.index_select(0, idx), d.y_train.index_select(0, idx)
                if train_config.augment:
                    X = _augment(X, gen)
                if fast:
                    loss, logits, grads = loss_and_grads(params, X, y, self.model_config)
                    for name, p in params.items():
                        p.grad = grads[name]
                else:
                    loss, logits, grads = autograd_grads(model, X, y)
                opt.step()
                if sched is not None:
                    sched.step()
                step += 1
                seen += len(y)
                loss_sum += loss * len(y)
                correct += (logits.argmax(1) == y).sum()
                worst = torch.maximum(worst, loss)
                signal += grads["conv1.weight"].abs().sum()
                if (i + 1) % report_every == 0 or i + 1 == steps_per_epoch:
                    train_loss = loss_sum.item() / seen
                    self._check(train_loss, worst.item(), signal.item(), epoch + (i + 1) / steps_per_epoch)
                    worst.zero_()
                    signal.zero_()
                    ev = StepEvent(epoch + (i + 1) / steps_per_epoch, step, train_loss, correct.item() / seen)
                    self.history.append(ev)
                    yield ev
                if should_stop():
                    return
            train_seconds += time.perf_counter() - t_epoch
            examples += seen
            ev = EpochEvent(epoch + 1, step, loss_sum.item() / seen, correct.item() / seen,
                            evaluate(model, d.X_test, d.y_test), examples / train_seconds,
                            time.perf_counter() - t_start, self.device_name, self._snapshot())
            self.history.append(ev)
            yield ev

    def _check(self, train_loss: float, worst: float, signal: float, epoch: float) -> None:
        what = ("nan" if not (math.isfinite(train_loss) and math.isfinite(worst) and math.isfinite(signal))
                else "blowup" if worst > BLOWUP_LOSS else "dead" if signal == 0.0 else None)
        if what:
            raise TrainingDiverged(divergence_message(self.train_config, self.model_config, epoch, what))

    def last_epoch(self) -> EpochEvent:
        """The most recent completed epoch (epoch 0 before any)."""
        return [e for e in self.history if isinstance(e, EpochEvent)][-1]

    def metrics(self) -> dict[str, Any]:
        """What the run reached at its last completed epoch (see metrics_of)."""
        epochs = [e for e in self.history if isinstance(e, EpochEvent)]
        return metrics_of(epochs, self.train_config, len(self.data.X_train), len(self.data.X_test))
