"""The stage registry: the one place that says which stages a LeNet has and what each one does.

A model's stages are derived from its ModelConfig (`stages_of`): every conv block gives conv, [batchnorm],
activation, [pool]; then flatten; every hidden dense layer gives dense, [batchnorm], activation, [dropout]; then
the output layer and the softmax. Each kind is numbered on its own through the network, so the seed's LeNet has
exactly its old names: conv1 act1 pool1 conv2 act2 pool2 flatten fc1 act3 fc2 act4 fc3.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from lenet.config import IMAGE, ConvBlock, DenseLayer, ModelConfig
from lenet.i18n import N_, _
from lenet.ops import ACTIVATIONS, POOLINGS

KINDS = ("input", "conv", "batchnorm", "activation", "pool", "flatten", "dense", "dropout", "softmax")
PREFIX = {"conv": "conv", "batchnorm": "bn", "activation": "act", "pool": "pool", "dense": "fc", "dropout": "drop"}
CLASSES = 10


@dataclass(frozen=True)
class Stage:
    """One named step of the network, as the dashboard shows it."""

    name: str  # key in capture()'s dict and, for module stages, the nn.Module's name
    kind: str  # one of KINDS
    label: str  # short title for headers, an English template ({n}: its number; `title`: in the session's language)
    explanation: str  # a plain-language paragraph (an English template; describe() translates and fills it in)
    shape: tuple[int, ...]  # output shape of one example, e.g. (6, 28, 28)
    is_module: bool = True  # False for the input and the softmax, which are not layers of the model
    number: int = 0  # the n in its title (conv 2, activation 3); 0 for input, flatten and softmax
    params: tuple[tuple[str, object], ...] = ()  # the numbers its explanation names (besides {act} and {pool})
    inputs: tuple[int, ...] = ()  # the shape it takes (its previous stage's output); () for the input
    spec: ConvBlock | DenseLayer | None = None  # the block or layer it belongs to (None: input, flatten, softmax)
    work: int = 0  # multiply-adds per image (conv and dense) or values touched (the rest), for the run limit

    @property
    def title(self) -> str:
        """The short title headers show, in the session's language."""
        return _(self.label).format(n=self.number)

    def describe(self, model_config: ModelConfig) -> str:
        """The explanation with this variant's activation and pooling formulas and this stage's numbers filled in."""
        return _(self.explanation).format(act=ACTIVATIONS[model_config.activation].describe(),
                                          pool=POOLINGS[model_config.pooling].describe(), **dict(self.params))

    @property
    def is_map(self) -> bool:
        """Its output is maps (C, H, W), not a vector."""
        return len(self.shape) == 3


_ACT = N_("The activation is applied to every value on its own: {act}. Without it, stacked convolutions and "
          "dense layers would collapse into one linear map.")
_POOL = N_("Pooling shrinks each map by half in both directions ({h_in}×{h_in} → {h}×{h}), summarising every "
           "non-overlapping 2×2 window with one number: {pool}. It has no weights, makes the features less "
           "sensitive to small shifts, and cuts the work of the next layer by four.")
_INPUT = N_("The 28×28 grayscale image the network sees: a light garment on a black background, each pixel a "
            "number from 0 (black) to 1 (white).")
_CONV_FIRST = N_("{n} kernels of {k}×{k} slide over the image (padding {p}: {h_in}×{h_in} becomes {h}×{h}). Each "
                 "output pixel is out[c,i,j] = bias[c] + Σ kernel[c,u,v] · x[i+u, j+v]: a weighted sum of the {kk} "
                 "pixels under the window. Each kernel is a learned pattern detector (edges, stripes, blobs), and "
                 "its map lights up where that pattern appears.")
_CONV_LATER = N_("{n} kernels, each {m}×{k}×{k}: every output map looks at all {m} maps before it at once. "
                 "out[c,i,j] = bias[c] + Σ over input maps m of Σ kernel[c,m,u,v] · x[m, i+u, j+v] — one {k}×{k} "
                 "weighted sum per input map, added together (padding {p}: {h_in}×{h_in} becomes {h}×{h}). These "
                 "maps combine the patterns of the layer before into larger parts of a garment.")
_BN_MAPS = N_("Batch normalization rescales each of the {n} maps with the statistics of the training images: "
              "out = (x − μ) / √(σ² + ε) · γ + β, where μ and σ² are that map's running mean and variance (fixed "
              "after training) and γ and β are learned. It keeps the next layer's inputs on a steady scale, so that "
              "training can take larger steps.")
_BN_NEURONS = N_("Batch normalization rescales each of the {n} neurons with the statistics of the training "
                 "images: out = (x − μ) / √(σ² + ε) · γ + β, where μ and σ² are that neuron's running mean and "
                 "variance (fixed after training) and γ and β are learned. It keeps the next layer's inputs on a "
                 "steady scale, so that training can take larger steps.")
_FLATTEN = N_("The {c} maps of {h}×{w} are laid end to end as one vector of {n} numbers, so that dense layers can "
              "look at all of them. Nothing is computed; only the shape changes.")
_DENSE = N_("A dense (fully connected) layer of {n} neurons. Each neuron computes out[k] = bias[k] + Σ w[k,i] · x[i] "
            "over all {d} inputs: it weighs the evidence of every feature at every position.")
_OUTPUT = N_("The output layer: 10 neurons, one per class, out[k] = bias[k] + Σ w[k,i] · x[i] over the {d} values "
             "before it. These raw scores (logits) can be any real number; the larger, the more the network "
             "favours that class.")
_DROPOUT = N_("While training, dropout sets each of the {n} values to 0 with probability {p:g} (and multiplies the "
              "others by 1 / (1 − {p:g})), so that no neuron can lean on one other. At inference, as here, it is "
              "off: every value passes unchanged.")
_SOFTMAX = N_("Softmax turns the 10 logits into probabilities: p[k] = e^(z[k]) / Σ_j e^(z[j]). Each is between 0 "
              "and 1 and they sum to 1; the largest is the prediction. (During training this is folded into the "
              "cross-entropy loss.)")
LABELS = {"input": N_("Input"), "conv": N_("Conv {n}"), "batchnorm": N_("BatchNorm {n}"),
          "activation": N_("Activation {n}"), "pool": N_("Pooling {n}"), "flatten": N_("Flatten"),
          "dense": N_("Dense {n}"), "dropout": N_("Dropout {n}"), "softmax": N_("Softmax")}


class Stages(tuple):
    """A model's stages in order, with lookups by name and by neighbour."""

    def __new__(cls, stages):
        self = super().__new__(cls, stages)
        self.by_name = {s.name: s for s in self}
        self.modules = tuple(s for s in self if s.is_module)
        self._index = {s.name: k for k, s in enumerate(self)}
        return self

    def previous(self, name: str) -> Stage:
        """The stage whose output feeds this one."""
        return self[self._index[name] - 1]

    def next(self, name: str) -> Stage | None:
        """The stage that consumes this one's output (None after the last)."""
        k = self._index[name] + 1
        return self[k] if k < len(self) else None

    def flat_source(self, name: str) -> Stage | None:
        """For a stage fed by a flatten, the map stage that was flattened (fc1 <- flatten <- pool2); else None.

        Its shape is the layout of this stage's inputs: input i is that stage's value at np.unravel_index(i, shape).
        """
        before = self.previous(name)
        return self.previous(before.name) if before.kind == "flatten" else None

    def of_kind(self, *kinds: str) -> tuple[Stage, ...]:
        return tuple(s for s in self if s.kind in kinds)

    @property
    def logits(self) -> Stage:
        """The output layer (the stage before the softmax)."""
        return self.previous("softmax")

    def work(self) -> int:
        """Multiply-adds (and elementwise values) per image through the whole network."""
        return sum(s.work for s in self)


@lru_cache(maxsize=256)
def stages_of(config: ModelConfig) -> Stages:
    """The stages of the LeNet `config` describes, in order, input and softmax included."""
    out: list[Stage] = []
    count = dict.fromkeys(PREFIX, 0)

    def add(kind: str, shape: tuple[int, ...], explanation: str, spec=None, work: int = 0, **params) -> None:
        if kind in count:
            count[kind] += 1
        number = count.get(kind, 0)
        name = f"{PREFIX[kind]}{number}" if kind in PREFIX else kind
        inputs = out[-1].shape if out else ()
        out.append(Stage(name, kind, LABELS[kind], explanation, shape, kind not in ("input", "softmax"), number,
                         tuple(params.items()), inputs, spec, work or math.prod(shape)))

    add("input", (1, IMAGE, IMAGE), _INPUT)
    for b, block in enumerate(config.convs):
        m, h_in = out[-1].shape[0], out[-1].shape[1]
        h = h_in + 2 * block.padding - block.kernel + 1
        shape = (block.channels, h, h)
        add("conv", shape, _CONV_LATER if b else _CONV_FIRST, block, math.prod(shape) * m * block.kernel ** 2,
            n=block.channels, k=block.kernel, kk=block.kernel ** 2, m=m, p=block.padding, h_in=h_in, h=h)
        if block.batchnorm:
            add("batchnorm", shape, _BN_MAPS, block, n=block.channels)
        add("activation", shape, _ACT, block)
        if block.pool:
            add("pool", (block.channels, h // 2, h // 2), _POOL, block, h_in=h, h=h // 2)
    c, h, w = out[-1].shape
    add("flatten", (c * h * w,), _FLATTEN, c=c, h=h, w=w, n=c * h * w)
    for layer in config.dense:
        d = out[-1].shape[0]
        add("dense", (layer.width,), _DENSE, layer, d * layer.width, n=layer.width, d=d)
        if layer.batchnorm:
            add("batchnorm", (layer.width,), _BN_NEURONS, layer, n=layer.width)
        add("activation", (layer.width,), _ACT, layer)
        if layer.dropout:
            add("dropout", (layer.width,), _DROPOUT, layer, n=layer.width, p=layer.dropout)
    add("dense", (CLASSES,), _OUTPUT, None, out[-1].shape[0] * CLASSES, d=out[-1].shape[0])
    add("softmax", (CLASSES,), _SOFTMAX)
    return Stages(out)


def _possible() -> tuple[str, ...]:
    """Every stage name a member of the family can have (what a link may name before its model is known)."""
    most = dict(conv=4, batchnorm=7, activation=7, pool=4, dense=4, dropout=3)  # 4 blocks + 3 hidden + 1 output
    return ("input", "flatten", "softmax", *(f"{PREFIX[k]}{n}" for k, m in most.items() for n in range(1, m + 1)))


POSSIBLE_NAMES: tuple[str, ...] = _possible()

# The seed's LeNet (d2l §6.6): what a page shows before any model is chosen, and the names links were made with.
STAGES: Stages = stages_of(ModelConfig())
STAGE_BY_NAME: dict[str, Stage] = STAGES.by_name
MODULE_STAGES: tuple[Stage, ...] = STAGES.modules
