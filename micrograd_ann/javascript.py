"""JavaScript: the compiler's second dialect, for pages that compute in the browser.

`compile.py` has one emitter; `Dialect` only spells what it writes. In `JAVASCRIPT` the same
graph becomes the same straight-line program — the same nodes in the same order, the same float
operations (`x * w`, `(1.0 - tanh1 * tanh1)`), the same calls to each operation's rules, the
same overflow checks and `if (grad !== 0.0)` — and the rules it calls are the JavaScript twins
written beside the Python rules in the operation table (`Operation.javascript`). So a page
computes the numbers `backward()` computes (to the last bit where both languages round
correctly, +, −, ×, ÷, √; to an ulp or two where their libraries differ, exp, tanh, sin), and
throws the engine's errors with the engine's messages.

`gradient_program(root, inputs)` is the script of a step-through page: it defines
`micrograd_program.run([x, …])`, which returns the output, every node's value and gradient, and
every edge's upstream, local, product and running sum (null for an edge `backward()` skipped).
`model_program(model)` is a model's `forward` and `backward` (those of `compile.ModelProgram`,
which `train()` runs) for a page that trains.
"""

from __future__ import annotations

import decimal
import math
from collections.abc import Sequence
from typing import Any

from micrograd_ann import operations
from micrograd_ann.compile import (
    JAVASCRIPT,
    JAVASCRIPT_STEPS,
    called_rules,
    custom_rule_name,
    generate_model_source,
    generate_source,
)
from micrograd_ann.engine import Value, enable_grad, topological_order

__all__ = [
    "RUNTIME",
    "gradient_program",
    "javascript_number",
    "missing_rules",
    "model_program",
    "rules_source",
]

RUNTIME = r"""// Python's float repr and errors, for the rules' messages (the engine's own words).
function repr(x) {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const [mantissa, power] = x.toExponential().split("e");  // the shortest round-trip digits
  const sign = x < 0 ? "-" : "";
  const digits = mantissa.replace("-", "").replace(".", "");
  const exponent = Number(power);
  if (exponent < -4 || exponent >= 16) {
    const shown = digits.length > 1 ? digits[0] + "." + digits.slice(1) : digits;
    const power = String(Math.abs(exponent)).padStart(2, "0");
    return sign + shown + "e" + (exponent < 0 ? "-" : "+") + power;
  }
  if (exponent < 0) return sign + "0." + "0".repeat(-exponent - 1) + digits;
  const whole = digits.padEnd(exponent + 1, "0");
  return sign + whole.slice(0, exponent + 1) + "." + (whole.slice(exponent + 1) || "0");
}
// Python's sum(terms, 0.0) of floats from 3.12 on: Neumaier's compensated sum (the generated
// code calls it only when the page was made by such a Python; before 3.12 it adds left to right).
function python_sum(terms) {
  let total = 0.0;
  let compensation = 0.0;
  for (const term of terms) {
    const next = total + term;
    if (Math.abs(total) >= Math.abs(term)) compensation += (total - next) + term;
    else compensation += (term - next) + total;
    total = next;
  }
  return compensation && Number.isFinite(compensation) ? total + compensation : total;
}
function python_error(type, message) {
  const error = new Error(message);
  error.name = type;
  return error;
}
// The engine's OverflowError for the first node whose finite inputs gave nan or ±inf.
function overflow(...nodes) {
  for (const [op, out, inputs] of nodes) {
    if (Number.isFinite(out) || !inputs.every(Number.isFinite)) continue;
    let shown = inputs.slice(0, 4).map(repr).join(", ");
    if (inputs.length > 4) {
      shown += ", … " + inputs.length.toLocaleString("en-US") + " inputs in all";
    }
    throw python_error("OverflowError", op + "(" + shown + ") gives " + repr(out) +
      ": the result overflows a float; use smaller inputs or a smaller learning rate");
  }
}
// A custom operation's rule, checked as custom_operation checks its Python rules.
function checked(name, role, rule) {
  return function (...inputs) {
    const result = rule(...inputs);
    const numbers = Array.isArray(result) ? result : [result];
    numbers.forEach(function (number) {
      if (typeof number !== "number") {
        throw python_error("TypeError", "custom operation '" + name + "': " + role +
          " returned " + String(number) + ", not a number");
      }
      if (!Number.isFinite(number) && inputs.every(Number.isFinite)) {
        throw python_error("ValueError", "custom operation '" + name + "': " + role + "(" +
          inputs.map(repr).join(", ") + ") returned " + repr(number) + " from finite inputs; " +
          "return a finite number (check the formula for overflow or a division by zero)");
      }
    });
    return result;
  };
}
function exponent_error(base, exponent) {
  return python_error("ValueError", "pow: " + repr(base) + " ** " + repr(exponent) +
    " has no derivative with respect to the exponent (ln of a negative base); " +
    "use a plain number as the exponent");
}
"""


def missing_rules(root: Value) -> list[str]:
    """The operations in `root`'s graph that have no JavaScript rules (in graph order)."""
    missing: list[str] = []
    for node in topological_order(root):
        operation = operations.operation_named(node.op)
        if (operation is None or operation.javascript is None) and node.op not in missing:
            missing.append(node.op)
    return missing


def rules_source(ops: Sequence[str]) -> str:
    """`const divide = …;` for every rule the programs of `ops` call, from the table."""
    lines = []
    for op in sorted(set(ops)):
        operation = operations.operation_named(op)
        rules = operation.javascript if operation is not None else None
        if rules is None:
            raise ValueError(f"operation {op!r} has no JavaScript rules")
        if op not in operations.OPERATIONS:  # a custom operation: its results checked
            name = custom_rule_name(op)
            lines.append(f"const {name} = checked({op!r}, 'forward', {rules.forward});")
            lines.append(
                f"const {name}_derivatives = checked({op!r}, 'derivatives', {rules.derivatives});"
            )
            continue
        forward_name, derivatives_name = called_rules(op)
        if forward_name:
            lines.append(f"const {forward_name} = {rules.forward};  // {op}")
        if derivatives_name:
            lines.append(f"const {derivatives_name} = {rules.derivatives};  // {op}")
    return "\n".join(lines) + "\n"


def gradient_program(root: Value, inputs: Sequence[Value]) -> str:
    """The script defining `micrograd_program` for `root`'s graph with `inputs` as variables.

    `micrograd_program.run(values)` (one number per input) returns `{out, grads, data,
    nodeGrads, edges}`: data and nodeGrads follow `topological_order(root)`, edges the
    steps of `backward()` (`[upstream, local, product, running sum]`, null where skipped).
    It throws the engine's error (`error.name` is Python's class) where the engine raises.
    Raises ValueError when an operation in the graph has no JavaScript rules.
    """
    missing = missing_rules(root)
    if missing:
        raise ValueError(
            f"no JavaScript rules for {', '.join(map(repr, missing))}; give custom operations "
            "javascript= rules to let pages recompute them"
        )
    source, _ = generate_source(root, inputs, JAVASCRIPT_STEPS)
    ops = [node.op for node in topological_order(root)]
    return (
        "// Generated by micrograd_ann from this graph's trace (compile.py, JavaScript "
        "dialect):\n// the same program compile_gradient writes in Python.\n"
        "const micrograd_program = (function () {\n"
        '"use strict";\n'
        f"{RUNTIME}{rules_source(ops)}"
        "let edges = [];\n"
        "// One backward step: sum + upstream × local, recorded for the page.\n"
        "function edge(index, sum, upstream, local) {\n"
        "  const product = upstream * local;\n"
        "  edges[index] = [upstream, local, product, sum + product];\n"
        "  return sum + product;\n"
        "}\n"
        f"{source}"
        "return {\n"
        "  run(values) {\n"
        "    edges = [];\n"
        "    const [out, grads, data, nodeGrads] = value_and_grad(...values);\n"
        "    return {out, grads, data, nodeGrads, edges};\n"
        "  },\n"
        "  repr,\n"
        "};\n"
        "})();\n"
    )


def model_program(model: Any) -> str:
    """The script defining `micrograd_model = {forward, backward}` for a built-in model
    (`Neuron`, `Layer`, `MLP`): the JavaScript of the program `train()` runs for it.

    `forward(params, inputs)` returns `[outputs, state]`; `backward(params, inputs, state,
    output_grads)` the parameters' gradients, all arrays in `model.parameters()` order. ValueError
    for a model whose trace has no program (a parameter used twice per sample).
    """
    width = model.nin
    inputs = [Value(0.0, label=f"x{index}", requires_grad=False) for index in range(width)]
    with enable_grad():
        output = model(inputs)
    outputs = [output] if isinstance(output, Value) else list(output)
    named = model.named_parameters()
    generated = generate_model_source(
        outputs, [parameter for _, parameter in named], inputs, [name for name, _ in named],
        JAVASCRIPT,
    )
    if generated is None:
        raise ValueError(f"{type(model).__name__} has no model program (a parameter used twice)")
    source, _ = generated
    ops = [node.op for node in topological_order(outputs)]
    return (
        "// Generated by micrograd_ann from this model's trace (compile.py, JavaScript dialect):\n"
        "// the program train() runs, in JavaScript.\n"
        "const micrograd_model = (function () {\n"
        '"use strict";\n'
        f"{RUNTIME}{rules_source(ops)}{source}"
        "return {forward, backward};\n"
        "})();\n"
    )


def javascript_number(number: float, *, signed_zero: bool = False) -> str:
    """`number` as JavaScript's `String(number)` writes it (the shortest digits that read back
    as the same float), except `"nan"`, `"inf"`, `"-inf"` as Python's `repr` writes them.

    `String(-0)` is `"0"`, so negative zero is written `"0"`: the form of the step-through
    page's `data-data` and `data-grad` attributes (issue 15). With `signed_zero`, it is `"-0"`
    instead, which `Number()` reads back as −0: for numbers a page computes with, whose
    inputs must be the very floats Python had.
    """
    number = float(number)
    if math.isnan(number):
        return "nan"
    if math.isinf(number):
        return "inf" if number > 0 else "-inf"
    if number == 0.0:
        return "-0" if signed_zero and math.copysign(1.0, number) < 0 else "0"
    sign, digit_tuple, exponent = decimal.Decimal(repr(number)).normalize().as_tuple()
    assert isinstance(exponent, int)
    digits = "".join(map(str, digit_tuple))
    length = len(digits)
    point = exponent + length  # x = 0.digits × 10^point
    prefix = "-" if sign else ""
    if length <= point <= 21:
        return prefix + digits + "0" * (point - length)
    if 0 < point <= 21:
        return prefix + digits[:point] + "." + digits[point:]
    if -6 < point <= 0:
        return prefix + "0." + "0" * (-point) + digits
    power = point - 1
    mantissa = digits if length == 1 else digits[0] + "." + digits[1:]
    return f"{prefix}{mantissa}e{'+' if power >= 0 else '-'}{abs(power)}"
