"""CLI: the `micrograd-ann` command (also `python -m micrograd_ann`).

    micrograd-ann grad "tanh(x*w + b)" x=0.5 w=-1.5 b=0.2 [--graph FILE.svg|FILE.png] [--explain]
                  [--html FILE.html]
    micrograd-ann train --dataset moons [--layers 16,16 --epochs 100 --lr 0.1 ...] --out DIR
    micrograd-ann playground [--dataset moons --layers 16,16 ...] --out FILE.html
    micrograd-ann demo [NAME] [--out DIR]

Every error a user can cause ends with one line on stderr, never a traceback: exit status 2 for
bad arguments or expressions, 1 for failures while running (training diverges, a file cannot be
written, Graphviz fails). When the reader of the output goes away (`| head -1`), the command
stops quietly with status 141, as Unix tools killed by SIGPIPE do. Every file is written
atomically (`micrograd_ann.files.write_atomic`): a failed write leaves the previous file intact.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import dataclasses
import importlib
import importlib.resources
import json
import math
import os
import sys
import textwrap
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from micrograd_ann.datasets import DATASETS, Settings
from micrograd_ann.engine import Value
from micrograd_ann.expression import FUNCTIONS, ExpressionError, evaluate, parse_bindings
from micrograd_ann.files import NotARegularFileError, write_atomic
from micrograd_ann.losses import LOSSES
from micrograd_ann.nn import ACTIVATIONS
from micrograd_ann.playground_kit import PLAYGROUND_ACTIVATIONS, PLAYGROUND_DATASETS
from micrograd_ann.version import __version__

if TYPE_CHECKING:
    from _typeshed import SupportsWrite

__all__ = ["main"]

USAGE_ERROR = 2
RUNTIME_ERROR = 1
TRAINING_FAILED = RUNTIME_ERROR
BROKEN_PIPE = 141  # 128 + SIGPIPE: what a shell reports for a Unix tool stopped by a closed pipe


class CommandError(Exception):
    """A user error: printed as one line on stderr, exit status 2 (or `status`), after the name
    of the command (or of `program`, such as "micrograd-ann train", when it is given)."""

    def __init__(self, message: str, status: int = USAGE_ERROR, program: str | None = None
                 ) -> None:
        super().__init__(message)
        self.status = status
        self.program = program


class Parser(argparse.ArgumentParser):
    """argparse's parser with the command's promise kept: a usage error is one line on stderr
    (argparse prints the whole usage block first), and help that cannot be written
    (`--help > /dev/full`) is an error (argparse ignores it). Subcommands' parsers are Parsers
    too (`add_subparsers` makes its parsers of the parser's own class)."""

    def error(self, message: str) -> NoReturn:
        """`--layers 16,,16` → "micrograd-ann train: error: --layers '16,,16' has an empty layer
        size; …; see micrograd-ann train --help", and exit status 2."""
        option, separator, detail = message.partition(": ")
        if option.startswith("argument ") and separator:  # "argument --layers: '16,,16' has …"
            option = option.removeprefix("argument ")
            # Our types' messages start with the value ("--layers '16,,16' has …"), argparse's
            # own with words ("--dataset: invalid choice: 'nope' …").
            message = f"{option} {detail}" if detail.startswith("'") else f"{option}: {detail}"
        one_line = " ".join(message.split())
        with contextlib.suppress(OSError):
            print(f"{self.prog}: error: {one_line}; see {self.prog} --help", file=sys.stderr)
        sys.exit(USAGE_ERROR)

    def print_help(self, file: SupportsWrite[str] | None = None) -> None:
        """Write the help and flush it, so that a failed write is reported, not ignored."""
        output = sys.stdout if file is None else file
        try:
            output.write(self.format_help())
            getattr(output, "flush", lambda: None)()
        except BrokenPipeError:
            raise  # `--help | head -1`: main stops quietly, as for any other output
        except OSError as error:
            discard_standard_output()
            raise CommandError(f"cannot write the help: {error.strerror or error}",
                               status=RUNTIME_ERROR, program=self.prog) from None


def run_grad(arguments: argparse.Namespace) -> None:
    """Evaluate an expression, run backward(), print the value and every ∂/∂variable."""
    graph_format = picture_format(arguments.graph) if arguments.graph else None
    try:
        bound = parse_bindings(arguments.bindings)
        variables = {name: Value(value, label=name) for name, value in bound.items()}
        root = evaluate(arguments.expression, variables)
        if root.requires_grad:
            if not any(root is variable for variable in variables.values()):
                root.label = "out"  # a variable on its own (`grad x x=1`) keeps its name
            root.backward()
    except (ExpressionError, ArithmeticError, ValueError) as error:
        raise CommandError(str(error)) from None
    print(f"{arguments.expression} = {root.data!r}")
    if not root.requires_grad:
        print("(the expression uses no variables, so there is nothing to differentiate)")
        return
    width = max((len(name) for name in variables), default=0)
    for name, value in variables.items():
        if not math.isfinite(value.grad):
            reason = not_finite_reason(root, value.grad)
            raise CommandError(f"∂/∂{name} is {value.grad!r}: {reason}")
        print(f"∂/∂{name:<{width}} = {value.grad!r}")
    if arguments.explain:
        from micrograd_ann.explain import explain

        print()
        print(explain(root))
    if arguments.code:
        from micrograd_ann.compile import generate_source

        print()
        print(generate_source(root, list(variables.values()))[0], end="")
    if arguments.graph:
        save_file(arguments.graph, draw_picture(root, graph_format or "svg"))
    if arguments.html:
        save_file(arguments.html, step_through_page(root))


def not_finite_reason(root: Value, gradient: float) -> str:
    """Why `gradient`, one of `root`'s, is not a finite number: an operation whose derivative is
    infinite at an input of exactly 0 (√x, x ** 0.5 at 0: the slope is vertical, so the
    derivative is infinite, or undefined where two such meet as ∞ − ∞), or else finite
    factors whose product overflowed a float."""
    from micrograd_ann.operations import operation_named
    from micrograd_ann.trace import trace

    for step in trace(root).backward:
        if math.isinf(step.local) and step.child.data == 0.0:
            operation = operation_named(step.node.op)
            name, formula = (step.op, "") if operation is None else \
                (operation.name, f": {operation.formula}")
            where = (f"{step.node_name} = {name} of {step.child_name}, at {step.child_name} = "
                     f"0.0, has the local derivative {step.local!r}{formula}")
            if math.isnan(gradient):
                return (f"the derivative is undefined at these values, where infinite local "
                        f"derivatives meet (∞ − ∞ or 0 · ∞): {where}")
            return (f"the derivative is infinite at these values (the slope is vertical): "
                    f"{where}; evaluate it at a point away from that edge")
    return ("the gradient overflows a float at these values; use values of a smaller "
            "magnitude")


def picture_format(path: Path) -> str:
    """"svg" or "png", from the extension of --graph's file; anything else is refused."""
    extension = path.suffix.lower().removeprefix(".")
    if extension not in ("svg", "png"):
        raise CommandError(
            f"--graph {path}: the file name must end in .svg or .png (got "
            f"{path.suffix or 'no extension'})"
        )
    return extension


def step_through_page(root: Value) -> str:
    """The step-through backprop page of `root` (`backprop_page`), or a one-line CommandError."""
    from micrograd_ann.pages import backprop_page

    with graph_errors("make the page", "a page", "use a shorter expression"):
        return backprop_page(root).html


def draw_picture(root: Value, image_format: str) -> bytes:
    """The computation graph of `root` as SVG or PNG bytes, or a one-line CommandError."""
    from micrograd_ann.viz import draw_graph, render_png, render_svg

    with graph_errors("draw the graph", "a drawing", "draw a shorter expression"):
        graph = draw_graph(root)
        if image_format == "png":
            return render_png(graph)
        return render_svg(graph).encode("utf-8")


@contextlib.contextmanager
def graph_errors(doing: str, shown_in: str, instead: str) -> Iterator[None]:
    """Turn a graph too large to show, or a Graphviz failure, into a one-line CommandError."""
    from micrograd_ann.viz import GraphRenderError, GraphTooLargeError

    try:
        yield
    except GraphTooLargeError as error:
        raise CommandError(
            f"cannot {doing}: the graph has {error.measure} {shown_in} can show clearly; "
            f"{instead}"
        ) from None
    except GraphRenderError as error:
        raise CommandError(f"cannot {doing}: {error}", status=RUNTIME_ERROR) from None


# -------------------------------------------------------------------------------------------------
# micrograd-ann train
# -------------------------------------------------------------------------------------------------

Rows = list[list[float]]

def layer_sizes(text: str) -> list[int]:
    """argparse type for "16,16": hidden layer sizes, each a whole number of at least 1."""
    parts = [part.strip() for part in text.split(",")]
    if not all(parts):
        raise argparse.ArgumentTypeError(
            f"{text!r} has an empty layer size; write the sizes separated by single commas, "
            "such as 16,16"
        )
    try:
        sizes = [int(part) for part in parts]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a comma-separated list of layer sizes such as 16,16"
        ) from None
    if any(size < 1 for size in sizes):
        raise argparse.ArgumentTypeError(
            f"{text!r} has a layer size below 1; every layer needs at least 1 neuron, such as 16"
        )
    return sizes


def number_at_least(
    kind: Callable[[str], Any], lowest: float, *, inclusive: bool
) -> Callable[[str], Any]:
    """An argparse type: a finite number of `kind` above `lowest` (or equal, if inclusive)."""

    what = "a whole number" if kind is int else "a finite number"

    def parse(text: str) -> Any:
        try:
            number = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not {what}") from None
        if not math.isfinite(number) or not (number >= lowest if inclusive else number > lowest):
            relation = "of at least" if inclusive else "greater than"
            raise argparse.ArgumentTypeError(f"{text!r} is not {what} {relation} {lowest}")
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
    try:
        encoded = LOSSES[loss].class_targets(labels)
    except ValueError as error:
        raise CommandError(f"{dataset}: {error}") from None
    return encoded.targets, encoded.outputs, encoded.output_activation


def chosen_settings(arguments: argparse.Namespace, defaults: Settings) -> Settings:
    """The dataset's default settings, with each one given on the command line instead."""

    def given_or_default(name: str) -> Any:
        given = getattr(arguments, name)
        return getattr(defaults, name) if given is None else given

    return Settings(
        samples=given_or_default("samples"),
        layers=tuple(given_or_default("layers")),
        epochs=given_or_default("epochs"),
        lr=given_or_default("lr"),
        momentum=given_or_default("momentum"),
        batch_size=given_or_default("batch_size"),
    )


ADAM_LEARNING_RATE = 0.01
"""`--lr` for `--optimizer adam` and `adamw` when none is given: each step moves a parameter by
about the learning rate, so the SGD rates tuned per dataset (up to 0.5) would be far too big."""


def adam_settings(arguments: argparse.Namespace, settings: Settings) -> Settings:
    """The settings for Adam or AdamW: no momentum (their betas play its part), and
    `ADAM_LEARNING_RATE` unless `--lr` is given."""
    if arguments.momentum is not None:
        raise CommandError(
            f"--momentum {arguments.momentum:g} is SGD's; {arguments.optimizer} keeps running "
            "means of the gradient instead (betas 0.9, 0.999): leave --momentum out"
        )
    lr = ADAM_LEARNING_RATE if arguments.lr is None else arguments.lr
    return dataclasses.replace(settings, lr=lr, momentum=0.0)


def run_train(arguments: argparse.Namespace) -> None:
    """Train an MLP on a built-in dataset and write the model, history and pictures."""
    from micrograd_ann.nn import MLP
    from micrograd_ann.optim import SGD, Adam, AdamW
    from micrograd_ann.playground import recorded_snapshots, training_playground
    from micrograd_ann.replay import TrainingRecorder, training_page
    from micrograd_ann.serialization import save
    from micrograd_ann.train import TrainingDiverged, train

    out: Path = arguments.out
    prepare_folder(out)  # before training: a bad --out should not cost a training run
    choice = DATASETS[arguments.dataset]
    if arguments.samples is not None and choice.defaults.samples is None:
        raise CommandError(
            f"--samples {arguments.samples}: the {arguments.dataset} dataset has a fixed size; "
            "leave --samples out"
        )
    settings = chosen_settings(arguments, choice.defaults)
    try:
        X, labels = choice.load(settings.samples or 0, arguments.seed)
    except ImportError as error:
        raise CommandError(str(error)) from None
    except ValueError as error:
        raise CommandError(f"--samples {settings.samples}: {error}") from None
    loss = arguments.loss or (
        ("hinge" if max(labels) == 1 else "cross_entropy") if choice.classification else "mse"
    )
    y, outputs, output_activation = prepare_targets(
        labels, loss, choice.classification, arguments.dataset
    )
    model = MLP(
        len(X[0]),
        [*settings.layers, outputs],
        activation=arguments.activation,
        output_activation=output_activation,
        seed=arguments.seed,
    )
    if arguments.optimizer != "sgd":  # the dataset's defaults are SGD's
        settings = adam_settings(arguments, settings)
        optimizer: SGD | Adam = (Adam if arguments.optimizer == "adam" else AdamW)(
            model.parameters(), lr=settings.lr, weight_decay=arguments.weight_decay
        )
    else:
        optimizer = SGD(
            model.parameters(),
            lr=settings.lr,
            momentum=settings.momentum,
            weight_decay=arguments.weight_decay,
        )
    print(
        f"training {model!r} on {arguments.dataset} ({len(X)} samples) with the {loss} loss: "
        f"{'' if arguments.optimizer == 'sgd' else f'--optimizer {arguments.optimizer} '}"
        f"{settings.as_options()}"
    )
    kit = playground_kit_for(arguments, settings, loss)
    recorder = (  # made just before training: its epoch 0 is the untrained model
        TrainingRecorder(model, epochs=settings.epochs, snapshots=recorded_snapshots(model))
        if kit is not None else TrainingRecorder(model, epochs=settings.epochs)
    )
    try:
        history = train(
            model, X, y, loss=loss, epochs=settings.epochs, batch_size=settings.batch_size,
            seed=arguments.seed, optimizer=optimizer, progress=not arguments.quiet,
            callbacks=[recorder],
        )
    except TrainingDiverged as error:
        raise CommandError(str(error), status=RUNTIME_ERROR) from None
    # The trained model's own scores (model.json's), not those of the last epoch's start.
    summary = f"final loss {history.final_loss:.4f}"
    if history.final_accuracy is not None:
        summary += f", accuracy {history.final_accuracy:.1%}"
    print(summary)

    model_path = out / "model.json"
    with file_errors(model_path):
        save(model, model_path)  # written atomically: a failed write keeps the previous file
    print(f"wrote {model_path}")
    save_file(out / "history.json", json.dumps(history.to_dict(), indent=2) + "\n")
    write_pictures(out, model, X, y, loss, history)
    if kit is not None:
        report = training_playground(
            model, history, recorder, kit=kit, X=X, y=y, labels=labels,
            title=f"Training report: {arguments.dataset}",
        )
    else:
        report = training_page(
            model, history, recorder, X=X, y=y, title=f"Training replay: {arguments.dataset}"
        )
    save_file(out / "report.html", report.html)


def playground_kit_for(
    arguments: argparse.Namespace, settings: Settings, loss: str
) -> dict[str, Any] | None:
    """The kit of the playground that report.html opens on this run, or None when the page
    cannot train as this run did: another optimizer than SGD, weight decay, another number of
    samples than the page's, or a dataset, activation, layer size or epoch count the playground
    does not offer (digits, sum-of-two and line have no plane to shade). The report is then the
    replay (`training_page`)."""
    from micrograd_ann.playground_kit import PLAYGROUND_DATASETS, kit_for_run

    if arguments.dataset not in PLAYGROUND_DATASETS or arguments.optimizer != "sgd" or \
            arguments.weight_decay != 0.0 or \
            settings.samples != DATASETS[arguments.dataset].defaults.samples:
        return None
    try:
        return kit_for_run(
            dataset=arguments.dataset, layers=settings.layers, activation=arguments.activation,
            loss=loss, lr=settings.lr, momentum=settings.momentum,
            batch_size=settings.batch_size, epochs=settings.epochs, seed=arguments.seed,
        )
    except (TypeError, ValueError):  # a setting beyond the page's menus and limits
        return None


# -------------------------------------------------------------------------------------------------
# micrograd-ann playground
# -------------------------------------------------------------------------------------------------


def run_playground(arguments: argparse.Namespace) -> None:
    """Write the playground page opened on the settings given (the others: the dataset's)."""
    from micrograd_ann.playground import playground_page
    from micrograd_ann.playground_kit import MAX_LAYER_SIZE

    out: Path = arguments.out
    if out.suffix.lower() not in (".html", ".htm"):
        raise CommandError(
            f"--out {out}: the page's file name must end in .html (got "
            f"{out.suffix or 'no extension'})"
        )
    if any(size > MAX_LAYER_SIZE for size in arguments.layers or ()):
        raise CommandError(
            f"--layers {','.join(map(str, arguments.layers))}: the playground draws every "
            f"neuron, so each hidden layer has at most {MAX_LAYER_SIZE}; for wider layers use "
            "micrograd-ann train"
        )
    page = playground_page(
        dataset=arguments.dataset, layers=arguments.layers, activation=arguments.activation,
        loss=arguments.loss, lr=arguments.lr, momentum=arguments.momentum,
        batch_size=arguments.batch_size, epochs=arguments.epochs, seed=arguments.seed,
    )
    save_file(out, page.html)


# -------------------------------------------------------------------------------------------------
# micrograd-ann demo
# -------------------------------------------------------------------------------------------------

DEMOS_PACKAGE = "micrograd_ann.demos"
"""setup.cfg installs the repository's demos/ folder under this name, in a wheel as in an editable
install, so the demos are found by importing the package, never by looking for a folder."""

DEMOS = (
    "perceptron", "line_fit", "two_neuron_chain", "test_scores", "sum_of_two", "xor", "moons",
    "digits", "newton",
)
"""The demos, in the order demos/README.md tells them: the command runs only these names."""


def available_demos() -> dict[str, str]:
    """Demo name → its one-line summary, read from each module's docstring without running it."""
    try:
        package = importlib.resources.files(DEMOS_PACKAGE)
    except ModuleNotFoundError:
        raise CommandError(
            f"the demos are not installed: {DEMOS_PACKAGE} is missing beside "
            f"{Path(__file__).parent}; reinstall the package (in a checkout: pip install -e .)",
            status=RUNTIME_ERROR,
        ) from None
    demos = {}
    for name in DEMOS:
        source = (package / f"{name}.py").read_text(encoding="utf-8")
        docstring = ast.get_docstring(ast.parse(source)) or ""
        demos[name] = docstring.strip().splitlines()[0] if docstring.strip() else ""
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
    if arguments.out is not None:
        prepare_folder(arguments.out)
    module = importlib.import_module(f"{DEMOS_PACKAGE}.{arguments.name}")
    module.main(fast=arguments.fast, out=arguments.out)


def prepare_folder(folder: Path) -> None:
    """Create `folder` (and its parents) for the output, or a one-line CommandError."""
    if folder.exists() and not folder.is_dir():
        raise CommandError(f"--out {folder} is a file, not a folder; name a folder to write into")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise CommandError(f"cannot create the folder {folder}: {error.strerror}",
                           status=RUNTIME_ERROR) from None


@contextlib.contextmanager
def file_errors(path: Path) -> Iterator[None]:
    """A failed write of `path` as one line: status 2 when `path` names something that is not a
    regular file (`files.NotARegularFileError`: the name given is the mistake), 1 otherwise."""
    try:
        yield
    except NotARegularFileError as error:
        raise CommandError(str(error)) from None
    except OSError as error:
        raise CommandError(f"cannot write {path}: {error.strerror or error}",
                           status=RUNTIME_ERROR) from None


def save_file(path: Path, data: str | bytes) -> None:
    """Write `data` to `path` atomically and say so; a failure is one line, and the previous
    content of `path`, if any, stays as it was. The folder must exist: a file named on the
    command line (--graph, --html) in a folder that does not is more likely a typing mistake
    than a wish for new folders (`train --out DIR` creates DIR, in `prepare_folder`)."""
    folder = path.parent
    if not folder.is_dir():
        problem = f"{folder} is not a folder" if folder.exists() else \
            f"there is no folder {folder}"
        raise CommandError(f"cannot write {path}: {problem}; name a file in an existing folder "
                           "(or create the folder first)", status=RUNTIME_ERROR)
    with file_errors(path):
        write_atomic(path, data)
    print(f"wrote {path}")


def save_figure(path: Path, figure: Any) -> None:
    """A matplotlib figure drawn into memory, then written atomically like every other file."""
    import matplotlib.pyplot

    from micrograd_ann.plots import figure_bytes

    image = figure_bytes(figure, path.suffix.removeprefix("."))
    matplotlib.pyplot.close(figure)
    save_file(path, image)


def write_pictures(out: Path, model: Any, X: Rows, y: list[Any], loss: str, history: Any) -> None:
    """loss.png, boundary.png (2-D inputs only), network.svg and graph.svg; each one that cannot
    be drawn (a missing optional dependency, a graph too large, Graphviz failing) is skipped
    with a one-line note of its own, and the others are still tried."""
    from micrograd_ann import plots

    try:
        save_figure(out / "loss.png", plots.plot_history(history).figure)
        if len(X[0]) == 2:
            boundary = plots.DecisionBoundaryDisplay.from_model(model, X, y)
            save_figure(out / "boundary.png", boundary.figure_)
    except ImportError as error:
        print(f"skipped the plots: {error}")

    from micrograd_ann.viz import (
        GraphRenderError,
        GraphTooLargeError,
        draw_graph,
        draw_network,
        render_svg,
    )

    try:
        save_file(out / "network.svg", render_svg(draw_network(model)).encode("utf-8"))
    except GraphRenderError as error:  # graph.svg may fail the same way; it says so itself
        print(f"skipped network.svg: {error}")
    index, sample_loss, has_gradient = sample_with_a_gradient(model, X, y, loss)
    title = (f"the {loss} loss of sample {index}, the first sample whose loss has a gradient"
             if has_gradient else
             f"the {loss} loss of sample {index}: no sample's loss has a gradient (every one "
             "is fitted with margin), so every gradient is 0")
    try:
        graph = draw_graph(sample_loss, model=model, rankdir="LR")
    except GraphTooLargeError as error:
        print(f"skipped graph.svg: one sample's loss graph has {error.measure} a drawing can "
              "show clearly; network.svg shows the network instead")
        return
    graph.attr(label=title, labelloc="t", fontname="Helvetica", fontsize="12")
    try:
        save_file(out / "graph.svg", render_svg(graph).encode("utf-8"))
    except GraphRenderError as error:
        print(f"skipped graph.svg: {error}")


def sample_with_a_gradient(
    model: Any, X: Rows, y: list[Any], loss: str
) -> tuple[int, Value, bool]:
    """The first sample whose loss sends a nonzero gradient to some parameter, after
    `backward()`: (its index, its loss, True). A sample the model already fits with margin (a
    hinge loss of 0) has every gradient 0, which makes a dull picture of backpropagation.
    When no sample has a gradient: (0, the first sample's loss, False)."""
    per_sample = LOSSES[loss].per_sample
    for index, (row, target) in enumerate(zip(X, y)):
        model.zero_grad()
        sample_loss = per_sample(model(row), target)
        sample_loss.backward()
        if any(parameter.grad != 0.0 for parameter in model.parameters()):
            return index, sample_loss, True
    model.zero_grad()
    first_loss = per_sample(model(X[0]), y[0])
    first_loss.backward()
    return 0, first_loss, False


def datasets_help() -> str:
    """The datasets and their default settings, for `train --help`."""
    lines = ["datasets and their defaults:"]
    for name, choice in DATASETS.items():
        lines.append(f"  {name}: {choice.description}")
        lines.append(f"      {choice.defaults.as_options()}")
    lines.append("loss: hinge for two classes, cross_entropy for more, mse for regression")
    return "\n".join(lines)


def whole_number(text: str) -> int:
    """argparse type for --seed: any whole number."""
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None


def training_options() -> dict[str, dict[str, Any]]:
    """The options that choose a training run (argparse's keyword arguments for each flag):
    the train command's, shared by the playground command."""
    return {
        "--dataset": {"choices": DATASETS, "default": "moons"},
        "--samples": {"type": positive(int), "help": "number of samples for the generated "
                      "datasets (default: per dataset, below)"},
        "--layers": {"type": layer_sizes,
                     "help": "hidden layer sizes, e.g. 16,16 (default: per dataset)"},
        "--activation": {"choices": [name for name in ACTIVATIONS if name != "linear"],
                         "default": "relu"},
        "--loss": {"choices": sorted(LOSSES), "help": "default: hinge for two classes, "
                   "cross_entropy for more, mse for regression"},
        "--epochs": {"type": positive(int), "help": "default: per dataset"},
        "--lr": {"type": positive(float), "help": "learning rate (default: per dataset)"},
        "--optimizer": {"choices": ("sgd", "adam", "adamw"), "default": "sgd",
                        "help": "sgd (with --momentum), or adam or adamw with PyTorch's rules "
                        f"and betas (default --lr {ADAM_LEARNING_RATE:g} for these two)"},
        "--momentum": {"type": number_at_least(float, 0, inclusive=True),
                       "help": "SGD momentum (default: per dataset)"},
        "--weight-decay": {"type": number_at_least(float, 0, inclusive=True), "default": 0.0,
                           "help": "L2 penalty (for adamw: the decoupled decay)"},
        "--batch-size": {"type": positive(int), "help": "mini-batch size (default: per "
                         "dataset; without one, the whole dataset in each step)"},
        "--seed": {"type": whole_number, "default": 0},
    }


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="micrograd-ann",
        description="See how neural networks learn: gradients, graphs and training.",
    )
    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {__version__}",
        help="print the version (micrograd-ann X.Y.Z) and exit",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    grad = commands.add_parser(
        "grad",
        help="evaluate an expression and print its gradient",
        description="Evaluate EXPR at the given variable values and print ∂EXPR/∂ of each "
        "variable. EXPR may use numbers, variables, + - * / **, unary minus, parentheses and "
        f"{', '.join(FUNCTIONS)}.",
        epilog='examples: micrograd-ann grad "tanh(x*w + b)" x=0.5 w=-1.5 b=0.2 --explain; '
        'an expression may start with a minus sign: micrograd-ann grad "-x*w" x=2 w=3',
    )
    grad.add_argument("expression", metavar="EXPR", help='e.g. "tanh(x*w + b)"')
    grad.add_argument("bindings", metavar="NAME=VALUE", nargs="*", help="e.g. x=0.5")
    grad.add_argument(
        "--graph", type=Path, metavar="FILE.svg",
        help="write the graph as SVG (FILE.svg), or as PNG (FILE.png, needs Graphviz's dot)",
    )
    grad.add_argument(
        "--explain", action="store_true", help="print the chain rule step by step"
    )
    grad.add_argument(
        "--code", action="store_true",
        help="print the forward and backward passes as generated Python (compile_gradient)",
    )
    grad.add_argument(
        "--html", type=Path, metavar="FILE.html",
        help="write a page that steps through the forward and backward passes (opens offline)",
    )
    grad.set_defaults(handler=run_grad, parser=grad)

    train = commands.add_parser(
        "train",
        help="train a network on a built-in dataset and write the model and pictures",
        description=textwrap.fill(
            "Train an MLP by gradient descent on a built-in dataset, with a progress bar, then "
            "write model.json, history.json, loss.png, boundary.png (2-D data), network.svg (the "
            "architecture) and graph.svg (the loss graph of one sample) into --out. Each dataset "
            "has its own default settings (below); an option given on the command line replaces "
            "its default.", width=78),
        epilog=datasets_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    options = training_options()
    for flag in ("--dataset", "--samples", "--layers", "--activation", "--loss", "--epochs",
                 "--lr", "--optimizer", "--momentum", "--weight-decay", "--batch-size", "--seed"):
        train.add_argument(flag, **options[flag])
    train.add_argument("--out", type=Path, required=True, metavar="DIR")
    train.add_argument("--quiet", action="store_true", help="no progress bar")
    train.set_defaults(handler=run_train, parser=train)

    playground = commands.add_parser(
        "playground",
        help="write a page that trains a network in the browser, with train's numbers",
        description=textwrap.fill(
            "Write the playground: one self-contained page (it opens offline, from file://) "
            "where the learner picks the dataset, the hidden layers, the activation, the loss, "
            "the learning rate, the momentum and the batch size, then plays, steps and resets "
            "the training and watches the loss, the decision boundary and every weight. The "
            "options choose the settings it opens on (the train command's, whose defaults per "
            "dataset it shares); each epoch's loss equals train's with the same settings and "
            "seed.", width=78),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    shown_in_the_page: dict[str, dict[str, Any]] = {
        "--dataset": {"choices": PLAYGROUND_DATASETS},
        "--activation": {"choices": PLAYGROUND_ACTIVATIONS},
        "--epochs": {"help": "how many epochs the page can train (default: per dataset)"},
    }
    for flag in ("--dataset", "--layers", "--activation", "--loss", "--epochs", "--lr",
                 "--momentum", "--batch-size", "--seed"):
        playground.add_argument(flag, **{**options[flag], **shown_in_the_page.get(flag, {})})
    playground.add_argument("--out", type=Path, required=True, metavar="FILE.html",
                            help="the page to write (in a folder that exists)")
    playground.set_defaults(handler=run_playground, parser=playground)

    demo = commands.add_parser(
        "demo",
        help="list the demos, or run one",
        description="Without NAME, list the demos. With NAME, run that demo: it prints what its "
        "tutorial showed and, with --out, writes its pictures.",
    )
    demo.add_argument("name", metavar="NAME", nargs="?", help="the demo to run")
    demo.add_argument("--out", type=Path, metavar="DIR", help="write the pictures here")
    demo.add_argument("--fast", action="store_true", help="a short run (fewer epochs or data)")
    demo.set_defaults(handler=run_demo, parser=demo)
    return parser


GRAD_OPTIONS_WITH_A_VALUE = ("--graph", "--html")
GRAD_FLAGS = ("--explain", "--code", "--help")


def expressions_may_start_with_a_minus(arguments: list[str]) -> list[str]:
    """`grad "-x" x=2`: argparse would read "-x" as an unknown option. Every argument of
    `grad` that starts with a single "-" (except -h) is an expression or a binding, so move
    grad's real options first and put "--" (the end of options) before the rest."""
    if not arguments or arguments[0] != "grad":
        return arguments
    options, positionals = [], []
    position = 1
    while position < len(arguments):
        token = arguments[position]
        if token == "--":
            positionals.extend(arguments[position + 1:])
            break
        if token == "-h" or token.startswith("--"):
            options.append(token)
            option_name = token.split("=", 1)[0]
            takes_a_value = any(option.startswith(option_name) and len(option_name) > 2
                                for option in GRAD_OPTIONS_WITH_A_VALUE)
            if takes_a_value and "=" not in token and position + 1 < len(arguments):
                position += 1
                options.append(arguments[position])
        else:
            positionals.append(token)
        position += 1
    return ["grad", *options, "--", *positionals]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command in `argv` (default: the program's arguments); return the exit status."""
    parser = build_parser()
    program = parser.prog  # "micrograd-ann", then "micrograd-ann train" once the command is read
    try:
        arguments, unknown = parser.parse_known_args(
            expressions_may_start_with_a_minus(list(sys.argv[1:] if argv is None else argv))
        )
        if unknown:  # said by the command's parser, whose --help lists the options it knows
            arguments.parser.error(f"unrecognized arguments: {' '.join(unknown)}")
        program = f"{parser.prog} {arguments.command}"
        arguments.handler(arguments)
        sys.stdout.flush()
    except BrokenPipeError:  # the reader went away (`| head -1`): stop quietly, as Unix tools do
        discard_standard_output()
        return BROKEN_PIPE
    except CommandError as error:
        return report(error.program or program, str(error), error.status)
    except OSError as error:  # the output itself cannot be written (`> /dev/full`), or a file
        discard_standard_output()
        where = f" {error.filename}" if error.filename else " the output"
        return report(program, f"cannot write{where}: {error.strerror or error}",
                      RUNTIME_ERROR)
    except (ValueError, TypeError, OverflowError) as error:  # a setting the library refuses
        return report(program, str(error), USAGE_ERROR)
    except ImportError as error:  # an optional dependency a demo needs (its message says which)
        return report(program, str(error), RUNTIME_ERROR)
    except RuntimeError as error:  # e.g. Graphviz failing while a demo draws its pictures
        return report(program, str(error), RUNTIME_ERROR)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    return 0


def report(program: str, message: str, status: int) -> int:
    """Print the one-line error message on stderr and return the exit status."""
    with contextlib.suppress(OSError):
        print(f"{program}: error: {message}", file=sys.stderr)
    return status


def discard_standard_output() -> None:
    """Point stdout at the null device, so that the interpreter's last flush of what is still
    buffered cannot fail again (and print a traceback) on the way out."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
    except (OSError, ValueError):  # not a real file (a test's StringIO): nothing to discard
        pass


if __name__ == "__main__":
    sys.exit(main())
