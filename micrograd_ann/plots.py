"""Plots: the loss falling, the decision boundary forming, a function beside its derivative.

matplotlib is the optional extra `plots` (`pip install "micrograd_ann[plots]"`); it is imported
only when a plot is drawn. Without a display (a server, CI), the Agg backend is used, so figures
can always be saved with `figure.savefig("name.png")`, or atomically with `save_figure`.
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from micrograd_ann import checks
from micrograd_ann.engine import Value, no_grad
from micrograd_ann.files import PathLike, write_atomic

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.cm import ScalarMappable
    from matplotlib.figure import Figure

__all__ = [
    "DecisionBoundaryDisplay", "figure_bytes", "plot_function", "plot_history", "save_figure",
    "MAX_GRID_RESOLUTION", "MAX_FUNCTION_POINTS", "CLASS_COLOURS", "REGION_OPACITY",
    "padded_bounds",
]

MAX_GRID_RESOLUTION = 1000
"""The finest decision-boundary grid: 1000 × 1000 = a million evaluations of the model."""

MAX_FUNCTION_POINTS = 100_000
"""The most points `plot_function` evaluates (each builds a graph and runs backward())."""

CLASS_COLOURS = (
    "#d6604d", "#4393c3", "#2ca02c", "#ff7f0e", "#9467bd",
    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
)
"""Class i's colour in every picture of a classifier (`DecisionBoundaryDisplay`, boundary.png,
the training report of `replay`): class 0 red, class 1 blue, class 2 green, …; the samples
in the colour itself, the predicted regions in it at 35 % opacity. Class 10 starts over."""

REGION_OPACITY = 0.35
"""How opaque a predicted region is drawn over white, so that the samples stand out on it."""


def _require_matplotlib() -> None:
    """Import matplotlib (or say how to install it); pick Agg when there is no display."""
    try:
        import matplotlib
    except ImportError as error:
        raise ImportError(
            'micrograd_ann.plots needs matplotlib, the optional extra "plots": '
            'pip install "micrograd_ann[plots]"'
        ) from error
    headless = sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    )
    chosen_elsewhere = (
        "matplotlib.pyplot" in sys.modules
        or "MPLBACKEND" in os.environ
        or "ipykernel" in sys.modules  # a notebook shows figures inline
    )
    if headless and not chosen_elsewhere:
        matplotlib.use("Agg")


def figure_bytes(figure: Figure, image_format: str = "png", *, dpi: float | None = None) -> bytes:
    """`figure` drawn into memory as an image file's bytes (`image_format` "png", "svg", …)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format=image_format, dpi="figure" if dpi is None else dpi)
    return buffer.getvalue()


def save_figure(figure: Figure, path: PathLike, *, dpi: float | None = None) -> None:
    """Save `figure` to `path` in the format its extension names (.png, .svg, .pdf, …), all
    or nothing: matplotlib draws into memory, then `write_atomic` replaces the file, so a full
    disk or a file-size limit leaves the previous picture intact."""
    image_format = os.path.splitext(os.fspath(path))[1].removeprefix(".").lower() or "png"
    write_atomic(path, figure_bytes(figure, image_format, dpi=dpi))


def _axes_or_new(ax: Axes | None) -> Axes:
    _require_matplotlib()
    import matplotlib.pyplot as pyplot

    if ax is not None:
        return ax
    _, new_axes = pyplot.subplots(figsize=(6.4, 4.4), layout="constrained")
    return new_axes


# -------------------------------------------------------------------------------------------------
# Training curves
# -------------------------------------------------------------------------------------------------


class HistoryLike(Protocol):
    """What `plot_history` reads from a `History` (micrograd_ann.history)."""

    @property
    def loss(self) -> Sequence[float]: ...

    @property
    def accuracy(self) -> Sequence[float]: ...

    @property
    def validation_loss(self) -> Sequence[float]: ...

    @property
    def validation_accuracy(self) -> Sequence[float]: ...


def plot_history(history: HistoryLike, ax: Axes | None = None) -> Axes:
    """The loss of each epoch (left axis) and the accuracy, when recorded (right axis).

    Training curves are solid, validation curves dashed. Returns the loss's `Axes`; the
    accuracy axis is its twin (`ax.figure.axes`).
    """
    if not history.loss:
        raise ValueError("plot_history: the history has no losses; train the model first")
    axes = _axes_or_new(ax)
    loss_colour, accuracy_colour = "#1f77b4", "#ff7f0e"

    def epochs(values: Sequence[float]) -> range:
        return range(1, len(values) + 1)

    axes.plot(epochs(history.loss), history.loss, color=loss_colour, label="training loss")
    if history.validation_loss:
        axes.plot(epochs(history.validation_loss), history.validation_loss, color=loss_colour,
                  linestyle="--", label="validation loss")
    axes.set_xlabel("epoch")
    axes.set_ylabel("loss", color=loss_colour)
    axes.grid(alpha=0.3)
    lines, names = axes.get_legend_handles_labels()
    if history.accuracy or history.validation_accuracy:
        accuracy_axes = axes.twinx()
        if history.accuracy:
            accuracy_axes.plot(epochs(history.accuracy), history.accuracy, color=accuracy_colour,
                               label="training accuracy")
        if history.validation_accuracy:
            accuracy_axes.plot(epochs(history.validation_accuracy), history.validation_accuracy,
                               color=accuracy_colour, linestyle="--", label="validation accuracy")
        accuracy_axes.set_ylim(-0.02, 1.02)
        accuracy_axes.set_ylabel("accuracy", color=accuracy_colour)
        more_lines, more_names = accuracy_axes.get_legend_handles_labels()
        lines, names = lines + more_lines, names + more_names
    axes.legend(lines, names, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2,
                frameon=False)
    axes.set_title("training history")
    return axes


# -------------------------------------------------------------------------------------------------
# Decision boundary
# -------------------------------------------------------------------------------------------------


@dataclass
class DecisionBoundaryDisplay:
    """What a model predicts over a 2-D grid, with the data on top.

    Built by `DecisionBoundaryDisplay.from_model(model, X, y)`, in the style of scikit-learn's
    display of the same name: `first_feature` and `second_feature` are the grid's coordinates
    (row-major, like numpy's meshgrid) and `response` the model's answer at each grid point —
    its raw output for a binary classifier (one output, split at `threshold`), the predicted
    class index for a multi-class one. After `plot()`: `figure_`, `ax_` and `surface_`.
    """

    first_feature: list[list[float]]
    second_feature: list[list[float]]
    response: list[list[float]]
    class_count: int
    threshold: float = 0.0
    samples: list[tuple[float, float]] = field(default_factory=list)
    sample_classes: list[int] = field(default_factory=list)
    figure_: Figure | None = None
    ax_: Axes | None = None
    surface_: ScalarMappable | None = None

    @classmethod
    def from_model(
        cls,
        model: Callable[[list[float]], object],
        X: Sequence[Sequence[float]],
        y: Sequence[object] | None = None,
        *,
        ax: Axes | None = None,
        grid_resolution: int = 40,
        margin: float = 0.5,
        threshold: float | None = None,
    ) -> DecisionBoundaryDisplay:
        """Evaluate `model` on a `grid_resolution` × `grid_resolution` grid and plot it.

        The grid spans the data plus `margin` on each side; every point is evaluated under
        `no_grad()` (no graph is kept): 1600 calls at the default resolution of 40. A model
        with one output is a binary classifier: class 1 where output > `threshold`. The default
        threshold is 0.5 when the model's output activation is "sigmoid" (a probability) and 0
        otherwise (a score, as with the hinge loss or tanh). Labels `y` are split the same
        way, so 0/1 and -1/+1 labels both work. A model with several outputs predicts the
        index of the largest one (argmax), and `y` holds class indices (or one-hot rows).
        """
        samples = _two_feature_rows(X)
        checks.count(
            grid_resolution, "grid_resolution", minimum=2, maximum=MAX_GRID_RESOLUTION,
            why="the model is evaluated grid_resolution² times",
        )
        if threshold is None:
            threshold = 0.5 if _output_activation(model) == "sigmoid" else 0.0
        first_axis = _grid_line([first for first, _ in samples], margin, grid_resolution)
        second_axis = _grid_line([second for _, second in samples], margin, grid_resolution)
        response: list[list[float]] = []
        output_count = 1
        with no_grad():
            for second in second_axis:
                row = []
                for first in first_axis:
                    scores = _scores(model([first, second]))
                    output_count = len(scores)
                    row.append(scores[0] if output_count == 1 else _predicted_class(scores, 0.0))
                response.append(row)
        binary = output_count == 1
        display = cls(
            first_feature=[list(first_axis) for _ in second_axis],
            second_feature=[[second] * len(first_axis) for second in second_axis],
            response=response,
            class_count=2 if binary else output_count,
            threshold=threshold,
            samples=samples,
            sample_classes=[] if y is None else _label_classes(y, len(samples), threshold,
                                                               binary=binary),
        )
        return display.plot(ax=ax)

    def plot(
        self, ax: Axes | None = None, *, alpha: float = REGION_OPACITY
    ) -> DecisionBoundaryDisplay:
        """Draw the predicted regions (and the samples, coloured by their class) on `ax`.

        Binary: the regions either side of `threshold`, filled from the interpolated raw output
        (a smooth boundary), with the boundary itself as a line. Multi-class: one colour per
        grid cell (no interpolation, which would invent a class between two others).
        """
        axes = _axes_or_new(ax)
        from matplotlib.colors import ListedColormap

        colours = [CLASS_COLOURS[index % len(CLASS_COLOURS)] for index in range(self.class_count)]
        if self.class_count == 2:
            lowest = min(min(row) for row in self.response)
            highest = max(max(row) for row in self.response)
            levels = [min(lowest, self.threshold) - 1.0, self.threshold,
                      max(highest, self.threshold) + 1.0]
            self.surface_ = axes.contourf(self.first_feature, self.second_feature, self.response,
                                          levels=levels, colors=colours, alpha=alpha)
            if lowest < self.threshold < highest:
                axes.contour(self.first_feature, self.second_feature, self.response,
                             levels=[self.threshold], colors="black", linewidths=1.0)
        else:
            self.surface_ = axes.pcolormesh(self.first_feature, self.second_feature,
                                            self.response, shading="nearest", alpha=alpha,
                                            cmap=ListedColormap(colours), vmin=-0.5,
                                            vmax=self.class_count - 0.5)
        if self.samples:
            firsts = [first for first, _ in self.samples]
            seconds = [second for _, second in self.samples]
            if self.sample_classes:
                # Class i is the middle of [i - 0.5, i + 0.5], so it gets colour i.
                axes.scatter(firsts, seconds, c=self.sample_classes,
                             cmap=ListedColormap(colours), vmin=-0.5,
                             vmax=self.class_count - 0.5, edgecolors="black", linewidths=0.5,
                             s=22)
            else:
                axes.scatter(firsts, seconds, color="black", s=12)
        axes.set_xlabel("x0")
        axes.set_ylabel("x1")
        axes.set_title("decision boundary")
        self.ax_ = axes
        self.figure_ = axes.get_figure()  # type: ignore[assignment]
        return self


def padded_bounds(X: Sequence[Sequence[float]]) -> tuple[float, float, float, float]:
    """(left, right, bottom, top) of the first two features of `X`, each widened by a tenth of
    its range (by 1 where the range is 0): the plane the pages draw a 2-D dataset on."""
    xs = [row[0] for row in X]
    ys = [row[1] for row in X]
    pad_x = (max(xs) - min(xs)) * 0.1 or 1.0
    pad_y = (max(ys) - min(ys)) * 0.1 or 1.0
    return min(xs) - pad_x, max(xs) + pad_x, min(ys) - pad_y, max(ys) + pad_y


def _two_feature_rows(X: Sequence[Sequence[float]]) -> list[tuple[float, float]]:
    rows = []
    for index, row in enumerate(X):
        if len(row) != 2:
            raise ValueError(
                f"a decision boundary needs 2 features per sample, but X[{index}] has "
                f"{len(row)}: {row!r}; pick two features (or project the data to 2-D) first"
            )
        rows.append((float(row[0]), float(row[1])))
    if not rows:
        raise ValueError("X is empty; a decision boundary needs samples to set the plot's range")
    return rows


def _grid_line(coordinates: list[float], margin: float, count: int) -> list[float]:
    low, high = min(coordinates) - margin, max(coordinates) + margin
    if high == low:
        low, high = low - 1.0, high + 1.0
    return [low + (high - low) * index / (count - 1) for index in range(count)]


def _output_activation(model: object) -> object:
    """The activation of the model's output ("sigmoid", …) if it says; else None."""
    return getattr(model, "output_activation", getattr(model, "activation", None))


def _scores(output: object) -> list[float]:
    """A model's output as a list of floats: one Value, a number, or a list of either."""
    if isinstance(output, Value | int | float):
        return [float(output)]
    if isinstance(output, Sequence):
        return [float(item) for item in output]
    raise TypeError(
        f"the model returned {type(output).__name__} {output!r}; a classifier must return a "
        "Value (or number), or a list of them (one per class)"
    )


def _predicted_class(scores: list[float], threshold: float) -> int:
    if len(scores) == 1:
        return 1 if scores[0] > threshold else 0
    return max(range(len(scores)), key=scores.__getitem__)


def _label_classes(
    labels: Sequence[object], sample_count: int, threshold: float, *, binary: bool
) -> list[int]:
    if len(labels) != sample_count:
        raise ValueError(f"X has {sample_count} samples but y has {len(labels)} labels")
    classes = []
    for label in labels:
        if isinstance(label, Sequence):  # a one-hot row
            classes.append(_predicted_class(_scores(label), threshold))
        elif binary:
            classes.append(1 if float(label) > threshold else 0)  # type: ignore[arg-type]
        else:
            classes.append(int(label))  # type: ignore[call-overload]
    return classes


# -------------------------------------------------------------------------------------------------
# A function and its derivative
# -------------------------------------------------------------------------------------------------


def plot_function(
    f: Callable[[Value], Value],
    low: float,
    high: float,
    *,
    points: int = 201,
    ax: Axes | None = None,
) -> Axes:
    """f(x) and its derivative f′(x) on [low, high], the derivative found by `backward()`.

    At each x the engine builds f's graph from `Value(x)` and runs `backward()`, so the
    dashed curve is exactly the gradient a network would get — no finite differences.
    """
    low = checks.finite_number(low, "low")
    high = checks.finite_number(high, "high")
    if not low < high:
        raise ValueError(f"plot_function needs finite low < high, got low={low!r}, high={high!r}")
    checks.count(points, "points", minimum=2, maximum=MAX_FUNCTION_POINTS,
                 why="each point builds a graph and runs backward()")
    xs = [low + (high - low) * index / (points - 1) for index in range(points)]
    values, slopes = [], []
    for x in xs:
        variable = Value(x, label="x")
        output = f(variable)
        if isinstance(output, Value) and output.requires_grad:
            output.backward()
        values.append(float(output))
        slopes.append(variable.grad)
    axes = _axes_or_new(ax)
    name = getattr(f, "__name__", "f")
    name = "f" if name == "<lambda>" else name
    axes.axhline(0.0, color="#999999", linewidth=0.8)
    axes.plot(xs, values, color="#1f77b4", label=f"{name}(x)")
    axes.plot(xs, slopes, color="#d62728", linestyle="--", label=f"d{name}/dx from backward()")
    axes.set_xlabel("x")
    axes.legend()
    axes.grid(alpha=0.3)
    axes.set_title(f"{name} and its derivative")
    return axes
