"""The `train` command's default settings, dataset by dataset: time and final accuracy.

Run by hand: `python benchmarks/train_defaults.py [DATASET ...]`. Each dataset runs as a user
runs it, `micrograd-ann train --dataset NAME --quiet --out DIR` in a fresh process, so the time
is the whole command's wall clock (loading, training, writing the model and the pictures). The
target: every built-in dataset learned well in under about 30 seconds with no options.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from micrograd_ann.cli import DATASETS


def measure(dataset: str) -> str:
    """One line: the dataset, the wall-clock time and the command's summary line."""
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        completed = subprocess.run(
            [sys.executable, "-m", "micrograd_ann", "train", "--dataset", dataset, "--quiet",
             "--out", str(Path(folder) / "run")],
            capture_output=True, text=True, check=False,
        )
        seconds = time.perf_counter() - started
    summary = next((line for line in completed.stdout.splitlines()
                    if line.startswith("final loss")), completed.stderr.strip())
    options = DATASETS[dataset].defaults.as_options()
    return f"{dataset:<11} {seconds:6.1f} s   {summary}   ({options})"


def main() -> None:
    for dataset in sys.argv[1:] or list(DATASETS):
        print(measure(dataset), flush=True)


if __name__ == "__main__":
    main()
