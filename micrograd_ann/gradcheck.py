"""Gradcheck: compare the engine's gradients with central differences.

    numerical_grad(f, xs)  ≈  [ (f(x + eε) − f(x − eε)) / 2ε  for each input direction e ]

`gradcheck` runs `backward()` on `f` and reports every input where the two disagree by more than
`atol + rtol·|numeric|` (the same rule and defaults as `torch.autograd.gradcheck`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from micrograd_ann.engine import Value, _as_float

__all__ = ["GradcheckError", "numerical_grad", "analytic_grad", "gradcheck"]

Function = Callable[..., Value]


class GradcheckError(AssertionError):
    """Analytic and numerical gradients disagree. `mismatches` holds (index, analytic, numeric)."""

    def __init__(self, message: str, mismatches: list[tuple[int, float, float]]) -> None:
        super().__init__(message)
        self.mismatches = mismatches


def _points(xs: Sequence[float]) -> list[float]:
    return [_as_float(x, f"gradcheck input {index}") for index, x in enumerate(xs)]


def _evaluate(f: Function, xs: Sequence[float]) -> float:
    # Graph recording stays on: f may itself differentiate (`grad(g(x), x, create_graph=True)`).
    result = f(*(Value(x) for x in xs))
    if not isinstance(result, Value):
        raise TypeError(
            f"the function must return a Value, got {type(result).__name__}: {result!r}"
        )
    return result.data


def numerical_grad(f: Function, xs: Sequence[float], eps: float = 1e-6) -> list[float]:
    """Central differences of `f` (Values in, a Value out) at the floats `xs`."""
    if not eps > 0.0:
        raise ValueError(f"eps must be a positive step size, got {eps!r}")
    point = _points(xs)
    gradient = []
    for index, x in enumerate(point):
        above = [*point[:index], x + eps, *point[index + 1 :]]
        below = [*point[:index], x - eps, *point[index + 1 :]]
        gradient.append((_evaluate(f, above) - _evaluate(f, below)) / (2.0 * eps))
    return gradient


def analytic_grad(f: Function, xs: Sequence[float]) -> list[float]:
    """The engine's gradient of `f` at `xs`, from one `backward()` (0 everywhere when `f`
    returns a constant, such as the derivative of a linear function)."""
    inputs = [Value(x, label=f"x{index}") for index, x in enumerate(_points(xs))]
    result = f(*inputs)
    if not isinstance(result, Value):
        raise TypeError(
            f"the function must return a Value, got {type(result).__name__}: {result!r}"
        )
    if not result.requires_grad:
        return [0.0 for _ in inputs]
    result.backward()
    return [value.grad for value in inputs]


def gradcheck(
    f: Function,
    xs: Sequence[float],
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
) -> bool:
    """True if every analytic gradient is within `atol + rtol·|numeric|` of the numeric one.

    Otherwise raises `GradcheckError` listing each disagreeing input with both numbers.
    """
    analytic = analytic_grad(f, xs)
    numeric = numerical_grad(f, xs, eps)
    mismatches = [
        (index, a, n)
        for index, (a, n) in enumerate(zip(analytic, numeric))
        if not abs(a - n) <= atol + rtol * abs(n)
    ]
    if mismatches:
        lines = "\n".join(
            f"  input {index} (x = {xs[index]!r}): analytic {a!r}, numeric {n!r}, "
            f"difference {abs(a - n)!r}"
            for index, a, n in mismatches
        )
        raise GradcheckError(
            f"gradcheck failed for {len(mismatches)} of {len(analytic)} inputs "
            f"(atol={atol}, rtol={rtol}, eps={eps}):\n{lines}",
            mismatches,
        )
    return True
