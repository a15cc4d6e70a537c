"""The JavaScript dialect: every operation's JavaScript rules against its Python rules, in Chromium.

For each operation of the table, hypothesis draws batches of inputs (finite numbers across the
operation's domain and beyond it, ±0, ±inf, nan); each batch runs in one page evaluation of the
generated JavaScript program (`javascript.gradient_program`). The reference is the engine itself:
`f(*values)` then `backward()` in Python. Where the engine gives numbers, the page gives the
same value and gradients: bit for bit for the correctly rounded operations (+, −, ×, ÷, √, and
the ones that only move signs), within 1e-12 relative where the two languages' libraries
(exp, log, tanh, sin, cos, pow) may differ by an ulp; signed zeros, ±inf and nan alike. Where
the engine raises, the page throws the same class with the same message.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from micrograd_ann import Value
from micrograd_ann.compile import generate_source
from micrograd_ann.javascript import gradient_program, javascript_number
from micrograd_ann.operations import OPERATIONS
from tests.test_pages import BROWSER_ARGS, chromium_path

# Operations whose JavaScript and Python both round correctly: equal to the last bit.
EXACT = {"add", "sub", "mul", "div", "neg", "abs", "relu", "sqrt", "sum", "dot"}

SPECIAL = [0.0, -0.0, 1.0, -1.0, 2.0, 0.5, -2.0, math.inf, -math.inf, math.nan]


def numbers(low: float, high: float) -> st.SearchStrategy[float]:
    """Mostly ordinary numbers in [low, high], some anywhere, some special."""
    return st.one_of(
        st.floats(low, high),
        st.floats(allow_nan=True, allow_infinity=True),
        st.sampled_from(SPECIAL),
        st.integers(-6, 6).map(float),
    )


# Each operation: how many inputs, the graph applying it, and where its inputs come from.
GRAPHS: dict[str, tuple[int, Callable[..., Value], st.SearchStrategy[float]]] = {
    "add": (2, lambda a, b: a + b, numbers(-1e308, 1e308)),
    "sub": (2, lambda a, b: a - b, numbers(-1e308, 1e308)),
    "mul": (2, lambda a, b: a * b, numbers(-1e200, 1e200)),
    "div": (2, lambda a, b: a / b, numbers(-1e10, 1e10)),
    "pow": (2, lambda a, b: a**b, numbers(-30.0, 30.0)),
    "neg": (1, lambda x: -x, numbers(-1e308, 1e308)),
    "abs": (1, abs, numbers(-1e308, 1e308)),
    "exp": (1, lambda x: x.exp(), numbers(-760.0, 720.0)),
    "log": (1, lambda x: x.log(), numbers(-1.0, 1e300)),
    "tanh": (1, lambda x: x.tanh(), numbers(-25.0, 25.0)),
    "sigmoid": (1, lambda x: x.sigmoid(), numbers(-800.0, 800.0)),
    "relu": (1, lambda x: x.relu(), numbers(-1e308, 1e308)),
    "sin": (1, lambda x: x.sin(), numbers(-1e6, 1e6)),
    "cos": (1, lambda x: x.cos(), numbers(-1e6, 1e6)),
    "sqrt": (1, lambda x: x.sqrt(), numbers(-1.0, 1e300)),
    "sum": (4, lambda *terms: Value.sum(terms), numbers(-1e300, 1e300)),
    "dot": (5, lambda w0, w1, x0, x1, b: Value.dot([w0, w1], [x0, x1], b), numbers(-1e150, 1e150)),
}


def test_every_operation_of_the_table_is_tested() -> None:
    assert set(GRAPHS) == set(OPERATIONS)
    assert all(operation.javascript is not None for operation in OPERATIONS.values())


def python_results(op: str, inputs: list[float]) -> dict[str, object]:
    """The engine's value and gradients at `inputs`, or the error it raises."""
    _, graph, _ = GRAPHS[op]
    values = [Value(x, label=f"x{index}") for index, x in enumerate(inputs)]
    try:
        out = graph(*values)
        out.backward()
    except ArithmeticError as error:
        return {"error": f"{type(error).__name__}: {error}"}
    except ValueError as error:
        return {"error": f"ValueError: {error}"}
    return {"out": out.data, "grads": [value.grad for value in values]}


def program_of(op: str) -> str:
    count, graph, _ = GRAPHS[op]
    values = [Value(0.5 + index, label=f"x{index}") for index in range(count)]
    return gradient_program(graph(*values), values)


# Runs one batch: inputs arrive as Python's repr, results leave the same way, so that nan,
# ±inf and -0.0 cross intact.
BATCH = """([program, batch]) => {
  const run = (new Function(program + "\\nreturn micrograd_program;"))();
  const parse = (text) => text === "nan" ? NaN : text === "inf" ? Infinity
    : text === "-inf" ? -Infinity : Number(text);
  return batch.map((inputs) => {
    try {
      const result = run.run(inputs.map(parse));
      return {out: run.repr(result.out), grads: result.grads.map(run.repr)};
    } catch (error) {
      return {error: error.name + ": " + error.message};
    }
  });
}"""


@pytest.fixture(scope="module")
def blank_page() -> Iterator[object]:
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    executable = chromium_path()
    if executable is None:
        pytest.skip("no Chromium on PATH (Debian: apt-get install chromium)")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=BROWSER_ARGS)
        page = browser.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.set_content("<!DOCTYPE html><title>rules</title>")
        yield page
        assert errors == []
        browser.close()


def same_float(python: float, page: float, exact: bool) -> bool:
    if math.isnan(python) or math.isnan(page):
        return math.isnan(python) and math.isnan(page)
    if python == 0.0 or page == 0.0 or math.isinf(python) or exact:
        return repr(python) == repr(page)  # signed zeros and infinities included
    return math.isclose(python, page, rel_tol=1e-12, abs_tol=1e-320)


@pytest.mark.browser
@pytest.mark.parametrize("op", sorted(GRAPHS))
def test_javascript_rules_give_pythons_numbers_and_errors(op: str, blank_page: object) -> None:
    count, _, inputs_strategy = GRAPHS[op]
    program = program_of(op)

    @settings(max_examples=8, deadline=None)
    @given(st.lists(st.lists(inputs_strategy, min_size=count, max_size=count), max_size=40))
    def check(batch: list[list[float]]) -> None:
        shown = [[repr(x) for x in inputs] for inputs in batch]
        results = blank_page.evaluate(BATCH, [program, shown])  # type: ignore[attr-defined]
        for inputs, result in zip(batch, results):
            expected = python_results(op, inputs)
            if "error" in expected:
                assert result == expected, inputs
                continue
            assert "error" not in result, (inputs, result)
            got = [float(result["out"]), *map(float, result["grads"])]
            wanted = [expected["out"], *expected["grads"]]  # type: ignore[misc]
            for python, page in zip(wanted, got):
                assert same_float(python, page, op in EXACT), (inputs, wanted, got)

    check()


@pytest.mark.browser
def test_a_chain_of_operations_with_a_shared_value(blank_page: object) -> None:
    """The program of a bigger graph (a value used three times, every edge kind), at random
    points, against backward(): the rules composed, the edges' order and the skipped zeros."""

    def f(x: Value, w: Value, b: Value) -> Value:
        hidden = (x * w + b).tanh()
        return (hidden * x).sigmoid() + (x**2.0).relu() / (b.exp() + 1.0) - abs(hidden - x)

    values = [Value(0.5, label="x"), Value(-1.5, label="w"), Value(0.2, label="b")]
    program = gradient_program(f(*values), values)
    points = [[0.5, -1.5, 0.2], [0.0, 0.0, 0.0], [-0.0, 3.0, -2.0], [2.0, 0.25, -30.0]]
    shown = [[repr(x) for x in point] for point in points]
    results = blank_page.evaluate(BATCH, [program, shown])  # type: ignore[attr-defined]
    for point, result in zip(points, results):
        inputs = [Value(x) for x in point]
        out = f(*inputs)
        out.backward()
        assert same_float(out.data, float(result["out"]), exact=False)
        for value, grad in zip(inputs, result["grads"]):
            assert same_float(value.grad, float(grad), exact=False), (point, result)


@pytest.mark.browser
def test_javascript_number_is_what_string_gives(blank_page: object) -> None:
    samples = [1.0, -2.5, 0.1, 1e21, 1e-7, 123456789012345680000.0, 5e-324, 1.7976931348623157e308,
               0.000001, 1e-6 * 3, 2**53 + 2.0, -1e-300, 100.0, 1.5e16, 0.0, -0.0]
    shown = blank_page.evaluate(  # type: ignore[attr-defined]
        "(numbers) => numbers.map((x) => String(Number(x)))", [repr(x) for x in samples]
    )
    assert shown[-2:] == ["0", "0"]  # String(-0) is "0" (issue 15: String's form)
    assert [javascript_number(x) for x in samples] == shown
    assert [javascript_number(x) for x in (math.nan, math.inf, -math.inf)] == [
        "nan", "inf", "-inf"
    ]
    # for numbers a page computes with, negative zero keeps its sign: Number("-0") is -0
    assert javascript_number(-0.0, signed_zero=True) == "-0"
    assert javascript_number(0.0, signed_zero=True) == "0"
    assert blank_page.evaluate('Object.is(Number("-0"), -0)')  # type: ignore[attr-defined]


def test_python_source_is_unchanged_by_the_dialects() -> None:
    values = [Value(0.5, label="x"), Value(-1.5, label="w")]
    out = (values[0] * values[1]).tanh()
    source, _ = generate_source(out, values)
    assert source.startswith("def value_and_grad(x, w):")
    assert "const " not in source and ";" not in source


MODEL_RUN = """([program, params, rows, seeds]) => {
  const model = (new Function(program + "\\nreturn micrograd_model;"))();
  return rows.map((inputs, index) => {
    const [outputs, state] = model.forward(params, inputs);
    const grads = model.backward(params, inputs, state, seeds[index]);
    return {outputs: outputs.map(String), state: state.map(String), grads: grads.map(String)};
  });
}"""


@pytest.mark.browser
@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid"])
def test_the_model_program_in_javascript_is_the_one_train_runs(
    activation: str, blank_page: object
) -> None:
    """`javascript.model_program(model)` against `compile.model_program(model)` (what train()
    runs): the same outputs, every node's value and the same parameter gradients."""
    import random

    from micrograd_ann import MLP
    from micrograd_ann.compile import model_program as python_model_program
    from micrograd_ann.javascript import model_program

    model = MLP(3, [4, 3, 2], activation=activation, seed=1)
    python_program = python_model_program(model)
    assert python_program is not None
    source = model_program(model)
    generator = random.Random(5)
    params = [parameter.data for parameter in model.parameters()]
    rows = [[generator.uniform(-2, 2) for _ in range(3)] for _ in range(6)]
    seeds = [[generator.uniform(-1, 1) for _ in range(2)] for _ in range(6)]
    results = blank_page.evaluate(MODEL_RUN, [source, params, rows, seeds])  # type: ignore[attr-defined]
    exact = activation == "relu"  # tanh and exp come from two libraries: an ulp apart at most
    for inputs, output_grads, result in zip(rows, seeds, results):
        outputs, state = python_program.forward(params, inputs)
        grads = python_program.backward(params, inputs, state, output_grads)
        for expected, got in ((outputs, result["outputs"]), (state, result["state"]),
                              (grads, result["grads"])):
            assert len(expected) == len(got)
            for python, page in zip(expected, got):
                assert same_float(python, float(page), exact), (python, page)


def neumaier_sum(terms: list[float]) -> float:
    """CPython's `sum(terms, 0.0)` of floats from 3.12 on (Neumaier's compensated sum), written
    from its C source: checked equal to 3.12.1's and 3.13.0's `sum` on 200,000 random lists with
    ±0, ±inf, nan, 1e±308 and subnormals."""
    total, compensation = 0.0, 0.0
    for term in terms:
        following = total + term
        if abs(total) >= abs(term):
            compensation += (total - following) + term
        else:
            compensation += (term - following) + total
        total = following
    if compensation and math.isfinite(compensation):
        total += compensation
    return total


@pytest.mark.browser
def test_python_sum_in_javascript_is_pythons_compensated_sum(blank_page: object) -> None:
    """The runtime's `python_sum`, which the generated code calls for sum and dot when the page
    is made by Python 3.12 or later, adds as that Python's `sum` does."""
    import random

    from micrograd_ann.javascript import RUNTIME

    generator = random.Random(3)
    special = [0.0, -0.0, math.inf, -math.inf, math.nan, 1e308, -1e308, 1e-320, 1.0]
    lists = [
        [generator.choice(special) if generator.random() < 0.3
         else generator.uniform(-1, 1) * 10 ** generator.randint(-20, 20)
         for _ in range(generator.randint(0, 6))]
        for _ in range(400)
    ]
    got = blank_page.evaluate(  # type: ignore[attr-defined]
        """([runtime, lists]) => {
          const run = new Function(runtime + "\\nreturn {python_sum, repr};")();
          const parse = (text) => text === "nan" ? NaN : text === "inf" ? Infinity
            : text === "-inf" ? -Infinity : Number(text);
          return lists.map((terms) => run.repr(run.python_sum(terms.map(parse))));
        }""",
        [RUNTIME, [[repr(x) for x in terms] for terms in lists]],
    )
    assert got == [repr(neumaier_sum(terms)) for terms in lists]
    if sys.version_info >= (3, 12):
        assert all(repr(sum(terms, 0.0)) == repr(neumaier_sum(terms)) for terms in lists)


@pytest.mark.browser
def test_the_tables_rules_themselves_give_pythons_rules(blank_page: object) -> None:
    """Each entry's `javascript.forward` and `.derivatives`, called as the Python rules are
    called (sum and dot take theirs in bulk), against the Python rules at a few points."""
    from micrograd_ann.javascript import RUNTIME

    unary = [[0.5], [-1.25], [2.0], [0.0], [-0.0], [math.inf], [math.nan]]
    calls: list[tuple[str, list[object], list[object]]] = []
    for name, operation in OPERATIONS.items():
        if name == "sum":
            points: list[list[object]] = [[0.1, 0.2, 0.3], [1e16, 1.0, -1e16], [-0.0]]
            calls += [(name, point, [len(point)]) for point in points]
            continue
        if name == "dot":
            point: list[object] = [[0.5, -1.5], [2.0, 0.25], 0.125]
            calls.append((name, point, point[:2]))
            continue
        arity = operation.arity or 1
        for point in (unary if arity == 1 else [[0.5, 2.0], [-3.0, 2.0], [4.0, -0.5], [2.0, 0.0]]):
            try:
                out = operation.forward(*point)
            except (ArithmeticError, ValueError):
                continue
            calls.append((name, point, [*point, out]))
    rules = {name: [op.javascript.forward, op.javascript.derivatives]  # type: ignore[union-attr]
             for name, op in OPERATIONS.items()}
    results = blank_page.evaluate(  # type: ignore[attr-defined]
        """([runtime, rules, calls]) => {
          const run = new Function(runtime + "\\nreturn {repr, python_sum, python_error};")();
          const python_sum = run.python_sum, repr = run.repr, python_error = run.python_error;
          const made = {};
          for (const [name, [forward, derivatives]] of Object.entries(rules)) {
            made[name] = [eval("(" + forward + ")"), eval("(" + derivatives + ")")];
          }
          return calls.map(([name, forwardArguments, derivativeArguments]) => {
            const [forward, derivatives] = made[name];
            return [repr(forward(...forwardArguments)),
                    derivatives(...derivativeArguments).map(repr)];
          });
        }""",
        [RUNTIME, rules, [[name, a, b] for name, a, b in calls]],
    )
    for (name, forward_arguments, derivative_arguments), (out, locals_) in zip(calls, results):
        operation = OPERATIONS[name]
        expected_out = operation.forward(*forward_arguments)
        expected = operation.derivatives(*derivative_arguments)
        assert same_float(expected_out, float(out), name in EXACT), (name, forward_arguments)
        for python, page in zip(expected, locals_):
            assert same_float(python, float(page), name in EXACT), (name, derivative_arguments)
