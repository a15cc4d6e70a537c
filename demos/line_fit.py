"""Line fit (seed 001): gradient descent on one weight, the loss falling step by step."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from micrograd_ann.demos._shared import run_demo, save_figure

from micrograd_ann import Value, datasets

TITLE = "Gradient descent on one weight: fitting a line"

SLOPE = 2.0
"""The data lie near y = 2x (with noise), so the best weight is close to 2."""
START = -1.0
LEARNING_RATE = 0.5
STEPS = 20


def mean_squared_error(weight: Value, X: list[list[float]], y: list[float]) -> Value:
    """L(w) = (1/m) Σ (w·xᵢ − yᵢ)²: zero only if the line passes through every point."""
    return Value.sum([(weight * row[0] - target) ** 2 for row, target in zip(X, y)]) / len(X)


def main(fast: bool = False, out: Path | None = None) -> dict[str, Any]:
    """Run gradient descent on w, printing w, L(w) and dL/dw at every step.

    Each step computes L(w) with the engine, calls backward() to get dL/dw, and moves
    w ← w − η·dL/dw. L is a parabola in w, so the steps home in on its lowest point, the
    least-squares slope w* = Σ xᵢyᵢ / Σ xᵢ², which the demo also computes directly as a check.
    With `out`, writes line_fit_loss.png: L(w) and dL/dw, with the steps marked. `fast` runs
    the same (it takes milliseconds).
    """
    X, y = datasets.noisy_line(n=20, slope=SLOPE, intercept=0.0, noise=0.2, seed=1)
    best = math.fsum(row[0] * target for row, target in zip(X, y)) / math.fsum(
        row[0] ** 2 for row in X
    )
    print(f"{len(X)} points near y = {SLOPE:g}·x; fit y ≈ w·x by gradient descent, "
          f"η = {LEARNING_RATE}, starting at w = {START}\n")
    print(f"{'step':>4}  {'w':>10}  {'loss L(w)':>12}  {'dL/dw':>12}")
    weight = Value(START, label="w")
    weights, losses, slopes = [], [], []
    for step in range(STEPS + 1):
        loss = mean_squared_error(weight, X, y)
        weight.grad = 0.0
        loss.backward()
        weights.append(weight.data)
        losses.append(loss.data)
        slopes.append(weight.grad)
        print(f"{step:>4}  {weight.data:>10.6f}  {loss.data:>12.6f}  {weight.grad:>12.6f}")
        if step < STEPS:
            weight.data -= LEARNING_RATE * weight.grad
    print(f"\nleast-squares answer w* = Σxy/Σx² = {best:.6f}; gradient descent reached "
          f"{weights[-1]:.6f}")
    if out is not None:
        save_picture(out, X, y, weights, losses)
    return {"weights": weights, "losses": losses, "gradients": slopes, "least_squares": best}


def save_picture(
    out: Path, X: list[list[float]], y: list[float], weights: list[float], losses: list[float]
) -> None:
    """line_fit_loss.png: the parabola L(w), its slope, and the points the steps visited."""
    from micrograd_ann.plots import plot_function

    low, high = min(weights) - 0.5, max(weights) + 0.5
    axes = plot_function(lambda weight: mean_squared_error(weight, X, y), low, high)
    _, curve, slope = axes.get_lines()  # the zero line, f and f′ as plot_function drew them
    curve.set_label("L(w)")
    slope.set_label("dL/dw from backward()")
    axes.plot(weights, losses, "o-", color="black", markersize=4, label="gradient-descent steps")
    axes.set_xlabel("w")
    axes.legend()
    axes.set_title("L(w) = mean (w·x − y)² and gradient descent on it")
    save_figure(axes, out, "line_fit_loss.png")


if __name__ == "__main__":
    run_demo(main, __doc__)
