"""The README's Python examples run as written, and its printed numbers are the true ones."""

from __future__ import annotations

import math
import re
import sys
from pathlib import Path

import pytest

from tests import markdown_blocks

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
    program = re.search(r"```text\n(def value_and_grad\(x, w, b\):\n.*?)```", readme, re.DOTALL)
    table = re.search(r"```\n(tanh\(x\*w \+ b\) = .*?)```", readme, re.DOTALL)
    assert program is not None and table is not None
    assert program.group(1) in printed, "README's generated program is stale: paste it again"
    assert table.group(1).rstrip("\n") in printed, "README's --explain output is stale"


# -------------------------------------------------------------------------------------------------
# What the Python blocks print: a ```text block right after one, and `print(…)  # numbers`
# -------------------------------------------------------------------------------------------------


def test_every_python_block_prints_the_text_block_after_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    shown = [block for block in markdown_blocks.python_blocks(README) if block.shown_output]
    assert shown, "the README shows no Python block's output"
    for block in shown:
        printed = markdown_blocks.run_block(block, {"__name__": "readme_example"})
        assert printed == block.shown_output, f"{block.where}: the block prints\n{printed}"


SHOWN_NUMBER = re.compile(r"-?\d+(?:\.(\d+))?…?")


def shown_numbers(comment: str) -> list[str]:
    """"-1.1242…, 0.3747…  (w·(1 − tanh²), …)" → ["-1.1242…", "0.3747…"]: the numbers a
    comment says a print gives, before any explanation in parentheses; [] for words."""
    claim = comment.split("  (")[0].strip()
    parts = [part.strip() for part in claim.split(",")]
    return parts if parts and all(SHOWN_NUMBER.fullmatch(part) for part in parts) else []


def agrees(printed: str, shown: str) -> bool:
    """`printed` is `shown` to the digits shown ("0.7495…" for 0.74947…, rounded or cut)."""
    digits = SHOWN_NUMBER.fullmatch(shown)
    assert digits is not None
    places = len(digits.group(1) or "")
    return abs(float(printed) - float(shown.rstrip("…"))) <= 10.0 ** -places


def test_the_numbers_in_print_comments_are_what_the_prints_give(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    checked = 0
    printed_by_line: dict[int, str] = {}  # for the block being run

    def recording_print(*values: object, **options: object) -> None:
        printed_by_line[sys._getframe(1).f_lineno] = " ".join(map(str, values))

    for block in markdown_blocks.python_blocks(README):
        printed_by_line.clear()
        exec(compile(block.code, block.where, "exec"),
             {"__name__": "readme_example", "print": recording_print})
        for number, line in enumerate(block.code.splitlines(), start=1):
            code, hash_sign, comment = line.partition("#")
            if not code.lstrip().startswith("print(") or not hash_sign:
                continue
            claimed = shown_numbers(comment)
            if not claimed:
                continue
            printed = printed_by_line[number].split()
            assert len(printed) == len(claimed), (block.where, line, printed)
            assert all(map(agrees, printed, claimed)), f"{block.where}: {line!r} printed {printed}"
            checked += 1
    assert checked >= 2  # the ten-line example's two prints


def test_the_print_comment_check_can_fail() -> None:
    assert agrees("-0.5005202111902353", "-0.5005…") and agrees("0.74947951", "0.7495…")
    assert not agrees("0.74947951", "0.7493…") and not agrees("-0.5005", "0.5005…")
    assert shown_numbers(" -1.1242…, 0.3747…  (w·(1 − tanh²))") == ["-1.1242…", "0.3747…"]
    assert shown_numbers(" the trained model's, on X") == []
