"""micrograd's drawing helper, `draw_dot(root)`, for notebooks written for micrograd.

micrograd's `trace_graph.ipynb` and the lecture define `draw_dot(root, format='svg',
rankdir='LR')`, which returns a `graphviz.Digraph` to show in the notebook, `.pipe()` or
`.render()`. Here `draw_dot` draws `draw_graph`'s picture (records `data | grad`, one circle per
operation, colours and a legend) and returns it as a `DotDrawing`: a `graphviz.Digraph` whose
display, `.pipe(format='svg')` and `.render(filename)` also work with no system Graphviz,
through the in-process WebAssembly Graphviz (`render_svg`). Without system Graphviz only SVG can
be made; with it, every format Graphviz knows.
"""

from __future__ import annotations

import os
import shutil
from typing import Any

from micrograd_ann.engine import Value
from micrograd_ann.files import PathLike, write_atomic
from micrograd_ann.viz import Drawing, GraphvizNotFoundError, draw_graph, render_svg

__all__ = ["DotDrawing", "draw_dot"]


class DotDrawing(Drawing):
    """A `Drawing` whose `pipe` and `render` fall back to the in-process Graphviz (SVG only)
    when the system `dot` program is missing; with `dot` they are graphviz's own."""

    def pipe(
        self, format: str | None = None, *args: Any, encoding: str | None = None, **options: Any
    ) -> bytes | str:
        """The picture as bytes (or text, given `encoding`), as `graphviz.Digraph.pipe`."""
        if shutil.which("dot") is not None:
            return super().pipe(format, *args, encoding=encoding, **options)  # type: ignore[no-any-return]
        _require_svg(format or self.format, "pipe", args, options)
        svg = render_svg(self)
        return svg if encoding is not None else svg.encode("utf-8")

    def render(
        self,
        filename: PathLike | None = None,
        directory: PathLike | None = None,
        view: bool = False,
        cleanup: bool = False,
        format: str | None = None,
        *args: Any,
        outfile: PathLike | None = None,
        **options: Any,
    ) -> str:
        """Write the DOT source to `directory/filename` and the picture beside it
        (`filename.svg`, or `outfile`); return the picture's path, as `graphviz.Digraph.render`.
        Without system Graphviz the picture is SVG and `view=True` is refused."""
        if shutil.which("dot") is not None:
            return super().render(  # type: ignore[no-any-return]
                filename, directory, view, cleanup, format, *args, outfile=outfile, **options
            )
        if view:
            raise GraphvizNotFoundError(
                "render(view=True) opens the picture with the system's viewer, which needs "
                "system Graphviz; render without view= and open the SVG file yourself"
            )
        if format is None and outfile is not None:
            format = os.path.splitext(os.fspath(outfile))[1].lstrip(".") or None
        _require_svg(format or self.format, "render", args, options)
        source_path = os.path.join(
            os.fspath(directory if directory is not None else self.directory),
            os.fspath(filename if filename is not None else self.filename),
        )
        picture_path = os.fspath(outfile) if outfile is not None else f"{source_path}.svg"
        write_atomic(picture_path, render_svg(self))
        if cleanup:
            if os.path.exists(source_path):
                os.remove(source_path)
        else:
            write_atomic(source_path, self.source)
        return picture_path


_HARMLESS_OPTIONS = ("quiet", "quiet_view", "raise_if_result_exists", "overwrite_source")


def _require_svg(
    image_format: str, method: str, args: tuple[Any, ...], options: dict[str, Any]
) -> None:
    """Without system Graphviz only SVG can be made: refuse another format, a renderer, a
    formatter or a layout engine, saying so."""
    asked = [name for name, value in options.items() if value and name not in _HARMLESS_OPTIONS]
    if image_format != "svg" or args or asked:
        raise GraphvizNotFoundError(
            f"{method}: without the system Graphviz `dot` program only SVG can be made (asked "
            f"for format {image_format!r}{', ' + ', '.join(asked) if asked else ''}); use "
            "format='svg', or install Graphviz (`apt-get install graphviz`, "
            "`brew install graphviz`, `choco install graphviz`)"
        )


def draw_dot(root: Value, format: str = "svg", rankdir: str = "LR") -> DotDrawing:
    """micrograd's `draw_dot`: the computation graph of `root` as a `graphviz.Digraph`.

    `format` is the picture's format for `.pipe()` and `.render()` ('svg' works everywhere;
    others need system Graphviz); `rankdir` is 'LR' (inputs left, output right), 'RL', 'TB' or
    'BT'. The picture is `draw_graph`'s, with its limit of 500 values.
    """
    drawn = draw_graph(root, rankdir=rankdir)
    return DotDrawing(
        name=drawn.name,
        format=format,
        graph_attr=dict(drawn.graph_attr),
        node_attr=dict(drawn.node_attr),
        edge_attr=dict(drawn.edge_attr),
        body=list(drawn.body),
    )
