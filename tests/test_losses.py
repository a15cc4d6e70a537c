"""Tests for micrograd_ann.losses: values and gradients against hand derivations and PyTorch."""

import math
import re

import pytest

from micrograd_ann import Value, losses


def values(numbers):
    return [Value(number) for number in numbers]


def grads(leaves):
    return [leaf.grad for leaf in leaves]


# -- mse ------------------------------------------------------------------------------------------


def test_mse_value_and_gradient_by_hand():
    outputs = values([2.0, -1.0])
    loss = losses.mse(outputs, [1.0, 1.0])
    loss.backward()
    # ((2 − 1)² + (−1 − 1)²) / 2 = 2.5;  ∂/∂aᵢ = 2(aᵢ − Tᵢ)/m = 1, −2
    assert loss.data == pytest.approx(2.5, abs=1e-15)
    assert grads(outputs) == pytest.approx([1.0, -2.0], abs=1e-15)


def test_mse_is_twice_the_tutorials_half_form():
    # The tutorials' E = 1/(2m) Σ(T − a)² has ∂E/∂a = (a − T)/m; mse's gradient is twice that.
    outputs = values([0.3, 0.9, 0.5])
    targets = [0.75, 0.82, 0.93]
    loss = losses.mse(outputs, targets)
    loss.backward()
    half_form = sum((t - a.data) ** 2 for a, t in zip(outputs, targets)) / (2 * 3)
    assert loss.data == pytest.approx(2 * half_form, rel=1e-14)
    for output, target in zip(outputs, targets):
        assert output.grad == pytest.approx(2 * (output.data - target) / 3, rel=1e-14)


def test_mse_several_outputs_matches_torch():
    torch = pytest.importorskip("torch")
    outputs = [values(row) for row in [[0.5, -1.5, 2.0], [0.1, 0.2, -0.3]]]
    targets = [[1.0, 0.0, 2.5], [0.0, 0.0, 1.0]]
    loss = losses.mse(outputs, targets)
    loss.backward()
    tensor = torch.tensor([[v.data for v in row] for row in outputs], dtype=torch.float64,
                          requires_grad=True)
    expected = torch.nn.functional.mse_loss(tensor, torch.tensor(targets, dtype=torch.float64))
    expected.backward()
    assert loss.data == pytest.approx(expected.item(), rel=1e-14)
    leaves = [leaf for row in outputs for leaf in row]
    assert grads(leaves) == pytest.approx(tensor.grad.flatten().tolist(), rel=1e-14)


def test_squared_error_rejects_mismatched_targets():
    with pytest.raises(ValueError, match="one number"):
        losses.squared_error(Value(1.0), [1.0, 2.0])
    with pytest.raises(ValueError, match="list of 2 numbers"):
        losses.squared_error(values([1.0, 2.0]), [1.0])


# -- binary cross-entropy -------------------------------------------------------------------------


def assert_matches_torch(our_loss, torch_loss, numbers, targets, rel=1e-13):
    """Our batch loss and its gradients against a torch.nn.functional loss in float64."""
    torch = pytest.importorskip("torch")
    nested = isinstance(numbers[0], list)
    outputs = [values(row) for row in numbers] if nested else values(numbers)
    loss = our_loss(outputs, targets)
    loss.backward()
    tensor = torch.tensor(numbers, dtype=torch.float64, requires_grad=True)
    target_tensor = torch.tensor(targets, dtype=torch.long if nested else torch.float64)
    expected = torch_loss(tensor, target_tensor)
    expected.backward()
    assert loss.data == pytest.approx(expected.item(), rel=rel)
    leaves = [leaf for row in outputs for leaf in row] if nested else outputs
    expected_grads = tensor.grad.flatten().tolist()
    assert grads(leaves) == pytest.approx(expected_grads, rel=rel, abs=1e-16)


def test_bce_matches_torch():
    torch = pytest.importorskip("torch")
    assert_matches_torch(
        losses.bce, torch.nn.functional.binary_cross_entropy,
        [0.2, 0.7, 0.99, 0.4], [0.0, 1.0, 1.0, 0.0],
    )


def test_bce_hand_gradient_for_label_one():
    # −ln p, d/dp = −1/p
    p = Value(0.25)
    losses.binary_cross_entropy(p, 1.0).backward()
    assert p.grad == pytest.approx(-4.0, rel=1e-15)


def test_bce_clamps_certain_wrong_probabilities():
    for probability, target in [(0.0, 1.0), (1.0, 0.0)]:
        p = Value(probability)
        loss = losses.binary_cross_entropy(p, target)
        loss.backward()
        # −ln ε ≈ 27.63 (1 − (1 − ε) is not exactly ε in floats, hence the loose tolerance)
        assert loss.data == pytest.approx(-math.log(losses.PROBABILITY_EPSILON), rel=1e-4)
        assert p.grad == 0.0  # clamped: the bound is a constant


@pytest.mark.parametrize("bad", [1.5, -0.25])
def test_bce_checks_every_output_not_only_the_first(bad: float) -> None:
    outputs = [Value(0.5), Value(0.25), Value(bad)]
    with pytest.raises(ValueError, match=rf"probabilities in \[0, 1\].*gave {bad}"):
        losses.bce(outputs, [1.0, 0.0, 1.0])


def test_train_with_bce_checks_every_row_not_only_the_first() -> None:
    from micrograd_ann import Neuron, train

    model = Neuron(1, activation="linear", seed=0)
    model.load_state_dict({"w.0": 1.0, "b": 0.0})
    # Row 0 gives 0.5, a fine probability; row 1 gives 3.0, which no sigmoid can give.
    with pytest.raises(ValueError, match=r"gave 3\.0.*sigmoid"):
        train(model, [[0.5], [3.0]], [1, 0], loss="bce", epochs=1, progress=False)


def test_bce_with_logits_matches_torch_including_zero_logit():
    torch = pytest.importorskip("torch")
    assert_matches_torch(
        losses.bce_with_logits, torch.nn.functional.binary_cross_entropy_with_logits,
        [-3.0, 0.0, 2.5, 0.0, 40.0], [0.0, 1.0, 1.0, 0.0, 0.0],
    )


@pytest.mark.parametrize(
    ("logit", "target", "loss_value", "gradient"),
    [
        # softplus(z) − T·z: for z = ±1000 the loss is |z| or 0 and the slope σ(z) − T is 0 or ±1
        (1000.0, 0.0, 1000.0, 1.0),
        (1000.0, 1.0, 0.0, 0.0),
        (-1000.0, 1.0, 1000.0, -1.0),
        (-1000.0, 0.0, 0.0, 0.0),
    ],
)
def test_bce_with_logits_is_stable_for_huge_logits(logit, target, loss_value, gradient):
    z = Value(logit)
    loss = losses.binary_cross_entropy_with_logits(z, target)
    loss.backward()
    assert loss.data == pytest.approx(loss_value, abs=1e-12)
    assert z.grad == pytest.approx(gradient, abs=1e-12)


def test_bce_with_logits_equals_bce_of_sigmoid():
    for logit in (-4.0, -0.5, 0.3, 6.0):
        for target in (0.0, 1.0):
            via_logits = losses.binary_cross_entropy_with_logits(Value(logit), target).data
            via_sigmoid = losses.binary_cross_entropy(Value(logit).sigmoid(), target).data
            assert via_logits == pytest.approx(via_sigmoid, rel=1e-12)


# -- cross-entropy --------------------------------------------------------------------------------


def test_cross_entropy_matches_torch():
    torch = pytest.importorskip("torch")
    # nested lists of numbers: the targets become a tensor of class indices
    assert_matches_torch(
        losses.cross_entropy, torch.nn.functional.cross_entropy,
        [[1.0, 2.0, 3.0], [0.5, -0.5, 0.0], [-2.0, 4.0, 1.0]], [0, 2, 1], rel=1e-12,
    )


def test_cross_entropy_is_stable_for_huge_logits():
    # logits (1000, 0, −1000), class 0: softmax ≈ (1, e⁻¹⁰⁰⁰, 0), so loss ≈ 0, grad ≈ (0, 0, 0);
    # class 1: loss = 1000, grad = softmax − onehot ≈ (1, −1, 0).
    for target, loss_value, gradient in [(0, 0.0, [0.0, 0.0, 0.0]), (1, 1000.0, [1.0, -1.0, 0.0])]:
        logits = values([1000.0, 0.0, -1000.0])
        loss = losses.softmax_cross_entropy(logits, target)
        loss.backward()
        assert loss.data == pytest.approx(loss_value, abs=1e-9)
        assert grads(logits) == pytest.approx(gradient, abs=1e-12)


def test_cross_entropy_by_hand_two_classes():
    # logits (0, ln 3): softmax = (1/4, 3/4); class 1: loss = −ln(3/4), grad = (1/4, −1/4)
    logits = values([0.0, math.log(3.0)])
    loss = losses.softmax_cross_entropy(logits, 1)
    loss.backward()
    assert loss.data == pytest.approx(-math.log(0.75), rel=1e-14)
    assert grads(logits) == pytest.approx([0.25, -0.25], rel=1e-14)


# -- hinge ----------------------------------------------------------------------------------------


def test_hinge_value_and_gradient_by_hand():
    scores = values([2.0, 0.5, -0.3, 0.4])
    targets = [1.0, 1.0, 1.0, -1.0]
    loss = losses.hinge(scores, targets)
    loss.backward()
    # max(0, 1 − y·s): 0, 0.5, 1.3, 1.4 → mean 0.8; d/ds = −y/m where the margin is violated
    assert loss.data == pytest.approx(0.8, rel=1e-15)
    assert grads(scores) == pytest.approx([0.0, -0.25, -0.25, 0.25], rel=1e-15)


def test_hinge_matches_torch():
    torch = pytest.importorskip("torch")
    assert_matches_torch(
        losses.hinge, lambda scores, labels: torch.relu(1 - labels * scores).mean(),
        [1.5, -0.2, 0.7, -2.0, 0.0], [1.0, 1.0, -1.0, -1.0, 1.0],
    )


# -- L2 penalty -----------------------------------------------------------------------------------


def test_l2_penalty_value_and_gradient():
    parameters = values([1.0, -2.0, 0.5])
    penalty = losses.l2_penalty(parameters, alpha=0.1)
    penalty.backward()
    # 0.1 · (1 + 4 + 0.25) = 0.525;  d/dp = 2αp
    assert penalty.data == pytest.approx(0.525, rel=1e-15)
    assert grads(parameters) == pytest.approx([0.2, -0.4, 0.1], rel=1e-15)


def test_l2_penalty_rejects_negative_alpha():
    with pytest.raises(ValueError, match="alpha"):
        losses.l2_penalty(values([1.0]), alpha=-1.0)
    with pytest.raises(TypeError, match="alpha must be a number"):
        losses.l2_penalty(values([1.0]), alpha="0.1")  # type: ignore[arg-type]


# -- batch checks, registry -----------------------------------------------------------------------


def test_batch_losses_need_matching_non_empty_lists():
    with pytest.raises(ValueError, match="2 outputs but 1 targets"):
        losses.mse(values([1.0, 2.0]), [1.0])
    with pytest.raises(ValueError, match="empty"):
        losses.hinge([], [])


def test_registry_names_and_unknown_name():
    assert set(losses.LOSSES) == {"mse", "bce", "bce_with_logits", "cross_entropy", "hinge"}
    assert losses.get_loss("hinge") is losses.LOSSES["hinge"]
    with pytest.raises(ValueError, match=r"unknown loss 'l1'.*'mse'.*'hinge'"):
        losses.get_loss("l1")


@pytest.mark.parametrize(
    ("name", "output", "expected"),
    [
        ("bce", Value(0.5), 1),
        ("bce", Value(0.49), 0),
        ("bce_with_logits", Value(0.0), 1),
        ("bce_with_logits", Value(-0.1), 0),
        ("hinge", Value(0.2), 1),
        ("hinge", Value(0.0), -1),
        ("cross_entropy", values([0.1, 3.0, -1.0]), 1),
        ("cross_entropy", values([2.0, 2.0, 1.0]), 0),
    ],
)
def test_predictions_for_accuracy(name, output, expected):
    assert losses.LOSSES[name].predict(output) == expected


def test_mse_has_no_accuracy():
    assert losses.LOSSES["mse"].predict is None


@pytest.mark.parametrize(
    ("name", "target", "output_count", "message"),
    [
        ("bce", 2, None, "labels 0 or 1"),
        ("bce", 1, 3, "single output"),
        ("hinge", 0, None, r"labels -1 or 1.*2\*y - 1"),
        ("cross_entropy", 3, 3, r"outside 0..2"),
        ("cross_entropy", -1, 3, r"outside 0..2"),
        ("cross_entropy", 1.5, 3, "class index"),
        ("cross_entropy", 0, None, "list of logits"),
        ("mse", [1.0, 2.0], None, "one number"),
        ("mse", 1.0, 2, "list of 2 numbers"),
    ],
)
def test_check_target_rejects(name, target, output_count, message):
    with pytest.raises(ValueError, match=message):
        losses.LOSSES[name].check_target(target, output_count)


def test_check_target_normalises():
    assert losses.LOSSES["cross_entropy"].check_target(2.0, 3) == 2
    assert losses.LOSSES["hinge"].check_target(-1, None) == -1.0
    assert losses.LOSSES["mse"].check_target([0.5], None) == 0.5


@pytest.mark.parametrize(
    ("target", "error"),
    [(-1, ValueError), (3, ValueError), (1.0, TypeError), (True, TypeError), ("1", TypeError)],
)
def test_cross_entropy_refuses_a_target_that_is_not_a_class_index(
    target: object, error: type[Exception]
) -> None:
    logits = [Value(1.0), Value(2.0), Value(3.0)]
    with pytest.raises(error, match=r"class index 0\.\.2"):
        losses.softmax_cross_entropy(logits, target)  # type: ignore[arg-type]


def test_cross_entropy_refuses_empty_logits() -> None:
    with pytest.raises(ValueError, match="at least one logit"):
        losses.softmax_cross_entropy([], 0)


# -------------------------------------------------------------------------------------------------
# Class labels encoded by each loss (what `micrograd-ann train` builds its model from)
# -------------------------------------------------------------------------------------------------

TWO_CLASSES = [0, 1, 1, 0]
THREE_CLASSES = [0, 2, 1]


@pytest.mark.parametrize(
    ("name", "targets", "outputs", "activation"),
    [
        ("mse", [0, 1, 1, 0], 1, "sigmoid"),
        ("bce", [0, 1, 1, 0], 1, "sigmoid"),
        ("bce_with_logits", [0, 1, 1, 0], 1, "linear"),
        ("hinge", [-1, 1, 1, -1], 1, "linear"),
        ("cross_entropy", [0, 1, 1, 0], 2, "linear"),
    ],
)
def test_each_loss_encodes_two_classes_its_own_way(
    name: str, targets: list[int], outputs: int, activation: str
) -> None:
    loss = losses.LOSSES[name]
    encoded = loss.class_targets(TWO_CLASSES)
    assert (encoded.targets, encoded.outputs, encoded.output_activation) == (
        targets, outputs, activation
    )
    output_count = None if outputs == 1 else outputs
    for target in encoded.targets:  # the loss accepts what it encoded
        loss.check_target(target, output_count)


def test_three_classes_are_one_hot_for_mse_and_indices_for_cross_entropy() -> None:
    mse = losses.LOSSES["mse"].class_targets(THREE_CLASSES)
    assert mse.targets == [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, 1.0, 0.0]]
    assert (mse.outputs, mse.output_activation) == (3, "sigmoid")
    cross_entropy = losses.LOSSES["cross_entropy"].class_targets(THREE_CLASSES)
    assert (cross_entropy.targets, cross_entropy.outputs) == (THREE_CLASSES, 3)


@pytest.mark.parametrize("name", ["bce", "bce_with_logits", "hinge"])
def test_binary_losses_refuse_three_classes_naming_their_labels(name: str) -> None:
    loss = losses.LOSSES[name]
    labels = re.escape(loss.labels)
    with pytest.raises(ValueError, match=rf"separates 2 classes \(its labels are {labels}\)"
                                         r".*hold 3; use 'cross_entropy'"):
        loss.class_targets(THREE_CLASSES)


def test_class_labels_must_be_class_indices() -> None:
    with pytest.raises(TypeError, match="a class index"):
        losses.LOSSES["hinge"].class_targets([0, 1.0])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="at least 0"):
        losses.LOSSES["hinge"].class_targets([0, -1])


@pytest.mark.parametrize(
    ("loss", "outputs", "targets"),
    [
        (losses.bce, [Value(0.5), 0.7], [1, 0]),
        (losses.hinge, [Value(0.5), 0.7], [1, -1]),
        (losses.bce_with_logits, [0.2], [1]),
        (losses.mse, [[Value(0.5), 0.25]], [[1.0, 0.0]]),
        (losses.cross_entropy, [[Value(0.5), 2.0]], [0]),
    ],
    ids=["bce", "hinge", "bce_with_logits", "mse", "cross_entropy"],
)
def test_an_output_that_is_not_a_value_is_named(loss, outputs, targets) -> None:
    with pytest.raises(TypeError, match=r"output \d is float 0\.\d+|output 0 is float 2\.0"):
        loss(outputs, targets)
