"""Release metadata: one version, written once in `micrograd_ann.__version__`, and every place
that shows it (the package metadata, `micrograd-ann --version`, the changelog, the citation)
agreeing with it; CITATION.cff valid against the Citation File Format 1.2.0 schema.

The schema in tests/data is the Citation File Format project's own `schema.json` for 1.2.0 (as
`cffconvert` ships it), so the check is independent of anything this project wrote.
"""

from __future__ import annotations

import configparser
import importlib.metadata
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

import micrograd_ann

ROOT = Path(__file__).resolve().parent.parent
VERSION = micrograd_ann.__version__


def test_version_is_three_numbers() -> None:
    assert re.fullmatch(r"\d+\.\d+\.\d+", VERSION), VERSION


def test_setup_cfg_reads_the_version_from_the_package() -> None:
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg", encoding="utf-8")
    assert config["metadata"]["version"] == "attr: micrograd_ann.version.__version__"
    setupcfg = pytest.importorskip("setuptools.config.setupcfg")
    metadata = setupcfg.read_configuration(str(ROOT / "setup.cfg"))["metadata"]
    assert metadata["version"] == VERSION


def test_installed_metadata_has_the_version() -> None:
    try:
        installed = importlib.metadata.version("micrograd_ann")
    except importlib.metadata.PackageNotFoundError:
        pytest.skip("micrograd_ann is not installed (pip install -e .)")
    assert installed == VERSION


def test_classifiers_say_typed_and_a_development_status() -> None:
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg", encoding="utf-8")
    classifiers = config["metadata"]["classifiers"].split("\n")
    assert "Typing :: Typed" in classifiers
    assert any(line.startswith("Development Status :: ") for line in classifiers)
    assert (ROOT / "micrograd_ann" / "py.typed").exists()  # what Typing :: Typed promises


def test_the_command_prints_its_version() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "micrograd_ann", "--version"],
        capture_output=True, text=True, check=False, cwd=ROOT,
    )
    assert (completed.returncode, completed.stdout, completed.stderr) == (
        0, f"micrograd-ann {VERSION}\n", ""
    )


def test_the_changelog_names_this_version_as_its_latest_release() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    releases = re.findall(r"^## \[(\d+\.\d+\.\d+)\] - (\d{4}-\d{2}-\d{2})$", changelog, re.M)
    assert releases, "CHANGELOG.md has no '## [X.Y.Z] - YYYY-MM-DD' heading"
    assert releases[0][0] == VERSION
    assert changelog.index("## [Unreleased]") < changelog.index(f"## [{VERSION}]")


def test_citation_is_valid_cff_1_2_and_cites_this_version() -> None:
    yaml = pytest.importorskip("yaml", reason="PyYAML is not installed (the docs extra has it)")
    jsonschema = pytest.importorskip("jsonschema")
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    schema_path = ROOT / "tests" / "data" / "citation-file-format-1.2.0.schema.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    jsonschema.validate(citation, schema, format_checker=jsonschema.FormatChecker())
    assert citation["cff-version"] == "1.2.0"
    assert str(citation["version"]) == VERSION
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"## [{VERSION}] - {citation['date-released']}" in changelog


def test_the_schema_check_can_fail() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema_path = ROOT / "tests" / "data" / "citation-file-format-1.2.0.schema.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"cff-version": "1.2.0", "title": "no authors"}, schema)
