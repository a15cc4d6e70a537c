"""The playground's trainer (`page_assets/trainer.js`) in Chromium: train()'s numbers in a page.

A minimal page holds the kit (`playground_kit`) and the trainer. For settings across the menus
— two datasets of two classes and two of three, every loss each offers, relu, tanh and sigmoid,
momentum, mini-batches with a short last batch, per-sample steps — the page trains 20 epochs
and its losses, accuracies and parameters are compared with Python's `train()` (and, for the
README's main job, with the `history.json` of `micrograd-ann train`): to 1e-9 relative, and bit
for bit where every float rule involved rounds correctly in both languages (relu, +, ×). The
comparison can fail: a derivative changed by a factor of 1 + 1e-6 in the kit is caught.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from micrograd_ann.cli import main
from micrograd_ann.datasets import DATASETS
from micrograd_ann.engine import Value
from micrograd_ann.losses import LOSSES, hinge
from micrograd_ann.nn import MLP
from micrograd_ann.optim import SGD, Adam, AdamW
from micrograd_ann.pages import script_json
from micrograd_ann.playground_kit import playground_kit
from micrograd_ann.train import TrainingDiverged, train
from tests.test_pages import browser  # noqa: F401  (browser: a fixture)

pytestmark = pytest.mark.browser

TRAINER = Path(__file__).parents[1] / "micrograd_ann" / "page_assets" / "trainer.js"
EPOCHS = 20
TOLERANCE = 1e-9

RUN = """([kit, settings, epochs]) => {
  const trainer = MicrogradTrainer.create(kit || window.kit, settings);
  const initial = trainer.params.slice();
  for (let epoch = 0; epoch < epochs; epoch++) trainer.step();
  return {history: trainer.history, params: trainer.params.slice(), initial: initial,
          grads: trainer.grads.slice(), updates: trainer.updates.slice(),
          final: trainer.evaluate(), epoch: trainer.epoch};
}"""


def _html(kit: dict[str, Any]) -> str:
    return (
        "<!DOCTYPE html><title>trainer</title>"
        f'<script id="kit" type="application/json">{script_json(kit)}</script>'
        f"<script>{TRAINER.read_text(encoding='utf-8')}</script>"
        '<script>window.kit = JSON.parse(document.getElementById("kit").textContent);</script>'
    )


@pytest.fixture(scope="module")
def page(browser: Any) -> Iterator[Any]:  # noqa: F811  (the fixture)
    """A page holding the default playground's kit (20 epochs) and the trainer."""
    opened = browser.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    opened.on("console", lambda message: errors.append(message.text)
              if message.type == "error" else None)
    opened.set_content(_html(playground_kit(epochs=EPOCHS)))
    yield opened
    assert errors == []
    opened.close()


def _settings(dataset: str, layers: list[int], activation: str, loss: str, lr: float,
              momentum: float, batch_size: int | None, **more: Any) -> dict[str, Any]:
    return {"dataset": dataset, "network": ",".join(map(str, layers)) or "none",
            "activation": activation, "loss": loss, "lr": lr, "momentum": momentum,
            "batchSize": batch_size, **more}


def _python_model(dataset: str, layers: list[int], activation: str, loss: str,
                  seed: int = 0) -> tuple[MLP, list[list[float]], list[Any]]:
    """The model, data and targets `micrograd-ann train` builds for these settings."""
    choice = DATASETS[dataset]
    X, labels = choice.load(choice.defaults.samples or 0, seed)
    encoded = LOSSES[loss].class_targets(labels)
    model = MLP(len(X[0]), [*layers, encoded.outputs], activation=activation,
                output_activation=encoded.output_activation, seed=seed)
    return model, X, encoded.targets


def _python_run(dataset: str, layers: list[int], activation: str, loss: str, lr: float,
                momentum: float, batch_size: int | None, optimizer: str = "sgd",
                weight_decay: float = 0.0) -> tuple[Any, list[float]]:
    model, X, y = _python_model(dataset, layers, activation, loss)
    if optimizer == "sgd":
        chosen: Any = SGD(model.parameters(), lr=lr, momentum=momentum,
                          weight_decay=weight_decay)
    else:
        chosen = (Adam if optimizer == "adam" else AdamW)(
            model.parameters(), lr=lr, weight_decay=weight_decay)
    history = train(model, X, y, loss=loss, epochs=EPOCHS, batch_size=batch_size, seed=0,
                    optimizer=chosen, progress=False)
    return history, [parameter.data for parameter in model.parameters()]


def _relative(expected: list[float], found: list[float]) -> float:
    assert len(expected) == len(found)
    return max((abs(a - b) / max(abs(a), 1e-300) for a, b in zip(expected, found)), default=0.0)


def _parameter_error(expected: list[float], found: list[float]) -> float:
    assert len(expected) == len(found)
    return max(abs(a - b) / max(abs(a), 1.0) for a, b in zip(expected, found))


CASES = [  # dataset, layers, activation, loss, lr, momentum, batch size
    ("moons", [16, 16], "relu", "hinge", 0.5, 0.0, None),  # the README's main job
    ("moons", [8], "tanh", "bce_with_logits", 0.3, 0.9, 10),
    ("moons", [4], "relu", "cross_entropy", 0.5, 0.0, 32),  # 100 = 3 × 32 + 4
    ("circles", [8, 8], "relu", "mse", 0.5, 0.0, 7),
    ("xor", [4], "sigmoid", "bce", 0.5, 0.0, 1),
    ("xor", [], "relu", "hinge", 0.1, 0.9, None),  # a single layer
    ("spirals", [16, 16], "relu", "cross_entropy", 0.05, 0.9, 16),
    ("spirals", [8], "tanh", "mse", 0.5, 0.0, 50),
    ("blobs", [8], "tanh", "cross_entropy", 0.1, 0.9, None),
    ("blobs", [16], "sigmoid", "mse", 0.5, 0.5, 32),
]


@pytest.mark.parametrize("case", CASES, ids=lambda case: "-".join(map(str, case[:4])))
def test_twenty_epochs_give_trains_numbers(page: Any, case: tuple[Any, ...]) -> None:
    history, params = _python_run(*case)
    found = page.evaluate(RUN, [None, _settings(*case), EPOCHS])
    assert found["epoch"] == EPOCHS
    assert _relative(history.loss, found["history"]["loss"]) <= TOLERANCE
    assert found["history"]["accuracy"] == history.accuracy  # counts / n: exactly
    assert _parameter_error(params, found["params"]) <= TOLERANCE
    assert _relative([history.final_loss], [found["final"]["loss"]]) <= TOLERANCE
    assert found["final"]["accuracy"] == history.final_accuracy
    if case[2] == "relu" and case[3] == "hinge":  # every rule rounds correctly: bit for bit
        assert found["history"]["loss"] == history.loss
        assert found["params"] == params
        assert found["final"]["loss"] == history.final_loss


def test_the_readmes_job_gives_the_history_json_of_micrograd_ann_train(
    page: Any, tmp_path: Path
) -> None:
    assert main(["train", "--dataset", "moons", "--epochs", str(EPOCHS), "--out",
                 str(tmp_path), "--quiet"]) in (0, None)
    recorded = json.loads((tmp_path / "history.json").read_text())
    kit_settings = page.evaluate("() => window.kit.settings")
    assert (kit_settings["network"], kit_settings["loss"], kit_settings["lr"]) == (
        "16,16", "hinge", 0.5)
    found = page.evaluate(RUN, [None, {}, EPOCHS])  # the kit's own settings
    assert _relative(recorded["loss"], found["history"]["loss"]) <= TOLERANCE
    assert found["history"]["accuracy"] == recorded["accuracy"]
    assert _relative([recorded["final_loss"]], [found["final"]["loss"]]) <= TOLERANCE


@pytest.mark.parametrize(
    ("optimizer", "weight_decay"), [("sgd", 0.01), ("adam", 0.0), ("adam", 0.01), ("adamw", 0.01)]
)
def test_weight_decay_adam_and_adamw(page: Any, optimizer: str, weight_decay: float) -> None:
    case = ("spirals", [8], "relu", "cross_entropy", 0.01, 0.9 if optimizer == "sgd" else 0.0,
            16)
    history, params = _python_run(*case, optimizer=optimizer, weight_decay=weight_decay)
    chosen = _settings(*case, optimizer=optimizer, weightDecay=weight_decay)
    found = page.evaluate(RUN, [None, chosen, EPOCHS])
    assert _relative(history.loss, found["history"]["loss"]) <= TOLERANCE
    assert _parameter_error(params, found["params"]) <= TOLERANCE


@settings(max_examples=30)
@given(st.lists(st.floats(-1e30, 1e30) | st.sampled_from([1e16, -1e16, 1.0, 0.1, -0.0]),
                max_size=40))
@example([1.0, 1e100, 1.0, -1e100])  # CPython's test_math: cancellation
@example([2.0**53, -0.5, -(2.0**-54)])  # the correction of a half-way rounding
@example([2.0**53, 1.0, 2.0**-100])
def test_fsum_is_pythons(page: Any, values: list[float]) -> None:
    """History.final_loss adds with math.fsum: the page's twin gives the same float."""
    found = page.evaluate("(values) => MicrogradTrainer.fsum(values)", values)
    assert float(found) == math.fsum(values)  # (a whole number comes back as an int)


# -------------------------------------------------------------------------------------------------
# The comparison can fail
# -------------------------------------------------------------------------------------------------


# Each derivative as the kit writes it, and the same times 1 + 1e-6: called from the table's
# rules (the losses' and relu's), or inline in the generated programs (sigmoid, tanh).
SCALE = " * (1 + 1e-6)"
WRONG_DERIVATIVES = {
    "log": (r"(derivatives: \(x, out\) => \[1\.0 / x)\]", r"\1" + SCALE + "]"),
    "exp": (r"(derivatives: \(x, out\) => \[out)\]", r"\1" + SCALE + "]"),
    "relu": (r"(const relu_derivatives = \(x, out\) => \[x <= 0 \? 0\.0 : 1\.0)\]",
             r"\1" + SCALE + "]"),
    "sigmoid": (r"(\((n\d+) \* \(1\.0 - \2\)\))", r"(\1" + SCALE + ")"),
    "tanh": (r"(\(1\.0 - (n\d+) \* \2\))", r"(\1" + SCALE + ")"),
}


def _with_derivative_scaled(kit: dict[str, Any], op: str) -> dict[str, Any]:
    """The kit with `op`'s derivative multiplied by 1 + 1e-6 wherever the kit writes it."""
    pattern, replacement = WRONG_DERIVATIVES[op]
    broken = dict(kit)
    broken["lossRules"] = re.sub(pattern, replacement, kit["lossRules"])
    broken["programs"] = {
        key: re.sub(pattern, replacement, program) for key, program in kit["programs"].items()
    }
    assert (broken["lossRules"], broken["programs"]) != (kit["lossRules"], kit["programs"])
    return broken


@pytest.mark.parametrize(
    ("op", "case"),
    [
        ("log", ("xor", [4], "sigmoid", "bce", 0.5, 0.0, 1)),
        ("exp", ("moons", [8], "relu", "bce_with_logits", 0.3, 0.9, 10)),
        ("relu", ("moons", [16, 16], "relu", "hinge", 0.5, 0.0, None)),
        ("sigmoid", ("blobs", [16], "sigmoid", "mse", 0.5, 0.5, 32)),
        ("tanh", ("spirals", [8], "tanh", "cross_entropy", 0.05, 0.9, 16)),
    ],
)
def test_a_wrong_derivative_is_caught(page: Any, op: str, case: tuple[Any, ...]) -> None:
    kit = page.evaluate("() => window.kit")
    history, _ = _python_run(*case)
    found = page.evaluate(RUN, [_with_derivative_scaled(kit, op), _settings(*case), EPOCHS])
    assert _relative(history.loss, found["history"]["loss"]) > TOLERANCE


# -------------------------------------------------------------------------------------------------
# What the page shows: gradients, updates, layout, scores, activations
# -------------------------------------------------------------------------------------------------


def test_grads_and_updates_of_a_full_batch_step(page: Any) -> None:
    """After one full-batch epoch, `grads` is ∂(mean hinge loss)/∂p at the initial parameters
    (the engine's graph, `backward()`), and `updates` the step −lr·grad."""
    model, X, y = _python_model("moons", [8], "tanh", "hinge")
    outputs = [model([Value(x) for x in row]) for row in X]
    hinge(outputs, y).backward()
    expected = [parameter.grad for parameter in model.parameters()]
    found = page.evaluate(RUN, [None, _settings("moons", [8], "tanh", "hinge", 0.5, 0.0, None), 1])
    assert _parameter_error(expected, found["grads"]) <= 1e-12
    assert _parameter_error([-0.5 * grad for grad in expected], found["updates"]) <= 1e-12
    moved = [after - before for after, before in zip(found["params"], found["initial"])]
    assert found["updates"] == moved


def test_layout_names_each_parameter(page: Any) -> None:
    layout = page.evaluate("""() => {
      const trainer = MicrogradTrainer.create(window.kit, {dataset: "blobs", network: "8,8",
        activation: "relu", loss: "cross_entropy"});
      const layout = trainer.layout;
      return {names: layout.names, sizes: layout.sizes, weight: layout.weight(1, 3, 5),
              bias: layout.bias(2, 1), count: trainer.params.length};
    }""")
    model = MLP(2, [8, 8, 3], seed=0)
    names = [name for name, _ in model.named_parameters()]
    assert layout["names"] == names and layout["count"] == len(names)
    assert layout["sizes"] == [2, 8, 8, 3]
    assert names[layout["weight"]] == "layers.1.neurons.3.w.5"
    assert names[layout["bias"]] == "layers.2.neurons.1.b"


POINTS = [(0.5, -0.25), (-1.0, 1.5), (2.0, 0.0)]


@pytest.mark.parametrize(
    ("dataset", "loss"),
    [("moons", "hinge"), ("moons", "bce"), ("moons", "cross_entropy"), ("blobs", "cross_entropy"),
     ("blobs", "mse")],
)
def test_scores_are_class_probabilities(page: Any, dataset: str, loss: str) -> None:
    model, _, _ = _python_model(dataset, [8], "tanh", loss)
    found = page.evaluate("""([settings, points]) => {
      const trainer = MicrogradTrainer.create(window.kit, settings);
      return points.map(([x, y]) => trainer.scores(x, y));
    }""", [_settings(dataset, [8], "tanh", loss, 0.1, 0.0, None), POINTS])
    for (x, y), scores in zip(POINTS, found):
        output = model([x, y])
        outputs = [output.data] if not isinstance(output, list) else [o.data for o in output]
        if len(outputs) == 1:  # σ of a score or logit; a sigmoid output is already p
            p = outputs[0] if loss in ("bce", "mse") else 1.0 / (1.0 + math.exp(-outputs[0]))
            expected = [1.0 - p, p]
        elif loss == "mse":  # sigmoid outputs, one per class, as shares of their sum
            expected = [value / sum(outputs) for value in outputs]
        else:  # softmax
            exps = [math.exp(value) for value in outputs]
            expected = [value / sum(exps) for value in exps]
        assert len(scores) == len(expected)
        assert max(abs(a - b) for a, b in zip(expected, scores)) <= 1e-12


def test_activations_are_each_neurons_output(page: Any) -> None:
    model, _, _ = _python_model("spirals", [16, 16], "tanh", "cross_entropy")
    found = page.evaluate("""(points) => {
      const trainer = MicrogradTrainer.create(window.kit, {dataset: "spirals",
        network: "16,16", activation: "tanh", loss: "cross_entropy"});
      return points.map(([x, y]) => trainer.activations(x, y));
    }""", POINTS)
    for (x, y), layers in zip(POINTS, found):
        values = [x, y]
        assert len(layers) == len(model.layers)
        for layer, activations in zip(model.layers, layers):
            values = [neuron.output_on_floats(values) for neuron in layer.neurons]
            assert _relative(values, activations) <= 1e-12


# -------------------------------------------------------------------------------------------------
# Reset, the end of the epochs, divergence
# -------------------------------------------------------------------------------------------------


def test_reset_returns_to_epoch_zero_with_the_same_parameters(page: Any) -> None:
    found = page.evaluate("""() => {
      const trainer = MicrogradTrainer.create(window.kit, {});
      const initial = trainer.params.slice();
      const first = trainer.step();
      trainer.step(); trainer.step();
      const moved = trainer.params.slice();
      trainer.reset();
      const after = {epoch: trainer.epoch, params: trainer.params.slice(),
                     history: JSON.parse(JSON.stringify(trainer.history))};
      const again = trainer.step();
      return {initial, first, moved, after, again};
    }""")
    assert found["after"] == {"epoch": 0, "params": found["initial"],
                              "history": {"loss": [], "accuracy": []}}
    assert found["moved"] != found["initial"]
    assert found["again"] == found["first"] and found["first"]["epoch"] == 1


def test_steps_past_the_kits_epochs_are_refused(page: Any) -> None:
    found = page.evaluate("""() => {
      const trainer = MicrogradTrainer.create(window.kit, {epochs: 2});
      trainer.step(); trainer.step();
      try { trainer.step(); } catch (error) { return [error.name, error.message, trainer.epoch]; }
      return null;
    }""")
    assert found == ["EpochsExhausted",
                     "all 2 epochs the page holds are done; press Reset to train again", 2]


def test_divergence_stops_as_train_stops(page: Any) -> None:
    case = ("moons", [16, 16], "relu", "cross_entropy", 10.0, 0.9, None)
    with pytest.raises(TrainingDiverged) as raised:
        _python_run(*case)
    found = page.evaluate("""(settings) => {
      const trainer = MicrogradTrainer.create(window.kit, settings);
      try { for (;;) trainer.step(); } catch (error) {
        return [error.name, error.message, error.epoch, trainer.history.loss.length];
      }
    }""", _settings(*case))
    assert found == ["TrainingDiverged", str(raised.value), raised.value.epoch, raised.value.epoch]


# -------------------------------------------------------------------------------------------------
# Each loss on its own: value, gradient and prediction, at the edges too
# -------------------------------------------------------------------------------------------------

EDGES = [0.0, -0.0, 1e-300, 1e-13, 0.5, 1.0 - 1e-13, 1.0, 27.0, -27.0, 40.0, -40.0, 700.0,
         -700.0, 1e300, -1e300]


def _python_sample(loss: str, output: Any, target: Any, seed: float) -> dict[str, Any]:
    leaves = [Value(value) for value in (output if isinstance(output, list) else [output])]
    chosen = LOSSES[loss]
    out = leaves if isinstance(output, list) else leaves[0]
    sample = chosen.per_sample(out, target)
    sample.backward(seed)
    return {"loss": sample.data, "grads": [leaf.grad for leaf in leaves],
            "prediction": chosen.predict(out) if chosen.predict else None}


def _same(expected: dict[str, Any], found: dict[str, Any], exact: bool) -> bool:
    numbers = [expected["loss"], *expected["grads"]]
    page_numbers = [float(found["loss"]), *map(float, found["grads"])]
    if found["prediction"] != expected["prediction"]:
        return False
    if exact:
        return numbers == page_numbers
    return all(a == b or abs(a - b) <= 1e-12 * abs(a) for a, b in zip(numbers, page_numbers))


@settings(max_examples=60)
@given(
    st.lists(st.sampled_from(EDGES) | st.floats(-50.0, 50.0), min_size=6, max_size=6),
    st.sampled_from([1.0, 0.01, 1.0 / 3.0]),
)
def test_each_sample_loss_and_its_gradient_are_the_engines(
    page: Any, outputs: list[float], seed: float
) -> None:
    probabilities = [value if 0.0 <= value <= 1.0 else min(abs(value) / 50.0, 1.0)
                     for value in outputs]
    cases: list[tuple[str, Any, Any, bool]] = []
    for value, probability in zip(outputs, probabilities):
        cases += [
            ("hinge", value, 1.0, True), ("hinge", value, -1.0, True),
            ("bce_with_logits", value, 1.0, False), ("bce_with_logits", value, 0.0, False),
            ("bce", probability, 1.0, False), ("bce", probability, 0.0, False),
            ("mse", probability, 1, False),  # pow: V8 and C may differ by an ulp
        ]
    for target in range(3):
        cases.append(("cross_entropy", outputs[:3], target, False))
        cases.append(("mse", probabilities[3:], [float(target == k) for k in range(3)], False))
    found = page.evaluate("""([cases, seed]) => cases.map(([loss, output, target]) =>
        MicrogradTrainer.sampleLoss(window.kit, loss, output, target, seed))""",
                          [[case[:3] for case in cases], seed])
    for (loss, output, target, exact), result in zip(cases, found):
        expected = _python_sample(loss, output, target, seed)
        assert _same(expected, result, exact), (loss, output, target, expected, result)


@pytest.mark.parametrize(
    ("chosen", "message"),
    [
        ({"lr": 0}, "lr must be a positive finite number, got 0; typical learning rates"),
        ({"lr": "fast"}, "lr must be a positive finite number, got fast"),
        ({"momentum": -1}, "momentum must be a finite number >= 0, got -1"),
        ({"batchSize": 0}, "batch_size must be a whole number of at least 1"),
        ({"batchSize": 2.5}, "batch_size must be a whole number of at least 1 (or none for the "
                             "whole data set), got 2.5"),
        ({"optimizer": "rmsprop"}, "unknown optimizer rmsprop; choose sgd, adam or adamw"),
        ({"epochs": 21}, "epochs must be a whole number from 1 to 20 (the epochs whose orders"),
        ({"dataset": "spirals", "loss": "hinge"}, "loss hinge does not fit spirals; choose one "
                                                  "of cross_entropy, mse"),
        ({"network": "7"}, "the kit has no model 7|relu|1|linear"),
    ],
)
def test_bad_settings_are_named(page: Any, chosen: dict[str, Any], message: str) -> None:
    found = page.evaluate("""(settings) => {
      try { MicrogradTrainer.create(window.kit, settings); } catch (error) {
        return error.message;
      }
      return null;
    }""", chosen)
    assert found is not None and found.startswith(message)
