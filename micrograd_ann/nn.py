"""Networks: `Module`, `Neuron`, `Layer` and `MLP`, built from `Value`s.

A neuron computes one weighted sum and squashes it:

    out = activation(w · x + b) = activation(Σᵢ wᵢ·xᵢ + b)

A layer is a list of neurons that all read the same inputs; a multi-layer perceptron (MLP) feeds
each layer's outputs to the next. Every weight and bias is a `Value`, so `loss.backward()` fills
in ∂loss/∂parameter for all of them and gradient descent can nudge each one downhill.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from micrograd_ann import checks, operations
from micrograd_ann.checks import Seed, shorten
from micrograd_ann.engine import Operand, Value, is_grad_enabled

if TYPE_CHECKING:
    import torch

__all__ = ["ACTIVATIONS", "MAX_LAYER_SIZE", "MAX_PARAMETERS", "Module", "Neuron", "Layer", "MLP"]

MAX_LAYER_SIZE = 10_000
"""The most inputs a neuron reads and the most neurons a layer holds."""

MAX_PARAMETERS = 1_000_000
"""The most parameters a network may have. Each parameter is a Python object, and every forward
pass builds a graph node per weight, so a million parameters already takes seconds per sample
and hundreds of megabytes per batch in this pure-Python engine."""


def _linear(value: Value) -> Value:
    """The identity: a "linear" neuron outputs its weighted sum unchanged."""
    return value


ACTIVATIONS: dict[str, Callable[[Value], Value]] = {
    "linear": _linear,
    **{
        operation.name: getattr(Value, operation.method)
        for operation in operations.OPERATIONS.values()
        if operation.activation
    },
}
"""Activation name → the function applied to a neuron's weighted sum: "linear" (none), then
every operation the table marks as an `activation` (relu, tanh, sigmoid)."""


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
        numbers_by_name = {
            name: checks.finite_number(state[name], f"parameter {name!r}") for name, _ in named
        }
        for name, parameter in named:
            parameter.data = numbers_by_name[name]


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
            shown = ", ".join(shorten(name) for name in names[:5])
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
    return checks.count(
        size, what, maximum=MAX_LAYER_SIZE,
        why="nn.MAX_LAYER_SIZE: wider layers do not fit a pure-Python engine",
    )


def _check_parameter_count(sizes: Sequence[int]) -> None:
    """Refuse, before building anything, a network of more than `MAX_PARAMETERS` parameters."""
    count = sum((nin + 1) * nout for nin, nout in itertools.pairwise(sizes))
    if count > MAX_PARAMETERS:
        raise ValueError(
            f"layer sizes {list(sizes)} make {count:,} parameters, above the limit of "
            f"{MAX_PARAMETERS:,} (nn.MAX_PARAMETERS) for this pure-Python engine; use smaller "
            "layers"
        )


def _activation_or_nonlin(activation: object, nonlin: object, where: str) -> object:
    """micrograd's `nonlin=True/False` (or a bool in `activation`'s place, as micrograd's
    positional `Neuron(3, False)`) as our activation name: relu, or linear."""
    if isinstance(activation, bool):
        nonlin, activation = activation, "relu"
    if nonlin is None:
        return activation
    if not isinstance(nonlin, bool):
        raise TypeError(f"{where}: nonlin must be True or False, got {shorten(nonlin)}")
    if activation != "relu":
        raise TypeError(
            f"{where}: give either activation= ({activation!r}) or micrograd's nonlin= "
            f"({nonlin!r}), not both"
        )
    return "relu" if nonlin else "linear"


def _check_activation(name: object, what: str = "activation") -> str:
    if not isinstance(name, str):
        raise TypeError(
            f"{what} must be a str, one of {', '.join(ACTIVATIONS)}; got "
            f"{type(name).__name__}: {shorten(name)}"
        )
    if name not in ACTIVATIONS:
        raise ValueError(f"unknown {what} {shorten(name)}; choose one of {', '.join(ACTIVATIONS)}")
    return name


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

    micrograd's spelling works too: `Neuron(nin, nonlin=False)` is `activation="linear"` (and
    `nonlin=True` is relu); `neuron.w` and `neuron.b` are `weights` and `bias`.
    """

    def __init__(
        self,
        nin: int,
        activation: str | bool = "relu",
        seed: Seed = None,
        *,
        nonlin: bool | None = None,
    ) -> None:
        self.nin = _check_size(nin, "nin (the number of inputs)")
        activation = self.activation = _check_activation(
            _activation_or_nonlin(activation, nonlin, "Neuron")
        )
        generator = checks.random_generator(seed)
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
        if total - total != 0.0:  # inf or NaN: Value.dot raises (or lets it pass) as it would
            total = Value.dot(self.weights, inputs, self.bias).data
        return self._activate_float(total)

    def named_parameters(self) -> list[tuple[str, Value]]:
        """`w.0`, `w.1`, …, then `b`."""
        return [(f"w.{index}", weight) for index, weight in enumerate(self.weights)] + [
            ("b", self.bias)
        ]

    @property
    def w(self) -> list[Value]:
        """micrograd's name for `weights`."""
        return self.weights

    @w.setter
    def w(self, weights: list[Value]) -> None:
        self.weights = weights

    @property
    def b(self) -> Value:
        """micrograd's name for `bias`."""
        return self.bias

    @b.setter
    def b(self, bias: Value) -> None:
        self.bias = bias

    @property
    def nonlin(self) -> bool:
        """micrograd's flag: True unless the neuron is linear."""
        return self.activation != "linear"

    def __repr__(self) -> str:
        return f"Neuron({self.nin}, activation={self.activation!r})"


class Layer(Module):
    """`nout` neurons that read the same `nin` inputs; returns a list of `nout` Values.

    The result is a list even for one neuron, so any layer can feed the next (micrograd returns
    the bare Value then: take `layer(x)[0]`). micrograd's `Layer(nin, nout, nonlin=False)` works.
    """

    def __init__(
        self,
        nin: int,
        nout: int,
        activation: str | bool = "relu",
        seed: Seed = None,
        *,
        nonlin: bool | None = None,
    ) -> None:
        self.nin = _check_size(nin, "nin (the number of inputs)")
        self.nout = _check_size(nout, "nout (the number of neurons)")
        activation = self.activation = _check_activation(
            _activation_or_nonlin(activation, nonlin, "Layer")
        )
        _check_parameter_count((nin, nout))
        generator = checks.random_generator(seed)
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

    The defaults are micrograd's `MLP(nin, nouts)`: relu hidden layers, a linear last layer.
    Only the starting weights differ (see `Neuron`: He or Glorot limits instead of micrograd's
    uniform(−1, 1), which saturates or blows up wide layers).
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
                f"got {type(nouts).__name__}: {shorten(nouts)}"
            )
        if not nouts:
            raise ValueError("nouts is empty; give at least one layer size, e.g. [1]")
        self.nouts = tuple(_check_size(size, f"layer size nouts[{index}]")
                           for index, size in enumerate(nouts))
        self.activation = _check_activation(activation)
        self.output_activation = _check_activation(output_activation, "output_activation")
        sizes = (nin, *self.nouts)
        _check_parameter_count(sizes)
        generator = checks.random_generator(seed)
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
            value.data if isinstance(value, Value) else checks.number(value, "an MLP input")
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
            if layer.activation != "linear":
                module_name = operations.OPERATIONS[layer.activation].torch_module
                modules.append(getattr(torch.nn, module_name)())
        return torch.nn.Sequential(*modules)

    def __repr__(self) -> str:
        return (
            f"MLP({self.nin}, {list(self.nouts)}, activation={self.activation!r}, "
            f"output_activation={self.output_activation!r})"
        )
