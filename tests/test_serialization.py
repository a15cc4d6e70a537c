"""Tests for serialization: save/load round trips and hostile or malformed files."""

from __future__ import annotations

import copy
import json
import pickle
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from micrograd_ann import MLP, Layer, Module, Neuron, Perceptron, load, save, serialization
from micrograd_ann.nn import Module as BaseModule

# -------------------------------------------------------------------------------------------------
# Round trips
# -------------------------------------------------------------------------------------------------

INPUTS = [[0.25, -1.5, 3.0], [1e-3, 7.0, -0.1], [0.0, 0.0, 0.0]]


def _outputs(model: Module, row: list[float]) -> list[float]:
    result = model(row)
    if isinstance(result, int):
        return [float(result)]
    if isinstance(result, list):
        return [value.data for value in result]
    return [result.data]


@pytest.mark.parametrize(
    "model",
    [
        MLP(3, [16, 16, 1], seed=1),
        MLP(3, [4, 5, 3], activation="tanh", output_activation="sigmoid", seed=2),
        MLP(3, [2]),
        Layer(3, 4, activation="sigmoid", seed=3),
        Neuron(3, activation="tanh", seed=4),
        Perceptron(3, lr=0.25, seed=5),
    ],
    ids=repr,
)
def test_round_trip_is_bit_identical(model: Module, tmp_path: Path) -> None:
    path = tmp_path / "model.json"
    save(model, path)
    loaded = load(str(path))
    assert type(loaded) is type(model)
    assert repr(loaded) == repr(model)
    assert loaded.state_dict() == model.state_dict()  # float == float: every bit
    for row in INPUTS:
        assert _outputs(loaded, row) == _outputs(model, row)


def test_round_trip_keeps_trained_perceptron(tmp_path: Path) -> None:
    perceptron = Perceptron(2, seed=0)
    perceptron.fit([[0, 0], [0, 1], [1, 0], [1, 1]], [0, 0, 0, 1])
    save(perceptron, tmp_path / "and.json")
    loaded = load(tmp_path / "and.json")
    assert isinstance(loaded, Perceptron) and loaded.lr == perceptron.lr
    assert [loaded.predict(row) for row in [[0, 0], [0, 1], [1, 0], [1, 1]]] == [0, 0, 0, 1]


def test_file_is_plain_readable_json(tmp_path: Path) -> None:
    save(MLP(2, [3, 1], seed=0), tmp_path / "model.json")
    document = json.loads((tmp_path / "model.json").read_text(encoding="utf-8"))
    assert document["format"] == "micrograd_ann.model"
    assert document["version"] == 1
    assert document["kind"] == "MLP"
    assert document["architecture"] == {
        "nin": 2, "nouts": [3, 1], "activation": "relu", "output_activation": "linear"
    }
    assert len(document["parameters"]) == 3 * 3 + 4
    assert "layers.1.neurons.0.b" in document["parameters"]


def test_save_takes_a_name_of_255_characters(tmp_path: Path) -> None:
    # The case: the temporary name used to add 14 characters, past NAME_MAX.
    model = MLP(2, [3, 1], seed=0)
    path = tmp_path / ("b" * 250 + ".json")
    save(model, path)
    assert load(path).state_dict() == model.state_dict()
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


def test_save_keeps_a_private_files_mode_and_refuses_a_directory(tmp_path: Path) -> None:
    path = tmp_path / "model.json"
    save(MLP(2, [1], seed=0), path)
    path.chmod(0o600)
    save(MLP(2, [1], seed=1), path)
    assert path.stat().st_mode & 0o777 == 0o600
    (tmp_path / "folder").mkdir()
    with pytest.raises(OSError, match="is a directory"):
        save(MLP(2, [1], seed=0), tmp_path / "folder")


def test_save_refuses_non_finite_parameters(tmp_path: Path) -> None:
    model = Neuron(2, seed=0)
    model.bias.data = float("nan")
    with pytest.raises(ValueError, match=r"'b'.*nan"):
        save(model, tmp_path / "model.json")
    assert not (tmp_path / "model.json").exists()


def test_save_refuses_unknown_classes(tmp_path: Path) -> None:
    class Custom(BaseModule):
        pass

    with pytest.raises(TypeError, match="Custom"):
        save(Custom(), tmp_path / "model.json")


# -------------------------------------------------------------------------------------------------
# Malformed and hostile files
# -------------------------------------------------------------------------------------------------


def _valid_document() -> dict[str, Any]:
    model = MLP(2, [2, 1], seed=0)
    return {
        "format": "micrograd_ann.model",
        "version": 1,
        "kind": "MLP",
        "architecture": {
            "nin": 2, "nouts": [2, 1], "activation": "relu", "output_activation": "linear"
        },
        "parameters": model.state_dict(),
    }


def test_the_hand_written_valid_document_loads(tmp_path: Path) -> None:
    path = tmp_path / "model.json"
    path.write_text(json.dumps(_valid_document()), encoding="utf-8")
    assert isinstance(load(path), MLP)


def _set(*keys: str, value: object) -> Callable[[dict[str, Any]], None]:
    def change(document: dict[str, Any]) -> None:
        target = document
        for key in keys[:-1]:
            target = target[key]
        target[keys[-1]] = value

    return change


def _delete(*keys: str) -> Callable[[dict[str, Any]], None]:
    def change(document: dict[str, Any]) -> None:
        target = document
        for key in keys[:-1]:
            target = target[key]
        del target[keys[-1]]

    return change


def _rename_parameter(document: dict[str, Any]) -> None:
    parameters = document["parameters"]
    parameters["layers.0.neurons.0.w.7"] = parameters.pop("layers.0.neurons.0.w.1")


def _drop_one_parameter(document: dict[str, Any]) -> None:
    document["parameters"].pop("layers.1.neurons.0.b")


MUTATIONS: dict[str, tuple[Callable[[dict[str, Any]], None], str]] = {
    "wrong format": (_set("format", value="pickle"), "'format' is 'pickle'"),
    "missing format": (_delete("format"), "'format' is None"),
    "newer version": (_set("version", value=2), "version 2"),
    "version as text": (_set("version", value="1"), "version '1'"),
    "version as bool": (_set("version", value=True), "version True"),
    "unknown kind": (_set("kind", value="Transformer"), "kind 'Transformer'"),
    "kind not text": (_set("kind", value=["MLP"]), "kind"),
    "missing kind": (_delete("kind"), "missing 'kind'"),
    "missing architecture": (_delete("architecture"), "missing 'architecture'"),
    "missing parameters": (_delete("parameters"), "missing 'parameters'"),
    "extra field": (_set("code", value="import os"), "unknown 'code'"),
    "architecture not object": (_set("architecture", value=[2, [2, 1]]), "'architecture'"),
    "missing nin": (_delete("architecture", "nin"), "missing 'nin'"),
    "extra architecture field": (_set("architecture", "bias", value=1), "unknown 'bias'"),
    "nin zero": (_set("architecture", "nin", value=0), "'nin'.*0"),
    "nin float": (_set("architecture", "nin", value=2.0), "'nin'.*2.0"),
    "nin bool": (_set("architecture", "nin", value=True), "'nin'.*True"),
    "nin text": (_set("architecture", "nin", value="2"), "'nin'"),
    "nouts empty": (_set("architecture", "nouts", value=[]), "'nouts'"),
    "nouts not list": (_set("architecture", "nouts", value=2), "'nouts'"),
    "layer size zero": (_set("architecture", "nouts", value=[0, 1]), r"nouts\[0\]"),
    "layer size null": (_set("architecture", "nouts", value=[2, None]), r"nouts\[1\]"),
    "unknown activation": (_set("architecture", "activation", value="eval"), "'eval'"),
    "shape mismatch": (_set("architecture", "nouts", value=[3, 1]), "13 parameters.*lists 9"),
    "parameters not object": (_set("parameters", value=[0.1] * 9), "'parameters'"),
    "one parameter missing": (_drop_one_parameter, "9 parameters.*lists 8"),
    "renamed parameter": (
        _rename_parameter,
        r"missing 'layers\.0\.neurons\.0\.w\.1'; unknown 'layers\.0\.neurons\.0\.w\.7'",
    ),
    "parameter text": (_set("parameters", "layers.0.neurons.0.b", value="0.5"), "str"),
    "parameter null": (_set("parameters", "layers.0.neurons.0.b", value=None), "NoneType"),
    "parameter bool": (_set("parameters", "layers.0.neurons.0.b", value=False), "bool"),
    "parameter list": (_set("parameters", "layers.0.neurons.0.b", value=[0.5]), "list"),
    "parameter object": (
        _set("parameters", "layers.0.neurons.0.b", value={"__class__": "os.system"}), "dict"
    ),
}


@pytest.mark.parametrize("case", list(MUTATIONS))
def test_malformed_document(case: str, tmp_path: Path) -> None:
    change, message = MUTATIONS[case]
    document = copy.deepcopy(_valid_document())
    change(document)
    path = tmp_path / "model.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        load(path)


def _valid_text() -> str:
    return json.dumps(_valid_document())


RAW_FILES: dict[str, tuple[bytes, str]] = {
    "empty": (b"", "empty"),
    "whitespace only": (b"  \n\t", "empty"),
    "not json": (b"layers: [2, 1]", "not valid JSON"),
    "truncated json": (_valid_text()[:40].encode(), "not valid JSON"),
    "not utf-8": (b"\xff\xfe{\x00}", "not UTF-8"),
    "a pickle": (pickle.dumps({"format": "micrograd_ann.model"}), "not"),
    "a json list": (b"[1, 2, 3]", "expected a JSON object, got list"),
    "a json number": (b"42", "expected a JSON object, got int"),
    "NaN parameter": (
        _valid_text().replace('"layers.0.neurons.0.b": 0.0', '"layers.0.neurons.0.b": NaN')
        .encode(),
        "NaN",
    ),
    "Infinity parameter": (
        _valid_text().replace('"layers.0.neurons.0.b": 0.0', '"layers.0.neurons.0.b": -Infinity')
        .encode(),
        "Infinity",
    ),
    "overflowing parameter": (
        _valid_text().replace('"layers.0.neurons.0.b": 0.0', '"layers.0.neurons.0.b": 1e999')
        .encode(),
        "finite",
    ),
    "duplicate key": (
        _valid_text().replace('"kind": "MLP"', '"kind": "MLP", "kind": "Neuron"').encode(),
        "'kind' appears twice",
    ),
    "deeply nested": (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    "huge integer": (b'{"format": "micrograd_ann.model", "version": 1' + b"0" * 5000 + b"}",
                     "too long"),
}


@pytest.mark.parametrize("case", list(RAW_FILES))
def test_hostile_file(case: str, tmp_path: Path) -> None:
    content, message = RAW_FILES[case]
    path = tmp_path / "model.json"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=message) as raised:
        load(path)
    assert str(path) in str(raised.value)  # the message says which file


def test_a_huge_architecture_is_refused_before_it_is_built(tmp_path: Path) -> None:
    document = _valid_document()
    document["architecture"]["nouts"] = [10**9, 10**9, 1]
    path = tmp_path / "model.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(ValueError, match="parameters, but the file lists 9"):
        load(path)


def test_perceptron_file_checks_its_learning_rate(tmp_path: Path) -> None:
    path = tmp_path / "perceptron.json"
    save(Perceptron(2, seed=0), path)
    document = json.loads(path.read_text(encoding="utf-8"))
    document["architecture"]["lr"] = -1
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(ValueError, match=r"'lr'.*-1"):
        load(path)


def test_missing_file_is_a_file_not_found_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        load(tmp_path / "absent.json")


def test_integers_too_large_for_a_float_are_refused_with_value_error(tmp_path: Path) -> None:
    model = MLP(1, [1], seed=0)
    path = tmp_path / "model.json"
    save(model, path)
    document = json.loads(path.read_text())
    first = next(iter(document["parameters"]))
    text = path.read_text().replace(
        json.dumps(document["parameters"][first]), "1" + "0" * 400, 1
    )
    path.write_text(text)
    with pytest.raises(ValueError, match="too large"):
        load(path)


# -------------------------------------------------------------------------------------------------
# Failing writes and huge files
# -------------------------------------------------------------------------------------------------


def test_a_write_cut_short_by_a_file_size_limit_keeps_the_previous_model(tmp_path: Path) -> None:
    """`ulimit -f 8` in a child process: the big model's write fails, the small one survives."""
    target = tmp_path / "model.json"
    small = MLP(2, [2, 1], seed=0)
    save(small, target)
    before = target.read_bytes()
    script = textwrap.dedent(
        f"""
        import resource, signal, sys
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a failed write raises OSError instead
        resource.setrlimit(resource.RLIMIT_FSIZE, (8192, 8192))
        from micrograd_ann import MLP, save
        try:
            save(MLP(2, [64, 64, 1], seed=0), {str(target)!r})
        except OSError as error:
            print("refused:", error.strerror)
            sys.exit(3)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 3, result.stderr
    assert "refused: File too large" in result.stdout
    assert target.read_bytes() == before
    assert load(target).state_dict() == small.state_dict()
    assert [path.name for path in tmp_path.iterdir()] == ["model.json"]


def test_load_refuses_an_endless_file_without_reading_it_all() -> None:
    with pytest.raises(ValueError, match=r"larger than the limit of 268,435,456 bytes"):
        load("/dev/zero")


def test_load_refuses_a_file_over_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "big.json"
    save(MLP(2, [8, 1], seed=0), path)
    monkeypatch.setattr(serialization, "MAX_FILE_SIZE", path.stat().st_size - 1)
    with pytest.raises(ValueError, match=r"big\.json.*larger than the limit"):
        load(path)


@pytest.mark.parametrize(
    "document",
    [
        {"format": "x" * 5_000_000},
        {"format": "micrograd_ann.model", "version": 1, "kind": "k" * 5_000_000,
         "architecture": {}, "parameters": {}},
        {"format": "micrograd_ann.model", "version": 1, "kind": "MLP",
         "architecture": {"nin": [0] * 1_000_000, "nouts": [1], "activation": "relu",
                          "output_activation": "linear"}, "parameters": {}},
        {"format": "micrograd_ann.model", "version": 1, "kind": "MLP",
         "architecture": {"nin": 1, "nouts": [1], "activation": "relu",
                          "output_activation": "linear"},
         "parameters": {"layers.0.neurons.0.w.0": "1" * 5_000_000,
                        "layers.0.neurons.0.b": 0.0}},
        {"format": "micrograd_ann.model", "version": 1, "kind": "MLP",
         "architecture": {"nin": 1, "nouts": [1], "activation": "relu",
                          "output_activation": "linear"},
         "parameters": {"n" * 5_000_000: 1.0, "layers.0.neurons.0.b": 0.0}},
        {"format": "micrograd_ann.model", "version": 1, "kind": "MLP", "z" * 5_000_000: 1,
         "architecture": {}, "parameters": {}},
    ],
    ids=["format", "kind", "architecture", "parameter value", "parameter name", "field name"],
)
def test_error_messages_show_huge_values_shortened(tmp_path: Path, document: object) -> None:
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(ValueError) as caught:
        load(path)
    message = str(caught.value)
    assert len(message) < 1000, message[:300]
    assert "characters in all" in message
