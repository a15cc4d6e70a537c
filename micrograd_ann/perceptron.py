"""Perceptron: Rosenblatt's perceptron (1957) and its learning rule, `Perceptron.fit`.

It sits above `nn` (it is built from a linear `Neuron`) and beside `train`: it has a training
rule of its own, so it records its own `History` and stops by the same divergence rule.
"""

from __future__ import annotations

from collections.abc import Sequence

from micrograd_ann import checks
from micrograd_ann.checks import Seed, shorten
from micrograd_ann.engine import Operand, Value, no_grad
from micrograd_ann.history import (
    History,
    check_divergence,
    check_final_divergence,
    diverged,
    diverged_after_last_step,
)
from micrograd_ann.nn import Module, Neuron

__all__ = ["Perceptron"]


class Perceptron(Module):
    """Rosenblatt's perceptron (1957): a weighted sum, then a step to the class 0 or 1.

        z = w · x + b          prediction = 1 if z ≥ 0 else 0

    `fit` trains it with the perceptron rule. For a misclassified sample with label y, let
    s = 2y − 1 (+1 or −1) and take the perceptron criterion L = −s·z, which is positive exactly
    because the sample is on the wrong side. The engine's gradient is ∂L/∂wᵢ = −s·xᵢ and
    ∂L/∂b = −s, so one gradient-descent step w ← w − lr·∂L/∂w is Rosenblatt's rule
    w ← w + lr·(y − prediction)·x: the rule *is* gradient descent on L.

    (L equals relu(−s·z) on every misclassified sample, except at z = 0 exactly, where relu's
    derivative is taken as 0 and a sample sitting on the boundary — the input (0, 0) with a zero
    bias, say — would never move it. That is why L is applied to the mistakes directly.)

    Weights start as in a linear `Neuron` (uniform in ±√(3 / nin)), the bias at 0.
    """

    def __init__(self, nin: int, lr: float = 0.1, seed: Seed = None) -> None:
        self.lr: float = checks.positive_number(lr, "lr")
        self.unit: Neuron = Neuron(nin, activation="linear", seed=seed)
        self.nin: int = self.unit.nin

    @property
    def weights(self) -> list[Value]:
        return self.unit.weights

    @property
    def bias(self) -> Value:
        return self.unit.bias

    def net_input(self, inputs: Sequence[Operand]) -> Value:
        """z = w · x + b, before the step."""
        return self.unit.forward(inputs)

    def predict(self, inputs: Sequence[Operand]) -> int:
        """The class, 0 or 1: the step of w · x + b (1 when it is ≥ 0)."""
        with no_grad():
            return 1 if self.unit.forward(inputs).data >= 0.0 else 0

    def forward(self, inputs: Sequence[Operand]) -> int:
        return self.predict(inputs)

    def named_parameters(self) -> list[tuple[str, Value]]:
        """`w.0`, `w.1`, …, then `b`."""
        return self.unit.named_parameters()

    def fit(
        self, X: Sequence[Sequence[float]], y: Sequence[int], epochs: int = 100
    ) -> History:
        """Apply the perceptron rule sample by sample until every sample is classified.

        Each epoch visits the samples in order; each mistake costs one gradient step on its
        criterion L = −s·z. Training stops after the first epoch without a mistake
        (`converged=True`) or after `epochs` epochs (`converged=False`: the data may not be
        linearly separable — XOR is not). `History.loss` is each epoch's mean criterion over all
        samples (correct ones count 0), `History.accuracy` the fraction classified correctly
        when visited; `final_loss` and `final_accuracy` the same for the returned weights.

        Raises `TrainingDiverged` by the rule of `history.check_divergence` (a weight became
        infinite, or the criterion grew a million-fold), applied after each epoch and to the
        returned weights: the learning rate is far too large.
        """
        rows, labels = self._check_data(X, y)
        epochs = checks.count(epochs, "epochs")
        parameters = self.parameters()
        history = History()
        history.converged = False
        for epoch in range(epochs):
            try:
                total_criterion, mistakes = self._run_epoch(rows, labels, parameters)
            except ArithmeticError as error:  # the net input overflowed
                raise diverged(epoch, epochs, self.lr, str(error)) from error
            history.loss.append(total_criterion / len(rows))
            history.accuracy.append((len(rows) - mistakes) / len(rows))
            history.learning_rate.append(self.lr)
            check_divergence(history, parameters, epochs, self.lr)
            history.epochs_run += 1
            if mistakes == 0:
                history.converged = True
                break
        try:  # the epochs' numbers were taken on the way: score the perceptron being returned
            history.final_loss, history.final_accuracy = self._score(rows, labels)
        except ArithmeticError as error:
            raise diverged_after_last_step(history, epochs, self.lr, error) from error
        check_final_divergence(history, parameters, epochs, self.lr)
        return history

    def _score(self, rows: list[list[float]], labels: list[int]) -> tuple[float, float]:
        """(mean criterion, accuracy) of the current weights: the criterion −s·z of each
        misclassified sample, 0 for the others."""
        total_criterion = 0.0
        mistakes = 0
        with no_grad():
            for row, label in zip(rows, labels):
                net_input = self.unit.forward(row).data
                if (1 if net_input >= 0.0 else 0) != label:
                    mistakes += 1
                    total_criterion += net_input * (1.0 - 2.0 * label)
        return total_criterion / len(rows), (len(rows) - mistakes) / len(rows)

    def _run_epoch(
        self, rows: list[list[float]], labels: list[int], parameters: list[Value]
    ) -> tuple[float, int]:
        """One pass of the rule over the samples: (sum of the criteria, number of mistakes)."""
        total_criterion = 0.0
        mistakes = 0
        for row, label in zip(rows, labels):
            net_input = self.unit.forward(row)
            if (1 if net_input.data >= 0.0 else 0) == label:
                continue
            mistakes += 1
            criterion = net_input * (1.0 - 2.0 * label)  # −s·z with s = 2y − 1
            total_criterion += criterion.data
            self.zero_grad()
            criterion.backward()
            for parameter in parameters:
                parameter.data -= self.lr * parameter.grad
        return total_criterion, mistakes

    def _check_data(
        self, X: Sequence[Sequence[float]], y: Sequence[int]
    ) -> tuple[list[list[float]], list[int]]:
        if len(X) != len(y):
            raise ValueError(f"X has {len(X)} rows but y has {len(y)} labels; give one per row")
        if not X:
            raise ValueError("X is empty; give at least one sample")
        rows = []
        for index, row in enumerate(X):
            if isinstance(row, str | bytes) or not hasattr(row, "__len__"):
                raise TypeError(
                    f"X[{index}] is {shorten(row)}, not a row (a list of numbers); wrap a "
                    "single input as [x]"
                )
            if len(row) != self.nin:
                raise ValueError(
                    f"X[{index}] has {len(row)} values, but the perceptron has "
                    f"nin={self.nin} inputs"
                )
            rows.append([
                float(checks.data_number(value, f"X[{index}][{column}]"))
                for column, value in enumerate(row)
            ])
        labels: list[int] = []
        for index, label in enumerate(y):
            number = checks.data_number(label, f"y[{index}]")
            if number not in (0, 1):
                raise ValueError(
                    f"y[{index}] is {shorten(number)}; perceptron labels must be 0 or 1"
                )
            labels.append(int(number))
        return rows, labels

    def __repr__(self) -> str:
        return f"Perceptron({self.nin}, lr={self.lr!r})"
