"""History: what happened during training, epoch by epoch, and when training has diverged.

Both ways of training a model, `train()` (gradient descent) and `Perceptron.fit()` (the
perceptron rule), record a `History` and apply one rule for divergence, `check_divergence`:

    after an epoch, training has diverged if a parameter is infinite or NaN, if the epoch's mean
    loss is infinite or NaN, or if it exceeds DIVERGENCE_FACTOR (10⁶) × max(first epoch's
    loss, 1).

A loss a million times larger than where it started (or than 1, for a loss that started near 0)
is no longer training: it is steps overshooting by more each time, on their way to an overflow.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from micrograd_ann.engine import Value

__all__ = ["History", "TrainingDiverged", "DIVERGENCE_FACTOR", "check_divergence", "diverged"]

DIVERGENCE_FACTOR = 1e6
"""How many times its starting level (at least 1) the loss may grow before training stops."""


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
    epoch = len(history.loss) - 1
    loss = history.loss[-1]
    reason = None
    if not all(math.isfinite(parameter.data) for parameter in parameters):
        reason = "a parameter became infinite or NaN"
    elif not math.isfinite(loss):
        reason = f"the loss became {loss!r}"
    else:
        ceiling = DIVERGENCE_FACTOR * max(history.loss[0], 1.0)
        if loss > ceiling:
            reason = (
                f"the loss grew to {loss:.4g}, more than {DIVERGENCE_FACTOR:.0e} times its "
                f"starting level {max(history.loss[0], 1.0):.4g}"
            )
    if reason is not None:
        raise diverged(epoch, epochs, rate, reason)
