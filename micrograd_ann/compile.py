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
import operator
import re
from collections.abc import Callable, Sequence
from typing import Any

from micrograd_ann import engine, operations
from micrograd_ann.engine import Value, topological_order

__all__ = ["CompiledGradient", "compile_gradient", "ModelProgram", "model_program"]

_LABEL_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,39}")
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
    """Variable names: a label when it is a safe, unused identifier, else a generated name.

    Generated names are those `explain()` shows: the operation and a number in the order the
    nodes are computed (`mul1`, `tanh1`); inputs without a label are `x1`, `x2`, ….
    """

    def __init__(self) -> None:
        self._names: dict[int, str] = {}
        self._used: set[str] = set()
        self._counters: dict[str, int] = {}

    def __getitem__(self, value: Value) -> str:
        return self._names[id(value)]

    def __contains__(self, value: Value) -> bool:
        return id(value) in self._names

    def assign(self, value: Value, prefix: str = "") -> str:
        prefix = prefix or (value.op if value.op in operations.OPERATIONS else "node")
        if not prefix.isascii() or not prefix.isidentifier():
            prefix = "node"
        label = value.label
        if (
            _LABEL_NAME.fullmatch(label)
            and not keyword.iskeyword(label)
            and label not in _RESERVED
            and not label.startswith("grad_")
            and label not in self._used
        ):
            name = label
        else:
            while True:
                self._counters[prefix] = self._counters.get(prefix, 0) + 1
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
    shown = comment_text(node.label) if node.label and node.label != name else ""
    comment = f"  # {op}" + (f"  {shown}" if shown else "")
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


def _forward_lines(order: list[Value], names: _Names, operand: Callable[[Value], str]) -> list[str]:
    """Every node's line(s), in topological order, with the engine's checks."""
    body: list[str] = []
    for node in order:
        body.extend(_forward_line(node, [operand(c) for c in node.children], names[node]))
        if node.op == "pow" and node.children[1] in names and node.children[1].requires_grad:
            base, exponent = (operand(c) for c in node.children)
            body.append(f"if {base} < 0.0: raise exponent_error({base}, {exponent})")
    return body


def _backward_lines(
    order: list[Value],
    names: _Names,
    operand: Callable[[Value], str],
    grad_names: dict[int, str],
    unconditional: Value | None,
) -> list[str]:
    """One line per edge in `backward()`'s order; each node's edges under `if grad != 0.0:`."""
    body: list[str] = []
    for node in reversed(order):
        upstream = grad_names[id(node)]
        operands = [operand(c) for c in node.children]
        edges = []
        for child, (local, rule), child_operand in zip(
            node.children, _local_derivatives(node, operands, names[node]), operands
        ):
            if not child.requires_grad or id(child) not in grad_names:
                continue  # constants get no gradient (nor do Values f closed over)
            comment = f"  # {node.op}: ∂/∂{child_operand} = {rule}"
            edges.append(f"{grad_names[id(child)]} += {_product(upstream, local)}{comment}")
        if not edges:
            continue
        if node is unconditional:
            body.extend(edges)
        else:
            body.append(f"if {upstream} != 0.0:")
            body.extend(f"    {edge}" for edge in edges)
    return body


def _operand_writer(names: _Names) -> Callable[[Value], str]:
    def operand(child: Value) -> str:
        if child in names:
            return names[child]
        return float_literal(child.data)  # a constant, or a Value f closed over

    return operand


def generate_source(root: Value, inputs: Sequence[Value]) -> tuple[str, list[str]]:
    """The source of `value_and_grad(*inputs)` for the graph of `root`, and the input names."""
    names = _Names()
    input_names = [names.assign(value, "x") for value in inputs]
    order = topological_order(root)
    for node in order:
        names.assign(node)
    operand = _operand_writer(names)
    grad_names = {id(value): f"grad_{names[value]}" for value in inputs}
    grad_names.update({id(node): f"grad_{names[node]}" for node in order})
    body = ["# forward pass: one line per node, every node after its inputs"]
    body.extend(_forward_lines(order, names, operand))
    body.append("")
    body.append("# backward pass: the chain rule, one line per edge, in backward()'s order")
    body.extend(
        f"{grad_names[id(value)]} = 0.0" for value in [*order, *inputs] if value is not root
    )
    body.append(f"{grad_names[id(root)]} = 1.0  # ∂out/∂out")
    body.extend(_backward_lines(order, names, operand, grad_names, root))
    grads = ", ".join(grad_names[id(value)] for value in inputs)
    body.append(f"return {names[root]}, ({grads}{',' if len(inputs) == 1 else ''})")
    lines = [f"def value_and_grad({', '.join(input_names)}):"]
    lines.extend(f"    {line}" if line else "" for line in body)
    return "\n".join(lines) + "\n", input_names


# -------------------------------------------------------------------------------------------------
# Models: the compiled path of train()
# -------------------------------------------------------------------------------------------------


def _tuple(names: Sequence[str]) -> str:
    return f"({', '.join(names)}{',' if len(names) == 1 else ''})"


class ModelProgram:
    """A model's forward and backward passes as generated code, for `train()`.

    `forward(params, inputs) -> (outputs, state)`: the model's outputs for one row, and every
    node's value. `backward(params, inputs, state, output_grads) -> parameter_grads`: the chain
    rule from ∂loss/∂output back to each parameter, edge by edge as `backward()` goes.
    Parameters and inputs are passed as sequences of floats in `model.parameters()` order.
    """

    def __init__(self, source: str, single_output: bool) -> None:
        self.source = source
        self.single_output = single_output
        namespace = dict(_NAMESPACE)
        exec(compile(source, "<compiled model>", "exec"), namespace)
        self.forward: Callable[..., tuple[tuple[float, ...], tuple[float, ...]]] = namespace[
            "forward"
        ]
        self.backward: Callable[..., tuple[float, ...]] = namespace["backward"]


def generate_model_source(
    outputs: Sequence[Value], parameters: Sequence[Value], inputs: Sequence[Value]
) -> str | None:
    """The source of a model's `forward` and `backward` (see `ModelProgram`).

    None when some parameter is used more than once per sample: its contributions would then
    have to be added in the engine's order across samples, which this program does not do.
    """
    virtual_root = engine._node(0.0, "sum", tuple(outputs), (1.0,) * len(outputs))
    order = topological_order(virtual_root)[:-1]
    uses: dict[int, int] = {}
    for node in order:
        for child in node.children:
            uses[id(child)] = uses.get(id(child), 0) + 1
    if any(uses.get(id(parameter), 0) != 1 for parameter in parameters):
        return None
    if any(not node.children for node in outputs):
        return None
    names = _Names()
    parameter_names = [names.assign(value, "x") for value in parameters]
    input_names = [names.assign(value, "x") for value in inputs]
    for node in order:
        names.assign(node)
    operand = _operand_writer(names)
    grad_names = {id(value): f"grad_{names[value]}" for value in parameters}
    grad_names.update({id(node): f"grad_{names[node]}" for node in order})
    state = [names[node] for node in order]
    header = [f"{_tuple(parameter_names)} = params", f"{_tuple(input_names)} = inputs"]
    forward = [*header, *_forward_lines(order, names, operand)]
    forward.append(f"return {_tuple([names[node] for node in outputs])}, {_tuple(state)}")
    output_grads = _tuple([grad_names[id(node)] for node in outputs])
    backward = [*header, f"{_tuple(state)} = state"]
    backward.extend(
        f"{grad_names[id(value)]} = 0.0"
        for value in [*order, *parameters]
        if not any(value is output for output in outputs)
    )
    backward.append(f"{output_grads} = output_grads")
    backward.extend(_backward_lines(order, names, operand, grad_names, None))
    backward.append(f"return {_tuple([grad_names[id(value)] for value in parameters])}")
    lines = ["def forward(params, inputs):", *(f"    {line}" for line in forward), ""]
    lines += ["def backward(params, inputs, state, output_grads):"]
    lines += [f"    {line}" for line in backward]
    return "\n".join(lines) + "\n"


_PROGRAMS: dict[tuple[str, str], ModelProgram | None] = {}


def model_program(model: object) -> ModelProgram | None:
    """The compiled program of a built-in model (`Neuron`, `Layer`, `MLP`), made once per shape.

    None for any other model (subclasses included): `train()` then uses the graph path.
    """
    from micrograd_ann.nn import MLP, Layer, Neuron

    if type(model) not in (Neuron, Layer, MLP):
        return None
    key = (type(model).__name__, repr(model))
    if key not in _PROGRAMS:
        width = model.nin  # type: ignore[attr-defined]
        inputs = [Value(0.0, label=f"x{index}", requires_grad=False) for index in range(width)]
        try:
            with _grad_enabled():
                output = model(inputs)  # type: ignore[operator]
        except ArithmeticError:  # parameters so large that the trace overflows: the graph path
            return None  # reports it as training diverging
        outputs = [output] if isinstance(output, Value) else list(output)
        source = generate_model_source(outputs, model.parameters(), inputs)  # type: ignore[attr-defined]
        single = isinstance(output, Value)
        _PROGRAMS[key] = None if source is None else ModelProgram(source, single)
    return _PROGRAMS[key]


def _backward_from(root: Value, upstream: float) -> None:
    """`backward()` of `root` with its gradient set to `upstream` instead of 1."""
    order = topological_order(root)
    root.grad = upstream
    for node in reversed(order):
        gradient = node.grad
        if gradient == 0.0:
            continue
        for child, local in zip(node.children, node.local_derivatives):
            if child.requires_grad:
                child.grad += gradient * local


def run_compiled_epoch(
    program: ModelProgram,
    parameters: list[Value],
    rows: list[list[float]],
    targets: list[Any],
    order: list[int],
    batch_size: int,
    per_sample: Callable[[Any, Any], Value],
    predict: Callable[[Any], int] | None,
    optimizer: Any,
) -> tuple[float, int]:
    """`train`'s epoch on the compiled program: the same numbers as the graph path.

    Per batch: each row's forward pass runs as generated code; each sample's loss is built
    with `Value`s on the outputs (the losses branch on the data, so they are not compiled) and
    differentiated with the batch mean's upstream 1/n; the generated backward passes take it
    from the outputs to the parameters, samples in the reverse order `backward()` visits them.
    """
    forward = program.forward
    backward = program.backward
    single = program.single_output
    total_loss = 0.0
    correct = 0
    for start in range(0, len(order), batch_size):
        batch = order[start : start + batch_size]
        params = [parameter.data for parameter in parameters]
        passes = []
        losses = []
        outputs = []
        for index in batch:
            inputs = rows[index]
            result, state = forward(params, inputs)
            leaves = [Value(number) for number in result]
            output: Any = leaves[0] if single else leaves
            outputs.append(output)
            losses.append(per_sample(output, targets[index]))
            passes.append((inputs, state, leaves))
        summed = Value.sum(losses)
        if not math.isfinite(summed.data):
            raise ArithmeticError(f"the loss became {summed.data!r}")
        upstream = 1.0 / len(batch)
        grads = [0.0] * len(parameters)
        for (inputs, state, leaves), sample_loss in zip(reversed(passes), reversed(losses)):
            _backward_from(sample_loss, upstream)
            contributions = backward(params, inputs, state, [leaf.grad for leaf in leaves])
            grads = list(map(operator.add, grads, contributions))
        optimizer.zero_grad()
        for parameter, grad in zip(parameters, grads):
            parameter.grad += grad
        optimizer.step()
        total_loss += summed.data
        if predict is not None:
            batch_targets = [targets[index] for index in batch]
            correct += sum(map(operator.eq, map(predict, outputs), batch_targets))
    return total_loss, correct
