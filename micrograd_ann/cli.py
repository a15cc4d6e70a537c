"""CLI: the `micrograd-ann` command (also `python -m micrograd_ann`).

    micrograd-ann grad "tanh(x*w + b)" x=0.5 w=-1.5 b=0.2 [--graph FILE.svg] [--explain]
    micrograd-ann train --dataset moons --layers 16,16 --loss hinge --epochs 100 --out DIR
    micrograd-ann demo [NAME] [--out DIR]

Every error a user can cause ends with exit status 2 and one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from micrograd_ann.engine import Value
from micrograd_ann.expression import ExpressionError, evaluate, parse_bindings

__all__ = ["main"]

USAGE_ERROR = 2


class CommandError(Exception):
    """A user error: printed as one line on stderr, exit status 2."""


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
        from micrograd_ann.viz import draw_graph, render_svg

        write_text(arguments.graph, render_svg(draw_graph(root)))
        print(f"wrote {arguments.graph}")


def write_text(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as error:
        raise CommandError(f"cannot write {path}: {error.strerror}") from None


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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    arguments = parser.parse_args(argv)
    try:
        arguments.handler(arguments)
    except CommandError as error:
        print(f"micrograd-ann {arguments.command}: error: {error}", file=sys.stderr)
        return USAGE_ERROR
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
