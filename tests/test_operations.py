"""Every entry of the operation table: forward value against `math`, gradient against central
differences (from `backward()`, and from `grad(..., create_graph=True)` with its second
derivatives), exact values at the kinks, the domain errors and the rule for non-finite inputs.

Input ranges keep each derivative of order one (|x| ≥ 0.1 for relu and abs, bases away from 1
for the exponent's derivative, …) and the tolerance is relative, so a zeroed, doubled or
sign-flipped local derivative fails (tests/mutation.py checks exactly that).
"""

from __future__ import annotations

import decimal
import math
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from micrograd_ann import Value, grad, numerical_grad
from micrograd_ann.operations import OPERATIONS
from micrograd_ann.testing import finite_floats


def magnitudes(low: float, high: float) -> SearchStrategy[float]:
    """Floats with |x| in [low, high], either sign."""
    return st.tuples(finite_floats(low, high), st.booleans()).map(
        lambda pair: -pair[0] if pair[1] else pair[0]
    )


ANY = finite_floats(-3.0, 3.0)
AWAY_FROM_ZERO = magnitudes(0.5, 3.0)
BASES = st.one_of(finite_floats(0.2, 0.7), finite_floats(1.5, 3.0))  # ln(base) of order one
EXPONENTS = magnitudes(0.5, 2.5)


def reference_sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def reference_dot(xs: Sequence[float], bias: bool) -> float:
    count = len(xs) // 2
    products = [xs[index] * xs[count + index] for index in range(count)]
    return math.fsum([*products, xs[-1] if bias else 0.0])


def apply_dot(values: Sequence[Value], bias: bool) -> Value:
    count = len(values) // 2
    return Value.dot(values[:count], values[count : 2 * count], values[-1] if bias else None)


@dataclass(frozen=True)
class Case:
    """One way of calling an operation: which inputs, how (on Values) and what math says."""

    operation: str
    description: str
    arguments: SearchStrategy[list[float]]
    apply: Callable[..., Value]
    reference: Callable[..., float]

    def __str__(self) -> str:
        return self.description


def fixed(*strategies: SearchStrategy[float]) -> SearchStrategy[list[float]]:
    return st.tuples(*strategies).map(list)


def unary(operation: str, inputs: SearchStrategy[float], apply: Callable[[Value], Value],
          reference: Callable[[float], float]) -> Case:
    return Case(operation, operation, fixed(inputs), apply, reference)


def integer_power(exponent: int) -> Case:
    return Case(
        "pow", f"x ** {exponent} (either sign of x)", fixed(magnitudes(0.5, 2.0)),
        lambda x: x**exponent, lambda x: math.pow(x, exponent),
    )


def dot_arguments(bias: bool) -> SearchStrategy[list[float]]:
    return st.integers(1, 4).flatmap(
        lambda count: st.lists(AWAY_FROM_ZERO, min_size=2 * count + bias, max_size=2 * count + bias)
    )


CASES = [
    Case("add", "x + y", fixed(ANY, ANY), lambda x, y: x + y, lambda x, y: x + y),
    Case("sub", "x - y", fixed(ANY, ANY), lambda x, y: x - y, lambda x, y: x - y),
    Case("mul", "x * y", fixed(AWAY_FROM_ZERO, AWAY_FROM_ZERO), lambda x, y: x * y,
         lambda x, y: x * y),
    Case("div", "x / y", fixed(AWAY_FROM_ZERO, AWAY_FROM_ZERO), lambda x, y: x / y,
         lambda x, y: x / y),
    Case("pow", "b ** k (both Values)", fixed(BASES, EXPONENTS), lambda b, k: b**k, math.pow),
    *(integer_power(exponent) for exponent in (-3, -2, -1, 2, 3)),
    Case("pow", "b ** 0.5", fixed(BASES), lambda b: b**0.5, math.sqrt),
    Case("pow", "2.5 ** k (number base)", fixed(EXPONENTS), lambda k: 2.5**k,
         lambda k: math.pow(2.5, k)),
    unary("neg", ANY, lambda x: -x, lambda x: -x),
    unary("abs", magnitudes(0.1, 3.0), abs, math.fabs),
    unary("exp", finite_floats(-2.0, 2.0), Value.exp, math.exp),
    unary("log", finite_floats(0.2, 5.0), Value.log, math.log),
    unary("tanh", finite_floats(-2.0, 2.0), Value.tanh, math.tanh),
    unary("sigmoid", finite_floats(-3.0, 3.0), Value.sigmoid, reference_sigmoid),
    unary("relu", magnitudes(0.1, 3.0), Value.relu, lambda x: x if x > 0.0 else 0.0),
    unary("sin", finite_floats(-3.0, 3.0), Value.sin, math.sin),
    unary("cos", finite_floats(-3.0, 3.0), Value.cos, math.cos),
    unary("sqrt", finite_floats(0.1, 5.0), Value.sqrt, math.sqrt),
    Case("sum", "Value.sum(terms)", st.lists(ANY, min_size=1, max_size=6),
         lambda *xs: Value.sum(xs), lambda *xs: math.fsum(xs)),
    Case("dot", "Value.dot(w, x, b)", dot_arguments(bias=True),
         lambda *xs: apply_dot(xs, bias=True), lambda *xs: reference_dot(xs, bias=True)),
    Case("dot", "Value.dot(w, x)", dot_arguments(bias=False),
         lambda *xs: apply_dot(xs, bias=False), lambda *xs: reference_dot(xs, bias=False)),
]


def test_every_operation_in_the_table_has_cases() -> None:
    assert {case.operation for case in CASES} == set(OPERATIONS)


@pytest.mark.parametrize("case", CASES, ids=str)
@given(data=st.data())
def test_forward_matches_math(case: Case, data: st.DataObject) -> None:
    xs = data.draw(case.arguments, label="xs")
    result = case.apply(*(Value(x) for x in xs))
    assert result.op == case.operation
    assert len(result.local_derivatives) == len(result.children)
    assert math.isclose(result.data, case.reference(*xs), rel_tol=1e-12, abs_tol=1e-12)


@pytest.mark.parametrize("case", CASES, ids=str)
@given(data=st.data())
def test_gradient_matches_central_differences(case: Case, data: st.DataObject) -> None:
    xs = data.draw(case.arguments, label="xs")
    inputs = [Value(x) for x in xs]
    case.apply(*inputs).backward()
    numeric = numerical_grad(case.apply, xs)
    for value, expected in zip(inputs, numeric):
        assert abs(value.grad - expected) <= 1e-7 + 1e-5 * abs(expected), (xs, value, expected)


# -------------------------------------------------------------------------------------------------
# Plain numbers on either side of a binary operator
# -------------------------------------------------------------------------------------------------

# name: (left inputs, right inputs, the Python operator, the same operation in plain math)
BINARY: dict[str, tuple[SearchStrategy[float], SearchStrategy[float], Callable[..., Value],
                        Callable[[float, float], float]]] = {
    "add": (ANY, ANY, operator.add, lambda a, b: a + b),
    "sub": (ANY, ANY, operator.sub, lambda a, b: a - b),
    "mul": (AWAY_FROM_ZERO, AWAY_FROM_ZERO, operator.mul, lambda a, b: a * b),
    "div": (AWAY_FROM_ZERO, AWAY_FROM_ZERO, operator.truediv, lambda a, b: a / b),
    "pow": (BASES, EXPONENTS, operator.pow, math.pow),
}


@pytest.mark.parametrize("name", BINARY)
@pytest.mark.parametrize("number_on_the_left", [True, False], ids=["number-left", "number-right"])
@given(data=st.data())
def test_plain_number_on_either_side(
    name: str, number_on_the_left: bool, data: st.DataObject
) -> None:
    left_inputs, right_inputs, python_operator, reference = BINARY[name]
    number = data.draw(left_inputs if number_on_the_left else right_inputs, label="number")
    x = data.draw(right_inputs if number_on_the_left else left_inputs, label="x")

    def function(value: Value) -> Value:
        if number_on_the_left:
            return python_operator(number, value)
        return python_operator(value, number)

    variable = Value(x)
    result = function(variable)
    expected = reference(number, x) if number_on_the_left else reference(x, number)
    assert result.op == name
    assert math.isclose(result.data, expected, rel_tol=1e-12, abs_tol=1e-12)
    constant = result.children[0 if number_on_the_left else 1]
    assert constant.requires_grad is False
    assert constant.data == number
    result.backward()
    (numeric,) = numerical_grad(function, [x])
    assert abs(variable.grad - numeric) <= 1e-7 + 1e-5 * abs(numeric)
    assert constant.grad == 0.0


# -------------------------------------------------------------------------------------------------
# Kinks and other special points (hand derivations; PyTorch uses the same conventions)
# -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("function", "x", "value", "slope"),
    [
        (Value.relu, 0.0, 0.0, 0.0),
        (Value.relu, -0.0, 0.0, 0.0),
        (Value.relu, 1e-300, 1e-300, 1.0),
        (Value.relu, -1e-300, 0.0, 0.0),
        (Value.relu, 2.5, 2.5, 1.0),
        (Value.relu, -2.5, 0.0, 0.0),
        (abs, 0.0, 0.0, 0.0),
        (abs, 1e-300, 1e-300, 1.0),
        (abs, -1e-300, 1e-300, -1.0),
        (abs, -2.5, 2.5, -1.0),
        (Value.sqrt, 0.0, 0.0, math.inf),
        (lambda x: x**2, 0.0, 0.0, 0.0),
        (lambda x: x**1, 0.0, 0.0, 1.0),
        (lambda x: x**0.5, 0.0, 0.0, math.inf),
        (lambda x: x**0, 0.0, 1.0, 0.0),
    ],
)
def test_exact_values_at_special_points(
    function: Callable[[Value], Value], x: float, value: float, slope: float
) -> None:
    variable = Value(x)
    result = function(variable)
    result.backward()
    assert result.data == value
    assert variable.grad == slope


def test_exponent_derivative_at_zero_base_is_its_limit() -> None:
    # d/dk 0^k = 0^k · ln 0, whose limit is 0 for k > 0.
    base, exponent = Value(0.0), Value(2.0)
    (base**exponent).backward()
    assert (base.grad, exponent.grad) == (0.0, 0.0)


# -------------------------------------------------------------------------------------------------
# Domain errors: typed, naming the operation and the offending value
# -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("compute", "error", "words"),
    [
        (lambda: Value(0.0).log(), ValueError, ["log", "0.0"]),
        (lambda: Value(-2.0).log(), ValueError, ["log", "-2.0"]),
        (lambda: Value(-4.0).sqrt(), ValueError, ["sqrt", "-4.0"]),
        (lambda: Value(3.0) / 0, ZeroDivisionError, ["division", "3.0", "0.0"]),
        (lambda: 3.0 / Value(0.0), ZeroDivisionError, ["division", "3.0", "0.0"]),
        (lambda: Value(3.0) / Value(0.0), ZeroDivisionError, ["division", "3.0", "0.0"]),
        (lambda: Value(0.0) ** -1, ZeroDivisionError, ["pow", "0.0", "-1.0"]),
        (lambda: Value(0.0) ** Value(-0.5), ZeroDivisionError, ["pow", "0.0", "-0.5"]),
        (lambda: 0 ** Value(-2.0), ZeroDivisionError, ["pow", "0.0", "-2.0"]),
        (lambda: Value(-8.0) ** (1 / 3), ValueError, ["pow", "-8.0", "0.333"]),
        (lambda: (-8.0) ** Value(0.5), ValueError, ["pow", "-8.0", "0.5"]),
        (lambda: Value(-8.0) ** Value(2.0), ValueError, ["pow", "-8.0", "2.0"]),
        (lambda: Value(1000.0).exp(), OverflowError, ["exp", "1000.0"]),
        (lambda: Value(10.0) ** 400, OverflowError, ["pow", "10.0", "400"]),
        (lambda: Value(1e308) * 10, OverflowError, ["mul", "1e+308"]),
        (lambda: Value(1e308) + Value(1e308), OverflowError, ["add", "1e+308"]),
        (lambda: Value.sum([Value(1e308), 1e308]), OverflowError, ["sum", "1e+308"]),
        (lambda: Value.dot([1e308], [10.0]), OverflowError, ["dot", "1e+308"]),
    ],
)
def test_domain_errors_name_the_operation_and_value(
    compute: Callable[[], Value], error: type[Exception], words: list[str]
) -> None:
    with pytest.raises(error) as raised:
        compute()
    message = str(raised.value)
    for word in words:
        assert word in message, message


def test_negative_base_with_integer_exponent_is_real() -> None:
    x = Value(-2.0)
    result = x**3
    result.backward()
    assert result.data == -8.0
    assert x.grad == 12.0  # 3·(-2)²


@given(finite_floats(-1e308, 1e308))
def test_tanh_and_sigmoid_never_overflow(x: float) -> None:
    for function, low, high in ((Value.tanh, -1.0, 1.0), (Value.sigmoid, 0.0, 1.0)):
        variable = Value(x)
        result = function(variable)
        result.backward()
        assert low <= result.data <= high
        assert math.isfinite(variable.grad)


@pytest.mark.parametrize("x", [-1e308, -1000.0, -745.2, -710.0, 710.0, 1000.0, 1e308])
def test_sigmoid_saturates_cleanly_at_extremes(x: float) -> None:
    result = Value(x).sigmoid()
    assert result.data == (1.0 if x > 0 else pytest.approx(0.0, abs=1e-300))
    assert Value(x).tanh().data == math.copysign(1.0, x)


def test_power_rule_survives_an_output_that_underflows() -> None:
    x = Value(1e-170)
    (x**2).backward()  # x² underflows to 0, but d/dx x² = 2x = 2e-170 does not
    assert x.grad == pytest.approx(2e-170, rel=1e-12)


def test_power_rule_is_right_at_extreme_magnitudes() -> None:
    # k·b^(k−1), exactly rounded from rational arithmetic, wherever it is a normal float
    for base, exponent in [(1e154, 2), (5e102, 3), (2e-162, 2), (-1e154, 2), (1e-100, 3),
                           (3e-200, 2), (1e300, 1), (7e60, 5)]:
        x = Value(base)
        (x**exponent).backward()
        expected = float(exponent * Fraction(base) ** (exponent - 1))
        assert x.grad == pytest.approx(expected, rel=1e-15), (base, exponent)


def test_power_derivatives_are_right_when_the_output_is_subnormal() -> None:
    # b^k ≈ 1e-310 is subnormal (few significant bits), but k·b^(k−1) and b^k·ln b are normal
    b, k = 1e-304, 1.02
    base, exponent = Value(b), Value(k)
    (base**exponent).backward()
    with decimal.localcontext() as context:
        context.prec = 40
        exact_b, exact_k = Decimal(b), Decimal(k)
        by_base = float(exact_k * (exact_b.ln() * (exact_k - 1)).exp())
        by_exponent = float((exact_b.ln() * exact_k).exp() * exact_b.ln())
    assert base.grad == pytest.approx(by_base, rel=1e-13)
    assert exponent.grad == pytest.approx(by_exponent, rel=1e-12)


# -------------------------------------------------------------------------------------------------
# Non-finite inputs: passed on as IEEE arithmetic does, never raised and never hidden
# -------------------------------------------------------------------------------------------------

NAN, INF = math.nan, math.inf


@pytest.mark.parametrize(
    ("compute", "value"),
    [
        (lambda: Value(NAN).relu(), NAN),
        (lambda: Value(INF).sin(), NAN),
        (lambda: Value(-INF).cos(), NAN),
        (lambda: Value(-INF).log(), NAN),
        (lambda: Value(-INF).sqrt(), NAN),
        (lambda: Value(INF) / 0.0, INF),
        (lambda: Value(-INF) / 0.0, -INF),
        (lambda: Value(NAN) / 0.0, NAN),
        (lambda: Value(-2.0) ** NAN, NAN),
        (lambda: Value(-INF) ** 0.5, INF),
        (lambda: Value(0.0) ** -INF, INF),
        (lambda: Value(INF).exp(), INF),
        (lambda: Value(-INF).exp(), 0.0),
        (lambda: Value(INF).tanh(), 1.0),
    ],
)
def test_non_finite_inputs_pass_through_without_raising(
    compute: Callable[[], Value], value: float
) -> None:
    result = compute()
    result.backward()  # the local derivatives are computed without raising too
    assert result.data == value or (math.isnan(value) and math.isnan(result.data))


# -------------------------------------------------------------------------------------------------
# Derivatives as graphs: each operation's `derivative_values`, at first and second order
# -------------------------------------------------------------------------------------------------


def derivative_of(case: Case, index: int) -> Callable[..., Value]:
    """x ↦ ∂(case)/∂xᵢ as a Value with a graph, for differentiating again."""

    def derivative(*xs: Value) -> Value:
        return grad(case.apply(*xs), xs[index], create_graph=True)[0]

    return derivative


@pytest.mark.parametrize("case", CASES, ids=str)
@given(data=st.data())
def test_gradient_graphs_match_central_differences(case: Case, data: st.DataObject) -> None:
    xs = data.draw(case.arguments, label="xs")
    inputs = [Value(x) for x in xs]
    slopes = grad(case.apply(*inputs), inputs, create_graph=True)
    for slope, expected in zip(slopes, numerical_grad(case.apply, xs)):
        assert abs(slope.data - expected) <= 1e-7 + 1e-5 * abs(expected), (xs, slope, expected)
    for index, slope in enumerate(slopes):
        seconds = grad(slope, inputs)
        numeric = numerical_grad(derivative_of(case, index), xs)
        for second, expected in zip(seconds, numeric):
            assert abs(second.data - expected) <= 1e-6 + 1e-4 * abs(expected), (
                xs, index, second, expected,
            )


def test_every_operation_writes_its_derivatives_with_values_too() -> None:
    assert all(operation.derivative_values is not None for operation in OPERATIONS.values())


# -------------------------------------------------------------------------------------------------
# ieee_arithmetic(): where grad(..., create_graph=True) builds its graphs
# -------------------------------------------------------------------------------------------------


def test_ieee_arithmetic_gives_infinities_instead_of_raising_and_only_inside() -> None:
    from micrograd_ann.operations import ieee_arithmetic, is_ieee_arithmetic

    x, zero = Value(2.0), Value(0.0)
    with ieee_arithmetic():
        assert is_ieee_arithmetic()
        assert (x / 0.0).data == math.inf and (-x / zero).data == -math.inf
        assert math.isnan((zero / zero).data)
        assert (zero**-1.0).data == math.inf and (Value(-0.0) ** -3.0).data == -math.inf
        assert (Value(-0.0) ** -2.0).data == math.inf  # IEEE pow: even powers lose the sign
        assert (Value(1e308) * 10.0).data == math.inf and (Value(-1e200) ** 3).data == -math.inf
        assert Value(1000.0).exp().data == math.inf
        assert Value.sum([1e308, 1e308, x]).data == math.inf
        with pytest.raises(ValueError, match="log"):  # a domain error is still an error
            Value(-1.0).log()
    assert not is_ieee_arithmetic()
    with pytest.raises(ZeroDivisionError):
        x / 0.0
    with pytest.raises(OverflowError):
        Value(1e308) * 10.0


def test_power_slope_at_zero_base_for_every_exponent() -> None:
    # d/db bᵏ = k·b^(k-1) at b = 0, by hand: 0 for k = 0 (PyTorch) and k > 1, 1 for k = 1, +∞ for
    # 0 < k < 1; for k < 0 (only inside ieee_arithmetic) -∞ at +0, and k·(-0)^(k-1) at -0
    from micrograd_ann.operations import POW, ieee_arithmetic

    def slope(base: float, k: float) -> tuple[float, float]:
        with ieee_arithmetic():
            return POW.derivatives(base, k, POW.forward(base, k))

    assert slope(0.0, 0.0) == (0.0, 0.0)
    assert slope(0.0, 2.5) == (0.0, 0.0) and slope(0.0, 1.0) == (1.0, 0.0)
    assert slope(0.0, 0.5) == (math.inf, 0.0)
    # 1/b: -1/b² → -∞ at both zeros; d/dk bᵏ = bᵏ ln b → +∞·(-∞) = -∞
    assert slope(0.0, -1.0) == (-math.inf, -math.inf)
    assert slope(-0.0, -1.0)[0] == -math.inf
    # 1/b²: -2/b³ → -∞ at +0, +∞ at -0
    assert slope(0.0, -2.0)[0] == -math.inf and slope(-0.0, -2.0)[0] == math.inf
