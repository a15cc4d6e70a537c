"""The playground kit (`playground_kit.py`): what Python hands the page, checked in Python.

The page's numbers are only as good as what it is given: the settings must be the `train`
command's, the initial parameters those of `MLP(..., seed=seed)`, the orders those of
`train()`'s shuffler. Each is checked here against a reference made independently: the
command line's own parser, the initialisation rule drawn by hand from `random.Random(seed)`,
a fresh `random.Random(seed)` shuffling. (`test_trainer_js.py` runs the kit in Chromium.)
"""

from __future__ import annotations

import itertools
import json
import math
import random
import re
import sys
from pathlib import Path

import pytest

from micrograd_ann import operations
from micrograd_ann.cli import build_parser, chosen_settings
from micrograd_ann.compile import model_program
from micrograd_ann.datasets import DATASETS
from micrograd_ann.engine import Value, no_grad
from micrograd_ann.nn import MLP
from micrograd_ann.pages import script_json
from micrograd_ann.playground_kit import (
    DEFAULT_NETWORKS,
    LOSS_OPERATIONS,
    PLAYGROUND_DATASETS,
    PlaygroundTooLarge,
    kit_for_run,
    playground_kit,
)


@pytest.fixture(scope="module")
def kit() -> dict[str, object]:
    return playground_kit()


# -------------------------------------------------------------------------------------------------
# Arguments
# -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arguments", "error", "named"),
    [
        ({"dataset": "digits"}, ValueError, "'digits'"),
        ({"dataset": 3}, ValueError, "3"),
        ({"activation": "linear"}, ValueError, "'linear'"),
        ({"loss": "huber"}, ValueError, "'huber'"),
        ({"dataset": "spirals", "loss": "hinge"}, ValueError, "'hinge' does not fit spirals"),
        ({"dataset": "blobs", "loss": "bce"}, ValueError, "'bce' does not fit blobs"),
        ({"lr": 0}, ValueError, "lr must be a positive finite number, got 0.0"),
        ({"lr": math.inf}, ValueError, "lr"),
        ({"lr": "0.1"}, TypeError, "lr must be a number"),
        ({"momentum": -0.5}, ValueError, "momentum must be a finite number >= 0, got -0.5"),
        ({"batch_size": 0}, ValueError, "batch_size must be at least 1"),
        ({"batch_size": 8.0}, TypeError, "batch_size must be an int"),
        ({"epochs": 0}, ValueError, "epochs must be at least 1"),
        ({"epochs": 100_000}, ValueError, "epochs is 100,000, above the limit"),
        ({"seed": -1}, ValueError, "seed must be at least 0"),
        ({"seed": 1.5}, TypeError, "seed must be an int"),
        ({"layers": "16,16"}, TypeError, "layers must be a list of hidden-layer sizes"),
        ({"layers": [16, 0]}, ValueError, "layers[1] (a hidden layer size) must be at least 1"),
        ({"layers": [2.0]}, TypeError, "layers[0] (a hidden layer size) must be an int"),
        ({"layers": [65]}, ValueError, "layers[0] (a hidden layer size) is 65, above"),
        ({"networks": "4,8"}, TypeError, "networks must be a list of layer lists"),
        ({"networks": [[4], 8]}, TypeError, "networks[1] must be a list"),
    ],
)
def test_bad_arguments_are_named(
    arguments: dict[str, object], error: type[Exception], named: str
) -> None:
    with pytest.raises(error) as raised:
        playground_kit(**arguments)  # type: ignore[arg-type]
    assert named in str(raised.value)


def _command_line_settings(dataset: str) -> dict[str, object]:
    """The settings `micrograd-ann train --dataset <dataset>` trains with, by its own parser."""
    arguments = build_parser().parse_args(["train", "--dataset", dataset, "--out", "unused"])
    settings = chosen_settings(arguments, DATASETS[dataset].defaults)
    return {
        "layers": list(settings.layers), "lr": settings.lr, "momentum": settings.momentum,
        "batchSize": settings.batch_size, "epochs": settings.epochs, "seed": arguments.seed,
        "activation": arguments.activation,
    }


@pytest.mark.parametrize("dataset", PLAYGROUND_DATASETS)
def test_the_defaults_are_the_train_commands(dataset: str) -> None:
    settings = playground_kit(dataset=dataset)["settings"]
    expected = _command_line_settings(dataset)
    assert {name: settings[name] for name in expected} == expected
    # the loss train picks when --loss is left out: hinge for 2 classes, cross_entropy for 3
    classes = {"moons": 2, "circles": 2, "xor": 2, "spirals": 3, "blobs": 3}[dataset]
    assert settings["loss"] == ("hinge" if classes == 2 else "cross_entropy")
    assert settings["network"] == ",".join(map(str, expected["layers"]))  # type: ignore[call-overload]


def test_given_settings_are_kept(kit: dict[str, object]) -> None:
    given = playground_kit(
        dataset="xor", layers=[3, 5], activation="tanh", loss="bce", lr=0.25, momentum=0.5,
        batch_size=2, epochs=7, seed=4, networks=[[], [2]],
    )
    assert given["settings"] == {
        "dataset": "xor", "layers": [3, 5], "network": "3,5", "activation": "tanh",
        "loss": "bce", "lr": 0.25, "momentum": 0.5, "batchSize": 2, "epochs": 7, "seed": 4,
    }
    assert given["menus"]["networks"] == ["none", "2", "3,5"]  # layers always in the menu
    assert all(len(data["orders"]) == 7 for data in given["datasets"].values())


def test_menus(kit: dict[str, object]) -> None:
    menus = kit["menus"]
    assert menus["datasets"] == ["moons", "circles", "spirals", "xor", "blobs"]
    assert menus["activations"] == ["relu", "tanh", "sigmoid"]
    assert menus["networks"] == ["none", "4", "8", "16", "8,8", "16,16"]
    two = ["hinge", "mse", "bce", "bce_with_logits", "cross_entropy"]
    three = ["cross_entropy", "mse"]
    assert menus["losses"] == {
        "moons": two, "circles": two, "xor": two, "spirals": three, "blobs": three
    }
    assert len(DEFAULT_NETWORKS) == 6


# -------------------------------------------------------------------------------------------------
# Data, targets and orders
# -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("dataset", PLAYGROUND_DATASETS)
def test_data_are_the_train_commands(kit: dict[str, object], dataset: str) -> None:
    data = kit["datasets"][dataset]
    choice = DATASETS[dataset]
    X, labels = choice.load(choice.defaults.samples or 0, 0)
    assert data["X"] == X and data["labels"] == labels
    assert data["samples"] == len(X) and data["classes"] == max(labels) + 1
    left, right, bottom, top = data["bounds"]
    assert left < min(row[0] for row in X) and right > max(row[0] for row in X)
    assert bottom < min(row[1] for row in X) and top > max(row[1] for row in X)
    encodings = data["encodings"]
    if data["classes"] == 2:  # by the losses' documented label conventions
        assert encodings["hinge"] == {
            "targets": [2.0 * label - 1.0 for label in labels], "outputs": 1,
            "outputActivation": "linear",
        }
        assert encodings["bce"]["targets"] == [float(label) for label in labels]
        assert encodings["bce"]["outputActivation"] == "sigmoid"
        assert encodings["bce_with_logits"]["outputActivation"] == "linear"
        assert encodings["mse"] == {"targets": labels, "outputs": 1, "outputActivation": "sigmoid"}
        assert encodings["cross_entropy"]["outputs"] == 2
    else:
        assert encodings["mse"]["targets"] == [
            [1.0 if column == label else 0.0 for column in range(3)] for label in labels
        ]
        assert encodings["mse"]["outputs"] == 3
    assert encodings["cross_entropy"]["targets"] == labels
    assert encodings["cross_entropy"]["outputActivation"] == "linear"


@pytest.mark.parametrize("seed", [0, 7])
def test_orders_are_a_fresh_generators_shuffles(seed: int) -> None:
    kit = playground_kit(epochs=12, seed=seed)
    for data in kit["datasets"].values():
        generator = random.Random(seed)
        order = list(range(data["samples"]))
        for expected in data["orders"]:
            generator.shuffle(order)
            assert expected == order
        assert len(data["orders"]) == 12


# -------------------------------------------------------------------------------------------------
# Models: initial parameters, layout, programs
# -------------------------------------------------------------------------------------------------


def _drawn_by_hand(sizes: list[int], activation: str, seed: int) -> list[float]:
    """The documented initialisation: per neuron, in order, its weights drawn uniformly from
    ±√(6/nin) (relu) or ±√(3/nin) (else) by one random.Random(seed), then a bias of 0."""
    generator = random.Random(seed)
    drawn = []
    for layer, (nin, neurons) in enumerate(itertools.pairwise(sizes)):
        last = layer == len(sizes) - 2
        limit = math.sqrt((6.0 if activation == "relu" and not last else 3.0) / nin)
        for _ in range(neurons):
            drawn += [generator.uniform(-limit, limit) for _ in range(nin)] + [0.0]
    return drawn


def _model_key(kit: dict[str, object], dataset: str, network: str, activation: str,
               loss: str) -> str:
    encoding = kit["datasets"][dataset]["encodings"][loss]  # type: ignore[index]
    return f"{network}|{activation}|{encoding['outputs']}|{encoding['outputActivation']}"


def test_every_reachable_model_is_in_the_kit_with_its_initial_parameters(
    kit: dict[str, object],
) -> None:
    menus = kit["menus"]
    reached = set()
    for dataset in menus["datasets"]:
        for network in menus["networks"]:
            for activation in menus["activations"]:
                for loss in menus["losses"][dataset]:
                    key = _model_key(kit, dataset, network, activation, loss)
                    model = kit["models"][key]
                    hidden = [] if network == "none" else list(map(int, network.split(",")))
                    outputs = kit["datasets"][dataset]["encodings"][loss]["outputs"]
                    assert model["sizes"] == [2, *hidden, outputs]
                    assert model["program"] in kit["programs"]
                    initial = kit["parameters"][model["parameters"]]
                    assert initial == _drawn_by_hand(model["sizes"], activation, 0)
                    reached.add(key)
    assert reached == set(kit["models"])  # nothing embedded that the page cannot reach


def test_layout_places_each_named_parameter(kit: dict[str, object]) -> None:
    model_entry = kit["models"]["8,8|tanh|3|linear"]
    model = MLP(2, [8, 8, 3], activation="tanh", seed=0)
    names = [name for name, _ in model.named_parameters()]
    for layer, shape in enumerate(model_entry["layers"]):
        for neuron in range(shape["neurons"]):
            start = shape["offset"] + neuron * (shape["inputs"] + 1)
            for weight in range(shape["inputs"]):
                assert names[start + weight] == f"layers.{layer}.neurons.{neuron}.w.{weight}"
            assert names[start + shape["inputs"]] == f"layers.{layer}.neurons.{neuron}.b"
    last = model_entry["layers"][-1]
    assert last["offset"] + last["neurons"] * (last["inputs"] + 1) == len(names)


def test_neuron_states_are_each_neurons_output(kit: dict[str, object]) -> None:
    """The state positions read off the Python program's forward pass give each neuron's
    output, as the network computes it layer by layer."""
    for key in ["16,16|relu|1|linear", "4|sigmoid|3|sigmoid", "none|tanh|2|linear"]:
        entry = kit["models"][key]
        model = MLP(2, entry["sizes"][1:], activation=entry["activation"],
                    output_activation=entry["outputActivation"], seed=0)
        program = model_program(model)
        assert program is not None
        row = [0.3, -0.7]
        _, state = program.forward([p.data for p in model.parameters()], row)
        values: list[float] = row
        with no_grad():
            for layer, positions in zip(model.layers, entry["neuronStates"]):
                values = [neuron.output_on_floats(values) for neuron in layer.neurons]
                assert [state[position] for position in positions] == values


def test_programs_are_the_generated_code_with_short_names(kit: dict[str, object]) -> None:
    program = kit["programs"]["2-4-1|relu|linear"]
    assert "micrograd_model" in program and "function forward(params, inputs)" in program
    assert "function backward(params, inputs, state, output_grads)" in program
    assert not re.search(r"\bgrad_|\bw_0_", program)  # short names
    # the first neuron's dot, added as this Python's sum adds (Neumaier's sum from 3.12 on)
    if sys.version_info >= (3, 12):
        assert "const n0 = python_sum([p0 * x0, p1 * x1]) + p2;" in program
    else:
        assert "const n0 = (0.0 + p0 * x0 + p1 * x1) + p2;" in program
    assert "return [g0, g1, g2," in program
    assert kit["runtime"] not in program and "function repr" in kit["runtime"]


def test_loss_rules_are_the_operation_tables() -> None:
    rules = playground_kit()["lossRules"]
    for op in LOSS_OPERATIONS:
        javascript = operations.OPERATIONS[op].javascript
        assert javascript is not None
        assert f"  {op}: {{\n    forward: {javascript.forward},\n" in rules
        assert f"    derivatives: {javascript.derivatives},\n" in rules


def test_the_default_kit_is_json_and_well_under_2_5_mb(kit: dict[str, object]) -> None:
    json.dumps(kit, allow_nan=False)
    size = len(script_json(kit).encode("utf-8"))
    assert size < 1_800_000, f"{size:,} bytes"


def test_the_trainer_script_mirrors_the_losses_of_the_registry() -> None:
    """trainer.js builds each loss of `losses.LOSSES` (a new loss needs its twin there)."""
    from micrograd_ann.losses import LOSSES

    source = (Path(__file__).parents[1] / "micrograd_ann" / "page_assets" /
              "trainer.js").read_text(encoding="utf-8")
    built = set(re.findall(r"^      (\w+): \{$", source, re.MULTILINE))
    assert built == set(LOSSES)


def test_same_numbers_for_the_python_program_of_a_model() -> None:
    """The kit's parameters are those of the model `train` builds: one forward pass of the
    Python program on them equals the network's own output."""
    kit = playground_kit(dataset="blobs")
    entry = kit["models"][_model_key(kit, "blobs", "8", "relu", "cross_entropy")]
    model = MLP(2, [8, 3], seed=0)
    program = model_program(model)
    assert program is not None
    row = kit["datasets"]["blobs"]["X"][5]
    outputs, _ = program.forward(kit["parameters"][entry["parameters"]], row)
    expected = model([Value(x) for x in row])
    assert list(outputs) == [value.data for value in expected]  # type: ignore[union-attr]


# -------------------------------------------------------------------------------------------------
# A run's kit: the menus shrink to fit
# -------------------------------------------------------------------------------------------------

RUN = {"dataset": "moons", "activation": "tanh", "loss": "hinge", "lr": 0.5, "momentum": 0.0,
       "batch_size": None, "epochs": 5, "seed": 0}


def test_a_runs_kit_is_the_playgrounds_kit_with_its_settings() -> None:
    kit = kit_for_run(layers=[16, 16], **RUN)  # type: ignore[arg-type]
    assert kit == playground_kit(layers=[16, 16], **RUN)  # type: ignore[arg-type]
    assert kit["settings"]["activation"] == "tanh" and kit["settings"]["epochs"] == 5


def test_a_wide_runs_menus_shrink_to_the_budget() -> None:
    full = len(json.dumps(playground_kit(layers=[32, 32], **RUN)))  # type: ignore[arg-type]
    one_activation = len(json.dumps(playground_kit(
        layers=[32, 32], activations=["tanh"], **RUN)))  # type: ignore[arg-type]
    assert one_activation < full
    kit = kit_for_run(layers=[32, 32], budget=full - 1, **RUN)  # type: ignore[arg-type]
    assert kit["menus"]["activations"] == ["tanh"]
    assert kit["menus"]["networks"] == ["none", "4", "8", "16", "8,8", "16,16", "32,32"]
    assert {model["activation"] for model in kit["models"].values()} == {"tanh"}
    kit = kit_for_run(layers=[32, 32], budget=one_activation - 1, **RUN)  # type: ignore[arg-type]
    assert kit["menus"]["networks"] == ["32,32"]
    with pytest.raises(PlaygroundTooLarge, match=r"layers \[32, 32\]: .* above the 1,000 "):
        kit_for_run(layers=[32, 32], budget=1000, **RUN)  # type: ignore[arg-type]


def test_the_activation_menu() -> None:
    kit = playground_kit(activation="sigmoid", activations=["relu"])
    assert kit["menus"]["activations"] == ["relu", "sigmoid"]  # the chosen one always in it
    assert {model["activation"] for model in kit["models"].values()} == {"relu", "sigmoid"}
    with pytest.raises(ValueError, match="unknown activations\\[1\\] 'elu'"):
        playground_kit(activations=["relu", "elu"])
    with pytest.raises(TypeError, match="activations must be a list"):
        playground_kit(activations="relu")  # type: ignore[arg-type]
