"""Sizes and open times of step-through pages (`backprop_page`), in headless Chromium.

    python benchmarks/backprop_page.py

Three pages: the README's one neuron, a 496-value graph (99 terms `tanh(0.5·x)·x` summed) and
the README's 2-16-16-1 moons network with its hinge loss on one sample. Each is opened five
times from `file://` in a fresh tab; "open" is from navigation until the page's script has
run (its controls shown), so it includes the first layout of the drawing.
"""

from __future__ import annotations

import shutil
import statistics
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from micrograd_ann import MLP, Value, backprop_page, datasets
from micrograd_ann.pages import Page
from micrograd_ann.trace import reachable_values


def one_neuron() -> Value:
    x, w, b = Value(0.5, label="x"), Value(-1.5, label="w"), Value(0.2, label="b")
    out = (x * w + b).tanh()
    out.label = "out"
    out.backward()
    return out


def sum_of_products(terms: int = 99) -> Value:
    parts = []
    for index in range(terms):
        x = Value(0.01 * index, label=f"x{index}")
        parts.append((x * 0.5).tanh() * x)
    out = Value.sum(parts)
    out.label = "out"
    out.backward()
    return out


def moons_hinge() -> tuple[MLP, Value]:
    model = MLP(2, [16, 16, 1], activation="relu", seed=0)
    X, y = datasets.two_moons(100, noise=0.1, seed=0, labels="plus_minus")
    score = model([Value(number, requires_grad=False) for number in X[0]])
    assert isinstance(score, Value)
    loss = (1.0 - score * y[0]).relu()
    loss.label = "loss"
    loss.backward()
    return model, loss


def main() -> None:
    model, loss = moons_hinge()
    big = sum_of_products()
    pages: dict[str, Page] = {
        "one neuron (6 values)": backprop_page(one_neuron()),
        f"sum of tanh products ({len(reachable_values(big))} values)": backprop_page(big),
        f"2-16-16-1 moons, hinge, one sample ({len(reachable_values(loss))} values)":
            backprop_page(loss, model=model),
    }
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        for index, (name, page) in enumerate(pages.items()):
            path = Path(folder) / f"page{index}.html"
            page.save(path)
            times = []
            for _ in range(5):
                tab = browser.new_page(viewport={"width": 1280, "height": 800})
                started = time.perf_counter()
                tab.goto(path.as_uri(), wait_until="load")
                tab.wait_for_function("document.querySelector('.controls').hidden === false")
                times.append(time.perf_counter() - started)
                tab.close()
            size = len(page.html.encode()) / 1000
            median, best = statistics.median(times) * 1000, min(times) * 1000
            print(f"{name:55} {size:8.1f} KB   open: median {median:5.0f} ms, best {best:5.0f} ms")
        browser.close()


if __name__ == "__main__":
    main()
