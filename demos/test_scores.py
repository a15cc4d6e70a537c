"""Test scores (seed 003): a 2-3-1 sigmoid network predicts scores from sleep and study."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from micrograd_ann.demos._shared import run_demo, save_figure

from micrograd_ann import MLP, SGD, datasets, train

TITLE = "A 2-3-1 sigmoid network predicting test scores"

TUTORIAL_PREDICTIONS = (0.748, 0.852, 0.890)
"""What seed 003's network predicted after its 1000 iterations (its `nn.feedforward(X)`)."""
TUTORIAL_LEARNING_RATE = 0.1
ITERATIONS = 1000
SEED = 0


def main(fast: bool = False, out: Path | None = None) -> dict[str, Any]:
    """Train the tutorial's network the tutorial's way and print its predictions.

    Seed 003's network has no biases (z2 = X·W1, z3 = a2·W2), draws its weights from the
    standard normal distribution (np.random.randn), and takes 1000 full-batch steps of
    W ← W − 0.1·∂J/∂W on J = ½ Σ (y − ŷ)². Here the same network is an `MLP(2, [3, 1])` whose
    biases stay at 0 (only the weights are given to the optimizer). `train`'s "mse" is
    (1/m) Σ (ŷ − y)², whose gradient is 2/m = 2/3 times J's, so a learning rate of
    0.1 · 3/2 = 0.15 takes exactly the tutorial's steps. The fit is not exact after 1000 steps,
    and ours stops near where the tutorial's did. With `out`, writes test_scores_loss.png.
    `fast` runs the same (it takes a fraction of a second).
    """
    X, y = datasets.test_scores()
    model = MLP(2, [3, 1], activation="sigmoid", output_activation="sigmoid")
    weights = [parameter for name, parameter in model.named_parameters()
               if not name.endswith(".b")]
    generator = random.Random(SEED)
    for weight in weights:  # standard normal, like np.random.randn; the biases stay 0
        weight.data = generator.gauss(0.0, 1.0)
    learning_rate = TUTORIAL_LEARNING_RATE * len(X) / 2
    history = train(model, X, y, loss="mse", epochs=ITERATIONS,
                    optimizer=SGD(weights, lr=learning_rate), progress=False)
    predictions = [model(row).data for row in X]

    print("inputs (sleep, study) / column maximum, targets = score / 100; network 2-3-1, "
          "sigmoid, no biases")
    # history.loss[0] is J before the first step; final_loss is J after the last one
    # (history.loss[-1] would be before the last step).
    print(f"{ITERATIONS} full-batch steps; tutorial cost J = ½Σ(y − ŷ)²: "
          f"{history.loss[0] * len(X) / 2:.6f} → {history.final_loss * len(X) / 2:.6f}\n")
    print(f"{'hours':>10}  {'inputs':>12}  {'target':>6}  {'tutorial':>8}  {'ours':>6}  "
          f"{'ours − tutorial':>15}")
    for hours, row, target, theirs, ours in zip(
        datasets.TEST_SCORES_HOURS, X, y, TUTORIAL_PREDICTIONS, predictions
    ):
        sleep, study = hours
        print(f"{f'({sleep:g}, {study:g})':>10}  {row[0]:>5.2f}, {row[1]:>4.2f}  {target:>6.3f}  "
              f"{theirs:>8.3f}  {ours:>6.3f}  {ours - theirs:>+15.3f}")
    if out is not None:
        from micrograd_ann.plots import plot_history

        axes = plot_history(history)
        axes.set_ylabel("mean squared error")
        save_figure(axes, out, "test_scores_loss.png")
    return {
        "predictions": predictions,
        "targets": y,
        "tutorial_predictions": list(TUTORIAL_PREDICTIONS),
        "largest_difference_from_tutorial": max(
            abs(ours - theirs) for ours, theirs in zip(predictions, TUTORIAL_PREDICTIONS)
        ),
        "loss": history.loss,
        "final_loss": history.final_loss,
    }


if __name__ == "__main__":
    run_demo(main, __doc__)
