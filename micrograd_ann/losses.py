"""Losses: how far a model's outputs are from the targets, as one `Value` to call backward() on.

Each loss comes in two forms:

- a *per-sample* function, the loss of one output against one target
  (`squared_error`, `binary_cross_entropy`, `binary_cross_entropy_with_logits`,
  `softmax_cross_entropy`, `max_margin_loss`);
- a *batch* function, the mean of the per-sample losses over a list of outputs and a list of
  targets (`mse`, `bce`, `bce_with_logits`, `cross_entropy`, `hinge`).

`LOSSES` maps the names `train` accepts to a `Loss` record that also says which targets are valid
and how a prediction is read off an output (for accuracy). `l2_penalty` is the weight-decay term
that can be added to any loss.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from micrograd_ann import checks
from micrograd_ann.checks import shorten
from micrograd_ann.datasets import one_hot
from micrograd_ann.engine import Value

__all__ = [
    "Output",
    "Target",
    "Loss",
    "ClassTargets",
    "LOSSES",
    "get_loss",
    "PROBABILITY_EPSILON",
    "squared_error",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "softmax_cross_entropy",
    "max_margin_loss",
    "mse",
    "bce",
    "bce_with_logits",
    "cross_entropy",
    "hinge",
    "l2_penalty",
]

Output = Value | Sequence[Value]
"""A model's output for one sample: one `Value`, or a list of them for several output units."""

Target = float | int | Sequence[float]
"""One sample's target: a number (a value or a class label) or a list of numbers."""

PROBABILITY_EPSILON = 1e-12
"""`binary_cross_entropy` clamps probabilities to [ε, 1 − ε] so that log never sees 0."""


# -------------------------------------------------------------------------------------------------
# Per-sample losses
# -------------------------------------------------------------------------------------------------


def squared_error(output: Output, target: Target) -> Value:
    """(a − T)² for one output unit; the mean of (aᵢ − Tᵢ)² over the units for several.

    d/da (a − T)² = 2·(a − T).
    """
    if isinstance(output, Value):
        if not isinstance(target, (int, float)):
            raise ValueError(f"one output needs one number as its target, got {shorten(target)}")
        return (output - target) ** 2
    if not isinstance(target, Sequence) or len(target) != len(output):
        raise ValueError(
            f"{len(output)} outputs need a list of {len(output)} numbers as target, "
            f"got {shorten(target)}"
        )
    errors = [(unit - value) ** 2 for unit, value in zip(output, target)]
    return Value.sum(errors) / len(errors)


def _check_probability(output: Value) -> None:
    if not 0.0 <= output.data <= 1.0:
        raise ValueError(
            f"loss 'bce' needs probabilities in [0, 1], but the model gave {output.data!r}; "
            "end the model with a sigmoid (output_activation='sigmoid') or use 'bce_with_logits'"
        )


def _clamp_probability(probability: Value) -> Value:
    # Outside [ε, 1 − ε] the bound replaces the probability, so log never sees 0. The bound is
    # built as p·0 + bound: it stays attached to the graph with slope 0 (as with torch.clamp),
    # so backward() still works when every probability in a batch is clamped.
    if PROBABILITY_EPSILON <= probability.data <= 1.0 - PROBABILITY_EPSILON:
        return probability
    bound = PROBABILITY_EPSILON if probability.data < 0.5 else 1.0 - PROBABILITY_EPSILON
    return probability * 0.0 + bound


def binary_cross_entropy(probability: Value, target: float) -> Value:
    """−[T·ln p + (1 − T)·ln(1 − p)] for a probability p (say a sigmoid output) and T in [0, 1].

    p must lie in [0, 1] (else ValueError: the model lacks its sigmoid); it is then clamped to
    [ε, 1 − ε] (ε = `PROBABILITY_EPSILON`). Terms whose weight is 0 are left out, so a hard
    label 1 gives just −ln p, with d/dp = −1/p.
    """
    _check_probability(probability)
    p = _clamp_probability(probability)
    terms: list[Value] = []
    if target != 0.0:
        terms.append(target * p.log())
    if target != 1.0:
        terms.append((1.0 - target) * (1.0 - p).log())
    return -Value.sum(terms)


def _softplus(z: Value) -> Value:
    # softplus(z) = ln(1 + eᶻ). For z > 0 it is rewritten as z + ln(1 + e⁻ᶻ) so that exp only
    # ever sees a non-positive argument; d/dz softplus(z) = σ(z) in both forms.
    if z.data > 0.0:
        return z + (1.0 + (-z).exp()).log()
    return (1.0 + z.exp()).log()


def binary_cross_entropy_with_logits(logit: Value, target: float) -> Value:
    """Binary cross-entropy of σ(z) computed from the logit z: softplus(z) − T·z.

    Equal to `binary_cross_entropy(z.sigmoid(), T)` but finite for every finite z (no clamping
    needed), with d/dz = σ(z) − T.
    """
    loss = _softplus(logit)
    return loss - target * logit if target != 0.0 else loss


def softmax_cross_entropy(logits: Sequence[Value], target: int) -> Value:
    """−ln softmax(z)_k = ln Σⱼ e^(zⱼ − m) − (z_k − m), for logits z and class index k.

    m = max zⱼ is subtracted first (log-sum-exp), so exp never overflows. The gradient with
    respect to zⱼ is softmax(z)ⱼ − [j = k].
    """
    if not logits:
        raise ValueError("softmax_cross_entropy needs at least one logit, got none")
    checks.count(
        target, f"the target (a class index 0..{len(logits) - 1} for {len(logits)} logits)",
        minimum=0, maximum=len(logits) - 1,
    )
    largest = max(logit.data for logit in logits)
    shifted = [logit - largest for logit in logits]
    return Value.sum([value.exp() for value in shifted]).log() - shifted[target]


def max_margin_loss(score: Value, target: float) -> Value:
    """max(0, 1 − y·s) for a score s and a label y = ±1 (the SVM hinge, micrograd's demo loss).

    Zero once the sample is on the right side with a margin of 1; otherwise d/ds = −y.
    """
    return (1.0 - target * score).relu()


# -------------------------------------------------------------------------------------------------
# Batch losses: the mean over samples
# -------------------------------------------------------------------------------------------------


def _mean_over_batch(
    per_sample: Callable[[Any, Any], Value],
    outputs: Sequence[Any],
    targets: Sequence[Any],
) -> Value:
    if len(outputs) != len(targets):
        raise ValueError(f"got {len(outputs)} outputs but {len(targets)} targets; give one each")
    if not outputs:
        raise ValueError("the batch is empty: give at least one output and target")
    for index, output in enumerate(outputs):
        for unit in output if isinstance(output, (list, tuple)) else (output,):
            if not isinstance(unit, Value):
                raise TypeError(
                    f"output {index} is {type(unit).__name__} {shorten(unit)}, not a Value: a loss "
                    "differentiates the model's outputs, so pass what the model returned"
                )
    return Value.sum([per_sample(out, target) for out, target in zip(outputs, targets)]) * (
        1.0 / len(outputs)
    )


def mse(outputs: Sequence[Output], targets: Sequence[Target]) -> Value:
    """Mean squared error, (1/m) Σ (aᵢ − Tᵢ)² over m samples (and the mean over output units).

    The tutorials write E = 1/(2m) Σ (T − a)²: exactly half of this, so its gradient is half as
    large too (the ½ cancels the 2 of the derivative). Training with `mse` at learning rate η
    takes the same steps as with the tutorials' E at 2η.
    """
    return _mean_over_batch(squared_error, outputs, targets)


def bce(probabilities: Sequence[Value], targets: Sequence[float]) -> Value:
    """Mean binary cross-entropy of probabilities against 0/1 targets (see binary_cross_entropy)."""
    return _mean_over_batch(binary_cross_entropy, probabilities, targets)


def bce_with_logits(logits: Sequence[Value], targets: Sequence[float]) -> Value:
    """Mean binary cross-entropy computed from logits (see binary_cross_entropy_with_logits)."""
    return _mean_over_batch(binary_cross_entropy_with_logits, logits, targets)


def cross_entropy(logits: Sequence[Sequence[Value]], targets: Sequence[int]) -> Value:
    """Mean softmax cross-entropy: each output is a list of logits, each target a class index."""
    return _mean_over_batch(softmax_cross_entropy, logits, targets)


def hinge(scores: Sequence[Value], targets: Sequence[float]) -> Value:
    """Mean max-margin loss, (1/m) Σ max(0, 1 − yᵢ·sᵢ), for labels ±1 (see max_margin_loss)."""
    return _mean_over_batch(max_margin_loss, scores, targets)


def l2_penalty(parameters: Iterable[Value], alpha: float) -> Value:
    """α · Σ p², to add to a loss (micrograd's demo uses α = 1e-4). d/dp = 2αp.

    This is weight decay: `SGD(weight_decay=2 * alpha)` takes the same steps without the extra
    graph.
    """
    alpha = checks.non_negative_number(alpha, "alpha")
    return alpha * Value.sum([parameter * parameter for parameter in parameters])


# -------------------------------------------------------------------------------------------------
# The registry: names for train(), valid targets, and how to read a prediction
# -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Loss:
    """A loss as `train` uses it.

    Attributes:
        name: the name `train(loss=...)` accepts.
        per_sample: loss(output, target) for one sample; train averages it over each batch.
        labels: the valid targets, in words (used in error messages).
        encode_classes: encode_classes(labels, k) turns class labels 0..k−1 into this loss's
            targets, with the output units and output activation a model needs for them
            (a `ClassTargets`); see `class_targets`.
        max_classes: the most classes the loss separates (2 for the binary losses); None for
            any number.
        check_target: check_target(target, output_count) returns the target in the form
            `per_sample` expects, or raises ValueError saying why it is invalid. output_count is
            None for a model with a single output `Value`, else the length of its output list.
        predict: the predicted label of one output (compared with the target for accuracy);
            None for regression losses.
        check_output: raises ValueError if a model's output cannot be right for this loss;
            train calls it on the first row's output before training starts, so the mistake
            shows at once (the per-sample loss still checks every output). None when any
            output will do.
    """

    name: str
    per_sample: Callable[[Any, Any], Value]
    labels: str
    check_target: Callable[[Target, int | None], Target]
    predict: Callable[[Any], int] | None = None
    check_output: Callable[[Any], None] | None = None
    encode_classes: Callable[[list[int], int], ClassTargets] | None = None
    max_classes: int | None = None

    def class_targets(self, labels: Sequence[int]) -> ClassTargets:
        """Class labels 0..k−1 (k = the largest + 1) as targets for this loss, with the number
        of output units and the output activation of a model trained on them.

        Raises ValueError when the loss cannot separate k classes (the binary losses take 2).
        """
        if not labels:
            raise ValueError("no labels: give at least one class label")
        label_list = [
            checks.count(label, f"labels[{index}] (a class index)", minimum=0)
            for index, label in enumerate(labels)
        ]
        classes = max(max(label_list) + 1, 2)
        if self.max_classes is not None and classes > self.max_classes:
            raise ValueError(
                f"loss {self.name!r} separates {self.max_classes} classes (its labels are "
                f"{self.labels}), but the labels hold {classes}; use 'cross_entropy'"
            )
        if self.encode_classes is None:
            raise ValueError(f"loss {self.name!r} takes no class labels (its targets are "
                             f"{self.labels})")
        return self.encode_classes(label_list, classes)


@dataclass(frozen=True)
class ClassTargets:
    """Class labels encoded for a loss, and the model they call for.

    Attributes:
        targets: one target per label, in the form the loss's `check_target` accepts.
        outputs: how many output units the model needs.
        output_activation: the activation of its last layer ("sigmoid" where the loss reads
            probabilities, else "linear").
    """

    targets: list[Target]
    outputs: int
    output_activation: str


def _as_probabilities(labels: list[int], classes: int) -> ClassTargets:
    """mse on classes: one sigmoid unit fitting 0/1, or one sigmoid unit per class (one-hot)."""
    if classes == 2:
        return ClassTargets(list(labels), 1, "sigmoid")
    return ClassTargets(list(one_hot(labels, classes)), classes, "sigmoid")


def _as_zero_one(output_activation: str) -> Callable[[list[int], int], ClassTargets]:
    """0/1 labels kept as they are, for one output unit with `output_activation`."""
    return lambda labels, classes: ClassTargets(list(labels), 1, output_activation)


def _as_plus_minus_one(labels: list[int], classes: int) -> ClassTargets:
    """0/1 labels as −1/+1 (y ↦ 2y − 1) for one linear score, as the hinge loss wants."""
    return ClassTargets([2 * label - 1 for label in labels], 1, "linear")


def _as_class_indices(labels: list[int], classes: int) -> ClassTargets:
    """Class indices kept as they are, for one linear output (a logit) per class."""
    return ClassTargets(list(labels), classes, "linear")


def _require_single_output(name: str, output_count: int | None) -> None:
    if output_count is not None:
        raise ValueError(
            f"loss {name!r} needs a model with a single output Value, but it returns a list of "
            f"{output_count}; end the model with one unit, or use 'cross_entropy' for classes"
        )


def _check_regression_target(target: Target, output_count: int | None) -> Target:
    if output_count is None:
        if isinstance(target, Sequence):
            if len(target) != 1:
                raise ValueError(
                    "the model has one output, so the target must be one number, "
                    f"got {shorten(target)}"
                )
            return target[0]
        return target
    if not isinstance(target, Sequence) or len(target) != output_count:
        raise ValueError(
            f"the model has {output_count} outputs, so the target must be a list of "
            f"{output_count} numbers, got {shorten(target)}"
        )
    return target


def _check_binary_target(name: str, valid: tuple[float, float], hint: str) -> Callable[..., Target]:
    def check(target: Target, output_count: int | None) -> Target:
        _require_single_output(name, output_count)
        if isinstance(target, Sequence) or target not in valid:
            raise ValueError(
                f"loss {name!r} needs labels {valid[0]:g} or {valid[1]:g}, "
                f"got {shorten(target)}{hint}"
            )
        return float(target)

    return check


def _check_class_index(target: Target, output_count: int | None) -> Target:
    if output_count is None or output_count < 2:
        raise ValueError(
            "loss 'cross_entropy' needs a model that returns a list of logits, one per class "
            "(at least 2); use 'bce_with_logits' or 'hinge' for a single output"
        )
    if isinstance(target, Sequence) or not (
        isinstance(target, int) or float(target).is_integer()
    ):
        raise ValueError(
            f"loss 'cross_entropy' needs a class index 0..{output_count - 1}, "
            f"got {shorten(target)} (for one-hot targets give the index of the 1 instead)"
        )
    if not 0 <= target < output_count:
        raise ValueError(
            f"class index {shorten(target)} is outside 0..{output_count - 1}: the model has "
            f"{output_count} outputs, one per class"
        )
    return int(target)


def _index_of_largest(logits: Sequence[Value]) -> int:
    values = [logit.data for logit in logits]
    return values.index(max(values))


LOSSES: dict[str, Loss] = {
    loss.name: loss
    for loss in (
        Loss(
            "mse", squared_error, "any numbers", _check_regression_target,
            encode_classes=_as_probabilities,
        ),
        Loss(
            "bce", binary_cross_entropy, "0 or 1",
            _check_binary_target("bce", (0.0, 1.0), ""),
            predict=lambda probability: 1 if probability.data >= 0.5 else 0,
            check_output=_check_probability,
            encode_classes=_as_zero_one("sigmoid"), max_classes=2,
        ),
        Loss(
            "bce_with_logits", binary_cross_entropy_with_logits, "0 or 1",
            _check_binary_target("bce_with_logits", (0.0, 1.0), ""),
            predict=lambda logit: 1 if logit.data >= 0.0 else 0,
            encode_classes=_as_zero_one("linear"), max_classes=2,
        ),
        Loss(
            "cross_entropy", softmax_cross_entropy, "class indices 0..k-1", _check_class_index,
            predict=_index_of_largest,
            encode_classes=_as_class_indices,
        ),
        Loss(
            "hinge", max_margin_loss, "-1 or +1",
            _check_binary_target("hinge", (-1.0, 1.0), " (turn 0/1 labels into ±1 with 2*y - 1)"),
            predict=lambda score: 1 if score.data > 0.0 else -1,
            encode_classes=_as_plus_minus_one, max_classes=2,
        ),
    )
}


def get_loss(loss: str | Loss) -> Loss:
    """The `Loss` registered under a name (or the `Loss` itself); ValueError lists the names."""
    if isinstance(loss, Loss):
        return loss
    if isinstance(loss, str) and loss in LOSSES:
        return LOSSES[loss]
    valid = ", ".join(repr(name) for name in LOSSES)
    raise ValueError(f"unknown loss {shorten(loss)}; choose one of {valid}")
