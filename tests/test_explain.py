"""explain(): the rows of the chain rule, checked against hand derivations."""

import math

import pytest

from micrograd_ann import MLP, Value, explain
from micrograd_ann.explain import ChainRuleStep, ChainRuleTable


def test_rows_of_a_small_expression_match_a_hand_derivation() -> None:
    # L = (a·b + c)·f with a=2, b=-3, c=10, f=-2, so e = a·b = -6, d = e + c = 4, L = d·f = -8.
    a, b, c, f = Value(2.0, "a"), Value(-3.0, "b"), Value(10.0, "c"), Value(-2.0, "f")
    e = a * b
    e.label = "e"
    d = e + c
    d.label = "d"
    loss = d * f
    loss.label = "L"
    loss.backward()
    # By hand: ∂L/∂d = f = -2, ∂L/∂f = d = 4; ∂L/∂e = ∂L/∂c = ∂L/∂d · 1 = -2;
    # ∂L/∂a = ∂L/∂e · b = 6, ∂L/∂b = ∂L/∂e · a = -4.
    assert list(explain(loss)) == [
        ChainRuleStep("L", "*", 1.0, -2.0, -2.0, "d"),
        ChainRuleStep("L", "*", 1.0, 4.0, 4.0, "f"),
        ChainRuleStep("d", "+", -2.0, 1.0, -2.0, "e"),
        ChainRuleStep("d", "+", -2.0, 1.0, -2.0, "c"),
        ChainRuleStep("e", "*", -2.0, -3.0, 6.0, "a"),
        ChainRuleStep("e", "*", -2.0, 2.0, -4.0, "b"),
    ]


def test_a_value_used_twice_gets_two_rows_that_add_up_to_its_gradient() -> None:
    # y = x·x + x at x = 3: the product node gives x two rows (3 each), the sum one more (1).
    x = Value(3.0, "x")
    y = x * x + x
    y.backward()
    rows = explain(y)
    into_x = [row.product for row in rows if row.child == "x"]
    assert sorted(into_x) == [1.0, 3.0, 3.0]
    assert sum(into_x) == x.grad == 7.0  # d/dx (x² + x) = 2x + 1


def test_unlabelled_nodes_get_readable_names_and_constants_get_no_rows() -> None:
    x = Value(0.5, "x")
    y = (x * 2.0).tanh()
    y.backward()
    rows = explain(y)
    assert [(row.node, row.op, row.child) for row in rows] == [
        ("tanh1", "tanh", "mul1"),
        ("mul1", "*", "x"),  # the constant 2.0 receives nothing
    ]
    # d/dx tanh(2x) = 2·(1 - tanh²(2x)); the tanh row's local derivative is 1 - tanh²(1).
    assert rows[0].local == pytest.approx(1.0 - math.tanh(1.0) ** 2, rel=1e-12)
    assert rows[1].product == pytest.approx(2.0 * (1.0 - math.tanh(1.0) ** 2), rel=1e-12)


def test_model_names_the_parameters() -> None:
    model = MLP(2, [1], activation="tanh", seed=0)
    output = model([1.0, -1.0])
    assert isinstance(output, Value)
    output.backward()
    children = {row.child for row in explain(output, model=model)}
    assert {"layers.0.neurons.0.w.0", "layers.0.neurons.0.w.1", "layers.0.neurons.0.b"} <= children


def test_table_prints_aligned_with_a_header() -> None:
    a, b = Value(2.0, "a"), Value(-3.0, "b")
    product = a * b
    product.label = "p"
    product.backward()
    table = explain(product)
    assert isinstance(table, ChainRuleTable)
    lines = str(table).splitlines()
    assert lines[0].split() == ["node", "op", "upstream", "×", "local", "=", "product", "→",
                                "child"]
    assert set(lines[1]) <= {"-", " "}
    assert lines[2].split() == ["p", "*", "1.0000", "-3.0000", "-3.0000", "a"]
    assert lines[3].split() == ["p", "*", "1.0000", "2.0000", "2.0000", "b"]
    # Aligned: every number column ends at the same place on each line.
    assert lines[2].index("-3.0000") + 7 == lines[3].index("2.0000") + 6
    assert repr(table) == str(table)
    assert "<table>" in table._repr_html_()


def test_explain_before_backward_raises() -> None:
    a = Value(2.0, "a")
    with pytest.raises(RuntimeError, match=r"backward\(\)"):
        explain(a * 3.0)


def test_a_leaf_has_no_rows() -> None:
    leaf = Value(1.0, "x")
    leaf.backward()
    assert explain(leaf) == []
    assert "no chain-rule steps" in str(explain(leaf))


def test_the_table_says_where_each_local_derivative_comes_from() -> None:
    x, w = Value(0.5, label="x"), Value(-1.5, label="w")
    out = (x * w).tanh() + x
    out.backward()
    table = explain(out)
    # each operation once, in the order its first row appears: + (the root), tanh, *
    assert list(table.formulas) == ["+", "tanh", "*"]
    assert table.formulas["tanh"] == "d/dx tanh(x) = 1 - tanh(x)²"
    text = str(table)
    assert text.index("local derivatives:") > text.index("→ child")
    assert "  *     d/da (a · b) = b,  d/db (a · b) = a" in text.splitlines()
