"""Which model the pages show: shipped or user weights, run with an activation and a pooling."""
from __future__ import annotations

from dataclasses import dataclass

from dashboard.text import plain


@dataclass(frozen=True)
class ModelChoice:
    """Which weights, run with which activation and pooling."""

    weights: str  # a shipped variant whose weights are used ("relu-max"), or "user:FILE" / "user:FILE@EPOCH"
    activation: str  # a key of lenet.ops.ACTIVATIONS
    pooling: str  # a key of lenet.ops.POOLINGS

    @property
    def key(self) -> str:
        return f"{self.weights}|{self.activation}|{self.pooling}"

    @property
    def user(self) -> bool:
        """True for a model trained in the dashboard ('user:FILE' or 'user:FILE@EPOCH')."""
        return self.weights.startswith("user:")

    @property
    def swapped(self) -> bool:
        """True if the ops differ from those the weights were trained with."""
        return not self.user and self.weights != f"{self.activation}-{self.pooling}"

    @property
    def label(self) -> str:
        base = f"{self.activation} + {self.pooling} pooling"
        if self.user:  # (Markdown: the file's name is shown as it is, whatever it holds)
            file, _, epoch = self.weights[5:].partition("@")
            return f"{base} ({plain(file)}{f', after epoch {epoch}' if epoch else ''})"
        return f"{base} (weights trained with {self.weights})" if self.swapped else f"{base} (trained)"

    @classmethod
    def from_key(cls, key: str) -> "ModelChoice":
        weights, activation, pooling = key.split("|")
        return cls(weights, activation, pooling)
