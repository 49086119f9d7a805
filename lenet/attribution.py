"""Why this prediction: which pixels and which maps raise one class's score, computed with Captum.

Every attribution explains the class's score before the softmax (its logit, fc3's output): the softmax couples
the classes, the logit is the class's own evidence. For one (28, 28) image and one class:

- occlusion: a 5×5 black square (0, the background's value) slides over the image like conv1's kernel, one pixel at
  a time; each pixel gets how much the score drops, on average, while it is covered (positive: it was evidence).
- integrated gradients: the gradient averaged along the straight path from a black image to this one, times the
  pixel; the pixels' values add up to score(image) − score(black image).
- saliency: the gradient itself, ∂score/∂pixel: how much brightening the pixel a little would change the score.
- Grad-CAM on the last conv layer (conv2 in the seed's LeNet): its activated maps weighted by their mean gradient,
  rectified; each of its positions (10×10 in the seed's) drawn over the input pixels at the centre of the part of
  the image it sees.

And for every stage, each map's (or neuron's) share of score(image) − score(black image): Captum's layer
integrated gradients, summed over the map. Captum is imported on first use (it brings matplotlib, ~0.6 s).
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch

from lenet.i18n import N_, _, ngettext
from lenet.filters import receptive_field
from lenet.model import LeNet

WINDOW = 5  # occlusion's square, conv1's kernel size
STEPS = 256  # integrated gradients' steps along the path (trapezoids: the ReLU nets' paths are piecewise linear,
LAYER_STEPS = 128  # where Gauss-Legendre's few nodes missed the total by up to 6 %); the same for each stage's maps


def contributing(model: LeNet) -> tuple[str, ...]:
    """The stages whose maps (or neurons) get their share of the score: every map stage and every hidden dense
    layer's activation (the seed's: conv1 act1 pool1 conv2 act2 pool2 act3 act4)."""
    return tuple(s.name for s in model.stages if s.is_module and (s.is_map or s.kind == "activation"))


def last_conv(model: LeNet) -> str:
    """The last conv layer's name (Grad-CAM looks at its activated maps)."""
    return model.stages.of_kind("conv")[-1].name


def _cam_stage(model: LeNet) -> str:
    """The activation after the last conv layer (through its BatchNorm, where it has one)."""
    acts = [s for s in model.stages.of_kind("activation") if s.is_map]
    return acts[-1].name


def _input(image: np.ndarray) -> torch.Tensor:
    return torch.as_tensor(np.asarray(image, dtype=np.float32)).reshape(1, 1, 28, 28)


def _quiet(fn: Callable) -> Callable:
    """Captum warns that it sets requires_grad on the input: it is meant to."""
    def run(*args, **kwargs):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            return fn(*args, **kwargs)
    return run


@_quiet
def occlusion(model: LeNet, image: np.ndarray, target: int) -> np.ndarray:
    from captum.attr import Occlusion
    a = Occlusion(model).attribute(_input(image), target=target, sliding_window_shapes=(1, WINDOW, WINDOW),
                                   strides=(1, 1, 1), baselines=0.0, perturbations_per_eval=256)
    return a[0, 0].detach().double().numpy()


@_quiet
def integrated_gradients(model: LeNet, image: np.ndarray, target: int) -> np.ndarray:
    from captum.attr import IntegratedGradients
    x = _input(image)
    a = IntegratedGradients(model).attribute(x, baselines=torch.zeros_like(x), target=target, n_steps=STEPS,
                                             method="riemann_trapezoid")
    return a[0, 0].detach().double().numpy()


@_quiet
def saliency(model: LeNet, image: np.ndarray, target: int) -> np.ndarray:
    from captum.attr import Saliency
    return Saliency(model).attribute(_input(image), target=target, abs=False)[0, 0].detach().double().numpy()


@_quiet
def grad_cam(model: LeNet, image: np.ndarray, target: int) -> np.ndarray:
    """Grad-CAM on the last conv layer's activated maps ((10, 10) in the seed's LeNet), as Captum gives it."""
    from captum.attr import LayerGradCam
    cam = LayerGradCam(model, getattr(model, _cam_stage(model))).attribute(_input(image), target=target,
                                                                          relu_attributions=True)
    return cam[0, 0].detach().double().numpy()


def window_drops(model: LeNet, image: np.ndarray, target: int) -> np.ndarray:
    """(24, 24): how much the score drops while the WINDOW×WINDOW black square's top-left corner is at (i, j)."""
    img = np.asarray(image, dtype=np.float32).reshape(28, 28)
    n = 28 - WINDOW + 1
    covered = np.repeat(img[None], n * n, 0)
    for k in range(n * n):
        i, j = divmod(k, n)
        covered[k, i:i + WINDOW, j:j + WINDOW] = 0.0
    return (score(model, img[None], target)[0] - score(model, covered, target)).reshape(n, n)


def on_image(cam: np.ndarray, model: LeNet | None = None) -> np.ndarray:
    """The last conv layer's grid on the (28, 28) image: each position drawn over the s×s input pixels at the
    centre of the part of the image it sees (s: the pooling's stride so far, filters.receptive_field). In the seed's
    LeNet conv2's position (i, j) sees input rows 2i − 2 … 2i + 11, whose centre is the 2×2 block at rows 2i + 4,
    2i + 5; outside rows/columns 4 … 23 stay 0."""
    net = model if model is not None else LeNet()
    name = _cam_stage(net)
    names = [s.name for s in net.stages.modules]
    step = 2 ** sum(s.kind == "pool" for s in net.stages.modules[:names.index(name)])
    r0, r1 = receptive_field(name, 0, 0, config=net.config, clip=False)[:2]
    start = (r0 + r1 - step) // 2
    h, w = cam.shape
    big = np.kron(cam, np.ones((step, step)))
    out = np.zeros((28 + 2 * 28, 28 + 2 * 28))  # room on every side: a corner position may see past the edge
    out[28 + start:28 + start + h * step, 28 + start:28 + start + w * step] = big
    return out[28:56, 28:56]



@dataclass(frozen=True)
class Method:
    """One way of attributing the score to the pixels."""

    label: str
    explains: str  # what a value means, one sentence (a template: {w} is WINDOW)
    compute: Callable[[LeNet, np.ndarray, int], np.ndarray]  # (model, image, class) -> (28, 28)


METHODS: dict[str, Method] = {  # label and explains: English keys (N_), shown through _()
    "occlusion": Method(N_("Occlusion"), N_("how much the score drops while a {w}×{w} black square covers the pixel "
                                            "(the square slides like conv1's kernel)"), occlusion),
    "integrated_gradients": Method(N_("Integrated gradients"), N_("each pixel's share of the score's rise from a "
                                                                  "black image to this one"), integrated_gradients),
    "saliency": Method(N_("Saliency"), N_("how much brightening the pixel a little would change the score (the "
                                          "gradient)"), saliency),
    "grad_cam": Method(N_("Grad-CAM ({layer})"), N_("where {layer}'s maps that raise the score are active"),
                       lambda m, x, t: on_image(grad_cam(m, x, t), m)),
}


def attribute(model: LeNet, image: np.ndarray, target: int, method: str) -> np.ndarray:
    """(28, 28) attribution of class `target`'s score to the pixels of a (28, 28) image by a METHODS key."""
    return METHODS[method].compute(model.eval(), image, int(target))


def score(model: LeNet, images: np.ndarray, target: int) -> np.ndarray:
    """The class's logit for each of (N, 28, 28) images."""
    with torch.no_grad():
        return model(torch.as_tensor(np.asarray(images, np.float32)).reshape(-1, 1, 28, 28))[:, target].double().numpy()


@_quiet
def contributions(model: LeNet, image: np.ndarray, target: int) -> dict[str, np.ndarray]:
    """For each stage of contributing(model), each map's (or neuron's) part of score(image) − score(black image): layer
    integrated gradients summed over the map. Every stage's parts add up to the same total (about)."""
    from captum.attr import LayerIntegratedGradients
    model = model.eval()
    x = _input(image)
    out = {}
    for name in contributing(model):
        a = LayerIntegratedGradients(model, getattr(model, name)).attribute(
            x, baselines=torch.zeros_like(x), target=int(target), n_steps=LAYER_STEPS,
            method="riemann_trapezoid")[0].detach().double()
        out[name] = a.reshape(a.shape[0], -1).sum(1).numpy() if a.ndim == 3 else a.numpy()
    return out


REGIONS = ((N_("top left"), N_("top"), N_("top right")), (N_("left"), N_("centre"), N_("right")),
           (N_("bottom left"), N_("bottom"), N_("bottom right")))


def region_of(values: np.ndarray) -> tuple[str, float]:
    """The ninth of the image (3×3) holding most of the values' sum (its English key: REGIONS), and that share."""
    v = np.asarray(values, dtype=np.float64)
    edges = [0, 9, 19, 28]
    sums = np.array([[v[edges[r]:edges[r + 1], edges[c]:edges[c + 1]].sum() for c in range(3)] for r in range(3)])
    r, c = np.unravel_index(int(np.argmax(sums)), sums.shape)
    total = v.sum()
    return REGIONS[r][c], float(sums[r, c] / total) if total > 0 else 0.0


def reading(method: str, values: np.ndarray, class_name: str, layer: str = "conv2") -> str:
    """One line on what an attribution says, from its numbers: where it raises the class most, and where (if
    anywhere to speak of) it lowers it. layer: Grad-CAM's (last_conv). In the thread's language (lenet.i18n)."""
    v = np.asarray(values, dtype=np.float64)
    pos, neg = np.clip(v, 0, None), np.clip(-v, 0, None)
    if method == "grad_cam" and pos.sum() <= 1e-12:
        return _("Grad-CAM finds no part of {layer}'s maps that raises {cls} (its weighted sum is negative "
                 "everywhere).").format(cls=class_name, layer=layer)
    if pos.sum() <= 1e-12 and neg.sum() <= 1e-12:
        return _("Nothing in this image changes {cls}'s score by this measure.").format(cls=class_name)
    if pos.sum() <= 1e-12:
        return _("Nothing here raises {cls}; the {where} lowers it most.").format(
            cls=class_name, where=_(region_of(neg)[0]))
    where, share = region_of(pos)
    if method == "grad_cam":
        return _("{layer} finds {cls} mostly in the {where} ({share:.0%} of the map).").format(
            cls=class_name, where=_(where), share=share, layer=layer)
    if method == "occlusion":
        text = _("Hiding the {where} lowers {cls}'s score most ({share:.0%} of all the drops)")
    else:
        text = _("The {where} raises {cls} most ({share:.0%} of what raises it)")
    text = text.format(where=_(where), cls=class_name, share=share)
    if neg.sum() > 0.2 * pos.sum():
        against = region_of(neg)[0]
        if against == where:
            text += _("; other pixels there lower it")
        elif method == "occlusion":
            text += _("; hiding the {where} would raise it").format(where=_(against))
        else:
            text += _("; the {where} speaks against it").format(where=_(against))
    return text + _(".")


def top_maps(parts: np.ndarray, k: int = 3) -> list[int]:
    """The k maps that raise the score most (positive parts only), largest first."""
    order = np.argsort(-np.asarray(parts), kind="stable")[:k]
    return [int(i) for i in order if parts[i] > 0]


def maps_reading(title: str, parts: np.ndarray, class_name: str, noun: str = "maps") -> str:
    """'Conv 2: maps 14 (+2.10), 5 (+1.31) and 1 (+1.02) raise Ankle boot most; all 16: +10.57 over a black
    image.' noun: "maps" or "neurons". In the thread's language."""
    total, n = _signed(float(np.sum(parts))), len(parts)
    top = top_maps(parts)
    if not top:
        none = _("{title}: no map raises {cls}; all {n}: {total} over a black image.") if noun == "maps" else \
            _("{title}: no neuron raises {cls}; all {n}: {total} over a black image.")
        return none.format(title=title, cls=class_name, n=n, total=total)
    named = [f"{i} ({_signed(float(parts[i]))})" for i in top]
    names = _(", ").join(named[:-1]) + (_(" and ") if len(named) > 1 else "") + named[-1]
    if noun == "maps":
        said = ngettext("{title}: map {names} raises {cls} most; all {n}: {total} over a black image.",
                        "{title}: maps {names} raise {cls} most; all {n}: {total} over a black image.", len(top))
    else:
        said = ngettext("{title}: neuron {names} raises {cls} most; all {n}: {total} over a black image.",
                        "{title}: neurons {names} raise {cls} most; all {n}: {total} over a black image.", len(top))
    return said.format(title=title, names=names, cls=class_name, n=n, total=total)


def _signed(v: float) -> str:
    return f"{v:+.2f}".replace("-", "−")
