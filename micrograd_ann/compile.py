"""Compile: backpropagation written out as a program.

`compile_gradient(f, example_inputs)` calls `f` once on `Value`s, records the graph, and writes
it as straight-line Python over plain floats:

- the forward pass, one line per node in topological order (`v3 = w * x  # mul`);
- the backward pass, one line per edge in exactly the order `backward()` applies it
  (`grad_w += grad_v3 * x  # mul: ∂/∂w = x`), each node's lines under `if grad_v3 != 0.0:`
  because `backward()` passes nothing on from a node whose gradient is exactly 0.

The generated function makes no `Value` objects, so it runs at the speed of hand-written float
code, and it performs the same float operations in the same order as the graph path: its
results are bit-identical to `f(*values)` followed by `backward()`.

Python control flow in `f` that looks at `.data` (an `if`, a `max`, a loop count) is fixed at
the trace: the compiled code follows the branch the example inputs took, for every input.
Branches *inside* operations (relu, abs, sigmoid's two forms, the power rule's cases) are written
as branches in the code, so those are right everywhere.

Security: the source is executed, so nothing the user wrote reaches it as code. Names are
generated, or taken from a label only when the label is a plain ASCII identifier that clashes
with nothing; labels otherwise appear only in comments, with line breaks and every other
non-printable character removed; numbers are written as `repr(float)` (`math.inf`, `math.nan`).
"""

from __future__ import annotations

import builtins
import inspect
import keyword
import math
import re
from collections.abc import Callable, Sequence
from typing import Any

from micrograd_ann import engine, operations
from micrograd_ann.engine import Value, topological_order

__all__ = ["CompiledGradient", "compile_gradient"]

_LABEL_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,39}")
_GENERATED_NAME = re.compile(r"(v|x|c)[0-9]+")
_COMMENT_LABEL_LENGTH = 40

# Functions the generated code may call, under the names it calls them by. Where the engine's
# forward raises a domain error, the table's own function is called, so the message is the same.
_NAMESPACE: dict[str, Any] = {
    "math": math,
    "sum": sum,
    "abs": abs,
    "divide": operations.DIV.forward,
    "power": operations.POW.forward,
    "power_derivatives": operations.POW.derivatives,
    "exp": operations.EXP.forward,
    "log": operations.LOG.forward,
    "sqrt": operations.SQRT.forward,
    "tanh": math.tanh,
    "sin": math.sin,
    "cos": math.cos,
    "overflow": lambda name, out, *inputs: engine._check_finite(
        operations.OPERATIONS[name], out, inputs
    ),
    "exponent_error": lambda base, exponent: _exponent_error(base, exponent),
}
_RESERVED = set(_NAMESPACE) | set(dir(builtins)) | {"grads", "inputs"}

# Operations whose output can overflow from finite inputs without raising by themselves: the
# engine checks their result (`_check_finite`), so the generated code does too.
_MAY_OVERFLOW = {"add", "sub", "mul", "div", "sum", "dot"}


def _exponent_error(base: float, exponent: float) -> ValueError:
    return ValueError(
        f"pow: {base!r} ** {exponent!r} has no derivative with respect to the "
        "exponent (ln of a negative base); use a plain number as the exponent"
    )


def comment_text(label: str) -> str:
    """`label` made safe for a one-line comment: printable characters only, at most 40."""
    printable = "".join(character for character in label if character.isprintable())
    if len(printable) > _COMMENT_LABEL_LENGTH:
        printable = printable[: _COMMENT_LABEL_LENGTH - 1] + "…"
    return printable


def float_literal(number: float) -> str:
    """Python source for `number`, exact: `repr` for finite floats, `math.inf`/`math.nan`."""
    number = float(number)
    if math.isnan(number):
        return "math.nan"
    if math.isinf(number):
        return "math.inf" if number > 0 else "(-math.inf)"
    text = repr(number)
    return f"({text})" if text.startswith("-") else text


class CompiledGradient:
    """A function and its gradient as generated straight-line Python over floats.

    `compiled(*xs)` returns `(value, grads)`: f's output and ∂output/∂xᵢ for each input, as
    floats. `compiled.source` is the generated code; `compiled.input_names` the names it uses
    for the inputs (from `f`'s parameters or the inputs' labels).
    """

    def __init__(self, source: str, input_names: Sequence[str], function_name: str) -> None:
        self.source = source
        self.input_names = tuple(input_names)
        namespace = dict(_NAMESPACE)
        exec(compile(source, "<compile_gradient>", "exec"), namespace)
        self._function: Callable[..., tuple[float, tuple[float, ...]]] = namespace[function_name]

    def __call__(self, *xs: float) -> tuple[float, tuple[float, ...]]:
        if len(xs) != len(self.input_names):
            raise TypeError(
                f"this compiled gradient takes {len(self.input_names)} inputs "
                f"({', '.join(self.input_names)}), got {len(xs)}"
            )
        floats = [x if type(x) is float else engine._as_float(x, "compiled input") for x in xs]
        return self._function(*floats)

    def __repr__(self) -> str:
        return f"CompiledGradient({', '.join(self.input_names)})"


def compile_gradient(
    f: Callable[..., Value], example_inputs: Sequence[float]
) -> CompiledGradient:
    """Trace `f` once on `Value`s made from `example_inputs` and compile its gradient.

    `f` takes one `Value` per input and returns a `Value`. The result is a `CompiledGradient`:
    `compiled(*xs)` gives `(f(xs), (∂f/∂x₀, ∂f/∂x₁, …))` computed by generated Python alone, the
    same numbers as the graph path. Values `f` uses that are not among its inputs (a parameter
    it closes over, say) are constants of the compiled code, fixed at their traced data.
    """
    if callable(example_inputs) or isinstance(example_inputs, (str, bytes)):
        raise TypeError(
            "compile_gradient(f, example_inputs) needs a sequence of numbers as example_inputs, "
            f"got {type(example_inputs).__name__}"
        )
    floats = [engine._as_float(x, "compile_gradient example input") for x in example_inputs]
    names = _parameter_names(f, len(floats))
    inputs = [Value(x, label=name) for x, name in zip(floats, names)]
    with _grad_enabled():
        root = f(*inputs)
    if not isinstance(root, Value):
        raise TypeError(
            f"compile_gradient: f must return a Value, got {type(root).__name__}: {root!r}"
        )
    if not root.requires_grad:
        raise ValueError(
            "compile_gradient: f's output does not depend on its inputs (it is a constant or "
            "was computed under no_grad()), so there is no gradient to compile"
        )
    source, input_names = generate_source(root, inputs)
    return CompiledGradient(source, input_names, "value_and_grad")


class _grad_enabled:
    """Record the graph while tracing, even when the caller is inside `no_grad()`."""

    def __enter__(self) -> None:
        self._token = engine._grad_enabled.set(True)

    def __exit__(self, *exc: object) -> None:
        engine._grad_enabled.reset(self._token)


def _parameter_names(f: Callable[..., Value], count: int) -> list[str]:
    try:
        parameters = list(inspect.signature(f).parameters.values())
    except (TypeError, ValueError):
        parameters = []
    if len(parameters) == count and all(
        parameter.kind in (parameter.POSITIONAL_ONLY, parameter.POSITIONAL_OR_KEYWORD)
        for parameter in parameters
    ):
        return [parameter.name for parameter in parameters]
    return [f"x{index}" for index in range(count)]


# -------------------------------------------------------------------------------------------------
# Code generation
# -------------------------------------------------------------------------------------------------


class _Names:
    """Variable names: a label when it is a safe, unused identifier, else `v3`, `x0`, `c1`."""

    def __init__(self) -> None:
        self._names: dict[int, str] = {}
        self._used: set[str] = set()
        self._counters = {"v": 0, "x": 0}

    def __getitem__(self, value: Value) -> str:
        return self._names[id(value)]

    def __contains__(self, value: Value) -> bool:
        return id(value) in self._names

    def assign(self, value: Value, prefix: str) -> str:
        label = value.label
        if (
            _LABEL_NAME.fullmatch(label)
            and not keyword.iskeyword(label)
            and label not in _RESERVED
            and not label.startswith("grad_")
            and not _GENERATED_NAME.fullmatch(label)
            and label not in self._used
        ):
            name = label
        else:
            while True:
                self._counters[prefix] += 1
                name = f"{prefix}{self._counters[prefix]}"
                if name not in self._used:
                    break
        self._used.add(name)
        self._names[id(value)] = name
        return name


def _forward_line(node: Value, operands: list[str], name: str) -> list[str]:
    """The line(s) computing `node` from its operands' variables."""
    op = node.op
    if op in ("add", "sub", "mul"):
        symbol = {"add": "+", "sub": "-", "mul": "*"}[op]
        expression = f"{operands[0]} {symbol} {operands[1]}"
    elif op == "div":
        expression = f"divide({operands[0]}, {operands[1]})"
    elif op == "pow":
        expression = f"power({operands[0]}, {operands[1]})"
    elif op == "neg":
        expression = f"-{operands[0]}"
    elif op == "abs":
        expression = f"abs({operands[0]})"
    elif op in ("exp", "log", "sqrt", "tanh", "sin", "cos"):
        expression = f"{op}({operands[0]})"
    elif op == "relu":
        x = operands[0]
        expression = f"{x} if {x} > 0.0 else 0.0"
    elif op == "sigmoid":
        x = operands[0]
        expression = (
            f"1.0 / (1.0 + math.exp(-{x})) if {x} >= 0.0 "
            f"else math.exp({x}) / (1.0 + math.exp({x}))"
        )
    elif op == "sum":
        expression = f"sum(({', '.join(operands)},), 0.0)"
    elif op == "dot":
        count = (len(operands) - 1) // 2
        products = ", ".join(
            f"{weight} * {x}" for weight, x in zip(operands[:count], operands[count:-1])
        )
        bias = operands[-1]
        expression = f"sum(({products},), 0.0) + {bias}" if count else f"0.0 + {bias}"
    else:
        raise ValueError(f"compile_gradient: no code generator for operation {op!r}")
    comment = f"  # {op}" + (f"  {comment_text(node.label)}" if node.label else "")
    lines = [f"{name} = {expression}{comment}"]
    if op in _MAY_OVERFLOW:
        lines.append(f"if {name} - {name} != 0.0: overflow({op!r}, {name}, {', '.join(operands)})")
    return lines


def _local_derivatives(node: Value, operands: list[str], name: str) -> list[tuple[str, str]]:
    """For each child: (the expression of ∂node/∂child, the rule to show in the comment).

    The expressions are the float rules of `operations.py`, written out.
    """
    op = node.op
    if op == "add":
        return [("1.0", "1"), ("1.0", "1")]
    if op == "sub":
        return [("1.0", "1"), ("-1.0", "-1")]
    if op == "mul":
        a, b = operands
        return [(b, b), (a, a)]
    if op == "div":
        a, b = operands
        return [(f"(1.0 / {b})", f"1/{b}"), (f"(-{name} / {b})", f"-({a}/{b})/{b}")]
    if op == "pow":
        b, k = operands
        return [(f"power_derivatives({b}, {k}, {name})[0]", f"{k}·{b}^({k}-1)"),
                (f"power_derivatives({b}, {k}, {name})[1]", f"{b}^{k}·ln({b})")]
    x = operands[0] if operands else ""
    unary = {
        "neg": ("-1.0", "-1"),
        "abs": (f"(1.0 if {x} > 0.0 else -1.0 if {x} < 0.0 else 0.0)", f"sign({x})"),
        "exp": (name, f"exp({x})"),
        "log": (f"(1.0 / {x})", f"1/{x}"),
        "tanh": (f"(1.0 - {name} * {name})", f"1 - tanh({x})²"),
        "sigmoid": (f"({name} * (1.0 - {name}))", f"σ({x})·(1 - σ({x}))"),
        "relu": (f"(1.0 if {x} > 0.0 else 0.0)", f"1 if {x} > 0 else 0"),
        "sin": (f"math.cos({x})", f"cos({x})"),
        "cos": (f"(-math.sin({x}))", f"-sin({x})"),
        "sqrt": (f"(0.5 / {name} if {name} != 0.0 else math.inf)", f"1/(2√{x})"),
    }
    if op in unary:
        return [unary[op]]
    if op == "sum":
        return [("1.0", "1")] * len(operands)
    if op == "dot":
        count = (len(operands) - 1) // 2
        weights, xs = operands[:count], operands[count:-1]
        return [*((x, x) for x in xs), *((w, w) for w in weights), ("1.0", "1")]
    raise ValueError(f"compile_gradient: no code generator for operation {op!r}")


def _product(upstream: str, local: str) -> str:
    # upstream * 1.0 and upstream * -1.0 are exactly upstream and -upstream in IEEE arithmetic.
    if local == "1.0":
        return upstream
    if local == "-1.0":
        return f"-{upstream}"
    return f"{upstream} * {local}"


def generate_source(root: Value, inputs: Sequence[Value]) -> tuple[str, list[str]]:
    """The source of `value_and_grad(*inputs)` for the graph of `root`, and the input names."""
    names = _Names()
    input_names = [names.assign(value, "x") for value in inputs]
    order = topological_order(root)
    for node in order:
        names.assign(node, "v")

    def operand(child: Value) -> str:
        if child in names:
            return names[child]
        return float_literal(child.data)  # a constant, or a Value f closed over

    lines = [f"def value_and_grad({', '.join(input_names)}):"]
    body: list[str] = ["# forward pass: one line per node, every node after its inputs"]
    for node in order:
        body.extend(_forward_line(node, [operand(c) for c in node.children], names[node]))
        if node.op == "pow" and node.children[1] in names and node.children[1].requires_grad:
            base, exponent = (operand(c) for c in node.children)
            body.append(f"if {base} < 0.0: raise exponent_error({base}, {exponent})")
    wants_grad = {id(value) for value in inputs}
    grad_names = {id(value): f"grad_{names[value]}" for value in inputs}
    grad_names.update({id(node): f"grad_{names[node]}" for node in order})
    body.append("")
    body.append("# backward pass: the chain rule, one line per edge, in backward()'s order")
    for node in order:
        body.append(f"{grad_names[id(node)]} = 0.0")
    for value in inputs:
        body.append(f"{grad_names[id(value)]} = 0.0")
    body.append(f"{grad_names[id(root)]} = 1.0  # ∂out/∂out")
    for node in reversed(order):
        upstream = grad_names[id(node)]
        operands = [operand(c) for c in node.children]
        edges = []
        for child, (local, rule), child_operand in zip(
            node.children, _local_derivatives(node, operands, names[node]), operands
        ):
            if not child.requires_grad or (child not in names):
                continue  # constants get no gradient (nor do Values f closed over)
            if not child.children and id(child) not in wants_grad:
                continue
            comment = f"  # {node.op}: ∂/∂{child_operand} = {rule}"
            edges.append(f"{grad_names[id(child)]} += {_product(upstream, local)}{comment}")
        if not edges:
            continue
        if node is root:
            body.extend(edges)
        else:
            body.append(f"if {upstream} != 0.0:")
            body.extend(f"    {edge}" for edge in edges)
    grads = ", ".join(grad_names[id(value)] for value in inputs)
    body.append(f"return {names[root]}, ({grads}{',' if len(inputs) == 1 else ''})")
    lines.extend(f"    {line}" if line else "" for line in body)
    return "\n".join(lines) + "\n", input_names
