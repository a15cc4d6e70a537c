"""Gradcheck: compare the engine's gradients with central differences.

    numerical_grad(f, xs)  ≈  [ (f(x + eε) − f(x − eε)) / 2ε  for each input direction e ]

`gradcheck` runs `backward()` on `f` and reports every input where the two disagree by more than
`atol + rtol·|numeric|` (the same rule and defaults as `torch.autograd.gradcheck`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from micrograd_ann import checks
from micrograd_ann.checks import shorten
from micrograd_ann.engine import Value

__all__ = ["GradcheckError", "numerical_grad", "analytic_grad", "gradcheck"]

Function = Callable[..., Value]


class GradcheckError(AssertionError):
    """Analytic and numerical gradients disagree. `mismatches` holds (index, analytic, numeric)."""

    def __init__(self, message: str, mismatches: list[tuple[int, float, float]]) -> None:
        super().__init__(message)
        self.mismatches = mismatches


def _points(xs: Iterable[float]) -> list[float]:
    """The inputs as a list of floats, read once (an iterator or generator is used up by it)."""
    if isinstance(xs, str | bytes) or not isinstance(xs, Iterable):
        raise TypeError(
            f"xs must be a list of numbers (the point to check at), got {type(xs).__name__}: "
            f"{checks.shorten(xs)}"
        )
    return [checks.number(x, f"gradcheck input {index}") for index, x in enumerate(xs)]


def _evaluate(f: Function, xs: list[float]) -> float:
    # Graph recording stays on: f may itself differentiate (`grad(g(x), x, create_graph=True)`).
    result = f(*(Value(x) for x in xs))
    if not isinstance(result, Value):
        raise TypeError(
            f"the function must return a Value, got {type(result).__name__}: {shorten(result)}"
        )
    return result.data


def numerical_grad(f: Function, xs: Iterable[float], eps: float = 1e-6) -> list[float]:
    """Central differences of `f` (Values in, a Value out) at the floats `xs`."""
    eps = checks.positive_number(eps, "eps (the step size)")
    point = _points(xs)
    gradient = []
    for index, x in enumerate(point):
        above = [*point[:index], x + eps, *point[index + 1 :]]
        below = [*point[:index], x - eps, *point[index + 1 :]]
        gradient.append((_evaluate(f, above) - _evaluate(f, below)) / (2.0 * eps))
    return gradient


def analytic_grad(f: Function, xs: Iterable[float]) -> list[float]:
    """The engine's gradient of `f` at `xs`, from one `backward()` (0 everywhere when `f`
    returns a constant, such as the derivative of a linear function)."""
    inputs = [Value(x, label=f"x{index}") for index, x in enumerate(_points(xs))]
    result = f(*inputs)
    if not isinstance(result, Value):
        raise TypeError(
            f"the function must return a Value, got {type(result).__name__}: {shorten(result)}"
        )
    if not result.requires_grad:
        return [0.0 for _ in inputs]
    result.backward()
    return [value.grad for value in inputs]


def gradcheck(
    f: Function,
    xs: Iterable[float],
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
) -> bool:
    """True if every analytic gradient is within `atol + rtol·|numeric|` of the numeric one.

    Otherwise raises `GradcheckError` listing each disagreeing input with both numbers. `xs` may
    be any iterable (a list, a generator…): it is read once, and both passes use that copy.
    """
    point = _points(xs)
    atol = checks.non_negative_number(atol, "atol")
    rtol = checks.non_negative_number(rtol, "rtol")
    analytic = analytic_grad(f, point)
    numeric = numerical_grad(f, point, eps)
    mismatches = [
        (index, a, n)
        for index, (a, n) in enumerate(zip(analytic, numeric))
        if not abs(a - n) <= atol + rtol * abs(n)
    ]
    if mismatches:
        lines = "\n".join(
            f"  input {index} (x = {point[index]!r}): analytic {a!r}, numeric {n!r}, "
            f"difference {abs(a - n)!r}"
            for index, a, n in mismatches
        )
        raise GradcheckError(
            f"gradcheck failed for {len(mismatches)} of {len(analytic)} inputs "
            f"(atol={atol}, rtol={rtol}, eps={eps}):\n{lines}",
            mismatches,
        )
    return True
