"""Pages: self-contained HTML pages that replay what the library computed.

`backprop_page(root)` is the computation graph as `draw_graph` draws it, with buttons that step
through the forward pass (one interior node at a time) and the backward pass (the seed, then one
edge at a time, exactly the rows of `explain()`: both come from `trace.trace`). Every number is
computed here in Python; the page's small script (`page_assets/backprop.js`) only reveals and
highlights. Nothing is fetched from the network: the styles and the script are inlined, so the
page works from `file://`, and with JavaScript off it shows the finished graph and the table.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from importlib import resources
from typing import Any

import graphviz

from micrograd_ann.compile import generate_source
from micrograd_ann.engine import Value, topological_order
from micrograd_ann.explain import chain_rule_table
from micrograd_ann.files import PathLike, write_atomic
from micrograd_ann.javascript import gradient_program, javascript_number, missing_rules
from micrograd_ann.naming import HasNamedParameters, four_decimals
from micrograd_ann.operations import operation_named
from micrograd_ann.trace import BackwardStep, Trace, reachable_values, symbol_of, trace
from micrograd_ann.viz import NO_GRADIENT, Drawing, draw_graph, render_svg

__all__ = ["Page", "backprop_page", "html_document", "page_asset", "script_json"]


@dataclass(frozen=True)
class Page:
    """One complete HTML document: `.html`, `.save(path)`, and shown inline in Jupyter."""

    html: str
    title: str

    def __repr__(self) -> str:
        return f"<Page {self.title!r}: one HTML document in .html; .save(path) writes it>"

    def save(self, path: PathLike) -> None:
        """Write the page to `path` (UTF-8), atomically: all of it or, on failure, nothing."""
        write_atomic(path, self.html)

    def _repr_html_(self) -> str:
        # An iframe keeps the page's script and styles apart from the notebook's own page.
        return (
            f'<iframe title="{html.escape(self.title)}" srcdoc="{html.escape(self.html)}" '
            'style="width: 100%; height: 640px; border: 1px solid #ccc" '
            'sandbox="allow-scripts"></iframe>'
        )


def page_asset(name: str) -> str:
    """The text of one of the package's page files (`page_assets/NAME`: CSS and JavaScript)."""
    assets = resources.files("micrograd_ann").joinpath("page_assets")
    return assets.joinpath(name).read_text("utf-8")


_SCRIPT_UNSAFE = str.maketrans(
    {character: f"\\u{ord(character):04x}" for character in "<>&\u2028\u2029"}
)


def script_json(payload: object) -> str:
    """`payload` as JSON that can sit inside a page's `<script>` element, whatever its strings.

    The HTML parser reads a script's text before any JSON parser does: `</script>` would end
    it, `<!--` followed by `<script>` would keep it open to the end of the page (the page's own
    script never runs), and U+2028 and U+2029 end a line of older JavaScript. Each of `<`, `>`,
    `&`, U+2028 and U+2029 can only stand inside a JSON string, where `\\u003c` and the like
    mean the same character: so they are written that way, and `JSON.parse` gives back exactly
    what Python wrote. Every JSON a page embeds goes through here.
    """
    return json.dumps(payload, ensure_ascii=False).translate(_SCRIPT_UNSAFE)


def html_document(
    title: str,
    styles: list[str],
    body: str,
    *,
    data_id: str,
    payload: object,
    scripts: list[str],
) -> str:
    """One complete page: the title, the inlined `styles` and `scripts` (files of
    `page_assets`), the `body`, and `payload` as JSON in `<script id=data_id>` for the scripts.

    ValueError for a lone surrogate anywhere in it (a title, an operation's formula): it is not
    text, so the page could not be saved; the labels the drawing shows were refused before."""
    data = script_json(payload)
    css = "".join(page_asset(name) for name in styles)
    javascript = "".join(page_asset(name) for name in scripts)
    document = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<style>
{css}</style>
</head>
<body>
{body}<script type="application/json" id="{data_id}">{data}</script>
<script>
{javascript}</script>
</body>
</html>
"""
    try:
        document.encode("utf-8")
    except UnicodeEncodeError as error:
        context = document[max(0, error.start - 30) : error.end + 30]
        raise ValueError(
            f"the page holds a lone surrogate ({document[error.start]!r}) in {context!r}, "
            "which is not text (bytes decoded with os.fsdecode give one): decode them with "
            'errors="replace" or choose another title, label or formula'
        ) from None
    return document


def backprop_page(
    root: Value,
    *,
    model: HasNamedParameters | None = None,
    title: str | None = None,
    max_nodes: int = 500,
) -> Page:
    """A page that steps through the forward and backward passes of `root`'s graph.

    Call it after `root.backward()`. The steps are:

    - forward, one interior node at a time in topological order:
      `add1 = mul1 + b = -0.7500 + 0.2000 = -0.5500`;
    - the seed, `out.grad = 1` (∂root/∂root), or the gradient given to `backward(gradient)`
      (`out.grad = 2` after `out.backward(2.0)`: every gradient is then twice as large);
    - backward, one edge per step in the order `backward()` applied them, with the child's
      running sum: `b.grad += 0.7495 × 1.0000 = 0.7495 (b.grad is now 0.7495)`.

    Values not computed yet show as `?`, a constant's gradient as `—` (it has none). Clicking
    a node shows its operation, the operation's formula, data, grad and ∂root/∂node as the sum
    over its parents of upstream × local.
    `model=` names parameters as `draw_graph` and `explain` do. A graph of more than
    `max_nodes` values is refused with the same `GraphTooLargeError` (a ValueError) as
    `draw_graph`; RuntimeError when backward() has not run.
    """
    steps = trace(root, model=model)
    drawing = draw_graph(root, model=model, max_nodes=max_nodes, name_of=steps.names.of)
    values = reachable_values(root)
    node_id = {value: f"value{index}" for index, value in enumerate(values)}
    svg = render_svg(drawing)
    svg = svg[svg.index("<svg") :]  # drop the XML prolog: the SVG sits inside HTML
    svg = re.sub(r"<!-- [^<>]*? -->\n", "", svg)  # Graphviz's comments: a tenth of the size
    svg = svg.replace(_GRAPH_FONT, "")  # set once by the page's style instead
    svg = _with_exact_numbers(svg, values, node_id, steps)
    root_name = steps.names.of(root)
    page_title = title if title is not None else f"Backpropagation through {root_name}"
    leaves = _editable_leaves(root)
    program, python_program, read_only = _programs(root, leaves)
    seed = javascript_number(root.grad)  # what backward() started from: 1, or its gradient=
    if seed != "1" and program is not None:  # the generated program starts from 1
        program, read_only = None, (
            f"The inputs are read-only: backward() was given the gradient {seed}, and this "
            "page's program recomputes from a gradient of 1."
        )
    data: dict[str, Any] = {
        "start": (
            f"Step 0 of {len(steps.forward) + len(steps.backward) + 1}: only the leaves are "
            "known. Press Next step (or →) to compute the forward pass."
        ),
        "steps": _page_steps(steps, node_id),
        "values": _value_records(values, node_id, steps, leaves),
        "operations": {
            value.op: [f"{operation.symbol} ({operation.name})", operation.formula]
            for value in values
            if (operation := operation_named(value.op)) is not None
        },
        "edges": [
            [javascript_number(number, signed_zero=True)
             for number in (s.upstream, s.local, s.product, s.child_grad)]
            for s in steps.backward
        ],
        "root": node_id[root],
        "seed": seed,
        "noGradient": NO_GRADIENT,  # a constant's gradient, as draw_graph shows it
        "program": program,
        "readOnly": read_only,
        "panel": len(leaves) <= _PANEL_LEAVES,
        "neurons": None,
    }
    neuron_svg = ""
    if model is not None and len(values) > _NEURON_VIEW_ABOVE:
        neuron_view = _neuron_view(model, values, node_id, steps, data["steps"])
        if neuron_view is not None:
            neuron_svg, data["neurons"] = neuron_view
    table = chain_rule_table(steps.backward)._repr_html_()
    texts = [
        *(step.text for step in steps.forward),
        f"{root_name}.grad = {seed}",
        *(step.text for step in steps.backward),
    ]
    all_steps = "".join(f"<li>{html.escape(text)}</li>" for text in texts)
    body = f"""<h1>{html.escape(page_title)}</h1>
<p>Step through the forward pass (each value computed from its inputs), then the backward pass
(each edge adds upstream × local into a gradient). Click a node for its chain-rule sum; change
an input and watch both passes recompute.</p>
<div class="controls" hidden>
<button type="button" id="previous">Previous step</button>
<button type="button" id="play">Play</button>
<button type="button" id="next">Next step</button>
<button type="button" id="reset">Reset</button>
<label><input type="checkbox" id="predict"> Predict each step</label>
<label hidden><input type="checkbox" id="neuron-view"> Neuron view</label>
<span class="zoom"><button type="button" id="zoom-in">Zoom in</button>
<button type="button" id="zoom-out">Zoom out</button>
<button type="button" id="fit">Fit</button></span>
</div>
<div id="prediction" hidden>
<label>Your prediction <input type="text" inputmode="decimal" id="guess" autocomplete="off"></label>
<button type="button" id="check">Check</button>
<button type="button" id="reveal">Reveal</button>
<span id="verdict"></span>
</div>
<p id="status" role="status" aria-live="polite">The graph after backward(): every value and
gradient is filled in (turn JavaScript on to step through it).</p>
<p id="error" role="alert" hidden></p>
<div class="workspace">
<div class="graph">
{svg}{neuron_svg}</div>
<div id="inputs" hidden></div>
</div>
<div id="tooltip" role="tooltip" hidden></div>
<div id="details"></div>
<h2>The chain rule, edge by edge</h2>
<p>The rows of <code>explain()</code>, in the order <code>backward()</code> applied them.</p>
<div id="chain-table">
{table}
</div>
<details>
<summary>Every step, in order</summary>
<ol>{all_steps}</ol>
</details>
<details>
<summary>The program behind this page</summary>
<p>What <code>compile_gradient</code> writes for this graph: the forward pass one line per node,
the backward pass one line per edge. The page recomputes with the same program, written in
JavaScript by the same generator.</p>
<pre><code>{html.escape(python_program)}</code></pre>
</details>
"""
    document = html_document(
        page_title, ["backprop.css"], body, data_id="steps", payload=data, scripts=["backprop.js"]
    )
    return Page(html=document, title=page_title)


_GRAPH_FONT = ' font-family="Helvetica,sans-Serif" font-size="11.00"'
_PANEL_LEAVES = 20
_NEURON_VIEW_ABOVE = 60  # a model's graph of more values opens in the neuron view
_ACTIVATIONS = ("relu", "tanh", "sigmoid")


def _neuron_view(
    model: HasNamedParameters,
    values: list[Value],
    node_id: dict[Value, str],
    steps: Trace,
    page_steps: list[dict[str, Any]],
) -> tuple[str, dict[str, Any]] | None:
    """The graph with each neuron (its weights, bias, dot and activation) as one box, and the
    steps grouped one neuron at a time; None when no neuron is found in the graph.

    A neuron's box carries its output's id (`valueN`), so it shows that value's data and grad;
    the steps are runs of the scalar steps (`end`: how many scalar steps are done after it),
    so stepping here and in the scalar graph is the same computation, seen closer or farther.
    """
    groups: dict[str, list[Value]] = {}
    for name, parameter in model.named_parameters():
        prefix = re.sub(r"\.(w\.\d+|b)$", "", name)
        groups.setdefault(prefix, []).append(parameter)
    parents: dict[Value, list[Value]] = {}
    for value in values:
        for child in value.children:
            parents.setdefault(child, []).append(value)
    owner: dict[Value, Value] = {}  # every member of a neuron → the neuron's output
    names: dict[Value, str] = {}  # a neuron's output → the neuron's name
    for prefix, parameters in groups.items():
        dot = next((p for p in parents.get(parameters[0], []) if p.op == "dot"), None)
        if dot is None:
            continue
        above = parents.get(dot, [])
        output = above[0] if len(above) == 1 and above[0].op in _ACTIVATIONS else dot
        for member in (*parameters, dot, output):
            owner[member] = output
        names[output] = prefix
    if not names:
        return None
    shown = [value for value in values if value not in owner or owner[value] is value]
    drawing = Drawing(
        "neuron_view", graph_attr={"rankdir": "TB", "nodesep": "0.06", "ranksep": "0.3"},
        node_attr={
            "fontname": "Helvetica", "fontsize": "11", "shape": "box", "margin": "0.04,0.02"
        },
    )
    for value in shown:
        name = _short(names[value]) if value in names else steps.names.of(value)
        drawing.node(
            node_id[value],
            label=graphviz.nohtml(
                f"{_plain(name)}\\ndata {four_decimals(value.data)}\\n"
                f"grad {four_decimals(value.grad)}"
            ),
            style="filled",
            fillcolor="#fdae61" if value in names else "#ffffff",
        )
    edges = set()
    for value in shown:
        members = [m for m in values if owner.get(m) is value] if value in names else [value]
        for member in members:
            for child in member.children:
                source = owner.get(child, child)
                if source is not value and (source, value) not in edges:
                    edges.add((source, value))
                    drawing.edge(node_id[source], node_id[value])
    svg = render_svg(drawing)
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"<!-- [^<>]*? -->\n", "", svg).replace(_GRAPH_FONT, "")
    # shown by the script only: without it the page is the finished scalar graph, as before
    svg = svg.replace("<svg ", '<svg class="neurons" style="display: none" ', 1)
    by_id = {node_id[value]: value for value in names}
    svg = re.sub(
        r'(<g id="node\d+" class="node")>(\s*<title>(value\d+)</title>)',
        lambda match: (
            f'{match.group(1)} data-name="{html.escape(names[by_id[match.group(3)]])}">'
            f"{match.group(2)}" if match.group(3) in by_id else match.group(0)
        ),
        svg,
    )
    return svg, {"steps": _neuron_steps(page_steps, owner, names, node_id, steps)}


def _passed_on(
    step: dict[str, Any],
    neuron: Value,
    owner: dict[Value, Value],
    names: dict[Value, str],
    by_id: dict[str, Value],
    steps: Trace,
) -> list[Part]:
    """`; relu3 += ` and the product, for a backward step from `neuron` to one of its inputs
    (nothing for a step inside the neuron: to its dot, weights or bias)."""
    child = by_id[step["node"]]
    if "index" not in step or owner.get(child) is neuron:
        return []
    return [["t", f"; {names.get(child) or steps.names.of(child)} += "], ["p", step["index"]]]


def _short(neuron: str) -> str:
    """`layers.1.neurons.3` → `L1 N3`: a neuron box's title (its `data-name` is the full name)."""
    return re.sub(r"layers\.(\d+)\.?", r"L\1 ", neuron).replace("neurons.", "N").strip()


def _plain(name: str) -> str:
    """`name` as a plain Graphviz label: printable, backslashes doubled (no escapes)."""
    return "".join(c for c in name if c.isprintable()).replace("\\", "\\\\")


def _neuron_steps(
    page_steps: list[dict[str, Any]],
    owner: dict[Value, Value],
    names: dict[Value, str],
    node_id: dict[Value, str],
    steps: Trace,
) -> list[dict[str, Any]]:
    """The scalar steps in runs, one run per neuron (its dot and activation forward, or every
    edge out of them backward); any other step stays a step of its own."""
    by_id = {node_id[value]: value for value in node_id}
    root_name = steps.names.of(steps.root)
    grouped: list[dict[str, Any]] = []
    for count, step in enumerate(page_steps, start=1):
        value = by_id[step.get("parent", step["node"])]
        neuron = owner.get(value) if "local" in step or step["pass"] == "forward" else None
        last = grouped[-1] if grouped else None
        if neuron is not None and last and last.get("neuron") == node_id[neuron] and \
                last["pass"] == step["pass"]:
            last["end"] = count
            last["parts"] += _passed_on(step, neuron, owner, names, by_id, steps)
            continue
        if neuron is None:
            grouped.append({"pass": step["pass"], "end": count, "node": step["node"]})
            continue
        name = names[neuron]
        dot = next(m for m in owner if owner[m] is neuron and m.op == "dot")
        act = neuron.op if neuron is not dot else ""
        output = node_id[neuron]
        if step["pass"] == "forward":
            parts: list[Part] = (
                [["t", f"{name}: {act}(Σ w·x + b) = {act}("], ["d", node_id[dot]],
                 ["t", ") = "], ["d", output]]
                if act else [["t", f"{name}: Σ w·x + b = "], ["d", output]]
            )
        else:
            parts = [["t", f"{name}: ∂{root_name}/∂{name} = "], ["g", output]]
            if act:
                parts += [["t", f", through {act}: ∂{root_name}/∂(w·x + b) = "],
                          ["g", node_id[dot]]]
            parts += [["t", "; its weights and bias get their gradients"]]
            parts += _passed_on(step, neuron, owner, names, by_id, steps)
        grouped.append({"pass": step["pass"], "end": count, "node": output,
                        "neuron": output, "parts": parts})
    return grouped  # at most this many editable leaves: their inputs in a panel by the graph


def _editable_leaves(root: Value) -> list[Value]:
    """The leaves that want a gradient (inputs and parameters), in the order the forward pass
    first uses them (`x, w, b` for `tanh(x·w + b)`): the program's arguments and the panel's."""
    leaves: dict[Value, None] = {}
    for node in topological_order(root):
        for child in node.children:
            if not child.children and child.requires_grad:
                leaves.setdefault(child)
    if not root.children and root.requires_grad:
        leaves.setdefault(root)
    return list(leaves)


def _programs(root: Value, leaves: list[Value]) -> tuple[str | None, str, str]:
    """The page's JavaScript program (None when some operation has no JavaScript rules), the
    Python program shown beside it, and why the inputs are read-only ("" when they are not)."""
    try:
        python_program, _ = generate_source(root, leaves)
    except ValueError as error:
        python_program = f"# no program: {error}"
    missing = missing_rules(root)
    if missing:
        reason = (
            f"The inputs are read-only: {', '.join(missing)} has no JavaScript rules, so this page "
            "cannot recompute it (give custom_operation its javascript= rules)."
        )
        return None, python_program, reason
    return gradient_program(root, leaves), python_program, ""


def _with_exact_numbers(
    svg: str, values: list[Value], node_id: dict[Value, str], steps: Trace
) -> str:
    """Each value's `<g>` with `data-name`, `data-data` and `data-grad`: its name and its
    numbers in full (JavaScript's shortest round-trip form), for reading and testing."""
    by_id = {node_id[value]: value for value in values}

    def add_attributes(match: re.Match[str]) -> str:
        value = by_id.get(match.group(3))
        if value is None:
            return match.group(0)
        attributes = (
            f' data-name="{html.escape(steps.names.of(value))}"'
            f' data-data="{javascript_number(value.data)}"'
            f' data-grad="{javascript_number(value.grad)}"'
        )
        return f"{match.group(1)}{attributes}>{match.group(2)}"

    return re.sub(r'(<g id="node\d+" class="node")>(\s*<title>(value\d+)</title>)',
                  add_attributes, svg)


def _value_records(
    values: list[Value], node_id: dict[Value, str], steps: Trace, leaves: list[Value]
) -> dict[str, dict[str, Any]]:
    """What the script knows of each value: its name, its numbers in full (−0 as "-0": the
    script computes from them, so a leaf at −0 stays −0), where the program
    computes it (`order`: its place in the topological order, `input`: its argument), and its
    operation (`op`, a key of the page's `operations`)."""
    position = {node: index for index, node in enumerate(topological_order(steps.root))}
    argument = {leaf: index for index, leaf in enumerate(leaves)}
    records: dict[str, dict[str, Any]] = {}
    for value in values:
        records[node_id[value]] = {
            "name": steps.names.of(value),
            "data": javascript_number(value.data, signed_zero=True),
            "grad": javascript_number(value.grad, signed_zero=True),
            "order": position.get(value, -1),
            "input": argument.get(value, -1),
            "trainable": value.requires_grad,
            "op": value.op,
        }
    return records


def _page_steps(steps: Trace, node_id: dict[Value, str]) -> list[dict[str, Any]]:
    """Each step as the page's script reads it: the value it computes (`node`), and its text as
    parts whose numbers the script fills in; a backward step also names its edge (`parent`,
    `index` into the edges). What to highlight follows: `valueN` is drawn with `operationN`."""
    page_steps: list[dict[str, Any]] = [
        {"pass": "forward", "node": node_id[step.node],
         "parts": _forward_parts(step.node, node_id, steps)}
        for step in steps.forward
    ]
    root = steps.root
    page_steps.append(
        {"pass": "backward", "node": node_id[root],
         "text": f"{steps.names.of(root)}.grad = {javascript_number(root.grad)}"}
    )
    page_steps.extend(
        {
            "pass": "backward",
            "node": node_id[step.child],
            "parent": node_id[step.node],
            "index": index,
            "local": _local_parts(step, position, node_id, steps),
        }
        for index, (step, position) in enumerate(zip(steps.backward, _child_positions(steps)))
    )
    return page_steps


Part = list[str]  # ["t", text] or ["d", value id]: a value's data, filled in by the script


def _forward_parts(node: Value, node_id: dict[Value, str], steps: Trace) -> list[Part]:
    """`add1 = mul1 + b = ` then each child's number and the node's: the forward step's text
    (as `trace` writes it) with its numbers left for the script to fill in."""
    symbol = symbol_of(node)
    names = [steps.names.of(child) for child in node.children]
    numbers: list[Part] = [["d", node_id[child]] for child in node.children]
    infix = symbol in ("+", "-", "*", "/", "**") and len(node.children) == 2
    parts: list[Part] = []
    if infix:
        parts.append(["t", f"{steps.names.of(node)} = {f' {symbol} '.join(names)} = "])
        parts += [numbers[0], ["t", f" {symbol} "], numbers[1]]
    else:
        parts.append(["t", f"{steps.names.of(node)} = {symbol}({', '.join(names)}) = {symbol}("])
        for index, number in enumerate(numbers):
            parts += ([["t", ", "]] if index else []) + [number]
        parts.append(["t", ")"])
    return [*parts, ["t", " = "], ["d", node_id[node]]]


def _child_positions(steps: Trace) -> list[int]:
    """For each backward step, the place of its child among its node's children (a value
    used twice by one node, `a * a`, is two edges with two local derivatives)."""
    return [
        position
        for node in reversed(topological_order(steps.root))
        for position, child in enumerate(node.children)
        if child.requires_grad
    ]


def _local_parts(
    step: BackwardStep, index: int, node_id: dict[Value, str], steps: Trace
) -> list[Part]:
    """`tanh: ∂out/∂add1 = 1 − tanh(add1)² = 1 − (` out `)²`: the local derivative's rule
    with its numbers left for the script to fill in (it adds ` = ` and the local derivative,
    unless the rule is the constant 1 or −1)."""
    node, child = step.node, step.child
    children = node.children
    name = steps.names.of
    out: Part = ["d", node_id[node]]

    def data(value: Value) -> Part:
        return ["d", node_id[value]]

    def text(words: str) -> Part:
        return ["t", words]

    op = node.op
    rule: list[Part]
    if op in ("add", "sum") or (op == "dot" and index == len(children) - 1):
        rule = [text("1")]
    elif op == "sub":
        rule = [text("1" if index == 0 else "−1")]
    elif op == "neg":
        rule = [text("−1")]
    elif op == "mul":
        rule = [text(name(children[1 - index]))]
    elif op == "dot":
        count = (len(children) - 1) // 2
        other = children[index + count] if index < count else children[index - count]
        rule = [text(name(other))]
    elif op == "div":
        b = children[1]
        rule = (
            [text(f"1/{name(b)} = 1/"), data(b)]
            if index == 0
            else [text(f"−({name(node)})/{name(b)} = −("), out, text(")/"), data(b)]
        )
    elif op == "pow":
        b, k = children
        rule = (
            [text(f"{name(k)}·{name(b)}^({name(k)} − 1) = "), data(k), text("·"), data(b),
             text("^("), data(k), text(" − 1)")]
            if index == 0
            else [text(f"{name(b)}^{name(k)}·ln({name(b)}) = "), out, text("·ln("), data(b),
                  text(")")]
        )
    else:
        x = name(children[0])
        unary: dict[str, list[Part]] = {
            "abs": [text(f"sign({x}) = sign("), data(children[0]), text(")")],
            "exp": [text(f"e^{x} = "), out],
            "log": [text(f"1/{x} = 1/"), data(children[0])],
            "tanh": [text(f"1 − tanh({x})² = 1 − ("), out, text(")²")],
            "sigmoid": [text(f"σ({x})·(1 − σ({x})) = "), out, text("·(1 − "), out, text(")")],
            "relu": [text(f"1 if {x} > 0 else 0, with {x} = "), data(children[0])],
            "sin": [text(f"cos({x}) = cos("), data(children[0]), text(")")],
            "cos": [text(f"−sin({x}) = −sin("), data(children[0]), text(")")],
            "sqrt": [text(f"1/(2√{x}) = 1/(2·"), out, text(")")],
        }
        operation = operation_named(op)
        rule = unary.get(op, [text(operation.formula if operation else op)])
    return [text(f"{step.op}: ∂{name(node)}/∂{name(child)} = "), *rule]
