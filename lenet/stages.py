"""The stage registry: the one place that says which stages LeNet has and what each one does."""
from __future__ import annotations

from dataclasses import dataclass

from lenet.config import ModelConfig
from lenet.i18n import N_, _
from lenet.ops import ACTIVATIONS, POOLINGS


@dataclass(frozen=True)
class Stage:
    """One named step of the network, as the dashboard shows it."""

    name: str  # key in capture()'s dict and, for module stages, the nn.Module's name
    kind: str  # "input", "conv", "activation", "pool", "flatten", "dense" or "softmax"
    label: str  # short title for headers, in English (`title`: in the session's language)
    explanation: str  # a plain-language paragraph (English; describe() translates); "{act}" / "{pool}" filled in
    shape: tuple[int, ...]  # output shape of one example, e.g. (6, 28, 28)
    is_module: bool = True  # False for the input and the softmax, which are not layers of the model

    @property
    def title(self) -> str:
        """The short title headers show, in the session's language."""
        return _(self.label)

    def describe(self, model_config: ModelConfig) -> str:
        """The explanation with this variant's activation and pooling formulas filled in."""
        return _(self.explanation).format(act=ACTIVATIONS[model_config.activation].describe(),
                                       pool=POOLINGS[model_config.pooling].describe())


_ACT = N_("The activation is applied to every value on its own: {act}. Without it, stacked convolutions and "
        "dense layers would collapse into one linear map.")
_POOL = N_("Pooling shrinks each map by half in both directions, summarising every non-overlapping 2×2 window "
         "with one number: {pool}. It has no weights, makes the features less sensitive to small shifts, and "
         "cuts the work of the next layer by four.")

STAGES: tuple[Stage, ...] = (
    Stage("input", "input", N_("Input"), N_("The 28×28 grayscale image the network sees: a light garment on a black "
          "background, each pixel a number from 0 (black) to 1 (white)."), (1, 28, 28), is_module=False),
    Stage("conv1", "conv", N_("Conv 1"), N_("Six 5×5 kernels slide over the image (padded by 2 pixels of zeros, so the "
          "output stays 28×28). Each output pixel is out[c,i,j] = bias[c] + Σ kernel[c,u,v] · x[i+u, j+v]: a "
          "weighted sum of the 25 pixels under the window. Each kernel is a learned pattern detector (edges, "
          "stripes, blobs), and its map lights up where that pattern appears."), (6, 28, 28)),
    Stage("act1", "activation", N_("Activation 1"), _ACT, (6, 28, 28)),
    Stage("pool1", "pool", N_("Pooling 1"), _POOL, (6, 14, 14)),
    Stage("conv2", "conv", N_("Conv 2"), N_("Sixteen kernels, each 6×5×5: every output map looks at all six pooled "
          "maps at once. out[c,i,j] = bias[c] + Σ over input maps m of Σ kernel[c,m,u,v] · x[m, i+u, j+v] — one "
          "5×5 weighted sum per input map, added together. No padding, so 14×14 shrinks to 10×10. These maps "
          "combine the simple patterns of the first layer into larger parts of a garment."), (16, 10, 10)),
    Stage("act2", "activation", N_("Activation 2"), _ACT, (16, 10, 10)),
    Stage("pool2", "pool", N_("Pooling 2"), _POOL, (16, 5, 5)),
    Stage("flatten", "flatten", N_("Flatten"), N_("The 16 maps of 5×5 are laid end to end as one vector of 400 "
          "numbers, so that dense layers can look at all of them. Nothing is computed; only the shape changes."),
          (400,)),
    Stage("fc1", "dense", N_("Dense 1"), N_("A dense (fully connected) layer of 120 neurons. Each neuron computes "
          "out[k] = bias[k] + Σ w[k,i] · x[i] over all 400 inputs: it weighs the evidence of every feature "
          "at every position."), (120,)),
    Stage("act3", "activation", N_("Activation 3"), _ACT, (120,)),
    Stage("fc2", "dense", N_("Dense 2"), N_("A dense layer of 84 neurons, out[k] = bias[k] + Σ w[k,i] · x[i] over "
          "the 120 activations before it."), (84,)),
    Stage("act4", "activation", N_("Activation 4"), _ACT, (84,)),
    Stage("fc3", "dense", N_("Dense 3"), N_("The output layer: 10 neurons, one per class, "
          "out[k] = bias[k] + Σ w[k,i] · x[i] over the 84 activations. These raw scores (logits) can be any "
          "real number; the larger, the more the network favours that class."), (10,)),
    Stage("softmax", "softmax", N_("Softmax"), N_("Softmax turns the 10 logits into probabilities: "
          "p[k] = e^(z[k]) / Σ_j e^(z[j]). Each is between 0 and 1 and they sum to 1; the largest is the "
          "prediction. (During training this is folded into the cross-entropy loss.)"), (10,), is_module=False),
)

STAGE_BY_NAME: dict[str, Stage] = {s.name: s for s in STAGES}
MODULE_STAGES: tuple[Stage, ...] = tuple(s for s in STAGES if s.is_module)


def previous_stage(name: str) -> Stage:
    """The stage whose output feeds this one."""
    return STAGES[_INDEX[name] - 1]


def next_stage(name: str) -> Stage | None:
    """The stage that consumes this one's output (None after the last)."""
    k = _INDEX[name] + 1
    return STAGES[k] if k < len(STAGES) else None


def flat_source(name: str) -> Stage | None:
    """For a stage fed by a flatten, the map stage that was flattened (fc1 <- flatten <- pool2); else None.

    Its shape is the layout of this stage's inputs: input i is that stage's value at np.unravel_index(i, shape).
    """
    before = previous_stage(name)
    return previous_stage(before.name) if before.kind == "flatten" else None


_INDEX = {s.name: k for k, s in enumerate(STAGES)}
