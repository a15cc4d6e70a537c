"""Hessian: the matrix of second derivatives of a function of several numbers.

    H[i][j] = ∂²f / ∂xᵢ∂xⱼ

computed by differentiating twice: `grad(f, xs, create_graph=True)` gives each ∂f/∂xᵢ as a
`Value` with its own graph, and a second `grad` of each of those gives a row.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

from micrograd_ann import checks
from micrograd_ann.checks import shorten
from micrograd_ann.engine import Value, grad

__all__ = ["hessian"]


def hessian(f: Callable[..., Value], xs: Iterable[float]) -> list[list[float]]:
    """The Hessian of `f` (Values in, one Value out) at the floats `xs`, as a list of rows.

    `f` is called once with one `Value` per number. The result is symmetric: the two
    computations of each mixed derivative, `H[i][j]` and `H[j][i]`, are equal in exact arithmetic
    and are averaged, so rounding cannot make them differ (the mean of two finite numbers is
    finite, however large).

    At the edge of a domain an entry is the one-sided limit, as PyTorch's: ±inf where the
    second derivative is infinite, `hessian(lambda x: x.sqrt(), [0.0]) == [[-inf]]` (√x'' =
    -¼x^-³ᐟ² → -∞). Where the two computations of a mixed derivative are opposite infinities,
    their mean is nan: no single number is right there.
    """
    point = [checks.number(x, f"hessian input {index}") for index, x in enumerate(xs)]
    inputs = [Value(x, label=f"x{index}") for index, x in enumerate(point)]
    output = f(*inputs)
    if not isinstance(output, Value):
        raise TypeError(
            f"hessian: the function must return a Value, got {type(output).__name__}: "
            f"{shorten(output)}"
        )
    slopes = grad(output, inputs, create_graph=True)
    rows = [[second.data for second in grad(slope, inputs)] for slope in slopes]
    size = len(rows)
    return [[_mean(rows[i][j], rows[j][i]) for j in range(size)] for i in range(size)]


def _mean(first: float, second: float) -> float:
    """(a + b) / 2, also where a + b overflows (a = b = 1e308): then a/2 + b/2.

    Halving first would lose the last bit of subnormals (5e-324 / 2 is 0), so it is the fallback.
    """
    total = first + second
    if math.isinf(total) and math.isfinite(first) and math.isfinite(second):
        return first / 2.0 + second / 2.0
    return total / 2.0
