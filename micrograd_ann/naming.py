"""Naming: how drawings, `explain()` and pages show a Value — its name and its numbers.

A node is named by its label; with a model, parameters are named as in
`model.named_parameters()`; other nodes get their operation's name and a number in the order
they are first named (`mul1`, `tanh1`, …), or `leaf1`, `leaf2`, … for unlabelled leaves.
Numbers are shown with four decimals.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from micrograd_ann.engine import Value

__all__ = ["HasNamedParameters", "ValueNames", "four_decimals", "parameter_names"]


class HasNamedParameters(Protocol):
    """Anything that can name its parameters, such as a `Module`."""

    def named_parameters(self) -> Iterable[tuple[str, Value]]: ...


def parameter_names(model: HasNamedParameters | None) -> dict[Value, str]:
    """Each parameter of `model` → its name in `model.named_parameters()` ({} without a model)."""
    if model is None:
        return {}
    if not callable(getattr(model, "named_parameters", None)):
        raise TypeError(
            "model= needs an object with named_parameters() (a Module such as an MLP), got "
            f"{type(model).__name__}: {model!r}"
        )
    return {parameter: name for name, parameter in model.named_parameters()}


def four_decimals(number: float) -> str:
    """`number` with four decimals, as the drawings and `explain` show it ("-0.0000" → "0.0000")."""
    text = f"{number:.4f}"
    return "0.0000" if text == "-0.0000" else text


class ValueNames:
    """A readable, stable name for each Value, given the first time it is asked for."""

    def __init__(self, model: HasNamedParameters | None = None) -> None:
        self._names = parameter_names(model)
        self._counts: dict[str, int] = {}

    def of(self, value: Value) -> str:
        """The name of `value`: its parameter name, its label, or e.g. `mul1` / `leaf2`."""
        name = self._names.get(value)
        if name is None:
            if value.label:
                name = value.label
            else:
                stem = value.op or "leaf"
                self._counts[stem] = self._counts.get(stem, 0) + 1
                name = f"{stem}{self._counts[stem]}"
            self._names[value] = name
        return name
