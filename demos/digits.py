"""Digits (seed 004): a 64-32-10 network classifies handwritten digits, mini-batch by mini-batch."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from micrograd_ann.demos._shared import command_line_parser, save_figure

from micrograd_ann import MLP, SGD, datasets, train
from micrograd_ann.optim import LinearDecay

TITLE = "Handwritten digits: a multi-layer classifier with softmax cross-entropy"

SEED = 0
HIDDEN = 32
BATCH_SIZE = 32
LEARNING_RATE = 0.05
MOMENTUM = 0.9
MNIST_LIMITS = (6000, 1000)
"""How many MNIST training and test images to use by default (a scalar engine is slow)."""


def load_data(
    fast: bool, mnist: Path | None, limit: int | None
) -> tuple[str, list[list[float]], list[list[float]], list[int], list[int]]:
    """(name, X_train, X_test, y_train, y_test): the 8x8 digits split 75/25, or MNIST's files."""
    if mnist is None:
        X, y = datasets.digits()
        X_train, X_test, y_train, y_test = datasets.train_test_split(
            X, y, test_fraction=0.25, seed=SEED, stratify=True
        )
        if fast:
            X_train, y_train = X_train[:400], y_train[:400]
            X_test, y_test = X_test[:200], y_test[:200]
        return "8x8 digits (scikit-learn)", X_train, X_test, y_train, y_test
    train_count, test_count = (500, 200) if fast else MNIST_LIMITS
    if limit is not None:
        train_count, test_count = limit, max(1, limit // 6)
    X_train, y_train = datasets.load_mnist(mnist, "train", limit=train_count)
    X_test, y_test = datasets.load_mnist(mnist, "test", limit=test_count)
    return f"MNIST 28x28 from {mnist}", X_train, X_test, y_train, y_test


def main(
    fast: bool = False,
    out: Path | None = None,
    mnist: Path | None = None,
    limit: int | None = None,
) -> dict[str, Any]:
    """Train MLP(inputs, [32, 10]) with ReLU and softmax cross-entropy; print test accuracy.

    The labels are class indices; the loss −ln softmax(z)_k is the cross-entropy against the
    one-hot label (1 at the true class k, 0 elsewhere), so only the true class's term is left.
    Pixels are standardized with the training set's column means and deviations. Mini-batches of
    32, SGD with momentum 0.9, and a learning rate falling linearly from 0.05 to 0.0025 over
    the run. Full mode: the 1797 8x8 digits, 75% to train, 10 epochs. `fast`: 400 training and
    200 test images, 3 epochs. `mnist`: a folder of MNIST IDX files instead (the first 6000
    training and 1000 test images, or `limit` training and limit/6 test images). With `out`,
    writes digits_history.png.
    """
    name, X_train, X_test, y_train, y_test = load_data(fast, mnist, limit)
    X_train, mean, std = datasets.standardize(X_train)
    X_test, _, _ = datasets.standardize(X_test, mean, std)
    epochs = 3 if fast else 10
    model = MLP(len(X_train[0]), [HIDDEN, 10], seed=SEED)
    steps = epochs * -(-len(X_train) // BATCH_SIZE)
    optimizer = SGD(model.parameters(), lr=LinearDecay(LEARNING_RATE, LEARNING_RATE / 20, steps),
                    momentum=MOMENTUM)
    print(f"{name}: {len(X_train)} training and {len(X_test)} test images")
    print(f"labels as one-hot rows, e.g. {y_train[0]} → "
          f"{[int(bit) for bit in datasets.one_hot([y_train[0]], 10)[0]]}")
    print(f"{model}: {len(model.parameters())} parameters; softmax cross-entropy, mini-batches "
          f"of {BATCH_SIZE}, momentum {MOMENTUM}, {epochs} epochs")
    history = train(model, X_train, y_train, loss="cross_entropy", epochs=epochs,
                    batch_size=BATCH_SIZE, seed=SEED, optimizer=optimizer,
                    validation=(X_test, y_test), progress=True)
    for epoch in range(history.epochs_run):
        print(f"  epoch {epoch + 1:>2}: loss {history.loss[epoch]:.4f}, training accuracy "
              f"{history.accuracy[epoch]:.1%}, test accuracy "
              f"{history.validation_accuracy[epoch]:.1%}")
    # the trained network's scores (each epoch's training numbers were measured before its
    # steps; the test set is scored after them)
    print(f"after training: loss {history.final_loss:.4f}, training accuracy "
          f"{history.final_accuracy:.1%}")
    test_accuracy = history.validation_accuracy[-1]
    print(f"test accuracy {test_accuracy:.1%} on {len(X_test)} images never seen in training")
    if out is not None:
        from micrograd_ann.plots import plot_history

        save_figure(plot_history(history), out, "digits_history.png")
    return {
        "test_accuracy": test_accuracy,
        "training_accuracy": history.final_accuracy,
        "loss": history.loss,
        "final_loss": history.final_loss,
        "training_images": len(X_train),
        "test_images": len(X_test),
    }


if __name__ == "__main__":
    parser = command_line_parser(__doc__)
    parser.add_argument("--mnist", type=Path, default=None, metavar="DIR",
                        help="a folder with the four MNIST IDX files (raw or .gz)")
    parser.add_argument("--limit", type=int, default=None, metavar="N",
                        help="with --mnist: N training and N/6 test images")
    arguments = parser.parse_args()
    main(fast=arguments.fast, out=arguments.out, mnist=arguments.mnist, limit=arguments.limit)
