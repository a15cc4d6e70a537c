"""The documentation site: `mkdocs build --strict` passes, and the built site, served from
127.0.0.1, works in a real Chromium: every page opens with no console error and no request
leaving 127.0.0.1, every internal link and anchor resolves (a crawl from the home page), the
search finds `backward`, and the embedded step-through and training pages step.

Skipped, saying why, when the `docs` extra (MkDocs and its plugins) is not installed — unless
MICROGRAD_ANN_REQUIRE_SYSTEM_TOOLS=1 (CI's second part), where it must run. Screenshots of the
home page and of a concept page go to test-artifacts/ (ignored by git, kept by CI).
"""

from __future__ import annotations

import functools
import html
import http.server
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlparse

import pytest

import micrograd_ann
from micrograd_ann import testing
from tests.conftest import chromium_path
from tests.test_docs import load_hooks

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
DOCS_PACKAGES = ("mkdocs", "material", "mkdocstrings", "mkdocstrings_handlers.python",
                 "mkdocs_jupyter")
BROWSER_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def require_docs_packages() -> None:
    for package in DOCS_PACKAGES:
        try:
            __import__(package)
        except ImportError:
            reason = f"{package} is not installed (pip install -e \".[docs]\")"
            if os.environ.get("MICROGRAD_ANN_REQUIRE_SYSTEM_TOOLS") == "1":
                pytest.fail(f"{reason}, but MICROGRAD_ANN_REQUIRE_SYSTEM_TOOLS=1 requires it")
            pytest.skip(reason)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site, built by `mkdocs build --strict` into a temporary folder."""
    require_docs_packages()
    folder = tmp_path_factory.mktemp("site")
    started = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(folder)],
        cwd=ROOT, capture_output=True, text=True, check=False,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    seconds = time.perf_counter() - started
    assert completed.returncode == 0, completed.stderr[-3000:]
    warnings = [line for line in completed.stderr.splitlines() if line.startswith("WARNING")]
    assert warnings == []
    size = sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())
    print(f"\nmkdocs build --strict: {seconds:.1f} s, site {size / 1e6:.1f} MB")
    return folder


def test_the_site_builds_with_every_page(site: Path) -> None:
    for page in ("index.html", "tour/index.html", "concepts/chain-rule/index.html",
                 "reference/api/index.html", "reference/cli/index.html",
                 "benchmarks/index.html", "changelog/index.html", "pages/chain-rule.html"):
        assert (site / page).is_file(), page
    assert (site / "neuron.svg").is_file()  # the README's pictures are served beside the pages


def test_every_public_name_has_an_anchor_in_the_built_reference(site: Path) -> None:
    api = (site / "reference" / "api" / "index.html").read_text(encoding="utf-8")
    ids = set(re.findall(r'\bid="([^"]+)"', api))
    hooks = load_hooks()
    missing = [name for name in micrograd_ann.__all__
               if hooks.reference_identifier(name) not in ids]  # type: ignore[attr-defined]
    assert missing == []
    # train, explain and hessian are the functions, not the modules of the same name
    train_entry = api[api.index('id="micrograd_ann.train.train"'):][:3000]
    assert "epochs" in train_entry and "MAX_GRAPH_EDGES" not in train_entry
    page = (site / "reference" / "testing" / "index.html").read_text(encoding="utf-8")
    ids = set(re.findall(r'\bid="([^"]+)"', page))
    missing = [name for name in testing.__all__ if f"micrograd_ann.testing.{name}" not in ids]
    assert missing == []


def test_the_home_page_shows_the_readmes_two_commands(site: Path) -> None:
    home = html.unescape(re.sub(r"<[^>]+>", "", (site / "index.html").read_text(encoding="utf-8")))
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = re.search(r"## Set-up: two commands\n.*?```sh\n(.*?)```", readme, re.S)
    assert commands is not None
    lines = [line for line in commands.group(1).splitlines() if line.startswith("python3 ")]
    assert len(lines) == 2
    for line in lines:
        assert line in home, line


# -------------------------------------------------------------------------------------------------
# In Chromium
# -------------------------------------------------------------------------------------------------


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass  # no line per request in the test output


@pytest.fixture(scope="module")
def served(site: Path) -> Iterator[str]:
    """The site served by http.server on 127.0.0.1, on a free port, from a thread."""
    handler = functools.partial(QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    executable = chromium_path()
    if executable is None:
        pytest.skip("no Chromium on PATH (Debian: apt-get install chromium)")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=BROWSER_ARGS)
        yield launched
        launched.close()


class Visitor:
    """One browser page that refuses (and records) every request leaving 127.0.0.1 and records
    every console error and uncaught exception."""

    def __init__(self, browser: object, base: str) -> None:
        self.page = browser.new_page(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
        self.host = urlparse(base).netloc
        self.outside: list[str] = []
        self.errors: list[str] = []
        self.where = ""

        def refuse(route: object) -> None:
            url = route.request.url  # type: ignore[attr-defined]
            if url.startswith(("data:", "about:", "blob:")) or urlparse(url).netloc == self.host:
                route.continue_()  # type: ignore[attr-defined]
            else:
                self.outside.append(f"{self.where}: {url}")
                route.abort()  # type: ignore[attr-defined]

        def record_console(message: object) -> None:
            if message.type == "error":  # type: ignore[attr-defined]
                self.errors.append(f"{self.where}: {message.text}")  # type: ignore[attr-defined]

        self.page.context.route("**/*", refuse)
        self.page.on("console", record_console)
        self.page.on("pageerror", lambda error: self.errors.append(f"{self.where}: {error}"))

    def open(self, url: str) -> int:
        self.where = url
        response = self.page.goto(url, wait_until="load")
        return 0 if response is None else int(response.status)


def crawl(visitor: Visitor, base: str) -> tuple[list[str], list[str]]:
    """Open every page reachable from the home page by internal links; check every internal
    link resolves (status 200) and every #anchor names an element of its page. Returns the
    pages opened and the problems found."""
    to_visit, seen, problems = [base], {base}, []
    anchors_of: dict[str, set[str]] = {}
    links_with_anchor: list[tuple[str, str, str]] = []
    opened: list[str] = []
    while to_visit:
        url = to_visit.pop(0)
        if not (url.endswith("/") or url.endswith(".html")):
            status = visitor.page.request.get(url).status
            if status != 200:
                problems.append(f"{url}: status {status}")
            continue
        status = visitor.open(url)
        opened.append(url)
        if status != 200:
            problems.append(f"{url}: status {status}")
            continue
        anchors_of[url] = set(visitor.page.eval_on_selector_all(
            "[id], a[name]", "elements => elements.map(e => e.id || e.getAttribute('name'))"
        ))
        hrefs = visitor.page.eval_on_selector_all(
            "a[href], iframe[src], img[src], link[href]",
            "elements => elements.map(e => e.getAttribute('href') || e.getAttribute('src'))",
        )
        for href in hrefs:
            absolute = urljoin(url, href)
            if urlparse(absolute).netloc != urlparse(base).netloc:
                continue  # a link out (Keep a Changelog, hypothesis): not ours to check
            target, fragment = urldefrag(absolute)
            if fragment:
                links_with_anchor.append((url, target, fragment))
            if target not in seen:
                seen.add(target)
                to_visit.append(target)
    for source, target, fragment in links_with_anchor:
        if target in anchors_of and fragment not in anchors_of[target]:
            problems.append(f"{source} links to {target}#{fragment}, which has no such anchor")
    return opened, problems


@pytest.mark.browser
def test_every_page_opens_cleanly_and_every_link_resolves(browser: object, served: str) -> None:
    visitor = Visitor(browser, served)
    opened, problems = crawl(visitor, served)
    print(f"\ncrawled {len(opened)} pages")
    assert problems == []
    assert visitor.errors == []
    assert visitor.outside == []
    documentation = [url for url in opened if url.endswith("/")]
    assert len(documentation) >= 20  # home, tour, 7 concepts, 6 how-tos, 3 references, 2 more
    assert any(url.endswith("/pages/chain-rule.html") for url in opened)


@pytest.mark.browser
def test_search_finds_backward(browser: object, served: str) -> None:
    visitor = Visitor(browser, served)
    visitor.open(served)
    visitor.page.keyboard.press("/")  # Material's shortcut to the search box
    visitor.page.keyboard.type("backward")  # typed: the search listens to key presses
    reference = visitor.page.locator(
        ".md-search-result__link[href*='#micrograd_ann.Value.backward']"
    )
    reference.first.wait_for(timeout=15000)  # Value.backward's reference entry is found
    assert visitor.page.locator(".md-search-result__item").count() >= 3
    assert visitor.errors == [] and visitor.outside == []


@pytest.mark.browser
def test_the_embedded_step_through_page_steps(browser: object, served: str) -> None:
    visitor = Visitor(browser, served)
    visitor.open(served + "concepts/chain-rule/")
    frame = visitor.page.frame_locator("iframe.library-page")
    status = frame.get_by_role("status")
    assert (status.text_content() or "").startswith("Step 0 of")
    frame.get_by_role("button", name="Next step", exact=True).click()
    first = status.text_content() or ""
    assert first.startswith("Step 1 of") and "= 0.4000 * 0.5000 = 0.2000" in first, first
    # The frame is narrower than 700 px, where the page stacks its graph above its inputs: the
    # graph must keep the frame's width (it once collapsed to 0, a blank box).
    graph = frame.locator(".graph").first.bounding_box()
    frame_box = visitor.page.locator("iframe.library-page").bounding_box()
    assert graph is not None and frame_box is not None and frame_box["width"] < 700
    assert graph["width"] > 0.8 * frame_box["width"], (graph, frame_box)
    ARTIFACTS.mkdir(exist_ok=True)
    visitor.page.evaluate("window.scrollTo(0, 0)")  # else the sticky header lands mid-picture
    visitor.page.screenshot(path=str(ARTIFACTS / "docs-concept-chain-rule.png"), full_page=True)
    visitor.open(served)
    visitor.page.screenshot(path=str(ARTIFACTS / "docs-home.png"), full_page=True)
    assert visitor.errors == [] and visitor.outside == []


@pytest.mark.browser
def test_the_embedded_training_replay_steps(browser: object, served: str) -> None:
    visitor = Visitor(browser, served)
    visitor.open(served + "concepts/training/")
    frame = visitor.page.frame_locator("iframe.library-page")
    status = frame.locator("#status")
    assert (status.text_content() or "").startswith("Epoch 100 of 100")
    frame.get_by_role("slider", name=re.compile("Epoch")).fill("0")
    assert (status.text_content() or "") == "Epoch 0 of 100: before training"
    assert visitor.errors == [] and visitor.outside == []


@pytest.mark.browser
def test_the_tour_shows_its_pages_and_they_step(browser: object, served: str) -> None:
    visitor = Visitor(browser, served)
    visitor.open(served + "tour/")
    frames = visitor.page.locator("iframe")
    assert frames.count() == 3  # the step-through page, the training replay, the playground
    frame = visitor.page.frame_locator("iframe").first
    frame.get_by_role("button", name="Next step", exact=True).click()
    assert (frame.get_by_role("status").text_content() or "").startswith("Step 1 of")
    replay = visitor.page.frame_locator("iframe").nth(1)
    last = replay.locator("#status").text_content() or ""
    replay.get_by_role("slider", name=re.compile("Epoch")).fill("0")
    first = replay.locator("#status").text_content() or ""
    assert first.startswith("Epoch ") and first != last, (first, last)
    playground = visitor.page.frame_locator("iframe").nth(2)
    playground.get_by_role("button", name="Step", exact=True).click()
    assert (playground.get_by_role("status").text_content() or "").startswith("Epoch 1: loss ")
    assert visitor.errors == [] and visitor.outside == []
