"""Mutation check: break each operation's local derivative in turn and make sure the tests notice.

Every operation in `micrograd_ann.operations.OPERATIONS` writes its local derivatives twice:
`derivatives` on floats (used by `backward()`) and `derivative_values` on Values (used by
`grad(..., create_graph=True)`). For each of the two rules and every output position (each input
of a binary operation; the first, last and every term of `sum`; the weights, inputs and bias of
`dot`), three mutants replace the local derivative d with 0, 2·d and −d; a fourth, for the
Value-level rule, *detaches* d (the same number as a constant, so first derivatives stay right
and only the second and higher go wrong), where d is computed from Values at all. Each mutant
runs in its own subprocess: it swaps the `Operation` in the module (and in the `OPERATIONS`
table) for `dataclasses.replace(operation, <rule>=mutated)` and then runs the gradient tests with
pytest
(hypothesis "ci" profile, stop at the first failure). A mutant is *caught* when the tests fail
and *survives* when they pass.

    python tests/mutation.py            # all mutants, prints a Markdown table
    python tests/mutation.py --jobs 2   # two subprocesses at a time
    python tests/mutation.py --rules derivative_values --transforms detach

Exit status 0 when every mutant is caught. Not part of the pytest run (it takes minutes).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

REPOSITORY = Path(__file__).resolve().parent.parent
# The tests each rule's mutants run against: backward() is checked by the per-operation and the
# engine tests; the gradient graphs by the per-operation test of first and second derivatives
# through grad(..., create_graph=True) and by the tests of grad itself.
GRADIENT_TESTS = {
    "derivatives": ["tests/test_operations.py", "tests/test_engine.py"],
    "derivative_values": [
        "tests/test_operations.py::test_gradient_graphs_match_central_differences",
        "tests/test_grad.py",
    ],
}

def _detach(derivative: Any) -> Any:
    """The same number with no graph behind it: right at first order, wrong from the second."""
    from micrograd_ann import Value

    if isinstance(derivative, Value):
        return Value(derivative.data, requires_grad=False)
    return derivative


TRANSFORMS: dict[str, Callable[[Any], Any]] = {  # on a float or a Value alike
    "zero": lambda derivative: 0.0,
    "double": lambda derivative: 2.0 * derivative,
    "flip sign": lambda derivative: -derivative,
    "detach": _detach,  # derivative_values only, where the derivative depends on a Value
}

RULES = ("derivatives", "derivative_values")

# Which positions of the derivatives tuple a mutant changes, given the arguments the rule was
# called with and the tuple's length.
Selector = Callable[[Sequence[Any], int], range]

UNARY_POSITIONS: dict[str, Selector] = {"x": lambda arguments, length: range(0, 1)}
BINARY_POSITIONS: dict[str, Selector] = {
    "left": lambda arguments, length: range(0, 1),
    "right": lambda arguments, length: range(1, 2),
}
SUM_POSITIONS: dict[str, Selector] = {
    "first term": lambda arguments, length: range(0, 1),
    "last term": lambda arguments, length: range(length - 1, length),
    "every term": lambda arguments, length: range(length),
}
# Value.dot's derivatives(weights, inputs) gives (*inputs, *weights, 1.0): ∂/∂wᵢ, ∂/∂xᵢ, ∂/∂b.
DOT_POSITIONS: dict[str, Selector] = {
    "weights": lambda arguments, length: range(0, len(arguments[0])),
    "inputs": lambda arguments, length: range(len(arguments[0]), 2 * len(arguments[0])),
    "bias": lambda arguments, length: range(length - 1, length),
}


# derivative_values(*children, out) gets the children one by one: weights, inputs, bias, then out.
def _dot_count(arguments: Sequence[Any]) -> int:
    return (len(arguments) - 2) // 2


DOT_VALUE_POSITIONS: dict[str, Selector] = {
    "weights": lambda arguments, length: range(0, _dot_count(arguments)),
    "inputs": lambda arguments, length: range(_dot_count(arguments), 2 * _dot_count(arguments)),
    "bias": lambda arguments, length: range(length - 1, length),
}


BINARY = ("add", "sub", "mul", "div", "pow")


def positions(name: str, rule: str = "derivatives") -> dict[str, Selector]:
    if name == "sum":
        return SUM_POSITIONS
    if name == "dot":
        return DOT_POSITIONS if rule == "derivatives" else DOT_VALUE_POSITIONS
    if name in BINARY:
        return BINARY_POSITIONS
    return UNARY_POSITIONS


def applies(rule: str, name: str, position: str, transform: str) -> bool:
    """Whether the mutant changes anything: "detach" changes only a Value-level derivative
    that is itself computed from Values (relu's 1 or 0 and add's 1 have no graph to lose)."""
    if transform != "detach":
        return True
    if rule != "derivative_values":
        return False
    from micrograd_ann import Value
    from micrograd_ann.operations import OPERATIONS

    count = {"sum": 3, "dot": 5}.get(name, 2 if name in BINARY else 1)
    children = [Value(0.7 + 0.2 * index) for index in range(count)]
    local = OPERATIONS[name].derivative_values(*children, Value(0.5))
    chosen = positions(name, rule)[position]([*children, Value(0.5)], len(local))
    return any(isinstance(local[index], Value) and local[index].requires_grad for index in chosen)


def apply_mutant(rule: str, name: str, position: str, transform: str) -> None:
    """Replace operation `name` in micrograd_ann.operations by one with a broken derivative
    (`rule` is "derivatives" or "derivative_values")."""
    from micrograd_ann import operations

    original = operations.OPERATIONS[name]
    correct = getattr(original, rule)
    select = positions(name, rule)[position]
    change = TRANSFORMS[transform]

    def mutated(*arguments: Any) -> tuple[Any, ...]:
        local = list(correct(*arguments))
        for index in select(arguments, len(local)):
            local[index] = change(local[index])
        return tuple(local)

    replacement = dataclasses.replace(original, **{rule: mutated})
    operations.OPERATIONS[name] = replacement
    for attribute in dir(operations):
        if getattr(operations, attribute) is original:
            setattr(operations, attribute, replacement)


def run_tests_under_mutant(rule: str, name: str, position: str, transform: str) -> int:
    """In the subprocess: mutate, then run the gradient tests; returns pytest's exit code."""
    import pytest

    sys.path.insert(0, str(REPOSITORY))
    apply_mutant(rule, name, position, transform)
    return int(pytest.main(["-x", "-q", "-p", "no:cacheprovider", *GRADIENT_TESTS[rule]]))


def run_subprocess(arguments: list[str]) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "CI": "true"}
    return subprocess.run(
        [sys.executable, __file__, *arguments],
        cwd=REPOSITORY, env=environment, capture_output=True, text=True, check=False,
    )


def verdict(mutant: tuple[str, str, str, str]) -> str:
    completed = run_subprocess(["--mutant", *mutant])
    if completed.returncode == 1:
        return "caught"
    if completed.returncode == 0:
        return "SURVIVED"
    return f"error {completed.returncode}: {completed.stdout[-300:]}{completed.stderr[-300:]}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=1, help="mutants run at the same time")
    parser.add_argument("--mutant", nargs=4, metavar=("RULE", "OPERATION", "POSITION", "TRANSFORM"),
                        help=argparse.SUPPRESS)
    parser.add_argument("--rules", nargs="+", choices=RULES, default=list(RULES),
                        help="which local-derivative rules to mutate (default: both)")
    parser.add_argument("--transforms", nargs="+", choices=list(TRANSFORMS),
                        default=list(TRANSFORMS), help="which mutations to make (default: all)")
    options = parser.parse_args()
    if options.mutant:
        return run_tests_under_mutant(*options.mutant)

    sys.path.insert(0, str(REPOSITORY))
    from micrograd_ann.operations import OPERATIONS

    started = time.perf_counter()
    clean = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         *sorted({test for rule in options.rules for test in GRADIENT_TESTS[rule]})],
        cwd=REPOSITORY, env={**os.environ, "CI": "true"}, capture_output=True, text=True,
        check=False,
    )
    if clean.returncode != 0:
        print("The unmutated tests fail; fix them first:\n" + clean.stdout[-2000:])
        return 2

    mutants = [
        (rule, name, position, transform)
        for rule in options.rules
        for name in OPERATIONS
        for position in positions(name, rule)
        for transform in options.transforms
        if applies(rule, name, position, transform)
    ]
    with ThreadPoolExecutor(max_workers=options.jobs) as pool:
        verdicts = dict(zip(mutants, pool.map(verdict, mutants)))

    print("| rule | operation | position | " + " | ".join(options.transforms) + " |")
    print("|---|---|---|" + "---|" * len(options.transforms))
    for rule in options.rules:
        for name in OPERATIONS:
            for position in positions(name, rule):
                cells = [verdicts.get((rule, name, position, transform), "—")
                         for transform in options.transforms]
                print(f"| {rule} | {name} | {position} | " + " | ".join(cells) + " |")
    caught = sum(result == "caught" for result in verdicts.values())
    elapsed = time.perf_counter() - started
    print(f"\n{caught} of {len(verdicts)} mutants caught ({elapsed:.0f} s).")
    return 0 if caught == len(verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())
