"""Plots: each saved to a PNG that exists and is a real image; decision regions by hand."""

import sys
from pathlib import Path

import pytest

pytest.importorskip("matplotlib")

import matplotlib.pyplot as pyplot

from micrograd_ann import MLP, Value
from micrograd_ann.plots import DecisionBoundaryDisplay, plot_function, plot_history
from micrograd_ann.train import History

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _saved_png(figure: object, path: Path) -> bytes:
    figure.savefig(path)  # type: ignore[attr-defined]
    pyplot.close(figure)  # type: ignore[arg-type]
    content = path.read_bytes()
    assert len(content) > 1000
    assert content.startswith(PNG_MAGIC)
    return content


def test_plot_history_with_accuracy_and_validation(tmp_path: Path) -> None:
    history = History(loss=[1.0, 0.6, 0.3], accuracy=[0.5, 0.7, 0.9],
                      validation_loss=[1.1, 0.8, 0.5], validation_accuracy=[0.4, 0.6, 0.8])
    axes = plot_history(history)
    assert [line.get_label() for line in axes.get_lines()] == ["training loss", "validation loss"]
    accuracy_axes = [other for other in axes.figure.axes if other is not axes]
    assert [line.get_label() for line in accuracy_axes[0].get_lines()] == [
        "training accuracy", "validation accuracy"
    ]
    assert list(axes.get_lines()[0].get_xdata()) == [1, 2, 3]  # epochs count from 1
    _saved_png(axes.figure, tmp_path / "history.png")


def test_plot_history_loss_only_on_given_axes(tmp_path: Path) -> None:
    figure, axes = pyplot.subplots()
    assert plot_history(History(loss=[2.0, 1.0]), ax=axes) is axes
    assert len(figure.axes) == 1  # no accuracy axis without accuracy
    _saved_png(figure, tmp_path / "loss.png")
    with pytest.raises(ValueError, match="no losses"):
        plot_history(History())


class _HalfPlane:
    """A hand-made classifier: score = x0 - x1 (class 1 below the diagonal)."""

    output_activation = "linear"

    def __call__(self, row: list[float]) -> Value:
        return Value(row[0]) - Value(row[1])


def test_decision_boundary_binary_regions_match_the_hand_made_rule(tmp_path: Path) -> None:
    X = [[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]
    y = [1, 1, -1, -1]
    display = DecisionBoundaryDisplay.from_model(_HalfPlane(), X, y, grid_resolution=5)
    assert display.class_count == 2 and display.threshold == 0.0
    assert len(display.response) == 5 and len(display.response[0]) == 5
    for row_first, row_second, row_response in zip(display.first_feature,
                                                   display.second_feature, display.response):
        for first, second, response in zip(row_first, row_second, row_response):
            assert response == pytest.approx(first - second)
    assert display.first_feature[0][0] == -0.5 and display.first_feature[0][-1] == 1.5
    assert display.sample_classes == [1, 1, 0, 0]  # -1/+1 labels split at the threshold
    assert display.ax_ is not None and display.surface_ is not None
    _saved_png(display.figure_, tmp_path / "binary.png")


def test_decision_boundary_threshold_follows_a_sigmoid_output(tmp_path: Path) -> None:
    model = MLP(2, [3, 1], activation="tanh", output_activation="sigmoid", seed=0)
    display = DecisionBoundaryDisplay.from_model(model, [[0.0, 0.0], [1.0, 1.0]], [0, 1],
                                                 grid_resolution=6)
    assert display.threshold == 0.5
    assert all(0.0 < value < 1.0 for row in display.response for value in row)
    assert display.sample_classes == [0, 1]
    # Evaluated under no_grad: the model's parameters received no graph edges or gradients.
    assert all(parameter.grad == 0.0 for parameter in model.parameters())
    _saved_png(display.figure_, tmp_path / "sigmoid.png")


def test_decision_boundary_multi_class_takes_the_argmax(tmp_path: Path) -> None:
    def nearest_corner(row: list[float]) -> list[Value]:
        # Three scores: the class whose centre (0,0), (2,0), (0,2) is nearest wins.
        centres = [(0.0, 0.0), (2.0, 0.0), (0.0, 2.0)]
        return [Value(-((row[0] - a) ** 2 + (row[1] - b) ** 2)) for a, b in centres]

    X = [[0.0, 0.0], [2.0, 0.0], [0.0, 2.0]]
    display = DecisionBoundaryDisplay.from_model(nearest_corner, X, [0, 1, 2],
                                                 grid_resolution=7, margin=0.0)
    assert display.class_count == 3
    assert display.response[0][0] == 0   # (0, 0)
    assert display.response[0][-1] == 1  # (2, 0)
    assert display.response[-1][0] == 2  # (0, 2)
    _saved_png(display.figure_, tmp_path / "classes.png")


def test_decision_boundary_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="2 features"):
        DecisionBoundaryDisplay.from_model(_HalfPlane(), [[0.0, 1.0, 2.0]])
    with pytest.raises(ValueError, match="grid_resolution"):
        DecisionBoundaryDisplay.from_model(_HalfPlane(), [[0.0, 1.0]], grid_resolution=1)
    with pytest.raises(ValueError, match=r"grid_resolution is 100,000, above the limit of 1,000"):
        DecisionBoundaryDisplay.from_model(_HalfPlane(), [[0.0, 1.0]], grid_resolution=100_000)
    with pytest.raises(TypeError, match="grid_resolution must be an int, got float"):
        DecisionBoundaryDisplay.from_model(_HalfPlane(), [[0.0, 1.0]], grid_resolution=50.0)
    with pytest.raises(ValueError, match="1 samples but y has 2"):
        DecisionBoundaryDisplay.from_model(_HalfPlane(), [[0.0, 1.0]], [0, 1])


def test_plot_function_draws_the_backward_derivative(tmp_path: Path) -> None:
    axes = plot_function(lambda x: x * x * x, -2.0, 2.0, points=5)
    function_line, derivative_line = axes.get_lines()[1:]  # after the y = 0 guide
    assert list(function_line.get_xdata()) == [-2.0, -1.0, 0.0, 1.0, 2.0]
    assert list(function_line.get_ydata()) == [-8.0, -1.0, 0.0, 1.0, 8.0]
    assert list(derivative_line.get_ydata()) == [12.0, 3.0, 0.0, 3.0, 12.0]  # 3x²
    _saved_png(axes.figure, tmp_path / "function.png")
    with pytest.raises(ValueError, match="low < high"):
        plot_function(lambda x: x, 1.0, 1.0)


def test_missing_matplotlib_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ImportError, match=r"micrograd_ann\[plots\]"):
        plot_history(History(loss=[1.0]))
