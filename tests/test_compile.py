"""compile_gradient: generated code gives the graph path's numbers, bit for bit, and is safe."""

from __future__ import annotations

import itertools
import math
import random
import time
from collections.abc import Callable
from typing import Any

import pytest

from micrograd_ann import Value, compile_gradient, grad, operations

Function = Callable[..., Value]

# One function per operation (and the n-ary nodes), with an input range where it is defined.
CASES: dict[str, tuple[Function, int, tuple[float, float]]] = {
    "add": (lambda a, b: a + b, 2, (-3.0, 3.0)),
    "sub": (lambda a, b: a - b, 2, (-3.0, 3.0)),
    "mul": (lambda a, b: a * b, 2, (-3.0, 3.0)),
    "div": (lambda a, b: a / b, 2, (0.5, 3.0)),
    "pow": (lambda a, b: a**b, 2, (0.5, 3.0)),
    "pow_constant": (lambda a: a**3 + (a * a) ** 0.5, 1, (-3.0, 3.0)),
    "neg": (lambda a: -a * a, 1, (-3.0, 3.0)),
    "abs": (lambda a: abs(a) * a, 1, (-3.0, 3.0)),
    "exp": (lambda a: a.exp(), 1, (-3.0, 3.0)),
    "log": (lambda a: a.log(), 1, (0.1, 3.0)),
    "tanh": (lambda a: a.tanh(), 1, (-3.0, 3.0)),
    "sigmoid": (lambda a: a.sigmoid() * a, 1, (-40.0, 40.0)),
    "relu": (lambda a, b: (a * b).relu() + a, 2, (-3.0, 3.0)),
    "sin": (lambda a: a.sin(), 1, (-3.0, 3.0)),
    "cos": (lambda a: a.cos(), 1, (-3.0, 3.0)),
    "sqrt": (lambda a: (a * a + 1.0).sqrt(), 1, (-3.0, 3.0)),
    "sum": (lambda a, b, c: Value.sum([a, b * c, a, 2.0]), 3, (-3.0, 3.0)),
    "dot": (lambda a, b, c: Value.dot([a, b], [c, 3.0], b).tanh(), 3, (-3.0, 3.0)),
    "reuse": (lambda a, b: (a * b + a).tanh() * (a - b), 2, (-3.0, 3.0)),
}


def graph_path(f: Function, xs: list[float]) -> tuple[float, list[float]]:
    values = [Value(x) for x in xs]
    out = f(*values)
    out.backward()
    return out.data, [value.grad for value in values]


@pytest.mark.parametrize("name", sorted(CASES))
def test_same_numbers_as_the_graph_path_bit_for_bit(name: str) -> None:
    f, count, (low, high) = CASES[name]
    generator = random.Random(name)
    compiled = compile_gradient(f, [generator.uniform(low, high) for _ in range(count)])
    for _ in range(50):
        xs = [generator.uniform(low, high) for _ in range(count)]
        value, grads = compiled(*xs)
        expected_value, expected_grads = graph_path(f, xs)
        assert value == expected_value
        assert list(grads) == expected_grads


def test_gradient_matches_a_hand_derivation() -> None:
    # d/dw tanh(w·x + b) = x·(1 − tanh²), d/dx = w·(1 − tanh²), d/db = 1 − tanh².
    compiled = compile_gradient(lambda x, w, b: (x * w + b).tanh(), [0.5, -1.5, 0.2])
    value, (grad_x, grad_w, grad_b) = compiled(0.5, -1.5, 0.2)
    t = math.tanh(0.5 * -1.5 + 0.2)
    assert value == pytest.approx(t, rel=1e-15)
    assert grad_b == pytest.approx(1 - t * t, rel=1e-14)
    assert grad_w == pytest.approx(0.5 * (1 - t * t), rel=1e-14)
    assert grad_x == pytest.approx(-1.5 * (1 - t * t), rel=1e-14)


def test_branches_inside_operations_are_right_on_both_sides() -> None:
    compiled = compile_gradient(lambda a: a.relu() + abs(a) + a.sigmoid(), [2.0])
    for x in (-2.0, 0.0, 2.0, -800.0, 800.0):
        assert compiled(x) == (lambda r: (r[0], tuple(r[1])))(graph_path(
            lambda a: a.relu() + abs(a) + a.sigmoid(), [x]))


def test_source_reads_as_the_chain_rule() -> None:
    compiled = compile_gradient(lambda x, w: x * w, [2.0, 3.0])
    assert "grad_w += grad_mul1 * x  # mul: ∂/∂w = x" in compiled.source
    assert "mul1 = x * w  # mul" in compiled.source
    assert compiled.input_names == ("x", "w")


def test_constants_are_written_exactly() -> None:
    third = 1.0 / 3.0
    not_a_number = math.inf * 0.0
    compiled = compile_gradient(lambda x: x * third + not_a_number + x, [1.0])
    assert repr(third) in compiled.source and "math.nan" in compiled.source
    value, (slope,) = compiled(2.0)
    assert math.isnan(value)  # nan + 2.0, but the gradient does not go through the constant:
    assert slope == third + 1.0  # d/dx (x/3 + c + x), the graph path's float sum bit for bit
    assert slope == graph_path(lambda x: x * third + not_a_number + x, [2.0])[1][0]
    signed = compile_gradient(lambda x: x * -0.0 + (x - math.inf), [1.0])
    assert "(-0.0)" in signed.source and "math.inf" in signed.source
    value, (slope,) = signed(2.0)
    assert value == -math.inf and slope == 1.0 + -0.0
    zero = compile_gradient(lambda x: x * -0.0, [1.0])(2.0)[0]
    assert zero == 0.0 and math.copysign(1.0, zero) == -1.0  # -0.0, not 0.0


@pytest.mark.parametrize(
    ("f", "xs", "error"),
    [
        (lambda a: a.log(), [-1.0], ValueError),
        (lambda a: a.sqrt(), [-4.0], ValueError),
        (lambda a, b: a / b, [1.0, 0.0], ZeroDivisionError),
        (lambda a: a.exp(), [1000.0], OverflowError),
        (lambda a, b: (a * b).tanh(), [1e200, 1e200], OverflowError),
        (lambda a, b: a**b, [-2.0, 2.0], ValueError),
    ],
)
def test_domain_errors_have_the_engines_type_and_message(
    f: Function, xs: list[float], error: type[Exception]
) -> None:
    compiled = compile_gradient(f, [1.0] * len(xs) if len(xs) > 1 else [1.0])
    with pytest.raises(error) as engine_error:
        graph_path(f, xs)
    with pytest.raises(error) as compiled_error:
        compiled(*xs)
    assert str(compiled_error.value) == str(engine_error.value)


HOSTILE_LABELS = [
    "\nimport os",
    "x'); os.system('echo owned')  #",
    "a\u2028os.system('x')",
    "b\u2029raise SystemExit",
    "c\x85d\re\x0cf\x00",
    "__import__('os')",
    "sum",
    "math",
    "grad_x",
    "mul1",
    "def",
    "x" * 500,
]


def test_hostile_labels_change_nothing_but_comments() -> None:
    def labelled(a: Value, b: Value) -> Value:
        out = a * b
        for index, node in enumerate([a, b, out]):
            node.label = HOSTILE_LABELS[index % len(HOSTILE_LABELS)]
        middle = (out + a).tanh()
        middle.label = HOSTILE_LABELS[3]
        rest = middle
        for label in HOSTILE_LABELS[4:]:
            rest = rest * 1.5 + b
            rest.label = label
        return rest

    def plain(a: Value, b: Value) -> Value:
        middle = (a * b + a).tanh()
        for _ in HOSTILE_LABELS[4:]:
            middle = middle * 1.5 + b
        return middle

    compiled = compile_gradient(labelled, [0.3, -0.7])
    reference = compile_gradient(plain, [0.3, -0.7])
    for line in compiled.source.splitlines():
        code = line.split("#", 1)[0]
        assert "os" not in code.split() and "import" not in code and "system" not in code
    assert len(compiled.source.splitlines()) == len(reference.source.splitlines())
    assert "\u2028" not in compiled.source and "\u2029" not in compiled.source
    assert "\x85" not in compiled.source and "\r" not in compiled.source
    for xs in ([0.3, -0.7], [1.2, 2.5]):
        assert compiled(*xs) == reference(*xs)


def test_values_closed_over_are_constants_and_wrong_use_is_refused() -> None:
    w = Value(3.0)
    compiled = compile_gradient(lambda x: x * w, [2.0])
    assert compiled(5.0) == (15.0, (3.0,))
    with pytest.raises(TypeError, match="takes 1 inputs"):
        compiled(1.0, 2.0)
    with pytest.raises(TypeError, match="must return a Value"):
        compile_gradient(lambda x: 1.0, [1.0])  # type: ignore[arg-type,return-value]
    with pytest.raises(ValueError, match="does not depend"):
        compile_gradient(lambda x: x.detach() * 2.0, [1.0])


def test_a_large_graph_compiles() -> None:
    def chain(x: Value, y: Value) -> Value:
        for _ in range(3000):
            x = (x * y).tanh() + 0.5
        return x

    compiled = compile_gradient(chain, [0.3, 0.9])
    value, grads = compiled(0.4, 0.8)
    expected_value, expected_grads = graph_path(chain, [0.4, 0.8])
    assert (value, list(grads)) == (expected_value, expected_grads)


def test_cli_prints_the_generated_code(capsys: pytest.CaptureFixture[str]) -> None:
    from micrograd_ann.cli import main

    assert main(["grad", "tanh(x*w + b)", "x=0.5", "w=-1.5", "b=0.2", "--code"]) == 0
    printed = capsys.readouterr().out
    assert "def value_and_grad(x, w, b):" in printed
    assert "grad_w += grad_mul1 * x  # mul: ∂/∂w = x" in printed
    source = printed[printed.index("def value_and_grad"):]
    compiled = compile_gradient(lambda x, w, b: (x * w + b).tanh(), [0.5, -1.5, 0.2])
    assert len(source.splitlines()) == len(compiled.source.splitlines())
    assert "    return out, (grad_x, grad_w, grad_b)" in source


# Every operation of the table, on the numbers where float rules branch or give up: signed zeros,
# infinities, nan, a number that overflows when squared, and ordinary numbers of both signs.
SPECIAL_NUMBERS = [0.0, -0.0, 1.5, -2.0, 1e300, math.inf, -math.inf, math.nan]


def table_function(name: str) -> tuple[Function, int]:
    """`name` applied to Values through its `Value` method, and how many inputs it takes."""
    operation = operations.OPERATIONS[name]
    if name == "sum":
        return (lambda a, b, c: Value.sum([a, b, c])), 3
    if name == "dot":
        return (lambda a, b, c: Value.dot([a, b], [c, a], b)), 3
    method = getattr(Value, operation.method)
    return method, operation.arity or 1


def same_float(first: float, second: float) -> bool:
    if math.isnan(first) or math.isnan(second):
        return math.isnan(first) and math.isnan(second)
    return first == second and math.copysign(1.0, first) == math.copysign(1.0, second)


def outcome(run: Callable[..., tuple[float, Any]], *xs: float) -> tuple[str, object]:
    """(value, grads) as lists, or the exception's type and message."""
    try:
        value, grads = run(*xs)
    except Exception as error:
        return "error", (type(error), str(error))
    return "numbers", (value, list(grads))


@pytest.mark.parametrize("name", sorted(operations.OPERATIONS))
def test_every_operation_on_non_finite_numbers_matches_the_graph_path(name: str) -> None:
    f, count = table_function(name)
    compiled = compile_gradient(f, [0.75] * count)
    for xs in itertools.product(SPECIAL_NUMBERS, repeat=count):
        graph_kind, graph = outcome(lambda *numbers: graph_path(f, list(numbers)), *xs)
        compiled_kind, result = outcome(compiled, *xs)
        assert compiled_kind == graph_kind, (name, xs, graph, result)
        if graph_kind == "error":
            assert result == graph, (name, xs)
        else:
            (value, grads), (expected_value, expected_grads) = result, graph  # type: ignore[misc]
            assert same_float(value, expected_value), (name, xs, result, graph)
            assert all(map(same_float, grads, expected_grads)), (name, xs, result, graph)


def test_an_output_that_is_not_computed_from_the_inputs_is_refused() -> None:
    w = Value(5.0)
    with pytest.raises(ValueError, match="leaf that is not one of the inputs"):
        compile_gradient(lambda x: w, [1.0])
    assert compile_gradient(lambda x: x, [1.0])(4.0) == (4.0, (1.0,))


def test_an_exponent_closed_over_refuses_a_negative_base_as_the_engine_does() -> None:
    k = Value(2.0)  # wants a gradient, though it is a constant of the compiled code
    compiled = compile_gradient(lambda x: x**k, [3.0])
    assert compiled(3.0) == (9.0, (6.0,))  # 3², 2·3
    with pytest.raises(ValueError) as engine_error:
        graph_path(lambda x: x**k, [-3.0])
    with pytest.raises(ValueError) as compiled_error:
        compiled(-3.0)
    assert str(compiled_error.value) == str(engine_error.value)
    # a plain-number exponent has no such check, and a constant base writes none
    assert compile_gradient(lambda x: x**2.0, [3.0])(-3.0) == (9.0, (-6.0,))
    assert "< 0.0" not in compile_gradient(lambda x: 2.0**x, [1.0]).source


@pytest.mark.parametrize(
    ("example_inputs", "shown"),
    [(None, "NoneType None"), (3.0, "float 3.0; for one input pass a list of one: [3.0]"),
     (Value(2.0), "pass numbers, not Values: [2.0]"), ("ab", "str 'ab'")],
)
def test_example_inputs_that_are_not_a_list_of_numbers_are_refused(
    example_inputs: Any, shown: str
) -> None:
    with pytest.raises(TypeError, match="example_inputs must be a list of numbers") as error:
        compile_gradient(lambda x: x * x, example_inputs)
    assert shown in str(error.value)
    with pytest.raises(TypeError, match=r"example_inputs\[1\] must be a real number"):
        compile_gradient(lambda x, y: x * y, [1.0, None])  # type: ignore[list-item]


def test_a_custom_operation_is_refused_with_what_to_do_instead() -> None:
    from micrograd_ann import custom_operation

    softplus = custom_operation(
        "softplus_for_compile_test",
        forward=lambda x: math.log1p(math.exp(-abs(x))) + max(x, 0.0),
        derivatives=lambda x, out: (1.0 / (1.0 + math.exp(-x)),),
    )
    with pytest.raises(ValueError, match="no code generator") as error:
        compile_gradient(lambda x: softplus(x * 2.0), [1.0])
    assert "'softplus_for_compile_test' (a custom_operation)" in str(error.value)
    assert "out.backward()" in str(error.value) and "train() falls back" in str(error.value)


def test_helpers_the_code_calls_are_named_in_it() -> None:
    source = compile_gradient(lambda x, y: (x / y).relu() * x, [1.0, 2.0]).source
    header = source.split("# forward pass")[0]
    for helper in ("divide", "relu", "name_derivatives", "operations.py", "overflow"):
        assert helper in header
    assert "exponent_error" not in source


@pytest.mark.parametrize(
    ("f", "xs"),
    [
        # the 13th of 20 products overflows: inside the second run of checks
        (lambda x, y: Value.sum([x * (y * float(k < 12 or 1e300)) for k in range(20)]),
         [1e10, 1e10]),
        # an overflow, then 1 / relu(-inf) = 1 / 0: the engine stops at the overflow
        (lambda x, y: 1.0 / (-(x * y)).relu(), [1e200, 1e200]),
        # finite values whose check sum overflows (1e308 + 1e308): a false alarm, no error
        (lambda x, y: (x * 1.0 - y * 1.0) + x * 1.0, [1e308, 1e308]),
    ],
)
def test_overflow_checks_run_together_raise_where_the_engine_does(
    f: Function, xs: list[float]
) -> None:
    compiled = compile_gradient(f, [1.0, -1.0])
    assert "overflow(locals()" in compiled.source
    assert outcome(compiled, *xs) == outcome(lambda *n: graph_path(f, list(n)), *xs)


def test_a_graph_of_20000_nodes_compiles_quickly_and_right() -> None:
    def layers(x: Value, y: Value) -> Value:
        for index in range(5000):  # 4 nodes a step: mul, add, relu or tanh, sub
            z = x * y + 0.25
            x = (z.relu() if index % 2 else z.tanh()) - 0.125
        return x

    start = time.perf_counter()
    compiled = compile_gradient(layers, [0.3, 0.9])
    # A guard against work that grows with the square of the graph (minutes here), not a timing:
    # the time itself is measured in benchmarks/.
    assert time.perf_counter() - start < 60.0
    for xs in ([0.3, 0.9], [-1.5, 1.1]):
        value, grads = compiled(*xs)
        assert (value, list(grads)) == graph_path(layers, xs)


# A derivative taken inside f would be fixed at the traced point; each case, compiled without the
# refusal, gave a wrong number at the second point. The true value there is derived by hand.
GRAD_INSIDE_F: dict[str, tuple[Function, float, float, float]] = {
    # d/dx(relu(x)·x) = 2x for x > 0, 0 below: traced at 1, at -1 it gave -1 (true 0)
    "relu": (lambda x: grad(x.relu() * x, x, create_graph=True)[0], 1.0, -1.0, 0.0),
    # d/dx(|x|·x) = 2|x|: traced at 1, at -1 it gave 0 (true 2)
    "abs": (lambda x: grad(abs(x) * x, x, create_graph=True)[0], 1.0, -1.0, 2.0),
    # d/dx(x^0.5·x) = 1.5·√x: traced at 0, at 4 it gave inf (true 3)
    "power": (lambda x: grad(x**0.5 * x, x, create_graph=True)[0], 0.0, 4.0, 3.0),
    # a first derivative is a constant: (d/dx x³)·x = 3x³ would be 3x traced at 1 (true 24 at 2)
    "constant": (lambda x: grad(x**3, x)[0] * x, 1.0, 2.0, 24.0),
}


@pytest.mark.parametrize("name", sorted(GRAD_INSIDE_F))
def test_a_function_that_calls_grad_is_refused(name: str) -> None:
    f, traced_at, elsewhere, true_value = GRAD_INSIDE_F[name]
    with pytest.raises(ValueError, match=r"cannot compile a function that calls grad\(\)"):
        compile_gradient(f, [traced_at])
    # the refusal ends with the trace: the graph path still answers, and rightly
    assert f(Value(elsewhere)).data == true_value
