"""lenet.attribution: against Captum's own API, against direct computations (finite differences, occlusion by
hand, Grad-CAM by hand, completeness), and the readings against constructed maps."""
from __future__ import annotations

import copy

import numpy as np
import pytest
import torch
from captum.attr import IntegratedGradients, LayerGradCam, LayerIntegratedGradients, Occlusion, Saliency

from lenet import attribution as A
from lenet.filters import receptive_field, up_to
from lenet.pretrained import load_pretrained
from lenet.samples import load_samples
from lenet.model import build_model
from tests.members import MEMBERS

VARIANTS = [("relu", "max"), ("sigmoid", "avg")]


@pytest.fixture(scope="module")
def image() -> tuple[np.ndarray, int]:
    s = load_samples()
    return s.images[3] / 255.0, int(s.labels[3])


@pytest.fixture(scope="module", params=VARIANTS, ids=lambda v: "-".join(v))
def model(request):
    return load_pretrained(*request.param)


def x_of(image) -> torch.Tensor:
    return torch.tensor(image, dtype=torch.float32).reshape(1, 1, 28, 28)


def test_each_method_equals_captums_own_call(model, image):
    img, y = image
    x = x_of(img)
    ours = {m: A.attribute(model, img, y, m) for m in A.METHODS}
    direct = {
        "occlusion": Occlusion(model).attribute(x, target=y, sliding_window_shapes=(1, 5, 5), strides=(1, 1, 1),
                                                baselines=0.0),
        "integrated_gradients": IntegratedGradients(model).attribute(x, baselines=x * 0, target=y, n_steps=256,
                                                                      method="riemann_trapezoid"),
        "saliency": Saliency(model).attribute(x, target=y, abs=False),
    }
    for name, a in direct.items():
        np.testing.assert_allclose(ours[name], a[0, 0].detach().numpy(), rtol=1e-5, atol=1e-5, err_msg=name)
    cam = LayerGradCam(model, model.act2).attribute(x, target=y, relu_attributions=True)[0, 0].detach().numpy()
    np.testing.assert_allclose(A.grad_cam(model, img, y), cam, rtol=1e-5, atol=1e-7)
    np.testing.assert_array_equal(ours["grad_cam"], A.on_image(cam))


def test_saliency_is_the_finite_difference_of_the_score(model, image):
    """Central differences in float64 on pixels where the score is smooth (forward and backward differences
    agree): ReLU's 0 and max pooling's ties (the black background's equal values) are kinks, where no single
    derivative exists."""
    img, y = image
    m64 = copy.deepcopy(model).double()
    grad = A.saliency(model, img, y)
    h = 1e-5

    def at(r: int, c: int, d: float) -> float:
        moved = img.astype(np.float64).copy()
        moved[r, c] += d
        with torch.no_grad():
            return m64(torch.tensor(moved).reshape(1, 1, 28, 28))[0, y].item()

    checked = 0
    for r, c in [(14, 14), (10, 12), (18, 15), (7, 20), (22, 9), (3, 3), (12, 8), (16, 19), (20, 13), (9, 16),
                 (13, 11), (17, 10)]:
        base, fwd, bwd = at(r, c, 0), at(r, c, h), at(r, c, -h)
        if abs((fwd - base) - (base - bwd)) > 1e-3 * abs(fwd - base) + 1e-9:
            continue  # a kink
        assert grad[r, c] == pytest.approx((fwd - bwd) / (2 * h), rel=1e-3, abs=1e-4), (r, c)
        checked += 1
    assert checked >= 4 and np.abs(grad).max() > 1e-3


def test_integrated_gradients_add_up_to_the_scores_rise(model, image):
    img, y = image
    total = A.score(model, img[None], y)[0] - A.score(model, np.zeros((1, 28, 28)), y)[0]
    assert A.integrated_gradients(model, img, y).sum() == pytest.approx(total, rel=0.01, abs=1e-3)


def test_occlusion_by_hand(model, image):
    img, y = image
    a = A.occlusion(model, img, y)
    base = A.score(model, img[None], y)[0]
    for r, c in [(14, 14), (0, 0), (27, 12)]:
        drops = []
        for i in range(max(0, r - 4), min(r, 23) + 1):  # windows (top-left i, j) of 5×5 inside the image
            for j in range(max(0, c - 4), min(c, 23) + 1):
                covered = img.copy()
                covered[i:i + 5, j:j + 5] = 0
                drops.append(base - A.score(model, covered[None], y)[0])
        assert a[r, c] == pytest.approx(np.mean(drops), rel=1e-4, abs=1e-5), (r, c)


def test_grad_cam_by_hand(model, image):
    img, y = image
    x = x_of(img)
    feats = up_to(model, "act2")(x).detach().requires_grad_()
    torch.nn.Sequential(*list(model.children())[5:])(feats)[0, y].backward()
    weights = feats.grad[0].mean((1, 2))
    cam = torch.relu((weights[:, None, None] * feats[0]).sum(0)).detach().numpy()
    np.testing.assert_allclose(A.grad_cam(model, img, y), cam, rtol=1e-4, atol=1e-6)
    model.zero_grad()


def test_grad_cam_is_drawn_at_the_centre_of_what_each_position_sees():
    for i, j in [(1, 1), (4, 7), (7, 3)]:
        cam = np.zeros((10, 10))
        cam[i, j] = 1.0
        r0, r1, c0, c1 = receptive_field("conv2", i, j)  # rows r0 … r1 − 1: centre (r0 + r1 − 1) / 2
        rows, cols = np.nonzero(A.on_image(cam))
        assert len(rows) == 4 and rows.min() + rows.max() == r0 + r1 - 1 and cols.min() + cols.max() == c0 + c1 - 1


def test_every_stage_splits_the_same_total(model, image):
    img, y = image
    parts = A.contributions(model, img, y)
    total = A.score(model, img[None], y)[0] - A.score(model, np.zeros((1, 28, 28)), y)[0]
    assert set(parts) == set(A.contributing(model))
    for name, p in parts.items():
        assert p.shape == model.stages.by_name[name].shape[:1]
        assert p.sum() == pytest.approx(total, rel=0.02, abs=2e-3), name
    x = x_of(img)
    lig = LayerIntegratedGradients(model, model.conv2).attribute(x, baselines=x * 0, target=y, n_steps=128,
                                                                 method="riemann_trapezoid")
    np.testing.assert_allclose(parts["conv2"], lig[0].sum((1, 2)).detach().numpy(), rtol=1e-5, atol=1e-6)


def test_the_shared_model_is_left_without_hooks_or_gradients(image):
    model = load_pretrained("relu", "max")
    before = {k: v.clone() for k, v in model.state_dict().items()}
    img, y = image
    for m in A.METHODS:
        A.attribute(model, img, y, m)
    A.contributions(model, img, y)
    assert all(not mod._forward_hooks and not mod._backward_hooks for mod in model.modules())
    assert all(p.grad is None for p in model.parameters())
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())


def blob(r: int, c: int, sign: float = 1.0) -> np.ndarray:
    v = np.zeros((28, 28))
    v[r:r + 4, c:c + 4] = sign
    return v


def test_the_reading_follows_the_numbers():
    assert A.region_of(blob(22, 2)) == ("bottom left", 1.0)
    assert A.region_of(blob(12, 12))[0] == "centre"
    text = A.reading("integrated_gradients", blob(22, 2) + blob(2, 22, -0.5), "Ankle boot")
    assert text.startswith("The bottom left raises Ankle boot most (100%") and "top right speaks against" in text
    flipped = A.reading("integrated_gradients", -(blob(22, 2) + blob(2, 22, -0.5)), "Ankle boot")
    assert flipped.startswith("The top right raises") and "bottom left speaks against" in flipped
    assert A.reading("occlusion", blob(2, 12), "Bag").startswith("Hiding the top lowers Bag's score most")
    assert "mostly in the right" in A.reading("grad_cam", blob(12, 22), "Bag")
    assert "changes" in A.reading("saliency", np.zeros((28, 28)), "Bag")
    assert "Nothing here raises" in A.reading("saliency", blob(0, 0, -1), "Bag")


def test_the_maps_that_matter():
    parts = np.array([0.5, -1.0, 3.0, 0.0, 2.0])
    assert A.top_maps(parts) == [2, 4, 0]
    assert A.maps_reading("Conv 2", parts, "Bag") == ("Conv 2: maps 2 (+3.00), 4 (+2.00) and 0 (+0.50) raise Bag "
                                                      "most; all 5: +4.50 over a black image.")
    assert A.maps_reading("Dense 1", -parts, "Bag", "neurons") == ("Dense 1: neuron 1 (+1.00) raises Bag most; "
                                                                  "all 5: −4.50 over a black image.")
    assert A.maps_reading("Conv 2", np.array([-1.0, 0.0]), "Bag").startswith("Conv 2: no map raises Bag")


def test_the_windows_drops_by_hand(image):
    model = load_pretrained("relu", "max")
    img, y = image
    drops = A.window_drops(model, img, y)
    base = A.score(model, img[None], y)[0]
    for i, j in [(0, 0), (10, 3), (23, 23)]:
        covered = img.copy()
        covered[i:i + 5, j:j + 5] = 0
        assert drops[i, j] == pytest.approx(base - A.score(model, covered[None], y)[0], abs=1e-4)
    # occlusion's map is each pixel's mean over the windows covering it
    np.testing.assert_allclose(A.occlusion(model, img, y)[14, 14], drops[10:15, 10:15].mean(), rtol=1e-4)


@pytest.mark.parametrize("name", [k for k in MEMBERS if k != "seed"])
def test_every_member_is_attributed(name, image):
    """Each stage's maps split the same total; Grad-CAM looks at the last conv layer's activated maps, each
    position drawn at the centre of what it sees (its receptive field worked back through this member's layers)."""
    img, y = image
    model = build_model(MEMBERS[name], seed=7)
    model.train()(torch.rand(32, 1, 28, 28))  # BatchNorm's running statistics off their start
    model.eval()
    parts = A.contributions(model, img, y)
    total = A.score(model, img[None], y)[0] - A.score(model, np.zeros((1, 28, 28)), y)[0]
    assert set(parts) == set(A.contributing(model)) and "conv1" in parts
    for stage, p in parts.items():
        assert p.sum() == pytest.approx(total, rel=0.03, abs=3e-3), stage
    cam = A.grad_cam(model, img, y)
    act = [s for s in model.stages.of_kind("activation") if s.is_map][-1]
    assert cam.shape == act.shape[1:]
    one = np.zeros(cam.shape)
    i, j = cam.shape[0] // 2, cam.shape[1] // 3
    one[i, j] = 1.0
    r0, r1, c0, c1 = receptive_field(act.name, i, j, config=model.config, clip=False)
    rows, cols = np.nonzero(A.on_image(one, model))
    assert rows.min() + rows.max() in (r0 + r1 - 1, r0 + r1 - 2) and cols.min() + cols.max() in (c0 + c1 - 1,
                                                                                                  c0 + c1 - 2)
    assert A.last_conv(model) == f"conv{len(model.config.convs)}"
    model.zero_grad()
