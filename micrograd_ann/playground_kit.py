"""Playground kit: everything a page needs to train in the browser with `train()`'s numbers.

The playground page trains a network in JavaScript, yet promises the numbers `train()` gives.
So nothing in the page is made up there: the data, the initial parameters, each epoch's visiting
order and the programs that run forward and backward are all made here, in Python, with the
same seed and the same code `micrograd-ann train` uses, and handed to the page as one JSON-able
dict, the *kit*. The page's script `page_assets/trainer.js` (`MicrogradTrainer`) runs the
epoch of `compile.run_compiled_epoch` on it.

    playground_kit(dataset="moons")           # the default playground's kit
    playground_kit(dataset="moons", layers=[16, 16], lr=0.5, seed=0)   # a run's own settings

A run of `micrograd-ann train` with some settings is reproduced by `playground_kit` with the same
dataset, layers, activation, loss, lr, momentum, batch size, epochs and seed: the kit's initial
parameters are that run's `MLP(..., seed=seed)`, its orders that run's shuffles. `kit_for_run`
makes a finished run's kit so, shrinking the menus of a wide network to fit a page.

Sizes: the default playground's kit is about 1.5 MB of JSON (90 programs, 1.2 MB of it; the
data and every epoch's order 0.2 MB); a 2-16-16-1 program is 70 KB as embedded.

The kit's keys (all JSON: lists, numbers, strings, null):

- `settings`: the chosen `dataset`, `layers` (list of ints), `network` (its menu text),
  `activation`, `loss`, `lr`, `momentum`, `batchSize` (null: the whole data set per step),
  `epochs`, `seed`.
- `menus`: `datasets`, `activations` (relu, tanh, sigmoid, or those of `activations=`),
  `networks` (menu texts: the sizes as `train --layers` writes them, "16,16", or "none"),
  `losses` (dataset → the losses that fit it, the default first).
- `defaults`: dataset → the `train` command's settings for it (`layers`, `network`, `lr`,
  `momentum`, `batchSize`, `epochs`, `loss`).
- `datasets`: name → `X` (rows [x, y]), `labels` (class index per point), `classes`, `samples`,
  `bounds` ([xmin, xmax, ymin, ymax]: the data's extent with a tenth of its span added on each
  side), `encodings` (loss → `{targets, outputs, outputActivation}`: the targets `train` gets
  for that loss, the output units and output activation of the model), `orders` (the visiting
  order of each of `settings.epochs` epochs: Python's `random.Random(seed).shuffle` applied
  epoch after epoch to one list, as `train()` does when a batch is smaller than the data set).
- `models`: model key → `sizes` ([2, 16, 16, 1]), `activation`, `outputActivation`,
  `parameters` (a key of the kit's `parameters`: its initial parameters), `layers` (per layer
  of neurons, the first hidden layer being 0: `offset` of its first parameter, `inputs`,
  `neurons`; weight j of neuron i is at `offset + i·(inputs + 1) + j`, its bias at
  `offset + i·(inputs + 1) + inputs`, the order of `model.parameters()`, whose names are
  `layers.<l>.neurons.<i>.w.<j>` and `layers.<l>.neurons.<i>.b`), `neuronStates` (per layer,
  the index of each neuron's output in the forward program's state), `program` (a key of
  `programs`).
  The model key is `"<network>|<activation>|<outputs>|<outputActivation>"`: the model of a
  (dataset, network, activation, loss) is `models[network + "|" + activation + "|" + outputs +
  "|" + outputActivation]` with `outputs` and `outputActivation` from the dataset's encoding for
  the loss (`MicrogradTrainer.modelKey` computes it).
- `parameters`: key → the initial parameters of `MLP(2, sizes[1:], activation=...,
  output_activation=..., seed=seed)` in `model.parameters()` order, each list once (models
  whose draws agree share it: the output layer's limit is the same for linear and sigmoid).
- `programs`: program key → the JavaScript of `javascript.model_program(model)`, made small
  (`_compact_program`: no runtime, no per-line comments, short names; the code otherwise as
  generated): the text defines `micrograd_model = {forward, backward}`; the page compiles only
  the one it uses.
- `runtime`: `javascript.RUNTIME` (Python's repr, sum and errors), shared by every program.
- `lossRules`: a JavaScript expression, an object mapping each operation the losses use (add,
  sub, mul, div, pow, neg, exp, log, relu, sigmoid, sum) to `{forward, derivatives}`: the
  operation table's JavaScript rules (`Operation.javascript`), for the losses built in the page.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Sequence
from typing import Any

from micrograd_ann import checks, operations
from micrograd_ann.checks import shorten
from micrograd_ann.datasets import DATASETS
from micrograd_ann.engine import Value, enable_grad, topological_order
from micrograd_ann.javascript import RUNTIME, model_program
from micrograd_ann.losses import LOSSES
from micrograd_ann.nn import MLP
from micrograd_ann.plots import padded_bounds

__all__ = [
    "PLAYGROUND_DATASETS",
    "PLAYGROUND_ACTIVATIONS",
    "DEFAULT_NETWORKS",
    "LOSS_OPERATIONS",
    "KIT_BUDGET",
    "MAX_LAYER_SIZE",
    "PlaygroundTooLarge",
    "playground_kit",
    "kit_for_run",
    "network_text",
    "fitting_losses",
]

PLAYGROUND_DATASETS = ("moons", "circles", "spirals", "xor", "blobs")
"""The datasets the playground offers: the two-input classification sets of `train`."""

PLAYGROUND_ACTIVATIONS = ("relu", "tanh", "sigmoid")
"""The hidden layers' activations the playground offers."""

DEFAULT_NETWORKS: tuple[tuple[int, ...], ...] = ((), (4,), (8,), (16,), (8, 8), (16, 16))
"""The hidden-layer menu when none is given (the chosen `layers` are always added)."""

LOSS_OPERATIONS = (
    "add", "sub", "mul", "div", "pow", "neg", "exp", "log", "relu", "sigmoid", "sum",
)
"""The operations the per-sample losses of `losses.py` build (and the page's scores use)."""

_COMMENT = re.compile(r"^(    .*?;)  // .*$", re.MULTILINE)
_IDENTIFIER = re.compile(r"\b[A-Za-z_][A-Za-z0-9_]*\b")
_INDENT = re.compile(r"^(?:    )+", re.MULTILINE)


def network_text(layers: Sequence[int]) -> str:
    """Hidden-layer sizes as `train --layers` writes them ("16,16"), "none" for none."""
    return ",".join(map(str, layers)) if layers else "none"


def fitting_losses(classes: int) -> list[str]:
    """The losses that separate `classes` classes, `train`'s default first (hinge for two,
    cross_entropy for more), then the others in the order of `losses.LOSSES`."""
    default = "hinge" if classes == 2 else "cross_entropy"
    fitting = [
        name for name, loss in LOSSES.items()
        if loss.encode_classes is not None
        and (loss.max_classes is None or classes <= loss.max_classes)
    ]
    return [default, *(name for name in fitting if name != default)]


def _choice(value: object, name: str, choices: Sequence[str]) -> str:
    if not isinstance(value, str) or value not in choices:
        raise ValueError(
            f"unknown {name} {shorten(value)}; choose one of {', '.join(map(repr, choices))}"
        )
    return value


MAX_LAYER_SIZE = 64
"""The widest hidden layer the playground offers: it draws every neuron with its picture."""


def _layers(value: object, name: str) -> tuple[int, ...]:
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
        raise TypeError(
            f"{name} must be a list of hidden-layer sizes such as [16, 16] ([] for none), "
            f"got {type(value).__name__}: {shorten(value)}"
        )
    return tuple(
        checks.count(size, f"{name}[{index}] (a hidden layer size)", maximum=MAX_LAYER_SIZE,
                     why="the playground draws every neuron")
        for index, size in enumerate(value)
    )


def _encodings(labels: list[int]) -> dict[str, dict[str, Any]]:
    """Each fitting loss's targets for these labels, as `train` checks them (`check_target`),
    with the model's output units and output activation."""
    classes = max(labels) + 1
    encodings = {}
    for name in fitting_losses(classes):
        loss = LOSSES[name]
        encoded = loss.class_targets(labels)
        output_count = None if encoded.outputs == 1 else encoded.outputs
        targets = [loss.check_target(target, output_count) for target in encoded.targets]
        encodings[name] = {
            "targets": targets,
            "outputs": encoded.outputs,
            "outputActivation": encoded.output_activation,
        }
    return encodings


def _orders(samples: int, epochs: int, seed: int) -> list[list[int]]:
    """Each epoch's visiting order, as `train()` shuffles one list epoch after epoch."""
    shuffler = checks.random_generator(seed)
    order = list(range(samples))
    orders = []
    for _ in range(epochs):
        shuffler.shuffle(order)
        orders.append(list(order))
    return orders


def _neuron_states(model: MLP) -> list[list[int]]:
    """Per layer, where each neuron's output sits in the forward program's state (the graph's
    nodes in `topological_order`, as `generate_model_source` lists them)."""
    inputs = [Value(0.0, requires_grad=False) for _ in range(model.nin)]
    with enable_grad():
        layer_outputs = []
        values: list[Value] = inputs
        for layer in model.layers:
            values = layer.forward(values)
            layer_outputs.append(values)
    position = {id(node): index for index, node in enumerate(topological_order(values))}
    return [[position[id(node)] for node in outputs] for outputs in layer_outputs]


def _layout(sizes: Sequence[int]) -> list[dict[str, int]]:
    layers = []
    offset = 0
    for inputs, neurons in itertools.pairwise(sizes):
        layers.append({"offset": offset, "inputs": inputs, "neurons": neurons})
        offset += (inputs + 1) * neurons
    return layers


def _compact_program(model: MLP) -> str:
    """`model_program(model)` made small for a page that holds ninety of them, the code itself
    unchanged: without the runtime (the kit holds it once), without the comment at the end of
    each generated line, indented by one space a level, and with short names — parameter i is
    `p<i>` and its gradient `g<i>`, state node k is `n<k>` and its gradient `d<k>` (the
    generated names, `grad_w_1_3_0`, are two thirds of the text)."""
    source = model_program(model)
    if RUNTIME not in source:  # pragma: no cover - the program's layout changed
        raise RuntimeError("javascript.model_program no longer embeds RUNTIME as one block")
    source = _COMMENT.sub(r"\1", source.replace(RUNTIME, "", 1))
    names: dict[str, str] = {}
    for prefix, grad_prefix, listed in (("p", "g", "params"), ("n", "d", "state")):
        found = re.search(rf"const \[([^\]]*)\] = {listed};", source)
        assert found is not None, listed
        for index, name in enumerate(found.group(1).split(", ")):
            names[name] = f"{prefix}{index}"
            names[f"grad_{name}"] = f"{grad_prefix}{index}"
    used = set(_IDENTIFIER.findall(source))
    clashing = used & set(names.values())
    if clashing:  # pragma: no cover - the generated names changed
        raise RuntimeError(f"short names {sorted(clashing)} are taken in the generated program")
    source = _IDENTIFIER.sub(lambda match: names.get(match.group(0), match.group(0)), source)
    source = _INDENT.sub(lambda match: " " * (len(match.group(0)) // 4), source)
    return source.replace(
        "function forward(",
        "// Short names: p<i> = params[i], g<i> its gradient; n<k> = the state's node k, "
        "d<k> its gradient.\nfunction forward(",
        1,
    )


def _loss_rules() -> str:
    """The operation table's JavaScript rules for the losses, as one object expression."""
    entries = []
    for op in LOSS_OPERATIONS:
        rules = operations.OPERATIONS[op].javascript
        assert rules is not None, op
        entries.append(f"  {op}: {{\n    forward: {rules.forward},\n"
                       f"    derivatives: {rules.derivatives},\n  }}")
    return "({\n" + ",\n".join(entries) + "\n})"


def playground_kit(
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
    activations: Sequence[str] | None = None,
) -> dict[str, Any]:
    """The kit of a playground opened on these settings (see the module docstring for its keys).

    Each setting left None is the `train` command's default for `dataset` (`datasets.DATASETS`);
    the loss defaults to hinge for two classes and cross_entropy for more, as `train` does.
    `networks` is the hidden-layer menu (default `DEFAULT_NETWORKS`); `layers` is added to it.
    `activations` is the activation menu (default `PLAYGROUND_ACTIVATIONS`); `activation` is
    added to it. The kit holds a model for every combination of the menus.
    TypeError / ValueError name any argument that is not valid.
    """
    dataset = _choice(dataset, "dataset", PLAYGROUND_DATASETS)
    activation = _choice(activation, "activation", PLAYGROUND_ACTIVATIONS)
    if isinstance(activations, (str, bytes)):
        raise TypeError(f"activations must be a list of names such as ['relu', 'tanh'], got "
                        f"{shorten(activations)}")
    activation_menu = [
        _choice(name, f"activations[{index}]", PLAYGROUND_ACTIVATIONS)
        for index, name in enumerate(PLAYGROUND_ACTIVATIONS if activations is None else activations)
    ]
    activation_menu = [name for name in PLAYGROUND_ACTIVATIONS
                       if name in activation_menu or name == activation]
    seed = checks.count(seed, "seed", minimum=0)
    defaults = DATASETS[dataset].defaults
    chosen_layers = defaults.layers if layers is None else _layers(layers, "layers")
    if isinstance(networks, (str, bytes)) or not isinstance(networks, (list, tuple, type(None))):
        raise TypeError(
            f"networks must be a list of layer lists such as [[], [8], [16, 16]], got "
            f"{type(networks).__name__}: {shorten(networks)}"
        )
    menu = [_layers(network, f"networks[{index}]")
            for index, network in enumerate(DEFAULT_NETWORKS if networks is None else networks)]
    if chosen_layers not in menu:
        menu.append(chosen_layers)
    menu = list(dict.fromkeys(menu))
    rate = checks.positive_number(
        defaults.lr if lr is None else lr, "lr", "; typical learning rates are 0.001 to 1"
    )
    momentum_value = checks.non_negative_number(
        defaults.momentum if momentum is None else momentum, "momentum"
    )
    size = defaults.batch_size if batch_size is None else checks.count(batch_size, "batch_size")
    epoch_count = checks.count(defaults.epochs if epochs is None else epochs, "epochs",
                               maximum=10_000, why="the page embeds every epoch's order")

    data = {}
    for name in PLAYGROUND_DATASETS:
        choice = DATASETS[name]
        X, labels = choice.load(choice.defaults.samples or 0, seed)
        encodings = _encodings(labels)
        data[name] = {
            "X": X,
            "labels": labels,
            "classes": max(labels) + 1,
            "samples": len(X),
            "bounds": list(padded_bounds(X)),
            "encodings": encodings,
            "orders": _orders(len(X), epoch_count, seed),
        }
    chosen_loss = fitting_losses(data[dataset]["classes"])[0] if loss is None else loss
    if not isinstance(chosen_loss, str) or chosen_loss not in LOSSES:
        raise ValueError(
            f"unknown loss {shorten(chosen_loss)}; choose one of {', '.join(map(repr, LOSSES))}"
        )
    if chosen_loss not in data[dataset]["encodings"]:
        fitting = ", ".join(map(repr, data[dataset]["encodings"]))
        raise ValueError(
            f"loss {chosen_loss!r} does not fit {dataset} ({data[dataset]['classes']} classes); "
            f"choose one of {fitting}"
        )

    models: dict[str, Any] = {}
    programs: dict[str, str] = {}
    parameters: dict[str, list[float]] = {}
    parameter_keys: dict[tuple[float, ...], str] = {}
    shapes = {(encoding["outputs"], encoding["outputActivation"])
              for entry in data.values() for encoding in entry["encodings"].values()}
    for hidden in menu:
        for hidden_activation in activation_menu:
            for outputs, output_activation in sorted(shapes):
                sizes = [2, *hidden, outputs]
                model = MLP(2, sizes[1:], activation=hidden_activation,
                            output_activation=output_activation, seed=seed)
                key = f"{network_text(hidden)}|{hidden_activation}|{outputs}|{output_activation}"
                shape = "-".join(map(str, sizes))
                program_key = f"{shape}|{hidden_activation}|{output_activation}"
                if program_key not in programs:
                    programs[program_key] = _compact_program(model)
                initial = [parameter.data for parameter in model.parameters()]
                parameters_key = parameter_keys.setdefault(
                    tuple(initial), f"{network_text(hidden)}|{hidden_activation}|{outputs}"
                    f"|{output_activation}"
                )
                parameters.setdefault(parameters_key, initial)
                models[key] = {
                    "sizes": sizes,
                    "activation": hidden_activation,
                    "outputActivation": output_activation,
                    "parameters": parameters_key,
                    "layers": _layout(sizes),
                    "neuronStates": _neuron_states(model),
                    "program": program_key,
                }

    return {
        "settings": {
            "dataset": dataset,
            "layers": list(chosen_layers),
            "network": network_text(chosen_layers),
            "activation": activation,
            "loss": chosen_loss,
            "lr": rate,
            "momentum": momentum_value,
            "batchSize": size,
            "epochs": epoch_count,
            "seed": seed,
        },
        "menus": {
            "datasets": list(PLAYGROUND_DATASETS),
            "activations": activation_menu,
            "networks": [network_text(network) for network in menu],
            "losses": {name: list(entry["encodings"]) for name, entry in data.items()},
        },
        "defaults": {
            name: {
                "layers": list(DATASETS[name].defaults.layers),
                "network": network_text(DATASETS[name].defaults.layers),
                "lr": DATASETS[name].defaults.lr,
                "momentum": DATASETS[name].defaults.momentum,
                "batchSize": DATASETS[name].defaults.batch_size,
                "epochs": DATASETS[name].defaults.epochs,
                "loss": fitting_losses(data[name]["classes"])[0],
            }
            for name in PLAYGROUND_DATASETS
        },
        "datasets": data,
        "models": models,
        "parameters": parameters,
        "programs": programs,
        "runtime": RUNTIME,
        "lossRules": _loss_rules(),
    }


KIT_BUDGET = 2_000_000
"""The most characters of JSON `kit_for_run` gives a run's kit (the page's limit is 3 MB, and a
report also carries the run's recorded parameters)."""


class PlaygroundTooLarge(ValueError):
    """A run's network is too large for a page to hold its programs (see `kit_for_run`)."""


def kit_for_run(
    *,
    dataset: str,
    layers: Sequence[int],
    activation: str,
    loss: str,
    lr: float,
    momentum: float,
    batch_size: int | None,
    epochs: int,
    seed: int,
    networks: Sequence[Sequence[int]] | None = None,
    budget: int = KIT_BUDGET,
) -> dict[str, Any]:
    """The kit of a playground opened on a finished `micrograd-ann train` run: `playground_kit`
    with the run's own settings, all given, so the page's first epochs are that run's.

    A wide network's programs are large (each weight is a few lines of each program), so when
    the kit's JSON would pass `budget` characters (a report holding the run's recorded
    parameters too passes what it leaves), the menus shrink until it fits: first to the run's
    activation alone, then also to the run's network alone. `PlaygroundTooLarge` (a
    ValueError) when even that does not fit; layers wider than 64 are refused (ValueError).
    """
    settings: dict[str, Any] = {
        "dataset": dataset, "layers": layers, "activation": activation, "loss": loss, "lr": lr,
        "momentum": momentum, "batch_size": batch_size, "epochs": epochs, "seed": seed,
    }
    menus: list[dict[str, Any]] = [
        {"networks": networks},
        {"networks": networks, "activations": [activation]},
        {"networks": [layers], "activations": [activation]},
    ]
    budget = checks.count(budget, "budget")
    size = 0
    for menu in menus:
        kit = playground_kit(**settings, **menu)
        size = len(json.dumps(kit))
        if size <= budget:
            return kit
    raise PlaygroundTooLarge(
        f"layers {list(layers)}: the playground's kit for this network alone takes {size:,} "
        f"characters, above the {budget:,} the page can hold; a playground trains networks of "
        "up to a few hundred weights (such as 16,16)"
    )
