"""compile_gradient: generated code gives the graph path's numbers, bit for bit, and is safe."""

from __future__ import annotations

import math
import random
from collections.abc import Callable

import pytest

from micrograd_ann import Value, compile_gradient

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
    compiled = compile_gradient(lambda x: x * third + math.inf * 0.0 + x, [1.0])
    assert repr(third) in compiled.source
    assert compiled(2.0) == (2.0 * third + math.nan * 0.0 + 2.0, (third + 1.0,)) or math.isnan(
        compiled(2.0)[0]
    )


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
