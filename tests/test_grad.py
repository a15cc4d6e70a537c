"""`grad` (first order and with graphs, to any order), `hessian` and `custom_operation`.

Expected numbers come from closed forms derived by hand (third derivatives of single operations,
the Hessian of a polynomial) and from central differences; the comparison with PyTorch's
second derivatives is in test_against_torch.py.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from micrograd_ann import (
    Value,
    custom_operation,
    draw_graph,
    explain,
    grad,
    gradcheck,
    hessian,
    no_grad,
)
from micrograd_ann.operations import CUSTOM_OPERATIONS, OPERATIONS
from micrograd_ann.testing import assume_away_from_kinks, expressions, finite_floats, points

# -------------------------------------------------------------------------------------------------
# grad: the contract
# -------------------------------------------------------------------------------------------------


def test_grad_leaves_every_grad_attribute_alone() -> None:
    x, y = Value(2.0), Value(3.0)
    out = x * y + x
    for create_graph in (False, True):
        slopes = grad(out, [x, y], create_graph=create_graph)
        assert [slope.data for slope in slopes] == [4.0, 2.0]
    assert (x.grad, y.grad, out.grad) == (0.0, 0.0, 0.0)


def test_first_order_results_are_constants() -> None:
    x = Value(2.0)
    (slope,) = grad(x**3, x)
    assert slope.data == 12.0
    assert slope.requires_grad is False
    assert grad(slope, x)[0].data == 0.0


def test_a_single_value_or_a_sequence_of_them() -> None:
    x, y = Value(1.5), Value(-2.0)
    out = x * y
    assert isinstance(grad(out, x), tuple)
    assert [s.data for s in grad(out, (y, x, y))] == [1.5, -2.0, 1.5]
    assert grad(out, []) == ()


def test_independent_inputs_and_constant_outputs_get_a_constant_zero() -> None:
    x, unused = Value(2.0), Value(5.0)
    for create_graph in (False, True):
        slope_x, slope_unused = grad(x * x, [x, unused], create_graph=create_graph)
        assert slope_unused.data == 0.0 and slope_unused.requires_grad is False
        assert slope_x.data == 4.0
        constant = Value(7.0, requires_grad=False)
        assert grad(constant, [x, constant], create_graph=create_graph)[0].data == 0.0
        with no_grad():
            recorded_nothing = x * x
        assert [s.data for s in grad(recorded_nothing, x, create_graph=create_graph)] == [0.0]


def test_a_gradient_that_came_out_constant_can_be_differentiated_again() -> None:
    x = Value(4.0)
    (slope,) = grad(-x, x, create_graph=True)  # -1 everywhere
    assert slope.data == -1.0
    (curvature,) = grad(slope, x, create_graph=True)
    assert curvature.data == 0.0
    assert grad(curvature, x)[0].data == 0.0


def test_the_derivative_of_an_input_with_respect_to_itself_is_one() -> None:
    x = Value(3.0)
    assert grad(x, x)[0].data == 1.0
    assert grad(x, x, create_graph=True)[0].data == 1.0


def test_derivatives_to_any_order() -> None:
    x = Value(1.5)
    derivative = x**5  # 5x⁴, 20x³, 60x², 120x, 120, 0
    expected = [5 * 1.5**4, 20 * 1.5**3, 60 * 1.5**2, 120 * 1.5, 120.0, 0.0]
    for value in expected:
        (derivative,) = grad(derivative, x, create_graph=True)
        assert derivative.data == pytest.approx(value, rel=1e-14)


def test_gradient_graphs_are_ordinary_graphs() -> None:
    x = Value(0.7, label="x")
    (slope,) = grad((x * x).sin(), x, create_graph=True)  # 2x·cos(x²)
    assert slope.data == pytest.approx(2 * 0.7 * math.cos(0.49), rel=1e-14)
    slope.backward()  # d/dx 2x·cos(x²) = 2cos(x²) − 4x²·sin(x²)
    assert x.grad == pytest.approx(2 * math.cos(0.49) - 4 * 0.49 * math.sin(0.49), rel=1e-14)
    assert "cos" in draw_graph(slope).source
    assert len(explain(slope)) > 0


def test_mixed_partials_agree() -> None:
    x, y = Value(0.3), Value(-1.2)
    out = (x * y).tanh() + x**2 * y.exp()
    slope_x, slope_y = grad(out, [x, y], create_graph=True)
    assert grad(slope_x, y)[0].data == pytest.approx(grad(slope_y, x)[0].data, rel=1e-13)


@pytest.mark.parametrize(
    ("inputs", "words"),
    [(3.0, ["Value or a sequence", "float"]), ([Value(1.0), 2.0], ["inputs[1]", "float"]),
     ("x", ["Value or a sequence"])],
)
def test_bad_inputs_are_refused(inputs: object, words: list[str]) -> None:
    with pytest.raises(TypeError) as raised:
        grad(Value(1.0) * 2, inputs)  # type: ignore[arg-type]
    for word in words:
        assert word in str(raised.value)


def test_a_bad_output_is_refused() -> None:
    with pytest.raises(TypeError, match="grad needs a Value as its output, got float"):
        grad(2.0, Value(1.0))  # type: ignore[arg-type]


def test_backward_still_refuses_a_graphless_root() -> None:
    x = Value(1.0)
    (slope,) = grad(-x, x, create_graph=True)
    with pytest.raises(RuntimeError, match="no graph"):
        slope.backward()


# -------------------------------------------------------------------------------------------------
# Third derivatives of single operations against closed forms
# -------------------------------------------------------------------------------------------------


def sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


THIRD_DERIVATIVES: dict[str, tuple[Callable[[Value], Value], Callable[[float], float],
                                   float, float]] = {
    # name: (function, its third derivative, lowest x, highest x)
    "tanh": (Value.tanh, lambda x: (1 - math.tanh(x) ** 2) * (6 * math.tanh(x) ** 2 - 2),
             -2.0, 2.0),
    "sin": (Value.sin, lambda x: -math.cos(x), -3.0, 3.0),
    "cos": (Value.cos, math.sin, -3.0, 3.0),
    "exp": (Value.exp, math.exp, -2.0, 2.0),
    "log": (Value.log, lambda x: 2 / x**3, 0.2, 5.0),
    "sqrt": (Value.sqrt, lambda x: 3 / 8 * x**-2.5, 0.2, 5.0),
    "sigmoid": (Value.sigmoid,
                lambda x: sigmoid(x) * (1 - sigmoid(x)) * (1 - 6 * sigmoid(x) * (1 - sigmoid(x))),
                -3.0, 3.0),
    "x ** 4.5": (lambda x: x**4.5, lambda x: 4.5 * 3.5 * 2.5 * x**1.5, 0.2, 3.0),
    "x ** -2": (lambda x: x**-2, lambda x: -24 * x**-5, 0.5, 3.0),
    "2 ** x": (lambda x: 2.0**x, lambda x: math.log(2) ** 3 * 2**x, -2.0, 2.0),
    "x ** x": (lambda x: x**x,
               lambda x: x**x * ((math.log(x) + 1) ** 3 + 3 * (math.log(x) + 1) / x - 1 / x**2),
               0.3, 2.0),
    "1 / x": (lambda x: 1.0 / x, lambda x: -6 / x**4, 0.5, 3.0),
    "relu": (Value.relu, lambda x: 0.0, -3.0, 3.0),
    "abs": (abs, lambda x: 0.0, -3.0, 3.0),
    "neg": (lambda x: -x, lambda x: 0.0, -3.0, 3.0),
    "sum": (lambda x: Value.sum([x**3, x, 2.0]), lambda x: 6.0, -3.0, 3.0),
    "dot": (lambda x: Value.dot([x, x**2], [x**2, x], 1.0), lambda x: 12.0, -3.0, 3.0),
}


@pytest.mark.parametrize("name", THIRD_DERIVATIVES)
@given(data=finite_floats(-1.0, 1.0))
def test_third_derivatives_match_closed_forms(name: str, data: float) -> None:
    function, third, low, high = THIRD_DERIVATIVES[name]
    x_value = low + (data + 1.0) / 2.0 * (high - low)
    if name in ("relu", "abs") and abs(x_value) < 1e-3:
        x_value = 1.0
    x = Value(x_value)
    derivative = function(x)
    for _ in range(3):
        (derivative,) = grad(derivative, x, create_graph=True)
    expected = third(x_value)
    assert derivative.data == pytest.approx(expected, rel=1e-11, abs=1e-12), (name, x_value)


@pytest.mark.parametrize("function", [Value.relu, abs], ids=["relu", "abs"])
def test_kinks_as_pytorch(function: Callable[[Value], Value]) -> None:
    for at in (-1.5, 0.0, 2.0):
        x = Value(at)
        (slope,) = grad(function(x), x, create_graph=True)
        assert slope.data == (0.0 if at == 0.0 else (1.0 if at > 0 else
                                                     (0.0 if function is Value.relu else -1.0)))
        assert grad(slope, x)[0].data == 0.0


# -------------------------------------------------------------------------------------------------
# grad(..., create_graph=True) gives backward()'s first derivatives, at every point
# -------------------------------------------------------------------------------------------------

# Where float rules branch or give up: signed zeros, infinities, nan, numbers that overflow when
# doubled or squared, subnormals (whose reciprocal overflows), and ordinary numbers.
HOSTILE_NUMBERS = [
    0.0, -0.0, math.inf, -math.inf, math.nan, 1e308, -1e308, 5e-324, -5e-324, 2.5e-310,
    1.5, -2.0, 0.5,
]


def backward_gradients(function: Callable[..., Value], xs: list[float]) -> list[float] | None:
    """backward()'s gradients, or None where the function or backward() raises."""
    inputs = [Value(x) for x in xs]
    try:
        out = function(*inputs)
        out.backward()
    except (ArithmeticError, ValueError, RuntimeError):
        return None
    return [value.grad for value in inputs]


def graph_gradients(function: Callable[..., Value], xs: list[float]) -> list[float]:
    inputs = [Value(x) for x in xs]
    return [slope.data for slope in grad(function(*inputs), inputs, create_graph=True)]


def agree(graph: float, backward: float) -> bool:
    """The same number (a zero of either sign), where backward() gives a number at all."""
    return math.isnan(backward) or graph == backward


@pytest.mark.parametrize(
    ("function", "xs", "expected"),
    [
        # backward() passes nothing on from a zero gradient, even through √x's +∞ at 0
        (lambda x, y: y * x.sqrt(), [0.0, 0.0], [0.0, 0.0]),
        (lambda x, y: y.relu() * x.sqrt(), [0.0, -1.0], [0.0, 0.0]),
        # ∂(a/b)/∂b = -(a/b)/b and ∂/∂a = 1/b, at b = 0 (with a non-finite a)
        (lambda x: Value(math.inf) / x, [0.0], [-math.inf]),
        (lambda x: x / 0.0, [math.inf], [math.inf]),
        # x^y at (0, -∞): y·x^(y-1) = -∞·∞ and x^y·ln x = ∞·(-∞), both -∞
        (lambda x, y: x**y, [0.0, -math.inf], [-math.inf, -math.inf]),
        # an overflowing gradient (2·1e308) of a finite value: inf, as float arithmetic
        (lambda x, y: (x * y).tanh() * 2.0, [1e308, 0.0], [0.0, math.inf]),
        # 1/x at a subnormal x overflows: -1/x² = -inf
        (lambda x: x.log(), [5e-324], [math.inf]),
    ],
    ids=["y·sqrt(x)", "relu(y)·sqrt(x)", "inf/x", "x/0", "x**y", "overflow", "log"],
)
def test_first_derivatives_as_backward_at_edge_points(
    function: Callable[..., Value], xs: list[float], expected: list[float]
) -> None:
    # expected: backward()'s numbers, worked out by hand from its rule (zero upstream: nothing)
    assert backward_gradients(function, xs) == expected
    assert graph_gradients(function, xs) == expected


@given(
    expressions(variables=2, max_depth=3),
    st.lists(st.sampled_from(HOSTILE_NUMBERS) | finite_floats(-3.0, 3.0), min_size=2, max_size=2),
)
@settings(max_examples=400)
def test_first_derivatives_as_backward_on_random_graphs(
    expression: object, xs: list[float]
) -> None:
    function: Callable[..., Value] = expression  # type: ignore[assignment]
    expected = backward_gradients(function, xs)
    if expected is None:  # backward() gives no number: nothing to agree with
        return
    found = graph_gradients(function, xs)
    assert all(map(agree, found, expected)), (expression, xs, found, expected)


# -------------------------------------------------------------------------------------------------
# Derivatives of derivatives at the edges of the domains
# -------------------------------------------------------------------------------------------------


def derivatives_up_to_third(function: Callable[[Value], Value], at: float) -> list[float]:
    x = Value(at)
    derivative, found = function(x), []
    for _ in range(3):
        (derivative,) = grad(derivative, x, create_graph=True)
        found.append(derivative.data)
    return found


def power_derivative_at_zero(k: float, order: int) -> float:
    """dⁿ/dxⁿ xᵏ = k(k-1)…(k-n+1)·x^(k-n) as x → 0⁺ (by hand): 0 where the falling factorial
    is 0 or k - n > 0, the factorial where k = n, and ±∞ (its sign) where k - n < 0."""
    import mpmath

    factorial = float(mpmath.ff(k, order))
    if factorial == 0.0 or k - order > 0:
        return 0.0
    return factorial if k == order else math.copysign(math.inf, factorial)


@pytest.mark.parametrize("k", [0.5, 1.0, 1.5, 2.0, 2.5, 3.0])
def test_powers_at_zero_to_the_third_derivative(k: float) -> None:
    # the same numbers as PyTorch float64 (x ** k, torch.autograd.grad with create_graph=True)
    expected = [power_derivative_at_zero(k, order) for order in (1, 2, 3)]
    assert derivatives_up_to_third(lambda x: x**k, 0.0) == expected


@pytest.mark.parametrize("at", [0.0, -0.0])
def test_square_root_at_zero_to_the_third_derivative(at: float) -> None:
    # √x = x^½: ½x^-½, -¼x^-³ᐟ², ⅜x^-⁵ᐟ² → +∞, -∞, +∞ (PyTorch's sqrt too), at both zeros
    assert derivatives_up_to_third(Value.sqrt, at) == [math.inf, -math.inf, math.inf]


@pytest.mark.parametrize(
    ("function", "at"),
    [
        (Value.relu, 0.0),  # the kinks: slope 0 at 0, as PyTorch
        (abs, 0.0),
        (lambda x: x**0.0, 0.0),  # d/dx x⁰ = 0 at 0 too (PyTorch)
        (lambda x: Value(0.0) ** x, 2.0),  # 0ᵏ = 0 for every k > 0: flat in k
    ],
    ids=["relu", "abs", "x**0", "0**k"],
)
def test_other_edges_have_zero_derivatives_to_the_third(
    function: Callable[[Value], Value], at: float
) -> None:
    assert derivatives_up_to_third(function, at) == [0.0, 0.0, 0.0]


INF = math.inf

# The first three derivatives at ±∞ are the limits of the closed forms (by hand): tanh' = sech²,
# σ' = σ(1-σ), (eˣ)⁽ⁿ⁾ = eˣ, (ln x)⁽ⁿ⁾ ∝ x⁻ⁿ, (√x)⁽ⁿ⁾ ∝ x^(½-n), (x²)' = 2x, (1/x)⁽ⁿ⁾ ∝ x^(-1-n),
# (½ˣ)⁽ⁿ⁾ = (ln ½)ⁿ·½ˣ. Compared with ==, so a zero's sign is not asserted.
AT_INFINITY: dict[str, tuple[Callable[[Value], Value], float, list[float]]] = {
    "tanh at +inf": (Value.tanh, INF, [0.0, 0.0, 0.0]),
    "tanh at -inf": (Value.tanh, -INF, [0.0, 0.0, 0.0]),
    "sigmoid at +inf": (Value.sigmoid, INF, [0.0, 0.0, 0.0]),
    "sigmoid at -inf": (Value.sigmoid, -INF, [0.0, 0.0, 0.0]),
    "exp at +inf": (Value.exp, INF, [INF, INF, INF]),
    "exp at -inf": (Value.exp, -INF, [0.0, 0.0, 0.0]),
    "log at +inf": (Value.log, INF, [0.0, 0.0, 0.0]),
    "sqrt at +inf": (Value.sqrt, INF, [0.0, 0.0, 0.0]),
    "x**2 at +inf": (lambda x: x**2, INF, [INF, 2.0, 0.0]),
    "x**2 at -inf": (lambda x: x**2, -INF, [-INF, 2.0, 0.0]),
    "1/x at -inf": (lambda x: 1.0 / x, -INF, [0.0, 0.0, 0.0]),
    "0.5**x at +inf": (lambda x: 0.5**x, INF, [0.0, 0.0, 0.0]),
    "0.5**x at -inf": (lambda x: 0.5**x, -INF, [-INF, INF, -INF]),
}


@pytest.mark.parametrize("case", sorted(AT_INFINITY))
def test_derivatives_at_infinity_are_the_limits(case: str) -> None:
    function, at, expected = AT_INFINITY[case]
    assert derivatives_up_to_third(function, at) == expected


def test_a_subnormal_power_keeps_its_derivatives_in_the_exponent() -> None:
    # d/dk bᵏ = bᵏ ln b and d²/dk² = bᵏ (ln b)² at b = 1e-160, k = 2: bᵏ = 1e-320 is subnormal
    import mpmath

    first, second, _ = derivatives_up_to_third(lambda k: Value(1e-160) ** k, 2.0)
    with mpmath.workdps(30):
        base = mpmath.mpf(1e-160)
        assert first == pytest.approx(float(base**2 * mpmath.log(base)), rel=1e-12)
        assert second == pytest.approx(float(base**2 * mpmath.log(base) ** 2), rel=1e-12)


def test_hessian_at_a_vertical_tangent_is_minus_infinity() -> None:
    # (√x)'' = -¼x^-³ᐟ² → -∞ at 0: the one-sided second derivative, as PyTorch's hessian
    assert hessian(lambda x: x.sqrt(), [0.0]) == [[-math.inf]]
    assert hessian(lambda x: x**0.5, [0.0]) == [[-math.inf]]


# -------------------------------------------------------------------------------------------------
# gradcheck of a derivative: its numerical pass records graphs
# -------------------------------------------------------------------------------------------------


@given(expressions(variables=2, max_depth=2), points(2, -1.5, 1.5))
def test_gradcheck_of_a_derivative(expression: object, xs: list[float]) -> None:
    function: Callable[..., Value] = expression  # type: ignore[assignment]
    inputs = [Value(x) for x in xs]
    assume_away_from_kinks(function(*inputs), margin=1e-2)

    def derivative(*values: Value) -> Value:
        return grad(function(*values), values[0], create_graph=True)[0]

    assert gradcheck(derivative, xs, atol=1e-4, rtol=1e-3)


def test_gradcheck_of_a_derivative_catches_a_wrong_second_derivative() -> None:
    from micrograd_ann.gradcheck import GradcheckError

    def derivative(x: Value) -> Value:
        (slope,) = grad(x.tanh(), x, create_graph=True)
        return slope + slope.detach() * 0.5  # value 1.5·tanh', but derivative only tanh''

    with pytest.raises(GradcheckError):
        gradcheck(derivative, [0.4])


# -------------------------------------------------------------------------------------------------
# hessian
# -------------------------------------------------------------------------------------------------


def test_hessian_of_a_polynomial() -> None:
    # f = x²y + 3y³ + xz: H = [[2y, 2x, 1], [2x, 18y, 0], [1, 0, 0]]
    def f(x: Value, y: Value, z: Value) -> Value:
        return x * x * y + 3 * y**3 + x * z

    assert hessian(f, [1.0, 2.0, -1.0]) == [[4.0, 2.0, 1.0], [2.0, 36.0, 0.0], [1.0, 0.0, 0.0]]


def test_hessian_takes_any_iterable_and_is_symmetric() -> None:
    def f(x: Value, y: Value) -> Value:
        return (x * y).sin() + (x / (1 + y * y)).exp()

    matrix = hessian(f, iter([0.3, -0.8]))
    assert matrix[0][1] == matrix[1][0]
    assert len(matrix) == 2 and all(len(row) == 2 for row in matrix)


def test_hessian_of_huge_mixed_derivatives_is_finite() -> None:
    # f = 1e308·a·b: ∂²f/∂a∂b = 1e308 (PyTorch float64 too), although 1e308 + 1e308 overflows
    matrix = hessian(lambda a, b: a * b * 1e308, [1.0, 1.0])
    assert matrix == [[0.0, 1e308], [1e308, 0.0]]
    # the other end: subnormal mixed derivatives keep their last bit
    assert hessian(lambda a, b: a * b * 5e-324, [1.0, 1.0])[0][1] == 5e-324


def test_hessian_refuses_a_function_that_does_not_return_a_value() -> None:
    with pytest.raises(TypeError, match="must return a Value, got float"):
        hessian(lambda x: 1.0, [1.0])  # type: ignore[arg-type, return-value]


# -------------------------------------------------------------------------------------------------
# custom_operation
# -------------------------------------------------------------------------------------------------


def softplus_float(x: float) -> float:
    return math.log1p(math.exp(-abs(x))) + max(x, 0.0)


def make_softplus(**options: object) -> Callable[..., Value]:
    return custom_operation(
        "softplus",
        forward=softplus_float,
        derivatives=lambda x, out: (sigmoid(x),),
        symbol="softplus",
        formula="d/dx softplus(x) = σ(x)",
        **options,  # type: ignore[arg-type]
    )


@given(finite_floats(-5.0, 5.0))
def test_custom_operation_in_backward_and_grad(x_value: float) -> None:
    softplus = make_softplus()
    x = Value(x_value)
    out = softplus(x * 2.0)
    assert out.op == "softplus"
    assert out.data == pytest.approx(math.log(1 + math.exp(2 * x_value)), rel=1e-12)
    out.backward()
    assert x.grad == pytest.approx(2 * sigmoid(2 * x_value), rel=1e-12)
    assert grad(out, x)[0].data == x.grad
    assert gradcheck(lambda v: softplus(v * 2.0), [x_value])


def test_custom_operation_under_no_grad_never_calls_derivatives() -> None:
    calls: list[float] = []

    def derivatives(x: float, out: float) -> tuple[float]:
        calls.append(x)
        return (sigmoid(x),)

    softplus = custom_operation("softplus", softplus_float, derivatives)
    with no_grad():
        out = softplus(Value(1.0))
    assert out.requires_grad is False and out.children == ()
    assert calls == []
    assert softplus(2.0).requires_grad is False  # a plain number in: a constant out


def test_custom_operation_shows_its_symbol_and_formula() -> None:
    softplus = custom_operation("softplus", softplus_float, lambda x, out: (sigmoid(x),),
                                symbol="ς", formula="d/dx softplus(x) = σ(x)")
    x = Value(0.5, label="x")
    out = softplus(x)
    out.backward()
    assert "label=ς" in draw_graph(out).source or 'label="ς"' in draw_graph(out).source
    table = explain(out)
    assert [step.op for step in table] == ["ς"]
    assert str(table).endswith("local derivatives:\n  ς  d/dx softplus(x) = σ(x)")
    assert "<code>ς</code>: d/dx softplus(x) = σ(x)" in table._repr_html_()
    assert CUSTOM_OPERATIONS["softplus"].formula == "d/dx softplus(x) = σ(x)"
    assert "d/dx softplus(x) = σ(x)" in repr(softplus)


def test_custom_operation_of_two_inputs() -> None:
    hypot = custom_operation(
        "hypot", math.hypot, lambda x, y, out: (x / out, y / out), formula="d/dx √(x²+y²) = x/r"
    )
    x, y = Value(3.0), Value(4.0)
    out = hypot(x, y) * 2
    out.backward()
    assert (out.data, x.grad, y.grad) == (10.0, 1.2, 1.6)
    assert hypot.operation.arity == 2  # math.hypot takes *args: counted from derivatives
    assert gradcheck(lambda a, b: hypot(a, b), [1.5, -0.5])
    with pytest.raises(TypeError, match="'hypot' takes 2 inputs"):
        hypot(x)


def test_custom_operation_at_every_order_with_derivative_values() -> None:
    softplus = make_softplus(derivative_values=lambda x, out: (x.sigmoid(),))
    x = Value(0.3)
    (slope,) = grad(softplus(x), x, create_graph=True)
    (curvature,) = grad(slope, x, create_graph=True)
    s = sigmoid(0.3)
    assert slope.data == pytest.approx(s, rel=1e-14)
    assert curvature.data == pytest.approx(s * (1 - s), rel=1e-14)
    assert grad(curvature, x)[0].data == pytest.approx(s * (1 - s) * (1 - 2 * s), rel=1e-13)
    assert gradcheck(lambda v: grad(softplus(v), v, create_graph=True)[0], [0.3])


def test_create_graph_through_a_custom_operation_without_derivative_values() -> None:
    softplus = make_softplus()
    x = Value(0.3)
    with pytest.raises(RuntimeError, match=r"'softplus'.*derivative_values"):
        grad(softplus(x) * x, x, create_graph=True)


@pytest.mark.parametrize(
    ("forward", "derivatives", "error", "words"),
    [
        (lambda x: "1.0", lambda x, out: (1.0,), TypeError,
         ["forward(2.0)", "str", "not a number"]),
        (lambda x: Value(x), lambda x, out: (1.0,), TypeError, ["forward(2.0)", "Value"]),
        (lambda x: math.inf, lambda x, out: (1.0,), ValueError, ["forward(2.0)", "inf",
                                                                  "finite inputs"]),
        (lambda x: x, lambda x, out: 1.0, TypeError, ["derivatives(2.0, 2.0)", "tuple"]),
        (lambda x: x, lambda x, out: (1.0, 2.0), ValueError, ["2 local derivatives for 1 input"]),
        (lambda x: x, lambda x, out: (), ValueError, ["0 local derivatives for 1 input"]),
        (lambda x: x, lambda x, out: (math.nan,), ValueError, ["derivatives(2.0, 2.0)[0]", "nan"]),
        (lambda x: x, lambda x, out: (None,), TypeError, ["[0]", "NoneType", "not a number"]),
        (lambda x: x, lambda x, out: (True,), TypeError, ["bool"]),
    ],
)
def test_bad_returns_name_the_operation(
    forward: Callable[..., object], derivatives: Callable[..., object],
    error: type[Exception], words: list[str],
) -> None:
    broken = custom_operation("broken", forward, derivatives)  # type: ignore[arg-type]
    with pytest.raises(error) as raised:
        broken(Value(2.0))
    message = str(raised.value)
    for word in ["'broken'", *words]:
        assert word in message, message


def test_bad_derivative_values_name_the_operation() -> None:
    broken = custom_operation("broken", lambda x: x, lambda x, out: (1.0,),
                              derivative_values=lambda x, out: (x, x))
    x = Value(2.0)
    with pytest.raises(ValueError, match=r"'broken'.*derivative_values.*2 local derivatives"):
        grad(broken(x), x, create_graph=True)
    wrong_type = custom_operation("wrong_type", lambda x: x, lambda x, out: (1.0,),
                                  derivative_values=lambda x, out: ("1",))
    with pytest.raises(TypeError, match=r"'wrong_type'.*Value.*or a number"):
        grad(wrong_type(x), x, create_graph=True)
    for infinite in (math.inf, Value(math.nan)):
        not_finite = custom_operation("not_finite", lambda x: x, lambda x, out: (1.0,),
                                      derivative_values=lambda x, out, d=infinite: (d,))
        with pytest.raises(ValueError, match=r"'not_finite'.*derivative_values.*from finite"):
            grad(not_finite(x), x, create_graph=True)


def test_a_value_keeps_the_rules_it_was_built_with_when_its_operation_is_redefined() -> None:
    from micrograd_ann import backprop_page, compile_gradient

    square = custom_operation("sq", lambda x: x * x, lambda x, out: (2 * x,),
                              derivative_values=lambda x, out: (2 * x,),
                              symbol="sq²", formula="d/dx x² = 2x")
    x = Value(3.0, label="x")
    y = square(x)
    cube = custom_operation("sq", lambda x: x**3, lambda x, out: (3 * x * x,),
                            derivative_values=lambda x, out: (3 * x * x,),
                            symbol="sq³", formula="d/dx x³ = 3x²")
    # y = x² at 3: y' = 6, y'' = 2 (by hand), on every path
    (slope,) = grad(y, x, create_graph=True)
    assert (slope.data, grad(slope, x)[0].data) == (6.0, 2.0)
    assert grad(y, x)[0].data == 6.0
    y.backward()
    assert x.grad == 6.0
    assert str(explain(y)).endswith("sq²  d/dx x² = 2x")
    source = draw_graph(y).source
    assert "sq²" in source and "sq³" not in source
    page = backprop_page(y).html
    assert "d/dx x² = 2x" in page and "3x²" not in page
    assert y.op == "sq" and CUSTOM_OPERATIONS["sq"] is cube.operation
    # the new definition, for the Values built from then on
    z = cube(x)
    (slope,) = grad(z, x, create_graph=True)
    assert (z.data, slope.data, grad(slope, x)[0].data) == (27.0, 27.0, 18.0)
    z.backward()
    assert str(explain(z)).endswith("sq³  d/dx x³ = 3x²")
    with pytest.raises(ValueError, match="custom_operation"):  # never compiled, old or new
        compile_gradient(square, [3.0])


@pytest.mark.parametrize("name", sorted(OPERATIONS))
def test_a_built_in_name_is_refused(name: str) -> None:
    with pytest.raises(ValueError, match="built-in"):
        custom_operation(name, lambda x: x, lambda x, out: (1.0,))
    assert name not in CUSTOM_OPERATIONS


@pytest.mark.parametrize(
    ("arguments", "error", "words"),
    [
        (("", lambda x: x, lambda x, out: (1.0,)), ValueError, ["identifier"]),
        (("two words", lambda x: x, lambda x, out: (1.0,)), ValueError, ["identifier"]),
        ((7, lambda x: x, lambda x, out: (1.0,)), TypeError, ["name must be a str", "int: 7"]),
        (("f", 3.0, lambda x, out: (1.0,)), TypeError, ["forward must be a function"]),
        (("f", lambda x: x, None), TypeError, ["derivatives must be a function"]),
    ],
)
def test_bad_definitions_are_refused(
    arguments: tuple[object, ...], error: type[Exception], words: list[str]
) -> None:
    with pytest.raises(error) as raised:
        custom_operation(*arguments)  # type: ignore[arg-type]
    for word in words:
        assert word in str(raised.value)
