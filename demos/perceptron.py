"""Perceptron (seed 003): AND, OR, NAND and the three-input set are learned; XOR is not."""

from __future__ import annotations

import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from micrograd_ann.demos._shared import run_demo

from micrograd_ann import Perceptron, datasets

TITLE = "The perceptron: logic gates, and why XOR needs a hidden layer"

SEED = 3
LEARNING_RATE = 0.1

THREE_INPUT_X = [[1.0, 1.0, 1.0], [0.0, 0.0, 0.0], [1.0, 0.0, 1.0]]
"""Seed 003's training set: three inputs each, labelled like a three-input AND gate."""
THREE_INPUT_Y = [1, 0, 0]
TUTORIAL_THRESHOLD = 2.0
"""The tutorial's perceptron fired when w·x + b ≥ 2 (its bias started at 0)."""
TUTORIAL_CHECK = ([0.0, 1.0, 0.0], 0)
"""The tutorial's `perceptron.predict([0, 1, 0])`, which printed 0."""


def print_table(
    title: str, X: Sequence[Sequence[float]], y: Sequence[int], predictions: Sequence[int]
) -> None:
    """One row per sample: the inputs, the target and the perceptron's output."""
    inputs = len(X[0])
    print(title)
    header = " ".join(f"x{index + 1}" for index in range(inputs))
    print(f"  {header} | target | output")
    for row, target, prediction in zip(X, y, predictions):
        cells = " ".join(f"{int(value):>2}" for value in row)
        mark = "" if prediction == target else "   <- wrong"
        print(f"  {cells} | {target:>6} | {prediction:>6}{mark}")


def tutorial_perceptron(inputs: int, seed: int) -> Perceptron:
    """A perceptron that starts where seed 003's did: weights from Python's random() in [0, 1),
    and the tutorial's fixed threshold 2 as a bias of −2 (w·x ≥ 2  ⇔  w·x − 2 ≥ 0)."""
    perceptron = Perceptron(inputs, lr=LEARNING_RATE)
    generator = random.Random(seed)
    for weight in perceptron.weights:
        weight.data = generator.random()
    perceptron.bias.data = -TUTORIAL_THRESHOLD
    return perceptron


def fit_and_show(
    title: str,
    X: list[list[float]],
    y: list[int],
    epochs: int,
    perceptron: Perceptron | None = None,
) -> tuple[Perceptron, dict[str, Any]]:
    """Train `perceptron` (a fresh one by default) on (X, y), print its table, return it and
    its key numbers."""
    if perceptron is None:
        perceptron = Perceptron(len(X[0]), lr=LEARNING_RATE, seed=SEED)
    history = perceptron.fit(X, y, epochs=epochs)
    predictions = [perceptron.predict(row) for row in X]
    verdict = (
        f"converged after {history.epochs_run} epochs"
        if history.converged
        else f"NOT converged after {history.epochs_run} epochs"
    )
    weights = ", ".join(f"{weight.data:+.3f}" for weight in perceptron.weights)
    print_table(f"{title}: {verdict}; w = [{weights}], b = {perceptron.bias.data:+.3f}",
                X, y, predictions)
    print()
    return perceptron, {
        "converged": history.converged,
        "epochs_run": history.epochs_run,
        "predictions": predictions,
        "targets": list(y),
        "final_accuracy": history.final_accuracy,
    }


def main(fast: bool = False, out: Path | None = None) -> dict[str, Any]:
    """Train perceptrons on the logic gates and seed 003's set; return what each learned.

    The perceptron rule w ← w + η·(y − prediction)·x is gradient descent on the perceptron
    criterion (see `Perceptron`). A gate is learned when an epoch passes without a mistake;
    XOR's two classes cannot be split by one straight line, so `fit` stops after `epochs` and
    reports that it did not converge. `fast` only shortens the hopeless XOR run; `out` is
    unused (this demo prints tables only).
    """
    results: dict[str, Any] = {}
    print("Rosenblatt's perceptron: output 1 when w·x + b >= 0, else 0\n")
    for gate in ("and", "or", "nand"):
        X, y = datasets.logic_gate(gate)
        _, results[gate] = fit_and_show(f"{gate.upper()} gate", X, y, epochs=100)

    print("Seed 003's set, starting as the tutorial did (weights in [0, 1), threshold 2):")
    perceptron, results["three_input"] = fit_and_show(
        "three inputs, labelled like AND", THREE_INPUT_X, THREE_INPUT_Y, epochs=1000,
        perceptron=tutorial_perceptron(3, SEED),
    )
    inputs, tutorial_output = TUTORIAL_CHECK
    check = perceptron.predict(inputs)
    results["three_input"]["check"] = check
    print(f"predict({[int(value) for value in inputs]}) = {check}   (the tutorial printed "
          f"{tutorial_output})")
    X, y = datasets.logic_gate("and", inputs=3)
    all_rows = [perceptron.predict(row) for row in X]
    results["three_input"]["all_rows"] = all_rows
    print_table("All eight inputs (five were never seen in training):", X, y, all_rows)
    print()

    X, y = datasets.logic_gate("xor")
    _, results["xor"] = fit_and_show("XOR gate", X, y, epochs=20 if fast else 100)
    print("XOR is not linearly separable: no line puts (0,1) and (1,0) on one side and (0,0) "
          "and (1,1) on the other,\nso the perceptron rule keeps moving the line forever. A "
          "hidden layer fixes that (demos/xor.py).")
    return results


if __name__ == "__main__":
    run_demo(main, __doc__)
