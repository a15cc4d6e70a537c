"""Playground: a page where the learner picks the data, the network and the settings, and
watches the network learn, with the same numbers as `train()`.

`playground_page(dataset="moons")` is one self-contained HTML page. Its controls (by accessible
name): the selects "Dataset", "Hidden layers", "Activation" and "Loss", the number inputs
"Learning rate", "Momentum" and "Batch size" (empty: the whole data in each step), the buttons
"Play" (then "Pause"), "Step" (one epoch) and "Reset" (back to epoch 0, the same initial
weights), the range "Speed" (epochs per second) and the "Epoch" slider over the epochs trained
so far. Changing a setting starts again from epoch 0 with it. At each epoch the page shows:

- the loss and accuracy curves, with labelled axes and the current epoch marked;
- the decision boundary: each class's probability shading the plane in its colour (the colours
  of `plots.CLASS_COLOURS`, as in boundary.png), mixed where the model is unsure, under the
  data points;
- the network: each weight's colour (blue positive, red negative) and thickness (|w|) from its
  value, or with "Show gradients" from its last gradient; hovering or focusing a weight or a
  neuron shows its value, gradient and last update (a neuron's are its bias's); each hidden
  neuron holds a small picture of its output over the input plane.

The numbers come from the library, not from the page: the data, the initial parameters, the
batch order and the generated training programs are made in Python
(`playground_kit.playground_kit`) and the page's trainer (`page_assets/trainer.js`) runs them.
So the status `Epoch k: loss …` carries `History.loss[k - 1]` of `train()` with the same
settings and seed; epoch 0 (the untrained model) carries the loss and accuracy of the initial
parameters over the whole data. Epoch k's loss was measured during the epoch, each sample scored
by the parameters its step started from, while the pictures show the network after the epoch's
steps; so a line under the status gives the drawn network's own loss and accuracy on the whole
data (after a run's last epoch, `History.final_loss` and `final_accuracy`). The status, that
line and each loss point of the curve hold the loss in full precision in `data-loss`
(JavaScript's `String(x)`, the shortest digits that read back).

`training_playground(...)` is the same page opened on a run that `train()` has just made (the
report `micrograd-ann train --out DIR` writes): the slider first moves through the recorded
epochs, with the run's own history; any change of setting, Step, Play or Reset then trains in
the page. With JavaScript off it shows the run's final pictures and numbers, drawn in Python
(`replay.final_pictures`). The page's own script (`page_assets/playground.js`) only handles
the controls and draws.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

from micrograd_ann.history import History
from micrograd_ann.javascript import javascript_number
from micrograd_ann.nn import MLP
from micrograd_ann.pages import Page, html_document
from micrograd_ann.playground_kit import PLAYGROUND_DATASETS, playground_kit
from micrograd_ann.plots import CLASS_COLOURS, REGION_OPACITY
from micrograd_ann.replay import TrainingRecorder, final_pictures, final_status
from micrograd_ann.viz import NEGATIVE_WEIGHT_COLOUR, POSITIVE_WEIGHT_COLOUR

__all__ = [
    "PLAYGROUND_DATASETS",
    "RECORDED_SNAPSHOTS",
    "playground_page",
    "recorded_snapshots",
    "training_playground",
]

RECORDED_SNAPSHOTS = 201
"""How many snapshots of a recorded run the report keeps at most: every epoch of a run of up to
200 epochs (the slider then moves epoch by epoch), evenly spaced ones of a longer run."""

RECORDED_NUMBERS = 60_000
"""The most parameter values a report keeps over all its snapshots (about 0.7 MB of JSON), so
that a wide network's report stays under 3 MB: fewer, evenly spaced snapshots instead."""

SNAPSHOT_DIGITS = 7
"""A recorded snapshot's parameters are kept to this many significant digits (they are only
drawn); those before training and after the last epoch exactly (the page scores them)."""


def recorded_snapshots(model: MLP) -> int:
    """How many snapshots a report of `model`'s run keeps (`TrainingRecorder(snapshots=...)`):
    RECORDED_SNAPSHOTS, or fewer when its parameters would pass RECORDED_NUMBERS (at least 2:
    before training and after the last epoch)."""
    return max(2, min(RECORDED_SNAPSHOTS, RECORDED_NUMBERS // len(model.parameters())))


def playground_page(
    *,
    dataset: str = "moons",
    layers: Sequence[int] | None = None,
    activation: str = "relu",
    loss: str | None = None,
    lr: float | None = None,
    momentum: float | None = None,
    batch_size: int | None = None,
    epochs: int | None = None,
    seed: int = 0,
    networks: Sequence[Sequence[int]] | None = None,
    title: str | None = None,
) -> Page:
    """The playground (see the module's docstring), opened on these settings.

    Every setting left as None is the dataset's `train` default (`datasets.DATASETS`): its
    layers, learning rate, momentum, batch size and epochs; the loss is hinge for two classes,
    cross_entropy for more. `networks` is the "Hidden layers" menu (a list of hidden-layer
    sizes, `()` for none); `layers` is always among them. `epochs` is how far the page can
    train. ValueError (naming the value and what to choose) for a dataset the playground does
    not offer, a loss that does not fit it, or a setting `train` would refuse.
    """
    kit = playground_kit(
        dataset=dataset, layers=layers, activation=activation, loss=loss, lr=lr,
        momentum=momentum, batch_size=batch_size, epochs=epochs, seed=seed, networks=networks,
    )
    page_title = title if title is not None else f"Playground: {dataset}"
    without_javascript = (
        "<p>This playground trains the network in the page: it needs JavaScript. "
        "<code>micrograd-ann train</code> trains the same network from the command line.</p>"
    )
    return _playground(kit, None, page_title, without_javascript,
                       "Turn JavaScript on to train in the page.")


def training_playground(
    model: MLP,
    history: History,
    recorder: TrainingRecorder,
    *,
    kit: dict[str, Any],
    X: Sequence[Sequence[float]],
    y: Sequence[Any],
    labels: Sequence[int],
    title: str | None = None,
) -> Page:
    """The playground opened on the run `recorder` watched (`train(..., callbacks=[recorder])`
    on the rows `X`, targets `y` and class indices `labels`), with the run's settings in `kit`
    (`playground_kit.kit_for_run`, made with the same settings): the slider moves through the
    run's snapshots, each epoch's status from `history`; then the learner trains in the page.

    Make the recorder with `snapshots=recorded_snapshots(model)` to keep every epoch of a run of
    up to 200 (fewer, evenly spaced, for a wide network). ValueError when the recorder and the
    history are of different runs.
    """
    epochs = len(history.loss)
    if recorder.epochs_seen != epochs or epochs == 0:
        raise ValueError(
            f"the recorder saw {recorder.epochs_seen} epochs but the history has {epochs}: "
            "pass the history of the run the recorder watched, after train() ran"
        )
    snapshots = list(recorder.recorded)
    if snapshots[-1][0] < epochs:  # stopped early: the model as it is now is the last epoch
        snapshots.append((epochs, [parameter.data for parameter in model.parameters()]))
    recorded = {
        "loss": list(history.loss),
        "accuracy": list(history.accuracy),
        "epochs": [epoch for epoch, _ in snapshots],
        "params": [
            values if epoch in (0, epochs) else [_rounded(value) for value in values]
            for epoch, values in snapshots
        ],
        "X": [list(map(float, row)) for row in X],
        "labels": [int(label) for label in labels],
    }
    page_title = title if title is not None else f"Training report: {kit['settings']['dataset']}"
    status = final_status(history)
    return _playground(kit, recorded, page_title, final_pictures(model, history, X=X, y=y),
                       status)


def _rounded(value: float) -> float:
    return float(f"{value:.{SNAPSHOT_DIGITS}g}")


def _playground(
    kit: dict[str, Any],
    recorded: dict[str, Any] | None,
    title: str,
    without_javascript: str,
    first_status: str,
) -> Page:
    """The page around `kit` (and a recorded run): the controls, the panels, the script."""
    settings = kit["settings"]
    menus = kit["menus"]

    def select(label: str, name: str, values: Sequence[str], chosen: str) -> str:
        options = "".join(
            f'<option value="{html.escape(value)}"{" selected" if value == chosen else ""}>'
            f"{html.escape(value)}</option>"
            for value in values
        )
        return f'<span class="field"><label for="{name}">{label}</label> <select id="{name}">' \
            f"{options}</select></span>"

    def number(label: str, name: str, value: str, limits: str) -> str:
        return f'<span class="field"><label for="{name}">{label}</label> <input type="number" ' \
            f'id="{name}" {limits} value="{value}"></span>'

    batch = settings["batchSize"]
    intro = (
        "The recorded run comes first: move the slider through its epochs. Then change a "
        "setting, or press Play, Step or Reset, to train again in this page."
        if recorded is not None else
        "Pick the data, the network and the settings, then press Play (or Step) and watch it "
        "learn."
    )
    fields = "\n".join([
        select("Dataset", "dataset", menus["datasets"], settings["dataset"]),
        select("Hidden layers", "network", menus["networks"], settings["network"]),
        select("Activation", "activation", menus["activations"], settings["activation"]),
        select("Loss", "loss", menus["losses"][settings["dataset"]], settings["loss"]),
        number("Learning rate", "lr", javascript_number(settings["lr"]), 'min="0" step="any"'),
        number("Momentum", "momentum", javascript_number(settings["momentum"]),
               'min="0" step="any"'),
        number("Batch size", "batch-size", "" if batch is None else str(int(batch)),
               'min="1" step="1" placeholder="all"'),
    ])
    body = f"""<h1>{html.escape(title)}</h1>
<p class="intro">{intro} Every number comes from the same programs as <code>train()</code>
with the same seed: epoch k shows the network after k passes over the data with that epoch's
mean loss; epoch 0 is the untrained network, with its loss over the whole data.</p>
<div id="playground" hidden>
<div class="settings">
{fields}
</div>
<div class="buttons">
<button type="button" id="play">Play</button>
<button type="button" id="step">Step</button>
<button type="button" id="reset">Reset</button>
<span class="field"><label for="speed">Speed</label> <input type="range" id="speed" min="1" max="10"
 step="1" value="5"></span>
<span class="field"><input type="checkbox" id="show-gradients">
<label for="show-gradients">Show gradients</label></span>
</div>
<div class="timeline">
<label for="epoch">Epoch</label>
<input type="range" id="epoch" min="0" max="0" step="1" value="0">
</div>
</div>
<p id="status" role="status" aria-live="polite">{html.escape(first_status)}</p>
<p id="trained"></p>
<p id="problem" role="alert" hidden></p>
<div id="live" class="panels" hidden>
<figure class="curves"><figcaption>Loss (red, left axis) and accuracy (green dashed, right axis)
per epoch</figcaption>
<svg id="curves" viewBox="0 0 360 220" role="img" aria-label="loss and accuracy curves"></svg>
</figure>
<figure class="plane-figure">
<figcaption>Decision boundary: each class's probability in its colour</figcaption>
<div class="plane"><canvas id="probabilities" width="240" height="240" role="img"
 aria-label="class probabilities over the input plane"></canvas>
<svg id="points" viewBox="0 0 240 240" aria-hidden="true"></svg></div>
</figure>
<figure class="network"><figcaption id="network-caption"></figcaption>
<svg id="network-drawing" role="group"
 aria-label="network: focus a weight or a neuron for its numbers"></svg>
<p id="details" aria-live="polite">Hover over or focus a weight or a neuron.</p>
</figure>
</div>
<div id="without-javascript">
{without_javascript}</div>
"""
    payload = {
        "kit": kit,
        "recorded": recorded,
        "colours": {
            "classes": list(CLASS_COLOURS),
            "regionOpacity": REGION_OPACITY,
            "positive": POSITIVE_WEIGHT_COLOUR,
            "negative": NEGATIVE_WEIGHT_COLOUR,
        },
    }
    document = html_document(
        title, ["playground.css"], body, data_id="playground-data", payload=payload,
        scripts=["trainer.js", "playground.js"],
    )
    return Page(html=document, title=title)
