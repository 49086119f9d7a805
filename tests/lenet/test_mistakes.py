"""The confusion matrix and its cells against a direct computation, on the bundled images and a shipped model."""
import numpy as np
import torch

from lenet.mistakes import mistakes
from lenet.pretrained import load_pretrained
from lenet.samples import load_samples


def _direct(model, X):
    with torch.no_grad():
        p = torch.softmax(model(X), 1)
    return p.argmax(1).numpy(), p.max(1).values.double().numpy()


def test_counts_cells_and_accuracies_match_a_direct_computation():
    samples = load_samples()
    X, y = samples.tensor(), samples.labels.astype(np.int64)
    model = load_pretrained("sigmoid", "avg")
    m = mistakes(model, X, y, batch=97)  # chunks that do not divide 1,000
    pred, conf = _direct(model, X)
    assert np.array_equal(m.predictions, pred) and np.allclose(m.confidence, conf, atol=1e-6)
    expected = np.zeros((10, 10), int)
    for t, p in zip(y, pred):
        expected[t, p] += 1
    assert np.array_equal(m.counts, expected) and m.counts.sum() == 1000
    assert np.allclose(m.row_normalised.sum(1), 1.0)
    assert np.allclose(m.per_class_accuracy, np.diag(expected) / expected.sum(1))
    assert m.accuracy == (pred == y).mean()
    t, p = np.unravel_index(np.argmax(expected - np.diag(np.diag(expected))), expected.shape)  # the worst confusion
    cell = m.cell(int(t), int(p))
    assert len(cell) == expected[t, p] > 0 and set(cell) == set(np.flatnonzero((y == t) & (pred == p)))
    assert list(conf[cell]) == sorted(conf[cell], reverse=True)
    worst = m.most_confident_mistakes(5)
    assert all(pred[k] != y[k] for k in worst) and len(worst) == 5
    others = np.flatnonzero(pred != y)
    assert conf[worst[-1]] >= np.sort(conf[others])[::-1][4] - 1e-12  # no other mistake was surer


def test_a_class_without_images_and_an_empty_set():
    X = torch.zeros(3, 1, 28, 28)
    m = mistakes(load_pretrained("relu", "max"), X, np.array([0, 0, 1]))
    assert np.isnan(m.per_class_accuracy[5]) and m.row_normalised[5].sum() == 0
    empty = mistakes(load_pretrained("relu", "max"), X[:0], np.zeros(0, np.int64))
    assert empty.counts.sum() == 0 and np.isnan(empty.accuracy) and len(empty.most_confident_mistakes()) == 0
