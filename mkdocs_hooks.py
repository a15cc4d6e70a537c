"""MkDocs hooks: the parts of the documentation site that are generated, at every build, from
the library itself so that they cannot drift from it.

- `reference/api.md`: one mkdocstrings entry per name in `micrograd_ann.__all__`, in that order
  (a name added to `__all__` gets its entry with no edit here);
- `reference/testing.md`: the same for `micrograd_ann.testing.__all__`;
- `reference/cli.md`: every command and option of `micrograd-ann`, from its argument parser;
- `pages/*.html`: the step-through and training pages the concept pages embed, made by
  `backprop_page` and `training_page` on each concept's example;
- `tour.ipynb`: demos/tour.ipynb, shown with its committed outputs (never executed here);
- `<!-- readme: SECTION -->` in a page is replaced by that section of README.md.

The functions building Markdown need no MkDocs, so the tests can call them directly.
"""

from __future__ import annotations

import argparse
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent
# argparse wraps help to $COLUMNS: fixed here, so the page does not depend on a terminal.
HELP_WIDTH = "80"


# -------------------------------------------------------------------------------------------------
# Reference pages
# -------------------------------------------------------------------------------------------------


def api_reference_markdown() -> str:
    """The Python API page: one `::: micrograd_ann.NAME` entry per name in `__all__`."""
    import micrograd_ann

    lines = [
        "# Python API",
        "",
        "Every public name of `micrograd_ann` (its `__all__`), in the order the package lists",
        "them, from the docstrings. `micrograd_ann.testing` has [its own page](testing.md); the",
        "command line is on [Command line](cli.md).",
        "",
    ]
    for name in micrograd_ann.__all__:
        lines += [f"::: {reference_identifier(name)}", ""]
    return "\n".join(lines)


def reference_identifier(name: str) -> str:
    """Where mkdocstrings finds `micrograd_ann.NAME` (and the anchor of its entry).

    Usually that path itself. But a function named like the module that defines it
    (`micrograd_ann.train` is `micrograd_ann.train.train`; `explain`, `hessian`) would be read
    as the module, so such a name is given by where it is defined."""
    import importlib.util
    import inspect

    import micrograd_ann

    value = getattr(micrograd_ann, name)
    shadowed = importlib.util.find_spec(f"micrograd_ann.{name}") is not None
    if inspect.ismodule(value) or not shadowed:
        return f"micrograd_ann.{name}"
    return f"{value.__module__}.{value.__qualname__}"


def testing_reference_markdown() -> str:
    """The `micrograd_ann.testing` page: its module docstring, then each name of its `__all__`."""
    from micrograd_ann import testing

    lines = [
        "# micrograd_ann.testing",
        "",
        "::: micrograd_ann.testing",
        "    options:",
        "      members: false",
        "      show_root_heading: false",
        "",
    ]
    for name in testing.__all__:
        lines += [f"::: micrograd_ann.testing.{name}", ""]
    return "\n".join(lines)


def subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    """The parser's subcommands by name (argparse keeps them in its subparsers action)."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def option_lines(parser: argparse.ArgumentParser) -> Iterator[str]:
    """One Markdown list item per argument: its flags or name, then its help."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            continue
        if action.option_strings:
            name = ", ".join(action.option_strings)
            if action.nargs != 0:
                name += f" {action.metavar or action.dest.upper()}"
        else:
            name = str(action.metavar or action.dest)
        description = (action.help or "") % {"default": action.default, "prog": parser.prog}
        if action.choices is not None and not isinstance(action.choices, dict):
            description += f" (one of: {', '.join(map(str, action.choices))})"
        if action.default not in (None, False, argparse.SUPPRESS) and action.option_strings:
            description += f" (default: {action.default})"
        yield f"- `{name}`" + (f": {description.strip()}" if description.strip() else "")


def help_text(parser: argparse.ArgumentParser) -> str:
    """`parser.format_help()` at a fixed width."""
    previous = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = HELP_WIDTH
    try:
        return parser.format_help()
    finally:
        if previous is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = previous


def cli_reference_markdown() -> str:
    """The command-line page: for the program and each command, its options and its --help."""
    from micrograd_ann.cli import build_parser

    parser = build_parser()
    lines = [
        "# Command line",
        "",
        "Generated from `micrograd-ann`'s argument parser at every build of this site, so every",
        "command and option is here as the program knows it. `python -m micrograd_ann` is the same",
        "program.",
        "",
    ]
    sections = [(parser.prog, parser), *(
        (f"{parser.prog} {name}", command) for name, command in subcommands(parser).items()
    )]
    for title, command in sections:
        lines += [f"## {title}", "", *option_lines(command), "", "```text",
                  help_text(command).rstrip("\n"), "```", ""]
    return "\n".join(lines)


def readme_section(title: str) -> str:
    """The body of README.md's `## title` section (up to the next `## ` heading)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", readme, re.M | re.S)
    if match is None:
        raise ValueError(f"README.md has no section '## {title}'")
    return match.group(1).strip("\n")


# -------------------------------------------------------------------------------------------------
# The pages the concept pages embed, made by the library
# -------------------------------------------------------------------------------------------------


def chain_rule_page() -> str:
    """The two-neuron chain of demos/two_neuron_chain.py, one sample (x = 0.5, T = 0.3)."""
    from micrograd_ann import Value, backprop_page

    x = Value(0.5, label="x", requires_grad=False)  # the input and the target are constants
    target = Value(0.3, label="T", requires_grad=False)
    w1, b1 = Value(0.4, label="w1"), Value(-0.2, label="b1")
    w2, b2 = Value(1.2, label="w2"), Value(0.1, label="b2")
    a1 = (w1 * x + b1).sigmoid()
    a1.label = "a1"
    a2 = (w2 * a1 + b2).sigmoid()
    a2.label = "a2"
    error = 0.5 * (target - a2) ** 2
    error.label = "E"
    error.backward()
    return backprop_page(error, title="The two-neuron chain, one sample").html


def perceptron_page() -> str:
    """The perceptron criterion of one misclassified AND-gate row, x = (1, 1), target 1."""
    from micrograd_ann import Value, backprop_page

    w1, w2, b = Value(0.1, label="w1"), Value(0.2, label="w2"), Value(-0.5, label="b")
    score = w1 * 1.0 + w2 * 1.0 + b
    score.label = "score"
    criterion = (-score).relu()  # target 1: the loss is max(0, −score)
    criterion.label = "loss"
    criterion.backward()
    return backprop_page(criterion, title="The perceptron criterion of one wrong row").html


def newton_page() -> str:
    """f″(x) of f(x) = eˣ − 2x at x = 2, itself a graph made by grad(..., create_graph=True)."""
    from micrograd_ann import Value, backprop_page, grad

    x = Value(2.0, label="x")
    (slope,) = grad(x.exp() - 2 * x, x, create_graph=True)
    slope.label = "slope"
    (curvature,) = grad(slope, x, create_graph=True)
    curvature.label = "curvature"
    curvature.backward()
    return backprop_page(curvature, title="f″(x) of eˣ − 2x, as a graph").html


def neuron_page() -> str:
    """The README's neuron, tanh(x·w + b) at x = 0.5, w = −1.5, b = 0.2."""
    from micrograd_ann import Value, backprop_page

    x, w, b = Value(0.5, label="x"), Value(-1.5, label="w"), Value(0.2, label="b")
    out = (x * w + b).tanh()
    out.label = "out"
    out.backward()
    return backprop_page(out, title="One neuron").html


def replay_page(
    dataset: Callable[[], tuple[Any, Any]], layers: list[int], title: str, **settings: Any
) -> str:
    """A training replay of an MLP on a dataset, seeded."""
    from micrograd_ann import MLP, SGD, TrainingRecorder, train, training_page

    X, y = dataset()
    model = MLP(len(X[0]), layers, seed=0)
    momentum = settings.pop("momentum", 0.0)
    settings["optimizer"] = SGD(model.parameters(), lr=settings.pop("lr"), momentum=momentum)
    recorder = TrainingRecorder(model, epochs=settings["epochs"], snapshots=30)
    history = train(model, X, y, progress=False, seed=0, callbacks=[recorder], **settings)
    return training_page(model, history, recorder, X=X, y=y, title=title).html


def line_page() -> str:
    from micrograd_ann import datasets

    return replay_page(lambda: datasets.noisy_line(20, noise=0.1, seed=1), [1],
                       "Gradient descent on a line", loss="mse", epochs=30, lr=0.5)


def xor_page() -> str:
    from micrograd_ann import datasets

    return replay_page(lambda: datasets.logic_gate("xor"), [8, 1], "XOR with a hidden layer",
                       loss="bce_with_logits", epochs=100, lr=0.1, momentum=0.9)


def moons_page() -> str:
    from micrograd_ann import datasets

    return replay_page(
        lambda: datasets.two_moons(100, noise=0.1, seed=0, labels="plus_minus"), [16, 16, 1],
        "An MLP learning two moons", loss="hinge", epochs=100, lr=0.5,
    )


EMBEDDED_PAGES: dict[str, Callable[[], str]] = {
    "chain-rule": chain_rule_page,
    "line": line_page,
    "perceptron": perceptron_page,
    "xor": xor_page,
    "moons": moons_page,
    "newton": newton_page,
    "neuron": neuron_page,
}


# -------------------------------------------------------------------------------------------------
# MkDocs events
# -------------------------------------------------------------------------------------------------

GENERATED_MARKDOWN: dict[str, Callable[[], str]] = {
    "reference/api.md": api_reference_markdown,
    "reference/testing.md": testing_reference_markdown,
    "reference/cli.md": cli_reference_markdown,
}


def on_files(files: Any, config: Any) -> Any:
    """Add the generated pages and the tour notebook to the site's files."""
    from mkdocs.structure.files import File

    for uri, make in GENERATED_MARKDOWN.items():
        files.append(File.generated(config, uri, content=make()))
    for name, make_page in EMBEDDED_PAGES.items():
        files.append(File.generated(config, f"pages/{name}.html", content=make_page()))
    files.append(File("tour.ipynb", src_dir=str(ROOT / "demos"), dest_dir=config.site_dir,
                      use_directory_urls=config.use_directory_urls))
    return files


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    """Replace each `<!-- readme: SECTION -->` with that section of README.md."""
    return re.sub(r"<!-- readme: (.+?) -->", lambda match: readme_section(match.group(1)),
                  markdown)


# The notebook plugin turns .ipynb files into pages in its own on_files: ours must run first.
try:
    from mkdocs.plugins import event_priority
except ImportError:  # the tests import this module without MkDocs
    pass
else:
    on_files = event_priority(100)(on_files)
