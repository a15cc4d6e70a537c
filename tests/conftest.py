"""Shared test settings.

Hypothesis profiles: "ci" is deterministic and is used when CI is set; "quick" (10 examples, for
.ci/run's runs on the other Pythons) is chosen with `--hypothesis-profile quick`.

Markers for tests that need a program from outside Python: `system_dot` (Graphviz's `dot`) and
`browser` (Chromium, driven by Playwright from the `browser` extra). Without the program (or
Playwright) such a test is skipped with the reason, as on a newcomer's machine; with
MICROGRAD_ANN_REQUIRE_SYSTEM_TOOLS=1 (set by `.ci/run` after it installs them) a missing program
fails the test instead, so CI cannot skip them silently.
"""

from __future__ import annotations

import importlib.util
import os
import shutil

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", derandomize=True, deadline=None, max_examples=100,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", deadline=None, max_examples=100)
# .ci/run on the other Pythons: `--hypothesis-profile quick`, the same tests with fewer examples.
settings.register_profile(
    "quick", derandomize=True, deadline=None, max_examples=10,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

SYSTEM_TOOLS = {
    "system_dot": ("dot", "system Graphviz (dot) is not installed"),
    "browser": ("chromium", "no Chromium on PATH (Debian: apt-get install chromium)"),
}
PLAYWRIGHT_MISSING = 'playwright is not installed (pip install -e ".[browser]")'


def chromium_path() -> str | None:
    """The Chromium that browser tests drive, or None when none is installed."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def pytest_runtest_setup(item: pytest.Item) -> None:
    for marker, (program, reason) in SYSTEM_TOOLS.items():
        if item.get_closest_marker(marker) is None:
            continue
        found = chromium_path() if program == "chromium" else shutil.which(program)
        if found and marker == "browser" and importlib.util.find_spec("playwright") is None:
            found, reason = None, PLAYWRIGHT_MISSING  # the browser extra drives Chromium
        if found:
            continue
        if os.environ.get("MICROGRAD_ANN_REQUIRE_SYSTEM_TOOLS") == "1":
            pytest.fail(f"{reason}, but MICROGRAD_ANN_REQUIRE_SYSTEM_TOOLS=1 requires it")
        pytest.skip(reason)
