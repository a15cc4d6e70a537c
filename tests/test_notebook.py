"""demos/tour.ipynb runs from top to bottom without an error (so it never rots)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat", reason="needs the notebook extra")
nbclient = pytest.importorskip("nbclient", reason="needs the notebook extra")
pytest.importorskip("matplotlib", reason="the tour draws plots (the plots extra)")

NOTEBOOK = Path(__file__).resolve().parent.parent / "demos" / "tour.ipynb"


def test_tour_notebook_executes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    root = str(NOTEBOOK.parent.parent)  # the kernel imports this checkout, installed or not
    monkeypatch.setenv(
        "PYTHONPATH", os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))
    )
    client = nbclient.NotebookClient(
        notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": tmp_path}}
    )
    client.execute()
    outputs = [output for cell in notebook.cells if cell.cell_type == "code"
               for output in cell.outputs]
    assert not [output for output in outputs if output.output_type == "error"]
    text = "".join(output.get("text", "") for output in outputs)
    assert "accuracy" in text
    shown = [output for output in outputs if output.output_type in ("display_data",
                                                                    "execute_result")]
    assert any("image/png" in output.data for output in shown), "the plots are shown"
    assert any("image/svg+xml" in output.data for output in shown), "the graphs are shown"
