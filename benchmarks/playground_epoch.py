"""An epoch in the playground page against the same epoch in Python, in one run.

    python benchmarks/playground_epoch.py

The README's main job: moons, 100 samples, MLP 2-16-16-1 relu, hinge loss, full batch, lr 0.5.
Python: `train(..., epochs=1)` from the same starting model (the compiled path, `train`'s
default; its program is made before the clock starts), median of 7. The page: headless Chromium
with the default playground's kit and `page_assets/trainer.js`: three runs of 100 epochs, each
from a reset, every `trainer.step()` timed with `performance.now()` (0.1 ms resolution in a
page). One epoch is the median over the second and third runs, once V8 has optimized the
generated program (the first epochs run before it has); 100 epochs are each run's total,
without drawing (the page's drawing is the page's). Also: the kit's size and the time to build
it, and the page's time to compile the program.
"""

from __future__ import annotations

import shutil
import statistics
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from micrograd_ann.datasets import DATASETS
from micrograd_ann.losses import LOSSES
from micrograd_ann.nn import MLP
from micrograd_ann.optim import SGD
from micrograd_ann.pages import script_json
from micrograd_ann.playground_kit import playground_kit
from micrograd_ann.train import train

TRAINER = Path(__file__).parents[1] / "micrograd_ann" / "page_assets" / "trainer.js"

PAGE_TIMES = """() => {
  const started = performance.now();
  const trainer = MicrogradTrainer.create(window.kit, {});  // compiles the program
  const compiled = performance.now() - started;
  const runs = [];  // three runs of 100 epochs, each from a reset: each epoch's time
  for (let run = 0; run < 3; run++) {
    trainer.reset();
    const times = [];
    for (let epoch = 0; epoch < 100; epoch++) {
      const before = performance.now();
      trainer.step();
      times.push(performance.now() - before);
    }
    runs.push(times);
  }
  return {compiled, runs, loss: trainer.history.loss[99]};
}"""


def python_epoch_seconds() -> float:
    X, labels = DATASETS["moons"].load(100, 0)
    targets = LOSSES["hinge"].class_targets(labels).targets
    times = []
    for _ in range(8):
        model = MLP(2, [16, 16, 1], seed=0)
        optimizer = SGD(model.parameters(), lr=0.5)
        started = time.perf_counter()
        train(model, X, targets, loss="hinge", epochs=1, seed=0, optimizer=optimizer,
              progress=False)
        times.append(time.perf_counter() - started)
    return statistics.median(times[1:])  # the first call also generates the program


def main() -> None:
    started = time.perf_counter()
    kit = playground_kit()
    built = time.perf_counter() - started
    embedded = script_json(kit)
    html = (
        "<!DOCTYPE html><title>epoch</title>"
        f'<script id="kit" type="application/json">{embedded}</script>'
        f"<script>{TRAINER.read_text(encoding='utf-8')}</script>"
        '<script>window.kit = JSON.parse(document.getElementById("kit").textContent);</script>'
    )
    python = python_epoch_seconds()
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page()
        page.set_content(html)
        measured = page.evaluate(PAGE_TIMES)
        browser.close()
    runs = measured["runs"]
    warm = statistics.median(runs[1] + runs[2]) / 1000  # V8 has optimized the programs
    print(f"kit: {len(embedded.encode()) / 1e6:.2f} MB, built in {built:.2f} s; "
          f"program compiled in the page in {measured['compiled']:.1f} ms")
    print("moons, 100 samples, 2-16-16-1 relu, hinge, full batch:")
    print(f"  Python train(), one epoch        {python * 1000:6.2f} ms (median of 7)")
    print(f"  page trainer.step(), one epoch   {warm * 1000:6.2f} ms (median of runs 2-3)   "
          f"{python / warm:.1f}x faster than Python")
    print(f"  page, first epoch after loading  {runs[0][0]:6.1f} ms (before V8 optimizes)")
    print(f"  page, 100 epochs                 {sum(runs[0]):6.0f} ms the first run, "
          f"{sum(runs[2]):.0f} ms the third (loss after them {measured['loss']:.4f})")

if __name__ == "__main__":
    main()
