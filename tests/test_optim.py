"""Tests for micrograd_ann.optim: SGD against torch.optim.SGD, schedules against their formulas."""

import math

import pytest

from micrograd_ann import Value
from micrograd_ann.optim import SGD, ConstantRate, ExponentialDecay, LinearDecay, StepDecay

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
