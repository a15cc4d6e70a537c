"""Moons (micrograd's demo): a 2-16-16-1 ReLU network separates two moons with hinge loss and L2."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from micrograd_ann.demos._shared import run_demo, save_figure, write_text

from micrograd_ann import MLP, SGD, datasets, losses, no_grad, train
from micrograd_ann.optim import LinearDecay

TITLE = "Two moons: micrograd's demo, hinge loss with L2 and a decaying learning rate"

SEED = 0
ALPHA = 1e-4
"""The L2 strength: micrograd adds α·Σp² to the loss."""
EPOCHS = 100


def main(fast: bool = False, out: Path | None = None) -> dict[str, Any]:
    """Train MLP(2, [16, 16, 1]) on 100 moons points the way micrograd's demo does.

    Full-batch steps on the mean max-margin loss (1/m) Σ max(0, 1 − yᵢ·sᵢ) with labels ±1, plus
    the L2 penalty α·Σp² (α = 1e-4), at learning rate η(k) = 1.0 − 0.9·k/100 in step k. The
    penalty's gradient 2α·p is applied by SGD's weight decay (weight_decay = 2α), which takes
    the same steps without adding 337 squares to the graph. "after training" scores the
    returned model (`History.final_loss`, `final_accuracy`), which the key numbers include.
    With `fast`, 30 of the 100 epochs. With `out`, writes moons_decision_boundary.png,
    moons_loss.png, moons_graph.svg (the computation graph of one sample's loss, parameters
    named) and moons_playground.html: the playground on the moons, opened on `micrograd-ann
    train`'s settings (the same network, η = 0.5, no L2 nor decay, which the page does not
    offer), to change the width, the activation or the learning rate and watch it learn again.
    """
    epochs = 30 if fast else EPOCHS
    X, y = datasets.two_moons(100, noise=0.1, seed=SEED, labels="plus_minus")
    model = MLP(2, [16, 16, 1], seed=SEED)
    optimizer = SGD(model.parameters(), lr=LinearDecay(1.0, 0.1, EPOCHS),
                    weight_decay=2 * ALPHA)
    print(f"{len(X)} moons points, labels ±1; {model} with {len(model.parameters())} "
          f"parameters; hinge loss + {ALPHA:g}·Σp²; η = 1.0 − 0.9·k/100; {epochs} epochs")
    history = train(model, X, y, loss="hinge", epochs=epochs, optimizer=optimizer,
                    progress=True)
    for epoch in [*range(0, epochs, 10), epochs - 1]:
        print(f"  step {epoch:>3}: hinge loss {history.loss[epoch]:.4f}, accuracy "
              f"{history.accuracy[epoch]:.0%}, η = {history.learning_rate[epoch]:.3f}")
    # the trained network's scores (each epoch's line above was measured before its step)
    data_loss, accuracy = history.final_loss, history.final_accuracy
    with no_grad():
        penalty = losses.l2_penalty(model.parameters(), ALPHA).data
    print(f"after training: hinge loss {data_loss:.4f} + L2 {penalty:.4f} = "
          f"{data_loss + penalty:.4f}, accuracy {accuracy:.0%}")
    if out is not None:
        save_pictures(model, X, y, history, out)
    return {
        "accuracy": accuracy,
        "data_loss": data_loss,
        "l2_penalty": penalty,
        "loss": history.loss,
        "training_accuracy": history.accuracy,
        "model": model,
    }


def save_pictures(
    model: MLP, X: list[list[float]], y: list[int], history: Any, out: Path
) -> None:
    """The decision boundary, the loss curve, and one sample's computation graph as SVG."""
    from micrograd_ann.plots import DecisionBoundaryDisplay, plot_history
    from micrograd_ann.viz import draw_graph, render_svg

    display = DecisionBoundaryDisplay.from_model(model, X, y)
    assert display.ax_ is not None
    save_figure(display.ax_, out, "moons_decision_boundary.png")
    save_figure(plot_history(history), out, "moons_loss.png")
    model.zero_grad()
    sample_loss = losses.max_margin_loss(model(X[0]), y[0])
    sample_loss.label = "loss"
    sample_loss.backward()
    write_text(out, "moons_graph.svg", render_svg(draw_graph(sample_loss, model=model)))
    from micrograd_ann import playground_page

    write_text(out, "moons_playground.html", playground_page(dataset="moons").html)


if __name__ == "__main__":
    run_demo(main, __doc__)
