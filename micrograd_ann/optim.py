"""Optim: stochastic gradient descent (`SGD`) and learning-rate schedules.

One step of gradient descent moves every parameter a little against its gradient,

    p ← p − η · ∂L/∂p,

which lowers the loss L when the learning rate η is small enough. `SGD` adds PyTorch's two
options, momentum and weight decay. A schedule is any callable from a step (or epoch) number
k = 0, 1, 2, … to a learning rate.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from micrograd_ann import checks
from micrograd_ann.checks import shorten
from micrograd_ann.engine import Value

__all__ = [
    "Schedule",
    "SGD",
    "ConstantRate",
    "LinearDecay",
    "ExponentialDecay",
    "StepDecay",
]

Schedule = Callable[[int], float]
"""A learning-rate schedule: step or epoch number k (counting from 0) → learning rate."""


def _check_factor(factor: object) -> None:
    if not 0.0 < checks.number(factor, "factor") <= 1.0:
        raise ValueError(f"factor must be a number in (0, 1], got {shorten(factor)}")


# -------------------------------------------------------------------------------------------------
# Learning-rate schedules
# -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConstantRate:
    """η(k) = rate for every k."""

    rate: float

    def __post_init__(self) -> None:
        checks.positive_number(self.rate, "rate")

    def __call__(self, k: int) -> float:
        return float(self.rate)


@dataclass(frozen=True)
class LinearDecay:
    """η(k) = start − (start − end) · min(k, steps) / steps: a straight line from start to end.

    micrograd's moons demo uses `LinearDecay(1.0, 0.1, 100)`, i.e. η = 1.0 − 0.9·k/100. After
    `steps` the rate stays at `end`.
    """

    start: float
    end: float
    steps: int

    def __post_init__(self) -> None:
        checks.positive_number(self.start, "start")
        checks.positive_number(self.end, "end")
        checks.count(self.steps, "steps")

    def __call__(self, k: int) -> float:
        return self.start - (self.start - self.end) * min(k, self.steps) / self.steps


@dataclass(frozen=True)
class ExponentialDecay:
    """η(k) = start · factor^k, with 0 < factor ≤ 1 (the rate shrinks by `factor` each step)."""

    start: float
    factor: float

    def __post_init__(self) -> None:
        checks.positive_number(self.start, "start")
        _check_factor(self.factor)

    def __call__(self, k: int) -> float:
        return self.start * self.factor**k


@dataclass(frozen=True)
class StepDecay:
    """η(k) = start · factor^⌊k / every⌋: the rate drops by `factor` once every `every` steps."""

    start: float
    factor: float
    every: int

    def __post_init__(self) -> None:
        checks.positive_number(self.start, "start")
        _check_factor(self.factor)
        checks.count(self.every, "every")

    def __call__(self, k: int) -> float:
        return self.start * self.factor ** (k // self.every)


# -------------------------------------------------------------------------------------------------
# SGD
# -------------------------------------------------------------------------------------------------


class SGD:
    """Stochastic gradient descent with optional momentum and weight decay (PyTorch's order).

    For each parameter p with gradient ∂L/∂p, one `step()` does

        g ← ∂L/∂p + weight_decay · p          (weight decay: the gradient of ½·wd·Σp²)
        b ← g on the first step, else momentum · b + g   (only when momentum > 0)
        p ← p − η · b                          (b = g without momentum)

    `lr` is a number or a schedule; a schedule is called with the number of steps taken so far
    (0 for the first step). The update writes `p.data` directly, so it records no graph.
    """

    def __init__(
        self,
        params: Iterable[Value],
        lr: float | Schedule,
        momentum: float = 0.0,
        weight_decay: float = 0.0,
    ) -> None:
        self.params = list(params)
        if not self.params:
            raise ValueError("SGD got no parameters to optimise; pass model.parameters()")
        for index, param in enumerate(self.params):
            if not isinstance(param, Value):
                raise TypeError(
                    f"SGD params[{index}] is a {type(param).__name__}, not a Value; "
                    "pass model.parameters()"
                )
        if not callable(lr):
            checks.positive_number(lr, "lr")
        checks.non_negative_number(momentum, "momentum")
        checks.non_negative_number(weight_decay, "weight_decay")
        self.lr: float | Schedule = lr
        self.momentum = float(momentum)
        self.weight_decay = float(weight_decay)
        self.steps_taken = 0
        self._velocity: list[float] | None = None

    @property
    def learning_rate(self) -> float:
        """The learning rate the next `step()` will use."""
        if not callable(self.lr):
            return float(self.lr)
        rate = self.lr(self.steps_taken)
        if not 0.0 < rate < math.inf:
            raise ValueError(
                f"the learning-rate schedule {self.lr!r} gave {rate!r} at step "
                f"{self.steps_taken}; a schedule must give positive finite rates"
            )
        return float(rate)

    def zero_grad(self) -> None:
        """Set every parameter's grad to 0 (backward() accumulates into leaves)."""
        for param in self.params:
            param.grad = 0.0

    def step(self) -> None:
        """Move every parameter once against its gradient (see the class docstring)."""
        rate = self.learning_rate
        decay = self.weight_decay
        momentum = self.momentum
        if momentum == 0.0:
            for param in self.params:
                param.data -= rate * (param.grad + decay * param.data)
        elif self._velocity is None:
            self._velocity = [param.grad + decay * param.data for param in self.params]
            for param, velocity in zip(self.params, self._velocity):
                param.data -= rate * velocity
        else:
            velocities = self._velocity
            for index, param in enumerate(self.params):
                velocity = momentum * velocities[index] + param.grad + decay * param.data
                velocities[index] = velocity
                param.data -= rate * velocity
        self.steps_taken += 1
