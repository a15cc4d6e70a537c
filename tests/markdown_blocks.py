"""Code blocks of Markdown files, for the tests that keep the README and the docs honest.

A fenced block is ```` ```LANGUAGE ```` … ```` ``` ````. A ```` ```python ```` block followed (after
blank lines only) by a ```` ```text ```` block *shows its output*: running the Python must print
exactly that text. The blocks of one file run in order in one namespace, as a reader would type
them into one session.
"""

from __future__ import annotations

import contextlib
import io
import re
from dataclasses import dataclass
from pathlib import Path

FENCE = re.compile(r"^```([\w-]*)[^\n]*\n(.*?)^```[ \t]*$", re.M | re.S)


@dataclass(frozen=True)
class Block:
    """One fenced code block: its language, its text, the line it starts on, and for a Python
    block the text of the ```text block right after it (None when there is none)."""

    path: Path
    line: int
    language: str
    code: str
    shown_output: str | None = None

    @property
    def where(self) -> str:
        return f"{self.path.name}:{self.line}"


def code_blocks(path: Path) -> list[Block]:
    """Every fenced block of the file, in order, each Python block paired with its output."""
    text = path.read_text(encoding="utf-8")
    found = [
        (match, text.count("\n", 0, match.start()) + 1) for match in FENCE.finditer(text)
    ]
    blocks = []
    for index, (match, line) in enumerate(found):
        shown = None
        if match.group(1) == "python" and index + 1 < len(found):
            following, _ = found[index + 1]
            between = text[match.end():following.start()]
            if following.group(1) == "text" and between.strip() == "":
                shown = following.group(2)
        blocks.append(Block(path, line, match.group(1), match.group(2), shown))
    return blocks


def python_blocks(path: Path) -> list[Block]:
    return [block for block in code_blocks(path) if block.language == "python"]


def run_block(block: Block, namespace: dict[str, object]) -> str:
    """Run the block's code in `namespace`; return what it printed."""
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(block.code, block.where, "exec"), namespace)
    return printed.getvalue()


def run_file(path: Path) -> list[tuple[Block, str]]:
    """Run the file's Python blocks in order in one namespace: (block, what it printed) each."""
    namespace: dict[str, object] = {"__name__": f"docs_{path.stem}"}
    return [(block, run_block(block, namespace)) for block in python_blocks(path)]


if __name__ == "__main__":  # print each block's output, to write a page's ```text blocks
    import sys

    for block, printed in run_file(Path(sys.argv[1])):
        status = "" if block.shown_output in (None, printed) else "  (differs from the page)"
        print(f"--- {block.where}{status}\n{printed}", end="")
