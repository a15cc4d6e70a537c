"""Tests for micrograd_ann.train: steps by hand, batch modes, metrics, errors, the progress bar."""

import importlib
import io
import json
import math

import pytest

from micrograd_ann import MLP, SGD, History, Layer, TrainingDiverged, Value, datasets, train
from micrograd_ann.history import check_divergence
from micrograd_ann.optim import LinearDecay
from micrograd_ann.train import evaluate, progress_enabled


class Affine:
    """A stand-in model: outputs Σ wᵢxᵢ + b per unit (optionally through a sigmoid)."""

    def __init__(self, weights, biases, sigmoid=False):
        self.weights = [[Value(w) for w in row] for row in weights]
        self.biases = [Value(b) for b in biases]
        self.sigmoid = sigmoid
        self.nin = len(weights[0])

    def parameters(self):
        return [w for row in self.weights for w in row] + self.biases

    def __call__(self, x):
        outputs = [Value.dot(row, x, b) for row, b in zip(self.weights, self.biases)]
        if self.sigmoid:
            outputs = [output.sigmoid() for output in outputs]
        return outputs[0] if len(outputs) == 1 else outputs


def line(w=0.0, b=0.0):
    return Affine([[w]], [b])


LINE_X = [[1.0], [2.0]]
LINE_Y = [2.0, 4.0]

# A separable 2-D problem: the class is the sign of x1 + x2.
POINTS = [[1.0, 0.5], [0.3, 0.9], [2.0, -0.5], [-1.0, -0.2], [-0.4, -0.8], [0.5, -2.0]]
SIGNS = [1, 1, 1, -1, -1, -1]
BITS = [1, 1, 1, 0, 0, 0]


# -- the steps, by hand ---------------------------------------------------------------------------


def test_full_batch_step_by_hand():
    # w = b = 0: errors −2, −4; loss (4 + 16)/2 = 10;
    # ∂L/∂w = (2/m) Σ (a − T)·x = −2 − 8 = −10, ∂L/∂b = (2/m) Σ (a − T) = −6
    model = line()
    history = train(model, LINE_X, LINE_Y, loss="mse", epochs=1, lr=0.01, progress=False)
    assert history.loss == pytest.approx([10.0], rel=1e-15)
    assert [p.data for p in model.parameters()] == pytest.approx([0.1, 0.06], rel=1e-14)
    assert history.accuracy == []  # regression
    assert history.learning_rate == [0.01]
    assert history.epochs_run == 1 and history.converged is None


def test_per_sample_steps_by_hand():
    # Sample 1 (x 1, T 2): loss 4, ∂w = ∂b = 2(0 − 2) = −4 → w = b = 0.04.
    # Sample 2 (x 2, T 4): a = 0.12, loss 3.88² = 15.0544, ∂w = 2(−3.88)·2 = −15.52,
    # ∂b = −7.76 → w = 0.1952, b = 0.1176. Epoch loss (4 + 15.0544)/2 = 9.5272.
    model = line()
    history = train(
        model, LINE_X, LINE_Y, loss="mse", epochs=1, lr=0.01, batch_size=1, shuffle=False,
        progress=False,
    )
    assert history.loss == pytest.approx([9.5272], rel=1e-13)
    assert [p.data for p in model.parameters()] == pytest.approx([0.1952, 0.1176], rel=1e-13)


def test_mini_batches_take_one_step_per_batch():
    optimizer_steps = []

    class CountingSGD(SGD):
        def step(self):
            optimizer_steps.append(len(optimizer_steps))
            super().step()

    model = Affine([[0.1, -0.1]], [0.0])
    optimizer = CountingSGD(model.parameters(), lr=0.1)
    train(
        model, POINTS, SIGNS, loss="hinge", epochs=2, batch_size=4, optimizer=optimizer,
        seed=0, progress=False,
    )
    assert len(optimizer_steps) == 4  # 6 rows in batches of 4 and 2, twice


def test_batch_size_larger_than_the_data_is_full_batch():
    full = train(line(), LINE_X, LINE_Y, loss="mse", epochs=3, lr=0.01, progress=False)
    large = train(
        line(), LINE_X, LINE_Y, loss="mse", epochs=3, lr=0.01, batch_size=50, progress=False
    )
    assert large.loss == full.loss


def test_multi_output_mse_targets():
    # Two outputs, both 0: loss = mean over samples and units of T² = (1 + 4 + 9 + 16)/4 = 7.5
    model = Affine([[0.0], [0.0]], [0.0, 0.0])
    history = train(
        model, [[1.0], [2.0]], [[1.0, 2.0], [3.0, 4.0]], loss="mse", epochs=1, lr=0.01,
        progress=False,
    )
    assert history.loss == pytest.approx([7.5], rel=1e-15)


# -- learning -------------------------------------------------------------------------------------


def test_learns_a_separable_problem_with_each_classification_loss():
    cases = [
        ("hinge", SIGNS, False, [[0.2, -0.3]]),
        ("bce", BITS, True, [[0.2, -0.3]]),
        ("bce_with_logits", BITS, False, [[0.2, -0.3]]),
    ]
    for loss, labels, sigmoid, weights in cases:
        model = Affine(weights, [0.0], sigmoid=sigmoid)
        history = train(model, POINTS, labels, loss=loss, epochs=60, lr=0.5, progress=False)
        assert history.loss[-1] < history.loss[0] / 3, loss
        assert history.accuracy[0] < 1.0 and history.accuracy[-1] == 1.0, loss


def test_cross_entropy_three_classes():
    rows = [[1.0, 0.0], [0.9, 0.1], [0.0, 1.0], [0.1, 0.8], [-1.0, -1.0], [-0.8, -1.1]]
    classes = [0, 0, 1, 1, 2, 2]
    model = Affine([[0.0, 0.0], [0.0, 0.0], [0.0, 0.0]], [0.0, 0.0, 0.0])
    history = train(model, rows, classes, loss="cross_entropy", epochs=40, lr=1.0, progress=False)
    assert history.loss[0] == pytest.approx(math.log(3.0), rel=1e-14)  # uniform softmax
    assert history.loss[-1] < 0.2 and history.accuracy[-1] == 1.0


@pytest.mark.parametrize(
    ("loss", "labels", "output_activation", "sizes"),
    [
        ("cross_entropy", [0, 2, 1, 2], "linear", [4, 3]),
        ("bce", [0, 1, 1, 0], "sigmoid", [4, 1]),
        ("hinge", [-1, 1, 1, -1], "linear", [4, 1]),
    ],
)
def test_mlp_steps_match_torch(loss, labels, output_activation, sizes):
    # Two mini-batch steps of our MLP against the same network in PyTorch (float64), momentum on.
    torch = pytest.importorskip("torch")
    rows = [[0.5, -1.0, 2.0], [1.5, 0.3, -0.7], [-0.2, 0.8, 0.1], [0.9, -0.4, -1.2]]
    model = MLP(3, sizes, activation="tanh", output_activation=output_activation, seed=4)
    reference = model.to_torch()
    optimizer = SGD(model.parameters(), lr=0.2, momentum=0.9)
    train(
        model, rows, labels, loss=loss, epochs=1, batch_size=2, shuffle=False,
        optimizer=optimizer, progress=False,
    )
    torch_optimizer = torch.optim.SGD(reference.parameters(), lr=0.2, momentum=0.9)
    inputs = torch.tensor(rows, dtype=torch.float64)
    targets = torch.tensor(labels, dtype=torch.float64)
    for batch in (slice(0, 2), slice(2, 4)):
        outputs = reference(inputs[batch])
        if loss == "cross_entropy":
            batch_loss = torch.nn.functional.cross_entropy(outputs, targets[batch].long())
        elif loss == "bce":
            batch_loss = torch.nn.functional.binary_cross_entropy(outputs[:, 0], targets[batch])
        else:
            batch_loss = torch.relu(1 - targets[batch] * outputs[:, 0]).mean()
        torch_optimizer.zero_grad()
        batch_loss.backward()
        torch_optimizer.step()
    with torch.no_grad():
        expected = reference(inputs).flatten().tolist()
    ours = [model(row) for row in rows]
    ours = [value.data for output in ours for value in (output if sizes[-1] > 1 else [output])]
    assert ours == pytest.approx(expected, rel=1e-12, abs=1e-14)


def test_mlp_on_moons_is_deterministic_with_a_seed():
    from micrograd_ann import datasets

    X, y = datasets.two_moons(40, noise=0.1, seed=3, labels="plus_minus")

    def run():
        model = MLP(2, [8, 8, 1], seed=5)
        return train(
            model, X, y, loss="hinge", epochs=15, lr=LinearDecay(0.5, 0.05, 15), batch_size=10,
            seed=11, progress=False,
        )

    first, second = run(), run()
    assert first == second  # every list, bit for bit
    assert first.loss[-1] < first.loss[0]
    assert first.learning_rate[:2] == pytest.approx([0.5, 0.5 - 0.45 / 15])


def test_shuffling_depends_on_the_seed():
    def run(seed):
        return train(
            line(), [[1.0], [2.0], [3.0], [-1.0]], [1.0, 2.0, 2.5, 0.0], loss="mse", epochs=2,
            lr=0.01, batch_size=1, seed=seed, progress=False,
        ).loss

    assert run(1) == run(1)
    assert run(1) != run(2) or run(1) != run(3)


# -- validation, callbacks, evaluate ------------------------------------------------------------


def test_validation_metrics_are_measured_after_each_epoch():
    model = line()
    validation_X, validation_y = [[3.0], [0.0]], [6.0, 1.0]
    history = train(
        model, LINE_X, LINE_Y, loss="mse", epochs=2, lr=0.01, validation=(validation_X,
        validation_y), progress=False,
    )
    w, b = (p.data for p in model.parameters())
    by_hand = ((w * 3.0 + b - 6.0) ** 2 + (b - 1.0) ** 2) / 2
    assert len(history.validation_loss) == 2
    assert history.validation_loss[-1] == pytest.approx(by_hand, rel=1e-14)
    assert history.validation_accuracy == []


def test_validation_accuracy_for_classification():
    model = Affine([[1.0, 1.0]], [0.0])  # already perfect on the sign of x1 + x2
    history = train(
        model, POINTS, SIGNS, loss="hinge", epochs=1, lr=1e-9,
        validation=([[1.0, 1.0], [-2.0, 0.5], [0.1, 0.0]], [1, 1, 1]), progress=False,
    )
    # scores 2, −1.5, 0.1 → predictions +1, −1, +1 against +1, +1, +1
    assert history.validation_accuracy == pytest.approx([2 / 3])


def test_evaluate_by_hand():
    model = Affine([[1.0, 1.0]], [0.0])
    # scores 3, −1.5, 0.1 against +1: margins 0, 2.5, 0.9 → loss 3.4/3; one of three correct
    loss, accuracy = evaluate(model, [[1.0, 2.0], [-2.0, 0.5], [0.1, 0.0]], [1, 1, 1], loss="hinge")
    assert loss == pytest.approx(3.4 / 3, rel=1e-14)
    assert accuracy == pytest.approx(2 / 3)


def test_callbacks_get_each_epoch_and_can_stop_training():
    seen = []

    def record(epoch, history):
        seen.append((epoch, len(history.loss)))

    def stop_after_three(epoch, history):
        return epoch < 2

    history = train(
        line(), LINE_X, LINE_Y, loss="mse", epochs=10, lr=0.01, callbacks=[record,
        stop_after_three], progress=False,
    )
    assert seen == [(0, 1), (1, 2), (2, 3)]
    assert history.epochs_run == 3 and len(history.loss) == 3


def test_history_to_dict_is_json():
    history = train(line(), LINE_X, LINE_Y, loss="mse", epochs=2, lr=0.01, progress=False)
    restored = json.loads(json.dumps(history.to_dict()))
    assert History(**restored) == history


def test_lr_schedule_is_called_per_epoch():
    history = train(
        line(), LINE_X, LINE_Y, loss="mse", epochs=3, lr=lambda epoch: 0.01 / (epoch + 1),
        batch_size=1, progress=False,
    )
    assert history.learning_rate == pytest.approx([0.01, 0.005, 0.01 / 3])


# -- divergence -----------------------------------------------------------------------------------


def test_huge_learning_rate_raises_training_diverged():
    with pytest.raises(TrainingDiverged, match=r"epoch \d+ of 500.*smaller learning rate") as info:
        train(line(), LINE_X, LINE_Y, loss="mse", epochs=500, lr=100.0, progress=False)
    assert isinstance(info.value, RuntimeError)
    assert info.value.epoch >= 1


def test_momentum_above_one_diverges_instead_of_ending_with_a_huge_loss():
    # The CLI's `train --momentum 1.5` run: the velocity grows by 1.5× a step, the loss passes
    # 10⁶ × its start long before a float overflows (it used to end at 4.8e13, "successfully").
    X, y = datasets.two_moons(100, noise=0.1, seed=0, labels="plus_minus")
    model = MLP(2, [16, 16, 1], seed=0)
    optimizer = SGD(model.parameters(), lr=0.1, momentum=1.5)
    with pytest.raises(TrainingDiverged, match=r"the loss grew to .*more than 1e\+06 times"):
        train(model, X, y, loss="hinge", epochs=100, optimizer=optimizer, seed=0, progress=False)


def test_a_loss_of_1e307_is_divergence_even_while_the_numbers_stay_finite():
    # lr = 1e308 on a linear softmax classifier: the weights reach ±5e307 and the loss ~1e307,
    # all finite, so only the growth rule notices.
    model = Layer(1, 2, activation="linear", seed=1)
    with pytest.raises(TrainingDiverged, match=r"epoch 2 of 20: the loss grew to") as caught:
        train(model, [[1.0], [0.0]], [1, 0], loss="cross_entropy", epochs=20, lr=1e308,
              progress=False)
    assert caught.value.epoch == 2


def test_the_growth_rule_leaves_a_loss_that_starts_near_zero_alone():
    # A first loss of ~1e-9 that grows to ~1e-3 is not divergence: the starting level is
    # max(first loss, 1), so the loss would have to pass 1e6.
    history = History(loss=[1e-9, 1e-3])
    check_divergence(history, [Value(1.0)], epochs=2, rate=0.1)
    history.loss.append(2e6)
    with pytest.raises(TrainingDiverged, match="epoch 3 of 2"):
        check_divergence(history, [Value(1.0)], epochs=2, rate=0.1)


@pytest.mark.parametrize("compiled", [True, False])
def test_a_last_step_that_overflows_the_model_is_divergence(compiled):
    # One full-batch step of lr = 1e300 leaves weights near 1e296, all finite: the epoch's loss
    # was measured before the step, so only the trained model's own loss shows the overflow.
    X, y = datasets.two_moons(100, noise=0.1, seed=0, labels="plus_minus")
    model = MLP(2, [16, 16, 1], seed=0)
    with pytest.raises(TrainingDiverged, match=r"epoch 1 of 1: after its last step, .* overflows"
                       ) as caught:
        train(model, X, y, loss="hinge", epochs=1, lr=1e300, compiled=compiled, progress=False)
    assert caught.value.epoch == 1
    assert isinstance(caught.value.__cause__, OverflowError)


def test_a_last_step_that_grows_the_loss_a_millionfold_is_divergence():
    # The 1e307 case above stopped after one epoch: the trained model's loss (~1e307, finite)
    # is past 10⁶ × max(first loss ln 2, 1).
    model = Layer(1, 2, activation="linear", seed=1)
    with pytest.raises(TrainingDiverged, match=r"epoch 1 of 1: after its last step, the trained "
                       r"model's loss on the training data grew to"):
        train(model, [[1.0], [0.0]], [1, 0], loss="cross_entropy", epochs=1, lr=1e308,
              progress=False)


def test_the_final_rule_stops_where_a_callback_stopped_training():
    X, y = datasets.two_moons(100, noise=0.1, seed=0, labels="plus_minus")
    model = MLP(2, [16, 16, 1], seed=0)
    with pytest.raises(TrainingDiverged, match=r"epoch 1 of 50: after its last step"):
        train(model, X, y, loss="hinge", epochs=50, lr=1e300, progress=False,
              callbacks=[lambda epoch, history: False])


@pytest.mark.parametrize("compiled", [True, False])
def test_final_loss_is_the_trained_models_loss_by_hand(compiled):
    # After 3 full-batch steps, final_loss is mse at the returned (w, b); loss[-1] was measured
    # at the parameters before the third step.
    model = Affine([[0.0]], [0.0]) if not compiled else MLP(1, [1], output_activation="linear")
    if compiled:
        model.load_state_dict({"layers.0.neurons.0.w.0": 0.0, "layers.0.neurons.0.b": 0.0})
    history = train(model, LINE_X, LINE_Y, loss="mse", epochs=3, lr=0.01, compiled=compiled,
                    progress=False)
    w, b = (p.data for p in model.parameters())
    by_hand = ((w * 1.0 + b - 2.0) ** 2 + (w * 2.0 + b - 4.0) ** 2) / 2
    assert history.final_loss == pytest.approx(by_hand, rel=1e-14)
    assert history.final_loss != history.loss[-1]
    assert history.final_accuracy is None  # regression
    # Full batch: loss[k] is the model after k epochs, so a fourth epoch starts at final_loss.
    longer = train(line(), LINE_X, LINE_Y, loss="mse", epochs=4, lr=0.01, progress=False)
    assert longer.loss[3] == pytest.approx(history.final_loss, rel=1e-14)


def test_final_accuracy_is_the_trained_models_accuracy():
    X, y = datasets.two_moons(100, noise=0.1, seed=0, labels="plus_minus")
    model = MLP(2, [16, 16, 1], seed=0)
    history = train(model, X, y, loss="hinge", epochs=3, lr=0.5, progress=False)
    scores = [model(row).data for row in X]
    by_hand = sum((score >= 0) == (label == 1) for score, label in zip(scores, y)) / len(y)
    assert history.final_accuracy == by_hand
    assert history.final_accuracy != history.accuracy[-1]  # 76 % after the steps, 68 % before


def test_diverging_to_nan_is_caught_too():
    # A NaN parameter makes every output NaN: the loss is not finite → TrainingDiverged.
    model = line(w=math.nan)
    with pytest.raises(TrainingDiverged, match="epoch 1 of 5"):
        train(model, LINE_X, LINE_Y, loss="mse", epochs=5, lr=0.01, progress=False)


# -- bad data and settings ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("X", "y", "loss", "message"),
    [
        ([[1.0], [2.0, 3.0]], [1.0, 2.0], "mse", r"ragged rows: X\[1\] has 2 values"),
        ([[1.0], [math.nan]], [1.0, 2.0], "mse", r"X\[1\]\[0\] is nan, not finite"),
        ([[1.0], [math.inf]], [1.0, 2.0], "mse", r"X\[1\]\[0\] is inf, not finite"),
        ([[1.0], [2.0]], [1.0], "mse", "X has 2 rows but y has 1 targets"),
        ([[1.0], [2.0]], [1.0, math.nan], "mse", r"y\[1\] is nan"),
        ([[1.0, 2.0], [2.0, 3.0]], [1.0, 2.0], "mse", r"2 values but the model takes 1 inputs"),
        ([], [], "mse", "X is empty"),
        ([[1.0], [2.0]], [1.0, 2.0], "l1", r"unknown loss 'l1'; choose one of 'mse'"),
        ([[1.0], [2.0]], [0, 2], "bce", r"y\[1\]: loss 'bce' needs labels 0 or 1, got 2"),
        ([[1.0], [2.0]], [0, 1], "hinge", r"y\[0\]: loss 'hinge' needs labels -1 or 1"),
        ([[1.0], [2.0]], [1, [1.0, 2.0]], "mse", r"y\[1\]: the model has one output"),
    ],
)
def test_bad_data_raises_value_error(X, y, loss, message):
    with pytest.raises(ValueError, match=message):
        train(line(), X, y, loss=loss, epochs=1, progress=False)


@pytest.mark.parametrize(
    ("X", "y", "loss", "message"),
    [
        ([[1.0], ["2"]], [1.0, 2.0], "mse", r"X\[1\]\[0\] is str '2', not a number"),
        ([1.0, 2.0], [1.0, 2.0], "mse", r"X\[0\] is the number 1.0, not a row"),
        ([[1.0], [True]], [1.0, 2.0], "mse", r"X\[1\]\[0\] is the bool True"),
        ([[1.0], [2.0]], [1.0, False], "mse", r"y\[1\] is the bool False"),
        ([[1.0], [None]], [1.0, 2.0], "mse", r"X\[1\]\[0\] is NoneType None, not a number"),
    ],
)
def test_data_of_the_wrong_type_raises_type_error(X, y, loss, message):
    """The checks module's rule: a wrong type is a TypeError, a bool included."""
    with pytest.raises(TypeError, match=message):
        train(line(), X, y, loss=loss, epochs=1, progress=False)


@pytest.mark.parametrize(
    ("label", "message"),
    [(3, r"y\[1\]: class index 3 is outside 0..2"), (-1, "outside 0..2"), (1.5, "class index")],
)
def test_cross_entropy_labels_must_be_class_indices(label, message):
    model = Affine([[0.0], [0.0], [0.0]], [0.0, 0.0, 0.0])
    with pytest.raises(ValueError, match=message):
        train(model, [[1.0], [2.0]], [0, label], loss="cross_entropy", progress=False)


def test_validation_data_is_checked_too():
    with pytest.raises(TypeError, match=r"validation X\[0\]\[0\] is str 'a'"):
        train(
            line(), LINE_X, LINE_Y, loss="mse", validation=([["a"]], [1.0]), progress=False
        )


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"lr": 0.0}, "lr must be a positive"),
        ({"lr": -1.0}, "lr must be a positive"),
        ({"epochs": 0}, "epochs must be at least 1, got 0"),
        ({"batch_size": 0}, "batch_size must be at least 1, got 0"),
    ],
)
def test_bad_settings_raise_value_error(settings, message):
    with pytest.raises(ValueError, match=message):
        train(line(), LINE_X, LINE_Y, loss="mse", progress=False, **settings)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"epochs": 2.5}, "epochs must be an int, got float"),
        ({"epochs": 2.0}, r"epochs must be an int, got float: 2.0 \(int\(2.0\)\)"),
        ({"epochs": True}, "epochs must be an int, got bool"),
        ({"batch_size": 4.0}, "batch_size must be an int"),
        ({"lr": "0.1"}, "lr must be a number"),
    ],
)
def test_settings_of_the_wrong_type_raise_type_error(settings, message):
    with pytest.raises(TypeError, match=message):
        train(line(), LINE_X, LINE_Y, loss="mse", progress=False, **settings)


def test_bce_needs_probabilities_from_the_model():
    # A linear output of 3.0 is no probability: the learner forgot the sigmoid.
    model = Affine([[1.0]], [2.0])
    with pytest.raises(ValueError, match=r"probabilities in \[0, 1\].*gave 3\.0.*sigmoid"):
        train(model, [[1.0], [2.0]], [0, 1], loss="bce", progress=False)


def test_a_batch_too_big_for_the_engine_is_refused_before_training(monkeypatch):
    train_module = importlib.import_module("micrograd_ann.train")  # the name `train` is taken
    monkeypatch.setattr(train_module, "MAX_GRAPH_EDGES", 10_000)
    X, y = datasets.two_moons(100, seed=0, labels="plus_minus")
    model = MLP(2, [16, 16, 1], seed=0)  # 337 parameters × 100 rows = 33,700 edges
    before = model.state_dict()
    with pytest.raises(ValueError, match=r"the whole data set.*337 parameters.*33,700 edges.*"
                                         r"limit of 10,000.*batch_size=29"):
        train(model, X, y, loss="hinge", epochs=1, progress=False)
    assert model.state_dict() == before
    history = train(model, X, y, loss="hinge", epochs=1, batch_size=29, progress=False)
    assert history.epochs_run == 1


def test_the_wrong_width_is_caught_for_a_real_mlp():
    with pytest.raises(ValueError, match="the model takes 2 inputs"):
        train(MLP(2, [3, 1], seed=0), [[1.0, 2.0, 3.0]], [1.0], loss="mse", progress=False)


# -- progress bar ---------------------------------------------------------------------------------


class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_bar_is_off_when_stdout_is_not_a_terminal(capsys):
    train(line(), LINE_X, LINE_Y, loss="mse", epochs=3, lr=0.01)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""
    assert not progress_enabled(True, io.StringIO())
    assert not progress_enabled(False, FakeTerminal())


def test_progress_bar_shows_epoch_loss_and_accuracy_on_a_terminal(monkeypatch):
    terminal = FakeTerminal()
    monkeypatch.setattr("sys.stdout", terminal)
    assert progress_enabled(True)
    train(Affine([[0.2, -0.3]], [0.0]), POINTS, SIGNS, loss="hinge", epochs=3, lr=0.1)
    shown = terminal.getvalue()
    assert "3/3" in shown and "loss=" in shown and "accuracy=" in shown


def test_progress_false_is_silent_even_on_a_terminal(monkeypatch):
    terminal = FakeTerminal()
    monkeypatch.setattr("sys.stdout", terminal)
    train(line(), LINE_X, LINE_Y, loss="mse", epochs=2, lr=0.01, progress=False)
    assert terminal.getvalue() == ""


def test_a_model_that_does_not_return_values_is_refused_clearly() -> None:
    from micrograd_ann import Perceptron

    with pytest.raises(TypeError, match=r"Perceptron\.fit"):
        train(Perceptron(2, seed=0), [[0.0, 1.0]], [1], loss="bce", progress=False)
