"""Operations: every scalar operation's forward value, local derivatives and display symbol.

This is pure float math, with no graph in sight. Each `Operation` says, side by side, how to
compute its output from its inputs and how much the output moves when each input moves (its
local derivatives). The engine (`engine.py`) records these numbers on the graph; `backward()`
multiplies them together along every path — that product is the chain rule.

The same table feeds the graph drawings (`symbol`), the docs (`formula`) and the property tests,
which check every entry against central differences.

Domain errors are raised here, with the operation and the offending value in the message.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from dataclasses import dataclass

__all__ = [
    "Operation",
    "OPERATIONS",
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
class Operation:
    """One operation: `forward(*inputs)` and `derivatives(*inputs, out)`.

    `derivatives` returns one local derivative ∂out/∂input per input, in input order. It gets the
    output too, because several derivatives are cheapest in terms of it (d/dx eˣ = eˣ).

    The two n-ary nodes take their inputs in bulk instead: `SUM.forward(*terms)` and
    `SUM.derivatives(count)`; `DOT.forward(weights, inputs, bias)` and
    `DOT.derivatives(weights, inputs)`, all lists of floats.
    """

    name: str
    symbol: str
    formula: str
    forward: Callable[..., float]
    derivatives: Callable[..., tuple[float, ...]]


def _describe(value: float) -> str:
    return repr(float(value))


# ---------------------------------------------------------------------------------------------
# Arithmetic
# ---------------------------------------------------------------------------------------------

_ONE_ONE = (1.0, 1.0)
_ONE_MINUS_ONE = (1.0, -1.0)


def _divide(numerator: float, denominator: float) -> float:
    if denominator == 0.0:
        raise ZeroDivisionError(
            f"division by zero: {_describe(numerator)} / {_describe(denominator)}; "
            "make sure the denominator can never be 0 (e.g. add a small epsilon)"
        )
    return numerator / denominator


def _power(base: float, exponent: float) -> float:
    if base == 0.0 and exponent < 0.0:
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
        raise OverflowError(
            f"pow: {_describe(base)} ** {_describe(exponent)} overflows a float; "
            "use smaller inputs or a smaller learning rate"
        ) from None


def _power_derivatives(base: float, exponent: float, out: float) -> tuple[float, float]:
    # d/db b^k = k·b^(k−1);  d/dk b^k = b^k·ln b (for b > 0; its limit 0 at b = 0).
    if base != 0.0:
        # k·b^k / b reuses the output; when b^k underflows to 0, compute k·b^(k−1) itself.
        by_base = exponent * out / base if out != 0.0 else exponent * base ** (exponent - 1.0)
    elif exponent == 0.0 or exponent > 1.0:
        by_base = 0.0
    elif exponent == 1.0:
        by_base = 1.0
    else:  # 0 < k < 1: the slope of b^k is vertical at b = 0
        by_base = math.inf
    by_exponent = out * math.log(base) if base > 0.0 else (0.0 if base == 0.0 else math.nan)
    return by_base, by_exponent


ADD = Operation(
    "add", "+", "d/da (a + b) = 1,  d/db (a + b) = 1",
    forward=lambda a, b: a + b,
    derivatives=lambda a, b, out: _ONE_ONE,
)
SUB = Operation(
    "sub", "-", "d/da (a - b) = 1,  d/db (a - b) = -1",
    forward=lambda a, b: a - b,
    derivatives=lambda a, b, out: _ONE_MINUS_ONE,
)
MUL = Operation(
    "mul", "*", "d/da (a · b) = b,  d/db (a · b) = a",
    forward=lambda a, b: a * b,
    derivatives=lambda a, b, out: (b, a),
)
DIV = Operation(
    "div", "/", "d/da (a / b) = 1/b,  d/db (a / b) = -a/b² = -(a/b)/b",
    forward=_divide,
    derivatives=lambda a, b, out: (1.0 / b, -out / b),
)
POW = Operation(
    "pow", "**", "d/db b^k = k·b^(k-1),  d/dk b^k = b^k·ln(b)",
    forward=_power,
    derivatives=_power_derivatives,
)

# ---------------------------------------------------------------------------------------------
# Functions of one input
# ---------------------------------------------------------------------------------------------


def _exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        raise OverflowError(
            f"exp({_describe(x)}) overflows a float (exp needs x <= 709.78); "
            "scale the inputs down or use a smaller learning rate"
        ) from None


def _log(x: float) -> float:
    if x <= 0.0:
        raise ValueError(
            f"log({_describe(x)}) is undefined: log needs x > 0; "
            "clamp the input (e.g. max(x, 1e-12)) or use a loss that works on logits"
        )
    return math.log(x)


def _sqrt(x: float) -> float:
    if x < 0.0:
        raise ValueError(
            f"sqrt({_describe(x)}) is undefined: sqrt needs x >= 0; use sqrt(abs(x)) or x ** 2"
        )
    return math.sqrt(x)


def _sigmoid(x: float) -> float:
    # Two forms of 1 / (1 + e^-x) so that exp only ever sees a non-positive argument.
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    exp_x = math.exp(x)
    return exp_x / (1.0 + exp_x)


NEG = Operation(
    "neg", "neg", "d/dx (-x) = -1",
    forward=lambda x: -x,
    derivatives=lambda x, out: (-1.0,),
)
ABS = Operation(
    "abs", "abs", "d/dx |x| = sign(x)  (0 at x = 0)",
    forward=abs,
    derivatives=lambda x, out: (1.0 if x > 0.0 else -1.0 if x < 0.0 else 0.0,),
)
EXP = Operation(
    "exp", "exp", "d/dx eˣ = eˣ",
    forward=_exp,
    derivatives=lambda x, out: (out,),
)
LOG = Operation(
    "log", "log", "d/dx ln(x) = 1/x",
    forward=_log,
    derivatives=lambda x, out: (1.0 / x,),
)
TANH = Operation(
    "tanh", "tanh", "d/dx tanh(x) = 1 - tanh(x)²",
    forward=math.tanh,
    derivatives=lambda x, out: (1.0 - out * out,),
)
SIGMOID = Operation(
    "sigmoid", "σ", "d/dx σ(x) = σ(x)·(1 - σ(x))",
    forward=_sigmoid,
    derivatives=lambda x, out: (out * (1.0 - out),),
)
RELU = Operation(
    "relu", "relu", "d/dx relu(x) = 1 if x > 0 else 0",
    forward=lambda x: x if x > 0.0 else 0.0,
    derivatives=lambda x, out: (1.0 if x > 0.0 else 0.0,),
)
SIN = Operation(
    "sin", "sin", "d/dx sin(x) = cos(x)",
    forward=math.sin,
    derivatives=lambda x, out: (math.cos(x),),
)
COS = Operation(
    "cos", "cos", "d/dx cos(x) = -sin(x)",
    forward=math.cos,
    derivatives=lambda x, out: (-math.sin(x),),
)
SQRT = Operation(
    "sqrt", "√", "d/dx √x = 1/(2√x)  (+∞ at x = 0)",
    forward=_sqrt,
    derivatives=lambda x, out: (0.5 / out if out != 0.0 else math.inf,),
)

# ---------------------------------------------------------------------------------------------
# N-ary nodes: one node, one local derivative per input
# ---------------------------------------------------------------------------------------------


def _dot_forward(weights: list[float], inputs: list[float], bias: float) -> float:
    return sum(map(operator.mul, weights, inputs), 0.0) + bias


SUM = Operation(
    "sum", "Σ", "d/dxᵢ Σ xⱼ = 1",
    forward=lambda *terms: sum(terms, 0.0),
    derivatives=lambda count: (1.0,) * count,
)
DOT = Operation(
    "dot", "dot", "d/dwᵢ (Σ wⱼxⱼ + b) = xᵢ,  d/dxᵢ = wᵢ,  d/db = 1",
    forward=_dot_forward,
    # Children are ordered weights, inputs, bias: each weight's derivative is its input, and
    # each input's derivative is its weight.
    derivatives=lambda weights, inputs: (*inputs, *weights, 1.0),
)

OPERATIONS: dict[str, Operation] = {
    operation.name: operation
    for operation in (
        ADD, SUB, MUL, DIV, POW, NEG, ABS, EXP, LOG, TANH, SIGMOID, RELU, SIN, COS, SQRT, SUM, DOT
    )
}
