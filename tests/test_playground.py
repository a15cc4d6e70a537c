"""The playground (issue 16): a page that trains in the browser with train()'s numbers.

The reference for every number the page shows is `micrograd-ann train` itself: the command is
run with the same settings and seed, and the page's `data-loss` values (the status, the loss
points) are held to its `history.json` to 1e-9. The page computes with the kit's generated
programs (`playground_kit`, `trainer.js`); this file drives the page's controls and checks the
pictures change as they should. Python-side: the arguments and the command line.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path

import pytest

from micrograd_ann import MLP, playground_page, train
from micrograd_ann.cli import main
from micrograd_ann.playground import training_playground
from micrograd_ann.playground_kit import kit_for_run
from micrograd_ann.replay import TrainingRecorder
from tests.test_pages import ARTIFACTS, OpenPage, browser  # noqa: F401  (browser: a fixture)

MEGABYTE = 1_000_000


def train_history(tmp_path: Path, *options: str) -> dict[str, list[float]]:
    """`micrograd-ann train OPTIONS --quiet --out DIR`'s history.json."""
    out = tmp_path / "run"
    assert main(["train", *options, "--quiet", "--out", str(out)]) == 0
    history: dict[str, list[float]] = json.loads((out / "history.json").read_text())
    return history


def save(tmp_path: Path, name: str = "playground.html", **settings: object) -> Path:
    path = tmp_path / name
    playground_page(**settings).save(path)  # type: ignore[arg-type]
    return path


def status_loss(opened: OpenPage) -> float:
    return float(str(opened.page.get_by_role("status").get_attribute("data-loss")))


def status_epoch(opened: OpenPage) -> int:
    return int(str(opened.page.get_by_role("status").get_attribute("data-epoch")))


def point_losses(opened: OpenPage) -> list[float]:
    """The loss points of epochs 1, 2, … (epoch 0's point is the untrained model's)."""
    pairs = opened.page.eval_on_selector_all(
        ".loss-point", "(points) => points.map((p) => [p.dataset.epoch, p.dataset.loss])"
    )
    return [float(loss) for epoch, loss in pairs if int(epoch) >= 1]


def play_to(opened: OpenPage, epoch: int) -> None:
    """Play at the fastest speed until the status says `epoch` (the page stops at its last)."""
    opened.page.get_by_label("Speed").fill("10")
    opened.click("Play")
    opened.page.wait_for_function(
        f"document.querySelector('[role=status]').dataset.epoch === '{epoch}'", timeout=20_000
    )


def assert_close_histories(got: list[float], expected: list[float]) -> None:
    assert len(got) == len(expected)
    for epoch, (page, python) in enumerate(zip(got, expected), start=1):
        assert math.isclose(page, python, rel_tol=1e-9), (epoch, page, python)


def choose(opened: OpenPage, label: str, value: str) -> None:
    opened.page.get_by_label(label, exact=True).select_option(value)


def type_in(opened: OpenPage, label: str, value: str) -> None:
    field = opened.page.get_by_label(label, exact=True)
    field.fill(value)
    field.dispatch_event("change")


# -------------------------------------------------------------------------------------------------
# The same numbers as train()
# -------------------------------------------------------------------------------------------------


@pytest.mark.browser
def test_moons_defaults_play_20_epochs_with_trains_losses(
    browser: object, tmp_path: Path  # noqa: F811
) -> None:
    """Two classes, relu, hinge, the whole data in each step (the README's main job)."""
    expected = train_history(tmp_path, "--dataset", "moons", "--epochs", "20")
    opened = OpenPage(browser, save(tmp_path, dataset="moons", epochs=20))
    play_to(opened, 20)
    assert_close_histories(point_losses(opened), expected["loss"])
    assert math.isclose(status_loss(opened), expected["loss"][-1], rel_tol=1e-9)
    accuracy = opened.status().rsplit("accuracy ", 1)[1]
    assert accuracy == f"{expected['accuracy'][-1]:.1%}"
    opened.check_clean()


@pytest.mark.browser
@pytest.mark.parametrize(
    ("dataset", "activation", "extra"),
    [
        # three classes, cross-entropy, momentum 0.9, mini-batches of 16 (spirals' defaults)
        ("spirals", "tanh", {}),
        # three classes, a sigmoid hidden layer, a mini-batch of 10 typed in, momentum 0.5
        ("blobs", "sigmoid", {"Batch size": "10", "Momentum": "0.5", "Learning rate": "0.3"}),
    ],
)
def test_settings_chosen_in_the_controls_train_as_the_command_does(
    browser: object, tmp_path: Path, dataset: str, activation: str,  # noqa: F811
    extra: dict[str, str],
) -> None:
    options = {"Batch size": "--batch-size", "Momentum": "--momentum", "Learning rate": "--lr"}
    command = ["--dataset", dataset, "--activation", activation, "--epochs", "20"]
    for label, value in extra.items():
        command += [options[label], value]
    expected = train_history(tmp_path, *command)
    opened = OpenPage(browser, save(tmp_path, epochs=20))  # opens on moons
    choose(opened, "Dataset", dataset)
    choose(opened, "Activation", activation)
    for label, value in extra.items():
        type_in(opened, label, value)
    assert status_epoch(opened) == 0
    play_to(opened, 20)
    assert_close_histories(point_losses(opened), expected["loss"])
    opened.check_clean()


# -------------------------------------------------------------------------------------------------
# Each control does what it says
# -------------------------------------------------------------------------------------------------


def network_shape(opened: OpenPage) -> tuple[str, int]:
    sizes = str(opened.page.locator("#network-caption").get_attribute("data-sizes"))
    return sizes, opened.page.locator("#network-drawing .weight").count()


@pytest.mark.browser
def test_each_control_changes_what_it_should(browser: object, tmp_path: Path) -> None:  # noqa: F811
    opened = OpenPage(browser, save(tmp_path, epochs=30))
    page = opened.page
    # Epoch 0: the untrained model, its loss over the whole data.
    assert opened.status().startswith("Epoch 0: loss ")
    first_loss = status_loss(opened)
    # Step moves one epoch.
    opened.click("Step")
    assert status_epoch(opened) == 1
    epoch_1 = status_loss(opened)
    opened.click("Step")
    assert status_epoch(opened) == 2
    assert page.locator("#epoch").get_attribute("max") == "2"
    # The slider goes back to an epoch already trained, its numbers as they were.
    page.locator("#epoch").fill("1")
    assert status_epoch(opened) == 1 and status_loss(opened) == epoch_1
    # Reset: epoch 0 and the first loss again, and the same first epoch after it.
    opened.click("Reset")
    assert status_epoch(opened) == 0 and status_loss(opened) == first_loss
    opened.click("Step")
    assert status_loss(opened) == epoch_1
    # Play becomes Pause; Pause stops.
    page.get_by_label("Speed").fill("3")  # 4 epochs a second
    opened.click("Play")
    page.get_by_role("button", name="Pause", exact=True).wait_for()
    page.wait_for_function("document.querySelector('[role=status]').dataset.epoch >= '3'")
    opened.click("Pause")
    stopped = status_epoch(opened)
    page.wait_for_timeout(700)
    assert status_epoch(opened) == stopped
    assert page.get_by_role("button", name="Play", exact=True).is_visible()
    # Show gradients: the weights are drawn from the last gradient instead of the value.
    widths = page.eval_on_selector_all(
        "#network-drawing .weight", "(lines) => lines.map((l) => l.getAttribute('stroke-width'))"
    )
    page.get_by_label("Show gradients").check()
    page.wait_for_timeout(100)
    assert "gradient" in str(page.locator("#network-caption").text_content())
    assert widths != page.eval_on_selector_all(
        "#network-drawing .weight", "(lines) => lines.map((l) => l.getAttribute('stroke-width'))"
    )
    # Focus a weight: its value, gradient and last update (the trainer's, full precision).
    weight = page.locator("#network-drawing .weight").first
    weight.focus()
    details = page.locator("#details")
    assert "value " in str(details.text_content()) and "last update " in str(
        details.text_content())
    assert "layers.0.neurons.0.w.0" in str(details.text_content())
    assert float(str(details.get_attribute("data-gradient"))) != 0.0
    page.locator("#network-drawing .neuron").first.hover()
    assert "bias" in str(details.text_content())
    # Pointing at a thin weight: the wide transparent line over it stands for it.
    page.locator("#network-drawing .hit").nth(5).dispatch_event("mouseover")
    assert "(layers.0.neurons.2.w.1)" in str(details.text_content())  # weight 5: y → L1 N3
    # Hidden layers → the network drawing; the epoch goes back to 0.
    assert network_shape(opened) == ("2-16-16-1", 2 * 16 + 16 * 16 + 16)
    choose(opened, "Hidden layers", "4")
    assert network_shape(opened) == ("2-4-1", 2 * 4 + 4)
    assert status_epoch(opened) == 0
    assert page.locator("#network-drawing canvas.picture").count() == 4
    choose(opened, "Hidden layers", "none")
    assert network_shape(opened) == ("2-1", 2)
    # Dataset → the points (and the losses that fit it, and its defaults).
    assert page.locator("#points .point").count() == 100
    choose(opened, "Dataset", "spirals")
    points = page.eval_on_selector_all("#points .point", "(ps) => ps.map((p) => p.dataset.class)")
    assert len(points) == 150 and set(points) == {"0", "1", "2"}
    assert page.get_by_label("Loss", exact=True).input_value() == "cross_entropy"
    assert page.get_by_label("Batch size", exact=True).input_value() == "16"
    colours = page.eval_on_selector_all(
        "#points .point", "(ps) => [...new Set(ps.map((p) => p.getAttribute('fill')))]"
    )
    assert sorted(colours) == sorted(["#d6604d", "#4393c3", "#2ca02c"])  # plots.CLASS_COLOURS
    # A bad number is refused with a sentence, and the page keeps working.
    type_in(opened, "Learning rate", "-1")
    assert "Learning rate -1 is not a number greater than 0" in str(
        page.locator("#problem").text_content())
    opened.screenshot("playground-controls.png")
    opened.check_clean()


@pytest.mark.browser
def test_a_run_that_diverges_stops_with_trains_message_until_reset(
    browser: object, tmp_path: Path, capsys: pytest.CaptureFixture[str]  # noqa: F811
) -> None:
    out = tmp_path / "diverged"
    assert main(["train", "--lr", "1000000", "--epochs", "3", "--quiet", "--out", str(out)]) == 1
    command_says = capsys.readouterr().err.strip().split(": error: ", 1)[1]
    opened = OpenPage(browser, save(tmp_path, epochs=3))
    type_in(opened, "Learning rate", "1000000")
    for _ in range(3):
        opened.click("Step")
    problem = str(opened.page.locator("#problem").text_content())
    assert problem.startswith("training diverged in epoch 2 of 3: the loss grew to ")
    assert problem.startswith(command_says)  # the command's words and numbers
    assert status_epoch(opened) == 1  # the failed epoch is not shown as trained
    assert len(point_losses(opened)) == 1
    opened.click("Reset")
    assert status_epoch(opened) == 0 and not opened.page.locator("#problem").is_visible()
    opened.check_clean()


@pytest.mark.browser
def test_keyboard_alone_plays_and_reads_a_weight(browser: object, tmp_path: Path) -> None:  # noqa: F811
    opened = OpenPage(browser, save(tmp_path, epochs=10))
    page = opened.page
    page.get_by_role("button", name="Step", exact=True).focus()
    page.keyboard.press("Enter")
    assert status_epoch(opened) == 1
    page.locator("#epoch").focus()
    page.keyboard.press("ArrowLeft")
    assert status_epoch(opened) == 0
    page.locator("#network-drawing .weight").nth(3).focus()
    page.keyboard.press("Tab")  # the next weight
    assert "Weight from" in str(page.locator("#details").text_content())
    opened.check_clean()


@pytest.mark.browser
def test_the_xor_demos_playground_one_layer_fails_a_hidden_layer_succeeds(
    browser: object, tmp_path: Path  # noqa: F811
) -> None:
    pytest.importorskip("matplotlib")  # the demo draws its other pictures with it
    from micrograd_ann.demos import xor

    xor.main(fast=True, out=tmp_path)
    opened = OpenPage(browser, tmp_path / "xor_playground.html")
    page = opened.page
    assert page.eval_on_selector_all(
        "#network option", "(options) => options.map((o) => o.textContent)"
    ) == ["none", "2", "8"]
    choose(opened, "Hidden layers", "none")
    play_to(opened, 100)
    # one line cannot split XOR: at most 3 of the 4 rows, whatever the settings
    assert float(str(page.locator("#trained").get_attribute("data-loss"))) > 0.1
    assert "accuracy 100.0%" not in str(page.locator("#trained").text_content())
    choose(opened, "Hidden layers", "8")
    play_to(opened, 100)
    assert "accuracy 100.0%" in str(page.locator("#trained").text_content())
    opened.check_clean()


@pytest.mark.browser
def test_the_notebook_display_trains_inside_its_iframe(
    browser: object, tmp_path: Path  # noqa: F811
) -> None:
    """`Page._repr_html_` (the sandboxed iframe a notebook shows): the trainer compiles the
    kit's programs and steps inside the sandbox, with the command's numbers."""
    expected = train_history(tmp_path, "--dataset", "xor", "--epochs", "3")
    path = tmp_path / "notebook.html"
    page_html = playground_page(dataset="xor", epochs=3)._repr_html_()
    path.write_text(f"<!DOCTYPE html><html><body>{page_html}</body></html>", encoding="utf-8")
    opened = OpenPage(browser, path)
    frame = opened.page.frame_locator("iframe")
    for epoch in (1, 2, 3):
        frame.get_by_role("button", name="Step", exact=True).click()
        loss = float(str(frame.get_by_role("status").get_attribute("data-loss")))
        assert math.isclose(loss, expected["loss"][epoch - 1], rel_tol=1e-9)
    opened.check_clean()


# -------------------------------------------------------------------------------------------------
# The report of micrograd-ann train --out
# -------------------------------------------------------------------------------------------------


@pytest.mark.browser
def test_report_shows_the_recorded_run_then_retrains_with_another_learning_rate(
    browser: object, tmp_path: Path  # noqa: F811
) -> None:
    out = tmp_path / "report-run"
    assert main(["train", "--dataset", "circles", "--epochs", "12", "--quiet",
                 "--out", str(out)]) == 0
    recorded = json.loads((out / "history.json").read_text())
    opened = OpenPage(browser, out / "report.html")
    page = opened.page
    # The recorded run first: its last epoch, the slider over every epoch of it.
    assert status_epoch(opened) == 12
    assert status_loss(opened) == recorded["loss"][-1]  # exactly: written by Python
    assert "recorded run" in opened.status()
    # The network drawn, after the last step: the trained network's own numbers.
    drawn = float(str(page.locator("#trained").get_attribute("data-loss")))
    assert math.isclose(drawn, recorded["final_loss"], rel_tol=1e-9)
    assert page.locator("#epoch").get_attribute("max") == "12"
    page.locator("#epoch").fill("5")
    assert status_epoch(opened) == 5 and status_loss(opened) == recorded["loss"][4]
    # Then another learning rate: trained in the page, as the command trains it.
    expected = train_history(tmp_path, "--dataset", "circles", "--epochs", "12", "--lr", "0.2")
    type_in(opened, "Learning rate", "0.2")
    assert status_epoch(opened) == 0 and "recorded" not in opened.status()
    play_to(opened, 12)
    assert_close_histories(point_losses(opened), expected["loss"])
    opened.screenshot("playground-report.png")
    opened.check_clean()
    assert opened.requests == [(out / "report.html").resolve().as_uri()]  # nothing else


@pytest.mark.browser
def test_without_javascript_the_report_shows_the_runs_final_pictures(
    browser: object, tmp_path: Path  # noqa: F811
) -> None:
    out = tmp_path / "report-run"
    assert main(["train", "--dataset", "xor", "--epochs", "20", "--quiet",
                 "--out", str(out)]) == 0
    recorded = json.loads((out / "history.json").read_text())
    context = browser.new_context(java_script_enabled=False)  # type: ignore[attr-defined]
    page = context.new_page()
    page.goto((out / "report.html").resolve().as_uri())
    status = str(page.get_by_role("status").text_content())
    assert status.startswith("Epoch 20 of 20: loss ")  # the trained network's, as the replay
    assert f"loss {recorded['final_loss']:.4f}" in status
    for picture in ("loss curve", "decision boundary", "network weights"):
        assert page.get_by_role("img", name=picture).is_visible()
    assert not page.get_by_role("button", name="Play").is_visible()
    plain = tmp_path / "plain.html"
    playground_page(dataset="xor").save(plain)
    page.goto(plain.resolve().as_uri())
    assert "it needs JavaScript" in str(page.locator("body").text_content())
    context.close()


# -------------------------------------------------------------------------------------------------
# Phone size, size and speed
# -------------------------------------------------------------------------------------------------


@pytest.mark.browser
def test_phone_size_has_no_sideways_scroll_and_the_controls_are_reachable(
    browser: object, tmp_path: Path  # noqa: F811
) -> None:
    opened = OpenPage(browser, save(tmp_path, epochs=20), phone=True)
    page = opened.page
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 390
    for name in ("Play", "Step", "Reset"):
        button = page.get_by_role("button", name=name, exact=True)
        button.scroll_into_view_if_needed()
        box = button.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    for label in ("Dataset", "Hidden layers", "Activation", "Loss", "Learning rate",
                  "Momentum", "Batch size", "Speed"):
        box = page.get_by_label(label, exact=True).bounding_box()
        assert box is not None and box["x"] + box["width"] <= 390, label
    page.get_by_role("button", name="Step", exact=True).tap()
    assert page.get_by_role("status").get_attribute("data-epoch") == "1"
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 390
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "playground-phone.png"), full_page=True)
    opened.check_clean()
    opened.close()


def opens(launched: object, path: Path) -> None:
    """The page opens from file:// and its script runs (the open time is measured in
    benchmarks/playground_page.py, not here)."""
    page = launched.new_page()  # type: ignore[attr-defined]
    page.goto(path.resolve().as_uri(), wait_until="load")
    assert page.get_by_role("button", name="Play").is_visible()  # the script has run
    page.close()


@pytest.mark.browser
def test_sizes_and_100_epochs_played_with_drawing(browser: object, tmp_path: Path) -> None:  # noqa: F811
    default = save(tmp_path)
    assert default.stat().st_size < 3 * MEGABYTE
    opens(browser, default)
    # The README's main job, its report.html.
    out = tmp_path / "moons-run"
    assert main(["train", "--dataset", "moons", "--layers", "16,16", "--activation", "relu",
                 "--loss", "hinge", "--epochs", "100", "--lr", "0.5", "--quiet",
                 "--out", str(out)]) == 0
    report = out / "report.html"
    assert report.stat().st_size < 3 * MEGABYTE
    opens(browser, report)
    # 100 epochs of 2-16-16-1 on 100 moons at the fastest speed, drawn as they go, reach
    # epoch 100 with no error (how long they take: benchmarks/playground_page.py).
    opened = OpenPage(browser, default)
    opened.page.get_by_label("Speed").fill("10")
    opened.page.evaluate("""() => new Promise((resolve) => {
        const status = document.querySelector('[role=status]');
        new MutationObserver(() => {
            if (status.dataset.epoch === '100') resolve();
        }).observe(status, {attributes: true});
        document.getElementById('play').click();
    })""")
    opened.check_clean()


# -------------------------------------------------------------------------------------------------
# Python: arguments, the report's run, the command line
# -------------------------------------------------------------------------------------------------


def test_the_page_holds_every_control_and_fetches_nothing() -> None:
    document = playground_page(dataset="blobs", layers=[8], title="Blobs <3").html
    for label in ("Dataset", "Hidden layers", "Activation", "Loss", "Learning rate", "Momentum",
                  "Batch size", "Speed", "Show gradients", "Epoch"):
        assert f">{label}</label>" in document, label
    assert 'role="status"' in document
    assert "<title>Blobs &lt;3</title>" in document
    for outside in ("http://", "https://", "src=", "@import", "fetch("):
        assert outside not in document.replace("http://www.w3.org/", ""), outside


@pytest.mark.parametrize(
    ("settings", "error", "words"),
    [
        ({"dataset": "digits"}, ValueError, "unknown dataset 'digits'"),
        ({"dataset": "spirals", "loss": "hinge"}, ValueError, "does not fit spirals"),
        ({"activation": "linear"}, ValueError, "unknown activation 'linear'"),
        ({"lr": -0.1}, ValueError, "lr"),
        ({"layers": "16,16"}, TypeError, "list of hidden-layer sizes"),
        ({"epochs": 0}, ValueError, "epochs"),
    ],
)
def test_bad_settings_are_refused_naming_them(
    settings: dict[str, object], error: type[Exception], words: str
) -> None:
    with pytest.raises(error, match=words):
        playground_page(**settings)  # type: ignore[arg-type]


def test_a_report_of_another_run_than_the_recorders_is_refused() -> None:
    model = MLP(2, [4, 1], seed=0)
    recorder = TrainingRecorder(model, epochs=3)
    X, y = [[0.0, 0.0], [1.0, 1.0]], [-1.0, 1.0]
    train(model, X, y, loss="hinge", epochs=3, progress=False, callbacks=[recorder])
    other = train(MLP(2, [4, 1], seed=1), X, y, loss="hinge", epochs=2, progress=False)
    kit = kit_for_run(dataset="xor", layers=[4], activation="relu", loss="hinge", lr=0.1,
                      momentum=0.0, batch_size=None, epochs=3, seed=0)
    with pytest.raises(ValueError, match="the recorder saw 3 epochs but the history has 2"):
        training_playground(model, other, recorder, kit=kit, X=X, y=y, labels=[0, 1])


@pytest.fixture()
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.chdir(tmp_path)
    yield tmp_path


def test_the_command_writes_the_page_on_the_settings_given(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["playground", "--dataset", "spirals", "--layers", "8,8", "--activation",
                 "tanh", "--lr", "0.1", "--momentum", "0.5", "--batch-size", "30",
                 "--epochs", "40", "--seed", "3", "--out", "spirals.html"]) == 0
    assert capsys.readouterr().out == "wrote spirals.html\n"
    document = (in_tmp / "spirals.html").read_text(encoding="utf-8")
    data = document.split('<script type="application/json" id="playground-data">')[1]
    kit = json.loads(data.split("</script>")[0])["kit"]
    chosen = {
        "dataset": "spirals", "layers": [8, 8], "network": "8,8", "activation": "tanh",
        "loss": "cross_entropy", "lr": 0.1, "momentum": 0.5, "batchSize": 30, "epochs": 40,
        "seed": 3,
    }
    assert {key: kit["settings"][key] for key in chosen} == chosen


@pytest.mark.parametrize(
    ("arguments", "status", "words"),
    [
        (["--dataset", "digits"], 2, "--dataset: invalid choice: 'digits'"),
        (["--dataset", "blobs", "--loss", "bce"], 2, "does not fit blobs"),
        (["--lr", "0"], 2, "--lr '0' is not a finite number greater than 0"),
        (["--out", "page.txt"], 2, "must end in .html"),
        (["--layers", "16,65"], 2, "--layers 16,65: the playground draws every neuron, so each "
                                   "hidden layer has at most 64"),
        (["--out", "missing/page.html"], 1, "there is no folder missing"),
    ],
)
def test_the_commands_errors_are_one_line(
    in_tmp: Path, capsys: pytest.CaptureFixture[str], arguments: list[str], status: int,
    words: str,
) -> None:
    if "--out" not in arguments:
        arguments = [*arguments, "--out", "page.html"]
    assert exit_status(["playground", *arguments]) == status
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and words in error, error
    assert not (in_tmp / "page.html").exists()


def exit_status(arguments: list[str]) -> int:
    """main's status, or the status argparse exits with (a usage error)."""
    try:
        return main(arguments)
    except SystemExit as exit:
        return int(str(exit.code))


def test_train_keeps_the_replay_where_the_playground_cannot_train_as_the_run_did(
    in_tmp: Path,
) -> None:
    for options, expected in (
        (["--dataset", "line", "--epochs", "2"], "Training replay: line"),
        (["--dataset", "xor", "--epochs", "2", "--optimizer", "adam"], "Training replay: xor"),
        (["--dataset", "xor", "--epochs", "2"], "Training report: xor"),
    ):
        out = in_tmp / options[1] / options[-1]
        assert main(["train", *options, "--quiet", "--out", str(out)]) == 0
        document = (out / "report.html").read_text(encoding="utf-8")
        assert f"<title>{expected}</title>" in document
        assert ("playground-data" in document) == expected.startswith("Training report")


def test_recorded_snapshots_every_epoch_the_first_exactly(in_tmp: Path) -> None:
    out = in_tmp / "run"
    assert main(["train", "--dataset", "xor", "--epochs", "5", "--quiet", "--out",
                 str(out)]) == 0
    document = (out / "report.html").read_text(encoding="utf-8")
    data = document.split('<script type="application/json" id="playground-data">')[1]
    payload = json.loads(data.split("</script>")[0])
    recorded = payload["recorded"]
    history = json.loads((out / "history.json").read_text())
    assert recorded["epochs"] == [0, 1, 2, 3, 4, 5]
    assert recorded["loss"] == history["loss"]
    initial = payload["kit"]["parameters"][payload["kit"]["models"]["8|relu|1|linear"]
                                           ["parameters"]]
    assert recorded["params"][0] == initial  # before training: MLP(..., seed=0), exactly
    assert len(recorded["params"][5]) == len(initial)


def test_a_wide_networks_report_keeps_fewer_snapshots() -> None:
    from micrograd_ann.playground import RECORDED_NUMBERS, recorded_snapshots

    assert recorded_snapshots(MLP(2, [16, 16, 1], seed=0)) == 178  # 60,000 // 337: all of 100
    wide = MLP(2, [64, 64, 1], seed=0)  # 4,353 parameters
    assert recorded_snapshots(wide) == RECORDED_NUMBERS // 4353 == 13
    assert recorded_snapshots(MLP(2, [64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 1],
                                  seed=0)) == 2
