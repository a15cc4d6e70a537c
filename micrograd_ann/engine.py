"""Engine: `Value`, a scalar that remembers how it was computed, and `backward()`.

Every arithmetic operation on a `Value` returns a new `Value` that records its `children` (the
inputs) and its `local_derivatives` (∂output/∂input for each child, taken from the operation
table in `operations.py`). The records form a graph. `backward()` walks that graph once, from the
output back to the leaves, and applies the chain rule at each edge:

    child.grad += node.grad * local_derivative

Plain numbers mixed into an expression become *constants*: leaves with `requires_grad=False`,
shown in the graph but never given a gradient or trained.
"""

from __future__ import annotations

import math
import numbers
import operator
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Union

from micrograd_ann import operations
from micrograd_ann.operations import Operation

__all__ = [
    "Value",
    "Operand",
    "no_grad",
    "enable_grad",
    "is_grad_enabled",
    "grad",
    "refusing_grad",
    "apply_operation",
    "topological_order",
    "as_float",
    "check_finite",
]

Operand = Union["Value", float, int]

_grad_enabled: ContextVar[bool] = ContextVar("micrograd_ann_grad_enabled", default=True)


@contextmanager
def no_grad() -> Iterator[None]:
    """Inside this block operations record no graph: every result is a leaf.

    Use it for inference and for parameter updates. The switch lives in a `ContextVar`, so it
    is private to the current thread and to the current asyncio task.
    """
    token = _grad_enabled.set(False)
    try:
        yield
    finally:
        _grad_enabled.reset(token)


@contextmanager
def enable_grad() -> Iterator[None]:
    """The opposite of `no_grad()`: operations record a graph inside this block, even within a
    `no_grad()` block (to trace a function whatever the caller's mode, as `compile_gradient`
    does)."""
    token = _grad_enabled.set(True)
    try:
        yield
    finally:
        _grad_enabled.reset(token)


def is_grad_enabled() -> bool:
    """True unless called inside `no_grad()`."""
    return _grad_enabled.get()


class Value:
    """A scalar in a computation graph.

    Attributes:
        data: the number (a float).
        grad: ∂root/∂self after `root.backward()` (starts at 0.0).
        label: an optional name shown in drawings.
        op: the name of the operation that produced it (`"mul"`, `"tanh"`, …); `""` for leaves.
        children: the `Value`s it was computed from; empty for leaves.
        local_derivatives: ∂self/∂child for each child, in the same order.
        requires_grad: False for constants and for results of `no_grad()` / `detach()`.

    micrograd's names work too, for code written for micrograd and for its lecture: `_prev`
    (the children as a set), `_op` (`'+'`, `'*'`, `'**2'`, `'ReLU'`, …), `_backward()` (one
    chain-rule step at this node) and the constructor `Value(data, (a, b), '+')`. `<`, `<=`,
    `>`, `>=` compare `data` and return a bool (not differentiable; nothing is recorded); `==`
    is identity, so Values can be dict keys.

    Attributes of your own are kept, as on a PyTorch tensor (`p.m = 0.0` for an optimizer's
    state, `v.colour = "red"` for a drawing). The price: a misspelt attribute is kept too —
    `v.gard = 0.0` makes a new attribute and leaves `grad` alone. Python offers no cheap way
    to catch it: a `__setattr__` check would run on every assignment, `grad +=` in `backward()`
    included (measured 76 → 463 ns per `v.grad += 1.0`).
    """

    __slots__ = (
        "data", "grad", "label", "op", "requires_grad",
        # the inputs, each with ∂self/∂input (read them as `children`, `local_derivatives`):
        "_first_input", "_first_derivative",  # one or two inputs: in slots (`_set_inputs`)
        "_second_input", "_second_derivative",
        "_inputs", "_derivatives",  # none or three or more (sum, dot): in tuples
        "__dict__",  # attributes of your own (`v.m = 0.0`), made only when the first is set
    )

    data: float
    grad: float
    label: str
    op: str
    requires_grad: bool
    _first_input: Value | None
    _first_derivative: float
    _second_input: Value | None
    _second_derivative: float
    _inputs: tuple[Value, ...]
    _derivatives: tuple[float, ...]

    def __init__(
        self,
        data: float,
        children: Sequence[Value] | str = (),
        op: str = "",
        label: str = "",
        *,
        requires_grad: bool = True,
    ) -> None:
        """`Value(2.0)`, `Value(2.0, label="a")` or `Value(2.0, "a")` make a leaf.

        micrograd's form `Value(5.0, (a, b), "+")` makes a node by hand: see `_make_by_hand`.
        """
        self.data = as_float(data, "Value(data)")
        made_from: Sequence[Value] = ()
        if not isinstance(children, str):
            made_from = children
        elif op or label:
            raise TypeError(
                f"Value({data!r}, {children!r}, {op!r}, {label!r}): the second argument is "
                "the label or a tuple of children; give a label once, with label="
            )
        else:  # Value(2.0, "a"): a label given second
            label = children
        if not isinstance(label, str):
            raise TypeError(f"Value label must be a str, got {type(label).__name__}: {label!r}")
        self.grad = 0.0
        self.label = label
        self.op = ""
        self.requires_grad = bool(requires_grad)
        _set_inputs(self, (), ())
        if made_from or op:
            _make_by_hand(self, made_from, op)

    # -- display and conversion ---------------------------------------------------------------

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{label})"

    def __float__(self) -> float:
        return self.data

    # -- comparisons: of `data`, returning a bool; they record nothing -----------------------
    #
    # So `max(scores)`, `sorted(values)` and `if loss < best:` work. A comparison is a step
    # function, with derivative 0 wherever it is defined: no gradient flows through it. `==`
    # is not among them: it stays identity, so Values can be dict keys and set members.

    def __lt__(self, other: Operand) -> bool:
        other_data = _data_to_compare(other)
        return NotImplemented if other_data is None else self.data < other_data

    def __le__(self, other: Operand) -> bool:
        other_data = _data_to_compare(other)
        return NotImplemented if other_data is None else self.data <= other_data

    def __gt__(self, other: Operand) -> bool:
        other_data = _data_to_compare(other)
        return NotImplemented if other_data is None else self.data > other_data

    def __ge__(self, other: Operand) -> bool:
        other_data = _data_to_compare(other)
        return NotImplemented if other_data is None else self.data >= other_data

    # -- arithmetic ---------------------------------------------------------------------------

    def __add__(self, other: Operand) -> Value:
        return _apply_binary(operations.ADD, self, other)

    def __radd__(self, other: Operand) -> Value:
        return _apply_binary(operations.ADD, other, self)

    def __sub__(self, other: Operand) -> Value:
        return _apply_binary(operations.SUB, self, other)

    def __rsub__(self, other: Operand) -> Value:
        return _apply_binary(operations.SUB, other, self)

    def __mul__(self, other: Operand) -> Value:
        return _apply_binary(operations.MUL, self, other)

    def __rmul__(self, other: Operand) -> Value:
        return _apply_binary(operations.MUL, other, self)

    def __truediv__(self, other: Operand) -> Value:
        return _apply_binary(operations.DIV, self, other)

    def __rtruediv__(self, other: Operand) -> Value:
        return _apply_binary(operations.DIV, other, self)

    def __pow__(self, exponent: Operand) -> Value:
        return _apply_binary(operations.POW, self, exponent)

    def __rpow__(self, base: Operand) -> Value:
        return _apply_binary(operations.POW, base, self)

    def __neg__(self) -> Value:
        return _apply_unary(operations.NEG, self)

    def __abs__(self) -> Value:
        return _apply_unary(operations.ABS, self)

    # -- functions ----------------------------------------------------------------------------

    def exp(self) -> Value:
        """eˣ; raises OverflowError above x ≈ 709.78."""
        return _apply_unary(operations.EXP, self)

    def log(self) -> Value:
        """Natural logarithm; raises ValueError for x ≤ 0."""
        return _apply_unary(operations.LOG, self)

    def tanh(self) -> Value:
        """Hyperbolic tangent; finite for every finite input."""
        return _apply_unary(operations.TANH, self)

    def sigmoid(self) -> Value:
        """σ(x) = 1 / (1 + e⁻ˣ), computed without overflow for every finite input."""
        return _apply_unary(operations.SIGMOID, self)

    def relu(self) -> Value:
        """max(0, x); its derivative at exactly 0 is taken as 0, as in PyTorch."""
        return _apply_unary(operations.RELU, self)

    def sin(self) -> Value:
        return _apply_unary(operations.SIN, self)

    def cos(self) -> Value:
        return _apply_unary(operations.COS, self)

    def sqrt(self) -> Value:
        """√x; raises ValueError for x < 0. Its derivative at 0 is +∞."""
        return _apply_unary(operations.SQRT, self)

    # -- n-ary nodes --------------------------------------------------------------------------

    @staticmethod
    def sum(terms: Iterable[Operand]) -> Value:
        """Σ terms as a single graph node (one edge per term, each with derivative 1)."""
        children = tuple(
            term if type(term) is Value else _to_value(term, "Value.sum") for term in terms
        )
        data = [child.data for child in children]
        out = operations.SUM.forward(*data)
        if out - out != 0.0:  # _is_not_finite(out), written inline
            check_finite(operations.SUM, out, data)
        if _records_graph(children):
            return _node(out, "sum", children, operations.SUM.derivatives(len(children)))
        return _constant(out)

    @staticmethod
    def dot(
        weights: Sequence[Operand], inputs: Sequence[Operand], bias: Operand | None = None
    ) -> Value:
        """Σ wᵢ·xᵢ (+ b) as a single graph node: the pre-activation of a neuron.

        Its children are the weights, then the inputs, then the bias (a constant 0 if none).
        """
        count = len(weights)
        if count != len(inputs):
            raise ValueError(
                f"Value.dot needs as many weights as inputs, got {count} weights "
                f"and {len(inputs)} inputs"
            )
        if count and type(inputs[0]) is not Value:  # plain-number inputs become constants
            inputs = [x if type(x) is Value else _to_value(x, "Value.dot") for x in inputs]
        bias_value = bias if type(bias) is Value else _to_value(bias or 0.0, "Value.dot")
        children = (*weights, *inputs, bias_value)
        try:  # the common case: every operand is a Value
            data = [child.data for child in children]  # type: ignore[union-attr]
            out = operations.DOT.forward(data[:count], data[count:-1], data[-1])
        except (AttributeError, TypeError):  # plain numbers among them become constants
            children = tuple(_to_value(child, "Value.dot") for child in children)
            data = [child.data for child in children]  # type: ignore[union-attr]
            out = operations.DOT.forward(data[:count], data[count:-1], data[-1])
        if out - out != 0.0:  # _is_not_finite(out), written inline
            check_finite(operations.DOT, out, data)
        if _records_graph(children):  # type: ignore[arg-type]
            return _node(
                out,
                "dot",
                children,  # type: ignore[arg-type]
                operations.DOT.derivatives(data[:count], data[count:-1]),
            )
        return _constant(out)

    # -- graph --------------------------------------------------------------------------------

    @property
    def children(self) -> tuple[Value, ...]:
        """The Values this one was computed from, in operand order; () for a leaf."""
        first = self._first_input
        if first is None:
            return self._inputs
        second = self._second_input
        return (first,) if second is None else (first, second)

    @property
    def local_derivatives(self) -> tuple[float, ...]:
        """∂self/∂child for each of `children`, in the same order."""
        if self._first_input is None:
            return self._derivatives
        if self._second_input is None:
            return (self._first_derivative,)
        return (self._first_derivative, self._second_derivative)

    def detach(self) -> Value:
        """A new leaf with the same data and no history (`requires_grad=False`)."""
        return _constant(self.data)

    def backward(self, gradient: float = 1.0) -> None:
        """Fill in `grad` of every node this value depends on: ∂self/∂node.

        `gradient` is the seed, 1 by default (∂self/∂self). Give ∂L/∂self instead when `self`
        is one term of a larger L, as PyTorch's `backward(gradient)`: every grad is then ∂L/∂node.

        The graph is put in topological order without recursion, so any depth works; each
        node is visited once, however many paths lead to it. Interior nodes are reset first, so
        only leaves accumulate across calls (calling twice doubles the leaves' grads, as
        PyTorch does when the graph is kept with `retain_graph=True`). Call `zero_grad()` on a
        model, or set `grad = 0.0`, between steps.

        A node whose gradient is exactly 0 passes nothing on. That skips dead ReLUs cheaply;
        it also means an infinite local derivative times a zero gradient adds 0, not NaN.
        """
        if not self.requires_grad:
            raise RuntimeError(
                f"backward() called on {self!r}, which has no graph: it is a constant or was "
                "computed under no_grad() or from detach(); build it from Values outside no_grad()"
            )
        if type(gradient) is not float:
            gradient = as_float(gradient, "backward(gradient)")
        order = topological_order(self)
        for node in order:
            node.grad = 0.0
        if self.children:
            self.grad = gradient
        else:
            self.grad += gradient
        for node in reversed(order):
            if node.grad != 0.0:  # else nothing to pass on (a dead ReLU, a satisfied margin, …)
                node._chain_rule_step()

    # -- micrograd's names, for code written for micrograd and for the lecture ---------------

    @property
    def _prev(self) -> set[Value]:
        """micrograd's name for the children, as a set (`children` keeps their order)."""
        return set(self.children)

    @property
    def _op(self) -> str:
        """micrograd's name for the operation that made this value: `'+'`, `'*'`, `'**2'`,
        `'ReLU'`, `'tanh'`, `'exp'`; the table's symbol for the operations micrograd lacks
        (`'-'`, `'/'`, `'σ'`, `'dot'`, …); `''` for a leaf."""
        if self.op == "relu":
            return "ReLU"
        if self.op == "pow" and not self.children[1].requires_grad:
            exponent = self.children[1].data
            return f"**{int(exponent) if exponent.is_integer() else exponent}"
        operation = operations.operation_named(self.op)
        return operation.symbol if operation is not None else self.op

    @property
    def _backward(self) -> Callable[[], None]:
        """micrograd's one chain-rule step at this node, to call: `o._backward()` adds
        `o.grad × ∂o/∂child` into each child's `grad` (a leaf has no children: it does nothing).
        `backward()` takes this step at every node, outputs before inputs."""
        return self._chain_rule_step

    @_backward.setter
    def _backward(self, function: object) -> None:
        raise AttributeError(
            "a Value's _backward cannot be replaced: backward() uses each node's recorded "
            "local_derivatives, not a closure; to add an operation of your own, use "
            "micrograd_ann.custom_operation (its forward and local derivatives)"
        )

    def _chain_rule_step(self) -> None:
        """child.grad += self.grad × ∂self/∂child, for each child that wants a gradient."""
        upstream = self.grad
        first = self._first_input
        if first is None:  # a leaf (no inputs), or three or more inputs (a sum, a dot)
            for child, local in zip(self._inputs, self._derivatives):
                if child.requires_grad:
                    child.grad += upstream * local
            return
        if first.requires_grad:
            first.grad += upstream * self._first_derivative
        second = self._second_input
        if second is not None and second.requires_grad:
            second.grad += upstream * self._second_derivative


_grad_refusal: ContextVar[str] = ContextVar("micrograd_ann_grad_refusal", default="")


@contextmanager
def refusing_grad(reason: str) -> Iterator[None]:
    """Inside this block `grad()` raises ValueError(reason) instead of answering.

    For a caller that could not use the answer: `compile_gradient` traces `f` inside it, since a
    derivative computed inside `f` would be fixed at the traced point (a constant, or a graph
    whose branches are those the example inputs took).
    """
    token = _grad_refusal.set(reason)
    try:
        yield
    finally:
        _grad_refusal.reset(token)


def grad(
    output: Value, inputs: Value | Sequence[Value], *, create_graph: bool = False
) -> tuple[Value, ...]:
    """∂output/∂input for each of `inputs` (one `Value` or a sequence of them), in order.

    The same chain rule as `backward()`, over the same order, but the gradients are kept apart
    and returned: no `.grad` attribute changes. An input the output does not depend on gets a
    constant 0.0, and so does every input when `output` is a constant (the derivative of a
    constant is 0).

    With `create_graph=False` the results are constants. With `create_graph=True` the chain rule
    is itself computed with `Value` operations — each node's local derivatives come from its
    operation's `derivative_values` — so each result is a `Value` with its own graph, which
    `grad`, `backward()`, `draw_graph` and `explain` take like any other:

        >>> x = Value(3.0)
        >>> (slope,) = grad(x ** 3, x, create_graph=True)    # 3x² = 27
        >>> grad(slope, x)[0].data                            # 6x = 18
        18.0
    """
    refusal = _grad_refusal.get()
    if refusal:
        raise ValueError(refusal)
    wanted = _grad_inputs(inputs)
    if not isinstance(output, Value):
        raise TypeError(
            f"grad needs a Value as its output, got {type(output).__name__}: {output!r}"
        )
    if not output.requires_grad:
        return tuple(_constant(0.0) for _ in wanted)
    if create_graph:
        graphs = _gradient_graphs(output)
        return tuple(graphs.get(value) or _constant(0.0) for value in wanted)
    numbers = _gradient_numbers(output)
    return tuple(_constant(numbers.get(value, 0.0)) for value in wanted)


def _grad_inputs(inputs: Value | Sequence[Value]) -> tuple[Value, ...]:
    if isinstance(inputs, Value):
        return (inputs,)
    if not isinstance(inputs, Sequence) or isinstance(inputs, str):
        raise TypeError(
            f"grad needs a Value or a sequence of Values as its inputs, got "
            f"{type(inputs).__name__}: {inputs!r}"
        )
    for index, value in enumerate(inputs):
        if not isinstance(value, Value):
            raise TypeError(
                f"grad: inputs[{index}] is {type(value).__name__} {value!r}, not a Value; "
                "pass the Values the output was computed from"
            )
    return tuple(inputs)


def _gradient_numbers(output: Value) -> dict[Value, float]:
    """∂output/∂node as floats for every node that wants a gradient: `backward()`'s loop."""
    gradients = {output: 1.0}
    for node in reversed(topological_order(output)):
        upstream = gradients.get(node, 0.0)
        if upstream == 0.0:
            continue
        for child, local in zip(node.children, node.local_derivatives):
            if child.requires_grad:
                gradients[child] = gradients.get(child, 0.0) + upstream * local
    return gradients


def _gradient_graphs(output: Value) -> dict[Value, Value]:
    """∂output/∂node as Values, with graphs: the same loop in Value arithmetic.

    Each number is the one `backward()` computes (up to the sign of a zero): the local
    derivatives' `derivative_values` are the same floats as their `derivatives`; the graphs are
    built in `ieee_arithmetic()`, where x/0 and overflow give ±inf as backward()'s float products
    do; and a zero gradient passes on nothing, even through an infinite slope (`_chain_product`).
    """
    gradients = {output: _constant(1.0)}
    with operations.ieee_arithmetic():
        for node in reversed(topological_order(output)):
            upstream = gradients.get(node)
            if upstream is None or (not upstream.requires_grad and upstream.data == 0.0):
                continue  # a constant 0 passes on nothing, at any order
            for child, local in zip(node.children, _local_derivative_values(node)):
                if not child.requires_grad or (type(local) is not Value and local == 0.0):
                    continue
                contribution = _chain_product(upstream, local)
                earlier = gradients.get(child)
                gradients[child] = contribution if earlier is None else earlier + contribution
    return gradients


def _chain_product(upstream: Value, local: Value | float) -> Value:
    """upstream × local, with `backward()`'s rule that a zero gradient passes nothing on.

    Where the upstream gradient is 0 and the local derivative ±inf or nan (√x at 0), the product
    is 0, not nan: a `mul` node of data 0 that keeps both factors as children, so that a
    derivative of higher order still sees the infinite slope (∂²(y·√x)/∂y∂x = +∞ at x = 0).
    """
    factor = local if isinstance(local, Value) else None
    local_data = factor.data if factor is not None else float(local)
    if upstream.data != 0.0 or local_data - local_data == 0.0:  # the ordinary case
        return upstream if factor is None and local_data == 1.0 else upstream * local
    factor = factor if factor is not None else _constant(local_data)
    return _node(0.0, "mul", (upstream, factor), (local_data, upstream.data))


def _local_derivative_values(node: Value) -> tuple[Value | float, ...]:
    operation = operations.operation_named(node.op)
    rule = operation.derivative_values if operation is not None else None
    if rule is None:
        raise RuntimeError(
            f"grad(..., create_graph=True) cannot differentiate through {node.op!r} again: "
            f"the custom operation {node.op!r} was made without derivative_values=; give "
            "custom_operation its local derivatives written with Value operations, or use "
            "create_graph=False"
        )
    return tuple(rule(*node.children, node))


def topological_order(root: Value | Iterable[Value]) -> list[Value]:
    """The interior nodes reachable from `root` (a Value, or several roots in turn), every
    node after all of its children.

    Leaves are left out: they have nothing to pass a gradient on to. The walk is a depth-first
    search with an explicit stack (no recursion limit) that follows `children` in order, so the
    result is the same on every run; each node comes once, however many roots reach it.
    """
    order: list[Value] = []
    visited: set[Value] = set()
    for start in [root] if isinstance(root, Value) else root:
        if not start.children or start in visited:
            continue
        visited.add(start)
        path = [start]  # the nodes being visited, the deepest last
        unvisited = [iter(start.children)]  # the children each of them has still to look at
        while path:
            for child in unvisited[-1]:
                if child not in visited:
                    grandchildren = child.children
                    if grandchildren:  # a leaf is left out
                        visited.add(child)
                        path.append(child)
                        unvisited.append(iter(grandchildren))
                        break
            else:
                unvisited.pop()
                order.append(path.pop())
    return order


# -------------------------------------------------------------------------------------------------
# Building nodes
#
# Three speed tricks live here, each named once; the idea reads first and the trick is an aside.
# They are measured wins on the path every operation takes (benchmarks/README.md).
# -------------------------------------------------------------------------------------------------


def _is_not_finite(out: float) -> bool:
    """True when `out` is nan or ±inf: the test every operation makes of its result.

    Speed trick: the operations write this body, `out - out != 0.0`, in place of a call (`inf -
    inf` and `nan - nan` are nan, and nan ≠ 0; a finite number minus itself is 0). One float
    subtraction instead of a Python function call on every node built saves about 70 ns, a
    tenth of the cost of `x * y`.
    """
    return out - out != 0.0


_new_value = object.__new__
"""Speed trick: `_new_value(Value)` makes a bare `Value` without running `Value.__init__`."""


def _node(
    data: float, op: str, children: tuple[Value, ...], local_derivatives: tuple[float, ...]
) -> Value:
    """A new interior node: what every operation returns while a graph is recorded.

    Speed trick: it fills the slots of a bare `Value` directly (`_new_value`), skipping the
    checks of `Value.__init__`, which the operations have already done (the data is a float
    they computed; the label is empty). `Value(1.0)` takes several times as long as
    `_node(1.0, "", (), ())`.
    """
    node: Value = _new_value(Value)
    node.data = data
    node.grad = 0.0
    node.label = ""
    node.op = op
    node.requires_grad = True
    _set_inputs(node, children, local_derivatives)
    return node


def _set_inputs(
    node: Value, children: tuple[Value, ...], local_derivatives: tuple[float, ...]
) -> None:
    """Record on `node` its children and ∂node/∂child for each (read back as `node.children`
    and `node.local_derivatives`).

    Speed trick: a node of one or two inputs (every operation but sum and dot) keeps them in
    four slots of its own rather than in two tuples. Each tuple is one more object that the
    cycle collector counts when it is made, and a tuple of Values one more that every full
    collection walks while the graph lives. Without them a node is one object instead of three
    and about 80 bytes smaller, and micrograd's demo step runs 1.3x-1.5x faster
    (benchmarks/README.md). Only the slots that a node's case reads are filled, since every
    reader looks at `_first_input` first, then at `_second_input`: a node of one or two inputs
    leaves `_inputs` and `_derivatives` empty; a leaf, a sum or a dot sets `_first_input` to
    None and leaves the other three slots of the small case empty.
    """
    count = len(children)
    if count == 2:
        node._first_input, node._second_input = children
        node._first_derivative, node._second_derivative = local_derivatives
    elif count == 1:
        (node._first_input,) = children
        (node._first_derivative,) = local_derivatives
        node._second_input = None
    else:  # a leaf (no inputs) or a sum or dot (many): the tuples themselves
        node._first_input = None
        node._inputs = children
        node._derivatives = local_derivatives


def _constant(data: float) -> Value:
    constant = _node(data, "", (), ())
    constant.requires_grad = False
    return constant


_requires_grad = operator.attrgetter("requires_grad")


def _records_graph(children: Iterable[Value]) -> bool:
    return _grad_enabled.get() and any(map(_requires_grad, children))


def as_float(data: object, where: str) -> float:
    """`data` as a float (an int or a bool too), else a TypeError naming `where`."""
    if type(data) is float:
        return data
    if isinstance(data, numbers.Real) and not isinstance(data, Value):
        return float(data)
    hint = " (use v.data, or the Value itself in an expression)" if isinstance(data, Value) else ""
    raise TypeError(
        f"{where} must be a real number (int, float or bool), got {type(data).__name__}: "
        f"{data!r}{hint}"
    )


def _to_value(operand: object, where: str) -> Value:
    """`operand` itself if it is a Value, else a constant holding the number."""
    if type(operand) is float or type(operand) is int:
        return _constant(float(operand))
    if isinstance(operand, Value):
        return operand
    if isinstance(operand, numbers.Real):
        return _constant(float(operand))
    raise TypeError(
        f"{where}: cannot use {type(operand).__name__} {operand!r} in an expression; "
        "operands must be Values or real numbers (int, float)"
    )


def _data_to_compare(other: object) -> float | None:
    """What a comparison compares `data` with: a Value's data or a real number; None for
    anything else (Python then tries the other operand's comparison, and raises TypeError)."""
    if isinstance(other, Value):
        return other.data
    if isinstance(other, numbers.Real):
        return float(other)
    return None


def _make_by_hand(node: Value, children: object, op: str) -> None:
    """micrograd's `Value(data, (a, b), "+")`: `node` becomes the node `a + b` would have made.

    `op` is micrograd's string (`'+'`, `'*'`, `'**2'`, `'ReLU'`, `'tanh'`, `'exp'`), a symbol
    from the operation table (`'-'`, `'/'`, `'σ'`, …) or an operation's name (`"mul"`, or a
    custom operation's). The local derivatives come from the table at the children's data, so
    `backward()`, `_backward()`, drawings and `explain` treat the node like any other.

    Refused with an error, since each would make a chain rule that teaches something false: an
    unknown `op` (there is no closure to run instead), the wrong number of children, children
    given as a set (micrograd's `_prev`: no order, and `a - b` needs one), and `data` that is
    not what the operation gives (to 1e-9 relative).
    """
    where = f"Value({node.data!r}, {children!r}, {op!r})"
    if not isinstance(children, Sequence) or not children or not op:
        raise TypeError(
            f"{where}: a node made by hand needs its children as a tuple in order, e.g. (a, b), "
            "and the operation that made it, e.g. '+'; for a leaf give only the data (and label=)"
        )
    for child in children:
        if not isinstance(child, Value):
            raise TypeError(f"{where}: the children must be Values, got {child!r}")
    operation, operands = _operation_written(op, tuple(children), where)
    data = [child.data for child in operands]
    if operation is operations.SUM:
        expected, locals_ = operation.forward(*data), operation.derivatives(len(data))
    elif operation is operations.DOT:
        count = (len(data) - 1) // 2
        if len(data) % 2 == 0:
            raise ValueError(f"{where}: dot takes weights, as many inputs, then a bias")
        weights, inputs = data[:count], data[count:-1]
        expected = operation.forward(weights, inputs, data[-1])
        locals_ = operation.derivatives(weights, inputs)
    else:
        if operation.arity is not None and len(operands) != operation.arity:
            raise ValueError(
                f"{where}: {operation.name} takes {operation.arity} operand(s), "
                f"got {len(operands)}"
            )
        expected = operation.forward(*data)
        locals_ = operation.derivatives(*data, node.data)
    if not (math.isclose(node.data, expected, rel_tol=1e-9, abs_tol=1e-12)
            or (node.data != node.data and expected != expected)):
        raise ValueError(
            f"{where}: {operation.name} of {data} is {expected!r}, not {node.data!r}; give the "
            "operation's result as the data"
        )
    node.op = operation.name
    _set_inputs(node, operands, tuple(locals_))
    node.requires_grad = node.requires_grad and any(child.requires_grad for child in operands)


def _operation_written(
    op: str, children: tuple[Value, ...], where: str
) -> tuple[Operation, tuple[Value, ...]]:
    """The operation `op` names, and its operands: micrograd's `'**2'` is `pow` with a
    constant exponent 2, which becomes the second operand, as `a ** 2` would make it."""
    if op.startswith("**") and len(op) > 2:
        try:
            exponent = float(op[2:])
        except ValueError:
            raise ValueError(f"{where}: {op[2:]!r} in {op!r} is not a number") from None
        return operations.POW, (*children, _constant(exponent))
    if op == "ReLU":
        return operations.RELU, children
    operation = operations.operation_named(op) or next(
        (known for known in operations.OPERATIONS.values() if known.symbol == op), None
    )
    if operation is None:
        raise ValueError(
            f"{where}: unknown operation {op!r}; use micrograd's '+', '*', '**2', 'ReLU', "
            f"'tanh' or 'exp', or one of the table's symbols or names: "
            f"{', '.join(known.symbol for known in operations.OPERATIONS.values())}"
        )
    return operation, children


_INPUTS_SHOWN = 4
"""How many inputs an overflow message shows (a dot of 2,000 terms would make 80,000 characters)."""


def check_finite(operation: Operation, out: float, inputs: Sequence[float]) -> None:
    """Raise OverflowError when finite inputs gave a non-finite output (outside
    `operations.ieee_arithmetic()`, where the ±inf stands)."""
    if math.isfinite(out) or not all(math.isfinite(value) for value in inputs):
        return
    if operations.is_ieee_arithmetic():
        return
    shown = ", ".join(repr(value) for value in inputs[:_INPUTS_SHOWN])
    if len(inputs) > _INPUTS_SHOWN:  # an n-ary sum or dot: the first few, then how many
        shown += f", … {len(inputs):,} inputs in all"
    raise OverflowError(
        f"{operation.name}({shown}) gives {out!r}: the result overflows a float; "
        "use smaller inputs or a smaller learning rate"
    )


def _apply_unary(operation: Operation, x: Value) -> Value:
    x_data = x.data
    out = operation.forward(x_data)
    if out - out != 0.0:  # _is_not_finite(out), written inline
        check_finite(operation, out, (x_data,))
    if x.requires_grad and _grad_enabled.get():
        return _node(out, operation.name, (x,), operation.derivatives(x_data, out))
    return _constant(out)


def _apply_binary(operation: Operation, left: object, right: object) -> Value:
    left_value = left if type(left) is Value else _to_value(left, operation.name)
    right_value = right if type(right) is Value else _to_value(right, operation.name)
    left_data = left_value.data
    right_data = right_value.data
    out = operation.forward(left_data, right_data)
    if out - out != 0.0:  # _is_not_finite(out), written inline
        check_finite(operation, out, (left_data, right_data))
    if (left_value.requires_grad or right_value.requires_grad) and _grad_enabled.get():
        if operation is operations.POW and right_value.requires_grad and left_data < 0.0:
            raise ValueError(
                f"pow: {left_data!r} ** {right_data!r} has no derivative with respect to the "
                "exponent (ln of a negative base); use a plain number as the exponent"
            )
        return _node(
            out,
            operation.name,
            (left_value, right_value),
            operation.derivatives(left_data, right_data, out),
        )
    return _constant(out)


def apply_operation(operation: Operation, *operands: Operand) -> Value:
    """`operation` applied to Values or plain numbers: one new node (or a constant).

    The general form of every operation's method: `forward` on the operands' data, an error if
    finite inputs gave a non-finite result, and, when a graph is being recorded, a node holding
    `derivatives(*inputs, out)`. `custom_operation` builds on it; the built-in methods use
    faster copies specialised to one or two operands.
    """
    children = tuple(_to_value(operand, operation.name) for operand in operands)
    data = [child.data for child in children]
    out = operation.forward(*data)
    if _is_not_finite(out):
        check_finite(operation, out, data)
    if _records_graph(children):
        return _node(out, operation.name, children, operation.derivatives(*data, out))
    return _constant(out)
