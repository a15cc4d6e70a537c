"""The user-facing hypothesis strategies: ranges, domains, reprs, kinks and the entry point."""

from __future__ import annotations

import configparser
import importlib
import math
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from micrograd_ann import Value, gradcheck
from micrograd_ann.operations import OPERATIONS
from micrograd_ann.testing import (
    Binary,
    Constant,
    Dot,
    Expression,
    Sum,
    Unary,
    Variable,
    _hypothesis_setup_hook,
    assume_away_from_kinks,
    expressions,
    finite_floats,
    kink_distance,
    points,
    values,
)

REPOSITORY = Path(__file__).resolve().parent.parent


@given(finite_floats(-5.0, 5.0))
def test_finite_floats_stay_in_range_without_subnormals(x: float) -> None:
    assert math.isfinite(x)
    assert -5.0 <= x <= 5.0
    assert x == 0.0 or abs(x) >= sys.float_info.min


@given(values(-2.0, 3.0))
def test_values_are_trainable_leaves(value: Value) -> None:
    assert isinstance(value, Value)
    assert -2.0 <= value.data <= 3.0
    assert value.requires_grad and value.children == () and value.grad == 0.0


@given(points(4, -1.0, 1.0))
def test_points_have_one_float_per_variable(xs: list[float]) -> None:
    assert len(xs) == 4
    assert all(-1.0 <= x <= 1.0 for x in xs)


def test_from_type_gives_values_through_the_setup_hook() -> None:
    _hypothesis_setup_hook()  # what hypothesis runs at start-up once the package is installed

    @given(st.from_type(Value))
    def draw(value: Value) -> None:
        assert isinstance(value, Value)
        assert math.isfinite(value.data)

    draw()


def test_setup_cfg_declares_the_hypothesis_entry_point() -> None:
    config = configparser.ConfigParser()
    config.read(REPOSITORY / "setup.cfg")
    declaration = config["options.entry_points"]["hypothesis"].strip()
    target = declaration.split("=", 1)[1].strip()
    module_name, function_name = target.split(":")
    assert callable(getattr(importlib.import_module(module_name), function_name))
    assert target == "micrograd_ann.testing:_hypothesis_setup_hook"


def test_the_package_imports_without_hypothesis() -> None:
    script = (
        "import sys\n"
        "sys.modules['hypothesis'] = None  # make `import hypothesis` fail\n"
        "import micrograd_ann, micrograd_ann.testing\n"
        "from micrograd_ann.testing import Binary, Constant, Variable\n"
        "assert Binary('+', Variable(0), Constant(1.0)).on_floats([2.0]) == 3.0\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", script], cwd=REPOSITORY, capture_output=True, text=True, timeout=60
    )
    assert completed.returncode == 0, completed.stderr


# -------------------------------------------------------------------------------------------------
# Expression trees
# -------------------------------------------------------------------------------------------------

X0, X1, X2 = Variable(0), Variable(1), Variable(2)


def one_plus_square(expression: Expression) -> Expression:
    return Binary("+", Constant(1.0), Binary("**", expression, Constant(2.0)))


EXAMPLE = Binary("+", Unary("tanh", Binary("*", X0, X1)), Unary("log", one_plus_square(X0)))


@pytest.mark.parametrize(
    ("expression", "shown"),
    [
        (EXAMPLE, "tanh(x0 * x1) + log(1.0 + x0 ** 2.0)"),
        (Binary("-", X0, Binary("-", X1, X2)), "x0 - (x1 - x2)"),
        (Binary("-", Binary("-", X0, X1), X2), "x0 - x1 - x2"),
        (Binary("*", Binary("+", X0, X1), X2), "(x0 + x1) * x2"),
        (Binary("/", X0, Binary("*", X1, X2)), "x0 / (x1 * x2)"),
        (Binary("**", Binary("**", X0, Constant(2.0)), Constant(3.0)), "(x0 ** 2.0) ** 3.0"),
        (Binary("**", Unary("neg", X0), Constant(2.0)), "(-x0) ** 2.0"),
        (Unary("neg", Binary("+", X0, X1)), "-(x0 + x1)"),
        (Binary("*", X0, Constant(-1.5)), "x0 * (-1.5)"),
        (Sum((X0, Unary("relu", X1))), "sum(x0, relu(x1))"),
        (Dot((X0, X1), (X2, Constant(2.0)), Constant(0.5)), "dot([x0, x1], [x2, 2.0], 0.5)"),
    ],
)
def test_repr_reads_like_the_formula(expression: Expression, shown: str) -> None:
    assert repr(expression) == shown


def evaluate_repr(expression: Expression, xs: list[float]) -> float:
    """Evaluate `repr(expression)` as Python with math functions: checks the repr is faithful."""
    namespace: dict[str, Any] = {
        "exp": math.exp, "log": math.log, "tanh": math.tanh, "sin": math.sin, "cos": math.cos,
        "sqrt": math.sqrt, "relu": lambda x: max(x, 0.0),
        "sigmoid": lambda x: 1.0 / (1.0 + math.exp(-x)),
        "sum": lambda *terms: math.fsum(terms),
        "dot": lambda w, x, b: math.fsum([*(a * c for a, c in zip(w, x)), b]),
    }
    namespace.update({f"x{index}": x for index, x in enumerate(xs)})
    result: float = eval(repr(expression), namespace)
    return result


@given(expressions(variables=3, max_depth=3), points(3, -2.0, 2.0))
def test_repr_evaluates_to_the_same_number(expression: Expression, xs: list[float]) -> None:
    assert math.isclose(
        evaluate_repr(expression, xs), expression.on_floats(xs), rel_tol=1e-9, abs_tol=1e-12
    )


def test_three_evaluations_of_a_hand_example() -> None:
    x0, x1 = 0.5, 2.0
    expected = math.tanh(x0 * x1) + math.log(1.0 + x0**2)  # tanh(1) + ln(1.25)
    assert EXAMPLE.on_floats([x0, x1]) == pytest.approx(expected, rel=1e-15)
    result = EXAMPLE(Value(x0), Value(x1))
    assert isinstance(result, Value)
    assert result.data == pytest.approx(expected, rel=1e-15)
    torch = pytest.importorskip("torch", reason="PyTorch is not installed")
    tensors = [torch.tensor(x, dtype=torch.float64) for x in (x0, x1)]
    assert EXAMPLE.on_tensors(tensors).item() == pytest.approx(expected, rel=1e-15)


def test_operations_and_variables_of_a_tree() -> None:
    assert EXAMPLE.operations() == {"add", "tanh", "mul", "log", "pow"}
    assert EXAMPLE.variables() == {0, 1}
    assert Dot((X0,), (X2,), Constant(1.0)).operations() == {"dot"}


@given(expressions(variables=3, max_depth=4), points(3, -3.0, 3.0))
def test_expressions_stay_inside_every_domain(expression: Expression, xs: list[float]) -> None:
    inputs = [Value(x) for x in xs]
    result = expression(*inputs)
    result.backward()
    assert math.isfinite(result.data)
    assert expression.variables() <= {0, 1, 2}
    assert expression.variables()
    assert all(math.isfinite(value.grad) for value in inputs)


def test_expressions_cover_every_operation() -> None:
    seen: set[str] = set()

    @given(expressions(variables=2, max_depth=3))
    def collect(expression: Expression) -> None:
        seen.update(expression.operations())

    collect()
    assert seen == set(OPERATIONS)


@pytest.mark.parametrize(("variables", "max_depth"), [(0, 3), (2, -1)])
def test_expressions_reject_bad_arguments(variables: int, max_depth: int) -> None:
    with pytest.raises(ValueError):
        expressions(variables=variables, max_depth=max_depth)


# -------------------------------------------------------------------------------------------------
# Kinks
# -------------------------------------------------------------------------------------------------


def test_kink_distance_is_the_closest_relu_or_abs_input() -> None:
    x = Value(0.25)
    root = (x - 0.2).relu() + abs(x + 0.3) + (x - 0.26).tanh()
    assert kink_distance(root) == pytest.approx(0.05)
    assert kink_distance((x * 2).tanh()) == math.inf
    assert kink_distance(x) == math.inf


def test_assume_away_from_kinks_rejects_only_close_calls() -> None:
    accepted: list[float] = []

    @given(st.sampled_from([1e-5, 0.5]))
    def check(x: float) -> None:
        assume_away_from_kinks(Value(x).relu() * 2, margin=1e-3)
        accepted.append(x)

    check()
    assert accepted
    assert set(accepted) == {0.5}


# -------------------------------------------------------------------------------------------------
# The documented example (tests/README.md): keep the two in step
# -------------------------------------------------------------------------------------------------


@given(expressions(variables=2), points(2, -2.0, 2.0))
def test_my_gradients(expression: Callable[..., Value], xs: list[float]) -> None:
    assume_away_from_kinks(expression(*map(Value, xs)))
    assert gradcheck(expression, xs, rtol=1e-4)
