"""train()'s compiled path: the same History and parameters as the graph path."""

from __future__ import annotations

import gc
import random
import weakref
from typing import Any

import pytest

import micrograd_ann.compile as compile_module
from micrograd_ann import MLP, SGD, Layer, Neuron, Value, train
from micrograd_ann.compile import ModelProgram, model_program

random.seed(0)
POINTS = [[random.uniform(-2.0, 2.0) for _ in range(2)] for _ in range(24)]
SIGNS = [1.0 if a * b > 0 else -1.0 for a, b in POINTS]
BITS = [(sign + 1.0) / 2.0 for sign in SIGNS]

SETTINGS: dict[str, tuple[list[Any], int, str]] = {
    "hinge": (SIGNS, 1, "linear"),
    "mse": ([[a - b, a * b] for a, b in POINTS], 2, "linear"),
    "bce": (BITS, 1, "sigmoid"),
    "bce_with_logits": (BITS, 1, "linear"),
    "cross_entropy": ([int(bit) for bit in BITS], 2, "linear"),
}


def run(loss: str, compiled: bool, **options: Any) -> tuple[dict[str, Any], list[float]]:
    targets, outputs, output_activation = SETTINGS[loss]
    model = MLP(2, [6, 5, outputs], activation="tanh", output_activation=output_activation, seed=3)
    history = train(
        model, POINTS, targets, loss=loss, epochs=3, seed=5, progress=False,
        compiled=compiled, validation=(POINTS[:8], targets[:8]), **options,
    )
    return history.to_dict(), [parameter.data for parameter in model.parameters()]


@pytest.mark.parametrize("loss", sorted(SETTINGS))
@pytest.mark.parametrize("batch_size", [None, 1, 5])
def test_every_loss_and_batch_mode_matches_the_graph_path(
    loss: str, batch_size: int | None
) -> None:
    assert run(loss, True, batch_size=batch_size) == run(loss, False, batch_size=batch_size)


def test_momentum_weight_decay_and_a_schedule_match_the_graph_path() -> None:
    def with_optimizer(compiled: bool) -> tuple[Any, list[float]]:
        model = MLP(2, [6, 1], seed=2)
        optimizer = SGD(model.parameters(), lr=lambda k: 0.1 / (1 + k), momentum=0.9,
                        weight_decay=0.01)
        history = train(model, POINTS, SIGNS, loss="hinge", epochs=4, batch_size=4, seed=1,
                        progress=False, optimizer=optimizer, compiled=compiled)
        return history.to_dict(), [parameter.data for parameter in model.parameters()]

    assert with_optimizer(True) == with_optimizer(False)


def test_the_compiled_path_is_taken_and_reused_per_shape() -> None:
    assert model_program(MLP(2, [6, 1], seed=1)) is model_program(MLP(2, [6, 1], seed=9))
    assert model_program(MLP(2, [6, 1], seed=1)) is not model_program(MLP(2, [7, 1], seed=1))
    assert model_program(Neuron(2)) is not None and model_program(Layer(2, 3)) is not None
    compiled_run, graph_run = run("hinge", True), run("hinge", False)
    assert compiled_run == graph_run
    # Breaking the generated backward must change the trained parameters.
    program = model_program(MLP(2, [6, 5, 1], activation="tanh", seed=3))
    assert program is not None
    original = program.backward
    program.backward = lambda *args: tuple(2.0 * g for g in original(*args))
    try:
        assert run("hinge", True)[1] != graph_run[1]
    finally:
        program.backward = original


def test_custom_models_take_the_graph_path() -> None:
    class Doubled(MLP):
        def forward(self, inputs: Any) -> Any:
            return super().forward(inputs) * 2.0

    assert model_program(Doubled(2, [3, 1], seed=1)) is None

    class Tiny:
        nin = 2

        def __init__(self) -> None:
            self.w = Value(0.5)

        def parameters(self) -> list[Value]:
            return [self.w]

        def __call__(self, row: list[Value]) -> Value:
            return self.w * row[0] + self.w * row[1]

    history = train(Tiny(), POINTS, SIGNS, loss="hinge", epochs=2, progress=False)
    assert history.epochs_run == 2


def test_callbacks_see_the_parameters_after_each_epoch() -> None:
    def snapshots(compiled: bool) -> list[list[float]]:
        model = MLP(2, [4, 1], seed=4)
        seen: list[list[float]] = []
        train(model, POINTS, SIGNS, loss="hinge", epochs=3, progress=False, compiled=compiled,
              callbacks=[lambda epoch, history: seen.append(
                  [parameter.data for parameter in model.parameters()])])
        return seen

    assert snapshots(True) == snapshots(False)


@pytest.mark.parametrize(
    "label", ["state", "params", "inputs", "output_grads", "forward", "backward", "grad_x0", "x0"]
)
def test_no_parameter_label_can_clash_with_the_programs_own_names(label: str) -> None:
    def labelled_run(compiled: bool) -> tuple[Any, list[float]]:
        model = MLP(2, [3, 1], seed=6)
        for parameter in model.parameters():
            parameter.label = label
        history = train(model, POINTS, SIGNS, loss="hinge", epochs=2, progress=False,
                        compiled=compiled)
        return history.to_dict(), [parameter.data for parameter in model.parameters()]

    assert labelled_run(True) == labelled_run(False)


def test_parameters_and_inputs_are_told_apart_by_name() -> None:
    program = model_program(MLP(2, [3, 1], seed=1))
    assert program is not None
    assert "    (x0, x1) = inputs\n" in program.source
    parameters_line = next(
        line for line in program.source.splitlines() if line.endswith(" = params")
    )
    assert parameters_line.strip().startswith("(w_0_0_0, w_0_0_1, b_0_0, w_0_1_0,")
    assert "grad_b_1_0 +=" in program.source  # layer 1, neuron 0's bias
    neuron = model_program(Neuron(2))
    assert neuron is not None and "(w_0, w_1, b) = params" in neuron.source


def test_a_program_is_found_by_what_the_model_computes_not_by_what_it_claims() -> None:
    relabelled = Neuron(2, activation="relu", seed=1)
    relabelled.activation = "tanh"  # the attribute changes; the neuron still computes relu
    relu_program = model_program(relabelled)
    tanh_neuron = Neuron(2, activation="tanh", seed=1)
    tanh_program = model_program(tanh_neuron)
    assert relu_program is not None and tanh_program is not None
    assert "relu(" in relu_program.source and "relu(" not in tanh_program.source
    params = [parameter.data for parameter in tanh_neuron.parameters()]
    (output,), _ = tanh_program.forward(params, [1.0, -2.0])
    assert output == tanh_neuron([1.0, -2.0]).data
    assert model_program(Neuron(2, activation="tanh", seed=4)) is tanh_program

    def neuron_run(compiled: bool) -> list[float]:
        model = Neuron(2, activation="tanh", seed=1)
        train(model, POINTS, SIGNS, loss="hinge", epochs=2, progress=False, compiled=compiled)
        return [parameter.data for parameter in model.parameters()]

    assert neuron_run(True) == neuron_run(False)


# -------------------------------------------------------------------------------------------------
# Memory: programs live as long as their model, and a bounded cache beyond
# -------------------------------------------------------------------------------------------------


def _train_once(model: Any) -> None:
    train(model, [[0.1, 0.2], [0.3, -0.4]], [1, -1], loss="hinge", epochs=1, lr=0.1,
          progress=False)


def _programs_of_dropped_models(widths: range) -> list[weakref.ref[ModelProgram]]:
    """Train one model of each width, keep a weak reference to its program, drop the model."""
    references = []
    for width in widths:
        model = MLP(2, [width, width, 1], seed=0)
        _train_once(model)
        program = model_program(model)
        assert program is not None
        references.append(weakref.ref(program))
        del model, program
    gc.collect()
    return references


def test_six_shapes_too_big_to_cache_are_freed_with_their_models(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The widths 100–150 kept 24 M characters of source (RSS 155 → 391 MiB) for good.
    # Scaled down: six programs of 35 000 to 70 000 characters, each over a 30 000 bound.
    monkeypatch.setattr(compile_module, "MAX_CACHED_SOURCE", 30_000)
    references = _programs_of_dropped_models(range(10, 16))
    assert [reference() for reference in references] == [None] * 6


def test_a_program_over_the_default_bound_is_freed_with_its_model() -> None:
    # Width 95: 2.2 M characters of source, past MAX_CACHED_SOURCE (2 M), about 30 MB compiled.
    references = _programs_of_dropped_models(range(95, 96))
    assert references[0]() is None


def test_the_cache_beyond_the_models_stays_under_its_bound(monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    # 2-[w, w]-1 programs of 35 000 to 70 000 characters each, under a 100 000 bound:
    # the most recent that fit are kept (for the next model of that shape), the rest freed.
    monkeypatch.setattr(compile_module, "MAX_CACHED_SOURCE", 100_000)
    references = _programs_of_dropped_models(range(10, 16))
    alive = [program for program in (reference() for reference in references) if program]
    assert 0 < len(alive) < 6
    assert sum(len(program.source) for program in alive) <= 100_000
    assert references[-1]() is not None and references[0]() is None  # least recent out first
    newest = references[-1]()
    assert model_program(MLP(2, [15, 15, 1], seed=5)) is newest  # reused, not compiled again


def test_a_models_own_program_is_kept_while_it_lives(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(compile_module, "MAX_CACHED_SOURCE", 0)  # nothing kept beyond its model
    model = MLP(2, [4, 1], seed=0)
    program = model_program(model)
    assert program is not None
    reference = weakref.ref(program)
    del program
    gc.collect()
    assert model_program(model) is reference()  # trained epoch by epoch: compiled once
    assert model_program(MLP(2, [4, 1], seed=1)) is reference()  # while the first one lives
    del model
    gc.collect()
    assert reference() is None
