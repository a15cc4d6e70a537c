"""Operations: every scalar operation's forward value, local derivatives and display symbol.

This is float math, with no graph in sight. Each `Operation` says, side by side, how to compute
its output from its inputs and how much the output moves when each input moves (its local
derivatives). The engine (`engine.py`) records these numbers on the graph; `backward()`
multiplies them together along every path — that product is the chain rule.

Each operation also writes its local derivatives a second time, as `derivative_values`: the same
formulas applied to `Value`s instead of floats (`1 - out * out` works on both). The engine uses
them only when a gradient is wanted *as a graph* (`grad(..., create_graph=True)`), so that the
gradient can be differentiated again; `backward()` never touches them.

The same table feeds the graph drawings (`symbol`), the docs (`formula`) and the property tests,
which check every entry against central differences.

Domain errors are raised here, with the operation and the offending value in the message.

Non-finite numbers follow one rule. An operation never *turns* finite inputs into nan or ±inf:
it raises instead (a domain error here, or the engine's OverflowError). An input that is already
nan or ±inf is passed on as IEEE 754 float arithmetic (and PyTorch) would: relu(nan) = nan,
sin(inf) = nan, log(-inf) = nan, inf / 0 = inf — in the value and in the local derivatives.

One exception, inside `ieee_arithmetic()`: there division by zero and overflow give IEEE's ±inf
(or nan for 0/0) instead of raising, as `backward()`'s float products do. The engine builds the
graphs of `grad(..., create_graph=True)` inside it, so that a derivative that is infinite
(√x at 0) is inf there too, as `backward()` says, not an error.
"""

from __future__ import annotations

import dataclasses
import math
import operator
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

__all__ = [
    "Operation",
    "JavaScriptRules",
    "OPERATIONS",
    "CUSTOM_OPERATIONS",
    "operation_named",
    "register_custom",
    "OperationName",
    "ieee_arithmetic",
    "is_ieee_arithmetic",
    "ADD",
    "SUB",
    "MUL",
    "DIV",
    "POW",
    "NEG",
    "ABS",
    "EXP",
    "LOG",
    "TANH",
    "SIGMOID",
    "RELU",
    "SIN",
    "COS",
    "SQRT",
    "SUM",
    "DOT",
]


@dataclass(frozen=True)
class JavaScriptRules:
    """An operation's float rules once more, in JavaScript, for pages that compute.

    `forward` and `derivatives` are JavaScript function expressions with the same parameters and
    results as the Python rules (`derivatives` returns an array): `"(x) => Math.tanh(x)"`,
    `"(x, out) => [1.0 - out * out]"`. They must give the same floats as the Python rules,
    nan, ±inf and signed zeros included, and throw where those raise:
    `python_error("ValueError", message)` makes the error, `repr(x)` writes a float as Python
    does, so the messages read the same. The browser tests hold every built-in rule to its
    Python twin (tests/test_javascript.py).
    """

    forward: str
    derivatives: str


@dataclass(frozen=True)
class Operation:
    """One operation: `forward(*inputs)` and `derivatives(*inputs, out)`.

    `derivatives` returns one local derivative ∂out/∂input per input, in input order. It gets the
    output too, because several derivatives are cheapest in terms of it (d/dx eˣ = eˣ).

    The two n-ary nodes take their inputs in bulk instead: `SUM.forward(*terms)` and
    `SUM.derivatives(count)`; `DOT.forward(weights, inputs, bias)` and
    `DOT.derivatives(weights, inputs)`, all lists of floats.

    `derivative_values(*inputs, out)` gives the same local derivatives computed from the node's
    children and the node itself (`Value`s), for every operation alike, sum and dot included.
    Each entry is a `Value` or a plain number (a constant: its own derivative is 0). It is
    `None` for an operation of your own given without it (see `grad`).

    The remaining fields say where else the operation appears, so that every list of operations
    in the package is derived from this table (adding an operation is one entry here plus its
    `Value` method):

    - `arity`: how many inputs it takes; None for any number (sum, dot) or when unstated.
    - `method`: the name of the `Value` method that applies it (`"exp"`, `"__add__"`).
    - `named_function`: a function of one input written by name, `exp(x)`: the functions an
      expression (`micrograd-ann grad`) may call.
    - `activation`: a neuron may use it as its activation (`nn.ACTIVATIONS`).
    - `torch_function`: the PyTorch function computing it, `torch.<torch_function>`.
    - `torch_module`: the `torch.nn` module applying it, for activations (`MLP.to_torch`).
    - `javascript`: the same float rules in JavaScript (see `JavaScriptRules`); None when the
      operation has none, and pages then cannot recompute a graph holding it.
    """

    name: str
    symbol: str
    formula: str
    forward: Callable[..., float]
    derivatives: Callable[..., tuple[float, ...]]
    derivative_values: Callable[..., tuple[Any, ...]] | None = None
    arity: int | None = None
    method: str = ""
    named_function: bool = False
    activation: bool = False
    torch_function: str = ""
    torch_module: str = ""
    javascript: JavaScriptRules | None = None


def _describe(value: float) -> str:
    return repr(float(value))


_ieee_arithmetic: ContextVar[bool] = ContextVar("micrograd_ann_ieee_arithmetic", default=False)


@contextmanager
def ieee_arithmetic() -> Iterator[None]:
    """Inside this block, operations on finite numbers give IEEE 754's answer where they would
    raise ZeroDivisionError or OverflowError: x / 0 = ±inf, 0 / 0 = nan, 0 ** -k = ±inf, and an
    overflow is ±inf. Domain errors (log of a negative number, …) still raise.

    Float arithmetic does this, so `backward()`'s products of local derivatives do it too; the
    engine builds `grad(..., create_graph=True)`'s graphs inside this block so that they give
    the same numbers. Like `no_grad()`, the switch is a `ContextVar` (per thread and task), and it
    is read only on the paths that would raise, so it costs nothing elsewhere.
    """
    token = _ieee_arithmetic.set(True)
    try:
        yield
    finally:
        _ieee_arithmetic.reset(token)


def is_ieee_arithmetic() -> bool:
    """True inside `ieee_arithmetic()`."""
    return _ieee_arithmetic.get()


# ---------------------------------------------------------------------------------------------
# Arithmetic
# ---------------------------------------------------------------------------------------------

_ONE_ONE = (1.0, 1.0)
_ONE_MINUS_ONE = (1.0, -1.0)


def _divide(numerator: float, denominator: float) -> float:
    if denominator == 0.0:
        # nan or ±inf over 0 (or anything, in ieee_arithmetic()): IEEE's nan or signed inf
        if numerator - numerator != 0.0 or _ieee_arithmetic.get():
            return numerator * math.copysign(math.inf, denominator)
        raise ZeroDivisionError(
            f"division by zero: {_describe(numerator)} / {_describe(denominator)}; "
            "make sure the denominator can never be 0 (e.g. add a small epsilon)"
        )
    return numerator / denominator


def _divide_derivatives(numerator: float, denominator: float, out: float) -> tuple[float, float]:
    # d/da (a / b) = 1/b,  d/db (a / b) = -(a/b)/b; b = 0 only comes with a non-finite a
    if denominator == 0.0:
        reciprocal = math.copysign(math.inf, denominator)
        return reciprocal, -out * reciprocal
    return 1.0 / denominator, -out / denominator


def _ieee_pow(base: float, exponent: float) -> float:
    """`math.pow` as IEEE 754 and Python >= 3.11 define it: ±0 ** −∞ = +∞ (Python 3.10's
    `math.pow` raises ValueError there)."""
    if base == 0.0 and exponent == -math.inf:
        return math.inf
    return math.pow(base, exponent)


def _power(base: float, exponent: float) -> float:
    if base - base != 0.0 or exponent - exponent != 0.0:  # nan or ±inf comes in: IEEE's pow
        return _ieee_pow(base, exponent)
    if base == 0.0 and exponent < 0.0:
        if _ieee_arithmetic.get():
            return _infinite_power(base, exponent)
        raise ZeroDivisionError(
            f"pow: 0.0 ** {_describe(exponent)} divides by zero; "
            "a negative exponent needs a non-zero base"
        )
    if base < 0.0 and not float(exponent).is_integer():
        raise ValueError(
            f"pow: {_describe(base)} ** {_describe(exponent)} is not a real number "
            "(a negative base needs an integer exponent); use abs(base) or an integer exponent"
        )
    try:
        return float(base**exponent)
    except OverflowError:
        if _ieee_arithmetic.get():
            return _infinite_power(base, exponent)
        raise OverflowError(
            f"pow: {_describe(base)} ** {_describe(exponent)} overflows a float; "
            "use smaller inputs or a smaller learning rate"
        ) from None


def _infinite_power(base: float, exponent: float) -> float:
    """IEEE 754's b^k where it is infinite (0 to a negative power, or an overflow): +inf, or -inf
    for a negative base (or -0.0) to an odd integer power."""
    odd = exponent % 2.0 == 1.0
    return math.copysign(math.inf, base) if odd else math.inf


_SMALLEST_NORMAL = sys.float_info.min  # below it a float has fewer than 53 significant bits


def _power_derivatives(base: float, exponent: float, out: float) -> tuple[float, float]:
    """d/db b^k = k·b^(k−1);  d/dk b^k = b^k·ln b (for b > 0; its limit 0 at b = 0).

    Both are computed so that they are right wherever the true value is a finite float: k·(b^k/b)
    reuses the output without overflowing first (`k·b^k` would, for b = 1e154, k = 2), and when
    b^k is subnormal (too few significant bits to divide by b) the derivatives are computed afresh.
    """
    if base - base != 0.0 or exponent - exponent != 0.0:  # nan or ±inf came in
        return _power_derivatives_of_non_finite(base, exponent, out)
    if base == 0.0:
        return _power_slope_at_zero(base, exponent), _power_exponent_slope_at_zero(exponent, out)
    if abs(out) >= _SMALLEST_NORMAL:
        ratio = out / base
        by_base = exponent * ratio if ratio - ratio == 0.0 else exponent * out / base
        by_exponent = out * math.log(base) if base > 0.0 else math.nan
        return by_base, by_exponent
    try:  # b^k is 0 or subnormal: use b^(k−1) and e^(k·ln b + ln|ln b|)
        by_base = exponent * base ** (exponent - 1.0)
    except OverflowError:
        by_base = math.copysign(math.inf, exponent)
    if base < 0.0:
        return by_base, math.nan
    log_base = math.log(base)
    if log_base == 0.0:
        return by_base, 0.0
    exponent_of_result = exponent * log_base + math.log(abs(log_base))
    by_exponent = math.copysign(math.exp(exponent_of_result), log_base)
    return by_base, by_exponent


def _power_derivatives_of_non_finite(
    base: float, exponent: float, out: float
) -> tuple[float, float]:
    """k·b^(k−1) and b^k·ln b in IEEE arithmetic, with PyTorch's convention that d/db b⁰ = 0."""
    by_base = 0.0 if exponent == 0.0 else exponent * _ieee_pow(base, exponent - 1.0)
    if base < 0.0:
        return by_base, math.nan
    if base == 0.0:
        return by_base, _power_exponent_slope_at_zero(exponent, out)
    return by_base, out * math.log(base)


def _power_slope_at_zero(base: float, exponent: float) -> float:
    """d/db b^k = k·b^(k−1) at b = ±0: 0 for k = 0 (PyTorch's convention) or k > 1, 1 for k = 1,
    +∞ for 0 < k < 1 (a vertical tangent), ±∞ for k < 0 (reached only in `ieee_arithmetic()`)."""
    if exponent == 0.0:
        return 0.0
    power = exponent - 1.0
    zero_to_power = math.pow(base, power) if power >= 0.0 else _infinite_power(base, power)
    return exponent * zero_to_power


def _power_exponent_slope_at_zero(exponent: float, out: float) -> float:
    """d/dk b^k = b^k·ln b at b = 0, as its limit b → 0⁺: 0 for k ≥ 0 (PyTorch), -∞·b^k below."""
    return 0.0 if exponent >= 0.0 else -out * math.inf


def _power_derivative_values(base: Any, exponent: Any, out: Any) -> tuple[Any, Any]:
    """`_power_derivatives` written with Values, case for case, so that each entry is the same
    float and, differentiated again, the derivative of that same formula: k·(b^k/b) where b^k is
    a normal float, k·b^(k−1) at b = 0, at nan or ±inf and where b^k is subnormal. Only for the
    inputs that want a gradient (a constant's entry is 0)."""
    b, k = base.data, exponent.data
    ordinary = b - b == 0.0 and k - k == 0.0 and b != 0.0  # finite, non-zero base
    by_base: Any = 0.0
    if not base.requires_grad:
        pass
    elif ordinary and abs(out.data) >= _SMALLEST_NORMAL:
        ratio = out / base
        by_base = exponent * ratio if ratio.data - ratio.data == 0.0 else exponent * out / base
    elif k != 0.0:  # (d/db b⁰ = 0 at b = 0 and at nan or ±inf, as PyTorch)
        by_base = exponent * base ** (exponent - 1.0)
    by_exponent: Any = 0.0
    if not exponent.requires_grad:
        pass
    elif b == 0.0:
        by_exponent = 0.0 if k >= 0.0 else -out * math.inf
    elif b < 0.0:
        by_exponent = math.nan
    elif not ordinary or abs(out.data) >= _SMALLEST_NORMAL:
        by_exponent = out * base.log()
    else:  # b^k is 0 or subnormal: e^(k·ln b + ln|ln b|) with the sign of ln b, as the floats
        log_base = base.log()
        if log_base.data != 0.0:
            sign = math.copysign(1.0, log_base.data)
            by_exponent = (exponent * log_base + abs(log_base).log()).exp() * sign
    return by_base, by_exponent


# The same rules in JavaScript. Math.pow differs from Python's math.pow only where the base is
# 1 (1 ** nan = 1) or -1 with an infinite exponent (= 1): IEEE's pow, which Python follows.
_JAVASCRIPT_DIVIDE = JavaScriptRules(
    forward="""(numerator, denominator) => {
  if (denominator === 0) {
    if (numerator - numerator !== 0) {  // nan or ±inf over 0: IEEE's nan or signed inf
      return numerator * (Object.is(denominator, -0) ? -Infinity : Infinity);
    }
    throw python_error("ZeroDivisionError", "division by zero: " + repr(numerator) + " / " +
      repr(denominator) + "; make sure the denominator can never be 0 (e.g. add a small epsilon)");
  }
  return numerator / denominator;
}""",
    derivatives="""(numerator, denominator, out) => {
  if (denominator === 0) {
    const reciprocal = Object.is(denominator, -0) ? -Infinity : Infinity;
    return [reciprocal, -out * reciprocal];
  }
  return [1.0 / denominator, -out / denominator];
}""",
)
_JAVASCRIPT_IEEE_POWER = """(base, exponent) => {
  if (base === 1 || (base === -1 && Math.abs(exponent) === Infinity)) return 1.0;
  return Math.pow(base, exponent);
}"""
_JAVASCRIPT_POWER = JavaScriptRules(
    forward="""(base, exponent) => {
  const ieeePower = """ + _JAVASCRIPT_IEEE_POWER.replace("\n", "\n  ") + """;
  if (base - base !== 0 || exponent - exponent !== 0) return ieeePower(base, exponent);
  if (base === 0 && exponent < 0) {
    throw python_error("ZeroDivisionError", "pow: 0.0 ** " + repr(exponent) +
      " divides by zero; a negative exponent needs a non-zero base");
  }
  if (base < 0 && !Number.isInteger(exponent)) {
    throw python_error("ValueError", "pow: " + repr(base) + " ** " + repr(exponent) +
      " is not a real number (a negative base needs an integer exponent); " +
      "use abs(base) or an integer exponent");
  }
  const result = Math.pow(base, exponent);
  if (!Number.isFinite(result)) {
    throw python_error("OverflowError", "pow: " + repr(base) + " ** " + repr(exponent) +
      " overflows a float; use smaller inputs or a smaller learning rate");
  }
  return result;
}""",
    derivatives="""(base, exponent, out) => {
  const ieeePower = """ + _JAVASCRIPT_IEEE_POWER.replace("\n", "\n  ") + """;
  const slopeAtZero = (b, k) => (k === 0 ? 0.0 : k * Math.pow(b, k - 1.0));  // k·(±0)^(k−1)
  if (base - base !== 0 || exponent - exponent !== 0) {  // nan or ±inf came in
    const byBase = exponent === 0 ? 0.0 : exponent * ieeePower(base, exponent - 1.0);
    if (base < 0) return [byBase, NaN];
    if (base === 0) return [byBase, exponent >= 0 ? 0.0 : -out * Infinity];
    return [byBase, out * Math.log(base)];
  }
  if (base === 0) return [slopeAtZero(base, exponent), exponent >= 0 ? 0.0 : -out * Infinity];
  if (Math.abs(out) >= 2.2250738585072014e-308) {
    const ratio = out / base;
    const byBase = ratio - ratio === 0 ? exponent * ratio : exponent * out / base;
    return [byBase, base > 0 ? out * Math.log(base) : NaN];
  }
  const below = Math.pow(base, exponent - 1.0);  // b^k is 0 or subnormal
  const byBase = Number.isFinite(below) ? exponent * below : (exponent < 0 ? -Infinity : Infinity);
  if (base < 0) return [byBase, NaN];
  const logBase = Math.log(base);
  if (logBase === 0) return [byBase, 0.0];
  const size = Math.exp(exponent * logBase + Math.log(Math.abs(logBase)));
  return [byBase, logBase < 0 ? -size : size];
}""",
)

ADD = Operation(
    "add", "+", "d/da (a + b) = 1,  d/db (a + b) = 1",
    forward=lambda a, b: a + b,
    derivatives=lambda a, b, out: _ONE_ONE,
    derivative_values=lambda a, b, out: _ONE_ONE,
    arity=2, method="__add__", torch_function="add",
    javascript=JavaScriptRules("(a, b) => a + b", "(a, b, out) => [1.0, 1.0]"),
)
SUB = Operation(
    "sub", "-", "d/da (a - b) = 1,  d/db (a - b) = -1",
    forward=lambda a, b: a - b,
    derivatives=lambda a, b, out: _ONE_MINUS_ONE,
    derivative_values=lambda a, b, out: _ONE_MINUS_ONE,
    arity=2, method="__sub__", torch_function="sub",
    javascript=JavaScriptRules("(a, b) => a - b", "(a, b, out) => [1.0, -1.0]"),
)
MUL = Operation(
    "mul", "*", "d/da (a · b) = b,  d/db (a · b) = a",
    forward=lambda a, b: a * b,
    derivatives=lambda a, b, out: (b, a),
    derivative_values=lambda a, b, out: (b, a),
    arity=2, method="__mul__", torch_function="mul",
    javascript=JavaScriptRules("(a, b) => a * b", "(a, b, out) => [b, a]"),
)
DIV = Operation(
    "div", "/", "d/da (a / b) = 1/b,  d/db (a / b) = -a/b² = -(a/b)/b",
    forward=_divide,
    derivatives=_divide_derivatives,
    derivative_values=lambda a, b, out: (1.0 / b, -out / b),
    arity=2, method="__truediv__", torch_function="div",
    javascript=_JAVASCRIPT_DIVIDE,
)
POW = Operation(
    "pow", "**", "d/db b^k = k·b^(k-1),  d/dk b^k = b^k·ln(b)",
    forward=_power,
    derivatives=_power_derivatives,
    derivative_values=_power_derivative_values,
    arity=2, method="__pow__", torch_function="pow",
    javascript=_JAVASCRIPT_POWER,
)

# ---------------------------------------------------------------------------------------------
# Functions of one input
# ---------------------------------------------------------------------------------------------


def _exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        if _ieee_arithmetic.get():
            return math.inf
        raise OverflowError(
            f"exp({_describe(x)}) overflows a float (exp needs x <= 709.78); "
            "scale the inputs down or use a smaller learning rate"
        ) from None


def _log(x: float) -> float:
    if x <= 0.0:
        if x == -math.inf:
            return math.nan
        raise ValueError(
            f"log({_describe(x)}) is undefined: log needs x > 0; "
            "clamp the input (e.g. max(x, 1e-12)) or use a loss that works on logits"
        )
    return math.log(x)


def _sqrt(x: float) -> float:
    if x < 0.0:
        if x == -math.inf:
            return math.nan
        raise ValueError(
            f"sqrt({_describe(x)}) is undefined: sqrt needs x >= 0; use sqrt(abs(x)) or x ** 2"
        )
    return math.sqrt(x)


def _sin(x: float) -> float:
    try:
        return math.sin(x)
    except ValueError:  # math.sin(±inf) raises; IEEE (and PyTorch) give nan
        return math.nan


def _cos(x: float) -> float:
    try:
        return math.cos(x)
    except ValueError:
        return math.nan


def _sigmoid(x: float) -> float:
    # Two forms of 1 / (1 + e^-x) so that exp only ever sees a non-positive argument.
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    exp_x = math.exp(x)
    return exp_x / (1.0 + exp_x)


def _abs_derivatives(x: float, out: float) -> tuple[float]:
    return (1.0 if x > 0.0 else -1.0 if x < 0.0 else 0.0,)  # sign(x), 0 at the kink


def _relu_derivatives(x: float, out: float) -> tuple[float]:
    return (0.0 if x <= 0.0 else 1.0,)  # 0 at the kink and below, 1 above (and for nan)


_JAVASCRIPT_EXP = JavaScriptRules(
    forward="""(x) => {
  const out = Math.exp(x);
  if (out === Infinity && x !== Infinity) {
    throw python_error("OverflowError", "exp(" + repr(x) + ") overflows a float (exp needs " +
      "x <= 709.78); scale the inputs down or use a smaller learning rate");
  }
  return out;
}""",
    derivatives="(x, out) => [out]",
)
_JAVASCRIPT_LOG = JavaScriptRules(
    forward="""(x) => {
  if (x <= 0) {
    if (x === -Infinity) return NaN;
    throw python_error("ValueError", "log(" + repr(x) + ") is undefined: log needs x > 0; " +
      "clamp the input (e.g. max(x, 1e-12)) or use a loss that works on logits");
  }
  return Math.log(x);
}""",
    derivatives="(x, out) => [1.0 / x]",
)
_JAVASCRIPT_SQRT = JavaScriptRules(
    forward="""(x) => {
  if (x < 0) {
    if (x === -Infinity) return NaN;
    throw python_error("ValueError", "sqrt(" + repr(x) + ") is undefined: sqrt needs x >= 0; " +
      "use sqrt(abs(x)) or x ** 2");
  }
  return Math.sqrt(x);
}""",
    derivatives="(x, out) => [out !== 0 ? 0.5 / out : Infinity]",
)
_JAVASCRIPT_SIGMOID = JavaScriptRules(
    forward="""(x) => {
  if (x >= 0) return 1.0 / (1.0 + Math.exp(-x));
  const expX = Math.exp(x);
  return expX / (1.0 + expX);
}""",
    derivatives="(x, out) => [out * (1.0 - out)]",
)

NEG = Operation(
    "neg", "neg", "d/dx (-x) = -1",
    forward=lambda x: -x,
    derivatives=lambda x, out: (-1.0,),
    derivative_values=lambda x, out: (-1.0,),
    arity=1, method="__neg__", torch_function="neg",
    javascript=JavaScriptRules("(x) => -x", "(x, out) => [-1.0]"),
)
ABS = Operation(
    "abs", "abs", "d/dx |x| = sign(x)  (0 at x = 0)",
    forward=abs,
    derivatives=_abs_derivatives,
    # the slope is a constant (±1 or 0) at every point, so |x|'' = 0, as in PyTorch
    derivative_values=lambda x, out: _abs_derivatives(x.data, out.data),
    arity=1, method="__abs__", named_function=True, torch_function="abs",
    javascript=JavaScriptRules(
        "(x) => Math.abs(x)",
        "(x, out) => [x > 0 ? 1.0 : x < 0 ? -1.0 : 0.0]",
    ),
)
EXP = Operation(
    "exp", "exp", "d/dx eˣ = eˣ",
    forward=_exp,
    derivatives=lambda x, out: (out,),
    derivative_values=lambda x, out: (out,),
    arity=1, method="exp", named_function=True, torch_function="exp",
    javascript=_JAVASCRIPT_EXP,
)
LOG = Operation(
    "log", "log", "d/dx ln(x) = 1/x",
    forward=_log,
    derivatives=lambda x, out: (1.0 / x,),
    derivative_values=lambda x, out: (1.0 / x,),
    arity=1, method="log", named_function=True, torch_function="log",
    javascript=_JAVASCRIPT_LOG,
)
TANH = Operation(
    "tanh", "tanh", "d/dx tanh(x) = 1 - tanh(x)²",
    forward=math.tanh,
    derivatives=lambda x, out: (1.0 - out * out,),
    derivative_values=lambda x, out: (1.0 - out * out,),
    arity=1, method="tanh", named_function=True, activation=True,
    torch_function="tanh", torch_module="Tanh",
    javascript=JavaScriptRules("(x) => Math.tanh(x)", "(x, out) => [1.0 - out * out]"),
)
SIGMOID = Operation(
    "sigmoid", "σ", "d/dx σ(x) = σ(x)·(1 - σ(x))",
    forward=_sigmoid,
    derivatives=lambda x, out: (out * (1.0 - out),),
    derivative_values=lambda x, out: (out * (1.0 - out),),
    arity=1, method="sigmoid", named_function=True, activation=True,
    torch_function="sigmoid", torch_module="Sigmoid",
    javascript=_JAVASCRIPT_SIGMOID,
)
RELU = Operation(
    "relu", "relu", "d/dx relu(x) = 1 if x > 0 else 0",
    forward=lambda x: 0.0 if x <= 0.0 else x,  # relu(nan) = nan
    derivatives=_relu_derivatives,
    # the slope is a constant (1 or 0) at every point, so relu'' = 0, as in PyTorch
    derivative_values=lambda x, out: _relu_derivatives(x.data, out.data),
    arity=1, method="relu", named_function=True, activation=True,
    torch_function="relu", torch_module="ReLU",
    javascript=JavaScriptRules("(x) => (x <= 0 ? 0.0 : x)", "(x, out) => [x <= 0 ? 0.0 : 1.0]"),
)
SIN = Operation(
    "sin", "sin", "d/dx sin(x) = cos(x)",
    forward=_sin,
    derivatives=lambda x, out: (_cos(x),),
    derivative_values=lambda x, out: (x.cos(),),
    arity=1, method="sin", named_function=True, torch_function="sin",
    javascript=JavaScriptRules("(x) => Math.sin(x)", "(x, out) => [Math.cos(x)]"),
)
COS = Operation(
    "cos", "cos", "d/dx cos(x) = -sin(x)",
    forward=_cos,
    derivatives=lambda x, out: (-_sin(x),),
    derivative_values=lambda x, out: (-x.sin(),),
    arity=1, method="cos", named_function=True, torch_function="cos",
    javascript=JavaScriptRules("(x) => Math.cos(x)", "(x, out) => [-Math.sin(x)]"),
)
SQRT = Operation(
    "sqrt", "√", "d/dx √x = 1/(2√x)  (+∞ at x = 0)",
    forward=_sqrt,
    derivatives=lambda x, out: (0.5 / out if out != 0.0 else math.inf,),
    # out + 0.0 turns √(-0.0) = -0.0 into +0.0: the slope is +∞ at both zeros, and its own
    # derivative, -(0.5/out)/out·(+∞), is -∞ there, as PyTorch's √x'' at 0
    derivative_values=lambda x, out: (0.5 / (out + 0.0 if out.data == 0.0 else out),),
    arity=1, method="sqrt", named_function=True, torch_function="sqrt",
    javascript=_JAVASCRIPT_SQRT,
)

# ---------------------------------------------------------------------------------------------
# N-ary nodes: one node, one local derivative per input
# ---------------------------------------------------------------------------------------------


def _dot_forward(weights: list[float], inputs: list[float], bias: float) -> float:
    return sum(map(operator.mul, weights, inputs), 0.0) + bias


def _dot_derivative_values(*children_and_out: Any) -> tuple[Any, ...]:
    # children are weights w₁…wₙ, inputs x₁…xₙ, bias: ∂/∂wᵢ = xᵢ, ∂/∂xᵢ = wᵢ, ∂/∂b = 1
    count = (len(children_and_out) - 2) // 2
    weights = children_and_out[:count]
    inputs = children_and_out[count : 2 * count]
    return (*inputs, *weights, 1.0)


# Python's sum() of floats adds left to right before 3.12 and with Neumaier's compensation from
# 3.12 on; the JavaScript follows the Python that writes the page (`python_sum`: javascript.py).
_JAVASCRIPT_SUM_OF = (
    "python_sum" if sys.version_info >= (3, 12)
    else "((terms) => terms.reduce((total, term) => total + term, 0.0))"
)
_JAVASCRIPT_DOT = JavaScriptRules(
    forward=f"""(weights, inputs, bias) => {{
  const products = weights.map((weight, index) => weight * inputs[index]);
  return {_JAVASCRIPT_SUM_OF}(products) + bias;
}}""",
    derivatives="(weights, inputs) => [...inputs, ...weights, 1.0]",
)

SUM = Operation(
    "sum", "Σ", "d/dxᵢ Σ xⱼ = 1",
    forward=lambda *terms: sum(terms, 0.0),
    derivatives=lambda count: (1.0,) * count,
    derivative_values=lambda *terms_and_out: (1.0,) * (len(terms_and_out) - 1),
    method="sum",
    javascript=JavaScriptRules(
        f"(...terms) => {_JAVASCRIPT_SUM_OF}(terms)", "(count) => new Array(count).fill(1.0)"
    ),
)
DOT = Operation(
    "dot", "dot", "d/dwᵢ (Σ wⱼxⱼ + b) = xᵢ,  d/dxᵢ = wᵢ,  d/db = 1",
    forward=_dot_forward,
    # Children are ordered weights, inputs, bias: each weight's derivative is its input, and
    # each input's derivative is its weight.
    derivatives=lambda weights, inputs: (*inputs, *weights, 1.0),
    derivative_values=_dot_derivative_values,
    method="dot",
    javascript=_JAVASCRIPT_DOT,
)

OPERATIONS: dict[str, Operation] = {
    operation.name: operation
    for operation in (
        ADD, SUB, MUL, DIV, POW, NEG, ABS, EXP, LOG, TANH, SIGMOID, RELU, SIN, COS, SQRT, SUM, DOT
    )
}

# ---------------------------------------------------------------------------------------------
# Operations of your own (`custom_operation`) live beside the built-in table, never in it
# ---------------------------------------------------------------------------------------------

CUSTOM_OPERATIONS: dict[str, Operation] = {}
"""Operations made with `custom_operation`, by name: the latest definition of each. A `Value`
stores only its operation's name; `operation_named` finds it in either table, so drawings and
`explain` show a custom symbol too."""


class OperationName(str):
    """The name of an operation of your own, as its nodes' `op` holds it.

    It is the plain name for every purpose of a `str` (`node.op == "softplus"`, printing, dict
    keys) and also carries the definition the node was built with, `operation`. So defining the
    name again changes nothing about the Values already built: `backward()`, `grad`, `explain`,
    drawings and pages all use the rules each node was made with.
    """

    operation: Operation


def operation_named(name: str) -> Operation | None:
    """The operation called `name`: the definition a custom node was built with (its `op` is an
    `OperationName`), else built-in first, then the latest custom one; None for leaves (`""`)."""
    if type(name) is OperationName:
        return name.operation
    return OPERATIONS.get(name) or CUSTOM_OPERATIONS.get(name)


def register_custom(operation: Operation) -> Operation:
    """Add `operation` to `CUSTOM_OPERATIONS` and return it as registered (its name an
    `OperationName` pointing back at it); a built-in name is refused.

    Registering the same name again replaces the earlier definition for the Values built from
    then on; Values built before keep theirs (re-running a notebook cell that defines an
    operation is common and harmless).
    """
    if operation.name in OPERATIONS:
        raise ValueError(
            f"custom_operation: {operation.name!r} is the name of a built-in operation; "
            f"choose another name (built-ins: {', '.join(OPERATIONS)})"
        )
    name = OperationName(operation.name)
    registered = dataclasses.replace(operation, name=name)
    name.operation = registered
    CUSTOM_OPERATIONS[name] = registered
    return registered
