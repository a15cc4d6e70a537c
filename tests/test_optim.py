"""Tests for micrograd_ann.optim: SGD, Adam and AdamW against torch.optim, schedules against their
formulas, Adam's first steps and decays derived by hand."""

import importlib
import math

import pytest

from micrograd_ann import MLP, Value, train
from micrograd_ann.optim import (
    SGD,
    Adam,
    AdamW,
    ConstantRate,
    ExponentialDecay,
    LinearDecay,
    StepDecay,
)

START = [0.5, -1.2, 2.0]


def our_loss(p):
    # A non-quadratic loss so that the gradient changes from step to step.
    return (p[0] * p[1] - 1.0) ** 2 + p[2].tanh() * p[0] + (p[1] ** 2) * 0.3


def torch_loss(p, torch):
    return (p[0] * p[1] - 1.0) ** 2 + torch.tanh(p[2]) * p[0] + (p[1] ** 2) * 0.3


@pytest.mark.parametrize(
    ("momentum", "weight_decay"), [(0.0, 0.0), (0.9, 0.0), (0.0, 0.05), (0.8, 0.01)]
)
def test_sgd_matches_torch_for_several_steps(momentum, weight_decay):
    torch = pytest.importorskip("torch")
    ours = [Value(number) for number in START]
    optimizer = SGD(ours, lr=0.1, momentum=momentum, weight_decay=weight_decay)
    theirs = torch.tensor(START, dtype=torch.float64, requires_grad=True)
    reference = torch.optim.SGD([theirs], lr=0.1, momentum=momentum, weight_decay=weight_decay)
    for _ in range(6):
        optimizer.zero_grad()
        our_loss(ours).backward()
        optimizer.step()
        reference.zero_grad()
        torch_loss(theirs, torch).backward()
        reference.step()
        assert [p.data for p in ours] == pytest.approx(theirs.tolist(), rel=1e-13)


def test_sgd_momentum_by_hand():
    # Constant gradient 1, momentum 0.5, lr 0.1: buffers 1, 1.5, 1.75 → p = −0.1, −0.25, −0.425
    p = Value(0.0)
    optimizer = SGD([p], lr=0.1, momentum=0.5)
    positions = []
    for _ in range(3):
        p.grad = 1.0
        optimizer.step()
        positions.append(p.data)
    assert positions == pytest.approx([-0.1, -0.25, -0.425], rel=1e-15)


def test_sgd_step_writes_data_without_a_graph():
    p = Value(1.0)
    p.grad = 2.0
    SGD([p], lr=0.25).step()
    assert p.data == 0.5
    assert p.op == "" and p.children == () and p.requires_grad


def test_zero_grad():
    parameters = [Value(1.0), Value(2.0)]
    for parameter in parameters:
        parameter.grad = 3.0
    SGD(parameters, lr=0.1).zero_grad()
    assert [parameter.grad for parameter in parameters] == [0.0, 0.0]


def test_sgd_calls_a_schedule_with_the_step_number():
    p = Value(0.0)
    optimizer = SGD([p], lr=lambda k: 0.1 * (k + 1))
    for _ in range(3):
        p.grad = 1.0
        optimizer.step()
    assert p.data == pytest.approx(-(0.1 + 0.2 + 0.3), rel=1e-15)
    assert optimizer.steps_taken == 3
    assert optimizer.learning_rate == pytest.approx(0.4)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"lr": 0.0}, "lr must be a positive"),
        ({"lr": -0.1}, "lr must be a positive"),
        ({"lr": math.nan}, "lr must be a positive"),
        ({"lr": math.inf}, "lr must be a positive"),
        ({"lr": 0.1, "momentum": -0.5}, "momentum must be"),
        ({"lr": 0.1, "weight_decay": -1.0}, "weight_decay must be"),
        ({"lr": 0.1, "momentum": math.nan}, "momentum must be"),
    ],
)
def test_sgd_rejects_bad_settings(settings, message):
    """Bad values are ValueErrors; wrong types (below) TypeErrors, by the rule of checks."""
    with pytest.raises(ValueError, match=message):
        SGD([Value(1.0)], **settings)


@pytest.mark.parametrize("lr", [True, "0.1", None])
def test_sgd_rejects_a_learning_rate_of_the_wrong_type(lr):
    with pytest.raises(TypeError, match="lr must be a number"):
        SGD([Value(1.0)], lr=lr)


def test_sgd_rejects_bad_parameters():
    with pytest.raises(ValueError, match="no parameters"):
        SGD([], lr=0.1)
    with pytest.raises(TypeError, match=r"params\[1\] is a float"):
        SGD([Value(1.0), 2.0], lr=0.1)


def test_sgd_rejects_a_schedule_that_gives_a_bad_rate():
    p = Value(1.0)
    optimizer = SGD([p], lr=lambda k: 0.1 - 0.1 * k)
    optimizer.step()
    with pytest.raises(ValueError, match=r"gave 0\.0 at step 1"):
        optimizer.step()


# -- schedules ------------------------------------------------------------------------------------


def test_linear_decay_is_micrograds_schedule():
    schedule = LinearDecay(1.0, 0.1, 100)
    for k in (0, 1, 37, 99, 100):
        assert schedule(k) == pytest.approx(1.0 - 0.9 * k / 100, rel=1e-15)
    assert schedule(250) == pytest.approx(0.1)  # stays at the end value


def test_exponential_step_and_constant_schedules():
    assert [ExponentialDecay(0.5, 0.9)(k) for k in range(3)] == pytest.approx([0.5, 0.45, 0.405])
    assert [StepDecay(1.0, 0.1, 10)(k) for k in (0, 9, 10, 25)] == pytest.approx(
        [1.0, 1.0, 0.1, 0.01]
    )
    assert ConstantRate(0.3)(1000) == 0.3


@pytest.mark.parametrize(
    "make",
    [
        lambda: LinearDecay(1.0, 0.1, 0),
        lambda: LinearDecay(-1.0, 0.1, 10),
        lambda: ExponentialDecay(1.0, 1.5),
        lambda: ExponentialDecay(1.0, 0.0),
        lambda: StepDecay(1.0, 0.5, 0),
        lambda: ConstantRate(0.0),
    ],
)
def test_schedules_reject_bad_arguments(make):
    with pytest.raises(ValueError):
        make()


# -------------------------------------------------------------------------------------------------
# Adam and AdamW
# -------------------------------------------------------------------------------------------------

ADAM_ROWS = [[0.5, -1.0, 2.0], [1.5, 0.25, -0.5], [-1.0, 1.0, 0.0], [0.3, -0.7, 1.1]]
ADAM_TARGETS = [0.5, -0.25, 1.0, 0.0]


def mlp_loss(model):
    # mean squared error of the first output plus a penalty on the second: two outputs, so
    # every layer's gradient changes from step to step
    outputs = [model(row) for row in ADAM_ROWS]
    return sum((out[0] - y) ** 2 + out[1] ** 2 for out, y in zip(outputs, ADAM_TARGETS)) * 0.25


def torch_parameters(network, torch):
    """The torch model's numbers in the order of MLP.parameters(): per neuron, weights, bias."""
    numbers = []
    for layer in network:
        if isinstance(layer, torch.nn.Linear):
            for row, bias in zip(layer.weight.tolist(), layer.bias.tolist()):
                numbers += [*row, bias]
    return numbers


@pytest.mark.parametrize(
    ("ours", "options"),
    [
        (Adam, {"lr": 0.01}),
        (Adam, {"lr": 0.01, "weight_decay": 0.1}),
        (Adam, {"lr": 0.02, "betas": (0.8, 0.99), "eps": 1e-6, "amsgrad": True}),
        (AdamW, {"lr": 0.01}),  # PyTorch's default decay, 0.01
        (AdamW, {"lr": 0.01, "weight_decay": 0.1}),
        (AdamW, {"lr": 0.01, "weight_decay": 0.0}),
        (AdamW, {"lr": 0.01, "weight_decay": 0.05, "amsgrad": True}),
    ],
)
def test_adam_and_adamw_match_torch_over_100_steps_on_an_mlp(ours, options):
    torch = pytest.importorskip("torch", reason="PyTorch is not installed")
    model = MLP(3, [5, 4, 2], activation="tanh", seed=1)
    network = model.to_torch()
    optimizer = ours(model.parameters(), **options)
    reference = getattr(torch.optim, ours.__name__)(network.parameters(), foreach=False, **options)
    rows = torch.tensor(ADAM_ROWS, dtype=torch.float64)
    targets = torch.tensor(ADAM_TARGETS, dtype=torch.float64)
    for _ in range(100):
        optimizer.zero_grad()
        mlp_loss(model).backward()
        optimizer.step()
        reference.zero_grad()
        outputs = network(rows)
        ((outputs[:, 0] - targets) ** 2 + outputs[:, 1] ** 2).mean().backward()
        reference.step()
    expected = torch_parameters(network, torch)
    moved = [abs(p.data - start) for p, start in zip(model.parameters(), torch_parameters(
        MLP(3, [5, 4, 2], activation="tanh", seed=1).to_torch(), torch))]
    assert max(moved) > 0.1  # the test trains for real
    assert [p.data for p in model.parameters()] == pytest.approx(expected, rel=0, abs=1e-12)
    assert optimizer.steps_taken == 100


def test_adam_first_step_moves_each_parameter_by_the_learning_rate():
    # by hand: m₁ = (1−β₁)g, v₁ = (1−β₂)g², so m̂ = g and v̂ = g², and the step is
    # lr·g / (|g| + ε): lr·sign(g) up to ε/|g|
    weights = [Value(0.5), Value(-2.0), Value(3.0)]
    loss = weights[0] * 4.0 + weights[1] ** 2 - weights[2] * 0.001  # g = 4, −4, −0.001
    loss.backward()
    Adam(weights, lr=0.1).step()
    assert [w.data for w in weights] == pytest.approx([0.5 - 0.1, -2.0 + 0.1, 3.0 + 0.1],
                                                      rel=1e-6)


def test_adam_with_a_constant_gradient_keeps_stepping_by_the_learning_rate():
    # m̂ₜ = g and v̂ₜ = g² at every step when g never changes: each step moves p by
    # lr·g/(|g| + ε), so t steps by t·lr·3/(3 + 1e-8)
    p = Value(1.0)
    optimizer = Adam([p], lr=0.05, betas=(0.5, 0.75))
    for _ in range(7):
        optimizer.zero_grad()
        (p * 3.0).backward()
        optimizer.step()
    assert p.data == pytest.approx(1.0 - 7 * 0.05 * 3.0 / (3.0 + 1e-8), rel=1e-13)


def test_adamw_decays_the_weight_itself_and_adam_through_the_gradient():
    # zero gradient: AdamW gives p·(1 − lr·wd) exactly; Adam's g = wd·p gives a step of lr
    decoupled, coupled = Value(2.0), Value(2.0)
    AdamW([decoupled], lr=0.1, weight_decay=0.5).step()
    Adam([coupled], lr=0.1, weight_decay=0.5).step()
    assert decoupled.data == 2.0 * (1 - 0.1 * 0.5)
    assert coupled.data == pytest.approx(2.0 - 0.1, rel=1e-8)


def test_pytorch_defaults_and_the_state_stays_in_the_optimizer():
    p = Value(1.0)
    adam, adamw = Adam([p]), AdamW([p])
    assert (adam.lr, adam.betas, adam.eps, adam.weight_decay, adam.amsgrad) == (
        1e-3, (0.9, 0.999), 1e-8, 0.0, False
    )
    assert (adamw.lr, adamw.weight_decay) == (1e-3, 1e-2)
    (p * p).backward()
    adamw.step()
    assert vars(p) == {}  # no state written on the parameter
    assert adamw.first_moments == [pytest.approx(0.1 * 2.0)]  # (1 − β₁)·g with g = 2p = 2
    assert adamw.second_moments == [pytest.approx(0.001 * 4.0)]


@pytest.mark.parametrize(
    ("arguments", "error", "match"),
    [
        ({"params": []}, ValueError, "no parameters"),
        ({"params": [1.0]}, TypeError, r"params\[0\] is a float"),
        ({"betas": (0.9, 1.0)}, ValueError, r"betas\[1\] must be in \[0, 1\)"),
        ({"betas": 0.9}, TypeError, "a pair"),
        ({"lr": 0.0}, ValueError, "lr"),
        ({"eps": -1.0}, ValueError, "eps"),
        ({"weight_decay": -0.1}, ValueError, "weight_decay"),
        ({"amsgrad": "yes"}, TypeError, "amsgrad"),
    ],
)
def test_adam_refuses_bad_arguments(arguments, error, match):
    options = {"params": [Value(1.0)], **arguments}
    for kind in (Adam, AdamW):
        with pytest.raises(error, match=match):
            kind(**options)


@pytest.mark.parametrize("kind", [Adam, AdamW])
def test_train_with_adam_takes_the_compiled_path_with_the_graph_paths_numbers(kind, monkeypatch):
    training = importlib.import_module("micrograd_ann.train")

    calls = []
    compiled_epoch = training.run_compiled_epoch
    monkeypatch.setattr(training, "run_compiled_epoch",
                        lambda *a, **k: calls.append(1) or compiled_epoch(*a, **k))
    results = []
    for compiled in (True, False):
        model = MLP(2, [6, 1], seed=2)
        optimizer = kind(model.parameters(), lr=0.01, weight_decay=0.05)
        rows = [row[:2] for row in ADAM_ROWS]
        history = train(model, rows, [1.0, -1.0, 1.0, -1.0], loss="hinge", epochs=4, batch_size=2,
                        seed=0, optimizer=optimizer, progress=False, compiled=compiled)
        results.append((history.loss, [p.data for p in model.parameters()]))
    assert calls == [1] * 4  # the compiled run's four epochs
    assert results[0] == results[1]  # bit for bit


def test_a_learning_rate_schedule_drives_adam():
    p = Value(1.0)
    optimizer = Adam([p], lr=LinearDecay(0.1, 0.01, 2))
    rates = []
    for _ in range(3):
        rates.append(optimizer.learning_rate)
        (p * 1.0).backward()
        optimizer.step()
    assert rates == pytest.approx([0.1, 0.1 - 0.09 / 2, 0.01], rel=1e-12)  # η(k) by hand
