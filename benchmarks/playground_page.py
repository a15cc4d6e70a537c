"""Sizes, open times and 100 drawn epochs of the playground page, in headless Chromium.

    python benchmarks/playground_page.py

Two pages: the default playground (`micrograd-ann playground`) and the report of the README's
main job (`micrograd-ann train --dataset moons --layers 16,16 --activation relu --loss hinge
--epochs 100 --lr 0.5 --out DIR`, its `report.html`). Each is opened five times from `file://`
in a fresh tab; "open" is the browser's own count, from navigation to the end of the load event
(the page's script, which builds the trainer and draws epoch 0, runs before it). Then the
default page plays its 100 epochs at the fastest speed, three times, each drawn as it goes
(curves, class probabilities, the network and its neuron pictures at most once per frame):
from the click on Play to the status saying epoch 100.
"""

from __future__ import annotations

import shutil
import statistics
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from micrograd_ann.cli import main as command

PLAY_100 = """() => new Promise((resolve) => {
    const status = document.querySelector('[role=status]');
    const start = performance.now();
    new MutationObserver(() => {
        if (status.dataset.epoch === '100') resolve(performance.now() - start);
    }).observe(status, {attributes: true});
    document.getElementById('play').click();
})"""


def main() -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        default = Path(folder) / "playground.html"
        command(["playground", "--out", str(default)])
        run = Path(folder) / "moons-run"
        command(["train", "--dataset", "moons", "--layers", "16,16", "--activation", "relu",
                 "--loss", "hinge", "--epochs", "100", "--lr", "0.5", "--quiet",
                 "--out", str(run)])
        pages = {"default playground": default, "README's report.html": run / "report.html"}
        browser = playwright.chromium.launch(
            executable_path=chromium, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        for name, path in pages.items():
            times = []
            for _ in range(5):
                tab = browser.new_page(viewport={"width": 1280, "height": 800})
                tab.goto(path.as_uri(), wait_until="load")
                times.append(tab.evaluate(
                    "performance.getEntriesByType('navigation')[0].loadEventEnd"))
                tab.close()
            print(f"{name:<24} {path.stat().st_size / 1e6:5.2f} MB   open: median "
                  f"{statistics.median(times):4.0f} ms, best {min(times):4.0f} ms")
        played = []
        for _ in range(3):
            tab = browser.new_page(viewport={"width": 1280, "height": 800})
            tab.goto(default.as_uri(), wait_until="load")
            tab.get_by_label("Speed").fill("10")
            played.append(tab.evaluate(PLAY_100))
            tab.close()
        print("100 epochs played and drawn: " + ", ".join(f"{ms:.0f} ms" for ms in played))
        browser.close()


if __name__ == "__main__":
    main()
