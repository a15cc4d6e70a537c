"""demos/tour.ipynb runs from top to bottom without an error, and its committed outputs are
what a fresh run produces (so the tour read on a website, without running it, never goes stale).

The comparison is of text: every printed stream and every `text/plain` result must be equal.
Pictures (PNG plots, SVG graphs) differ in bytes between renderers and matplotlib versions, so
for them the test asks only that each cell shows the same kinds of picture as committed.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

nbformat = pytest.importorskip("nbformat", reason="needs the notebook extra")
nbclient = pytest.importorskip("nbclient", reason="needs the notebook extra")
pytest.importorskip("matplotlib", reason="the tour draws plots (the plots extra)")

NOTEBOOK = Path(__file__).resolve().parent.parent / "demos" / "tour.ipynb"
PICTURES = ("image/png", "image/svg+xml")


def shown(cell: Any) -> list[tuple[str, str]]:
    """A code cell's outputs as (kind, text): printed text, plain-text results, picture kinds.

    A kernel sends printed text in chunks as it is flushed, so one `print` may arrive as one
    stream output or as two ("text" and "\\n"), depending on timing. Consecutive chunks of the
    same stream are joined here, as Jupyter joins them on screen.
    """
    outputs: list[tuple[str, str]] = []
    for output in cell.outputs:
        if output.output_type == "stream":
            if outputs and outputs[-1][0] == output.name:
                outputs[-1] = (output.name, outputs[-1][1] + output.text)
            else:
                outputs.append((output.name, output.text))
        elif output.output_type in ("display_data", "execute_result"):
            outputs.append(("text/plain", output.data.get("text/plain", "")))
            outputs.extend(("picture", kind) for kind in PICTURES if kind in output.data)
            if "text/html" in output.data:
                outputs.append(("html", "text/html"))
        elif output.output_type == "error":
            outputs.append(("error", f"{output.ename}: {output.evalue}"))
    return outputs


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> Any:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    root = str(NOTEBOOK.parent.parent)  # the kernel imports this checkout, installed or not
    previous = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [root, previous]))
    try:
        client = nbclient.NotebookClient(
            notebook, timeout=300, kernel_name="python3",
            resources={"metadata": {"path": str(tmp_path_factory.mktemp("tour"))}},
        )
        client.execute()
    finally:
        if previous is None:
            del os.environ["PYTHONPATH"]
        else:
            os.environ["PYTHONPATH"] = previous
    return notebook


def test_tour_notebook_executes_and_shows_its_pictures(executed: Any) -> None:
    outputs = [shown(cell) for cell in executed.cells if cell.cell_type == "code"]
    kinds = [kind for cell in outputs for kind in cell]
    assert not [kind for kind in kinds if kind[0] == "error"]
    assert ("picture", "image/png") in kinds, "the plots are shown"
    assert ("picture", "image/svg+xml") in kinds, "the graphs are shown"
    assert ("html", "text/html") in kinds, "the step-through page and the replay are shown"
    printed = "".join(text for cell in outputs for kind, text in cell if kind == "stdout")
    assert "accuracy" in printed and "def value_and_grad(x, w, b):" in printed


def test_committed_outputs_are_what_a_fresh_run_shows(executed: Any) -> None:
    committed = nbformat.read(NOTEBOOK, as_version=4)
    assert len(committed.cells) == len(executed.cells)
    for index, (old, new) in enumerate(zip(committed.cells, executed.cells)):
        if old.cell_type != "code":
            continue
        assert shown(old) == shown(new), (
            f"cell {index}'s committed outputs are not what it shows now: run demos/tour.ipynb "
            "(Jupyter's Run All) and commit it with its outputs"
        )
