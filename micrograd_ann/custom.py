"""Operations of your own: `custom_operation` adds a scalar operation that works everywhere.

An operation is what every entry of the built-in table (`operations.py`) is: a forward value and
one local derivative per input. Give those two functions and the engine does the rest —
`backward()`, `grad()`, `no_grad()`, `gradcheck`, and drawings and `explain` showing your
symbol and formula:

    >>> import math
    >>> from micrograd_ann import Value, custom_operation
    >>> softplus = custom_operation(
    ...     "softplus",
    ...     forward=lambda x: math.log1p(math.exp(-abs(x))) + max(x, 0.0),
    ...     derivatives=lambda x, out: (1.0 / (1.0 + math.exp(-x)),),   # σ(x)
    ...     formula="d/dx softplus(x) = σ(x)",
    ... )
    >>> x = Value(0.0)
    >>> softplus(x).backward()
    >>> x.grad
    0.5

To differentiate *through* it more than once (`grad(..., create_graph=True)`), also give
`derivative_values`: the same local derivatives written with `Value` operations
(`lambda x, out: (x.sigmoid(),)`).

Whatever the functions return is checked at every call, and a wrong count, something that is
not a number, or nan/inf from finite inputs raises an error naming the operation.
"""

from __future__ import annotations

import inspect
import math
import numbers
from collections.abc import Callable, Sequence
from typing import Any

from micrograd_ann.checks import shorten
from micrograd_ann.engine import Operand, Value, apply_operation
from micrograd_ann.operations import JavaScriptRules, Operation, register_custom

__all__ = ["CustomOperation", "custom_operation"]


class CustomOperation:
    """A scalar operation of your own, applied by calling it: `softplus(x)`.

    It takes Values or plain numbers (as many as its `forward` has parameters) and returns a
    `Value`. `operation` is its entry (name, symbol, formula and the checked functions), which
    is also registered in `operations.CUSTOM_OPERATIONS` under its name.
    """

    def __init__(self, operation: Operation, arity: int | None) -> None:
        self.operation = operation
        self.arity = arity
        self.__name__ = operation.name
        self.__doc__ = operation.formula

    def __call__(self, *operands: Operand) -> Value:
        if self.arity is not None and len(operands) != self.arity:
            raise TypeError(
                f"custom operation {self.operation.name!r} takes {self.arity} "
                f"input{'s' if self.arity != 1 else ''} (as its forward does), "
                f"got {len(operands)}"
            )
        return apply_operation(self.operation, *operands)

    def __repr__(self) -> str:
        return f"<custom operation {self.operation.name!r}: {self.operation.formula}>"


def custom_operation(
    name: str,
    forward: Callable[..., float],
    derivatives: Callable[..., Sequence[float]],
    *,
    symbol: str | None = None,
    formula: str = "",
    derivative_values: Callable[..., Sequence[Value | float]] | None = None,
    javascript: JavaScriptRules | None = None,
) -> CustomOperation:
    """A new scalar operation: `forward(*inputs) -> float` and
    `derivatives(*inputs, out) -> tuple[float, ...]` (∂out/∂input for each input, in order),
    the same shape as the entries of the built-in table.

    Args:
        name: a Python identifier that is not a built-in operation's name (`"add"`, `"tanh"`,
            …). Nodes made by it have `op == name`. Defining the same name again replaces the
            earlier definition for the Values built from then on; a Value keeps the rules it
            was built with, in `backward()`, `grad`, `explain`, drawings and pages.
        forward: the value, on floats; its number of parameters fixes the operation's arity
            (if it takes `*args`, the parameters of `derivatives` but `out` do).
        derivatives: the local derivatives, on floats.
        symbol: shown in the operation's circle in `draw_graph` and in `explain`'s op column
            (default: the name).
        formula: its derivative in words, e.g. `"d/dx softplus(x) = σ(x)"`.
        derivative_values: the local derivatives written with `Value` operations,
            `derivative_values(*input_values, out_value)`; each entry a `Value` or a number.
            Needed only to differentiate through the operation twice
            (`grad(..., create_graph=True)`), which then works at every order. It runs inside
            `operations.ieee_arithmetic()` (x / 0 is ±inf there, as in `backward()`'s floats);
            give the same numbers as `derivatives` so both paths agree.
        javascript: the same two rules in JavaScript, `JavaScriptRules(forward="(x) => …",
            derivatives="(x, out) => [ … ]")`, so that `backprop_page` can recompute a graph
            holding the operation when the learner edits an input (without them its inputs
            are read-only there). They should give the Python rules' floats.
    """
    if not isinstance(name, str):
        raise TypeError(
            f"custom_operation: name must be a str such as 'softplus', got "
            f"{type(name).__name__}: {shorten(name)}"
        )
    if not name.isidentifier():
        raise ValueError(
            "custom_operation: name must be a Python identifier such as 'softplus', got "
            f"{shorten(name)}"
        )
    for role, function in (("forward", forward), ("derivatives", derivatives)):
        if not callable(function):
            raise TypeError(
                f"custom_operation {name!r}: {role} must be a function, "
                f"got {type(function).__name__}: {function!r}"
            )
    if derivative_values is not None and not callable(derivative_values):
        raise TypeError(
            f"custom_operation {name!r}: derivative_values must be a function or None, got "
            f"{type(derivative_values).__name__}: {derivative_values!r}"
        )
    if symbol is not None and not isinstance(symbol, str):
        raise TypeError(f"custom_operation {name!r}: symbol must be a str, got {symbol!r}")
    if not isinstance(formula, str):
        raise TypeError(f"custom_operation {name!r}: formula must be a str, got {formula!r}")
    if javascript is not None and not isinstance(javascript, JavaScriptRules):
        raise TypeError(
            f"custom_operation {name!r}: javascript must be JavaScriptRules(forward=..., "
            f"derivatives=...) or None, got {type(javascript).__name__}: {shorten(javascript)}"
        )
    arity = _arity(forward)
    if arity is None:  # forward takes *args (math.hypot): derivatives(*inputs, out) may tell
        counted = _arity(derivatives)
        arity = None if counted is None else counted - 1
    checks = _Checks(name)
    operation = Operation(
        name,
        symbol if symbol else name,
        formula or f"{name}: an operation of your own",
        forward=checks.forward(forward),
        derivatives=checks.derivatives(derivatives),
        derivative_values=(
            None if derivative_values is None else checks.derivative_values(derivative_values)
        ),
        arity=arity,
        javascript=javascript,
    )
    return CustomOperation(register_custom(operation), arity)


def _arity(function: Callable[..., object]) -> int | None:
    """How many positional parameters `function` has; None for `*args` or when unknowable."""
    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):  # some builtins have no signature
        return None
    if any(parameter.kind is inspect.Parameter.VAR_POSITIONAL for parameter in parameters):
        return None
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return sum(parameter.kind in positional for parameter in parameters)


class _Checks:
    """Wrap the user's functions so that every bad return is reported with the operation's name."""

    def __init__(self, name: str) -> None:
        self.name = name

    def forward(self, function: Callable[..., float]) -> Callable[..., float]:
        def checked(*inputs: float) -> float:
            where = self._call("forward", inputs)
            return self._number(function(*inputs), where, inputs)

        return checked

    def derivatives(
        self, function: Callable[..., Sequence[float]]
    ) -> Callable[..., tuple[float, ...]]:
        def checked(*inputs_and_out: float) -> tuple[float, ...]:
            inputs = inputs_and_out[:-1]
            where = self._call("derivatives", inputs_and_out)
            result = self._sequence(function(*inputs_and_out), where, len(inputs))
            return tuple(self._number(entry, f"{where}[{index}]", inputs_and_out)
                         for index, entry in enumerate(result))

        return checked

    def derivative_values(
        self, function: Callable[..., Sequence[Value | float]]
    ) -> Callable[..., tuple[Value | float, ...]]:
        def checked(*inputs_and_out: Value) -> tuple[Value | float, ...]:
            where = self._call("derivative_values", [value.data for value in inputs_and_out])
            result = self._sequence(function(*inputs_and_out), where, len(inputs_and_out) - 1)
            data = [value.data for value in inputs_and_out]
            for index, entry in enumerate(result):
                if not isinstance(entry, Value) and not _is_number(entry):
                    raise TypeError(
                        f"{where}[{index}] is {type(entry).__name__} {shorten(entry)}: each entry "
                        "must be a Value (computed from the inputs) or a number"
                    )
                self._number(entry.data if isinstance(entry, Value) else entry,
                             f"{where}[{index}]", data)
            return tuple(result)

        return checked

    def _call(self, role: str, arguments: Sequence[float]) -> str:
        shown = ", ".join(shorten(argument) for argument in arguments)
        return f"custom operation {self.name!r}: {role}({shown})"

    def _sequence(self, result: object, where: str, count: int) -> Sequence[Any]:
        if not isinstance(result, (tuple, list)):
            raise TypeError(
                f"{where} returned {type(result).__name__} {shorten(result)}; it must return a "
                "tuple "
                f"with one local derivative per input, e.g. (d,) for one input"
            )
        if len(result) != count:
            raise ValueError(
                f"{where} returned {len(result)} local derivative"
                f"{'s' if len(result) != 1 else ''} for {count} input{'s' if count != 1 else ''}; "
                "return one per input, in order"
            )
        return result

    def _number(self, result: object, where: str, inputs: Sequence[float]) -> float:
        if not _is_number(result):
            raise TypeError(
                f"{where} returned {type(result).__name__} {shorten(result)}, not a number; "
                "return a float (use x.data inside, never a Value)"
            )
        number = float(result)  # type: ignore[arg-type]
        if not math.isfinite(number) and all(math.isfinite(value) for value in inputs):
            raise ValueError(
                f"{where} returned {number!r} from finite inputs; return a finite number "
                "(check the formula for overflow or a division by zero)"
            )
        return number


def _is_number(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, Value))
