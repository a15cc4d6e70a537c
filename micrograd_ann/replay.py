"""Replay: a training run as a page with an epoch slider.

`TrainingRecorder` is a `train()` callback that keeps a copy of every parameter before training
and after up to `snapshots - 1` evenly spaced epochs (the last included). `training_page` turns
the history and those snapshots into one self-contained HTML page: move the epoch slider (or
press Play) and it shows, at that epoch, the loss and accuracy curves with the epoch marked, the
decision boundary for 2-D inputs and the network with each weight's colour (blue positive, red
negative) and thickness (|w|) from its value then.

Epochs are numbered as `History` numbers them: epoch k (from 1) is the k-th pass over the data,
`history.loss[k - 1]` its mean loss. Snapshot k is the network after epoch k; snapshot 0 is the
network before training. What each snapshot's line says, and when it was measured:

- snapshot 0: "Epoch 0 of N: before training";
- snapshot k < N: epoch k's loss and accuracy, `history.loss[k - 1]`, labelled "measured during
  epoch k, before its steps": each sample was scored by the parameters its step started from,
  so the numbers trail the network drawn by (up to) one epoch's steps;
- the last snapshot, N: the trained network's own loss and accuracy, `history.final_loss` and
  `final_accuracy` (measured after the last step), labelled "the trained network's". A
  `History` without them (not from `train()`) falls back to the line of a snapshot k < N.

Python draws every panel for every snapshot; the page's script (`page_assets/replay.js`) only
shows the chosen snapshot. With JavaScript off the page shows the last epoch.

    recorder = TrainingRecorder(model, epochs=100)
    history = train(model, X, y, loss="hinge", epochs=100, callbacks=[recorder])
    training_page(model, history, recorder, X=X, y=y).save("report.html")
"""

from __future__ import annotations

import html
import itertools
from collections.abc import Sequence
from typing import Any

from micrograd_ann import checks
from micrograd_ann.engine import Value, no_grad
from micrograd_ann.history import History
from micrograd_ann.nn import MLP
from micrograd_ann.pages import Page, html_document
from micrograd_ann.plots import CLASS_COLOURS, REGION_OPACITY, padded_bounds
from micrograd_ann.viz import (
    NEGATIVE_WEIGHT_COLOUR,
    NODE_COLOURS,
    POSITIVE_WEIGHT_COLOUR,
    drawn_indices,
)

__all__ = ["TrainingRecorder", "final_pictures", "final_status", "training_page"]

GRID = 20
"""The decision boundary is the class predicted at GRID × GRID points over the data."""

MAX_NEURONS_PER_LAYER = 16
"""A wider column of the network (its inputs or a layer) shows its first 8 and last 8 neurons
and one box "… N more" for the rest, as `viz.draw_network` does by default (network.svg)."""

MAX_DRAWN_WEIGHTS = 2000
"""The most weight lines the network panel draws (after wide layers are summarised); a deeper
network's panel is left out. With at most 41 snapshots, GRID² cells and MAX_DRAWN_SAMPLES and
MAX_CURVE_POINTS points, every report stays under 3 MB."""

MAX_DRAWN_SAMPLES = 1000
"""The most samples drawn on the decision boundary (evenly spaced through the data)."""

MAX_CURVE_POINTS = 1000
"""The most epochs drawn on the loss and accuracy curves (evenly spaced, the last included)."""


class TrainingRecorder:
    """A `train()` callback: the parameters' values before training and after up to
    `snapshots - 1` evenly spaced epochs of the `epochs` that `train()` will run.

    `recorded` is a list of (epoch, values), values in `model.parameters()` order: epoch 0 holds
    the values when the recorder is made (so make it just before `train()`), epoch k ≥ 1 the
    values after the k-th epoch. With `snapshots` = s the epochs kept are round(i · epochs /
    (s − 1)) for i = 0 … s − 1: 0 and `epochs` are always among them.

    A run longer than `epochs` raises ValueError at epoch `epochs` + 1 (stopping `train()`),
    rather than leave the report silently ending early: the snapshots are spaced for `epochs`.
    A run that stops sooner (a callback returned False) is fine: the report ends where it did.
    """

    def __init__(self, model: MLP, *, epochs: int, snapshots: int = 40) -> None:
        snapshots = checks.count(snapshots, "snapshots", 2)
        self.epochs = checks.count(epochs, "epochs")
        self.model = model
        count = min(snapshots, self.epochs + 1)
        self.epochs_to_record = {
            round(index * self.epochs / (count - 1)) for index in range(count)
        }
        self.recorded: list[tuple[int, list[float]]] = [(0, self._values())]
        self.epochs_seen = 0

    def __call__(self, epoch: int, history: History) -> None:
        """Called by `train()` after its epoch `epoch` (counting from 0), that is epoch + 1."""
        if epoch + 1 > self.epochs:
            raise ValueError(
                f"TrainingRecorder(epochs={self.epochs}) was called after epoch {epoch + 1}: "
                "make it with the epochs train() runs (the same epochs=) before training"
            )
        self.epochs_seen = epoch + 1
        if epoch + 1 in self.epochs_to_record:
            self.recorded.append((epoch + 1, self._values()))

    def _values(self) -> list[float]:
        return [parameter.data for parameter in self.model.parameters()]


def training_page(
    model: MLP,
    history: History,
    recorder: TrainingRecorder,
    *,
    X: Sequence[Sequence[float]] | None = None,
    y: Sequence[Any] | None = None,
    title: str = "Training replay",
) -> Page:
    """A page replaying the run that `recorder` watched (see the module's docstring).

    `X` and `y` (the training rows and targets) add the decision boundary when the inputs are
    2-D. The model's parameters are set to each snapshot while its boundary is computed and
    restored afterwards. When training stopped before the recorder's last planned epoch (a
    callback returned False), the model as it is now stands for the last epoch run.
    """
    epochs = len(history.loss)
    if recorder.epochs_seen == 0:
        raise ValueError(
            "the recorder saw no epoch: pass it to train(..., callbacks=[recorder]) first"
        )
    if recorder.epochs_seen != epochs:
        raise ValueError(
            f"the recorder saw {recorder.epochs_seen} epochs but the history has {epochs}: "
            "pass the history of the run the recorder watched"
        )
    parameters = model.parameters()
    final = [parameter.data for parameter in parameters]
    snapshots = list(recorder.recorded)
    if snapshots[-1][0] < epochs:
        snapshots.append((epochs, final))
    boundary = X is not None and y is not None and len(X) > 0 and len(X[0]) == 2
    draw_weights = _drawn_weight_count(model) <= MAX_DRAWN_WEIGHTS
    panels: list[str] = []
    weight_states: list[list[float]] = []
    try:
        for _, values in snapshots:
            for parameter, value in zip(parameters, values):
                parameter.data = value
            weight_states.append(_weight_widths(model) if draw_weights else [])
            if boundary:
                assert X is not None
                panels.append(_boundary_cells(model, X))
    finally:
        for parameter, value in zip(parameters, final):
            parameter.data = value
    loss_svg, marker_xs = _curves(history, [epoch for epoch, _ in snapshots])
    statuses = [_status(history, epoch, epochs) for epoch, _ in snapshots]
    last = len(snapshots) - 1
    data = {"markers": marker_xs, "weights": weight_states, "statuses": statuses}
    boundary_svg = _boundary_svg(model, panels, X, y, last) if boundary else ""
    measures = "loss and accuracy" if history.accuracy else "loss"
    body = f"""<h1>{html.escape(title)}</h1>
<p>Move the slider to see the network at an earlier epoch: its loss, its decision boundary and
its weights (blue positive, red negative, thicker = larger |w|). Epoch k shows the network after
k epochs, with the mean {measures} measured during epoch k (each sample before its step, so a
step behind the network drawn); the last epoch, the trained network's own {measures}; epoch 0 is
the network before training.</p>
<div class="controls" hidden>
<label for="epoch">Epoch</label>
<input type="range" id="epoch" min="0" max="{last}" value="{last}" step="1">
<button type="button" id="play">Play</button>
</div>
<p id="status" role="status" aria-live="polite">{html.escape(statuses[last])}</p>
<div class="panels">
{loss_svg}
{boundary_svg}
{_network_svg(model, weight_states[last]) if draw_weights else _network_note(model)}
</div>
"""
    document = html_document(
        title, ["backprop.css", "replay.css"], body, data_id="replay", payload=data,
        scripts=["replay.js"],
    )
    return Page(html=document, title=title)


def final_status(history: History) -> str:
    """What the report says at its last epoch: `Epoch 100 of 100: loss 0.0123, accuracy 99.0%
    (the trained network's)`, from `history.final_loss` and `final_accuracy`."""
    epochs = len(history.loss)
    return _status(history, epochs, epochs)


def final_pictures(
    model: MLP,
    history: History,
    *,
    X: Sequence[Sequence[float]] | None = None,
    y: Sequence[Any] | None = None,
) -> str:
    """The report's pictures of `model` as it is after the run of `history`, drawn in Python as
    SVG: the loss and accuracy curves, the decision boundary (2-D inputs) and the network's
    weights. A page that computes in the browser shows them when JavaScript is off."""
    epochs = len(history.loss)
    loss_svg, _ = _curves(history, [epochs])
    boundary_svg = ""
    if X is not None and y is not None and len(X) > 0 and len(X[0]) == 2:
        boundary_svg = _boundary_svg(model, [_boundary_cells(model, X)], X, y, 0)
    network = (
        _network_svg(model, _weight_widths(model))
        if _drawn_weight_count(model) <= MAX_DRAWN_WEIGHTS else _network_note(model)
    )
    return f'<div class="panels">\n{loss_svg}\n{boundary_svg}\n{network}\n</div>\n'


def _status(history: History, epoch: int, epochs: int) -> str:
    """What the page says at snapshot `epoch`, and when its numbers were measured (see the
    module's docstring): the last snapshot shows the trained network's `final_loss`."""
    if epoch == 0:
        return f"Epoch 0 of {epochs}: before training"
    if epoch == epochs and history.final_loss is not None:
        status = f"Epoch {epoch} of {epochs}: loss {history.final_loss:.4f}"
        if history.final_accuracy is not None:
            status += f", accuracy {history.final_accuracy:.1%}"
        return status + " (the trained network's)"
    status = f"Epoch {epoch} of {epochs}: loss {history.loss[epoch - 1]:.4f}"
    if epoch <= len(history.accuracy):
        status += f", accuracy {history.accuracy[epoch - 1]:.1%}"
    return status + f" (measured during epoch {epoch}, before its steps)"


def _evenly_spaced(count: int, most: int) -> list[int]:
    """range(count), or `most` of its indices evenly spaced from the first to the last."""
    if count <= most:
        return list(range(count))
    return sorted({round(index * (count - 1) / (most - 1)) for index in range(most)})


def _drawn(count: int) -> list[int]:
    """The neurons of a column of `count` that the network panel draws: all of them up to
    MAX_NEURONS_PER_LAYER, else the first and the last MAX_NEURONS_PER_LAYER / 2, as
    `draw_network` summarises a column (`viz.drawn_indices`)."""
    return drawn_indices(count, MAX_NEURONS_PER_LAYER)


def _column_sizes(model: MLP) -> list[int]:
    """The inputs, then each layer: how many neurons each column of the drawing stands for."""
    inputs = len(model.layers[0].neurons[0].weights)
    return [inputs, *(len(layer.neurons) for layer in model.layers)]


def _drawn_weight_count(model: MLP) -> int:
    drawn = [len(_drawn(size)) for size in _column_sizes(model)]
    return sum(before * after for before, after in itertools.pairwise(drawn))


def _weight_widths(model: MLP) -> list[float]:
    """Each drawn weight (layer by layer, neuron by neuron, input by input) as a signed line
    width: sign = the weight's, size 0.3 + 3.2·|w| / max |w|, the maximum over every weight of
    the network, drawn or not (as in network.svg)."""
    largest = max(
        (abs(w.data) for layer in model.layers for neuron in layer.neurons for w in neuron.weights),
        default=0.0,
    ) or 1.0
    widths = []
    sources = _drawn(len(model.layers[0].neurons[0].weights))
    for layer in model.layers:
        targets = _drawn(len(layer.neurons))
        for target in targets:
            weights = layer.neurons[target].weights
            for source in sources:
                weight = weights[source].data
                size = 0.3 + 3.2 * abs(weight) / largest
                widths.append(round(size if weight >= 0 else -size, 2))
        sources = targets
    return widths


def _threshold(model: MLP) -> float:
    """Where a one-output model splits its classes, as `DecisionBoundaryDisplay` does: 0.5 for
    a sigmoid (a probability), else 0 (a score)."""
    return 0.5 if model.output_activation == "sigmoid" else 0.0


def _predicted_class(model: MLP, point: Sequence[float]) -> int:
    """One output: class 1 above the threshold, else 0. Several: the largest output's index."""
    with no_grad():
        output = model(list(point))
    if isinstance(output, Value):
        return int(output.data > _threshold(model))
    scores = [value.data for value in output]
    return scores.index(max(scores))


def _colour(class_index: int) -> str:
    return CLASS_COLOURS[class_index % len(CLASS_COLOURS)]


def _boundary_cells(model: MLP, X: Sequence[Sequence[float]]) -> str:
    """The predicted class over the grid, as SVG rects (runs of one class in a row merged)."""
    left, right, bottom, top = padded_bounds(X)
    cell = 240 / GRID
    rects: list[str] = []
    for row in range(GRID):
        y = top - (row + 0.5) * (top - bottom) / GRID
        classes = [
            _predicted_class(model, [left + (column + 0.5) * (right - left) / GRID, y])
            for column in range(GRID)
        ]
        start = 0
        for column in range(1, GRID + 1):
            if column == GRID or classes[column] != classes[start]:
                rects.append(
                    f'<rect x="{start * cell:.0f}" y="{row * cell:.0f}" '
                    f'width="{(column - start) * cell:.0f}" height="{cell:.0f}" '
                    f'fill="{_colour(classes[start])}"/>'
                )
                start = column
    return "".join(rects)


def _boundary_svg(
    model: MLP,
    panels: list[str],
    X: Sequence[Sequence[float]] | None,
    y: Sequence[Any] | None,
    last: int,
) -> str:
    """The predicted regions of each snapshot (one shown), under the samples in their class's
    colour: the colours and opacity of `DecisionBoundaryDisplay` (boundary.png)."""
    assert X is not None and y is not None
    left, right, bottom, top = padded_bounds(X)
    hidden = ' display="none"'
    groups = "\n".join(
        f'<g class="snapshot"{"" if index == last else hidden}>{cells}</g>'
        for index, cells in enumerate(panels)
    )
    drawn = _evenly_spaced(len(X), MAX_DRAWN_SAMPLES)
    points = "".join(
        f'<circle class="sample" cx="{(X[index][0] - left) / (right - left) * 240:.1f}" '
        f'cy="{(top - X[index][1]) / (top - bottom) * 240:.1f}" r="3" '
        f'fill="{_colour(_class_of(model, y[index]))}" stroke="black" stroke-width="0.5"/>'
        for index in drawn
    )
    count = f" ({len(drawn):,} of the {len(X):,} samples)" if len(drawn) < len(X) else ""
    return (
        f"<figure><figcaption>Decision boundary{count}</figcaption>"
        f'<svg id="boundary" width="240" height="240" viewBox="0 0 240 240" role="img" '
        f'aria-label="decision boundary"><g fill-opacity="{REGION_OPACITY}">{groups}</g>'
        f"<g>{points}</g></svg></figure>"
    )


def _class_of(model: MLP, target: Any) -> int:
    """A target's class: its index when one-hot; for a one-output model 1 above the threshold
    (0/1 and -1/+1 labels alike), else 0; for a several-output model the class index itself."""
    if isinstance(target, (list, tuple)):
        return list(target).index(max(target))
    if len(model.layers[-1].neurons) == 1:
        return int(float(target) > _threshold(model))
    return int(target)


def _curves(history: History, epochs: list[int]) -> tuple[str, list[float]]:
    """Loss (and accuracy, dashed, 0–1, when the loss classifies) over the epochs, and the
    marker's x for each snapshot. The caption names only the lines drawn.

    The axis runs from epoch 0 (before training) to the last; epoch k's loss is drawn at k.
    """
    width, height, margin = 360.0, 200.0, 30.0
    count = len(history.loss)
    losses = history.loss
    largest = max(losses, default=1.0) or 1.0

    def x_of(epoch: int) -> float:
        return round(margin + (width - 2 * margin) * epoch / max(count, 1), 1)

    shown = _evenly_spaced(count, MAX_CURVE_POINTS)

    def polyline(values: list[float], top: float, colour: str, dash: str) -> str:
        points = " ".join(
            f"{x_of(index + 1)},"
            f"{height - margin - (height - 2 * margin) * values[index] / top:.1f}"
            for index in shown
            if index < len(values)
        )
        return f'<polyline points="{points}" fill="none" stroke="{colour}" {dash}/>'

    accuracy = polyline(history.accuracy, 1.0, "#4d9221", 'stroke-dasharray="4 3"')
    marker = x_of(epochs[-1])
    svg = (
        f"<figure><figcaption>Loss (solid, 0 to {largest:.3g})"
        f'{" and accuracy (dashed, 0 to 100 %)" if history.accuracy else ""}</figcaption>'
        f'<svg width="{width:.0f}" height="{height:.0f}" role="img" aria-label="loss curve">'
        f'<line x1="{margin}" y1="{height - margin}" x2="{width - margin}" '
        f'y2="{height - margin}" stroke="#999"/>'
        f'{polyline(losses, largest, "#b2182b", "")}'
        f'{accuracy if history.accuracy else ""}'
        f'<line id="epoch-marker" x1="{marker}" x2="{marker}" y1="{margin / 2}" '
        f'y2="{height - margin}" stroke="#e08214" stroke-width="2"/>'
        f'<text x="{margin}" y="{height - 8}" font-size="11">epoch 0</text>'
        f'<text x="{width - margin}" y="{height - 8}" font-size="11" text-anchor="end">'
        f"epoch {count}</text></svg></figure>"
    )
    return svg, [x_of(epoch) for epoch in epochs]


def _network_svg(model: MLP, widths: list[float]) -> str:
    """The network: a column of circles per layer, one line per drawn weight (in `widths`'s
    order, which the page's script recolours). A column wider than MAX_NEURONS_PER_LAYER has a
    box "… N more" between its first and last neurons, joined to its neighbours by dashed lines
    that stand for the weights not drawn."""
    sizes = _column_sizes(model)
    drawn = [_drawn(size) for size in sizes]
    half = MAX_NEURONS_PER_LAYER // 2
    summarised = [len(indices) < size for indices, size in zip(drawn, sizes)]
    slots = [len(indices) + hidden for indices, hidden in zip(drawn, summarised)]
    width, height = 120 * len(sizes), 24 * max(slots) + 20

    def position(column: int, slot: int) -> tuple[float, float]:
        top = (height - 24 * slots[column]) / 2
        return 60 + 120 * column, top + 12 + 24 * slot

    def place(column: int, index: int) -> tuple[float, float]:
        """Where neuron `index` of `column` sits: the box takes the slot after the first half."""
        slot = drawn[column].index(index)
        return position(column, slot + 1 if summarised[column] and slot >= half else slot)

    lines: list[str] = []
    not_drawn: list[str] = []
    signed_widths = iter(widths)
    for column in range(1, len(sizes)):
        for target in drawn[column]:
            x2, y2 = place(column, target)
            for source in drawn[column - 1]:
                x1, y1 = place(column - 1, source)
                signed = next(signed_widths)
                colour = POSITIVE_WEIGHT_COLOUR if signed >= 0 else NEGATIVE_WEIGHT_COLOUR
                lines.append(
                    f'<line class="weight" x1="{x1:.0f}" y1="{y1:.0f}" x2="{x2:.0f}" '
                    f'y2="{y2:.0f}" stroke="{colour}" stroke-width="{abs(signed)}"/>'
                )
        sources = [place(column - 1, index) for index in drawn[column - 1]]
        targets = [place(column, index) for index in drawn[column]]
        pairs = []
        if summarised[column - 1]:
            pairs += [(position(column - 1, half), target) for target in targets]
        if summarised[column]:
            pairs += [(source, position(column, half)) for source in sources]
            if summarised[column - 1]:
                pairs.append((position(column - 1, half), position(column, half)))
        not_drawn += [
            f'<line x1="{x1:.0f}" y1="{y1:.0f}" x2="{x2:.0f}" y2="{y2:.0f}" stroke="#bbbbbb" '
            'stroke-width="0.5" stroke-dasharray="3 2"/>'
            for (x1, y1), (x2, y2) in pairs
        ]
    circles = "".join(
        f'<circle cx="{place(column, index)[0]:.0f}" cy="{place(column, index)[1]:.0f}" r="7" '
        f'fill="{NODE_COLOURS["input" if column == 0 else "interior"]}" stroke="#333"/>'
        for column, indices in enumerate(drawn)
        for index in indices
    )
    boxes = "".join(
        f'<g class="not-drawn"><rect x="{position(column, half)[0] - 28:.0f}" '
        f'y="{position(column, half)[1] - 9:.0f}" width="56" height="18" fill="white" '
        f'stroke="#999999" stroke-dasharray="3 2"/><text x="{position(column, half)[0]:.0f}" '
        f'y="{position(column, half)[1] + 3:.0f}" font-size="9" text-anchor="middle">'
        f"… {sizes[column] - len(drawn[column])} more</text></g>"
        for column in range(len(sizes))
        if summarised[column]
    )
    note = (
        f"; layers wider than {MAX_NEURONS_PER_LAYER} show their first {half} and last {half} "
        "neurons, dashed lines stand for the weights not drawn"
        if any(summarised) else ""
    )
    return (
        f"<figure><figcaption>Network (blue positive, red negative, thicker = larger |w|{note})"
        f'</figcaption><svg id="network" width="{width}" height="{height}" role="img" '
        f'aria-label="network weights">{"".join(not_drawn)}{"".join(lines)}{circles}{boxes}'
        "</svg></figure>"
    )


def _network_note(model: MLP) -> str:
    """In place of a network too deep to draw: what was left out, and what draws it."""
    return (
        f"<figure><figcaption>Network: not drawn, its {len(model.layers)} layers would take "
        f"{_drawn_weight_count(model):,} weight lines, more than the report's "
        f"{MAX_DRAWN_WEIGHTS:,}; viz.draw_network draws it (network.svg)</figcaption></figure>"
    )
