"""Networks: `Module`, `Neuron`, `Layer`, `MLP` and Rosenblatt's `Perceptron`, built from `Value`s.

A neuron computes one weighted sum and squashes it:

    out = activation(w · x + b) = activation(Σᵢ wᵢ·xᵢ + b)

A layer is a list of neurons that all read the same inputs; a multi-layer perceptron (MLP) feeds
each layer's outputs to the next. Every weight and bias is a `Value`, so `loss.backward()` fills
in ∂loss/∂parameter for all of them and gradient descent can nudge each one downhill.
"""

from __future__ import annotations

import math
import numbers
import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from micrograd_ann import operations
from micrograd_ann.engine import (
    Operand,
    Value,
    _as_float,
    _check_finite,
    is_grad_enabled,
    no_grad,
)

if TYPE_CHECKING:
    import torch

    from micrograd_ann.train import History

__all__ = ["ACTIVATIONS", "Module", "Neuron", "Layer", "MLP", "Perceptron"]

Seed = int | random.Random | None


def _linear(value: Value) -> Value:
    """The identity: a "linear" neuron outputs its weighted sum unchanged."""
    return value


ACTIVATIONS: dict[str, Callable[[Value], Value]] = {
    "linear": _linear,
    "relu": Value.relu,
    "tanh": Value.tanh,
    "sigmoid": Value.sigmoid,
}
"""Activation name → the function applied to a neuron's weighted sum."""


def _activation_on_floats(name: str) -> Callable[[float], float]:
    """The same activation on a plain float: the forward function of its operation."""
    return float if name == "linear" else operations.OPERATIONS[name].forward


# -------------------------------------------------------------------------------------------------
# Module: what every network part shares
# -------------------------------------------------------------------------------------------------


class Module:
    """A network part with trainable parameters, called like a function: `module(inputs)`.

    Subclasses implement `forward(inputs)` and `named_parameters()`; everything else here is
    built on those two.
    """

    def forward(self, inputs: Sequence[Operand]) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must implement forward(inputs)")

    def __call__(self, inputs: Sequence[Operand]) -> Any:
        return self.forward(inputs)

    def named_parameters(self) -> list[tuple[str, Value]]:
        """(dotted name, parameter) pairs in a fixed order, e.g. `("layers.0.neurons.3.w.1", w)`."""
        return []

    def parameters(self) -> list[Value]:
        """Every trainable `Value`, in the order of `named_parameters()`."""
        return [parameter for _, parameter in self.named_parameters()]

    def zero_grad(self) -> None:
        """Set every parameter's `grad` to 0.0; call it before each `backward()`."""
        for parameter in self.parameters():
            parameter.grad = 0.0

    def state_dict(self) -> dict[str, float]:
        """The parameters' numbers by name: a plain snapshot, safe to store or copy."""
        return {name: parameter.data for name, parameter in self.named_parameters()}

    def load_state_dict(self, state: Mapping[str, float]) -> None:
        """Set every parameter from `state` (name → number), as made by `state_dict()`.

        All names must match exactly: a missing or unknown name raises `ValueError` naming it,
        a non-number raises `TypeError`, a NaN or infinity raises `ValueError`. Nothing is
        changed unless the whole of `state` is valid.
        """
        if not isinstance(state, Mapping):
            raise TypeError(
                f"load_state_dict needs a mapping of parameter name → number, "
                f"got {type(state).__name__}"
            )
        named = self.named_parameters()
        mismatch = describe_name_mismatch([name for name, _ in named], state)
        if mismatch:
            raise ValueError(
                f"state does not fit {self!r}: {mismatch} (the model has {len(named)} "
                f"parameters, the state {len(state)}); use the state_dict() of the same "
                "architecture"
            )
        numbers_by_name = {name: _parameter_number(name, state[name]) for name, _ in named}
        for name, parameter in named:
            parameter.data = numbers_by_name[name]


def _parameter_number(name: str, number: object) -> float:
    if isinstance(number, bool) or not isinstance(number, numbers.Real):
        raise TypeError(
            f"parameter {name!r} must be a number (int or float), got "
            f"{type(number).__name__}: {number!r}"
        )
    try:
        value = float(number)
    except OverflowError:
        raise ValueError(f"parameter {name!r} is too large for a float: {number!r}") from None
    if not math.isfinite(value):
        raise ValueError(f"parameter {name!r} must be finite, got {value!r}")
    return value


def describe_name_mismatch(expected: Sequence[str], found: Iterable[str]) -> str:
    """What differs between two sets of names, e.g. `missing 'w.1'; unknown 'w.7'`.

    Empty when `found` holds exactly the `expected` names. At most five names of each kind are
    shown, then a count of the rest.
    """
    expected_set = set(expected)
    found_list = list(found)
    found_set = set(found_list)
    problems = []
    for word, names in (
        ("missing", [name for name in expected if name not in found_set]),
        ("unknown", [name for name in found_list if name not in expected_set]),
    ):
        if names:
            shown = ", ".join(repr(name) for name in names[:5])
            more = f" and {len(names) - 5} more" if len(names) > 5 else ""
            problems.append(f"{word} {shown}{more}")
    return "; ".join(problems)


def _prefixed(prefix: str, modules: Sequence[Module]) -> list[tuple[str, Value]]:
    """The sub-modules' parameters, named `prefix.index.name`."""
    return [
        (f"{prefix}.{index}.{name}", parameter)
        for index, module in enumerate(modules)
        for name, parameter in module.named_parameters()
    ]


# -------------------------------------------------------------------------------------------------
# Argument checks (construction time only: the forward pass stays lean)
# -------------------------------------------------------------------------------------------------


def _check_size(size: object, what: str) -> int:
    if isinstance(size, bool) or not isinstance(size, int):
        raise TypeError(f"{what} must be an int, got {type(size).__name__}: {size!r}")
    if size < 1:
        raise ValueError(f"{what} must be at least 1, got {size}")
    return size


def _check_activation(name: object, what: str = "activation") -> str:
    if not isinstance(name, str) or name not in ACTIVATIONS:
        raise ValueError(f"unknown {what} {name!r}; choose one of {', '.join(ACTIVATIONS)}")
    return name


def _random_generator(seed: Seed) -> random.Random:
    """A generator for the initial weights: `random.Random(seed)` for an int, the generator
    itself when given one, and for None a generator seeded from Python's global `random`
    (so `random.seed(...)` beforehand also makes the weights reproducible)."""
    if isinstance(seed, random.Random):
        return seed
    if seed is None:
        return random.Random(random.getrandbits(64))
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(
            f"seed must be an int, a random.Random or None, got {type(seed).__name__}: {seed!r}"
        )
    return random.Random(seed)


# -------------------------------------------------------------------------------------------------
# Neuron, Layer, MLP
# -------------------------------------------------------------------------------------------------


class Neuron(Module):
    """One unit: `activation(w · x + b)`, with `nin` weights and a bias.

    The weighted sum is a single `Value.dot` node (one node instead of 2·nin additions and
    multiplications), and the activation is one more node on top of it.

    Initialisation (the bias starts at 0; weights are drawn uniformly from [−limit, limit]):
        "relu": He-uniform, limit = √(6 / nin), so Var(w) = 2 / nin — relu zeroes half its
            inputs, and the factor 2 keeps the signal's variance from shrinking layer by layer.
        "tanh", "sigmoid", "linear": Glorot/Xavier-uniform with the fan-out taken equal to the
            fan-in (a neuron knows only its own inputs): limit = √(6 / (nin + nin)) = √(3 / nin),
            so Var(w) = 1 / nin.

    `seed` may be an int or a `random.Random`; the same seed gives the same weights, bit for bit.
    """

    def __init__(self, nin: int, activation: str = "relu", seed: Seed = None) -> None:
        self.nin = _check_size(nin, "nin (the number of inputs)")
        self.activation = _check_activation(activation)
        generator = _random_generator(seed)
        limit = math.sqrt((6.0 if activation == "relu" else 3.0) / nin)
        self.weights = [
            Value(generator.uniform(-limit, limit), label=f"w{index}") for index in range(nin)
        ]
        self.bias = Value(0.0, label="b")
        self._activate = ACTIVATIONS[activation]
        self._activate_float = _activation_on_floats(activation)

    def forward(self, inputs: Sequence[Operand]) -> Value:
        """activation(Σᵢ wᵢ·xᵢ + b); `inputs` are floats or `Value`s, exactly `nin` of them."""
        if len(inputs) != self.nin:
            raise ValueError(f"expected {self.nin} inputs, got {len(inputs)}")
        return self._activate(Value.dot(self.weights, inputs, self.bias))

    def output_on_floats(self, inputs: Sequence[float]) -> float:
        """The number `forward` would give, computed on plain floats with no graph at all.

        Used under `no_grad()`, where no gradient is wanted: the same operations, in the same
        order, so the result is bit-for-bit the same.
        """
        weights = [weight.data for weight in self.weights]
        total = operations.DOT.forward(weights, inputs, self.bias.data)
        if total - total != 0.0:  # inf or NaN: raise the same OverflowError as Value.dot
            _check_finite(operations.DOT, total, [*weights, *inputs, self.bias.data])
        return self._activate_float(total)

    def named_parameters(self) -> list[tuple[str, Value]]:
        """`w.0`, `w.1`, …, then `b`."""
        return [(f"w.{index}", weight) for index, weight in enumerate(self.weights)] + [
            ("b", self.bias)
        ]

    def __repr__(self) -> str:
        return f"Neuron({self.nin}, activation={self.activation!r})"


class Layer(Module):
    """`nout` neurons that read the same `nin` inputs; returns a list of `nout` Values.

    The result is a list even for one neuron, so any layer can feed the next.
    """

    def __init__(self, nin: int, nout: int, activation: str = "relu", seed: Seed = None) -> None:
        self.nin = _check_size(nin, "nin (the number of inputs)")
        self.nout = _check_size(nout, "nout (the number of neurons)")
        self.activation = _check_activation(activation)
        generator = _random_generator(seed)
        self.neurons = [Neuron(nin, activation, seed=generator) for _ in range(nout)]

    def forward(self, inputs: Sequence[Operand]) -> list[Value]:
        return [neuron.forward(inputs) for neuron in self.neurons]

    def named_parameters(self) -> list[tuple[str, Value]]:
        """`neurons.<index>.w.<index>` and `neurons.<index>.b`."""
        return _prefixed("neurons", self.neurons)

    def __repr__(self) -> str:
        return f"Layer({self.nin}, {self.nout}, activation={self.activation!r})"


class MLP(Module):
    """A multi-layer perceptron: layers of sizes `nouts`, each feeding the next.

    Hidden layers use `activation`; the last layer uses `output_activation` ("linear" by default,
    leaving the outputs as raw scores for the loss to interpret). `MLP(2, [16, 16, 1])` has
    (2+1)·16 + (16+1)·16 + (16+1)·1 = 337 parameters.

    Calling it returns a single `Value` when the last layer has one unit, else a list of them.
    With a `seed`, every neuron's weights come, in order, from one `random.Random(seed)`.
    """

    def __init__(
        self,
        nin: int,
        nouts: Sequence[int],
        activation: str = "relu",
        output_activation: str = "linear",
        seed: Seed = None,
    ) -> None:
        self.nin = _check_size(nin, "nin (the number of inputs)")
        if not isinstance(nouts, list | tuple):
            raise TypeError(
                f"nouts must be a list or tuple of layer sizes such as [16, 16, 1], "
                f"got {type(nouts).__name__}: {nouts!r}"
            )
        if not nouts:
            raise ValueError("nouts is empty; give at least one layer size, e.g. [1]")
        self.nouts = tuple(_check_size(size, f"layer size nouts[{index}]")
                           for index, size in enumerate(nouts))
        self.activation = _check_activation(activation)
        self.output_activation = _check_activation(output_activation, "output_activation")
        generator = _random_generator(seed)
        sizes = (nin, *self.nouts)
        last = len(self.nouts) - 1
        self.layers = [
            Layer(
                sizes[index],
                sizes[index + 1],
                output_activation if index == last else activation,
                seed=generator,
            )
            for index in range(len(self.nouts))
        ]
        self._single_output = self.nouts[-1] == 1

    def forward(self, inputs: Sequence[Operand]) -> Value | list[Value]:
        if not is_grad_enabled():
            return self._forward_without_graph(inputs)
        outputs = self.layers[0].forward(inputs)
        for layer in self.layers[1:]:
            outputs = layer.forward(outputs)
        return outputs[0] if self._single_output else outputs

    def _forward_without_graph(self, inputs: Sequence[Operand]) -> Value | list[Value]:
        """Inference under `no_grad()`: floats flow from layer to layer, and only the outputs
        become (constant) `Value`s — several times faster than building nodes to throw away."""
        if len(inputs) != self.nin:
            raise ValueError(f"expected {self.nin} inputs, got {len(inputs)}")
        numbers = [
            value.data if isinstance(value, Value) else _as_float(value, "an MLP input")
            for value in inputs
        ]
        for layer in self.layers:
            numbers = [neuron.output_on_floats(numbers) for neuron in layer.neurons]
        outputs = [Value(number, requires_grad=False) for number in numbers]
        return outputs[0] if self._single_output else outputs

    def named_parameters(self) -> list[tuple[str, Value]]:
        """`layers.<index>.neurons.<index>.w.<index>` and `layers.<index>.neurons.<index>.b`."""
        return _prefixed("layers", self.layers)

    def to_torch(self) -> torch.nn.Sequential:
        """An equivalent `torch.nn.Sequential` in float64 with the same weights.

        Each layer becomes `torch.nn.Linear(nin, nout)` (row i of its weight matrix is neuron i's
        weights) followed by `ReLU`, `Tanh` or `Sigmoid` (nothing for "linear"). It takes a
        tensor of shape (batch, nin); a one-unit output comes back with shape (batch, 1).
        Needs PyTorch, an optional dependency.
        """
        try:
            import torch
        except ImportError as error:
            raise ImportError(
                "MLP.to_torch() needs PyTorch, which is not installed; install it with "
                "`pip install torch`"
            ) from error
        activation_modules: dict[str, type[torch.nn.Module]] = {
            "relu": torch.nn.ReLU,
            "tanh": torch.nn.Tanh,
            "sigmoid": torch.nn.Sigmoid,
        }
        modules: list[torch.nn.Module] = []
        for layer in self.layers:
            linear = torch.nn.Linear(layer.nin, layer.nout, dtype=torch.float64)
            with torch.no_grad():
                linear.weight.copy_(
                    torch.tensor(
                        [[weight.data for weight in neuron.weights] for neuron in layer.neurons],
                        dtype=torch.float64,
                    )
                )
                linear.bias.copy_(
                    torch.tensor(
                        [neuron.bias.data for neuron in layer.neurons], dtype=torch.float64
                    )
                )
            modules.append(linear)
            if layer.activation in activation_modules:
                modules.append(activation_modules[layer.activation]())
        return torch.nn.Sequential(*modules)

    def __repr__(self) -> str:
        return (
            f"MLP({self.nin}, {list(self.nouts)}, activation={self.activation!r}, "
            f"output_activation={self.output_activation!r})"
        )


# -------------------------------------------------------------------------------------------------
# Perceptron
# -------------------------------------------------------------------------------------------------


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
        if isinstance(lr, bool) or not isinstance(lr, numbers.Real) or not 0 < lr < math.inf:
            raise ValueError(f"lr must be a positive finite number, got {lr!r}")
        self.lr: float = float(lr)
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
        when visited.
        """
        from micrograd_ann.train import History

        rows, labels = self._check_data(X, y)
        _check_size(epochs, "epochs")
        parameters = self.parameters()
        history = History()
        history.converged = False
        for _ in range(epochs):
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
            history.loss.append(total_criterion / len(rows))
            history.accuracy.append((len(rows) - mistakes) / len(rows))
            history.learning_rate.append(self.lr)
            history.epochs_run += 1
            if mistakes == 0:
                history.converged = True
                break
        return history

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
                raise ValueError(f"row {index} of X is {row!r}, not a sequence of numbers")
            if len(row) != self.nin:
                raise ValueError(
                    f"row {index} of X has {len(row)} values, but the perceptron has "
                    f"nin={self.nin} inputs"
                )
            for value in row:
                if not isinstance(value, numbers.Real) or not math.isfinite(value):
                    raise ValueError(f"row {index} of X holds {value!r}; use finite numbers")
            rows.append([float(value) for value in row])
        labels: list[int] = []
        for index, label in enumerate(y):
            if not isinstance(label, numbers.Real) or label not in (0, 1):
                raise ValueError(f"label {index} is {label!r}; perceptron labels must be 0 or 1")
            labels.append(int(label))
        return rows, labels

    def __repr__(self) -> str:
        return f"Perceptron({self.nin}, lr={self.lr!r})"
