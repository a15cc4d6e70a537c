"""What the demos share: their command line (`--fast`, `--out DIR`) and saving a figure.

Not a demo itself: `micrograd-ann demo` lists only the names in its own list. The demos import
it as `micrograd_ann.demos._shared`, the name setup.cfg installs this folder under.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any


def command_line_parser(description: str | None) -> argparse.ArgumentParser:
    """The parser every demo accepts: `--fast` and `--out DIR`."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--fast", action="store_true",
        help="a run of a few seconds (less data or fewer epochs), as the tests use",
    )
    parser.add_argument(
        "--out", type=Path, default=None, metavar="DIR",
        help="a folder for the pictures (PNG, SVG); nothing is written without it",
    )
    return parser


def run_demo(main: Callable[..., dict[str, Any]], description: str | None) -> None:
    """Parse `--fast` and `--out` and call `main(fast=..., out=...)`."""
    arguments = command_line_parser(description).parse_args()
    main(fast=arguments.fast, out=arguments.out)


def save_figure(axes: Any, out: Path, name: str) -> Path:
    """Save the figure that holds `axes` as out/name (creating out) atomically, close it, say
    so."""
    import matplotlib.pyplot as pyplot

    from micrograd_ann.plots import save_figure as save_atomically

    out.mkdir(parents=True, exist_ok=True)
    path = out / name
    save_atomically(axes.figure, path, dpi=120)
    pyplot.close(axes.figure)
    print(f"wrote {path}")
    return path


def write_text(out: Path, name: str, text: str) -> Path:
    """Write `text` to out/name (creating out) atomically and say so."""
    from micrograd_ann.files import write_atomic

    out.mkdir(parents=True, exist_ok=True)
    path = out / name
    write_atomic(path, text)
    print(f"wrote {path}")
    return path
