"""Sum of two (seed 000): a 2-5-1 sigmoid network learns a + b with per-sample updates."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from micrograd_ann.demos._shared import run_demo, save_figure

from micrograd_ann import MLP, datasets, train

TITLE = "A 2-5-1 sigmoid network learning to add"

SEED = 0
LEARNING_RATE = 0.1
QUESTIONS = ([0.1, 0.2], [0.3, 0.1])
"""The seed's test predictions: 0.1 + 0.2 and 0.3 + 0.1."""


def main(fast: bool = False, out: Path | None = None) -> dict[str, Any]:
    """Train on 1000 random pairs for 50 epochs at η = 0.1, one sample per step, then ask.

    As in seed 000: inputs and targets lie in [0, 1] (the range of a sigmoid output), and every
    sample updates the weights (stochastic gradient descent, batch_size=1). The seed's network
    had no biases and stepped on ½(y − ŷ)²; this one has biases and steps on "mse" (y − ŷ)²,
    whose gradient is twice as large. "after training" is the returned model's error
    (`History.final_loss`); the key numbers include the model. With `fast`, 500 pairs and 20
    epochs. With `out`, writes sum_of_two_loss.png.
    """
    samples, epochs = (500, 20) if fast else (1000, 50)
    X, y = datasets.sum_of_two(samples, seed=SEED)
    model = MLP(2, [5, 1], activation="sigmoid", output_activation="sigmoid", seed=SEED)
    print(f"{samples} pairs from [0, 0.5], target a + b; network 2-5-1, sigmoid; {epochs} "
          f"epochs, η = {LEARNING_RATE}, one sample per step")
    history = train(model, X, y, loss="mse", epochs=epochs, lr=LEARNING_RATE, batch_size=1,
                    seed=SEED, progress=True)
    for epoch in sorted({0, 1, epochs // 2 - 1, epochs - 1}):
        print(f"  epoch {epoch + 1:>3}: mean squared error {history.loss[epoch]:.6f}")
    # each epoch's error is measured on the way through it; the trained network's comes after
    print(f"after training: mean squared error {history.final_loss:.6f}\n")
    answers = []
    for question in QUESTIONS:
        answer = model(question).data
        answers.append(answer)
        print(f"Our network believes that {question[0]} + {question[1]} is {answer:.4f} "
              f"(error {answer - sum(question):+.4f})")
    if out is not None:
        from micrograd_ann.plots import plot_history

        save_figure(plot_history(history), out, "sum_of_two_loss.png")
    return {
        "answers": answers,
        "expected": [sum(question) for question in QUESTIONS],
        "loss": history.loss,
        "final_loss": history.final_loss,
        "model": model,
    }


if __name__ == "__main__":
    run_demo(main, __doc__)
