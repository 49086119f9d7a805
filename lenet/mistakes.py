"""A model's mistakes across a set of images: the confusion matrix, per-class accuracy, the images of any cell,
the most confident mistakes. One forward pass over the set (batched, no gradients), then numpy."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from lenet.engine import EVAL_CHUNK
from lenet.fastgrad import logits_of
from lenet.model import LeNet

CLASSES = 10


@dataclass(frozen=True)
class Mistakes:
    """What a model predicts for every image of a set, and how that compares with the labels."""

    labels: np.ndarray  # (N,) true classes
    predictions: np.ndarray  # (N,) predicted classes
    confidence: np.ndarray  # (N,) the probability of the predicted class

    @property
    def counts(self) -> np.ndarray:
        """(10, 10) confusion matrix: row = true class, column = predicted class."""
        return np.bincount(self.labels * CLASSES + self.predictions, minlength=CLASSES * CLASSES
                           ).reshape(CLASSES, CLASSES)

    @property
    def row_normalised(self) -> np.ndarray:
        """Each row divided by its total: what share of a class's images went to each prediction (0 for a class
        with no images)."""
        counts = self.counts.astype(np.float64)
        totals = counts.sum(1, keepdims=True)
        return np.divide(counts, totals, out=np.zeros_like(counts), where=totals > 0)

    @property
    def per_class_accuracy(self) -> np.ndarray:
        """(10,) the share of each class's images predicted as that class (NaN for a class with no images)."""
        counts = self.counts
        totals = counts.sum(1)
        return np.where(totals > 0, np.diag(counts) / np.maximum(totals, 1), np.nan)

    @property
    def accuracy(self) -> float:
        return float((self.labels == self.predictions).mean()) if len(self.labels) else float("nan")

    def cell(self, true: int, predicted: int) -> np.ndarray:
        """Positions (in the set) of the images of this class predicted as that one, most confident first."""
        where = np.flatnonzero((self.labels == true) & (self.predictions == predicted))
        return where[np.argsort(-self.confidence[where], kind="stable")]

    def most_confident_mistakes(self, k: int = 12) -> np.ndarray:
        """Positions of the k wrong predictions the model was surest of, surest first."""
        wrong = np.flatnonzero(self.labels != self.predictions)
        return wrong[np.argsort(-self.confidence[wrong], kind="stable")][:k]


@torch.no_grad()
def mistakes(model: LeNet, X: torch.Tensor, y: torch.Tensor | np.ndarray, batch: int = EVAL_CHUNK) -> Mistakes:
    """Run the model over X ((N, 1, 28, 28) float in [0, 1]) by the training engine's fast forward, in
    cache-sized chunks, and compare with the labels y."""
    preds, conf = [], []
    for start in range(0, len(X), batch):
        p = torch.softmax(logits_of(model, X[start:start + batch]), 1)
        c, k = p.max(1)
        preds.append(k)
        conf.append(c)
    labels = np.asarray(y.numpy() if isinstance(y, torch.Tensor) else y, dtype=np.int64)
    if not preds:
        return Mistakes(labels, np.zeros(0, np.int64), np.zeros(0))
    return Mistakes(labels, torch.cat(preds).numpy().astype(np.int64), torch.cat(conf).double().numpy())
