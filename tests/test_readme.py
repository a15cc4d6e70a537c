"""The README's Python examples run as written, and its printed numbers are the true ones."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.DOTALL)


@pytest.mark.parametrize("index", range(len(python_blocks())))
def test_readme_example_runs(
    index: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # examples may write files (save(model, "moons.json"))
    namespace: dict[str, object] = {"__name__": "readme_example"}
    exec(compile(python_blocks()[index], f"README.md block {index}", "exec"), namespace)
    for name, function in namespace.items():  # the example property tests must pass, too
        if name.startswith("test_") and callable(function):
            function()


def test_ten_line_example_prints_the_hand_derived_numbers() -> None:
    namespace: dict[str, object] = {}
    exec(compile(python_blocks()[0], "README.md block 0", "exec"), namespace)
    t = math.tanh(0.5 * -1.5 + 0.2)
    slope = 1 - t * t
    assert namespace["out"].data == pytest.approx(t)  # type: ignore[attr-defined]
    assert namespace["x"].grad == pytest.approx(-1.5 * slope)  # type: ignore[attr-defined]
    assert namespace["w"].grad == pytest.approx(0.5 * slope)  # type: ignore[attr-defined]
    assert namespace["b"].grad == pytest.approx(slope)  # type: ignore[attr-defined]
    readme = README.read_text(encoding="utf-8")
    assert f"{t:.4f}"[:-1] in readme and f"{-1.5 * slope:.4f}" in readme


def test_the_printed_program_and_table_are_what_the_command_prints(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from micrograd_ann.cli import main

    readme = README.read_text(encoding="utf-8")
    assert main(["grad", "tanh(x*w + b)", "x=0.5", "w=-1.5", "b=0.2", "--explain", "--code"]) == 0
    printed = capsys.readouterr().out
    program = re.search(r"```\n(def value_and_grad\(x, w, b\):\n.*?)```", readme, re.DOTALL)
    table = re.search(r"```\n(tanh\(x\*w \+ b\) = .*?)```", readme, re.DOTALL)
    assert program is not None and table is not None
    assert program.group(1) in printed, "README's generated program is stale: paste it again"
    assert table.group(1).rstrip("\n") in printed, "README's --explain output is stale"
