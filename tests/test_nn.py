"""Tests for nn: Module, Neuron, Layer, MLP and MLP.to_torch."""

from __future__ import annotations

import math
import random
import sys

import pytest

from micrograd_ann import MLP, Layer, Module, Neuron, Perceptron, Value, no_grad

# -------------------------------------------------------------------------------------------------
# Parameters and names
# -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "count"),
    [
        (Neuron(3), 3 + 1),
        (Layer(3, 4), (3 + 1) * 4),
        (MLP(2, [16, 16, 1]), 3 * 16 + 17 * 16 + 17),  # 337, the number in the issue
        (MLP(4, [1, 1]), 5 + 2),
        (Perceptron(5), 6),
    ],
)
def test_parameter_count(model: Module, count: int) -> None:
    assert len(model.parameters()) == count
    assert len({id(parameter) for parameter in model.parameters()}) == count


def test_mlp_2_16_16_1_has_337_parameters() -> None:
    assert len(MLP(2, [16, 16, 1]).parameters()) == 337


def test_neuron_parameter_names_and_labels() -> None:
    neuron = Neuron(3)
    assert [name for name, _ in neuron.named_parameters()] == ["w.0", "w.1", "w.2", "b"]
    assert [parameter.label for parameter in neuron.parameters()] == ["w0", "w1", "w2", "b"]


def test_mlp_parameter_names_are_dotted_and_ordered() -> None:
    model = MLP(2, [3, 1], seed=0)
    names = [name for name, _ in model.named_parameters()]
    expected = [
        f"layers.0.neurons.{neuron}.{name}"
        for neuron in range(3)
        for name in ("w.0", "w.1", "b")
    ] + ["layers.1.neurons.0.w.0", "layers.1.neurons.0.w.1", "layers.1.neurons.0.w.2",
         "layers.1.neurons.0.b"]
    assert names == expected
    assert [parameter for _, parameter in model.named_parameters()] == model.parameters()
    named = dict(MLP(2, [16, 16, 1]).named_parameters())
    assert "layers.0.neurons.3.w.1" in named
    assert "layers.2.neurons.0.b" in named


def test_named_parameter_points_at_the_right_value() -> None:
    model = MLP(2, [16, 16, 1], seed=0)
    named = dict(model.named_parameters())
    assert named["layers.0.neurons.3.w.1"] is model.layers[0].neurons[3].weights[1]
    assert named["layers.1.neurons.15.b"] is model.layers[1].neurons[15].bias


def test_zero_grad() -> None:
    model = MLP(2, [3, 1], seed=0)
    output = model([1.0, -2.0])
    output.backward()
    assert any(parameter.grad != 0.0 for parameter in model.parameters())
    model.zero_grad()
    assert all(parameter.grad == 0.0 for parameter in model.parameters())


# -------------------------------------------------------------------------------------------------
# state_dict / load_state_dict
# -------------------------------------------------------------------------------------------------


def test_state_dict_round_trip() -> None:
    source, target = MLP(2, [4, 2], seed=1), MLP(2, [4, 2], seed=2)
    assert source.state_dict() != target.state_dict()
    target.load_state_dict(source.state_dict())
    assert target.state_dict() == source.state_dict()
    assert target([0.3, -0.7])[1].data == source([0.3, -0.7])[1].data


def test_state_dict_is_a_snapshot() -> None:
    model = Neuron(2, seed=0)
    original = model.weights[0].data
    state = model.state_dict()
    model.weights[0].data += 1.0
    assert state["w.0"] == original != model.weights[0].data


def test_load_state_dict_missing_name() -> None:
    model = Neuron(2, seed=0)
    state = model.state_dict()
    del state["w.1"]
    with pytest.raises(ValueError, match=r"missing 'w\.1'"):
        model.load_state_dict(state)


def test_load_state_dict_unknown_name() -> None:
    model = Neuron(2, seed=0)
    state = {**model.state_dict(), "w.2": 0.5}
    with pytest.raises(ValueError, match=r"unknown 'w\.2'"):
        model.load_state_dict(state)


def test_load_state_dict_from_another_shape() -> None:
    with pytest.raises(ValueError, match="missing"):
        MLP(2, [3, 1]).load_state_dict(MLP(2, [2, 1]).state_dict())


@pytest.mark.parametrize("bad", ["0.5", None, [0.5], True])
def test_load_state_dict_non_number(bad: object) -> None:
    model = Neuron(2, seed=0)
    before = model.state_dict()
    state: dict[str, object] = {**before, "b": bad}
    with pytest.raises(TypeError, match="'b'"):
        model.load_state_dict(state)  # type: ignore[arg-type]
    assert model.state_dict() == before


@pytest.mark.parametrize("bad", [math.nan, math.inf])
def test_load_state_dict_non_finite(bad: float) -> None:
    model = Neuron(2, seed=0)
    before = model.state_dict()
    with pytest.raises(ValueError, match="finite"):
        model.load_state_dict({"w.0": 1.0, "w.1": 2.0, "b": bad})
    assert model.state_dict() == before  # nothing changed, not even w.0


def test_load_state_dict_accepts_ints() -> None:
    model = Neuron(2, seed=0)
    model.load_state_dict({"w.0": 1, "w.1": -2, "b": 3})
    assert model([1.0, 1.0]).data == 2.0


# -------------------------------------------------------------------------------------------------
# Neuron
# -------------------------------------------------------------------------------------------------


def _neuron_with(weights: list[float], bias: float, activation: str) -> Neuron:
    neuron = Neuron(len(weights), activation)
    for parameter, number in zip(neuron.weights, weights):
        parameter.data = number
    neuron.bias.data = bias
    return neuron


# Weights (0.5, −1.5, 2), bias 0.25:
#   inputs (1, 2, −0.5): z = 0.5 − 3 − 1 + 0.25 = −3.25
#   inputs (3, 1, 0.5):  z = 1.5 − 1.5 + 1 + 0.25 = 1.25
@pytest.mark.parametrize(
    ("activation", "inputs", "expected"),
    [
        ("linear", [1.0, 2.0, -0.5], -3.25),
        ("relu", [1.0, 2.0, -0.5], 0.0),
        ("relu", [3.0, 1.0, 0.5], 1.25),
        ("tanh", [1.0, 2.0, -0.5], math.tanh(-3.25)),
        ("sigmoid", [1.0, 2.0, -0.5], 1.0 / (1.0 + math.exp(3.25))),
        ("sigmoid", [3.0, 1.0, 0.5], 1.0 / (1.0 + math.exp(-1.25))),
    ],
)
def test_neuron_output_by_hand(activation: str, inputs: list[float], expected: float) -> None:
    neuron = _neuron_with([0.5, -1.5, 2.0], 0.25, activation)
    assert neuron(inputs).data == pytest.approx(expected, rel=1e-15, abs=1e-15)


def test_pre_activation_is_one_dot_node() -> None:
    relu_out = Neuron(5, "relu", seed=0)([1.0] * 5)
    assert relu_out.op == "relu"
    assert relu_out.children[0].op == "dot"
    assert Neuron(5, "linear", seed=0)([1.0] * 5).op == "dot"


def test_neuron_gradients_by_hand() -> None:
    # out = tanh(w·x + b); ∂out/∂wᵢ = (1 − out²)·xᵢ, ∂out/∂xᵢ = (1 − out²)·wᵢ, ∂out/∂b = 1 − out²
    neuron = _neuron_with([0.5, -1.5], 0.25, "tanh")
    x = [Value(0.4), Value(-0.2)]
    out = neuron(x)
    out.backward()
    slope = 1.0 - math.tanh(0.5 * 0.4 + 1.5 * 0.2 + 0.25) ** 2
    assert neuron.weights[0].grad == pytest.approx(slope * 0.4, rel=1e-12)
    assert neuron.weights[1].grad == pytest.approx(slope * -0.2, rel=1e-12)
    assert neuron.bias.grad == pytest.approx(slope, rel=1e-12)
    assert x[0].grad == pytest.approx(slope * 0.5, rel=1e-12)
    assert x[1].grad == pytest.approx(slope * -1.5, rel=1e-12)


def test_neuron_wrong_input_count() -> None:
    with pytest.raises(ValueError, match=r"^expected 3 inputs, got 2$"):
        Neuron(3)([1.0, 2.0])
    with pytest.raises(ValueError, match="expected 2 inputs, got 3"):
        MLP(2, [3, 1])([1.0, 2.0, 3.0])


def test_unknown_activation_lists_the_valid_ones() -> None:
    with pytest.raises(ValueError, match=r"'softplus'.*linear, tanh, sigmoid, relu"):
        Neuron(2, "softplus")
    with pytest.raises(ValueError, match="output_activation"):
        MLP(2, [3, 1], output_activation="step")


@pytest.mark.parametrize("nin", [0, -1])
def test_neuron_needs_an_input(nin: int) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        Neuron(nin)


def test_same_seed_same_weights_bit_for_bit() -> None:
    first, second = Neuron(8, seed=42), Neuron(8, seed=42)
    assert [w.data for w in first.weights] == [w.data for w in second.weights]
    assert [w.data for w in Neuron(8, seed=random.Random(42)).weights] == [
        w.data for w in first.weights
    ]
    assert [w.data for w in Neuron(8, seed=43).weights] != [w.data for w in first.weights]


def test_global_random_seed_makes_unseeded_models_reproducible() -> None:
    random.seed(5)
    first = MLP(3, [4, 2]).state_dict()
    random.seed(5)
    assert MLP(3, [4, 2]).state_dict() == first


def test_mlp_seed_is_deterministic_and_neurons_differ() -> None:
    first, second = MLP(3, [8, 8, 1], seed=7), MLP(3, [8, 8, 1], seed=7)
    assert first.state_dict() == second.state_dict()
    assert first.state_dict() != MLP(3, [8, 8, 1], seed=8).state_dict()
    weights = [tuple(w.data for w in neuron.weights) for neuron in first.layers[0].neurons]
    assert len(set(weights)) == len(weights)  # each neuron draws its own numbers


def test_bad_seed_type() -> None:
    with pytest.raises(TypeError, match="seed"):
        Neuron(2, seed="7")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("activation", "limit"),
    [("relu", math.sqrt(6 / 400)), ("tanh", math.sqrt(3 / 400)), ("sigmoid", math.sqrt(3 / 400)),
     ("linear", math.sqrt(3 / 400))],
)
def test_initialisation_range(activation: str, limit: float) -> None:
    neuron = Neuron(400, activation, seed=3)
    magnitudes = [abs(w.data) for w in neuron.weights]
    assert max(magnitudes) <= limit
    assert max(magnitudes) > 0.95 * limit  # 400 uniform draws come close to the edge
    assert neuron.bias.data == 0.0


# -------------------------------------------------------------------------------------------------
# Layer and MLP
# -------------------------------------------------------------------------------------------------


def test_layer_always_returns_a_list() -> None:
    outputs = Layer(2, 1, seed=0)([1.0, 2.0])
    assert isinstance(outputs, list) and len(outputs) == 1
    assert len(Layer(2, 3, seed=0)([1.0, 2.0])) == 3


def test_mlp_output_shape() -> None:
    assert isinstance(MLP(2, [3, 1], seed=0)([1.0, 2.0]), Value)
    outputs = MLP(2, [3, 4], seed=0)([1.0, 2.0])
    assert isinstance(outputs, list) and len(outputs) == 4
    # a one-unit hidden layer works (it still returns a list inside the network)
    assert isinstance(MLP(2, [1, 3, 1], seed=0)([1.0, 2.0]), Value)


def test_mlp_activations() -> None:
    model = MLP(2, [3, 3, 2], activation="tanh", output_activation="sigmoid")
    assert [layer.activation for layer in model.layers] == ["tanh", "tanh", "sigmoid"]
    assert MLP(2, [1]).layers[0].activation == "linear"


def test_mlp_equals_its_layers_by_hand() -> None:
    model = MLP(2, [2, 1], activation="tanh", seed=11)
    x = [0.3, -1.2]
    hidden = [
        math.tanh(sum(w.data * xi for w, xi in zip(neuron.weights, x)) + neuron.bias.data)
        for neuron in model.layers[0].neurons
    ]
    last = model.layers[1].neurons[0]
    expected = sum(w.data * h for w, h in zip(last.weights, hidden)) + last.bias.data
    assert model(x).data == pytest.approx(expected, rel=1e-14)


@pytest.mark.parametrize(
    ("nin", "nouts", "error", "message"),
    [
        (0, [1], ValueError, "nin"),
        (2, [], ValueError, "empty"),
        (2, [3, 0, 1], ValueError, r"nouts\[1\]"),
        (2, 3, TypeError, "list or tuple"),
        (2, [3.0, 1], TypeError, "int"),
        (2, "31", TypeError, "list or tuple"),
    ],
)
def test_mlp_bad_arguments(nin: int, nouts: object, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        MLP(nin, nouts)  # type: ignore[arg-type]


def test_mlp_accepts_value_inputs_and_tuple_sizes() -> None:
    x = [Value(0.5), Value(-0.5)]
    out = MLP(2, (4, 1), seed=0)(x)
    out.backward()
    assert x[0].grad != 0.0 or x[1].grad != 0.0


def _squared_error(model: MLP, rows: list[list[float]], targets: list[list[float]]) -> Value:
    terms = []
    for row, target in zip(rows, targets):
        outputs = model(row)
        terms += [(output - goal) ** 2 for output, goal in zip(outputs, target)]
    return Value.sum(terms)


def test_mlp_gradients_match_central_differences() -> None:
    model = MLP(3, [4, 3, 2], activation="tanh", output_activation="sigmoid", seed=5)
    rows = [[0.5, -1.0, 2.0], [-0.3, 0.8, 0.1]]
    targets = [[0.2, 0.9], [0.7, 0.1]]
    _squared_error(model, rows, targets).backward()
    step = 1e-6
    for name, parameter in model.named_parameters():
        original = parameter.data
        with no_grad():
            parameter.data = original + step
            above = _squared_error(model, rows, targets).data
            parameter.data = original - step
            below = _squared_error(model, rows, targets).data
        parameter.data = original
        numerical = (above - below) / (2 * step)
        assert parameter.grad == pytest.approx(numerical, rel=1e-6, abs=1e-9), name


# -------------------------------------------------------------------------------------------------
# to_torch
# -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("activation", "output_activation"),
    [("relu", "linear"), ("tanh", "sigmoid"), ("sigmoid", "tanh"), ("linear", "relu")],
)
def test_to_torch_gives_the_same_outputs_and_gradients(
    activation: str, output_activation: str
) -> None:
    torch = pytest.importorskip("torch")
    model = MLP(3, [5, 4, 2], activation, output_activation, seed=2)
    network = model.to_torch()
    rows = [[0.5, -1.0, 2.0], [-0.3, 0.8, 0.1], [1.5, 0.2, -0.7]]
    inputs = torch.tensor(rows, dtype=torch.float64)
    torch_outputs = network(inputs)
    assert torch_outputs.dtype == torch.float64
    for row, torch_row in zip(rows, torch_outputs.tolist()):
        ours = [value.data for value in model(row)]
        assert ours == pytest.approx(torch_row, rel=1e-13, abs=1e-15)
    # gradients of Σ outputs² from torch's autograd against ours
    (torch_outputs**2).sum().backward()
    Value.sum([output**2 for row in rows for output in model(row)]).backward()
    linears = [module for module in network if isinstance(module, torch.nn.Linear)]
    for layer, linear in zip(model.layers, linears):
        for index, neuron in enumerate(layer.neurons):
            weight_grads = linear.weight.grad[index].tolist()
            assert [w.grad for w in neuron.weights] == pytest.approx(weight_grads, rel=1e-12)
            assert neuron.bias.grad == pytest.approx(linear.bias.grad[index].item(), rel=1e-12)


def test_to_torch_without_torch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "torch", None)  # makes `import torch` raise ImportError
    with pytest.raises(ImportError, match="pip install torch"):
        MLP(2, [1]).to_torch()


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "linear"])
def test_no_grad_forward_gives_bit_identical_outputs_without_a_graph(activation: str) -> None:
    model = MLP(3, [6, 5, 2], activation=activation, output_activation="tanh", seed=7)
    rows = [[0.3, -1.2, 2.0], [1.5, 0.25, -0.75], [-2.0, 0.0, 0.5]]
    for row in rows:
        with_graph = [value.data for value in model(row)]
        with no_grad():
            outputs = model(row)
        assert [value.data for value in outputs] == with_graph
        assert all(not value.requires_grad and not value.children for value in outputs)


def test_no_grad_forward_checks_its_inputs() -> None:
    model = MLP(2, [3, 1], seed=0)
    with no_grad(), pytest.raises(ValueError, match="expected 2 inputs, got 3"):
        model([1.0, 2.0, 3.0])
    with no_grad(), pytest.raises(TypeError, match="str"):
        model([1.0, "2"])


def test_no_grad_forward_reports_overflow_like_the_graph_forward() -> None:
    model = MLP(1, [1], seed=0)
    model.parameters()[0].data = 1e200
    with pytest.raises(OverflowError, match="dot"):
        model([1e200])
    with no_grad(), pytest.raises(OverflowError, match="dot"):
        model([1e200])
