"""Serialization: `save` a model to a plain JSON file and `load` it back, checking every field.

A saved model is readable text, never pickle, so loading a file cannot run code:

    {
      "format": "micrograd_ann.model",
      "version": 1,
      "kind": "MLP",
      "architecture": {"nin": 2, "nouts": [16, 16, 1], "activation": "relu",
                       "output_activation": "linear"},
      "parameters": {"layers.0.neurons.0.w.0": 0.123, ..., "layers.2.neurons.0.b": -0.05}
    }

`architecture` holds the constructor's arguments; `parameters` is the model's `state_dict()`,
its numbers written with `repr` precision so they load back bit for bit. The kinds are `MLP`,
`Layer`, `Neuron` and `Perceptron`.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import math
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from micrograd_ann.checks import shorten
from micrograd_ann.files import read_limited, write_atomic
from micrograd_ann.nn import (
    ACTIVATIONS,
    MLP,
    Layer,
    Module,
    Neuron,
    describe_name_mismatch,
)
from micrograd_ann.perceptron import Perceptron

__all__ = ["FORMAT", "VERSION", "MAX_FILE_SIZE", "save", "load"]

FORMAT = "micrograd_ann.model"
VERSION = 1
MAX_FILE_SIZE = 256 * 1024 * 1024
"""`load` refuses a file larger than this (256 MiB; the largest model `nn` builds, a million
parameters, takes about 60 MB)."""
_TOP_LEVEL_FIELDS = ("format", "version", "kind", "architecture", "parameters")


# -------------------------------------------------------------------------------------------------
# Field checks: each returns the checked value or raises ValueError naming the field
# -------------------------------------------------------------------------------------------------


def _size(value: object, field: str) -> int:
    if type(value) is not int or value < 1:
        raise ValueError(
            f"architecture field {field!r} must be an integer ≥ 1, got {shorten(value)}"
        )
    return value


def _sizes(value: object, field: str) -> list[int]:
    if type(value) is not list or not value:
        raise ValueError(
            f"architecture field {field!r} must be a non-empty list of layer sizes, "
            f"got {shorten(value)}"
        )
    return [_size(size, f"{field}[{index}]") for index, size in enumerate(value)]


def _activation(value: object, field: str) -> str:
    if type(value) is not str or value not in ACTIVATIONS:
        raise ValueError(
            f"architecture field {field!r} must be one of {', '.join(ACTIVATIONS)}, "
            f"got {shorten(value)}"
        )
    return value


def _positive_number(value: object, field: str) -> float:
    number = math.nan
    if not isinstance(value, bool) and isinstance(value, int | float):
        with contextlib.suppress(OverflowError):  # an integer too large for a float stays NaN
            number = float(value)
    if not 0.0 < number < math.inf:
        raise ValueError(
            f"architecture field {field!r} must be a positive finite number, "
            f"got {shorten(value)}"
        )
    return number


# -------------------------------------------------------------------------------------------------
# The kinds of model a file may hold
# -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Kind:
    """How one model class is described in a file and rebuilt from it."""

    model_class: type[Module]
    fields: dict[str, Callable[[object, str], object]]
    describe: Callable[[Any], dict[str, object]]
    parameter_count: Callable[[dict[str, Any]], int]
    build: Callable[[dict[str, Any]], Module]


def _mlp_parameter_count(architecture: dict[str, Any]) -> int:
    sizes = [architecture["nin"], *architecture["nouts"]]
    return sum((nin + 1) * nout for nin, nout in itertools.pairwise(sizes))


_KINDS: dict[str, _Kind] = {
    "MLP": _Kind(
        MLP,
        {"nin": _size, "nouts": _sizes, "activation": _activation,
         "output_activation": _activation},
        lambda model: {"nin": model.nin, "nouts": list(model.nouts),
                       "activation": model.activation,
                       "output_activation": model.output_activation},
        _mlp_parameter_count,
        lambda arch: MLP(arch["nin"], arch["nouts"], arch["activation"],
                         arch["output_activation"], seed=0),
    ),
    "Layer": _Kind(
        Layer,
        {"nin": _size, "nout": _size, "activation": _activation},
        lambda model: {"nin": model.nin, "nout": model.nout, "activation": model.activation},
        lambda arch: (arch["nin"] + 1) * arch["nout"],
        lambda arch: Layer(arch["nin"], arch["nout"], arch["activation"], seed=0),
    ),
    "Neuron": _Kind(
        Neuron,
        {"nin": _size, "activation": _activation},
        lambda model: {"nin": model.nin, "activation": model.activation},
        lambda arch: arch["nin"] + 1,
        lambda arch: Neuron(arch["nin"], arch["activation"], seed=0),
    ),
    "Perceptron": _Kind(
        Perceptron,
        {"nin": _size, "lr": _positive_number},
        lambda model: {"nin": model.nin, "lr": model.lr},
        lambda arch: arch["nin"] + 1,
        lambda arch: Perceptron(arch["nin"], arch["lr"], seed=0),
    ),
}


# -------------------------------------------------------------------------------------------------
# save and load
# -------------------------------------------------------------------------------------------------


def save(model: Module, path: str | os.PathLike[str]) -> None:
    """Write `model` (an MLP, Layer, Neuron or Perceptron) to `path` as JSON.

    The file is written atomically (`files.write_atomic`): a write that fails half-way (disk
    full, a file-size limit) raises OSError and leaves any previous file at `path` intact.
    """
    kind_name = next(
        (name for name, kind in _KINDS.items() if type(model) is kind.model_class), None
    )
    if kind_name is None:
        raise TypeError(
            f"save() can store {', '.join(_KINDS)}, not {type(model).__name__}; "
            "save a model's state_dict() yourself for other classes"
        )
    parameters = model.state_dict()
    for name, number in parameters.items():
        if not math.isfinite(number):
            raise ValueError(
                f"cannot save {model!r}: parameter {name!r} is {number!r}; JSON has no NaN or "
                "infinity (the training probably diverged: retrain with a smaller learning rate)"
            )
    document = {
        "format": FORMAT,
        "version": VERSION,
        "kind": kind_name,
        "architecture": _KINDS[kind_name].describe(model),
        "parameters": parameters,
    }
    write_atomic(path, json.dumps(document, indent=2, allow_nan=False) + "\n")


def load(path: str | os.PathLike[str]) -> Module:
    """Read a model written by `save`. Every field is checked; anything malformed raises
    `ValueError` saying what and where. Only JSON is parsed: loading never runs code.

    A file larger than `MAX_FILE_SIZE` (256 MiB) is refused with ValueError before it is read
    in full, and offending values are shortened in messages (`checks.shorten`)."""
    where = os.fspath(path)
    raw = read_limited(path, MAX_FILE_SIZE, "model file")
    try:
        return _model_from_document(_parse(raw))
    except ValueError as error:
        raise ValueError(f"{where}: {error}") from None


def _parse(raw: bytes) -> object:
    if not raw.strip():
        raise ValueError("the file is empty; it holds no saved model")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ValueError(f"not a saved model: the file is not UTF-8 text ({error})") from None
    try:
        return json.loads(
            text, object_pairs_hook=_object_without_duplicates, parse_constant=_reject_constant
        )
    except json.JSONDecodeError as error:
        raise ValueError(f"not a saved model: the file is not valid JSON ({error})") from None
    except _MalformedFile:
        raise
    except ValueError:  # an integer literal with thousands of digits
        raise ValueError("not a saved model: the file holds a number too long to read") from None
    except RecursionError:
        raise ValueError("not a saved model: the JSON is nested too deeply") from None


class _MalformedFile(ValueError):
    """Raised from inside the JSON parser's hooks."""


def _object_without_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _MalformedFile(f"the key {shorten(key)} appears twice in one JSON object")
        result[key] = value
    return result


def _reject_constant(name: str) -> float:
    raise _MalformedFile(f"the file contains {name}; saved parameters must be finite numbers")


def _check_fields(found: dict[str, Any], expected: tuple[str, ...], what: str) -> None:
    mismatch = describe_name_mismatch(expected, found)
    if mismatch:
        raise ValueError(
            f"{what}: wrong fields ({mismatch}); expected exactly {', '.join(expected)}"
        )


def _model_from_document(document: object) -> Module:
    if type(document) is not dict:
        raise ValueError(
            f"not a saved model: expected a JSON object, got {type(document).__name__}"
        )
    if document.get("format") != FORMAT:
        raise ValueError(
            f"not a saved model: 'format' is {shorten(document.get('format'))}, "
            f"expected {FORMAT!r}"
        )
    _check_fields(document, _TOP_LEVEL_FIELDS, "malformed model file")
    version = document["version"]
    if type(version) is not int or version != VERSION:
        raise ValueError(
            f"unsupported format version {shorten(version)}; this micrograd_ann reads "
            f"version {VERSION}"
        )
    kind_name = document["kind"]
    if type(kind_name) is not str or kind_name not in _KINDS:
        raise ValueError(
            f"unknown model kind {shorten(kind_name)}; expected one of {', '.join(_KINDS)}"
        )
    kind = _KINDS[kind_name]

    architecture = document["architecture"]
    if type(architecture) is not dict:
        raise ValueError(f"'architecture' must be a JSON object, got {shorten(architecture)}")
    _check_fields(architecture, tuple(kind.fields), f"architecture of {kind_name}")
    checked = {name: check(architecture[name], name) for name, check in kind.fields.items()}

    parameters = document["parameters"]
    if type(parameters) is not dict:
        raise ValueError(
            f"'parameters' must be a JSON object of name → number, got {shorten(parameters)}"
        )
    expected_count = kind.parameter_count(checked)
    if len(parameters) != expected_count:
        raise ValueError(
            f"{kind_name} with architecture {shorten(checked)} has {expected_count} parameters, "
            f"but the file lists {len(parameters)}"
        )
    for name, number in parameters.items():
        if type(number) not in (int, float):
            raise ValueError(
                f"parameter {shorten(name)} must be a number, got {type(number).__name__}: "
                f"{shorten(number)}"
            )
    model = kind.build(checked)
    model.load_state_dict(parameters)
    return model
