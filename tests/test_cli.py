"""The micrograd-ann command, run as a user runs it: in a subprocess, plus in-process fuzzing."""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import subprocess
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from micrograd_ann.cli import main

ROOT = Path(__file__).resolve().parent.parent


def run(*arguments: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "micrograd_ann", *arguments],
        capture_output=True,
        text=True,
        timeout=120,
        env=environment,
        cwd=cwd,
        check=False,
    )


def printed_numbers(output: str) -> dict[str, float]:
    """{"value": …, "x": …} from the lines "EXPR = v" and "∂/∂x = g"."""
    numbers = {}
    for line in output.splitlines():
        if " = " not in line:
            continue
        left, right = line.rsplit(" = ", 1)
        key = left.removeprefix("∂/∂").strip() if left.startswith("∂/∂") else "value"
        numbers[key] = float(right)
    return numbers


def test_grad_prints_value_and_every_partial_derivative() -> None:
    completed = run("grad", "tanh(x*w + b)", "x=0.5", "w=-1.5", "b=0.2")
    assert completed.returncode == 0, completed.stderr
    numbers = printed_numbers(completed.stdout)
    t = math.tanh(0.5 * -1.5 + 0.2)
    assert numbers["value"] == pytest.approx(t, rel=1e-12)
    assert numbers["x"] == pytest.approx((1 - t * t) * -1.5, rel=1e-12)
    assert numbers["w"] == pytest.approx((1 - t * t) * 0.5, rel=1e-12)
    assert numbers["b"] == pytest.approx(1 - t * t, rel=1e-12)


def test_python_dash_m_and_help_at_every_level() -> None:
    for arguments in (["--help"], ["grad", "--help"], ["train", "--help"], ["demo", "--help"]):
        completed = run(*arguments)
        assert completed.returncode == 0
        assert "usage: micrograd-ann" in completed.stdout


@pytest.mark.parametrize(
    "arguments",
    [
        ["grad", "x.__class__", "x=1"],
        ["grad", "__import__('os').system('touch PWNED')"],
        ["grad", "x", "x=abc"],
        ["grad", "y", "x=1"],
        ["grad", "log(x)", "x=-1"],
        ["grad", "9**9**9**9"],
        ["grad", "[x for x in y]", "x=1"],
    ],
)
def test_bad_expressions_exit_2_with_one_line_and_no_traceback(
    arguments: list[str], tmp_path: Path
) -> None:
    completed = run(*arguments, cwd=tmp_path)
    assert completed.returncode == 2
    assert "Traceback" not in completed.stderr
    assert len(completed.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "PWNED").exists()


def test_bad_arguments_exit_2_with_argparse_message() -> None:
    for arguments in (["no-such-command"], [], ["grad"], ["grad", "x", "--no-such-flag"]):
        completed = run(*arguments)
        assert completed.returncode == 2
        assert "usage:" in completed.stderr


TOKENS = st.sampled_from(
    ["x", "w", "1", "0", "9", "2.5", "1e308", "(", ")", "+", "-", "*", "/", "**", "//", ".",
     ",", "[", "]", "exp", "log", "sqrt", "lambda", ":", "__import__", "'os'", "open", "=",
     "for", "in", "if", "else", " "]
)


HOSTILE_PIECES = st.sampled_from(
    ["__import__('os').system('touch PWNED')", "open('PWNED', 'w')", "exec('1')", "eval('1')",
     "x.__class__", "().__class__.__bases__", "[c for c in ()]", "lambda: 0", "x[0]",
     "9**9**9**9", "10**400", "1e308*1e308", "log(-x)", "sqrt(-1)", "1/(x-x)", "0**-1",
     "x if x else w", "(x := 1)", "f'{x}'", "b'x'", "...", "x @ w", "not x", "x and w"]
)


@settings(max_examples=12, deadline=None)
@given(st.lists(st.one_of(HOSTILE_PIECES, TOKENS), min_size=1, max_size=4).map(" ".join))
def test_hostile_expressions_through_the_real_command(expression: str) -> None:
    """As a user runs it: a subprocess, exit 0 or 2, one clean line on error, nothing executed."""
    with tempfile.TemporaryDirectory() as folder:
        completed = run("grad", "--", expression, "x=0.5", "w=-2", cwd=Path(folder))
        assert completed.returncode in (0, 2), completed.stderr
        assert "Traceback" not in completed.stderr
        if completed.returncode == 2:
            assert len(completed.stderr.strip().splitlines()) == 1
        assert not (Path(folder) / "PWNED").exists()


@settings(max_examples=200, deadline=timedelta(seconds=1))
@given(st.lists(st.one_of(TOKENS, TOKENS, HOSTILE_PIECES), max_size=20).map("".join))
def test_fuzzed_expressions_exit_cleanly_and_quickly(expression: str) -> None:
    errors = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(errors):
        status = main(["grad", "--", expression, "x=0.5", "w=-2"])
    assert status in (0, 2)
    if status == 2:
        assert len(errors.getvalue().strip().splitlines()) == 1
        assert "Traceback" not in errors.getvalue()


def test_train_writes_model_history_and_pictures(tmp_path: Path) -> None:
    from micrograd_ann import load

    out = tmp_path / "run"
    completed = run(
        "train", "--dataset", "moons", "--layers", "8", "--activation", "relu", "--loss",
        "hinge", "--epochs", "3", "--lr", "0.5", "--seed", "1", "--out", str(out),
    )
    assert completed.returncode == 0, completed.stderr
    model = load(out / "model.json")
    assert len(model.parameters()) == (2 + 1) * 8 + (8 + 1) * 1
    history = json.loads((out / "history.json").read_text())
    assert len(history["loss"]) == 3
    assert all(0.0 <= accuracy <= 1.0 for accuracy in history["accuracy"])
    for picture in ("loss.png", "boundary.png"):
        assert (out / picture).read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    svg = (out / "graph.svg").read_text()
    assert svg.lstrip().startswith(("<?xml", "<svg")) and "</svg>" in svg


def test_train_refuses_a_loss_that_does_not_fit_the_data(tmp_path: Path) -> None:
    completed = run("train", "--dataset", "spirals", "--loss", "hinge", "--out", str(tmp_path))
    assert completed.returncode == 2
    assert "cross_entropy" in completed.stderr
    assert "Traceback" not in completed.stderr


@pytest.mark.parametrize(
    "arguments",
    [
        ["--layers", "16,x"],
        ["--layers", "0"],
        ["--lr", "-1"],
        ["--epochs", "0"],
        ["--dataset", "nope"],
        ["--batch-size", "0"],
    ],
)
def test_train_bad_arguments_exit_2(arguments: list[str], tmp_path: Path) -> None:
    completed = run("train", *arguments, "--out", str(tmp_path))
    assert completed.returncode == 2
    assert "usage:" in completed.stderr


def test_train_reports_divergence_without_a_traceback(tmp_path: Path) -> None:
    completed = run(
        "train", "--dataset", "line", "--loss", "mse", "--lr", "1e6", "--epochs", "50",
        "--quiet", "--out", str(tmp_path),
    )
    assert completed.returncode == 1
    assert "learning rate" in completed.stderr
    assert "Traceback" not in completed.stderr


def test_demo_lists_every_demo_with_a_line_each() -> None:
    completed = run("demo")
    assert completed.returncode == 0, completed.stderr
    listed = {line.split()[0] for line in completed.stdout.splitlines() if line.strip()
              and not line.startswith("run one")}
    on_disk = {path.stem for path in (ROOT / "demos").glob("*.py")
               if not path.name.startswith("_")}
    assert listed == on_disk


def test_demo_runs_one_and_writes_its_pictures(tmp_path: Path) -> None:
    completed = run("demo", "moons", "--fast", "--out", str(tmp_path))
    assert completed.returncode == 0, completed.stderr
    pictures = sorted(path.suffix for path in tmp_path.iterdir())
    assert ".png" in pictures and ".svg" in pictures


def test_unknown_demo_exits_2() -> None:
    completed = run("demo", "no-such-demo")
    assert completed.returncode == 2
    assert "choose one of" in completed.stderr


@pytest.mark.parametrize(
    "arguments",
    [["--lr", "inf"], ["--lr", "nan"], ["--momentum", "-1"], ["--weight-decay", "-0.1"]],
)
def test_train_refuses_non_finite_or_negative_settings(
    arguments: list[str], tmp_path: Path
) -> None:
    completed = run("train", *arguments, "--out", str(tmp_path))
    assert completed.returncode == 2
    assert "Traceback" not in completed.stderr
    assert "finite number" in completed.stderr


def test_grad_graph_too_large_to_draw_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    expression = "+".join(["x*x*x*x"] * 130)  # 521 values, more than draw_graph's 500
    completed = run("grad", expression, "x=1", "--graph", str(tmp_path / "g.svg"))
    assert completed.returncode == 2
    assert "Traceback" not in completed.stderr
    assert "max_nodes" in completed.stderr
