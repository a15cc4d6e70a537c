"""Tests for checks: one rule for which exception a mistake raises, the same in every module.

The rule: a wrong type is a TypeError (a float such as 2.0 where a count belongs, a bool where a
number or a count belongs), a right type with a bad value is a ValueError. Sizes above the
documented limits are refused up front, before anything big is built.
"""

from __future__ import annotations

import ast
import random
from collections.abc import Callable
from pathlib import Path

import pytest

from micrograd_ann import (
    MLP,
    SGD,
    Layer,
    Neuron,
    Perceptron,
    TrainingRecorder,
    Value,
    checks,
    datasets,
    draw_graph,
    draw_network,
    gradcheck,
    load,
    nn,
    numerical_grad,
    train,
)
from micrograd_ann.history import TrainingDiverged
from micrograd_ann.optim import LinearDecay

XOR_X, XOR_Y = datasets.logic_gate("xor")

# -------------------------------------------------------------------------------------------------
# One exception type per kind of mistake, in every module
# -------------------------------------------------------------------------------------------------

FLOAT_COUNTS: dict[str, Callable[[], object]] = {
    "MLP nin": lambda: MLP(2.0, [1]),  # type: ignore[arg-type]
    "MLP layer size": lambda: MLP(2, [4.0, 1]),  # type: ignore[list-item]
    "Layer nout": lambda: Layer(2, 3.0),  # type: ignore[arg-type]
    "Neuron nin": lambda: Neuron(2.0),  # type: ignore[arg-type]
    "Perceptron.fit epochs": lambda: Perceptron(2, seed=0).fit(XOR_X, XOR_Y, epochs=2.0),  # type: ignore[arg-type]
    "train epochs": lambda: train(
        MLP(2, [1], seed=0), XOR_X, XOR_Y, loss="mse", epochs=2.0, progress=False  # type: ignore[arg-type]
    ),
    "train batch_size": lambda: train(
        MLP(2, [1], seed=0), XOR_X, XOR_Y, loss="mse", batch_size=2.0, progress=False  # type: ignore[arg-type]
    ),
    "two_moons n": lambda: datasets.two_moons(2.0),  # type: ignore[arg-type]
    "spirals classes": lambda: datasets.spirals(30, classes=3.0),  # type: ignore[arg-type]
    "logic_gate inputs": lambda: datasets.logic_gate("and", inputs=2.0),  # type: ignore[arg-type]
    "one_hot classes": lambda: datasets.one_hot([0, 1], classes=2.0),  # type: ignore[arg-type]
    "one_hot label": lambda: datasets.one_hot([0, 1.0]),  # type: ignore[list-item]
    "load_mnist limit": lambda: datasets.load_mnist(".", limit=2.0),  # type: ignore[arg-type]
    "LinearDecay steps": lambda: LinearDecay(1.0, 0.1, 10.0),  # type: ignore[arg-type]
    "draw_graph max_nodes": lambda: draw_graph(Value(1.0) * 2, max_nodes=2.0),  # type: ignore[arg-type]
    "draw_network max_neurons_per_layer": lambda: draw_network(
        MLP(2, [1], seed=0), max_neurons_per_layer=4.0  # type: ignore[arg-type]
    ),
    "TrainingRecorder snapshots": lambda: TrainingRecorder(MLP(2, [1], seed=0), epochs=5,
                                                           snapshots=3.0),  # type: ignore[arg-type]
    "TrainingRecorder epochs": lambda: TrainingRecorder(MLP(2, [1], seed=0), epochs=5.0),  # type: ignore[arg-type]
}


@pytest.mark.parametrize("make", FLOAT_COUNTS.values(), ids=FLOAT_COUNTS.keys())
def test_a_float_where_a_count_belongs_is_a_type_error_everywhere(
    make: Callable[[], object],
) -> None:
    with pytest.raises(TypeError, match=r"must be an int, got float: \d+\.0 \(int\("):
        make()


BOOL_ARGUMENTS: dict[str, Callable[[], object]] = {
    "MLP nin": lambda: MLP(True, [1]),
    "two_moons n": lambda: datasets.two_moons(True),
    "train epochs": lambda: train(
        MLP(2, [1], seed=0), XOR_X, XOR_Y, loss="mse", epochs=True, progress=False
    ),
    "SGD lr": lambda: SGD(MLP(2, [1], seed=0).parameters(), lr=True),
    "Perceptron lr": lambda: Perceptron(2, lr=True),
    "Perceptron input": lambda: Perceptron(1, seed=0).fit([[True], [0.0]], [1, 0]),
    "train input": lambda: train(
        MLP(1, [1], seed=0), [[True], [0.0]], [1.0, 0.0], loss="mse", progress=False
    ),
    "seed": lambda: datasets.two_moons(10, seed=True),
    "gradcheck point": lambda: gradcheck(lambda x: x * x, [True]),
}


@pytest.mark.parametrize("make", BOOL_ARGUMENTS.values(), ids=BOOL_ARGUMENTS.keys())
def test_a_bool_where_a_number_belongs_is_a_type_error_everywhere(
    make: Callable[[], object],
) -> None:
    with pytest.raises(TypeError, match="bool"):
        make()


BAD_VALUES: dict[str, Callable[[], object]] = {
    "MLP nin 0": lambda: MLP(0, [1]),
    "two_moons n 1": lambda: datasets.two_moons(1),
    "train epochs 0": lambda: train(
        MLP(2, [1], seed=0), XOR_X, XOR_Y, loss="mse", epochs=0, progress=False
    ),
    "Perceptron.fit epochs 0": lambda: Perceptron(2, seed=0).fit(XOR_X, XOR_Y, epochs=0),
    "SGD lr -1": lambda: SGD(MLP(2, [1], seed=0).parameters(), lr=-1.0),
    "SGD momentum nan": lambda: SGD(MLP(2, [1], seed=0).parameters(), lr=0.1,
                                    momentum=float("nan")),
    "numerical_grad eps 0": lambda: numerical_grad(lambda x: x, [1.0], eps=0.0),
    "activation name": lambda: MLP(2, [1], activation="swish"),
    "draw_graph max_nodes 0": lambda: draw_graph(Value(1.0) * 2, max_nodes=0),
    "draw_network max_neurons_per_layer 1": lambda: draw_network(
        MLP(2, [1], seed=0), max_neurons_per_layer=1
    ),
    "TrainingRecorder snapshots 1": lambda: TrainingRecorder(MLP(2, [1], seed=0), epochs=5,
                                                             snapshots=1),
}


@pytest.mark.parametrize("make", BAD_VALUES.values(), ids=BAD_VALUES.keys())
def test_a_right_type_with_a_bad_value_is_a_value_error_everywhere(
    make: Callable[[], object],
) -> None:
    with pytest.raises(ValueError):
        make()


def test_an_activation_that_is_not_a_string_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="activation must be a str"):
        MLP(2, [1], activation=3)  # type: ignore[arg-type]


# -------------------------------------------------------------------------------------------------
# Seeds: one rule for networks, datasets and shuffling
# -------------------------------------------------------------------------------------------------


def test_seed_none_follows_the_global_random_for_networks_and_datasets_alike() -> None:
    def draw() -> tuple[object, ...]:
        return (
            MLP(2, [3, 1]).state_dict(),
            datasets.two_moons(20),
            datasets.blobs(12, centers=2),
            datasets.train_test_split(list(range(10)), list(range(10))),
        )

    random.seed(1)
    first = draw()
    random.seed(1)
    second = draw()
    assert first == second
    random.seed(2)
    assert draw() != first


def test_an_int_seed_and_a_generator_seeded_alike_agree() -> None:
    assert datasets.two_moons(20, seed=5) == datasets.two_moons(20, seed=random.Random(5))
    assert MLP(2, [3], seed=5).state_dict() == MLP(2, [3], seed=random.Random(5)).state_dict()


# -------------------------------------------------------------------------------------------------
# Sizes that cannot fit are refused up front
# -------------------------------------------------------------------------------------------------

TOO_BIG: dict[str, tuple[Callable[[], object], str]] = {
    "a layer of 10**9": (lambda: MLP(2, [10**9]), r"1,000,000,000, above the limit of 10,000"),
    "a layer of 100000": (lambda: MLP(2, [100_000, 1]), r"100,000, above the limit of 10,000"),
    "10**9 inputs": (lambda: Neuron(10**9), r"above the limit of 10,000"),
    "a million-parameter net": (
        lambda: MLP(2, [1000, 1000]), r"1,004,000 parameters, above the limit of 1,000,000"
    ),
    "a wide Layer": (lambda: Layer(10_000, 1_000), r"10,001,000 parameters"),
    "a gate of 25 inputs": (
        lambda: datasets.logic_gate("and", inputs=25), r"inputs is 25, above the limit of 19"
    ),
    "10**9 moons": (lambda: datasets.two_moons(10**9), r"1,000,000,000, above the limit of"),
    "10**9 spirals": (lambda: datasets.spirals(10**9), r"above the limit of 1,000,000"),
    "1e9 sums": (lambda: datasets.sum_of_two(10**9), "MAX_SAMPLES"),
    "wide blobs": (
        lambda: datasets.blobs(1_000_000, dimensions=100), r"100,000,000 numbers, above"
    ),
    "huge one-hot": (lambda: datasets.one_hot([0] * 1000, classes=10**9), "MAX_VALUES"),
}


@pytest.mark.parametrize("case", TOO_BIG.values(), ids=TOO_BIG.keys())
def test_sizes_that_cannot_fit_are_refused_at_once(
    case: tuple[Callable[[], object], str],
) -> None:
    make, message = case
    with pytest.raises(ValueError, match=message):
        make()


def test_the_parameter_limit_is_inclusive(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(nn, "MAX_PARAMETERS", 12)
    assert len(Layer(2, 4, seed=0).parameters()) == 12
    assert len(MLP(2, [2, 1], seed=0).parameters()) == 6 + 3
    with pytest.raises(ValueError, match="13 parameters, above the limit of 12"):
        MLP(2, [3, 1])
    with pytest.raises(ValueError, match="15 parameters"):
        Layer(2, 5)


def test_the_gate_limit_is_the_largest_table_under_the_sample_limit() -> None:
    assert 2**19 <= datasets.MAX_SAMPLES < 2**20
    with pytest.raises(ValueError, match="inputs is 20, above the limit of 19"):
        datasets.logic_gate("xor", inputs=20)


def test_a_saved_model_over_the_limits_is_refused_like_a_constructed_one(tmp_path) -> None:
    path = tmp_path / "wide.json"
    path.write_text(
        '{"format": "micrograd_ann.model", "version": 1, "kind": "Neuron",'
        ' "architecture": {"nin": 1000000000, "activation": "relu"}, "parameters": {}}',
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match=r"wide\.json"):
        load(path)


# -------------------------------------------------------------------------------------------------
# Messages stay short
# -------------------------------------------------------------------------------------------------


def test_shorten_cuts_long_values_and_says_how_long_they_were() -> None:
    assert checks.shorten("abc") == "'abc'"
    shown = checks.shorten("x" * 5_000_000)
    assert len(shown) < 120 and "5,000,000 characters in all" in shown
    shown = checks.shorten(list(range(1_000_000)))
    assert len(shown) < 120 and shown.startswith("[0, 1, 2")


def test_a_huge_value_in_an_argument_gives_a_short_message() -> None:
    with pytest.raises(TypeError) as caught:
        MLP("7" * 5_000_000, [1])  # type: ignore[arg-type]
    assert len(str(caught.value)) < 300


HUGE_ARGUMENTS: dict[str, Callable[[], object]] = {
    "a count of 5,001 digits": lambda: MLP(10**5000, [1]),
    "a negative count": lambda: datasets.two_moons(-(10**5000)),
    "a huge row": lambda: datasets.standardize([["x" * 1_000_000]]),  # type: ignore[list-item]
    "a huge target": lambda: train(
        MLP(1, [2], seed=0), [[1.0]], [[1.0] * 1_000_000], loss="mse", progress=False
    ),
    "a huge loss name": lambda: train(
        MLP(1, [1], seed=0), [[1.0]], [1.0], loss="l" * 1_000_000, progress=False
    ),
    "a huge class index": lambda: train(
        MLP(1, [2], seed=0), [[1.0]], [10**5000], loss="cross_entropy", progress=False
    ),
    "a huge dataset kind": lambda: datasets.load_mnist(".", kind="k" * 1_000_000),  # type: ignore[arg-type]
}


@pytest.mark.parametrize("make", HUGE_ARGUMENTS.values(), ids=HUGE_ARGUMENTS.keys())
def test_messages_about_huge_values_stay_short(make: Callable[[], object]) -> None:
    with pytest.raises((TypeError, ValueError)) as caught:
        make()
    assert len(str(caught.value)) < 400, str(caught.value)[:400]


def test_an_overflow_in_a_long_dot_names_a_few_inputs_and_how_many() -> None:
    weights = [Value(1e300) for _ in range(2_000)]
    with pytest.raises(OverflowError) as caught:
        Value.dot(weights, [1e300] * 2_000)
    message = str(caught.value)
    assert len(message) < 400 and "inputs in all" in message, message[:400]


def test_a_diverged_wide_network_says_so_briefly() -> None:
    X, y = datasets.blobs(20, centers=2, seed=0)
    with pytest.raises(TrainingDiverged) as caught:
        train(MLP(2, [300, 2], seed=0), X, y, loss="cross_entropy", lr=1e300, epochs=3,
              progress=False)
    assert len(str(caught.value)) < 600, str(caught.value)[:600]


# -------------------------------------------------------------------------------------------------
# Floors: no module reaches into another's private helpers, networks do not need training
# -------------------------------------------------------------------------------------------------

PACKAGE = Path(checks.__file__).parent


def _package_imports(module: Path) -> list[tuple[str, str]]:
    """(module, name) for every `from micrograd_ann.X import name` in a source file."""
    found = []
    for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("micrograd_ann"):
            found += [(node.module or "", alias.name) for alias in node.names]
    return found


def _private_attributes_of_package_modules(module: Path) -> list[str]:
    """`engine._node`-style uses, in `module`, of another package module's private names."""
    tree = ast.parse(module.read_text(encoding="utf-8"))
    modules = {alias.asname or alias.name for source, alias in (
        (node.module, alias) for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
        for alias in node.names
    ) if source == "micrograd_ann" and (PACKAGE / f"{alias.name}.py").exists()}
    return [
        f"{node.value.id}.{node.attr}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
        and node.value.id in modules and node.attr.startswith("_")
        and not node.attr.startswith("__")
    ]


@pytest.mark.parametrize("module", sorted(PACKAGE.glob("*.py")), ids=lambda path: path.name)
def test_no_module_imports_another_modules_private_helpers(module: Path) -> None:
    private = [f"{source}.{name}" for source, name in _package_imports(module)
               if name.startswith("_") and not name.startswith("__")]  # `__version__` is public
    assert private == []
    assert _private_attributes_of_package_modules(module) == []


def test_networks_do_not_depend_on_training() -> None:
    imported = {source for source, _ in _package_imports(PACKAGE / "nn.py")}
    imported |= {f"micrograd_ann.{name}" for source, name in _package_imports(PACKAGE / "nn.py")
                 if source == "micrograd_ann"}
    assert imported <= {"micrograd_ann", "micrograd_ann.checks", "micrograd_ann.operations",
                        "micrograd_ann.engine"}, imported


def _floor_below(module: str) -> set[str]:
    """Every package module that `module` needs, directly or through others, and the outside
    packages they import (`graphviz`, …), read from the sources' import statements."""
    needed: set[str] = set()
    waiting = [module]
    while waiting:
        path = PACKAGE / f"{waiting.pop()}.py"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module] if node.module != "micrograd_ann" else [
                    f"micrograd_ann.{alias.name}" for alias in node.names]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            for name in names:
                local = name.removeprefix("micrograd_ann.")
                if name.startswith("micrograd_ann.") and (PACKAGE / f"{local}.py").exists():
                    if local not in needed:
                        needed.add(local)
                        waiting.append(local)
                elif not name.startswith("micrograd_ann"):
                    needed.add(name.split(".")[0])
    return needed


def test_explaining_a_graph_does_not_need_its_drawing() -> None:
    below = _floor_below("explain")
    assert "viz" not in below and "graphviz" not in below, sorted(below)
    assert {"engine", "trace"} <= below  # it walks the engine's own traversal
