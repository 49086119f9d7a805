"""A model trained in the d2l notebook (torch.save(net.state_dict(), path)), in either layout, read as ours."""
import io

import numpy as np
import pytest
import torch
from torch import nn

from lenet.checkpoint import load_checkpoint
from lenet.d2l import D2LError, convert, layout_of, read_state
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


def test_a_net_of_other_shapes_is_refused_naming_the_layer(tmp_path):
    path = tmp_path / "wide.pt"
    torch.save(d2l_net(fc1_out=100).state_dict(), path)
    with pytest.raises(D2LError, match=r"8.weight \(fc1's weight\) has shape 100×400, LeNet's is 120×400"):
        convert(read_state(path))
    state = d2l_net().state_dict()
    del state["12.bias"]
    with pytest.raises(D2LError, match="positions"):  # 12.weight alone still names position 12: a missing bias
        convert({k: v for k, v in state.items() if not k.startswith("12.")})
    with pytest.raises(D2LError, match="12.bias is missing"):
        convert(state)


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
    net = d2l_net("book")
    torch.save(net.state_dict(), tmp_path / "from-d2l.pt")
    torch.save(d2l_net(fc1_out=100).state_dict(), tmp_path / "wrong.pt")
    models, skipped = scan_models(tmp_path)
    (ck,) = models
    assert (ck.model_config.activation, ck.model_config.pooling) == ("sigmoid", "avg")
    assert ck.meta == {"source": "d2l", "layout": "book"} and ck.path.name == "from-d2l.pt"
    assert len(skipped) == 1 and say(skipped[0]).startswith(
        "wrong.pt: a d2l state_dict that does not fit LeNet: 8.weight")
    with torch.no_grad():
        assert torch.allclose(load_checkpoint(ck.path).model(_images()), net(_images()), atol=1e-6)


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
