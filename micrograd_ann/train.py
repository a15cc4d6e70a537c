"""Train: the gradient-descent loop that fits a model to data and records its `History`.

One epoch is one pass over the training set. For each batch the loop runs

    forward (model(x) for every row) → loss → zero_grad → backward → optimizer.step()

and after the epoch it records the mean training loss (and accuracy, for classification losses)
in a `History`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["History", "TrainingDiverged"]


@dataclass
class History:
    """What happened during training, one entry per epoch.

    Attributes:
        loss: mean training loss of each epoch (the mean over samples).
        accuracy: fraction of training samples classified correctly in each epoch; empty for
            regression losses such as `"mse"`.
        validation_loss: loss on the validation set after each epoch (empty without one).
        validation_accuracy: accuracy on the validation set after each epoch (empty without one,
            or for regression).
        learning_rate: the learning rate in force at the end of each epoch.
        converged: whether training reached its goal, for methods that have one (the
            perceptron rule stops once every sample is classified); None when not applicable.
        epochs_run: how many epochs actually ran (fewer than asked when training stopped early).
    """

    loss: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)
    validation_loss: list[float] = field(default_factory=list)
    validation_accuracy: list[float] = field(default_factory=list)
    learning_rate: list[float] = field(default_factory=list)
    converged: bool | None = None
    epochs_run: int = 0

    def to_dict(self) -> dict[str, Any]:
        """A plain dict of lists, numbers and None, ready for `json.dump`."""
        return asdict(self)


class TrainingDiverged(RuntimeError):
    """The loss became infinite or NaN, or the arithmetic overflowed, during training.

    The usual cause is a learning rate too large for the problem: each step overshoots the
    minimum by more than the last, and the weights grow until a float overflows.
    """
