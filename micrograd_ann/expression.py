"""Expression: turn a formula such as "tanh(x*w + b)" into a graph of `Value`s, safely.

The text is parsed with Python's own `ast` module and then walked against a whitelist: numbers,
variable names, `+ - * / **`, unary minus and plus, parentheses, and calls to the engine's own
functions. Nothing is ever passed to `eval`; any other construct (attributes, subscripts,
lambdas, comprehensions, keyword arguments, names that were not bound, …) is refused with an
`ExpressionError` that names it. Numbers are floats, so a huge power overflows at once instead
of computing a giant integer.
"""

from __future__ import annotations

import ast
import keyword
import math
import unicodedata
import warnings
from collections.abc import Callable, Iterable, Mapping

from micrograd_ann.engine import Value
from micrograd_ann.operations import OPERATIONS

__all__ = ["FUNCTIONS", "MAX_LENGTH", "ExpressionError", "evaluate", "parse_bindings"]

FUNCTIONS: dict[str, Callable[[Value], Value]] = {
    operation.name: getattr(Value, operation.method)
    for operation in OPERATIONS.values()
    if operation.named_function
}
"""Name → `Value` method of every function an expression may call: the operations the table
marks as `named_function` (abs, exp, log, tanh, sigmoid, relu, sin, cos, sqrt)."""

MAX_LENGTH = 2000
"""Longest expression accepted, in characters: enough for any formula a person types."""

_MAX_DEPTH = 400
"""Deepest nesting accepted: a flat sum of n terms nests n deep, and recursion stays bounded."""

_BINARY: dict[type[ast.operator], Callable[[Value, Value], Value]] = {
    ast.Add: Value.__add__,
    ast.Sub: Value.__sub__,
    ast.Mult: Value.__mul__,
    ast.Div: Value.__truediv__,
    ast.Pow: Value.__pow__,
}

_REFUSED = {
    ast.Attribute: "attribute access",
    ast.Subscript: "subscripts",
    ast.Lambda: "lambdas",
    ast.ListComp: "comprehensions",
    ast.SetComp: "comprehensions",
    ast.DictComp: "comprehensions",
    ast.GeneratorExp: "comprehensions",
    ast.Compare: "comparisons",
    ast.BoolOp: "and/or",
    ast.IfExp: "conditional expressions",
    ast.NamedExpr: "assignments",
    ast.Starred: "star arguments",
    ast.JoinedStr: "strings",
    ast.List: "lists",
    ast.Tuple: "tuples",
    ast.Set: "sets",
    ast.Dict: "dicts",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
    ast.Slice: "slices",
}


class ExpressionError(ValueError):
    """The expression or a variable binding is not something we evaluate."""


def parse_bindings(bindings: Iterable[str]) -> dict[str, float]:
    """Turn ["x=0.5", "w=-1.5"] into {"x": 0.5, "w": -1.5}, refusing anything malformed.

    Names are NFKC-normalised, as Python's parser normalises the identifiers of an expression,
    so a full-width `ｘ=1` binds the `x` that the expression "ｘ*2" uses.
    """
    values: dict[str, float] = {}
    for binding in bindings:
        name, separator, number = binding.partition("=")
        name = unicodedata.normalize("NFKC", name.strip())
        if not separator:
            raise ExpressionError(f"binding {binding!r} is not NAME=VALUE (e.g. x=0.5)")
        if not name.isidentifier() or keyword.iskeyword(name):
            raise ExpressionError(f"binding {binding!r}: {name!r} is not a variable name")
        if name in FUNCTIONS:
            raise ExpressionError(
                f"binding {binding!r}: {name!r} is a function name; choose another variable name"
            )
        if name in values:
            raise ExpressionError(f"variable {name!r} is bound twice")
        try:
            value = float(number)
        except ValueError:
            raise ExpressionError(
                f"binding {binding!r}: {number.strip()!r} is not a number"
            ) from None
        if not math.isfinite(value):
            raise ExpressionError(f"binding {binding!r}: the value must be finite")
        values[name] = value
    return values


def evaluate(text: str, variables: Mapping[str, Value]) -> Value:
    """Build the graph of `text` over the given variables and return its root.

    Raises ExpressionError for anything outside the whitelist, and the engine's own
    ValueError / ZeroDivisionError / OverflowError for domain errors (log of a negative, …).
    """
    for candidate in (text, unicodedata.normalize("NFKC", text[: MAX_LENGTH + 1])):
        if len(candidate) > MAX_LENGTH:  # NFKC can lengthen a text (ﬃ → ffi): check both
            raise ExpressionError(
                f"expression is {len(candidate)} characters long; the limit is {MAX_LENGTH}"
            )
    normalised = unicodedata.normalize("NFKC", text)  # full-width ｘ＋１ reads as x+1
    try:
        with warnings.catch_warnings():  # e.g. "invalid decimal literal": we report our own
            warnings.simplefilter("ignore")
            tree = ast.parse(normalised.strip(), mode="eval")
    except SyntaxError as error:
        raise ExpressionError(f"not a valid expression: {error.msg}") from None
    except (RecursionError, MemoryError, ValueError):
        raise ExpressionError("expression is nested too deeply or malformed") from None
    return _Evaluator(variables).visit(tree.body, depth=0)


class _Evaluator:
    def __init__(self, variables: Mapping[str, Value]) -> None:
        self.variables = variables

    def visit(self, node: ast.expr, depth: int) -> Value:
        if depth > _MAX_DEPTH:
            raise ExpressionError(f"expression is nested more than {_MAX_DEPTH} levels deep")
        if isinstance(node, ast.Constant):
            return self.number(node)
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            left = self.visit(node.left, depth + 1)
            right = self.visit(node.right, depth + 1)
            return _BINARY[type(node.op)](left, right)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            operand = self.visit(node.operand, depth + 1)
            return -operand if isinstance(node.op, ast.USub) else operand
        if isinstance(node, ast.Call):
            return self.call(node, depth)
        raise ExpressionError(f"not allowed in an expression: {self.describe(node)}")

    def number(self, node: ast.Constant) -> Value:
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            raise ExpressionError(f"{node.value!r} is not a real number")
        try:
            number = float(node.value)
        except OverflowError:
            raise ExpressionError(f"the number {node.value} is too large for a float") from None
        if not math.isfinite(number):  # a literal such as 1e999 reads as inf
            raise ExpressionError(
                f"a number in the expression is too large for a float (it reads as {number!r}); "
                "numbers must be finite, as the variables' values must be"
            )
        return Value(number, requires_grad=False)

    def name(self, node: ast.Name) -> Value:
        if node.id in self.variables:
            return self.variables[node.id]
        if node.id in FUNCTIONS:
            raise ExpressionError(f"{node.id} is a function: call it, as in {node.id}(x)")
        raise ExpressionError(f"unknown name {node.id!r}: bind it, e.g. {node.id}=1.0")

    def call(self, node: ast.Call, depth: int) -> Value:
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
            shown = node.func.id if isinstance(node.func, ast.Name) else "this"
            raise ExpressionError(
                f"{shown} is not a function we know; use one of {', '.join(FUNCTIONS)}"
            )
        if node.keywords or len(node.args) != 1:
            raise ExpressionError(f"{node.func.id}() takes exactly one argument")
        return FUNCTIONS[node.func.id](self.visit(node.args[0], depth + 1))

    @staticmethod
    def describe(node: ast.expr) -> str:
        for kind, description in _REFUSED.items():
            if isinstance(node, kind):
                return description
        if isinstance(node, (ast.BinOp, ast.UnaryOp)):
            return f"the operator {type(node.op).__name__} (use + - * / ** and unary -)"
        return type(node).__name__
