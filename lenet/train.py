"""Train LeNet on Fashion-MNIST from the command line.

    python -m lenet.train --preset classic --out models/classic.pt
    python -m lenet.train --activation relu --pooling max --epochs 10 --out models/relu-max.pt

Progress goes to stderr; the last line on stdout is one JSON object with the run's metrics.
"""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace

from lenet.checkpoint import save_checkpoint
from lenet.config import ARCHITECTURES, OPTIMIZERS, PRESETS, SCHEDULES, ModelConfig, TrainConfig
from lenet.data import DatasetNotFound, find_data_root
from lenet.engine import EpochEvent, StepEvent, Trainer, TrainingDiverged
from lenet.i18n import N_, _, from_environment, use
from lenet.ops import ACTIVATIONS, POOLINGS

DEFAULTS = TrainConfig()  # the classic recipe, for the flags' help
DESCRIPTION = N_("Train LeNet on Fashion-MNIST from the command line.")


def build_parser() -> argparse.ArgumentParser:
    """The flags, their help in the terminal's language (LANG=zh_CN.UTF-8: Chinese)."""
    use(from_environment())
    p = argparse.ArgumentParser(prog="python -m lenet.train", description=_(DESCRIPTION),
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--preset", choices=sorted(PRESETS), default="classic",
                   help=_("starting recipe; 'classic' is d2l's train_ch6 exactly; the flags below override it"))
    p.add_argument("--activation", choices=list(ACTIVATIONS), help=_("activation (preset's if omitted)"))
    p.add_argument("--pooling", choices=list(POOLINGS), help=_("pooling (preset's if omitted)"))
    p.add_argument("--network", choices=list(ARCHITECTURES), default="lenet",
                   help=_("the member of the LeNet family: the seed's LeNet, d2l's BatchNorm LeNet (§8.5) or a "
                          "wider LeNet with 3×3 kernels"))
    p.add_argument("--epochs", type=int, help=_("epochs (classic: {n})").format(n=DEFAULTS.num_epochs))
    p.add_argument("--lr", type=float, help=_("(peak) learning rate (classic: {lr})").format(lr=DEFAULTS.lr))
    p.add_argument("--batch-size", type=int, help=_("batch size (classic: {n})").format(n=DEFAULTS.batch_size))
    p.add_argument("--optimizer", choices=OPTIMIZERS, help=_("optimizer (classic: sgd)"))
    p.add_argument("--momentum", type=float, help=_("SGD momentum (classic: 0)"))
    p.add_argument("--weight-decay", type=float, help=_("weight decay (classic: 0)"))
    p.add_argument("--schedule", choices=SCHEDULES, help=_("learning-rate schedule (classic: constant)"))
    p.add_argument("--augment", action=argparse.BooleanOptionalAction, default=None,
                   help=_("random flips and 2-px shifts of training images (modern preset: on)"))
    p.add_argument("--seed", type=int, help=_("random seed (default {n})").format(n=DEFAULTS.seed))
    p.add_argument("--train-subset", type=int, help=_("train on only the first N training images (0 = all)"))
    p.add_argument("--device", default="auto", help=_("auto (cuda, then mps, then cpu), cpu, cuda, cuda:1, mps"))
    p.add_argument("--data-dir", default=None, help=_("Fashion-MNIST root in torchvision layout (default: "
                                                      "$LENET_DATA_DIR, ./data, Debian's package)"))
    p.add_argument("--download", action="store_true", help=_("let torchvision download the data if not found"))
    p.add_argument("--out", default=None, help=_("where to save the checkpoint (written atomically)"))
    p.add_argument("--quiet", action="store_true", help=_("no progress bar"))
    return p


def configs_from_args(args: argparse.Namespace) -> tuple[ModelConfig, TrainConfig]:
    """The preset's configs with every given flag applied."""
    model_config, train_config = PRESETS[args.preset]
    convs, dense = ARCHITECTURES[args.network]
    model_config = replace(model_config, convs=convs, dense=dense, **{
        k: v for k, v in dict(activation=args.activation, pooling=args.pooling).items() if v is not None})
    overrides = dict(num_epochs=args.epochs, lr=args.lr, batch_size=args.batch_size, optimizer=args.optimizer,
                     momentum=args.momentum, weight_decay=args.weight_decay, schedule=args.schedule,
                     augment=args.augment, seed=args.seed, train_subset=args.train_subset)
    return model_config, replace(train_config, **{k: v for k, v in overrides.items() if v is not None})


def _bar(ev: StepEvent | EpochEvent, num_epochs: int) -> str:
    done = ev.epoch / max(num_epochs, 1)
    filled = int(30 * done)
    text = f"\r[{'#' * filled}{'.' * (30 - filled)}] epoch {ev.epoch:5.2f}/{num_epochs}"
    if isinstance(ev, StepEvent):
        return text + f"  loss {ev.train_loss:.3f}  train acc {ev.train_acc:.3f}"
    return text + (f"  loss {ev.train_loss:.3f}  train acc {ev.train_acc:.3f}  test acc {ev.test_acc:.3f}"
                   f"  {ev.examples_per_sec:,.0f} ex/s on {ev.device}\n")


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    model_config, train_config = configs_from_args(args)
    try:
        if args.download:
            find_data_root(args.data_dir, download=True)
        trainer = Trainer(model_config, train_config, device=args.device, data_root=args.data_dir)
        for ev in trainer.run():
            if not args.quiet:
                print(_bar(ev, train_config.num_epochs), end="", file=sys.stderr, flush=True)
    except DatasetNotFound as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except TrainingDiverged as e:
        print(f"\nerror: {e}", file=sys.stderr)
        print(json.dumps({"error": "diverged", "message": str(e)}))
        return 3
    except RuntimeError as e:  # e.g. a device that is not there
        print(f"error: {e}", file=sys.stderr)
        return 2
    metrics = trainer.metrics()
    trainer.model.eval()
    if args.out:
        save_checkpoint(args.out, trainer.model.cpu(), metrics, train_config,
                        extra={"preset": args.preset, "command": "python -m lenet.train " + " ".join(
                            sys.argv[1:] if argv is None else argv)})
        metrics["out"] = str(args.out)
    print(json.dumps({"activation": model_config.activation, "pooling": model_config.pooling, **metrics}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
