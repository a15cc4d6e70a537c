"""Explain: the chain rule as `backward()` applied it, one row per edge of the graph.

`backward()` visits the nodes from the output back to the inputs and, for every edge from a
node to a child that wants a gradient, adds one product into the child:

    child.grad += upstream × local
                  (∂root/∂node) × (∂node/∂child)

`explain(root)` lists those products in the same order, so a learner can check each one by hand.
A child that is used twice gets two rows, and its gradient is their sum.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass

from micrograd_ann.engine import Value
from micrograd_ann.naming import HasNamedParameters, four_decimals
from micrograd_ann.operations import operation_named
from micrograd_ann.trace import BackwardStep, trace

__all__ = ["ChainRuleStep", "ChainRuleTable", "chain_rule_table", "explain"]


@dataclass(frozen=True)
class ChainRuleStep:
    """One edge of the backward pass: `child.grad += upstream * local` (= `product`).

    Attributes:
        node: the name of the node the gradient flows back from (its label, or e.g. `mul1`).
        op: the symbol of the operation that made `node` (`*`, `tanh`, `dot`, …).
        upstream: ∂root/∂node, the node's gradient, complete when this step runs.
        local: ∂node/∂child, the operation's local derivative for this child.
        product: upstream × local, the amount added into the child's gradient.
        child: the name of the child that receives it.
    """

    node: str
    op: str
    upstream: float
    local: float
    product: float
    child: str


_HEADERS = ("node", "op", "upstream", "× local", "= product", "→ child")


class ChainRuleTable(list[ChainRuleStep]):
    """The steps of a backward pass, in the order they were applied.

    A list of `ChainRuleStep`; `print(table)` (or the table's repr, as a notebook shows it)
    is an aligned text table, and notebooks that render HTML show an HTML table. Under the
    table, `formulas` (symbol → the operation's local derivatives, from the operation table or a
    `custom_operation`'s `formula=`) says where each `local` came from.
    """

    def __init__(
        self, steps: Iterable[ChainRuleStep] = (), formulas: dict[str, str] | None = None
    ) -> None:
        super().__init__(steps)
        self.formulas: dict[str, str] = dict(formulas or {})

    def _cells(self) -> list[tuple[str, ...]]:
        return [
            (
                step.node,
                step.op,
                four_decimals(step.upstream),
                four_decimals(step.local),
                four_decimals(step.product),
                step.child,
            )
            for step in self
        ]

    def __str__(self) -> str:
        if not self:
            return "no chain-rule steps: the root has no children that require a gradient"
        rows = [_HEADERS, *self._cells()]
        widths = [max(len(row[column]) for row in rows) for column in range(len(_HEADERS))]
        numeric = {2, 3, 4}
        lines = [
            "  ".join(
                cell.rjust(width) if column in numeric else cell.ljust(width)
                for column, (cell, width) in enumerate(zip(row, widths))
            ).rstrip()
            for row in rows
        ]
        lines.insert(1, "  ".join("-" * width for width in widths))
        if self.formulas:
            width = max(len(symbol) for symbol in self.formulas)
            lines += ["", "local derivatives:"]
            lines += [f"  {symbol.ljust(width)}  {formula}"
                      for symbol, formula in self.formulas.items()]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        header = "".join(f"<th>{html.escape(title)}</th>" for title in _HEADERS)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in cells) + "</tr>"
            for cells in self._cells()
        )
        table = f"<table><thead><tr>{header}</tr></thead><tbody>{body}</tbody></table>"
        if not self.formulas:
            return table
        formulas = "".join(
            f"<li><code>{html.escape(symbol)}</code>: {html.escape(formula)}</li>"
            for symbol, formula in self.formulas.items()
        )
        return f"{table}\n<p>Local derivatives:</p><ul>{formulas}</ul>"


def explain(root: Value, *, model: HasNamedParameters | None = None) -> ChainRuleTable:
    """The chain rule as `root.backward()` applied it: one `ChainRuleStep` per edge.

    The rows are `trace(root).backward` (see `micrograd_ann.trace`), the steps a
    `backprop_page` replays. Steps come in backward order (the reverse of
    `engine.topological_order(root)`): for each
    node, for each child that requires a gradient, the node's gradient (upstream), the local
    derivative ∂node/∂child and their product, which `backward()` added into the child. Edges
    into constants are left out, as `backward()` skips them.

    Nodes are named by their label; with `model=` parameters are named as in
    `model.named_parameters()`; other nodes get their operation's name and a number in the
    order they are computed (`mul1`, `tanh1`, …) or `leaf1`, `leaf2`, … for unlabelled leaves.

    Call it after `root.backward()`; before it, every gradient is 0 and it raises RuntimeError.
    """
    if not isinstance(root, Value):
        raise TypeError(f"explain needs a Value, got {type(root).__name__}: {root!r}")
    try:
        backward_steps = trace(root, model=model).backward
    except RuntimeError as error:
        raise RuntimeError(f"explain({root!r}): {error}, then explain(root)") from None
    return chain_rule_table(backward_steps)


def chain_rule_table(backward_steps: Iterable[BackwardStep]) -> ChainRuleTable:
    """The table of `trace(root).backward`'s steps, one row per edge (what `explain` returns),
    with the formula of each operation it uses, in the order they first appear."""
    steps = list(backward_steps)
    formulas: dict[str, str] = {}
    for step in steps:
        operation = operation_named(step.node.op)
        if operation is not None and operation.formula and step.op not in formulas:
            formulas[step.op] = operation.formula
    rows = (
        ChainRuleStep(
            node=step.node_name,
            op=step.op,
            upstream=step.upstream,
            local=step.local,
            product=step.product,
            child=step.child_name,
        )
        for step in steps
    )
    return ChainRuleTable(rows, formulas)
