"""Optim: stochastic gradient descent (`SGD`), `Adam`, `AdamW` and learning-rate schedules.

One step of gradient descent moves every parameter a little against its gradient,

    p ← p − η · ∂L/∂p,

which lowers the loss L when the learning rate η is small enough. `SGD` adds PyTorch's two
options, momentum and weight decay. `Adam` divides each parameter's step by a running estimate
of its gradient's size, so every parameter moves at about η per step whatever its scale; `AdamW`
is Adam with the weight decay taken out of the gradient. A schedule is any callable from a step
(or epoch) number k = 0, 1, 2, … to a learning rate.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from micrograd_ann import checks
from micrograd_ann.checks import shorten
from micrograd_ann.engine import Value

__all__ = [
    "Schedule",
    "SGD",
    "Adam",
    "AdamW",
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


# -------------------------------------------------------------------------------------------------
# Adam and AdamW
# -------------------------------------------------------------------------------------------------


class Adam:
    """Adam (Kingma & Ba, 2015) with PyTorch's update rule, defaults and argument names.

    For each parameter p with gradient g = ∂L/∂p, step t = 1, 2, … does

        g ← g + weight_decay · p                    (L2 penalty in the gradient; AdamW differs)
        m ← β₁·m + (1 − β₁)·g                       (running mean of the gradient)
        v ← β₂·v + (1 − β₂)·g²                      (running mean of its square)
        v̂ ← max(v̂, v) with amsgrad, else v
        p ← p − η/(1 − β₁ᵗ) · m / (√v̂/√(1 − β₂ᵗ) + ε)

    The divisions by 1 − βᵗ undo the bias of m and v towards their starting 0. The state
    (`first_moments`, `second_moments`, `max_second_moments`, `steps_taken`) lives in the
    optimizer, not on the parameters, in the order of `params`. `lr` is a number or a schedule
    (called with the number of steps taken so far). The arithmetic follows PyTorch's
    `torch.optim.Adam` (single-tensor path) operation by operation, so float64 runs agree with it
    to rounding.
    """

    decoupled_weight_decay = False

    def __init__(
        self,
        params: Iterable[Value],
        lr: float | Schedule = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        amsgrad: bool = False,
    ) -> None:
        name = type(self).__name__
        self.params = _checked_parameters(params, name)
        if not callable(lr):
            checks.positive_number(lr, "lr")
        if not isinstance(betas, Sequence) or len(betas) != 2:
            raise TypeError(f"{name} betas must be a pair (β₁, β₂) such as (0.9, 0.999), "
                            f"got {shorten(betas)}")
        for index, beta in enumerate(betas):
            if not 0.0 <= checks.number(beta, f"betas[{index}]") < 1.0:
                raise ValueError(f"{name} betas[{index}] must be in [0, 1), got {shorten(beta)}")
        checks.non_negative_number(eps, "eps")
        checks.non_negative_number(weight_decay, "weight_decay")
        if not isinstance(amsgrad, bool):
            raise TypeError(f"{name} amsgrad must be True or False, got {shorten(amsgrad)}")
        self.lr: float | Schedule = lr
        self.betas = (float(betas[0]), float(betas[1]))
        self.eps = float(eps)
        self.weight_decay = float(weight_decay)
        self.amsgrad = amsgrad
        self.steps_taken = 0
        self.first_moments = [0.0] * len(self.params)
        self.second_moments = [0.0] * len(self.params)
        self.max_second_moments = [0.0] * len(self.params)

    @property
    def learning_rate(self) -> float:
        """The learning rate the next `step()` will use."""
        return _rate_at(self.lr, self.steps_taken)

    def zero_grad(self) -> None:
        """Set every parameter's grad to 0 (backward() accumulates into leaves)."""
        for param in self.params:
            param.grad = 0.0

    def step(self) -> None:
        """Move every parameter once (see the class docstring)."""
        rate = self.learning_rate
        beta1, beta2 = self.betas
        decay = self.weight_decay
        self.steps_taken += 1
        step_size = rate / (1.0 - beta1**self.steps_taken)
        correction2_root = (1.0 - beta2**self.steps_taken) ** 0.5
        for index, param in enumerate(self.params):
            grad = param.grad
            if decay != 0.0:
                if self.decoupled_weight_decay:
                    param.data *= 1.0 - rate * decay
                else:
                    grad = grad + decay * param.data
            mean = self.first_moments[index]
            mean = mean + (1.0 - beta1) * (grad - mean)  # = β₁·m + (1 − β₁)·g, as torch's lerp
            square = self.second_moments[index] * beta2 + (1.0 - beta2) * grad * grad
            self.first_moments[index] = mean
            self.second_moments[index] = square
            if self.amsgrad:
                square = self.max_second_moments[index] = max(
                    self.max_second_moments[index], square
                )
            denominator = math.sqrt(square) / correction2_root + self.eps
            param.data += -step_size * mean / denominator


class AdamW(Adam):
    """AdamW (Loshchilov & Hutter, 2019): Adam with decoupled weight decay, as `torch.optim.AdamW`.

    Instead of adding weight_decay · p to the gradient (where Adam's division would shrink it
    for parameters with large gradients), each step first shrinks every parameter directly,

        p ← p · (1 − η · weight_decay),

    then takes Adam's step with the plain gradient. PyTorch's default weight_decay is 0.01.
    """

    decoupled_weight_decay = True

    def __init__(
        self,
        params: Iterable[Value],
        lr: float | Schedule = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
    ) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad)


def _checked_parameters(params: Iterable[Value], name: str) -> list[Value]:
    parameters = list(params)
    if not parameters:
        raise ValueError(f"{name} got no parameters to optimise; pass model.parameters()")
    for index, param in enumerate(parameters):
        if not isinstance(param, Value):
            raise TypeError(
                f"{name} params[{index}] is a {type(param).__name__}, not a Value; "
                "pass model.parameters()"
            )
    return parameters


def _rate_at(lr: float | Schedule, steps_taken: int) -> float:
    """A fixed learning rate, or the schedule's at `steps_taken` (checked positive, finite)."""
    if not callable(lr):
        return float(lr)
    rate = lr(steps_taken)
    if not 0.0 < rate < math.inf:
        raise ValueError(
            f"the learning-rate schedule {lr!r} gave {rate!r} at step "
            f"{steps_taken}; a schedule must give positive finite rates"
        )
    return float(rate)
