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
from dataclasses import dataclass
from importlib import resources
from typing import Any

from micrograd_ann.engine import Value
from micrograd_ann.explain import chain_rule_table
from micrograd_ann.files import PathLike, write_atomic
from micrograd_ann.naming import HasNamedParameters, four_decimals
from micrograd_ann.operations import operation_named
from micrograd_ann.trace import BackwardStep, Trace, reachable_values, trace
from micrograd_ann.viz import draw_graph, render_svg

__all__ = ["Page", "backprop_page", "html_document", "page_asset", "script_json"]

_NOT_YET = "?"


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
    `page_assets`), the `body`, and `payload` as JSON in `<script id=data_id>` for the scripts."""
    data = script_json(payload)
    css = "".join(page_asset(name) for name in styles)
    javascript = "".join(page_asset(name) for name in scripts)
    return f"""<!DOCTYPE html>
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
    - the seed, `out.grad = 1` (∂root/∂root);
    - backward, one edge per step in the order `backward()` applied them, with the child's
      running sum: `b.grad += 0.7495 × 1.0000 = 0.7495 (b.grad is now 0.7495)`.

    Values not computed yet show as `?`. Clicking a node shows its operation, the operation's
    formula, data, grad and ∂root/∂node as the sum over its parents of upstream × local.
    `model=` names parameters as `draw_graph` and `explain` do. A graph of more than
    `max_nodes` values is refused with the same `GraphTooLargeError` (a ValueError) as
    `draw_graph`; RuntimeError when backward() has not run.
    """
    drawing = draw_graph(root, model=model, max_nodes=max_nodes)
    steps = trace(root, model=model)
    svg = render_svg(drawing)
    svg = svg[svg.index("<svg") :]  # drop the XML prolog: the SVG sits inside HTML
    root_name = steps.names.of(root)
    page_title = title if title is not None else f"Backpropagation through {root_name}"
    values = reachable_values(root)
    node_id = {value: f"value{index}" for index, value in enumerate(values)}
    operation_id = {value: f"operation{index}" for index, value in enumerate(values)}
    data: dict[str, Any] = {
        "start": (
            f"Step 0 of {len(steps.forward) + len(steps.backward) + 1}: only the leaves are "
            "known. Press Next step (or →) to compute the forward pass."
        ),
        "initial": _initial_fields(values, node_id),
        "steps": _page_steps(steps, node_id, operation_id),
    }
    table = chain_rule_table(steps.backward)._repr_html_()
    all_steps = "".join(f"<li>{html.escape(step['text'])}</li>" for step in data["steps"])
    body = f"""<h1>{html.escape(page_title)}</h1>
<p>Step through the forward pass (each value computed from its inputs), then the backward pass
(each edge adds upstream × local into a gradient). Click a node for its chain-rule sum.</p>
<div class="controls" hidden>
<button type="button" id="previous">Previous step</button>
<button type="button" id="play">Play</button>
<button type="button" id="next">Next step</button>
<button type="button" id="reset">Reset</button>
</div>
<p id="status" role="status" aria-live="polite">The graph after backward(): every value and
gradient is filled in (turn JavaScript on to step through it).</p>
<div class="graph">
{svg}</div>
<div id="details">
{"".join(_details(value, node_id[value], steps) for value in values)}</div>
<h2>The chain rule, edge by edge</h2>
<p>The rows of <code>explain()</code>, in the order <code>backward()</code> applied them.</p>
{table}
<details>
<summary>Every step, in order</summary>
<ol>{all_steps}</ol>
</details>
"""
    document = html_document(
        page_title, ["backprop.css"], body, data_id="steps", payload=data, scripts=["backprop.js"]
    )
    return Page(html=document, title=page_title)


def _initial_fields(values: list[Value], node_id: dict[Value, str]) -> dict[str, str]:
    """What each record field shows before the first step: leaves' data, `?` elsewhere
    (a constant's grad is shown: no gradient is ever computed for it)."""
    fields: dict[str, str] = {}
    for value in values:
        identifier = node_id[value]
        fields[f"{identifier}.data"] = _NOT_YET if value.children else four_decimals(value.data)
        fields[f"{identifier}.grad"] = (
            _NOT_YET if value.requires_grad else four_decimals(value.grad)
        )
    return fields


def _page_steps(
    steps: Trace, node_id: dict[Value, str], operation_id: dict[Value, str]
) -> list[dict[str, Any]]:
    """Each step as the page's script reads it: the text, what to highlight, what to reveal."""
    page_steps: list[dict[str, Any]] = [
        {
            "pass": "forward",
            "text": step.text,
            "node": node_id[step.node],
            "field": "data",
            "shown": four_decimals(step.node.data),
            "highlight": [node_id[step.node], operation_id[step.node]],
            "edge": None,
        }
        for step in steps.forward
    ]
    root = steps.root
    page_steps.append(
        {
            "pass": "backward",
            "text": f"{steps.names.of(root)}.grad = 1",
            "node": node_id[root],
            "field": "grad",
            "shown": four_decimals(1.0),
            "highlight": [node_id[root]],
            "edge": None,
        }
    )
    page_steps.extend(
        {
            "pass": "backward",
            "text": step.text,
            "node": node_id[step.child],
            "field": "grad",
            "shown": four_decimals(step.child_grad),
            "highlight": [node_id[step.node], operation_id[step.node], node_id[step.child]],
            "edge": f"{node_id[step.child]}->{operation_id[step.node]}",
        }
        for step in steps.backward
    )
    return page_steps


def _details(value: Value, identifier: str, steps: Trace) -> str:
    """The hidden section a click on the node opens: what it is and its chain-rule sum."""
    name = steps.names.of(value)
    operation = operation_named(value.op)
    rows = [
        ("operation", f"{operation.symbol} ({operation.name})" if operation else "none: a leaf"),
        ("formula", operation.formula if operation else "—"),
        ("data", four_decimals(value.data)),
        ("grad", four_decimals(value.grad)),
        (f"∂{steps.names.of(steps.root)}/∂{name}", _gradient_sum(value, steps)),
    ]
    cells = "".join(
        f"<tr><th>{html.escape(key)}</th><td>{html.escape(text)}</td></tr>" for key, text in rows
    )
    return (
        f'<section hidden data-node="{identifier}"><h3>{html.escape(name)}</h3>'
        f"<table>{cells}</table></section>\n"
    )


def _gradient_sum(value: Value, steps: Trace) -> str:
    """∂root/∂value as the sum over the value's parents of upstream × local."""
    if value is steps.root:
        return "1 (the seed: the root's gradient with respect to itself)"
    if not value.requires_grad:
        return "none: a constant, no gradient flows into it"
    terms: list[BackwardStep] = [step for step in steps.backward if step.child is value]
    if not terms:
        return "0 (no path from the root passes a gradient here)"
    products = " + ".join(
        f"{four_decimals(step.upstream)} × {four_decimals(step.local)} (from {step.node_name})"
        for step in terms
    )
    return f"{products} = {four_decimals(terms[-1].child_grad)}"
