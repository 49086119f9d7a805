"""A model trained in the d2l notebook (torch.save(net.state_dict(), path)), in either layout, read as ours."""
import io

import numpy as np
import pytest
import torch
from torch import nn

from lenet.checkpoint import load_checkpoint
from lenet.d2l import D2LError, convert, infer, layout_of, read_state
from lenet.user_models import import_model
from lenet.i18n import say
from lenet.samples import load_samples
from lenet.user_models import scan_models

OPS = {"sigmoid": nn.Sigmoid, "relu": nn.ReLU}
POOLS = {"avg": nn.AvgPool2d, "max": nn.MaxPool2d}


class Reshape(nn.Module):  # the seed's first module
    def forward(self, x):
        return x.view(-1, 1, 28, 28)


def d2l_net(layout: str = "seed", act: str = "sigmoid", pool: str = "avg", fc1_out: int = 120) -> nn.Sequential:
    """The notebook's net, exactly as the book builds it (Xavier init, as train_ch6 does)."""
    A, P = OPS[act], POOLS[pool]
    layers = [nn.Conv2d(1, 6, kernel_size=5, padding=2), A(), P(kernel_size=2, stride=2),
              nn.Conv2d(6, 16, kernel_size=5), A(), P(kernel_size=2, stride=2), nn.Flatten(),
              nn.Linear(16 * 5 * 5, fc1_out), A(), nn.Linear(fc1_out, 84), A(), nn.Linear(84, 10)]
    net = nn.Sequential(*([Reshape()] if layout == "seed" else []), *layers)
    torch.manual_seed(7)
    for m in net:
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            nn.init.xavier_uniform_(m.weight)
            nn.init.uniform_(m.bias, -0.5, 0.5)
    return net.eval()


def _images() -> torch.Tensor:
    return torch.from_numpy(load_samples().images[:64, None].astype(np.float32) / 255.0)


@pytest.mark.parametrize("layout,keys", [("seed", ["1.weight", "4.weight", "8.weight"]),
                                         ("book", ["0.weight", "3.weight", "7.weight"])])
@pytest.mark.parametrize("act,pool", [("sigmoid", "avg"), ("relu", "max")])
def test_both_layouts_predict_as_the_notebooks_net(tmp_path, layout, keys, act, pool):
    net = d2l_net(layout, act, pool)
    assert keys == [k for k in net.state_dict() if k.endswith("weight")][:3]
    path = tmp_path / "net.params"
    torch.save(net.state_dict(), path)
    state = read_state(path)
    assert layout_of(state) == layout
    ours = convert(state, act, pool)
    X = _images()
    with torch.no_grad():
        theirs, mine = net(X), ours(X)
    assert torch.allclose(theirs, mine, atol=1e-6)
    assert torch.equal(theirs.argmax(1), mine.argmax(1))
    assert (ours.config.activation, ours.config.pooling) == (act, pool)


def test_a_net_that_is_not_lenet_like_is_refused_naming_the_layer():
    def book(*layers):
        return nn.Sequential(*layers).state_dict()

    conv, lin, act, pool, flat = nn.Conv2d, nn.Linear, nn.Sigmoid, nn.AvgPool2d(2, 2), nn.Flatten()
    cases = [
        (book(conv(1, 6, (5, 3)), act(), pool, flat, lin(6 * 13 * 14, 10)),
         "0.weight has shape 6×1×5×3: a 5×3 kernel.*square"),
        (book(conv(1, 128, 3), act(), pool, flat, lin(128 * 13 * 13, 10)), "layer 0 has 128 maps"),
        (book(conv(1, 6, 5, padding=2), act(), pool, flat, lin(6 * 14 * 14, 12)), r"last layer \(4\) gives 12"),
        (book(conv(1, 6, 5, padding=2), act(), pool, conv(8, 16, 5), act(), pool, flat, lin(400, 10)),
         "layer 3 takes 8 maps where the layer before gives 6"),
        (book(conv(1, 6, 5, padding=2), act(), pool, flat, lin(6 * 14 * 14, 50), act(), lin(60, 10)),
         "layer 6 takes 60 inputs where the layer before gives 50"),
        (book(conv(1, 6, 5, padding=2), act(), pool, flat, lin(6 * 14 * 14, 50), act(), conv(1, 6, 5), lin(50, 10)),
         "layer 6 comes after the dense layers but is not one"),
        (book(conv(1, 6, 5, padding=2), act(), pool, flat, lin(999, 10)), "layer 4 takes 999 inputs"),
        (book(conv(1, 6, 5, padding=2), act(), pool, nn.Identity(), nn.Identity(), flat, lin(6 * 14 * 14, 10)),
         "between layer 0 and layer 6 sit 5 modules"),
        (book(lin(784, 10)), "layer 0 is not a convolution"),
        (book(*[m for _k in range(5) for m in (conv(1 if _k == 0 else 2, 2, 1), act())], flat, lin(2 * 28 * 28, 10)),
         "5 conv blocks"),
    ]
    for state, match in cases:
        with pytest.raises(D2LError, match=match):
            convert(state)
    state = d2l_net().state_dict()
    del state["12.bias"]
    with pytest.raises(D2LError, match="12.bias is missing"):
        convert(state)
    with pytest.raises(D2LError, match="first layer sits at position 2"):
        convert({f"{int(k.split('.')[0]) + 1}.{k.split('.')[1]}": v for k, v in state.items()})


def test_other_files_are_refused_with_a_reason(tmp_path):
    whole = tmp_path / "whole.pt"
    torch.save(d2l_net("book"), whole)  # the module itself, not its state_dict: unpickling would run code
    with pytest.raises(D2LError, match="could run code"):
        read_state(whole)
    text = tmp_path / "notes.pt"
    text.write_text("not weights")
    with pytest.raises(D2LError, match="not a readable PyTorch file"):
        read_state(text)
    with pytest.raises(D2LError, match="not a state_dict"):
        read_state(_saved_bytes({"weights": [1, 2, 3]}))
    nan = d2l_net().state_dict()
    nan["1.weight"][0, 0, 0, 0] = float("nan")
    with pytest.raises(D2LError, match="NaN"):
        convert(nan)


def _saved_bytes(obj) -> bytes:
    buf = io.BytesIO()
    torch.save(obj, buf)
    return buf.getvalue()


def test_dropped_into_the_models_folder_it_is_listed_with_the_seeds_ops(tmp_path):
    """Any member of the family is listed at once, its architecture inferred (the seed's ops); a net that is not
    LeNet-like is skipped with the reason naming its layer."""
    net, wide, bn = d2l_net("book"), d2l_net("book", fc1_out=100), d2l_batchnorm_net()
    torch.save(net.state_dict(), tmp_path / "from-d2l.pt")
    torch.save(wide.state_dict(), tmp_path / "wider.pt")
    torch.save(bn.state_dict(), tmp_path / "bn.pt")
    torch.save(nn.Sequential(nn.Linear(784, 10)).state_dict(), tmp_path / "wrong.pt")
    models, skipped = scan_models(tmp_path)
    assert sorted(ck.path.name for ck in models) == ["bn.pt", "from-d2l.pt", "wider.pt"]
    for ck in models:
        assert (ck.model_config.activation, ck.model_config.pooling) == ("sigmoid", "avg")
        assert ck.meta == {"source": "d2l", "layout": "book"}
        original = {"from-d2l.pt": net, "wider.pt": wide, "bn.pt": bn}[ck.path.name]
        with torch.no_grad():
            assert torch.allclose(load_checkpoint(ck.path).model(_images()), original(_images()), atol=1e-5)
    assert len(skipped) == 1 and say(skipped[0]).startswith(
        "wrong.pt: a d2l state_dict that does not fit LeNet: layer 0 is not a convolution")


def test_import_saves_a_model_of_ours_with_its_accuracy_and_never_over_another(tmp_path):
    net = d2l_net("seed", "relu", "max")
    samples = load_samples()
    X, y = samples.tensor(), torch.from_numpy(samples.labels.astype(np.int64))
    path, acc = import_model(net.state_dict(), "relu", "max", "lecture net", tmp_path, X, y, "the bundled images")
    again, _ = import_model(net.state_dict(), "relu", "max", "lecture net", tmp_path, X, y, "the bundled images")
    assert path.name == "lecture-net.pt" and again.name == "lecture-net-2.pt"
    ck = load_checkpoint(path)
    with torch.no_grad():
        expected = float((net(X).argmax(1) == y).float().mean())
    assert acc == pytest.approx(expected) and ck.metrics["test_acc"] == pytest.approx(expected)
    assert ck.metrics["test_examples"] == len(y) == 1000 and ck.metrics["evaluated_on"] == "the bundled images"
    assert ck.meta["name"] == "lecture net" and ck.meta["source"] == "d2l" and ck.meta["layout"] == "seed"
    assert (ck.model_config.activation, ck.model_config.pooling) == ("relu", "max")
    with pytest.raises(D2LError, match="not a state_dict"):  # the imported file is ours, no longer a d2l file
        read_state(path)


def d2l_batchnorm_net(layout: str = "book") -> nn.Sequential:
    """d2l §8.5's LeNet with batch normalization, as the book writes it (nn.BatchNorm2d/1d, concise version)."""
    net = nn.Sequential(*([Reshape()] if layout == "seed" else []),
                        nn.Conv2d(1, 6, kernel_size=5), nn.BatchNorm2d(6), nn.Sigmoid(),
                        nn.AvgPool2d(kernel_size=2, stride=2),
                        nn.Conv2d(6, 16, kernel_size=5), nn.BatchNorm2d(16), nn.Sigmoid(),
                        nn.AvgPool2d(kernel_size=2, stride=2), nn.Flatten(),
                        nn.Linear(256, 120), nn.BatchNorm1d(120), nn.Sigmoid(),
                        nn.Linear(120, 84), nn.BatchNorm1d(84), nn.Sigmoid(),
                        nn.Linear(84, 10))
    torch.manual_seed(8)
    net.train()(torch.rand(64, 1, 28, 28))  # running statistics of its own, as after training
    for m in net:
        if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            nn.init.uniform_(m.weight, 0.5, 1.5)
            nn.init.uniform_(m.bias, -0.3, 0.3)
    return net.eval()


def exercise_net() -> nn.Sequential:
    """Exercise 2 of d2l §6.6: more conv layers, 3×3 windows, more channels, ReLU, max pooling, one more dense
    layer with dropout (a student's version)."""
    net = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2, 2),
                        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2, 2),
                        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2, 2), nn.Flatten(),
                        nn.Linear(64 * 3 * 3, 256), nn.ReLU(), nn.Dropout(0.3),
                        nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))
    torch.manual_seed(9)
    return net.eval()


@pytest.mark.parametrize("make,ops,architecture", [
    (lambda: d2l_batchnorm_net("book"), ("sigmoid", "avg"), "6c5bn-16c5bn · 120bn-84bn"),
    (lambda: d2l_batchnorm_net("seed"), ("sigmoid", "avg"), "6c5bn-16c5bn · 120bn-84bn"),
    (exercise_net, ("relu", "max"), "16c3p1-32c3p1-64c3p1 · 256d0.5-128"),
    (lambda: d2l_net("book", fc1_out=100), ("sigmoid", "avg"), "6c5p2-16c5 · 100-84"),
])
def test_notebook_nets_of_the_family_import_and_predict_as_they_do(tmp_path, make, ops, architecture):
    """The architecture from the keys and shapes alone (BatchNorm's running statistics, with or without
    Reshape, dropout from the gap it leaves), the ops chosen; the prediction the notebook's net makes."""
    net = make()
    path = tmp_path / "net.params"
    torch.save(net.state_dict(), path)
    ours = convert(read_state(path), *ops)
    assert ours.config.architecture == architecture
    X = _images()
    with torch.no_grad():
        theirs, mine = net(X), ours(X)
    assert torch.allclose(theirs, mine, atol=1e-5) and torch.equal(theirs.argmax(1), mine.argmax(1))


def test_the_padding_is_asked_where_the_shapes_allow_several():
    """The seed's 16×5×5 into fc1 comes from paddings (2, 0), (0, 1), (1, 1) or (3, 0): the usual (each 0 or half
    the kernel) first; a padding the shapes do not allow is refused."""
    found = infer(d2l_net().state_dict())
    assert found.paddings[0] == (2, 0) and set(found.paddings) == {(2, 0), (0, 1), (1, 1), (3, 0)}
    assert infer(d2l_batchnorm_net().state_dict()).paddings == ((0, 0), (1, 0))
    assert infer(exercise_net().state_dict()).paddings[0] == (1, 1, 1)
    state = d2l_net().state_dict()
    other = convert(state, padding=(0, 1))
    assert other.config.convs[0].padding == 0 and other.config.convs[1].padding == 1
    with pytest.raises(D2LError, match="padding of 1, 0 does not fit"):
        convert(state, padding=(1, 0))
