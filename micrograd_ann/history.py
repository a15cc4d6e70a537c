"""History: what happened during training, epoch by epoch, and when training has diverged.

Both ways of training a model, `train()` (gradient descent) and `Perceptron.fit()` (the
perceptron rule), record a `History` and apply one rule for divergence, `check_divergence`:

    after an epoch, training has diverged if a parameter is infinite or NaN, if the epoch's mean
    loss is infinite or NaN, or if it exceeds DIVERGENCE_FACTOR (10⁶) × max(first epoch's
    loss, 1).

A loss a million times larger than where it started (or than 1, for a loss that started near 0)
is no longer training: it is steps overshooting by more each time, on their way to an overflow.

An epoch's loss is measured on the way through the epoch, before each batch's step, so it
cannot see what the last step did. The rule is therefore applied once more after the last
step, to the model training returns (`check_final_divergence`): its loss on the training
data, `History.final_loss`, must be computable (no overflow), finite, and below the same
ceiling. A single step with a learning rate of 1e308 leaves parameters near 1e305, all
finite, and a model that overflows on every input: that run diverged, however its one epoch
looked.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from micrograd_ann.engine import Value

__all__ = [
    "History",
    "TrainingDiverged",
    "DIVERGENCE_FACTOR",
    "check_divergence",
    "check_final_divergence",
    "diverged",
    "diverged_after_last_step",
]

DIVERGENCE_FACTOR = 1e6
"""How many times its starting level (at least 1) the loss may grow before training stops."""


@dataclass
class History:
    """What happened during training, one entry per epoch, and the trained model's score.

    When each number is measured: `loss[k]` and `accuracy[k]` are taken during epoch k + 1
    (counting epochs from 1), each sample scored by the parameters its batch stepped from. With
    full-batch training (one step per epoch) that makes `loss[k]` exactly the loss of the model
    after k epochs: `loss[0]` is the untrained model's, and `final_loss` the trained one's.
    With mini-batches `loss[k]` is a running mean over epoch k + 1. `validation_loss[k]`, and
    `final_loss`, are measured after the steps of epoch k + 1 (resp. of the last epoch).

    Attributes:
        loss: mean training loss of each epoch (the mean over samples).
        accuracy: fraction of training samples classified correctly in each epoch; empty for
            regression losses such as `"mse"`.
        final_loss: mean training loss of the model training returned, measured after the
            last step (what evaluating the saved model on the training data gives); None
            before training has finished.
        final_accuracy: the same model's accuracy on the training data; None for regression.
        validation_loss: loss on the validation set after each epoch (empty without one).
        validation_accuracy: accuracy on the validation set after each epoch (empty without one,
            or for regression).
        learning_rate: the learning rate used by each epoch's first step (empty when a custom
            optimizer has no `learning_rate` attribute).
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
    final_loss: float | None = None
    final_accuracy: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """A plain dict of lists, numbers and None, ready for `json.dump`."""
        return asdict(self)


class TrainingDiverged(RuntimeError):
    """Training diverged: by `check_divergence`'s rule, or the arithmetic overflowed.

    The usual cause is a learning rate (or a momentum) too large for the problem: each step
    overshoots the minimum by more than the last, and the weights grow until a float overflows.

    Attributes:
        epoch: the number of the epoch that diverged, counting from 1.
    """

    def __init__(self, message: str, epoch: int) -> None:
        super().__init__(message)
        self.epoch = epoch


def diverged(epoch: int, epochs: int, rate: object, reason: str) -> TrainingDiverged:
    """The error for epoch `epoch` (counting from 0) of `epochs`, with advice on the rate."""
    rate_note = f" (it is {rate!r})" if isinstance(rate, float) else ""
    return TrainingDiverged(
        f"training diverged in epoch {epoch + 1} of {epochs}: {reason}. The steps are too "
        f"large: try a smaller learning rate{rate_note}, e.g. a tenth of it (or less momentum)",
        epoch + 1,
    )


def check_divergence(
    history: History, parameters: Iterable[Value], epochs: int, rate: object
) -> None:
    """Raise `TrainingDiverged` if the epoch just recorded in `history` diverged (see above).

    Call it after appending the epoch's loss; `epochs` (the number asked for) and `rate` (the
    learning rate, if known) only go into the message.
    """
    reason = _divergence_reason(history.loss[-1], history, parameters, "the loss")
    if reason is not None:
        raise diverged(len(history.loss) - 1, epochs, rate, reason)


FINAL_LOSS = "the trained model's loss on the training data"


def check_final_divergence(
    history: History, parameters: Iterable[Value], epochs: int, rate: object
) -> None:
    """Raise `TrainingDiverged` if the trained model diverged after the last step (see above).

    Call it after setting `history.final_loss` and `epochs_run`; `epochs` and `rate` are as
    for `check_divergence`. (A final loss that overflowed: `diverged_after_last_step`.)
    """
    if history.final_loss is None:
        raise ValueError("check_final_divergence needs history.final_loss; measure it first")
    reason = _divergence_reason(history.final_loss, history, parameters, FINAL_LOSS)
    if reason is not None:
        raise diverged(history.epochs_run - 1, epochs, rate, f"after its last step, {reason}")


def diverged_after_last_step(
    history: History, epochs: int, rate: object, error: ArithmeticError
) -> TrainingDiverged:
    """The error for a trained model whose loss on the training data overflowed."""
    reason = f"after its last step, {FINAL_LOSS} overflows: {error}"
    return diverged(history.epochs_run - 1, epochs, rate, reason)


def _divergence_reason(
    loss: float, history: History, parameters: Iterable[Value], what: str
) -> str | None:
    """Why `loss` (`what`, with these parameters) is divergence by the rule above, or None."""
    if not all(math.isfinite(parameter.data) for parameter in parameters):
        return "a parameter became infinite or NaN"
    if not math.isfinite(loss):
        return f"{what} became {loss!r}"
    starting_level = max(history.loss[0], 1.0) if history.loss else 1.0
    if loss > DIVERGENCE_FACTOR * starting_level:
        return (
            f"{what} grew to {loss:.4g}, more than {DIVERGENCE_FACTOR:.0e} times its "
            f"starting level {starting_level:.4g}"
        )
    return None
