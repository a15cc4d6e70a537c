"""Testing: hypothesis strategies for writing your own property-based gradient tests.

This module is for test writers and needs `hypothesis` (`pip install micrograd_ann[test]`);
`import micrograd_ann` never imports it. It provides:

- `finite_floats(min_value, max_value)`: floats in a range, never nan, ±inf or subnormal.
- `values(min_value, max_value)`: `Value` leaves holding such floats. Once the package is
  installed, `st.from_type(Value)` gives the same strategy (through a hypothesis entry point).
- `points(variables, min_value, max_value)`: a list of floats, one per variable.
- `expressions(variables, max_depth)`: random expression graphs over the variables `x0, x1, …`
  that stay inside every operation's domain *by construction*: logarithms, square roots and
  divisions only ever see `1 + e²`, `exp` only sees a bounded subexpression (tanh, σ, sin, cos)
  and a `Value` exponent only meets a base ≥ 1. An `Expression` is a small tree that evaluates
  on `Value`s (call it: `expression(x0, x1)`), on plain floats with the `math` module
  (`expression.on_floats`) and on PyTorch tensors (`expression.on_tensors`), so a test can
  compare the engine with references that do not use it.
- `kink_distance(root)` and `assume_away_from_kinks(root, margin)`: relu and abs have a kink at
  0, where central differences straddle two slopes. Skip such examples.

A gradient property test (see tests/README.md):

    from hypothesis import given
    from micrograd_ann import gradcheck
    from micrograd_ann.testing import assume_away_from_kinks, expressions, points

    @given(expressions(variables=2), points(2, -2.0, 2.0))
    def test_my_gradients(expression, xs):
        assume_away_from_kinks(expression(*map(Value, xs)))
        assert gradcheck(expression, xs, rtol=1e-4)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from micrograd_ann.engine import Value, topological_order
from micrograd_ann.operations import OPERATIONS

if TYPE_CHECKING:
    from hypothesis.strategies import SearchStrategy

__all__ = [
    "Expression",
    "Variable",
    "Constant",
    "Unary",
    "Binary",
    "Sum",
    "Dot",
    "finite_floats",
    "values",
    "points",
    "expressions",
    "kink_distance",
    "assume_away_from_kinks",
    "UNARY_OPERATIONS",
]

# -------------------------------------------------------------------------------------------------
# Strategies for numbers and leaves
# -------------------------------------------------------------------------------------------------


def finite_floats(min_value: float = -10.0, max_value: float = 10.0) -> SearchStrategy[float]:
    """Floats in [min_value, max_value]: no nan, no ±inf, no subnormals."""
    from hypothesis import strategies as st

    return st.floats(
        min_value=min_value,
        max_value=max_value,
        allow_nan=False,
        allow_infinity=False,
        allow_subnormal=False,
    )


def values(min_value: float = -10.0, max_value: float = 10.0) -> SearchStrategy[Value]:
    """Trainable `Value` leaves whose data is a finite float in [min_value, max_value]."""
    return finite_floats(min_value, max_value).map(Value)


def points(
    variables: int, min_value: float = -2.0, max_value: float = 2.0
) -> SearchStrategy[list[float]]:
    """A list of `variables` finite floats in [min_value, max_value]: where to evaluate."""
    from hypothesis import strategies as st

    return st.lists(
        finite_floats(min_value, max_value), min_size=variables, max_size=variables
    )


# -------------------------------------------------------------------------------------------------
# Expression trees
# -------------------------------------------------------------------------------------------------


DotFunction = Callable[[list[Any], list[Any], Any], Any]


@dataclass(frozen=True)
class Functions:
    """How to apply each named function to one kind of number (Value, float or tensor)."""

    constant: Callable[[float], Any]
    unary: dict[str, Callable[[Any], Any]]
    sum: Callable[[list[Any]], Any]
    dot: DotFunction


def _dot_by_sum(sum_function: Callable[[list[Any]], Any]) -> DotFunction:
    """Σ wᵢ·xᵢ + b written with the backend's own products and sum."""

    def dot(weights: list[Any], inputs: list[Any], bias: Any) -> Any:
        return sum_function([*(weight * x for weight, x in zip(weights, inputs)), bias])

    return dot


def _float_sigmoid(x: float) -> float:
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    return math.exp(x) / (1.0 + math.exp(x))


UNARY_OPERATIONS = tuple(
    operation for operation in OPERATIONS.values() if operation.arity == 1
)
"""The operations of one input, from the operation table (neg, abs, exp, …)."""

_VALUE_FUNCTIONS = Functions(
    constant=lambda value: Value(value, requires_grad=False),
    unary={operation.name: getattr(Value, operation.method) for operation in UNARY_OPERATIONS},
    sum=Value.sum,
    dot=Value.dot,
)

# The float reference is written out by hand, with the `math` module, on purpose: it checks the
# engine's forward values independently of the table (tests check that it covers the table).
_FLOAT_FUNCTIONS = Functions(
    constant=float,
    unary={
        "neg": lambda x: -x,
        "abs": abs,
        "exp": math.exp,
        "log": math.log,
        "tanh": math.tanh,
        "sigmoid": _float_sigmoid,
        "relu": lambda x: max(x, 0.0),
        "sin": math.sin,
        "cos": math.cos,
        "sqrt": math.sqrt,
    },
    sum=math.fsum,
    dot=_dot_by_sum(math.fsum),
)


def _tensor_sum(terms: list[Any]) -> Any:
    import torch

    return torch.stack(terms).sum()


def _tensor_functions() -> Functions:
    import torch

    return Functions(
        constant=lambda value: torch.tensor(value, dtype=torch.float64),
        unary={
            operation.name: getattr(torch, operation.torch_function)
            for operation in UNARY_OPERATIONS
        },
        sum=_tensor_sum,
        dot=_dot_by_sum(_tensor_sum),
    )


_PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2, "**": 4}


class Expression:
    """A node of an expression tree over variables `x0, x1, …`.

    `expression(*xs)` evaluates it on `Value`s (so it can be passed to `gradcheck`),
    `on_floats(xs)` with the `math` module and `on_tensors(xs)` with PyTorch. `repr` gives the
    formula, e.g. `tanh(x0 * x1) + log(1 + x0 ** 2)`.
    """

    precedence = 5  # atoms and function calls never need parentheses

    def evaluate(self, inputs: Sequence[Any], functions: Functions) -> Any:
        """The expression's value with `inputs[i]` for `xi`, using `functions`."""
        raise NotImplementedError

    def __call__(self, *inputs: Value) -> Value:
        result: Value = self.evaluate(inputs, _VALUE_FUNCTIONS)
        return result

    def on_floats(self, inputs: Sequence[float]) -> float:
        """The value computed with plain floats and the `math` module (no engine involved)."""
        return float(self.evaluate([float(x) for x in inputs], _FLOAT_FUNCTIONS))

    def on_tensors(self, inputs: Sequence[Any]) -> Any:
        """The value computed with PyTorch tensors (pass float64 tensors for exact comparisons)."""
        return self.evaluate(inputs, _tensor_functions())

    def operations(self) -> set[str]:
        """Names of the engine operations this expression uses (`"add"`, `"tanh"`, …)."""
        return {*self._own_operations()}.union(*(part.operations() for part in self.parts()))

    def variables(self) -> set[int]:
        """Indices of the variables this expression uses."""
        return set().union(*(part.variables() for part in self.parts()))

    def parts(self) -> tuple[Expression, ...]:
        """The direct subexpressions."""
        return ()

    def _own_operations(self) -> tuple[str, ...]:
        return ()


@dataclass(frozen=True, repr=False)
class Variable(Expression):
    """The input `x{index}`."""

    index: int

    def evaluate(self, inputs: Sequence[Any], functions: Functions) -> Any:
        return inputs[self.index]

    def variables(self) -> set[int]:
        return {self.index}

    def __repr__(self) -> str:
        return f"x{self.index}"


@dataclass(frozen=True, repr=False)
class Constant(Expression):
    """A plain number: the engine turns it into a constant (non-trainable) leaf."""

    value: float

    def evaluate(self, inputs: Sequence[Any], functions: Functions) -> Any:
        return functions.constant(self.value)

    def __repr__(self) -> str:
        shown = repr(self.value)
        return f"({shown})" if self.value < 0.0 else shown


@dataclass(frozen=True, repr=False)
class Unary(Expression):
    """A function of one input: neg abs exp log tanh sigmoid relu sin cos sqrt."""

    function: str
    operand: Expression

    def evaluate(self, inputs: Sequence[Any], functions: Functions) -> Any:
        return functions.unary[self.function](self.operand.evaluate(inputs, functions))

    def parts(self) -> tuple[Expression, ...]:
        return (self.operand,)

    def _own_operations(self) -> tuple[str, ...]:
        return (self.function,)

    def __repr__(self) -> str:
        if self.function == "neg":
            inner = repr(self.operand)
            return f"-({inner})" if self.operand.precedence < 5 else f"-{inner}"
        return f"{self.function}({self.operand!r})"

    @property
    def precedence(self) -> int:  # type: ignore[override]
        return 3 if self.function == "neg" else 5


_OPERATOR_NAMES = {"+": "add", "-": "sub", "*": "mul", "/": "div", "**": "pow"}


@dataclass(frozen=True, repr=False)
class Binary(Expression):
    """`left <operator> right` with operator one of + - * / **."""

    operator: str
    left: Expression
    right: Expression

    def evaluate(self, inputs: Sequence[Any], functions: Functions) -> Any:
        left = self.left.evaluate(inputs, functions)
        right = self.right.evaluate(inputs, functions)
        if self.operator == "+":
            return left + right
        if self.operator == "-":
            return left - right
        if self.operator == "*":
            return left * right
        if self.operator == "/":
            return left / right
        return left**right

    def parts(self) -> tuple[Expression, ...]:
        return (self.left, self.right)

    def _own_operations(self) -> tuple[str, ...]:
        return (_OPERATOR_NAMES[self.operator],)

    def __repr__(self) -> str:
        own = self.precedence
        left = repr(self.left)
        right = repr(self.right)
        if self.left.precedence < own or (self.operator == "**" and self.left.precedence <= own):
            left = f"({left})"
        if self.right.precedence < own or (
            self.right.precedence == own and self.operator in ("-", "/")
        ):
            right = f"({right})"
        return f"{left} {self.operator} {right}"

    @property
    def precedence(self) -> int:  # type: ignore[override]
        return _PRECEDENCE[self.operator]


@dataclass(frozen=True, repr=False)
class Sum(Expression):
    """Σ terms as one n-ary node (`Value.sum`)."""

    terms: tuple[Expression, ...]

    def evaluate(self, inputs: Sequence[Any], functions: Functions) -> Any:
        return functions.sum([term.evaluate(inputs, functions) for term in self.terms])

    def parts(self) -> tuple[Expression, ...]:
        return self.terms

    def _own_operations(self) -> tuple[str, ...]:
        return ("sum",)

    def __repr__(self) -> str:
        return f"sum({', '.join(map(repr, self.terms))})"


@dataclass(frozen=True, repr=False)
class Dot(Expression):
    """Σ wᵢ·xᵢ + b as one n-ary node (`Value.dot`)."""

    weights: tuple[Expression, ...]
    inputs: tuple[Expression, ...]
    bias: Expression

    def evaluate(self, inputs: Sequence[Any], functions: Functions) -> Any:
        weights = [weight.evaluate(inputs, functions) for weight in self.weights]
        terms = [term.evaluate(inputs, functions) for term in self.inputs]
        return functions.dot(weights, terms, self.bias.evaluate(inputs, functions))

    def parts(self) -> tuple[Expression, ...]:
        return (*self.weights, *self.inputs, self.bias)

    def _own_operations(self) -> tuple[str, ...]:
        return ("dot",)

    def __repr__(self) -> str:
        weights = ", ".join(map(repr, self.weights))
        inputs = ", ".join(map(repr, self.inputs))
        return f"dot([{weights}], [{inputs}], {self.bias!r})"


# -------------------------------------------------------------------------------------------------
# The expression strategy
# -------------------------------------------------------------------------------------------------

_ONE = Constant(1.0)
_TWO = Constant(2.0)
_BOUNDED = ("tanh", "sigmoid", "sin", "cos")  # finite for every input, |f| ≤ 1

# The kinds of node `expressions` draws, simplest first (hypothesis shrinks towards the start).
_KINDS = (
    "+", "-", "*", "bounded", "neg", "abs", "relu", "divide", "square or cube", "exp", "log",
    "sqrt", "root", "power", "sum", "dot",
)


def _one_plus_square(expression: Expression) -> Expression:
    """1 + e²: at least 1, so log, sqrt and division are always defined on it."""
    return Binary("+", _ONE, Binary("**", expression, _TWO))


def expressions(variables: int = 2, max_depth: int = 3) -> SearchStrategy[Expression]:
    """Random expression trees over `x0 … x{variables-1}`, at most `max_depth` operations deep.

    Every operation's domain is respected by construction, for any finite inputs:
    `log(1 + e²)`, `sqrt(1 + e²)`, `e / (1 + e²)`, `exp` of tanh/σ/sin/cos of e, `e ** 2`,
    `e ** 3`, `(1 + e²) ** 0.5` and, for a `Value` exponent, `(1 + e²) ** tanh(e)`. Every tree
    uses at least one variable. Magnitudes stay moderate for inputs in about [-2, 2] and
    depth ≤ 3.
    """
    from hypothesis import strategies as st

    if variables < 1:
        raise ValueError(f"expressions needs at least one variable, got {variables}")
    if max_depth < 0:
        raise ValueError(f"max_depth must be >= 0, got {max_depth}")

    @st.composite
    def tree(draw: Callable[[SearchStrategy[Any]], Any], depth: int) -> Expression:
        if depth == 0 or (depth < max_depth and draw(st.integers(0, 3)) == 0):
            if draw(st.integers(0, 3)) > 0:
                return Variable(draw(st.integers(0, variables - 1)))
            return Constant(draw(st.integers(-20, 20)) / 10)

        def child() -> Expression:
            result: Expression = draw(tree(depth - 1))
            return result

        kind = draw(st.sampled_from(_KINDS))
        if kind in ("+", "-", "*"):
            return Binary(kind, child(), child())
        if kind == "bounded":
            return Unary(draw(st.sampled_from(_BOUNDED)), child())
        if kind in ("neg", "abs", "relu"):
            return Unary(kind, child())
        if kind == "divide":
            return Binary("/", child(), _one_plus_square(child()))
        if kind == "square or cube":
            return Binary("**", child(), Constant(draw(st.sampled_from([2.0, 3.0]))))
        if kind == "exp":
            return Unary("exp", Unary(draw(st.sampled_from(_BOUNDED)), child()))
        if kind in ("log", "sqrt"):
            return Unary(kind, _one_plus_square(child()))
        if kind == "root":
            return Binary("**", _one_plus_square(child()), Constant(0.5))
        if kind == "power":
            return Binary("**", _one_plus_square(child()), Unary("tanh", child()))
        if kind == "sum":
            count = draw(st.integers(1, 3))
            return Sum(tuple(child() for _ in range(count)))
        size = draw(st.integers(1, 2))
        weights = tuple(child() for _ in range(size))
        inputs = tuple(child() for _ in range(size))
        return Dot(weights, inputs, child())

    return tree(max_depth).filter(lambda expression: bool(expression.variables()))


# -------------------------------------------------------------------------------------------------
# Kinks
# -------------------------------------------------------------------------------------------------


def kink_distance(root: Value) -> float:
    """How close the input of any relu or abs node in `root`'s graph comes to 0 (inf if none).

    Central differences across a kink average two slopes, so gradient tests skip inputs where
    this is smaller than a margin (see `assume_away_from_kinks`).
    """
    distances = [
        abs(node.children[0].data)
        for node in topological_order(root)
        if node.op in ("relu", "abs")
    ]
    return min(distances, default=math.inf)


def assume_away_from_kinks(root: Value, margin: float = 1e-3) -> None:
    """`hypothesis.assume` that each relu/abs input in the graph is at least `margin` from 0."""
    from hypothesis import assume

    assume(kink_distance(root) >= margin)


def _hypothesis_setup_hook() -> None:
    """Entry point run by hypothesis at start-up: makes `st.from_type(Value)` give `values()`."""
    from hypothesis import strategies as st

    st.register_type_strategy(Value, values())
