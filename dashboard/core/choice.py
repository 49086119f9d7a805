"""Which model the pages show: shipped or user weights, run with an activation and a pooling."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from dashboard.core.text import plain
from lenet.i18n import _
from lenet.ops import ACTIVATIONS, POOLINGS


def ops_label(activation: str, pooling: str, short: bool = False) -> str:
    """'relu + max pooling' ('relu + max' short)."""
    ops = _("{activation} + {pooling}").format(activation=_(ACTIVATIONS[activation].label),
                                               pooling=_(POOLINGS[pooling].label))
    return ops if short else _("{ops} pooling").format(ops=ops)


@dataclass(frozen=True)
class ModelChoice:
    """Which weights, run with which activation and pooling."""

    weights: str  # a shipped variant whose weights are used ("relu-max"), or "user:FILE" / "user:FILE@EPOCH"
    activation: str  # a key of lenet.ops.ACTIVATIONS
    pooling: str  # a key of lenet.ops.POOLINGS
    # the ops a user model was trained with ("relu-max"; "" if not known), for what the page says: not in the key
    trained: str = field(default="", compare=False)
    # a user model's file as it is now (cache.user_stamp: its mtime and size): in the key, so that every cache of
    # its results is the file's, and a file replaced under the same name is computed anew
    stamp: str = ""

    @property
    def key(self) -> str:
        """What the caches are keyed by: 'relu-max|relu|max', 'user:FILE@3#STAMP|relu|avg'. The file's name may hold
        '|', '@' or '#': from_key reads the ops from the right and the stamp only where it is one."""
        return f"{self.weights}{'#' + self.stamp if self.stamp else ''}|{self.activation}|{self.pooling}"

    @property
    def user(self) -> bool:
        """True for a model trained in the dashboard ('user:FILE' or 'user:FILE@EPOCH')."""
        return self.weights.startswith("user:")

    @property
    def trained_ops(self) -> tuple[str, str] | None:
        """(activation, pooling) the weights were trained with; None where not known."""
        variant = self.trained if self.user else self.weights
        act, pool = variant.partition("-")[::2]
        return (act, pool) if act in ACTIVATIONS and pool in POOLINGS else None

    @property
    def swapped(self) -> bool:
        """True if the ops run differ from those the weights were trained with."""
        trained = self.trained_ops
        return trained is not None and trained != (self.activation, self.pooling)

    @property
    def label(self) -> str:
        """Exactly what runs, in a few words: which weights, trained with which ops, run with which."""
        run = ops_label(self.activation, self.pooling, short=True)
        trained = self.trained_ops
        if self.user:  # (Markdown: the file's name is shown as it is, whatever it holds)
            file, epoch = user_file_epoch(self.weights)
            name = _("{file}, epoch {epoch}").format(file=plain(file), epoch=epoch) if epoch else plain(file)
            if self.swapped:
                return _("{name}: trained with {trained}, run with {run}").format(
                    name=name, trained=ops_label(*trained, short=True), run=run)
            return _("{name}: {run}").format(name=name, run=run)
        if self.swapped:
            return _("{run} on weights trained with {trained} (not retrained)").format(
                run=run, trained=ops_label(*trained, short=True))
        return _("{run}, trained with these ops").format(run=run)

    @property
    def file(self) -> str:
        """A user model's file name ("" for shipped weights)."""
        return user_file_epoch(self.weights)[0] if self.user else ""

    @classmethod
    def from_key(cls, key: str) -> "ModelChoice":
        weights, activation, pooling = key.rsplit("|", 2)
        stamp = ""
        head, hash_, tail = weights.rpartition("#")
        if weights.startswith("user:") and hash_ and _STAMP.fullmatch(tail):
            weights, stamp = head, tail
        return cls(weights, activation, pooling, stamp=stamp)


_STAMP = re.compile(r"[0-9a-f]+-[0-9a-f]+")  # cache.user_stamp's form


def user_file_epoch(weights: str) -> tuple[str, str]:
    """('FILE', 'EPOCH') of 'user:FILE@EPOCH' ('' without an epoch). A file's name ends in '.pt', so an epoch is
    only an '@' and digits after that: 'm.pt@1.pt' and 'lenet@10.pt' are files, 'lenet@10.pt@2' is epoch 2."""
    name = weights[5:]
    head, at, tail = name.rpartition("@")
    if at and tail.isdigit() and head.endswith(".pt"):
        return head, tail
    return name, ""
