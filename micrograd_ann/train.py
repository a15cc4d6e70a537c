"""Train: the gradient-descent loop that fits a model to data and records its `History`.

One epoch is one pass over the training set, split into batches. For each batch the loop runs

    forward (model(x) for every row) → mean loss → zero_grad → backward → optimizer.step()

and after the epoch it records the mean training loss (and accuracy, for classification losses)
in a `History`. The data are checked once, before the first epoch, so that the loop itself does
nothing but arithmetic.
"""

from __future__ import annotations

import gc
import math
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import IO, Any, Protocol

from micrograd_ann import checks
from micrograd_ann.checks import shorten
from micrograd_ann.compile import ModelProgram, model_program, run_compiled_epoch
from micrograd_ann.engine import Value, no_grad
from micrograd_ann.history import (
    History,
    TrainingDiverged,
    check_divergence,
    check_final_divergence,
    diverged,
    diverged_after_last_step,
)
from micrograd_ann.losses import Loss, Target, get_loss
from micrograd_ann.optim import SGD, Adam, AdamW, Schedule

__all__ = [
    "MAX_GRAPH_EDGES",
    "History",
    "TrainingDiverged",
    "Model",
    "Optimizer",
    "Callback",
    "train",
    "evaluate",
    "progress_enabled",
]


MAX_GRAPH_EDGES = 20_000_000
"""The largest graph one training step may build: a batch of n rows through a model of p
parameters builds about n·p edges (each weight meets each row once), some 36 bytes and a
microsecond or two each in this pure-Python engine. `train` refuses a bigger batch up front."""


class Model(Protocol):
    """What `train` needs of a model: its parameters, and an output for one row of inputs.

    Each row reaches the model as a list of constant `Value`s (`requires_grad=False`). If the
    model has an int attribute `nin` (the number of inputs), rows are checked against it.
    """

    def parameters(self) -> list[Value]: ...

    def __call__(self, row: list[Value], /) -> Any: ...


class Optimizer(Protocol):
    """What `train` needs of an optimizer (`SGD` is one)."""

    def zero_grad(self) -> None: ...

    def step(self) -> None: ...


Callback = Callable[[int, History], "bool | None"]
"""Called after each epoch as callback(epoch, history); returning False stops training."""


# -------------------------------------------------------------------------------------------------
# The training loop
# -------------------------------------------------------------------------------------------------


def train(
    model: Model,
    X: Iterable[Iterable[float]],
    y: Iterable[Target],
    *,
    loss: str | Loss,
    epochs: int = 100,
    lr: float | Schedule = 0.1,
    batch_size: int | None = None,
    shuffle: bool = True,
    seed: checks.Seed = None,
    progress: bool = True,
    optimizer: Optimizer | None = None,
    validation: tuple[Iterable[Iterable[float]], Iterable[Target]] | None = None,
    callbacks: Iterable[Callback] = (),
    compiled: bool = True,
) -> History:
    """Fit `model` to the rows `X` and targets `y` by gradient descent; return the `History`.

    Args:
        model: anything with `parameters()` and `model(row)` (an `MLP`, a `Neuron`, …). It is
            called with each row as a list of constant `Value`s, made once before training.
        X: the input rows, each a list of numbers (all the same length).
        y: one target per row, valid for the loss: 0/1 for "bce" and "bce_with_logits",
            −1/+1 for "hinge", a class index 0..k−1 for "cross_entropy" (k = number of
            outputs), a number or a list of numbers (one per output) for "mse".
        loss: a name from `losses.LOSSES` ("mse", "bce", "bce_with_logits", "cross_entropy",
            "hinge") or a `losses.Loss`.
        epochs: passes over the data (at least 1).
        lr: the learning rate η, or a schedule called with the epoch number (0, 1, …) at the
            start of each epoch. Ignored when `optimizer` is given.
        batch_size: None for full-batch gradient descent (one step per epoch on the mean loss of
            all rows), 1 for per-sample SGD, n for mini-batches of n rows (mean loss per batch).
        shuffle: visit the rows in a new random order each epoch (when there is more than one
            batch; the order of a single full batch does not change the step).
        seed: seed for the shuffling, so that a run can be repeated exactly (an int, a
            `random.Random`, or None: drawn from Python's global `random`, see `checks`).
        progress: show a tqdm progress bar with the epoch, loss and accuracy (only when stdout
            is a terminal).
        optimizer: anything with `zero_grad()` and `step()` (`SGD`, `Adam`, `AdamW`, your
            own); by default `SGD(model.parameters(), lr)`.
        validation: (X, y) evaluated after each epoch under `no_grad()`.
        callbacks: functions called after each epoch as `callback(epoch, history)`, with
            `epoch` counting from 0 (so `history.loss[epoch]` is that epoch's loss). If any
            returns False, training stops after that epoch.
        compiled: run the built-in models (`Neuron`, `Layer`, `MLP`) with a built-in optimizer
            (`SGD`, `Adam`, `AdamW`) through generated straight-line code
            (`compile.model_program`): the same numbers as the graph path, several times faster.
            False keeps the graph path; custom models and optimizers always take it.

    Returns:
        A `History`: per-epoch mean training loss, accuracy (for classification losses),
        validation loss and accuracy, learning rate, and `epochs_run`; and `final_loss` and
        `final_accuracy`, the returned model's scores on the training data (one more forward
        pass, after the last step: each epoch's own numbers are taken before its steps).

    Raises (by the one rule of `checks`):
        TypeError: an argument or a datum of the wrong type: a non-number in the data (bools
            included, since True/False as an input is almost always a mistake), a float such
            as 2.0 for `epochs` or `batch_size`, a number where a row belongs.
        ValueError: bad values, with the reason (ragged rows, NaN or infinity,
            len(X) ≠ len(y), rows of the wrong width for `model.nin`, labels the loss does not
            accept, an unknown loss name, lr ≤ 0, epochs < 1, batch_size < 1, a batch whose
            graph would pass `MAX_GRAPH_EDGES`).
        TrainingDiverged: by the rule of `history.check_divergence` (a parameter or the loss
            became infinite or NaN, or the loss grew past 10⁶ × its first epoch's level), or
            the arithmetic overflowed; the rule is applied after every epoch and once more to
            the trained model, so a last step that overshoots is caught too.
    """
    chosen = get_loss(loss)
    epochs = checks.count(epochs, "epochs")
    if batch_size is not None:
        batch_size = checks.count(batch_size, "batch_size")
    schedule = lr if callable(lr) else None
    if schedule is None and optimizer is None:  # an optimizer brings its own rate
        _check_learning_rate(lr, "lr")
    rows, targets = _prepare_data(model, X, y, chosen, "")
    if validation is not None:
        if not isinstance(validation, (tuple, list)) or len(validation) != 2:
            raise ValueError(f"validation must be a pair (X, y), got {type(validation).__name__}")
        validation_rows, validation_targets = _prepare_data(
            model, validation[0], validation[1], chosen, "validation "
        )
    parameters = model.parameters()
    own_optimizer: SGD | None = None
    if optimizer is None:
        # A schedule given to train is applied per epoch (below), not per step.
        optimizer = own_optimizer = SGD(parameters, lr=lr)
    callbacks = list(callbacks)
    program = _compiled_program(model, parameters, optimizer) if compiled else None
    float_rows = [[value.data for value in row] for row in rows] if program is not None else []

    sample_count = len(rows)
    size = sample_count if batch_size is None else min(batch_size, sample_count)
    _check_graph_size(len(parameters), size, batch_size)
    order = list(range(sample_count))
    shuffler = checks.random_generator(seed)
    history = History()
    from tqdm import tqdm  # here, not at the top: `import micrograd_ann` stays without it

    bar = tqdm(
        range(epochs), desc="training", unit="epoch", file=sys.stdout,
        disable=not progress_enabled(progress),
    )
    with bar:
        for epoch in bar:
            if schedule is not None and own_optimizer is not None:
                own_optimizer.lr = _check_learning_rate(
                    schedule(epoch), f"the lr schedule at epoch {epoch}"
                )
            rate = getattr(optimizer, "learning_rate", None)
            if shuffle and size < sample_count:
                shuffler.shuffle(order)
            try:
                with _garbage_collector_paused():
                    if program is not None:
                        total_loss, correct = run_compiled_epoch(
                            program, parameters, float_rows, targets, order, size,
                            chosen.per_sample, chosen.predict, optimizer,
                        )
                    else:
                        total_loss, correct = _run_epoch(
                            model, rows, targets, order, size, chosen, optimizer
                        )
            except ArithmeticError as error:  # overflow, division by zero, a non-finite loss
                raise diverged(epoch, epochs, rate, str(error)) from error
            history.loss.append(total_loss / sample_count)
            check_divergence(history, parameters, epochs, rate)
            if chosen.predict is not None:
                history.accuracy.append(correct / sample_count)
            if isinstance(rate, float):
                history.learning_rate.append(rate)
            if validation is not None:
                try:
                    validation_loss, validation_accuracy = _evaluate(
                        model, validation_rows, validation_targets, chosen
                    )
                except ArithmeticError as error:
                    raise diverged(epoch, epochs, rate, str(error)) from error
                history.validation_loss.append(validation_loss)
                if validation_accuracy is not None:
                    history.validation_accuracy.append(validation_accuracy)
            history.epochs_run = epoch + 1
            bar.set_postfix(_summary(history), refresh=False)
            answers = [callback(epoch, history) for callback in callbacks]
            if any(answer is False for answer in answers):
                break
    # The epochs' losses were measured before their steps: score the model being returned.
    try:
        history.final_loss, history.final_accuracy = _evaluate(
            model, rows, targets, chosen, program, parameters
        )
    except ArithmeticError as error:
        raise diverged_after_last_step(history, epochs, rate, error) from error
    check_final_divergence(history, parameters, epochs, rate)
    return history


def _compiled_program(
    model: Model, parameters: list[Value], optimizer: Optimizer
) -> ModelProgram | None:
    """The generated program for a built-in model trained by a built-in optimizer (`SGD`,
    `Adam`, `AdamW`: they read only each parameter's data and grad) over its parameters."""
    if not isinstance(optimizer, SGD | Adam) or type(optimizer) not in (SGD, Adam, AdamW):
        return None  # exactly one of ours: a subclass's step() might read more than data, grad
    if len(optimizer.params) != len(parameters):
        return None
    if any(mine is not theirs for mine, theirs in zip(optimizer.params, parameters)):
        return None
    return model_program(model)


def _run_epoch(
    model: Model,
    rows: list[list[Value]],
    targets: list[Target],
    order: list[int],
    batch_size: int,
    loss: Loss,
    optimizer: Optimizer,
) -> tuple[float, int]:
    """One pass over the data in batches; returns (sum of the sample losses, correct count).

    Each sample's loss is taken from the forward pass that also feeds the step, so the epoch's
    loss and accuracy cost no extra forward pass.
    """
    per_sample = loss.per_sample
    predict = loss.predict
    total_loss = 0.0
    correct = 0
    for start in range(0, len(order), batch_size):
        batch = order[start : start + batch_size]
        outputs = [model(rows[index]) for index in batch]
        batch_targets = [targets[index] for index in batch]
        summed = Value.sum(list(map(per_sample, outputs, batch_targets)))
        if not math.isfinite(summed.data):
            raise ArithmeticError(f"the loss became {summed.data!r}")
        batch_loss = summed * (1.0 / len(batch))
        optimizer.zero_grad()
        batch_loss.backward()
        optimizer.step()
        total_loss += summed.data
        if predict is not None:
            correct += sum(map(_equal, map(predict, outputs), batch_targets))
    return total_loss, correct


@contextmanager
def _garbage_collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector while an epoch builds and frees its graphs.

    A graph of `Value`s has no reference cycles (nodes point only to their children), so
    reference counting frees it; the cycle collector would only rescan the thousands of live
    nodes every few hundred allocations, which costs about a fifth of a training step. The
    switch is process-wide: cycles made meanwhile by other threads wait until the epoch ends.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _equal(prediction: int, target: Target) -> bool:
    return prediction == target


def _summary(history: History) -> dict[str, str]:
    shown = {"loss": f"{history.loss[-1]:.4f}"}
    if history.accuracy:
        shown["accuracy"] = f"{history.accuracy[-1]:.1%}"
    if history.validation_loss:
        shown["validation_loss"] = f"{history.validation_loss[-1]:.4f}"
    if history.validation_accuracy:
        shown["validation_accuracy"] = f"{history.validation_accuracy[-1]:.1%}"
    return shown


def progress_enabled(progress: bool, stream: IO[str] | None = None) -> bool:
    """Whether `train` shows its progress bar: asked for, and `stream` (stdout) is a terminal."""
    if not progress:
        return False
    stream = sys.stdout if stream is None else stream
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # no isatty, or the stream is closed
        return False


# -------------------------------------------------------------------------------------------------
# Evaluation
# -------------------------------------------------------------------------------------------------


def evaluate(
    model: Model, X: Iterable[Iterable[float]], y: Iterable[Target], *, loss: str | Loss
) -> tuple[float, float | None]:
    """(mean loss, accuracy) of `model` on the rows `X` and targets `y`, under `no_grad()`.

    The accuracy is None for regression losses. The data are checked as in `train`.
    """
    chosen = get_loss(loss)
    rows, targets = _prepare_data(model, X, y, chosen, "")
    return _evaluate(model, rows, targets, chosen)


def _evaluate(
    model: Model,
    rows: list[list[Value]],
    targets: list[Target],
    loss: Loss,
    program: ModelProgram | None = None,
    parameters: list[Value] | None = None,
) -> tuple[float, float | None]:
    """(mean loss, accuracy or None); the outputs from `program`'s forward pass when given
    (the same numbers as the model's, without building a graph per row)."""
    with no_grad():
        if program is None or parameters is None:
            outputs = [model(row) for row in rows]
        else:
            outputs = _compiled_outputs(program, parameters, rows)
        total = math.fsum(map(_data, map(loss.per_sample, outputs, targets)))
    if loss.predict is None:
        return total / len(rows), None
    correct = sum(map(_equal, map(loss.predict, outputs), targets))
    return total / len(rows), correct / len(rows)


def _data(value: Value) -> float:
    return value.data


def _compiled_outputs(
    program: ModelProgram, parameters: list[Value], rows: list[list[Value]]
) -> list[Any]:
    """Each row's output (a Value, or a list of them) from the generated forward pass."""
    params = [parameter.data for parameter in parameters]
    outputs: list[Any] = []
    for row in rows:
        result, _ = program.forward(params, [value.data for value in row])
        leaves = [Value(number) for number in result]
        outputs.append(leaves[0] if program.single_output else leaves)
    return outputs


# -------------------------------------------------------------------------------------------------
# Checking the data and the settings, once, before training
# -------------------------------------------------------------------------------------------------


def _check_graph_size(parameter_count: int, rows: int, batch_size: int | None) -> None:
    if parameter_count * rows <= MAX_GRAPH_EDGES:
        return
    largest = max(MAX_GRAPH_EDGES // max(parameter_count, 1), 1)
    batch = "the whole data set (batch_size=None)" if batch_size is None else f"{rows} rows"
    raise ValueError(
        f"a batch of {batch} through a model of {parameter_count:,} parameters builds a graph "
        f"of about {parameter_count * rows:,} edges per step, above the limit of "
        f"{MAX_GRAPH_EDGES:,} (train.MAX_GRAPH_EDGES) for this pure-Python engine; use "
        f"batch_size={min(largest, 32)} or a smaller model"
    )


def _check_learning_rate(rate: object, name: str) -> float:
    return checks.positive_number(rate, name, "; typical learning rates are 0.001 to 1")


_as_number = checks.data_number


def _as_list(values: object, where: str, what: str) -> list[Any]:
    if type(values) is list or type(values) is tuple:  # the common case, checked quickly
        return list(values)
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise TypeError(
            f"{where} must be {what}, got {type(values).__name__} {shorten(values)}"
        )
    return list(values)


def _as_rows(X: object, name: str) -> list[list[Value]]:
    """Check the rows and turn each number into a constant `Value`, once.

    Made here, the constants serve every epoch; given floats, each neuron of the first layer
    would wrap the same numbers in fresh constants on every forward pass.
    """
    raw_rows = _as_list(X, name, "a list of rows")
    if not raw_rows:
        raise ValueError(f"{name} is empty: give at least one row")
    rows = []
    for index, raw_row in enumerate(raw_rows):
        where = f"{name}[{index}]"
        if isinstance(raw_row, int | float):
            raise TypeError(
                f"{where} is the number {shorten(raw_row)}, not a row; wrap each input as [x] "
                "(a one-input model still takes a list)"
            )
        values = _as_list(raw_row, where, "a list of numbers")
        row = [_as_number(value, f"{where}[{column}]") for column, value in enumerate(values)]
        rows.append([Value(number, requires_grad=False) for number in row])
        if len(rows[-1]) != len(rows[0]):
            raise ValueError(
                f"ragged rows: {where} has {len(rows[-1])} values but {name}[0] has "
                f"{len(rows[0])}; every row needs the same number of inputs"
            )
    return rows


def _as_target(value: object, where: str) -> Target:
    plain_number = type(value) is int or type(value) is float  # the common case, checked first
    if plain_number or isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        return _as_number(value, where)
    return [_as_number(item, f"{where}[{index}]") for index, item in enumerate(value)]


def _prepare_data(
    model: Model, X: object, y: object, loss: Loss, prefix: str
) -> tuple[list[list[Value]], list[Target]]:
    """Check X and y once: rows of constant Values, and targets as numbers (labels as ints)."""
    rows = _as_rows(X, f"{prefix}X")
    raw_targets = _as_list(y, f"{prefix}y", "a list of targets")
    if len(rows) != len(raw_targets):
        raise ValueError(
            f"{prefix}X has {len(rows)} rows but {prefix}y has {len(raw_targets)} targets; "
            "give exactly one target per row"
        )
    width = getattr(model, "nin", None)
    if isinstance(width, int) and len(rows[0]) != width:
        raise ValueError(
            f"{prefix}X rows have {len(rows[0])} values but the model takes {width} inputs "
            f"(model.nin = {width})"
        )
    with no_grad():
        output = model(rows[0])
    if not isinstance(output, Value) and not (
        isinstance(output, Sequence) and output and all(isinstance(o, Value) for o in output)
    ):
        raise TypeError(
            f"train needs a model that returns a Value or a list of Values, but "
            f"{type(model).__name__} returned {type(output).__name__} {shorten(output)}"
            + (f"; a {type(model).__name__} trains with its own rule: use "
               f"{type(model).__name__}.fit(X, y)"
               if callable(getattr(model, "fit", None)) else "")
        )
    output_count = None if isinstance(output, Value) else len(output)
    targets = []
    for index, raw_target in enumerate(raw_targets):
        where = f"{prefix}y[{index}]"
        target = _as_target(raw_target, where)
        try:
            targets.append(loss.check_target(target, output_count))
        except ValueError as error:
            raise ValueError(f"{where}: {error}") from None
    if loss.check_output is not None:
        loss.check_output(output)
    return rows, targets
