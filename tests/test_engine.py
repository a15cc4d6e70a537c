"""The engine: graphs of any shape and depth, backward, no_grad, detach, the Value contract.

Expected gradients are hand derivations (written next to each test) or central differences;
random expression graphs are compared with their plain-float (`math`) evaluation.
"""

from __future__ import annotations

import asyncio
import gc
import math
import random
import sys
import threading
import tracemalloc

import pytest
from hypothesis import given

from micrograd_ann import Value, is_grad_enabled, no_grad, numerical_grad
from micrograd_ann.engine import enable_grad, topological_order
from micrograd_ann.testing import (
    Expression,
    assume_away_from_kinks,
    expressions,
    finite_floats,
    points,
)

# -------------------------------------------------------------------------------------------------
# Random expression graphs
# -------------------------------------------------------------------------------------------------


@given(expressions(variables=3, max_depth=3), points(3, -2.0, 2.0))
def test_random_graph_value_matches_plain_float_math(
    expression: Expression, xs: list[float]
) -> None:
    result = expression(*(Value(x) for x in xs))
    assert math.isclose(result.data, expression.on_floats(xs), rel_tol=1e-9, abs_tol=1e-12)


@given(expressions(variables=3, max_depth=3), points(3, -2.0, 2.0))
def test_random_graph_gradient_matches_central_differences(
    expression: Expression, xs: list[float]
) -> None:
    inputs = [Value(x) for x in xs]
    result = expression(*inputs)
    assume_away_from_kinks(result)
    result.backward()
    numeric = numerical_grad(expression, xs)
    for value, expected in zip(inputs, numeric):
        assert abs(value.grad - expected) <= 1e-6 + 1e-4 * abs(expected), (value, expected)


# -------------------------------------------------------------------------------------------------
# Graph shapes
# -------------------------------------------------------------------------------------------------


def test_deep_chain_of_a_hundred_thousand_operations() -> None:
    # y = x + x + … + x (100,000 additions, each one level deeper): dy/dx = 100,001.
    x = Value(0.5)
    y = x
    for _ in range(100_000):
        y = y + x
    y.backward()
    assert y.data == 0.5 * 100_001
    assert x.grad == 100_001.0


def test_doubled_paths_forty_levels_deep() -> None:
    # y = 2⁴⁰·x through 2⁴⁰ distinct paths; visiting each node once makes this instant.
    x = Value(3.0)
    y = x
    for _ in range(40):
        y = y + y
    y.backward()
    assert y.data == 3.0 * 2.0**40
    assert x.grad == 2.0**40


def test_shared_subexpression() -> None:
    # a = x·y, z = a² + a:  dz/dx = (2a + 1)·y,  dz/dy = (2a + 1)·x.
    x, y = Value(2.0), Value(-3.0)
    a = x * y
    z = a * a + a
    z.backward()
    assert z.data == 30.0
    assert (x.grad, y.grad) == (-11.0 * -3.0, -11.0 * 2.0)


def test_same_value_on_both_sides() -> None:
    x = Value(3.0)
    (x * x).backward()  # d/dx x² = 2x
    assert x.grad == 6.0


def test_backward_twice_accumulates_in_leaves_only() -> None:
    # z = (x·2)·3: dz/dx = 6; a second pass adds another 6 (PyTorch does the same).
    x = Value(1.5)
    z = (x * 2) * 3
    z.backward()
    assert x.grad == 6.0
    z.backward()
    assert x.grad == 12.0


def test_backward_on_a_leaf() -> None:
    x = Value(4.0)
    x.backward()
    assert x.grad == 1.0


def test_backward_on_a_constant_explains_itself() -> None:
    with pytest.raises(RuntimeError, match="no graph"):
        Value(1.0, requires_grad=False).backward()


def test_topological_order_puts_children_first_and_skips_leaves() -> None:
    x, y = Value(1.0), Value(2.0)
    a = x * y
    b = a + x
    c = b * a
    order = topological_order(c)
    assert order == [a, b, c]


def test_gradients_are_bit_identical_across_runs() -> None:
    def run(seed: int) -> list[float]:
        generator = random.Random(seed)
        leaves = [Value(generator.uniform(-1.0, 1.0)) for _ in range(8)]
        nodes = list(leaves)
        for _ in range(400):
            left, right = generator.choice(nodes), generator.choice(nodes)
            nodes.append((left * right).tanh() + left * 0.3)
        Value.sum(nodes[-50:]).backward()
        return [leaf.grad for leaf in leaves]

    first = run(7)
    clutter = [Value(float(index)) for index in range(10_000)]  # move later allocations around
    second = run(7)
    del clutter
    assert first == second


# -------------------------------------------------------------------------------------------------
# Constants, n-ary nodes, builtin sum
# -------------------------------------------------------------------------------------------------


def test_plain_numbers_become_constants_that_are_not_trained() -> None:
    x = Value(2.0)
    y = 3 * x + 1
    y.backward()
    assert x.grad == 3.0
    constants = [child for node in topological_order(y) for child in node.children
                 if child is not x and not child.children]
    assert [constant.data for constant in constants] == [3.0, 1.0]
    assert all(not constant.requires_grad and constant.grad == 0.0 for constant in constants)


def test_builtin_sum_works() -> None:
    xs = [Value(1.0), Value(2.0), Value(3.5)]
    total = sum(xs)
    assert isinstance(total, Value)
    total.backward()
    assert total.data == 6.5
    assert [x.grad for x in xs] == [1.0, 1.0, 1.0]


def test_sum_is_one_node_with_unit_derivatives() -> None:
    xs = [Value(float(index)) for index in range(5)]
    total = Value.sum([*xs, 10])
    assert total.op == "sum"
    assert len(total.children) == 6
    (total * total).backward()  # d/dxᵢ (Σx)² = 2·Σx = 40
    assert total.data == 20.0
    assert [x.grad for x in xs] == [40.0] * 5


def test_dot_gradients_by_hand() -> None:
    # d/dwᵢ (Σ wⱼxⱼ + b) = xᵢ,  d/dxᵢ = wᵢ,  d/db = 1.
    weights = [Value(2.0), Value(-1.0)]
    inputs = [Value(0.5), Value(4.0)]
    bias = Value(0.25)
    out = Value.dot(weights, inputs, bias)
    assert out.op == "dot"
    assert out.children == (*weights, *inputs, bias)
    out.backward()
    assert out.data == 2.0 * 0.5 - 4.0 + 0.25
    assert [w.grad for w in weights] == [0.5, 4.0]
    assert [x.grad for x in inputs] == [2.0, -1.0]
    assert bias.grad == 1.0


def test_dot_accepts_floats_as_constants() -> None:
    weights = [Value(2.0), Value(3.0)]
    out = Value.dot(weights, [1.5, -2.0])
    out.backward()
    assert out.data == -3.0
    assert [w.grad for w in weights] == [1.5, -2.0]
    assert all(not child.requires_grad for child in out.children[2:])


def test_dot_with_mismatched_lengths_explains_itself() -> None:
    with pytest.raises(ValueError, match="2 weights and 1 inputs"):
        Value.dot([Value(1.0), Value(2.0)], [Value(3.0)])


# -------------------------------------------------------------------------------------------------
# no_grad and detach
# -------------------------------------------------------------------------------------------------


def assert_is_leaf(value: Value) -> None:
    assert value.children == ()
    assert value.op == ""
    assert value.requires_grad is False


def test_no_grad_results_are_leaves() -> None:
    x = Value(2.0)
    with no_grad():
        assert not is_grad_enabled()
        y = (x * 3).tanh() + Value.sum([x, x]) + Value.dot([x], [x])
    assert is_grad_enabled()
    assert_is_leaf(y)
    assert y.data == math.tanh(6.0) + 4.0 + 4.0


def test_no_grad_is_restored_after_an_exception() -> None:
    with pytest.raises(ValueError), no_grad():
        Value(-1.0).log()
    assert is_grad_enabled()


def test_no_grad_in_one_thread_does_not_affect_another() -> None:
    inside = threading.Event()
    done = threading.Event()

    def hold_no_grad() -> None:
        with no_grad():
            inside.set()
            done.wait(timeout=10)

    thread = threading.Thread(target=hold_no_grad)
    thread.start()
    try:
        assert inside.wait(timeout=10)
        x = Value(1.0)
        y = x * 2
        assert is_grad_enabled()
        assert y.op == "mul"
        assert y.children[0] is x
    finally:
        done.set()
        thread.join()


def test_no_grad_in_one_asyncio_task_does_not_affect_another() -> None:
    async def without_grad(entered: asyncio.Event, release: asyncio.Event) -> Value:
        with no_grad():
            entered.set()
            await release.wait()
            return Value(1.0) * 2

    async def with_grad(entered: asyncio.Event, release: asyncio.Event) -> Value:
        await entered.wait()
        result = Value(1.0) * 2
        release.set()
        return result

    async def main() -> tuple[Value, Value]:
        entered, release = asyncio.Event(), asyncio.Event()
        return await asyncio.gather(without_grad(entered, release), with_grad(entered, release))

    plain, tracked = asyncio.run(main())
    assert_is_leaf(plain)
    assert tracked.op == "mul"
    assert len(tracked.children) == 2


def test_detach_gives_a_leaf_with_the_same_data() -> None:
    x = Value(3.0)
    y = x * x
    frozen = y.detach()
    assert_is_leaf(frozen)
    assert frozen.data == 9.0
    # d/dx (x · c) with c = detached x: just c = 3 (the detached factor gets no gradient).
    x.grad = 0.0
    (x * x.detach()).backward()
    assert x.grad == 3.0


# -------------------------------------------------------------------------------------------------
# The Value contract
# -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("data", ["3", None, 2j, [1.0], object()])
def test_value_rejects_non_real_data_naming_the_type(data: object) -> None:
    with pytest.raises(TypeError) as raised:
        Value(data)  # type: ignore[arg-type]
    assert type(data).__name__ in str(raised.value)


@pytest.mark.parametrize("other", ["3", None, 2j, [1.0]])
def test_operators_reject_non_real_operands_naming_the_type(other: object) -> None:
    x = Value(1.0)
    for compute in (lambda: x + other, lambda: other * x, lambda: x ** other,  # type: ignore[operator]
                    lambda: Value.sum([x, other]), lambda: Value.dot([x], [other])):  # type: ignore[list-item]
        with pytest.raises(TypeError) as raised:
            compute()
        assert type(other).__name__ in str(raised.value)


@pytest.mark.parametrize(("data", "stored"), [(3, 3.0), (True, 1.0), (-2.5, -2.5)])
def test_value_stores_real_numbers_as_floats(data: float, stored: float) -> None:
    value = Value(data)
    assert type(value.data) is float
    assert value.data == stored
    assert value.grad == 0.0
    assert (value.label, value.op, value.children) == ("", "", ())


def test_value_hashes_by_identity_and_does_not_overload_equality() -> None:
    a, b = Value(1.0), Value(1.0)
    assert a != b
    assert a == a
    assert len({a, b}) == 2
    assert {a: "a", b: "b"}[b] == "b"


def test_repr_and_float() -> None:
    x = Value(2.5, label="weight")
    x.grad = -1.0
    assert repr(x) == "Value(data=2.5, grad=-1.0, label='weight')"
    assert repr(Value(1.0)) == "Value(data=1.0, grad=0.0)"
    assert float(x) == 2.5


@given(finite_floats(-100.0, 100.0))
def test_float_conversion_round_trips(x: float) -> None:
    assert float(Value(x)) == x


# -------------------------------------------------------------------------------------------------
# Memory: graphs are freed by reference counting alone
# -------------------------------------------------------------------------------------------------


def live_values() -> int:
    return sum(1 for item in gc.get_objects() if type(item) is Value)


def test_graph_is_freed_without_the_cycle_collector() -> None:
    gc.collect()
    gc.disable()
    try:
        before = live_values()
        x, y = Value(0.3), Value(-1.2)
        loss = Value.sum([(x * y).tanh(), (x / (1 + y**2)).exp(), Value.dot([x, y], [y, x])])
        loss.backward()
        assert live_values() > before + 10
        del x, y, loss
        assert live_values() == before
    finally:
        gc.enable()


def test_million_deep_chain_backward_and_free() -> None:
    # y = x + x + … + x (1,000,000 additions): dy/dx = 1,000,001; freeing it must not crash.
    gc.collect()
    gc.disable()
    try:
        before = live_values()
        x = Value(1.0)
        y = x
        for _ in range(1_000_000):
            y = y + x
        y.backward()
        assert x.grad == 1_000_001.0
        del x, y
        assert live_values() == before
    finally:
        gc.enable()


def test_a_node_of_two_inputs_is_one_object_the_collector_tracks() -> None:
    # What every full collection walks while a graph lives: the node itself, and no tuples of
    # children or local derivatives beside it (a tuple of Values stays tracked).
    x, y = Value(1.5), Value(2.5)
    gc.collect()
    gc.disable()
    try:
        before = len(gc.get_objects())
        nodes = [x * y for _ in range(10_000)]
        gc.collect()
        tracked = len(gc.get_objects()) - before - 1  # less the list holding them
    finally:
        gc.enable()
    assert tracked / len(nodes) == pytest.approx(1.0, abs=0.01)  # was 2: node, children tuple


def test_bytes_per_node_of_a_product_with_a_number_stay_within_350() -> None:
    # `x * 2.0` makes two Values (the node and the constant 2.0) and the node's float; the
    # budget holds with the `__dict__` slot that lets Values take attributes of their own.
    x = Value(1.5)
    count = 50_000
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        nodes = [x * 2.0 for _ in range(count)]
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert (after - before - sys.getsizeof(nodes)) / count <= 350


def test_children_and_local_derivatives_in_operand_order_for_any_number_of_inputs() -> None:
    # d/dx (x / y) = 1/y, d/dy (x / y) = -x/y²; d/dx tanh(x) = 1 - tanh²(x); d/dxᵢ Σ = 1.
    x, y, z = Value(3.0), Value(-2.0), Value(0.5)
    quotient, tangent, total = x / y, z.tanh(), Value.sum([x, y, z])
    assert quotient.children == (x, y)
    assert quotient.local_derivatives == (1 / -2.0, -3.0 / (-2.0) ** 2)
    assert tangent.children == (z,)
    assert tangent.local_derivatives == (1 - math.tanh(0.5) ** 2,)
    assert total.children == (x, y, z) and total.local_derivatives == (1.0, 1.0, 1.0)
    assert x.children == () and x.local_derivatives == ()
    made_by_hand = Value(-6.0, (x, y), "*")  # micrograd's form: the same two slots
    assert made_by_hand.children == (x, y) and made_by_hand.local_derivatives == (-2.0, 3.0)


def test_topological_order_of_several_roots_lists_each_node_once() -> None:
    x, y = Value(2.0, "x"), Value(3.0, "y")
    shared = x * y
    first, second = shared + 1, shared.tanh()
    order = topological_order([first, second, x])  # a leaf among the roots adds nothing
    assert order == [shared, first, second]
    assert topological_order([second, first]) == [shared, second, first]


def test_enable_grad_records_a_graph_even_inside_no_grad() -> None:
    x = Value(2.0)
    with no_grad():
        with enable_grad():
            assert is_grad_enabled()
            recorded = x * x
        assert not is_grad_enabled()
        unrecorded = x * x
    assert recorded.children == (x, x) and unrecorded.children == ()


def test_backward_with_a_seed_scales_every_gradient() -> None:
    x, w = Value(0.5, "x"), Value(-1.5, "w")
    out = (x * w).tanh()
    out.backward(0.25)  # ∂L/∂out = 0.25 for some L that out is a term of
    slope = 1 - math.tanh(-0.75) ** 2
    assert out.grad == 0.25
    assert x.grad == pytest.approx(0.25 * slope * -1.5, rel=1e-15)
    assert w.grad == pytest.approx(0.25 * slope * 0.5, rel=1e-15)
    with pytest.raises(TypeError, match=r"backward\(gradient\) must be a real number"):
        out.backward("1")  # type: ignore[arg-type]
