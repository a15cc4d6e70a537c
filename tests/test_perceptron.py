"""Tests for perceptron: Rosenblatt's rule as gradient descent, its checks and its divergence."""

from __future__ import annotations

import math

import pytest

from micrograd_ann import MLP, Perceptron, TrainingDiverged, train

GATE_INPUTS = [[0, 0], [0, 1], [1, 0], [1, 1]]
GATE_LABELS = {"and": [0, 0, 0, 1], "or": [0, 1, 1, 1], "nand": [1, 1, 1, 0], "xor": [0, 1, 1, 0]}


@pytest.mark.parametrize("gate", ["and", "or", "nand"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_perceptron_learns_linearly_separable_gates(gate: str, seed: int) -> None:
    perceptron = Perceptron(2, lr=0.1, seed=seed)
    history = perceptron.fit(GATE_INPUTS, GATE_LABELS[gate], epochs=100)
    assert history.converged is True
    assert history.epochs_run == len(history.loss) < 100
    assert history.accuracy[-1] == 1.0 and history.loss[-1] == 0.0
    predictions = [perceptron.predict(row) for row in GATE_INPUTS]
    assert predictions == GATE_LABELS[gate]
    assert all(type(prediction) is int for prediction in predictions)


def test_perceptron_cannot_learn_xor() -> None:
    perceptron = Perceptron(2, seed=0)
    history = perceptron.fit(GATE_INPUTS, GATE_LABELS["xor"], epochs=50)
    assert history.converged is False
    assert history.epochs_run == 50
    assert max(history.accuracy) <= 0.75  # no line separates XOR: at least one mistake per pass


def test_perceptron_three_input_and_from_the_tutorial() -> None:
    rows, labels = [[1, 1, 1], [0, 0, 0], [1, 0, 1]], [1, 0, 0]
    perceptron = Perceptron(3, seed=0)
    assert perceptron.fit(rows, labels).converged
    assert [perceptron.predict(row) for row in rows] == labels


def test_perceptron_rule_is_a_gradient_step() -> None:
    # w = (0, 0), b = 0 predicts 1 (z = 0 ≥ 0) for x = (1, 2) whose label is 0.
    # Rosenblatt: w ← w + lr·(y − ŷ)·x = (0, 0) − 0.5·(1, 2) = (−0.5, −1); b ← 0 − 0.5 = −0.5.
    perceptron = Perceptron(2, lr=0.5, seed=0)
    perceptron.load_state_dict({"w.0": 0.0, "w.1": 0.0, "b": 0.0})
    history = perceptron.fit([[1.0, 2.0]], [0], epochs=1)
    assert perceptron.state_dict() == {"w.0": -0.5, "w.1": -1.0, "b": -0.5}
    assert history.loss == [0.0]  # the criterion −s·z was 0 at z = 0, yet the step was taken
    assert history.accuracy == [0.0] and history.converged is False


def test_perceptron_step_and_call() -> None:
    perceptron = Perceptron(2)
    perceptron.load_state_dict({"w.0": 1.0, "w.1": 1.0, "b": -1.5})
    assert [perceptron(row) for row in GATE_INPUTS] == [0, 0, 0, 1]
    assert perceptron.net_input([1.0, 1.0]).data == 0.5


@pytest.mark.parametrize(
    ("rows", "labels", "message"),
    [
        ([[0, 0], [0, 1, 1]], [0, 1], r"X\[1\] has 3 values"),
        ([[0, 0, 0], [0, 1, 1]], [0, 1], "nin=2"),
        ([[0, 0], [0, 1]], [0, 2], r"y\[1\] is 2"),
        ([[0, 0], [0, 1]], [0, 0.5], "0 or 1"),
        ([[0, 0], [0, 1]], [0], "2 rows but y has 1"),
        ([], [], "empty"),
        ([[0, math.nan]], [0], "finite"),
    ],
)
def test_perceptron_rejects_bad_data(
    rows: list[list[float]], labels: list[int], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        Perceptron(2, seed=0).fit(rows, labels)


@pytest.mark.parametrize(
    ("rows", "labels", "message"),
    [
        ([[0, "a"]], [0], r"X\[0\]\[1\] is str 'a', not a number"),
        ([5, 6], [0, 1], r"X\[0\] is 5, not a row"),
        ([[True, 0], [0, 1]], [1, 0], r"X\[0\]\[0\] is the bool True"),
        ([[1, 0], [0, 1]], [True, False], r"y\[0\] is the bool True"),
    ],
)
def test_perceptron_refuses_what_train_refuses_with_the_same_type_error(
    rows: list[list[float]], labels: list[int], message: str
) -> None:
    with pytest.raises(TypeError, match=message):
        Perceptron(2, seed=0).fit(rows, labels)
    if isinstance(rows[0], list):
        with pytest.raises(TypeError, match=message):
            train(MLP(2, [1], seed=0), rows, labels, loss="mse", epochs=1, progress=False)


@pytest.mark.parametrize(("lr", "error"), [(0, ValueError), (-0.1, ValueError),
                                           (math.inf, ValueError), ("0.1", TypeError),
                                           (True, TypeError)])
def test_perceptron_rejects_bad_learning_rate(lr: object, error: type[Exception]) -> None:
    with pytest.raises(error, match="lr"):
        Perceptron(2, lr=lr)  # type: ignore[arg-type]


def test_perceptron_rejects_bad_epochs() -> None:
    with pytest.raises(ValueError, match="epochs must be at least 1"):
        Perceptron(2, seed=0).fit(GATE_INPUTS, GATE_LABELS["and"], epochs=0)
    with pytest.raises(TypeError, match="epochs must be an int, got float"):
        Perceptron(2, seed=0).fit(GATE_INPUTS, GATE_LABELS["and"], epochs=2.0)  # type: ignore[arg-type]


# -------------------------------------------------------------------------------------------------
# Divergence: the rule of history.check_divergence
# -------------------------------------------------------------------------------------------------


def test_a_weight_that_became_infinite_is_divergence_not_convergence() -> None:
    # w = 1, b = 0 misclassifies x = 2 (label 0); the step w ← 1 − 1e308·2 overflows to −inf.
    # The next epoch classifies x "correctly" (z = −inf < 0), which used to count as converged.
    perceptron = Perceptron(1, lr=1e308, seed=0)
    perceptron.load_state_dict({"w.0": 1.0, "b": 0.0})
    with pytest.raises(TrainingDiverged, match="epoch 1 of 50: a parameter became infinite"):
        perceptron.fit([[2.0]], [0], epochs=50)


def test_a_net_input_that_overflows_is_divergence() -> None:
    perceptron = Perceptron(1, lr=1e308, seed=0)
    perceptron.load_state_dict({"w.0": 1.0, "b": 0.0})
    with pytest.raises(TrainingDiverged, match="overflows") as caught:
        perceptron.fit([[1.0], [2.0]], [0, 1], epochs=50)
    assert isinstance(caught.value.__cause__, OverflowError)


def test_a_last_step_that_makes_the_net_input_overflow_is_divergence() -> None:
    # x = 10, label 0, w = 1, b = 0: z = 10 ≥ 0 is a mistake; the step w ← 1 − 1e307·10 ≈
    # −1e308 and b ← −1e307 (both finite), after which z = −1e309 overflows. The one epoch
    # ended before that, so only the check of the returned weights can see it.
    perceptron = Perceptron(1, lr=1e307, seed=0)
    perceptron.load_state_dict({"w.0": 1.0, "b": 0.0})
    with pytest.raises(TrainingDiverged, match="epoch 1 of 1: after its last step") as caught:
        perceptron.fit([[10.0]], [0], epochs=1)
    assert isinstance(caught.value.__cause__, OverflowError)


def test_final_scores_are_those_of_the_returned_weights() -> None:
    # w = 1, b = 0, lr = 1, x = 2 with label 0: z = 2 is a mistake (criterion 2); the step
    # w ← 1 − 2 = −1, b ← −1 gives z = −3, correct: final criterion 0, accuracy 1.
    perceptron = Perceptron(1, lr=1.0, seed=0)
    perceptron.load_state_dict({"w.0": 1.0, "b": 0.0})
    history = perceptron.fit([[2.0]], [0], epochs=1)
    assert history.loss == [2.0] and history.accuracy == [0.0]
    assert history.final_loss == 0.0 and history.final_accuracy == 1.0


def test_the_perceptron_is_not_a_network_module_dependency() -> None:
    import micrograd_ann.nn

    assert not hasattr(micrograd_ann.nn, "Perceptron")
    assert micrograd_ann.Perceptron is Perceptron
