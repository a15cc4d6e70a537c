"""Every list of operations in the package is derived from the table in operations.py.

Adding an operation is one table entry plus its `Value` method: the test below adds softsign
that way, in a fresh interpreter, and finds it everywhere the operations are listed.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import math
import subprocess
import sys
import textwrap

from micrograd_ann import nn
from micrograd_ann.cli import main
from micrograd_ann.expression import FUNCTIONS
from micrograd_ann.operations import OPERATIONS
from micrograd_ann.testing import _FLOAT_FUNCTIONS, UNARY_OPERATIONS


def test_each_list_holds_exactly_the_operations_the_table_marks() -> None:
    assert set(FUNCTIONS) == {
        "abs", "exp", "log", "tanh", "sigmoid", "relu", "sin", "cos", "sqrt"
    }
    assert set(nn.ACTIVATIONS) == {"linear", "relu", "tanh", "sigmoid"}
    assert {operation.name for operation in UNARY_OPERATIONS} == {"neg", *FUNCTIONS}
    # the float reference of the property tests is written by hand: it must cover the table
    assert set(_FLOAT_FUNCTIONS.unary) == {operation.name for operation in UNARY_OPERATIONS}


def test_each_method_named_in_the_table_applies_its_operation() -> None:
    from micrograd_ann import Value

    for operation in OPERATIONS.values():
        if operation.arity == 1:
            result = getattr(Value, operation.method)(Value(0.5))
        elif operation.arity == 2:
            result = getattr(Value, operation.method)(Value(0.5), Value(2.0))
        else:
            continue
        assert result.op == operation.name
        expected = operation.forward(*([0.5] if operation.arity == 1 else [0.5, 2.0]))
        assert math.isclose(result.data, expected, rel_tol=0, abs_tol=0)


def _help(command: str) -> str:
    """What `micrograd-ann COMMAND --help` prints, with its line breaks undone."""
    output = io.StringIO()
    with contextlib.redirect_stdout(output), contextlib.suppress(SystemExit):
        main([command, "--help"])
    return " ".join(output.getvalue().split())


def test_the_command_line_help_lists_the_functions_and_activations_of_the_table() -> None:
    assert ", ".join(FUNCTIONS) in _help("grad")
    assert "--activation {tanh,sigmoid,relu}" in _help("train")


SCRIPT = textwrap.dedent(
    """
    import contextlib, importlib.util, io, json, sys, types

    # The package object without running __init__ (which would import every module at once),
    # so that the table can get its new entry before the other modules derive their lists.
    spec = importlib.util.find_spec("micrograd_ann")
    package = types.ModuleType("micrograd_ann")
    package.__path__ = list(spec.submodule_search_locations)
    sys.modules["micrograd_ann"] = package

    from micrograd_ann import operations
    SOFTSIGN = operations.Operation(
        "softsign", "softsign", "d/dx x/(1 + |x|) = 1/(1 + |x|)²",
        forward=lambda x: x / (1.0 + abs(x)),
        derivatives=lambda x, out: (1.0 / (1.0 + abs(x)) ** 2,),
        arity=1, method="softsign", named_function=True, activation=True,
        torch_module="Softsign",
    )
    operations.OPERATIONS["softsign"] = SOFTSIGN                  # 1. the table entry

    from micrograd_ann.engine import Value, apply_operation
    Value.softsign = lambda self: apply_operation(SOFTSIGN, self)  # 2. its Value method

    from micrograd_ann import expression, nn, cli
    from micrograd_ann.expression import evaluate
    x = Value(3.0)
    y = evaluate("softsign(x)", {"x": x})
    y.backward()
    model = nn.MLP(1, [2, 1], activation="softsign", seed=0)
    # MLP.to_torch's table of modules is derived too; PyTorch is optional, so only with it
    torch_model = model.to_torch() if importlib.util.find_spec("torch") else None
    def help_of(command):
        output = io.StringIO()
        with contextlib.redirect_stdout(output), contextlib.suppress(SystemExit):
            cli.main([command, "--help"])
        return output.getvalue()

    grad_help, train_help = help_of("grad"), help_of("train")
    print(json.dumps({
        "value": y.data, "grad": x.grad,
        "in_functions": "softsign" in expression.FUNCTIONS,
        "in_activations": "softsign" in nn.ACTIVATIONS,
        "torch": None if torch_model is None else [type(module).__name__ for module in torch_model],
        "grad_help": "softsign" in grad_help,
        "train_help": "softsign" in train_help,
    }))
    """
)


def test_a_new_operation_is_one_table_entry_plus_its_value_method() -> None:
    import json

    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert found["value"] == 0.75  # 3 / (1 + 3)
    assert found["grad"] == 1.0 / 16.0  # 1 / (1 + 3)²
    assert found["in_functions"] and found["in_activations"]
    if importlib.util.find_spec("torch") is not None:
        assert found["torch"] == ["Linear", "Softsign", "Linear"]
    else:
        assert found["torch"] is None
    assert found["grad_help"] and found["train_help"]
