"""Gradcheck: central differences, the tolerance rule and the error report.

Expected numbers are hand derivations; the broken function hides a factor from the graph with
`.data`, so its analytic gradient is half the true one.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

import pytest
from hypothesis import given

from micrograd_ann import GradcheckError, Value, gradcheck, no_grad, numerical_grad
from micrograd_ann.gradcheck import analytic_grad
from micrograd_ann.testing import finite_floats


def product_with_square(x: Value, y: Value) -> Value:
    return x * y * y  # ∂/∂x = y², ∂/∂y = 2xy


def hidden_factor(x: Value, y: Value) -> Value:
    # x · (a frozen copy of x) + y: the engine sees ∂/∂x = x, the true slope is 2x.
    return x * Value(x.data) + y


def test_numerical_grad_of_a_polynomial() -> None:
    assert numerical_grad(product_with_square, [2.0, 3.0]) == pytest.approx([9.0, 12.0], rel=1e-8)


@given(finite_floats(-3.0, 3.0))
def test_numerical_grad_of_sine_is_cosine(x: float) -> None:
    (slope,) = numerical_grad(Value.sin, [x])
    assert abs(slope - math.cos(x)) <= 1e-8


def test_numerical_grad_step_size() -> None:
    # A quadratic's central difference is exact for any step: (f(x+h) − f(x−h)) / 2h = 2x.
    (slope,) = numerical_grad(lambda x: x * x, [1.5], eps=0.25)
    assert slope == 3.0


@pytest.mark.parametrize("eps", [0.0, -1e-6, math.nan])
def test_numerical_grad_rejects_a_non_positive_step(eps: float) -> None:
    with pytest.raises(ValueError, match="eps"):
        numerical_grad(Value.exp, [1.0], eps=eps)


def test_functions_must_return_a_value() -> None:
    with pytest.raises(TypeError, match="float"):
        numerical_grad(lambda x: x.data, [1.0])  # type: ignore[arg-type, return-value]
    with pytest.raises(TypeError, match="float"):
        analytic_grad(lambda x: x.data, [1.0])  # type: ignore[arg-type, return-value]


def test_inputs_must_be_real_numbers() -> None:
    with pytest.raises(TypeError, match="str"):
        numerical_grad(Value.exp, ["1.0"])  # type: ignore[list-item]


def test_analytic_grad_by_hand() -> None:
    assert analytic_grad(product_with_square, [2.0, 3.0]) == [9.0, 12.0]


def test_gradcheck_passes_a_correct_gradient() -> None:
    assert gradcheck(product_with_square, [2.0, 3.0]) is True
    assert gradcheck(lambda x, y: (x * y).tanh() + (x / y).log(), [0.7, 1.3]) is True


def test_gradcheck_reports_each_wrong_input_with_both_numbers() -> None:
    with pytest.raises(GradcheckError) as raised:
        gradcheck(hidden_factor, [1.5, -0.5])
    error = raised.value
    assert isinstance(error, AssertionError)
    assert len(error.mismatches) == 1
    index, analytic, numeric = error.mismatches[0]
    assert index == 0
    assert analytic == 1.5
    assert numeric == pytest.approx(3.0, rel=1e-8)
    message = str(error)
    assert "1 of 2 inputs" in message
    assert "input 0 (x = 1.5)" in message
    assert f"analytic {analytic!r}" in message
    assert f"numeric {numeric!r}" in message


@pytest.mark.parametrize(
    ("atol", "rtol", "passes"),
    # hidden_factor at x = 1: analytic 1, numeric 2, |a − n| = 1 against atol + rtol·2.
    [(1.1, 0.0, True), (0.9, 0.0, False), (0.0, 0.55, True), (0.0, 0.45, False),
     (0.5, 0.3, True), (0.5, 0.2, False)],
)
def test_gradcheck_tolerance_rule(atol: float, rtol: float, passes: bool) -> None:
    def only_x(x: Value) -> Value:
        return hidden_factor(x, Value(0.0))

    if passes:
        assert gradcheck(only_x, [1.0], atol=atol, rtol=rtol)
    else:
        with pytest.raises(GradcheckError):
            gradcheck(only_x, [1.0], atol=atol, rtol=rtol)



def doubled_square(x: Value) -> Value:
    """The number x², with twice its slope on the graph: x² + (x² − detached x²) → 4x."""
    square = x * x
    return square + (square - square.detach())


@pytest.mark.parametrize(
    "make_points",
    [lambda: iter([3.0]), lambda: (x for x in [3.0])],
    ids=["iterator", "generator"],
)
def test_gradcheck_reads_an_iterator_once_and_still_fails_a_wrong_gradient(
    make_points: Callable[[], Iterable[float]],
) -> None:
    with no_grad():
        assert doubled_square(Value(3.0)).data == 9.0
    with pytest.raises(GradcheckError, match=r"input 0 \(x = 3.0\): analytic 12.0"):
        gradcheck(doubled_square, make_points())
    assert gradcheck(lambda x: x * x, make_points())
