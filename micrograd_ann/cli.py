"""CLI: the `micrograd-ann` command (also `python -m micrograd_ann`).

    micrograd-ann grad "tanh(x*w + b)" x=0.5 w=-1.5 b=0.2 [--graph FILE.svg] [--explain]
    micrograd-ann train --dataset moons --layers 16,16 --loss hinge --epochs 100 --out DIR
    micrograd-ann demo [NAME] [--out DIR]

Every error a user can cause ends with one line on stderr, never a traceback: exit status 2 for
bad arguments or expressions, 1 when training diverges.
"""

from __future__ import annotations

import argparse
import ast
import importlib.util
import json
import math
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from micrograd_ann import datasets
from micrograd_ann.engine import Value
from micrograd_ann.expression import ExpressionError, evaluate, parse_bindings
from micrograd_ann.losses import LOSSES

__all__ = ["main"]

USAGE_ERROR = 2
TRAINING_FAILED = 1


class CommandError(Exception):
    """A user error: printed as one line on stderr, exit status 2 (or `status`)."""

    def __init__(self, message: str, status: int = USAGE_ERROR) -> None:
        super().__init__(message)
        self.status = status


def run_grad(arguments: argparse.Namespace) -> None:
    """Evaluate an expression, run backward(), print the value and every ∂/∂variable."""
    try:
        bound = parse_bindings(arguments.bindings)
        variables = {name: Value(value, label=name) for name, value in bound.items()}
        root = evaluate(arguments.expression, variables)
    except (ExpressionError, ArithmeticError, ValueError) as error:
        raise CommandError(str(error)) from None
    if not root.requires_grad:
        print(f"{arguments.expression} = {root.data!r}")
        print("(the expression uses no variables, so there is nothing to differentiate)")
        return
    root.label = "out"
    root.backward()
    print(f"{arguments.expression} = {root.data!r}")
    width = max((len(name) for name in variables), default=0)
    for name, value in variables.items():
        print(f"∂/∂{name:<{width}} = {value.grad!r}")
    if arguments.explain:
        from micrograd_ann.explain import explain

        print()
        print(explain(root))
    if arguments.graph:
        from micrograd_ann.viz import GraphvizNotFoundError, draw_graph, render_svg

        try:
            svg = render_svg(draw_graph(root))
        except (ValueError, GraphvizNotFoundError) as error:
            raise CommandError(f"cannot draw the graph: {error}") from None
        save_file(arguments.graph, lambda path: path.write_text(svg, encoding="utf-8"))


# -------------------------------------------------------------------------------------------------
# micrograd-ann train
# -------------------------------------------------------------------------------------------------

Rows = list[list[float]]


@dataclass(frozen=True)
class DatasetChoice:
    """A dataset the train command offers: how to load it and what kind of task it is."""

    description: str
    load: Callable[[int, int], tuple[Rows, list[Any]]]  # (samples, seed) -> (X, y)
    classification: bool = True


DATASETS: dict[str, DatasetChoice] = {
    "moons": DatasetChoice(
        "two interleaved half circles (2-D, 2 classes)",
        lambda samples, seed: datasets.two_moons(samples, noise=0.1, seed=seed),
    ),
    "circles": DatasetChoice(
        "a ring around a disc (2-D, 2 classes)",
        lambda samples, seed: datasets.circles(samples, noise=0.05, seed=seed),
    ),
    "spirals": DatasetChoice(
        "three interleaved spiral arms (2-D, 3 classes)",
        lambda samples, seed: datasets.spirals(samples, classes=3, seed=seed),
    ),
    "blobs": DatasetChoice(
        "three Gaussian clusters (2-D, 3 classes)",
        lambda samples, seed: datasets.blobs(samples, centers=3, seed=seed),
    ),
    "xor": DatasetChoice(
        "the XOR truth table (2-D, 2 classes, 4 rows)",
        lambda samples, seed: datasets.logic_gate("xor"),
    ),
    "digits": DatasetChoice(
        "8x8 handwritten digits (64-D, 10 classes; needs micrograd_ann[digits])",
        lambda samples, seed: datasets.digits(),
    ),
    "sum-of-two": DatasetChoice(
        "pairs in [0, 0.5] and their sum (regression)",
        lambda samples, seed: datasets.sum_of_two(samples, seed=seed),
        classification=False,
    ),
    "line": DatasetChoice(
        "points near the line y = 2x (regression)",
        lambda samples, seed: datasets.noisy_line(samples, seed=seed),
        classification=False,
    ),
}


def layer_sizes(text: str) -> list[int]:
    """argparse type for "16,16": hidden layer sizes, each at least 1."""
    try:
        sizes = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a comma-separated list of layer sizes such as 16,16"
        ) from None
    if any(size < 1 for size in sizes):
        raise argparse.ArgumentTypeError(f"layer sizes must be at least 1, got {text!r}")
    return sizes


def number_at_least(
    kind: Callable[[str], Any], lowest: float, *, inclusive: bool
) -> Callable[[str], Any]:
    """An argparse type: a finite number of `kind` above `lowest` (or equal, if inclusive)."""

    def parse(text: str) -> Any:
        try:
            number = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if not math.isfinite(number) or not (number >= lowest if inclusive else number > lowest):
            relation = "at least" if inclusive else "greater than"
            raise argparse.ArgumentTypeError(f"must be a finite number {relation} {lowest}, "
                                             f"got {text}")
        return number

    parse.__name__ = kind.__name__
    return parse


def positive(kind: Callable[[str], Any]) -> Callable[[str], Any]:
    """An argparse type: a finite number of `kind` greater than 0."""
    return number_at_least(kind, 0, inclusive=False)


def prepare_targets(
    labels: list[Any], loss: str, classification: bool, dataset: str
) -> tuple[list[Any], int, str]:
    """Targets in the form `loss` expects, the number of output units, the output activation."""
    if not classification:
        if loss != "mse":
            raise CommandError(f"{dataset} is a regression dataset: use --loss mse")
        return labels, 1, "linear"
    classes = max(labels) + 1
    if loss == "cross_entropy":
        return labels, classes, "linear"
    if loss == "mse":
        return (labels, 1, "sigmoid") if classes == 2 else (
            datasets.one_hot(labels, classes), classes, "sigmoid"
        )
    if classes != 2:
        raise CommandError(
            f"--loss {loss} separates two classes, but {dataset} has {classes}; "
            "use --loss cross_entropy"
        )
    if loss == "hinge":
        return [2 * label - 1 for label in labels], 1, "linear"
    return labels, 1, ("sigmoid" if loss == "bce" else "linear")


def run_train(arguments: argparse.Namespace) -> None:
    """Train an MLP on a built-in dataset and write the model, history and pictures."""
    from micrograd_ann.nn import MLP
    from micrograd_ann.optim import SGD
    from micrograd_ann.serialization import save
    from micrograd_ann.train import TrainingDiverged, train

    choice = DATASETS[arguments.dataset]
    try:
        X, labels = choice.load(arguments.samples, arguments.seed)
    except ImportError as error:
        raise CommandError(str(error)) from None
    loss = arguments.loss or (
        ("hinge" if max(labels) == 1 else "cross_entropy") if choice.classification else "mse"
    )
    y, outputs, output_activation = prepare_targets(
        labels, loss, choice.classification, arguments.dataset
    )
    model = MLP(
        len(X[0]),
        [*arguments.layers, outputs],
        activation=arguments.activation,
        output_activation=output_activation,
        seed=arguments.seed,
    )
    optimizer = SGD(
        model.parameters(),
        lr=arguments.lr,
        momentum=arguments.momentum,
        weight_decay=arguments.weight_decay,
    )
    print(
        f"training {model!r} on {arguments.dataset} ({len(X)} samples) with the {loss} loss, "
        f"lr {arguments.lr}, {arguments.epochs} epochs"
    )
    try:
        history = train(
            model, X, y, loss=loss, epochs=arguments.epochs, batch_size=arguments.batch_size,
            seed=arguments.seed, optimizer=optimizer, progress=not arguments.quiet,
        )
    except TrainingDiverged as error:
        raise CommandError(str(error), status=TRAINING_FAILED) from None
    except ValueError as error:
        raise CommandError(str(error)) from None
    summary = f"final loss {history.loss[-1]:.4f}"
    if history.accuracy:
        summary += f", accuracy {history.accuracy[-1]:.1%}"
    print(summary)

    out: Path = arguments.out
    save_file(out / "model.json", lambda path: save(model, path))
    history_json = json.dumps(history.to_dict(), indent=2) + "\n"
    save_file(out / "history.json", lambda path: path.write_text(history_json, encoding="utf-8"))
    write_pictures(out, model, X, y, loss, history)


# -------------------------------------------------------------------------------------------------
# micrograd-ann demo
# -------------------------------------------------------------------------------------------------

DEMOS_FOLDER = Path(__file__).resolve().parent.parent / "demos"
"""The demos live beside the package in a source checkout (the README installs it editable)."""


def available_demos(folder: Path = DEMOS_FOLDER) -> dict[str, str]:
    """Demo name → its one-line summary, read from each file's docstring without running it."""
    if not folder.is_dir():
        raise CommandError(
            f"no demos folder at {folder}: the demos ship with the source checkout; clone the "
            "repository and install it with `pip install -e .`"
        )
    demos = {}
    for path in sorted(folder.glob("*.py")):
        if path.name.startswith("_"):
            continue
        docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
        demos[path.stem] = docstring.strip().splitlines()[0] if docstring.strip() else ""
    return demos


def run_demo(arguments: argparse.Namespace) -> None:
    """List the demos, or run one (its `main(fast=..., out=...)`)."""
    demos = available_demos()
    if arguments.name is None:
        width = max(map(len, demos), default=0)
        for name, summary in demos.items():
            print(f"{name:<{width}}  {summary}")
        print("\nrun one with: micrograd-ann demo NAME [--out DIR] [--fast]")
        return
    if arguments.name not in demos:
        raise CommandError(
            f"unknown demo {arguments.name!r}; choose one of {', '.join(demos)}"
        )
    path = DEMOS_FOLDER / f"{arguments.name}.py"
    specification = importlib.util.spec_from_file_location(f"demos.{arguments.name}", path)
    if specification is None or specification.loader is None:
        raise CommandError(f"cannot load the demo {path}")
    module = importlib.util.module_from_spec(specification)
    specification.loader.exec_module(module)
    module.main(fast=arguments.fast, out=arguments.out)


def save_file(path: Path, write: Callable[[Path], object]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write(path)
    except OSError as error:
        raise CommandError(f"cannot write {path}: {error.strerror}") from None
    print(f"wrote {path}")


def save_figure(path: Path, figure: Any) -> None:
    import matplotlib.pyplot

    save_file(path, figure.savefig)
    matplotlib.pyplot.close(figure)


def write_pictures(out: Path, model: Any, X: Rows, y: list[Any], loss: str, history: Any) -> None:
    """loss.png, boundary.png (2-D inputs only) and graph.svg; each is skipped with a note
    when its optional dependency is missing."""
    from micrograd_ann import plots

    try:
        save_figure(out / "loss.png", plots.plot_history(history).figure)
        if len(X[0]) == 2:
            boundary = plots.DecisionBoundaryDisplay.from_model(model, X, y)
            save_figure(out / "boundary.png", boundary.figure_)
    except ImportError as error:
        print(f"skipped the plots: {error}")

    from micrograd_ann.viz import GraphvizNotFoundError, draw_graph, render_svg

    sample_loss = LOSSES[loss].per_sample(model(X[0]), y[0])
    model.zero_grad()
    sample_loss.backward()
    try:
        svg = render_svg(draw_graph(sample_loss, model=model, rankdir="LR"))
    except (ValueError, GraphvizNotFoundError) as error:
        print(f"skipped graph.svg: {error}")
        return
    save_file(out / "graph.svg", lambda path: path.write_text(svg, encoding="utf-8"))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="micrograd-ann",
        description="See how neural networks learn: gradients, graphs and training.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    grad = commands.add_parser(
        "grad",
        help="evaluate an expression and print its gradient",
        description="Evaluate EXPR at the given variable values and print ∂EXPR/∂ of each "
        "variable. EXPR may use numbers, variables, + - * / **, unary minus, parentheses and "
        "exp, log, tanh, sigmoid, relu, sin, cos, sqrt, abs.",
        epilog='example: micrograd-ann grad "tanh(x*w + b)" x=0.5 w=-1.5 b=0.2 --explain',
    )
    grad.add_argument("expression", metavar="EXPR", help='e.g. "tanh(x*w + b)"')
    grad.add_argument("bindings", metavar="NAME=VALUE", nargs="*", help="e.g. x=0.5")
    grad.add_argument("--graph", type=Path, metavar="FILE.svg", help="write the graph as SVG")
    grad.add_argument(
        "--explain", action="store_true", help="print the chain rule step by step"
    )
    grad.set_defaults(handler=run_grad)

    train = commands.add_parser(
        "train",
        help="train a network on a built-in dataset and write the model and pictures",
        description="Train an MLP by gradient descent on a built-in dataset, with a progress "
        "bar, then write model.json, history.json, loss.png, boundary.png (2-D data) and "
        "graph.svg (the loss graph of one sample) into --out.",
        epilog="datasets: " + "; ".join(
            f"{name}: {choice.description}" for name, choice in DATASETS.items()
        ),
    )
    train.add_argument("--dataset", choices=DATASETS, default="moons")
    train.add_argument("--samples", type=positive(int), default=100,
                       help="number of samples for the generated datasets (default 100)")
    train.add_argument("--layers", type=layer_sizes, default=[16, 16],
                       help="hidden layer sizes, e.g. 16,16 (default)")
    train.add_argument("--activation", choices=("relu", "tanh", "sigmoid"), default="relu")
    train.add_argument("--loss", choices=sorted(LOSSES),
                       help="default: hinge for two classes, cross_entropy for more, mse for "
                       "regression")
    train.add_argument("--epochs", type=positive(int), default=100)
    train.add_argument("--lr", type=positive(float), default=0.1, help="learning rate")
    train.add_argument("--momentum", type=number_at_least(float, 0, inclusive=True), default=0.0)
    train.add_argument("--weight-decay", type=number_at_least(float, 0, inclusive=True),
                       default=0.0, help="L2 penalty")
    train.add_argument("--batch-size", type=positive(int),
                       help="mini-batch size (default: the whole dataset)")
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--out", type=Path, required=True, metavar="DIR")
    train.add_argument("--quiet", action="store_true", help="no progress bar")
    train.set_defaults(handler=run_train)

    demo = commands.add_parser(
        "demo",
        help="list the demos, or run one",
        description="Without NAME, list the demos. With NAME, run that demo: it prints what its "
        "tutorial showed and, with --out, writes its pictures.",
    )
    demo.add_argument("name", metavar="NAME", nargs="?", help="the demo to run")
    demo.add_argument("--out", type=Path, metavar="DIR", help="write the pictures here")
    demo.add_argument("--fast", action="store_true", help="a short run (fewer epochs or data)")
    demo.set_defaults(handler=run_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    arguments = parser.parse_args(argv)
    try:
        arguments.handler(arguments)
    except CommandError as error:
        print(f"micrograd-ann {arguments.command}: error: {error}", file=sys.stderr)
        return error.status
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
