"""Two-neuron chain (seed 001): hand-derived chain-rule gradients beside the engine's."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from micrograd_ann.demos._shared import run_demo, write_text

from micrograd_ann import Value

TITLE = "Backpropagation by hand on a two-neuron chain, checked against the engine"

INPUTS = [0.5, 1.0, 1.5]
TARGETS = [0.3, 0.6, 0.9]
START = {"w1": 0.4, "b1": -0.2, "w2": 1.2, "b2": 0.1}
LEARNING_RATE = 0.5
AGREEMENT = 1e-12
"""Hand and engine gradients must agree to this (absolute) difference."""


def sigmoid(z: float) -> float:
    """σ(z) = 1 / (1 + e^(−z)), in plain floats."""
    return 1.0 / (1.0 + math.exp(-z))


def hand_gradients(parameters: dict[str, float]) -> dict[str, float]:
    """∂E/∂w1, ∂E/∂b1, ∂E/∂w2, ∂E/∂b2 by the chain rule, written out in plain floats.

    For each sample: z1 = w1·x + b1, a1 = σ(z1), z2 = w2·a1 + b2, a2 = σ(z2), and
    E = 1/(2m) Σ (T − a2)². With σ′(z) = σ(z)·(1 − σ(z)):

        ∂E/∂a2  = −(T − a2) / m
        ∂E/∂z2  = ∂E/∂a2 · a2·(1 − a2)           ∂E/∂w2 += ∂E/∂z2 · a1    ∂E/∂b2 += ∂E/∂z2
        ∂E/∂a1  = ∂E/∂z2 · w2
        ∂E/∂z1  = ∂E/∂a1 · a1·(1 − a1)           ∂E/∂w1 += ∂E/∂z1 · x     ∂E/∂b1 += ∂E/∂z1
    """
    w1, b1, w2, b2 = (parameters[name] for name in ("w1", "b1", "w2", "b2"))
    m = len(INPUTS)
    gradients = {"w1": 0.0, "b1": 0.0, "w2": 0.0, "b2": 0.0}
    for x, target in zip(INPUTS, TARGETS):
        a1 = sigmoid(w1 * x + b1)
        a2 = sigmoid(w2 * a1 + b2)
        error_at_a2 = -(target - a2) / m
        error_at_z2 = error_at_a2 * a2 * (1.0 - a2)
        gradients["w2"] += error_at_z2 * a1
        gradients["b2"] += error_at_z2
        error_at_z1 = error_at_z2 * w2 * a1 * (1.0 - a1)
        gradients["w1"] += error_at_z1 * x
        gradients["b1"] += error_at_z1
    return gradients


def network_error(parameters: dict[str, Value]) -> Value:
    """E = 1/(2m) Σ (T − a2)² built from `Value`s, so backward() can find every ∂E/∂parameter."""
    w1, b1, w2, b2 = (parameters[name] for name in ("w1", "b1", "w2", "b2"))
    squared_errors = []
    for x, target in zip(INPUTS, TARGETS):
        a1 = (w1 * x + b1).sigmoid()
        a2 = (w2 * a1 + b2).sigmoid()
        squared_errors.append((target - a2) ** 2)
    error = Value.sum(squared_errors) / (2 * len(INPUTS))
    error.label = "E"
    return error


def main(fast: bool = False, out: Path | None = None) -> dict[str, Any]:
    """One gradient-descent step on the chain, with both sets of gradients printed and compared.

    Raises AssertionError if a hand gradient and the engine's differ by more than `AGREEMENT`.
    With `out`, writes two_neuron_chain_graph.svg (the computation graph of E, with every
    gradient) and two_neuron_chain_steps.html (the same graph, stepped through edge by edge).
    `fast` runs the same (it takes milliseconds).
    """
    print("x → a1 = σ(w1·x + b1) → a2 = σ(w2·a1 + b2),   E = 1/(2m) Σ (T − a2)²")
    print(f"samples x = {INPUTS}, targets T = {TARGETS}, η = {LEARNING_RATE}\n")
    parameters = {name: Value(number, label=name) for name, number in START.items()}
    error = network_error(parameters)
    error.backward()
    by_hand = hand_gradients(START)
    print(f"E before the step = {error.data:.12f}\n")
    print(f"{'':>6}  {'by hand':>20}  {'engine (backward)':>20}  {'difference':>10}")
    differences = {}
    for name, parameter in parameters.items():
        differences[name] = abs(by_hand[name] - parameter.grad)
        print(f"∂E/∂{name}  {by_hand[name]:>20.15f}  {parameter.grad:>20.15f}  "
              f"{differences[name]:>10.1e}")
        assert differences[name] <= AGREEMENT, (
            f"∂E/∂{name}: the hand derivation gives {by_hand[name]!r}, the engine "
            f"{parameter.grad!r}"
        )
    print(f"\nThey agree to within {AGREEMENT:g}. The update p ← p − η·∂E/∂p:")
    updated = {}
    for name, parameter in parameters.items():
        updated[name] = parameter.data - LEARNING_RATE * parameter.grad
        print(f"  {name}: {parameter.data:+.6f} → {updated[name]:+.6f}")
    error_after = network_error({name: Value(number) for name, number in updated.items()})
    print(f"\nE after the step = {error_after.data:.12f} (it was {error.data:.12f})")
    if out is not None:
        from micrograd_ann.pages import backprop_page
        from micrograd_ann.viz import draw_graph, render_svg

        write_text(out, "two_neuron_chain_graph.svg", render_svg(draw_graph(error)))
        # The same chain rule, one edge at a time: open it and press "Next step". Change w2 in
        # its field and every number recomputes (the compiler's JavaScript, the engine's
        # numbers); tick "Predict each step" to work each gradient out by hand first.
        page = backprop_page(error, title="Two neurons in a chain: the chain rule step by step")
        write_text(out, "two_neuron_chain_steps.html", page.html)
        print(
            "\nIn two_neuron_chain_steps.html: step through both passes, change w1, b1, w2 or b2 "
            "and watch them recompute, or tick 'Predict each step' and compute each one first."
        )
    return {
        "hand_gradients": by_hand,
        "engine_gradients": {name: parameter.grad for name, parameter in parameters.items()},
        "largest_difference": max(differences.values()),
        "error_before": error.data,
        "error_after": error_after.data,
        "updated": updated,
    }


if __name__ == "__main__":
    run_demo(main, __doc__)
