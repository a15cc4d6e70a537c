"""The whitelist expression parser: what it accepts, what it refuses, and its gradients."""

from __future__ import annotations

import builtins
import math
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from micrograd_ann import Value
from micrograd_ann.expression import ExpressionError, evaluate, parse_bindings


def variables(**values: float) -> dict[str, Value]:
    return {name: Value(value, label=name) for name, value in values.items()}


def test_neuron_expression_value_and_gradient_by_hand() -> None:
    bound = variables(x=0.5, w=-1.5, b=0.2)
    out = evaluate("tanh(x*w + b)", bound)
    out.backward()
    t = math.tanh(0.5 * -1.5 + 0.2)
    slope = 1 - t * t  # d tanh(u)/du, and u = x·w + b
    assert out.data == pytest.approx(t, rel=1e-12)
    assert bound["x"].grad == pytest.approx(slope * -1.5, rel=1e-12)
    assert bound["w"].grad == pytest.approx(slope * 0.5, rel=1e-12)
    assert bound["b"].grad == pytest.approx(slope, rel=1e-12)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("x + 2 * y", 3.0 + 2 * 4.0),
        ("x - y / 2", 3.0 - 2.0),
        ("x ** 2 - -y", 9.0 + 4.0),
        ("+x", 3.0),
        ("2 ** x", 8.0),
        ("exp(0) + log(1) + sin(0) + cos(0)", 2.0),
        ("sqrt(y) + abs(-x) + relu(-x) + sigmoid(0)", 2.0 + 3.0 + 0.0 + 0.5),
        ("(x + y) * (x - y)", 9.0 - 16.0),
    ],
)
def test_whitelisted_syntax_evaluates_like_math(text: str, expected: float) -> None:
    assert evaluate(text, variables(x=3.0, y=4.0)).data == pytest.approx(expected)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("x.real", "attribute"),
        ("x[0]", "subscripts"),
        ("lambda: 1", "lambdas"),
        ("[a for a in x]", "comprehensions"),
        ("__import__('os')", "not a function we know"),
        ("open('f')", "not a function we know"),
        ("x // 2", "FloorDiv"),
        ("x if x else 1", "conditional"),
        ("x < 1", "comparisons"),
        ("y", "unknown name 'y'"),
        ("exp", "is a function"),
        ("exp(x, x)", "exactly one argument"),
        ("exp(x=1)", "exactly one argument"),
        ("True", "not a real number"),
        ("1j", "not a real number"),
        ("'text'", "not a real number"),
        ("(x := 2)", "assignments"),
        ("x +", "not a valid expression"),
        ("(" * 300 + "x" + ")" * 300, "not a valid expression"),
        ("-" * 500 + "x", "nested"),
        ("x" + " + x" * 1000, "characters long"),
    ],
)
def test_everything_else_is_refused_with_a_reason(text: str, fragment: str) -> None:
    with pytest.raises(ExpressionError) as raised:
        evaluate(text, variables(x=1.0))
    assert fragment in str(raised.value)


def test_numbers_are_floats_so_towers_of_powers_overflow_at_once() -> None:
    with pytest.raises(OverflowError, match="pow"):
        evaluate("9**9**9**9", {})


def test_domain_errors_come_from_the_engine() -> None:
    with pytest.raises(ValueError, match="log"):
        evaluate("log(x - 1)", variables(x=1.0))
    with pytest.raises(ZeroDivisionError):
        evaluate("1 / (x - x)", variables(x=1.0))


@pytest.mark.parametrize(
    ("bindings", "fragment"),
    [
        (["x"], "NAME=VALUE"),
        (["x=abc"], "not a number"),
        (["1x=2"], "not a variable name"),
        (["for=2"], "not a variable name"),
        (["exp=2"], "function name"),
        (["x=1", "x=2"], "bound twice"),
        (["x=nan"], "finite"),
        (["x=inf"], "finite"),
    ],
)
def test_malformed_bindings_are_refused(bindings: list[str], fragment: str) -> None:
    with pytest.raises(ExpressionError) as raised:
        parse_bindings(bindings)
    assert fragment in str(raised.value)


def test_bindings_parse_to_floats() -> None:
    assert parse_bindings(["x=0.5", "w = -1.5", "b=2"]) == {"x": 0.5, "w": -1.5, "b": 2.0}


HOSTILE_ALPHABET = list("xy()+-*/.,[]'_:=<>!@%&|^~ 0123456789ejlambdaoimprt")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(HOSTILE_ALPHABET), max_size=60))
def test_hostile_text_never_escapes_as_an_unexpected_exception(text: str) -> None:
    def forbidden(*_: object, **__: object) -> None:
        raise AssertionError("the parser must never execute code")

    # ast.parse itself goes through compile(), so only eval and exec are fenced off.
    with mock.patch.object(builtins, "eval", forbidden), \
            mock.patch.object(builtins, "exec", forbidden):
        try:
            result = evaluate(text, variables(x=0.5, y=-1.25))
        except (ExpressionError, ArithmeticError, ValueError):
            return
    assert isinstance(result, Value)


def test_a_long_flat_sum_is_accepted() -> None:
    assert evaluate("+".join(["x"] * 300), variables(x=0.5)).data == 150.0
