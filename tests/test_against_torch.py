"""Random expression graphs against PyTorch in float64: values and every input's gradient.

Skipped when torch is not importable (CI installs the CPU build).
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given

from micrograd_ann import Value
from micrograd_ann.testing import Expression, assume_away_from_kinks, expressions, points

torch = pytest.importorskip(
    "torch",
    reason="PyTorch is not installed; `pip install torch` (the CPU build is enough) to run "
    "the float64 cross-checks",
)


def torch_value_and_gradient(expression: Expression, xs: list[float]) -> tuple[float, list[float]]:
    tensors = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in xs]
    result = expression.on_tensors(tensors)
    result.backward()
    gradient = [0.0 if tensor.grad is None else tensor.grad.item() for tensor in tensors]
    return result.item(), gradient


@given(expressions(variables=3, max_depth=3), points(3, -2.0, 2.0))
def test_random_graphs_match_pytorch(expression: Expression, xs: list[float]) -> None:
    inputs = [Value(x) for x in xs]
    result = expression(*inputs)
    # Rounding can put a relu/abs input on different sides of 0 in the two libraries.
    assume_away_from_kinks(result, margin=1e-9)
    result.backward()
    expected_value, expected_gradient = torch_value_and_gradient(expression, xs)
    assert math.isclose(result.data, expected_value, rel_tol=1e-9, abs_tol=1e-12)
    for value, expected in zip(inputs, expected_gradient):
        assert math.isclose(value.grad, expected, rel_tol=1e-9, abs_tol=1e-12), (value, expected)


@pytest.mark.parametrize(
    ("x", "function_name"),
    [(0.0, "relu"), (0.0, "abs"), (0.0, "sqrt"), (-800.0, "sigmoid"), (800.0, "tanh")],
)
def test_special_points_match_pytorch(x: float, function_name: str) -> None:
    variable = Value(x)
    result = getattr(variable, function_name)() if function_name != "abs" else abs(variable)
    result.backward()
    tensor = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    expected = getattr(torch, function_name)(tensor)
    expected.backward()
    assert result.data == expected.item()
    assert variable.grad == tensor.grad.item()
