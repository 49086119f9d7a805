"""lenet.max_or_avg: the measurements against direct computations, and the answer's sentences following the
numbers (swapping max's and average's numbers flips every one of them)."""
from __future__ import annotations

import torch
import torch.nn.functional as F

from lenet import max_or_avg as M
from lenet.config import ModelConfig, TrainConfig
from lenet.filters import initial_model
from lenet.pretrained import load_pretrained
from lenet.samples import load_samples


def _batch(n: int = 200):
    s = load_samples()
    return s.tensor()[:n], torch.from_numpy(s.labels[:n])


def test_gradient_and_output_sizes_by_hand():
    """measure() (the engine's own backward, over chunks) against autograd over the whole batch at once: more
    images than a chunk, so that the chunks' shares of the mean are checked too."""
    model = load_pretrained("sigmoid", "max")
    samples = load_samples()
    n = M.CHUNK + 437  # (two chunks, the second a part one)
    X = torch.from_numpy(samples.images[:n, None].astype("float32") / 255.0)
    y = torch.from_numpy(samples.labels[:n].astype("int64"))
    measured = M.measure(model, X, y)
    model.zero_grad()
    logits = model(X)
    F.cross_entropy(logits, y).backward()
    for name in M.LAYERS:
        g = getattr(model, name).weight.grad
        assert abs(measured.grads[name] / torch.sqrt((g ** 2).sum() / g.numel()).item() - 1) < 1e-5
    assert M.gradient_sizes(model, X, y) == measured.grads
    model.zero_grad()
    with torch.no_grad():
        pool1 = model.pool1(model.act1(model.conv1(X)))
        pool2 = model.pool2(model.act2(model.conv2(pool1)))
    for name, pooled in (("pool1", pool1), ("pool2", pool2)):
        assert abs(measured.outputs[name] / pooled.abs().mean().item() - 1) < 1e-5
    assert measured.accuracy == int((logits.argmax(1) == y).sum()) / n


def test_both_poolings_start_from_the_same_weights():
    """At initialisation only the pooling differs: the same training seed gives the same weights."""
    a, _ = initial_model(ModelConfig("sigmoid", "max"), TrainConfig(seed=0))
    b, _ = initial_model(ModelConfig("sigmoid", "avg"), TrainConfig(seed=0))
    assert all(torch.equal(p, q) for p, q in zip(a.state_dict().values(), b.state_dict().values()))
    X, y = _batch(50)
    assert M.gradient_sizes(a, X, y) != M.gradient_sizes(b, X, y)  # ... and the pooling changes the gradients


def _side(pooling: str, acc: float, first: float, out: float, grad: float, own: float, swap: float) -> M.Side:
    history = ({"epoch": 0, "train_loss": None, "train_acc": None, "test_acc": 0.1, "seconds": 0.0},
               {"epoch": 1, "train_loss": 0.9, "train_acc": 0.6, "test_acc": first, "seconds": 4.0},
               {"epoch": 2, "train_loss": 0.5, "train_acc": 0.8, "test_acc": acc, "seconds": 8.0})
    sizes = {when: {n: grad * (2 if when == "init" else 1) for n in M.LAYERS} for when in ("init", "trained")}
    outs = {when: {p: out for p in M.POOLS} for when in ("init", "trained")}
    return M.Side(pooling, acc, 2, history, sizes, outs, own, swap)


STUDY = M.Study("classic", "sigmoid", _side("max", 0.83, 0.70, 0.6, 0.02, 0.84, 0.41),
                _side("avg", 0.80, 0.55, 0.4, 0.01, 0.81, 0.62), "the 10,000 test images")


def test_the_answer_follows_the_numbers():
    text = " ".join(M.answer(STUDY))
    assert "**Accuracy: max pooling wins** by 3.0 points — max 83.0%, average 80.0%" in text
    assert "max pooling learns faster at first** — after one epoch max 70.0%, average 55.0%" in text
    assert "max pooling's outputs are 1.50× average's (pool1, pool2); the gradients reaching the weights 2.00×" in text
    assert "larger with max at 5 of 5 layers" in text and "**holds here**" in text and "by at most 100%" in text
    assert ("max-trained weights run with average pooling reach 41.0% (−43.0 points)" in text
            and "average-trained ones with max pooling 62.0% (−19.0 points)" in text)


def test_swapped_numbers_flip_every_sentence():
    text = " ".join(M.answer(M.swapped(STUDY)))
    assert "**Accuracy: average pooling wins** by 3.0 points — max 80.0%, average 83.0%" in text
    assert "average pooling learns faster at first** — after one epoch max 55.0%, average 70.0%" in text
    assert "outputs are 0.67× average's (pool1, pool2); the gradients reaching the weights 0.50×" in text
    assert "larger with max at 0 of 5 layers" in text and "**does not hold here**" in text
    assert "max-trained weights run with average pooling reach 62.0% (−19.0 points)" in text


def test_close_accuracies_are_called_level():
    level = M.Study("modern", "relu", _side("max", 0.900, 0.8, 1, 1, 0.9, 0.5), _side("avg", 0.897, 0.8, 1, 1, 0.9,
                                                                                         0.5), "x")
    assert M.answer(level)[0].startswith("**Accuracy: level.** Max 90.0%, average 89.7%")


def test_a_claim_that_holds_barely_says_so():
    near = M.Study("classic", "sigmoid", _side("max", 0.8, 0.7, 1.03, 0.0101, 0.8, 0.5),
                   _side("avg", 0.8, 0.7, 1.0, 0.01, 0.8, 0.5), "x")
    text = " ".join(M.answer(near))
    assert "**holds here**" in text and "but barely: by at most 3%" in text
    assert "max pooling's outputs are 1.03× average's" in text and "weights 1.01× — larger with max at 5 of 5" in text
