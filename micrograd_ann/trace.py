"""Trace: the forward and backward passes of a graph as a list of steps, in the engine's order.

The forward pass computes each interior node once its children are known: the nodes of
`engine.topological_order(root)`, first to last. `backward()` walks the same list from last to
first and, for every edge from a node to a child that wants a gradient, adds one product:

    child.grad += upstream × local        (∂root/∂node × ∂node/∂child)

`trace(root)` records both, after `root.backward()` has run: one `ForwardStep` per interior
node and one `BackwardStep` per edge, with the child's running sum after the step. `explain()`
prints the backward steps as a table, `backprop_page()` replays both; code generators can walk
`trace(root).backward` to write the same products in the same order.

The skip rules are `backward()`'s: edges into constants (`requires_grad=False`) are left out,
and a node whose gradient is exactly 0 passes nothing on (its steps add 0, never 0 · ∞ = NaN).
"""

from __future__ import annotations

from dataclasses import dataclass

from micrograd_ann.engine import Value, topological_order
from micrograd_ann.naming import HasNamedParameters, ValueNames, four_decimals
from micrograd_ann.operations import operation_named

__all__ = ["BackwardStep", "ForwardStep", "Trace", "reachable_values", "symbol_of", "trace"]

_INFIX_SYMBOLS = ("+", "-", "*", "/", "**")


@dataclass(frozen=True)
class ForwardStep:
    """One interior node computed from its children: `text` reads
    `add1 = mul1 + b = -0.7500 + 0.2000 = -0.5500`."""

    node: Value
    name: str
    op: str
    child_names: tuple[str, ...]
    text: str


@dataclass(frozen=True)
class BackwardStep:
    """One edge of the backward pass: `child.grad += upstream × local`.

    Attributes:
        node, child: the Values at both ends of the edge (the gradient flows node → child).
        node_name, child_name: their names (see `naming.ValueNames`).
        op: the symbol of the operation that made `node` (`*`, `tanh`, `dot`, …).
        upstream: ∂root/∂node, the node's gradient, complete when this step runs.
        local: ∂node/∂child, the operation's local derivative for this child.
        product: upstream × local (0 when upstream is 0: backward() skips such nodes).
        child_grad: the child's gradient after this step, the running sum of its products.
    """

    node: Value
    child: Value
    node_name: str
    child_name: str
    op: str
    upstream: float
    local: float
    product: float
    child_grad: float

    @property
    def text(self) -> str:
        """`b.grad += 0.7495 × 1.0000 = 0.7495 (b.grad is now 0.7495)`."""
        return (
            f"{self.child_name}.grad += {four_decimals(self.upstream)} × "
            f"{four_decimals(self.local)} = {four_decimals(self.product)} "
            f"({self.child_name}.grad is now {four_decimals(self.child_grad)})"
        )


@dataclass(frozen=True)
class Trace:
    """Both passes of one graph: `forward` steps in topological order, then `backward` steps
    in the order `backward()` applied them. `names` names every node the steps mention."""

    root: Value
    forward: list[ForwardStep]
    backward: list[BackwardStep]
    names: ValueNames


def symbol_of(value: Value) -> str:
    """The display symbol of the operation that made `value` (built-in or custom), else its op."""
    operation = operation_named(value.op)
    return operation.symbol if operation is not None else value.op


def reachable_values(root: Value) -> list[Value]:
    """Every Value `root` depends on (itself included), breadth first, children in order."""
    values = [root]
    seen = {root}
    position = 0
    while position < len(values):
        for child in values[position].children:
            if child not in seen:
                seen.add(child)
                values.append(child)
        position += 1
    return values


def trace(root: Value, *, model: HasNamedParameters | None = None) -> Trace:
    """The forward and backward steps of `root`'s graph; call it after `root.backward()`.

    Raises TypeError for a non-Value and RuntimeError when backward() has not run (the root of
    a graph then has gradient 0). A leaf's running sums start at 0, so they end at its `grad`
    after one backward(); a leaf that accumulated earlier calls keeps the difference.
    """
    if not isinstance(root, Value):
        raise TypeError(f"trace needs a Value, got {type(root).__name__}: {root!r}")
    order = topological_order(root)
    if order and root.grad == 0.0:
        raise RuntimeError(
            f"the root's gradient is 0, so backward() has not run on {root!r}; call "
            "root.backward() first"
        )
    names = ValueNames(model)
    forward = [_forward_step(node, names) for node in order]
    backward: list[BackwardStep] = []
    running: dict[Value, float] = {}
    for node in reversed(order):
        upstream = node.grad
        op = symbol_of(node)
        for child, local in zip(node.children, node.local_derivatives):
            if not child.requires_grad:
                continue
            product = upstream * local if upstream != 0.0 else 0.0
            running[child] = running.get(child, 0.0) + product
            backward.append(
                BackwardStep(
                    node=node,
                    child=child,
                    node_name=names.of(node),
                    child_name=names.of(child),
                    op=op,
                    upstream=upstream,
                    local=local,
                    product=product,
                    child_grad=running[child],
                )
            )
    return Trace(root=root, forward=forward, backward=backward, names=names)


def _forward_step(node: Value, names: ValueNames) -> ForwardStep:
    name = names.of(node)
    symbol = symbol_of(node)
    child_names = tuple(names.of(child) for child in node.children)
    child_numbers = tuple(four_decimals(child.data) for child in node.children)
    if symbol in _INFIX_SYMBOLS and len(node.children) == 2:
        by_name = f" {symbol} ".join(child_names)
        by_number = f" {symbol} ".join(child_numbers)
    else:
        by_name = f"{symbol}({', '.join(child_names)})"
        by_number = f"{symbol}({', '.join(child_numbers)})"
    text = f"{name} = {by_name} = {by_number} = {four_decimals(node.data)}"
    return ForwardStep(node=node, name=name, op=symbol, child_names=child_names, text=text)
