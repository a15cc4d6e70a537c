"""Benchmarks: micrograd_ann against micrograd 0.1.0 and against hand-written float code.

Run by hand with `bash benchmarks/run.sh` (it makes the benchmark's own venv with micrograd
0.1.0). Every measurement runs in a fresh child process, so one engine's garbage never slows
another's, and all of them run in one invocation so the ratios compare like with like.

Workload A: one full-batch gradient step of micrograd's demo network — MLP 2-16-16-1 (ReLU
hidden, linear output), 100 two-moons points, mean hinge loss.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import random
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

REPEATS = 5
SIZES = (2, 16, 16, 1)


def two_moons(count: int = 100, seed: int = 1) -> tuple[list[list[float]], list[int]]:
    """Two interleaved half circles, labels ±1 (the shape of micrograd's demo data)."""
    rng = random.Random(seed)
    points, labels = [], []
    for index in range(count):
        angle = math.pi * rng.random()
        if index % 2:
            points.append([math.cos(angle), math.sin(angle)])
            labels.append(-1)
        else:
            points.append([1.0 - math.cos(angle), 0.5 - math.sin(angle)])
            labels.append(1)
    return points, labels


def initial_weights(seed: int = 0) -> list[list[tuple[list[float], float]]]:
    """Per layer, per neuron: (weights, bias) as floats, shared by every implementation."""
    rng = random.Random(seed)
    return [
        [([rng.uniform(-1, 1) for _ in range(nin)], 0.0) for _ in range(nout)]
        for nin, nout in itertools.pairwise(SIZES)
    ]


# ---------------------------------------------------------------------------------------------
# Workload A written at the Value level: the same code runs on either engine's Value class.
# ---------------------------------------------------------------------------------------------


def value_level_step(value_class: Any, layers: Any, points: Any, labels: Any) -> float:
    def forward(x: Any) -> Any:
        for depth, layer in enumerate(layers):
            outputs = []
            for weights, bias in layer:
                activation = sum((w * xi for w, xi in zip(weights, x)), bias)
                outputs.append(activation.relu() if depth < len(layers) - 1 else activation)
            x = outputs
        return x[0]

    scores = [forward(x) for x in points]
    losses = [(1 + -label * score).relu() for label, score in zip(labels, scores)]
    loss = sum(losses) * (1.0 / len(losses))
    for layer in layers:
        for weights, bias in layer:
            for parameter in [*weights, bias]:
                parameter.grad = 0.0
    loss.backward()
    return float(loss.data)


def value_layers(value_class: Any) -> Any:
    return [
        [([value_class(w) for w in weights], value_class(bias)) for weights, bias in layer]
        for layer in initial_weights()
    ]


def micrograd_step() -> Callable[[], float]:
    from micrograd.engine import Value as MicrogradValue

    layers = value_layers(MicrogradValue)
    points, labels = two_moons()
    return lambda: value_level_step(MicrogradValue, layers, points, labels)


def ours_value_level_step() -> Callable[[], float]:
    from micrograd_ann import Value

    layers = value_layers(Value)
    points, labels = two_moons()
    return lambda: value_level_step(Value, layers, points, labels)


def ours_dot_step() -> Callable[[], float]:
    """The same step, each neuron's Σ w·x + b one `Value.dot` node, the losses one `Value.sum`."""
    from micrograd_ann import Value

    layers = value_layers(Value)
    points, labels = two_moons()

    def step() -> float:
        loss = dot_loss(layers, points, labels)
        for layer in layers:
            for weights, bias in layer:
                for parameter in [*weights, bias]:
                    parameter.grad = 0.0
        loss.backward()
        return loss.data

    return step


def ours_train_step(compiled: bool = True) -> Callable[[], float]:
    """Workload A the way a user writes it: `train(..., epochs=1)` on an MLP.

    With `compiled=False` it is the graph path (one `Value` per node), as before generated code.
    """
    from micrograd_ann import MLP, train

    model = MLP(2, [16, 16, 1], seed=0)
    for (_, parameter), value in zip(
        model.named_parameters(),
        [v for layer in initial_weights() for weights, bias in layer for v in (*weights, bias)],
    ):
        parameter.data = value
    points, labels = two_moons()

    def step() -> float:
        history = train(model, points, labels, loss="hinge", epochs=1, lr=0.05, progress=False,
                        compiled=compiled)
        return history.loss[-1]

    return step


def dot_loss(layers: Any, points: Any, labels: Any) -> Any:
    """Workload A's mean hinge loss written with `Value.dot`, as a function of the parameters."""
    from micrograd_ann import Value

    last = len(layers) - 1
    scores = []
    for x in points:
        for depth, layer in enumerate(layers):
            x = [
                Value.dot(weights, x, bias).relu() if depth < last else
                Value.dot(weights, x, bias)
                for weights, bias in layer
            ]
        scores.append(x[0])
    loss = Value.sum((1 - label * score).relu() for label, score in zip(labels, scores))
    return loss * (1.0 / len(scores))


def loss_of_parameters(points: Any, labels: Any) -> Callable[..., Any]:
    shapes = [[len(weights) for weights, _ in layer] for layer in initial_weights()]

    def loss(*parameters: Any) -> Any:
        remaining = iter(parameters)
        layers = [
            [([next(remaining) for _ in range(width)], next(remaining)) for width in layer]
            for layer in shapes
        ]
        return dot_loss(layers, points, labels)

    return loss


def flat_parameters() -> list[float]:
    return [v for layer in initial_weights() for weights, bias in layer for v in (*weights, bias)]


def ours_compiled_gradient_step() -> Callable[[], float]:
    """Workload A's loss and gradient by `compile_gradient` (compiled once, outside the timing)."""
    from micrograd_ann import compile_gradient

    points, labels = two_moons()
    compiled = compile_gradient(loss_of_parameters(points, labels), flat_parameters())
    parameters = flat_parameters()
    return lambda: compiled(*parameters)[0]


def float_step() -> Callable[[], float]:
    """Hand-written pure-Python floats: forward, then the chain rule written out by hand."""
    layers = initial_weights()
    points, labels = two_moons()
    last = len(layers) - 1

    def step() -> float:
        gradients = [[[[0.0] * len(w), 0.0] for w, _ in layer] for layer in layers]
        total = 0.0
        for x, label in zip(points, labels):
            activations = [x]
            pre_activations = []
            for depth, layer in enumerate(layers):
                inputs = activations[-1]
                pre = [
                    sum(w * v for w, v in zip(weights, inputs)) + bias for weights, bias in layer
                ]
                pre_activations.append(pre)
                activations.append(pre if depth == last else [p if p > 0 else 0.0 for p in pre])
            margin = 1.0 - label * activations[-1][0]
            if margin <= 0.0:
                continue
            total += margin
            upstream = [-label / len(points)]
            for depth in range(last, -1, -1):
                if depth < last:
                    upstream = [
                        g if p > 0 else 0.0 for g, p in zip(upstream, pre_activations[depth])
                    ]
                inputs = activations[depth]
                below = [0.0] * len(inputs)
                for (weights, _), gradient, g in zip(layers[depth], gradients[depth], upstream):
                    weight_gradient = gradient[0]
                    for index, v in enumerate(inputs):
                        weight_gradient[index] += g * v
                        below[index] += g * weights[index]
                    gradient[1] += g
                upstream = below
        return total / len(points)

    return step


def run_step(name: str) -> dict[str, float]:
    factories = {
        "micrograd": micrograd_step,
        "ours_value_level": ours_value_level_step,
        "ours_dot": ours_dot_step,
        "ours_train_graph": lambda: ours_train_step(compiled=False),
        "ours_train": ours_train_step,
        "ours_compiled_gradient": ours_compiled_gradient_step,
        "floats": float_step,
    }
    step = factories[name]()
    step()  # warm-up
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return {"seconds": statistics.median(times)}


# ---------------------------------------------------------------------------------------------
# Deep chain and memory
# ---------------------------------------------------------------------------------------------


def run_chain(length: int = 1_000_000) -> dict[str, float]:
    from micrograd_ann import Value

    x = Value(0.5, label="x")
    start = time.perf_counter()
    y = x
    for _ in range(length):
        y = y * 1.0000001
    forward = time.perf_counter() - start
    start = time.perf_counter()
    y.backward()
    backward = time.perf_counter() - start
    expected = 1.0000001**length
    return {
        "forward_seconds": forward,
        "backward_seconds": backward,
        "gradient_relative_error": abs(x.grad - expected) / expected,
    }


def run_micrograd_chain(length: int = 2_000) -> dict[str, Any]:
    from micrograd.engine import Value as MicrogradValue

    y = MicrogradValue(0.5)
    for _ in range(length):
        y = y * 1.0000001
    try:
        y.backward()
    except RecursionError as error:
        return {"length": length, "result": f"RecursionError: {error}"}
    return {"length": length, "result": "ok"}


def run_memory(engine: str, count: int = 100_000) -> dict[str, float]:
    if engine == "micrograd":
        from micrograd.engine import Value as ValueClass
    else:
        from micrograd_ann import Value as ValueClass
    x, y = ValueClass(1.5), ValueClass(2.5)
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    nodes = [x * y for _ in range(count)]
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    list_bytes = sys.getsizeof(nodes)
    return {"bytes_per_node": (after - before - list_bytes) / count}


# ---------------------------------------------------------------------------------------------
# The Value-level step against micrograd, interleaved in one process, and what the cycle
# collector does (issue 17)
# ---------------------------------------------------------------------------------------------


def value_class(engine: str) -> Any:
    if engine == "micrograd":
        from micrograd.engine import Value as MicrogradValue

        return MicrogradValue
    from micrograd_ann import Value

    return Value


def bytes_per_constant_product(engine: str, count: int = 100_000) -> float:
    """tracemalloc bytes per `x * 2.0` node: the node, the constant made of 2.0, their tuples."""
    x = value_class(engine)(1.5)
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    nodes = [x * 2.0 for _ in range(count)]
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return (after - before - sys.getsizeof(nodes)) / count


def tracked_objects_per_node(engine: str, count: int = 10_000) -> dict[str, float]:
    """Objects the cycle collector is told about per `x * 2.0` node: allocated (each one counts
    towards the next generation-0 collection) and still tracked after a collection (what every
    full collection walks while the graph is alive)."""
    import gc

    x = value_class(engine)(1.5)
    gc.collect()
    gc.disable()
    try:
        tracked_before = len(gc.get_objects())
        allocated_before = gc.get_count()[0]
        nodes = [x * 2.0 for _ in range(count)]
        allocated = gc.get_count()[0] - allocated_before - 1  # the list itself
        gc.collect()
        tracked = len(gc.get_objects()) - tracked_before - 1
    finally:
        gc.enable()
    del nodes
    return {"allocated": allocated / count, "tracked_after_collection": tracked / count}


def collections_per_step(step: Callable[[], float], steps: int = 5) -> dict[str, float]:
    """Cycle-collector runs per step and the seconds they take, per generation (gc.callbacks)."""
    import gc

    runs = [0, 0, 0]
    seconds = [0.0, 0.0, 0.0]
    started = [0.0]

    def watch(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            started[0] = time.perf_counter()
        else:
            runs[info["generation"]] += 1
            seconds[info["generation"]] += time.perf_counter() - started[0]

    gc.callbacks.append(watch)
    try:
        for _ in range(steps):
            step()
    finally:
        gc.callbacks.remove(watch)
    figures = {f"gen{generation}_runs": runs[generation] / steps for generation in range(3)}
    figures |= {f"gen{g}_ms": seconds[g] * 1000 / steps for g in range(3)}
    return figures


def serve_steps(engine: str) -> None:
    """A child process that times one Value-level step per line read from stdin, in CPU
    seconds of this process (`time.process_time`): on a machine shared with other work that
    moves far less than wall-clock time."""
    step = micrograd_step() if engine == "micrograd" else ours_value_level_step()
    step()  # warm-up
    for command in sys.stdin:
        if command.strip() == "figures":
            figures = {"collector": collections_per_step(step),
                       "tracked": tracked_objects_per_node(engine),
                       "bytes": bytes_per_constant_product(engine)}
            print(json.dumps(figures), flush=True)
            continue
        start = time.process_time()
        step()
        print(time.process_time() - start, flush=True)


def value_level_rounds(
    rounds: int = 5, repeats: int = 3, baseline: Path | None = None
) -> dict[str, Any]:
    """The Value-level step (identical code) on both engines, alternated step by step.

    Each engine lives in its own child process for the whole run (so neither inherits the
    other's garbage: micrograd's graphs are reference cycles, freed only by the collector), and
    the parent asks them in turn for one step, so all see the same machine load. The collector
    stays on, as in user code. A round is the median of `repeats` steps of each. With
    `baseline` (the root of another checkout of this project, e.g. a `git worktree` of an older
    commit), its engine runs as a third process, "ours_before", in the same rounds.
    """
    engines = {"micrograd": None, "ours": None}
    if baseline is not None:
        engines["ours_before"] = baseline
    children = {}
    for engine, root in engines.items():
        environment = dict(os.environ)
        if root is not None:  # the older checkout's package, imported first
            environment["PYTHONPATH"] = os.pathsep.join(
                [str(root), environment.get("PYTHONPATH", "")]
            )
        children[engine] = subprocess.Popen(
            [sys.executable, __file__, "--serve", "micrograd" if engine == "micrograd" else "ours"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=environment,
        )

    def ask(engine: str, command: str) -> str:
        child = children[engine]
        assert child.stdin is not None and child.stdout is not None
        child.stdin.write(command + "\n")
        child.stdin.flush()
        return child.stdout.readline()

    results: dict[str, Any] = {"rounds": []}
    try:
        for _ in range(rounds):
            times: dict[str, list[float]] = {engine: [] for engine in engines}
            for _ in range(repeats):
                for engine in times:
                    times[engine].append(float(ask(engine, "step")))
            medians = {engine: statistics.median(seconds) for engine, seconds in times.items()}
            results["rounds"].append(medians)
        for engine in children:
            results[engine] = json.loads(ask(engine, "figures"))
    finally:
        for child in children.values():
            if child.stdin is not None:
                child.stdin.close()
            child.wait()
    for engine in engines:
        if engine != "micrograd":
            results[f"median_ratio_{engine}"] = statistics.median(
                medians["micrograd"] / medians[engine] for medians in results["rounds"]
            )
    return results


def print_value_level_rounds(results: dict[str, Any]) -> None:
    print("Value-level step (micrograd's demo code on both engines), alternated step by step, "
          "CPU time")
    engines = [engine for engine in results["rounds"][0] if engine != "micrograd"]
    for index, medians in enumerate(results["rounds"]):
        print(f"  round {index}: micrograd {medians['micrograd'] * 1000:7.1f} ms, " + ", ".join(
            f"{engine} {medians[engine] * 1000:6.1f} ms = "
            f"{medians['micrograd'] / medians[engine]:5.1f}x" for engine in engines))
    print("  median ratio of the rounds: " + ", ".join(
        f"{engine} {results[f'median_ratio_{engine}']:.1f}x" for engine in engines))
    for engine in ("micrograd", *engines):
        collector, tracked = results[engine]["collector"], results[engine]["tracked"]
        print(f"  {engine:11}: per x * 2.0 node {tracked['allocated']:.1f} tracked allocations, "
              f"{tracked['tracked_after_collection']:.1f} still tracked after a collection, "
              f"{results[engine]['bytes']:.0f} B")
        print("               per step, collections "
              + ", ".join(f"gen{g} {collector[f'gen{g}_runs']:.1f} "
                          f"({collector[f'gen{g}_ms']:.1f} ms)" for g in range(3)))


# ---------------------------------------------------------------------------------------------
# Networks (issue 3): digits within 60 s, and inference under no_grad
# ---------------------------------------------------------------------------------------------

DIGITS_BUDGET_SECONDS = 60.0


def digits_split() -> tuple[Any, Any, Any, Any]:
    from micrograd_ann import datasets

    X, y = datasets.digits()
    X_train, X_test, y_train, y_test = datasets.train_test_split(
        X, y, test_fraction=0.25, seed=0, stratify=True
    )
    X_train, mean, std = datasets.standardize(X_train)
    X_test, _, _ = datasets.standardize(X_test, mean, std)
    return X_train, X_test, y_train, y_test


def run_compile_times() -> dict[str, float]:
    """Seconds to generate and compile: the moons network's program (what `train` makes once),
    workload A's whole loss by `compile_gradient`, and chains of 10,000 and 100,000 nodes."""
    from micrograd_ann import MLP, compile_gradient
    from micrograd_ann.compile import model_program

    def timed(action: Callable[[], object]) -> float:
        start = time.perf_counter()
        action()
        return time.perf_counter() - start

    def chain(nodes: int) -> Callable[[Any, Any], Any]:
        def f(x: Any, y: Any) -> Any:
            for _ in range(nodes // 2):
                x = (x * y).tanh()
            return x

        return f

    points, labels = two_moons()
    figures = {
        "moons_network": timed(lambda: model_program(MLP(2, [16, 16, 1], seed=0))),
        "workload_a_loss": timed(
            lambda: compile_gradient(loss_of_parameters(points, labels), flat_parameters())
        ),
    }
    for nodes in (10_000, 100_000):
        figures[f"chain_{nodes}"] = timed(partial(compile_gradient, chain(nodes), [0.5, 0.9]))
    return figures


def run_digits(compiled: bool = True) -> dict[str, Any]:
    """MLP(64, [32, 10]), cross-entropy, mini-batches of 32, SGD with momentum, on a 75/25 split.

    Trains epoch by epoch until 60 s of training have passed; reports the test accuracy after
    each epoch and when 95% was first reached. Validation is timed separately, not counted.
    """
    from micrograd_ann import MLP, SGD, train
    from micrograd_ann.optim import LinearDecay
    from micrograd_ann.train import evaluate

    X_train, X_test, y_train, y_test = digits_split()
    epochs = 10
    batches = -(-len(X_train) // 32)
    model = MLP(64, [32, 10], seed=0)
    optimizer = SGD(model.parameters(), lr=LinearDecay(0.05, 0.0025, epochs * batches),
                    momentum=0.9)
    training_seconds = 0.0
    curve = []
    for epoch in range(epochs):
        start = time.perf_counter()
        train(model, X_train, y_train, loss="cross_entropy", epochs=1, batch_size=32,
              seed=epoch, optimizer=optimizer, progress=False, compiled=compiled)
        training_seconds += time.perf_counter() - start
        _, accuracy = evaluate(model, X_test, y_test, loss="cross_entropy")
        curve.append({"epoch": epoch + 1, "seconds": training_seconds, "accuracy": accuracy})
        if training_seconds > DIGITS_BUDGET_SECONDS:
            break
    reached = next((point for point in curve if point["accuracy"] >= 0.95), None)
    return {"curve": curve, "reached_95": reached}


def run_digits_sklearn() -> dict[str, Any]:
    """scikit-learn's MLPClassifier on the same split: the same SGD settings, and its default."""
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    X_train, X_test, y_train, y_test = digits_split()
    results = {}
    settings = {
        "sgd_same_settings": {"solver": "sgd", "learning_rate_init": 0.05, "momentum": 0.9,
                              "nesterovs_momentum": False, "batch_size": 32, "max_iter": 10},
        "adam_default": {"max_iter": 200},
    }
    for name, options in settings.items():
        classifier = MLPClassifier(hidden_layer_sizes=(32,), random_state=0, **options)
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            classifier.fit(X_train, y_train)
        seconds = time.perf_counter() - start
        results[name] = {"seconds": seconds, "accuracy": classifier.score(X_test, y_test)}
    return results


def run_inference() -> dict[str, float]:
    """Forward passes of MLP 2-16-16-1 over 100 points: building the graph vs under no_grad."""
    from micrograd_ann import MLP, no_grad

    model = MLP(2, [16, 16, 1], seed=0)
    points, _ = two_moons()

    def forward() -> None:
        for x in points:
            model(x)

    def timed(repeats: int = 9) -> float:
        forward()
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            forward()
            times.append(time.perf_counter() - start)
        return statistics.median(times)

    graph = timed()
    with no_grad():
        inference = timed()
    return {"graph_seconds": graph, "no_grad_seconds": inference}


CHILDREN: dict[str, Callable[[], dict[str, Any]]] = {
    "step:micrograd": lambda: run_step("micrograd"),
    "step:ours_value_level": lambda: run_step("ours_value_level"),
    "step:ours_dot": lambda: run_step("ours_dot"),
    "step:ours_train_graph": lambda: run_step("ours_train_graph"),
    "step:ours_train": lambda: run_step("ours_train"),
    "step:ours_compiled_gradient": lambda: run_step("ours_compiled_gradient"),
    "step:floats": lambda: run_step("floats"),
    "chain:ours": run_chain,
    "chain:micrograd": run_micrograd_chain,
    "memory:ours": lambda: run_memory("ours"),
    "memory:micrograd": lambda: run_memory("micrograd"),
    "inference:ours": run_inference,
    "compile:times": lambda: run_compile_times(),
    "digits:ours": run_digits,
    "digits:graph": lambda: run_digits(compiled=False),
    "digits:sklearn": run_digits_sklearn,
}


def run_steps(name: str, count: int) -> dict[str, Any]:
    """Build a workload and run `count` steps (for instruction counting under callgrind)."""
    factories = {"ours_train": ours_train_step, "floats": float_step, "ours_dot": ours_dot_step}
    step = factories[name]()
    for _ in range(count):
        step()
    return {}


def instructions_per_step(name: str) -> float:
    """Instructions of one step, counted by callgrind: (3 steps − 1 step) / 2, so the set-up
    cancels out. Unlike seconds, the count does not move with the machine's load."""
    counts = []
    for steps in (1, 3):
        completed = subprocess.run(
            ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable,
             __file__, "--steps", name, str(steps)],
            capture_output=True, text=True, check=True,
        )
        collected = [line for line in completed.stderr.splitlines() if "Collected" in line]
        counts.append(int(collected[-1].split(":")[-1].strip()))
    return (counts[1] - counts[0]) / 2


def measure(name: str) -> dict[str, Any]:
    completed = subprocess.run(
        [sys.executable, __file__, "--child", name], capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        return {"error": completed.stderr.strip().splitlines()[-1:]}
    result: dict[str, Any] = json.loads(completed.stdout)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", choices=sorted(CHILDREN), help=argparse.SUPPRESS)
    parser.add_argument("--steps", nargs=2, metavar=("WORKLOAD", "COUNT"), help=argparse.SUPPRESS)
    parser.add_argument("--json", type=Path, help="also write the raw figures to this file")
    parser.add_argument(
        "--instructions", action="store_true",
        help="count instructions per step with valgrind instead (slow, but load-independent)",
    )
    parser.add_argument("--serve", choices=("micrograd", "ours"), help=argparse.SUPPRESS)
    parser.add_argument(
        "--value-level", action="store_true",
        help="only the Value-level step against micrograd, alternated in one process, with "
        "the cycle collector's figures (about a minute)",
    )
    parser.add_argument(
        "--baseline", type=Path, metavar="CHECKOUT",
        help="with --value-level: also run the engine of this other checkout (e.g. a git "
        "worktree of an older commit) in the same rounds",
    )
    arguments = parser.parse_args()
    if arguments.child:
        print(json.dumps(CHILDREN[arguments.child]()))
        return
    if arguments.steps:
        run_steps(arguments.steps[0], int(arguments.steps[1]))
        return
    if arguments.serve:
        serve_steps(arguments.serve)
        return
    if arguments.value_level:
        print_value_level_rounds(value_level_rounds(baseline=arguments.baseline))
        return
    if arguments.instructions:
        counts = {name: instructions_per_step(name) for name in ("floats", "ours_train")}
        print("Workload A, instructions per step (callgrind)")
        for name, count in counts.items():
            print(f"  {name:12} {count / 1e6:7.1f} M   {count / counts['floats']:5.2f}x the floats")
        return

    results = {name: measure(name) for name in CHILDREN}
    step = {name.split(":")[1]: results[name].get("seconds") for name in results if "step:" in name}
    print("Workload A: one full-batch step, MLP 2-16-16-1, 100 moons, mean hinge (median of 5)")
    for name, seconds in step.items():
        if seconds is None:
            print(f"  {name:18} failed: {results['step:' + name]['error']}")
            continue
        line = f"  {name:18} {seconds * 1000:9.1f} ms"
        if step.get("micrograd"):
            line += f"   {step['micrograd'] / seconds:6.1f}x faster than micrograd"
        if step.get("floats"):
            line += f"   {seconds / step['floats']:5.2f}x the hand-written float code"
        print(line)
    chain = results["chain:ours"]
    print("Deep chain: 1,000,000 multiplications")
    print(
        f"  forward {chain['forward_seconds']:.2f} s, backward {chain['backward_seconds']:.2f} s "
        f"= {chain['backward_seconds'] / chain['forward_seconds']:.2f}x the forward; "
        f"gradient relative error {chain['gradient_relative_error']:.1e}"
    )
    print(f"  micrograd, {results['chain:micrograd']['length']} deep: "
          f"{results['chain:micrograd']['result'][:60]}")
    ours, theirs = results["memory:ours"], results["memory:micrograd"]
    print("Memory per binary-op node (x * y, tracemalloc)")
    print(
        f"  micrograd_ann {ours['bytes_per_node']:.0f} B, "
        f"micrograd {theirs['bytes_per_node']:.0f} B "
        f"({theirs['bytes_per_node'] / ours['bytes_per_node']:.1f}x smaller)"
    )
    inference = results["inference:ours"]
    print("Inference: forward over 100 points, MLP 2-16-16-1")
    print(
        f"  building the graph {inference['graph_seconds'] * 1000:.1f} ms, under no_grad "
        f"{inference['no_grad_seconds'] * 1000:.1f} ms "
        f"({inference['graph_seconds'] / inference['no_grad_seconds']:.1f}x faster)"
    )
    times = results["compile:times"]
    print("Compile time (generate + compile, seconds)")
    print("  " + ", ".join(f"{name} {seconds:.3f} s" for name, seconds in times.items()))
    reference = results["digits:sklearn"]
    print("Digits: MLP(64, [32, 10]), cross-entropy, batches of 32, 1347 train / 450 test")
    for key, title in (("digits:ours", "compiled path"), ("digits:graph", "graph path")):
        digits = results[key]
        print(f"  {title}:")
        for point in digits.get("curve", []):
            print(f"  epoch {point['epoch']:>2}: {point['seconds']:5.1f} s of training, "
                  f"test accuracy {point['accuracy']:.1%}")
        reached = digits.get("reached_95")
        print("  95% test accuracy " + (
            f"reached after {reached['seconds']:.1f} s (epoch {reached['epoch']})" if reached
            else "not reached"
        ))
    for name, figures in reference.items():
        if isinstance(figures, dict):
            print(f"  scikit-learn MLPClassifier ({name}): {figures['accuracy']:.1%} in "
                  f"{figures['seconds']:.2f} s")
    if arguments.json:
        arguments.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
