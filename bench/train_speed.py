"""Per-epoch training time: this project's engine against a faithful copy of the seed's d2l loop.

    python bench/train_speed.py                 # 3 alternating epochs each, classic recipe, CPU
    python bench/train_speed.py --epochs 5 --device cuda

Both sides train the classic LeNet (sigmoid, avg pooling, Xavier init, SGD lr 0.9, batch 256) on the real
Fashion-MNIST, one epoch at a time, alternating (seed, engine, seed, engine, ...) so that the noise of a
shared machine hits both alike. Each epoch is timed whole: training plus the test-set evaluation, as
d2l's train_ch6 does every epoch. Prints every epoch, then the medians and their ratio; the last line is JSON.
"""
from __future__ import annotations

import argparse
import json
import statistics
import time
import warnings

import torch
from torch import nn
from torch.utils.data import DataLoader
from torchvision import transforms
from torchvision.datasets import FashionMNIST

from lenet.config import ModelConfig, TrainConfig
from lenet.data import find_data_root
from lenet.device import describe_device, pick_device
from lenet.model import build_model
from lenet.engine import EpochEvent, Trainer


def seed_loop(device: torch.device, batch_size: int = 256, lr: float = 0.9, workers: int = 4):
    """d2l 6.6's train_ch6 on d2l's load_data_fashion_mnist, one epoch per next().

    Yields (loss, train acc, test acc)."""
    root = str(find_data_root())
    train_iter = DataLoader(FashionMNIST(root, train=True, transform=transforms.ToTensor()), batch_size,
                            shuffle=True, num_workers=workers)
    test_iter = DataLoader(FashionMNIST(root, train=False, transform=transforms.ToTensor()), batch_size,
                           shuffle=False, num_workers=workers)
    net = build_model(ModelConfig("sigmoid", "avg"), seed=0).to(device)  # Xavier-uniform, as init_weights
    optimizer = torch.optim.SGD(net.parameters(), lr=lr)
    loss = nn.CrossEntropyLoss()
    yield None  # set-up done; the timed epochs follow
    while True:
        metric = [0.0, 0.0, 0]  # sum of loss, correct predictions, examples (d2l's Accumulator)
        net.train()
        for X, y in train_iter:
            optimizer.zero_grad()
            X, y = X.to(device), y.to(device)
            y_hat = net(X)
            l = loss(y_hat, y)
            l.backward()
            optimizer.step()
            with torch.no_grad():
                metric[0] += float(l * X.shape[0])
                metric[1] += float((y_hat.argmax(axis=1) == y).sum())
                metric[2] += X.shape[0]
        net.eval()
        correct = total = 0
        with torch.no_grad():  # d2l's evaluate_accuracy_gpu
            for X, y in test_iter:
                X, y = X.to(device), y.to(device)
                correct += float((net(X).argmax(axis=1) == y).sum())
                total += y.numel()
        yield metric[0] / metric[2], metric[1] / metric[2], correct / total


def engine_loop(device: str, epochs: int):
    """This project's engine with the classic recipe unchanged; yields EpochEvents."""
    trainer = Trainer(ModelConfig("sigmoid", "avg"), TrainConfig(num_epochs=epochs), device=device)
    for ev in trainer.run():
        if isinstance(ev, EpochEvent):
            yield ev  # epoch 0 (data on the device, initial test accuracy) first, untimed


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--epochs", type=int, default=3, help="epochs timed on each side")
    p.add_argument("--device", default="auto", help="auto, cpu, cuda, mps")
    p.add_argument("--engine-only", action="store_true", help="skip the seed loop (e.g. for GPU timing)")
    args = p.parse_args()
    device = pick_device(args.device)
    warnings.filterwarnings("ignore", message="This DataLoader will create")
    seed = None if args.engine_only else seed_loop(device)
    engine = engine_loop(str(device), args.epochs)
    if seed is not None:
        next(seed)  # both sides set up before any timing
    next(engine)
    t0 = time.perf_counter()
    times: dict[str, list[float]] = {"seed": [], "engine": []}
    for epoch in range(1, args.epochs + 1):
        if seed is not None:
            t = time.perf_counter()
            loss, train_acc, test_acc = next(seed)
            times["seed"].append(time.perf_counter() - t)
            print(f"epoch {epoch}  seed loop {times['seed'][-1]:6.2f} s  loss {loss:.3f} train {train_acc:.3f} "
                  f"test {test_acc:.3f}", flush=True)
        t = time.perf_counter()
        ev = next(engine)
        times["engine"].append(time.perf_counter() - t)
        print(f"epoch {epoch}  engine    {times['engine'][-1]:6.2f} s  loss {ev.train_loss:.3f} "
              f"train {ev.train_acc:.3f} test {ev.test_acc:.3f}  ({ev.examples_per_sec:,.0f} ex/s training)",
              flush=True)
    result = {"device": describe_device(device), "epochs": args.epochs,
              "engine_median_s": statistics.median(times["engine"]),
              "engine_epochs_s": [round(t, 3) for t in times["engine"]],
              "total_s": time.perf_counter() - t0}
    if seed is not None:
        result["seed_median_s"] = statistics.median(times["seed"])
        result["seed_epochs_s"] = [round(t, 3) for t in times["seed"]]
        result["speedup"] = result["seed_median_s"] / result["engine_median_s"]
        print(f"median per epoch: seed loop {result['seed_median_s']:.2f} s, engine "
              f"{result['engine_median_s']:.2f} s, speed-up {result['speedup']:.2f}x")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
