"""Compile: backpropagation written out as a program.

`compile_gradient(f, example_inputs)` calls `f` once on `Value`s, records the graph, and writes
it as straight-line Python over plain floats:

- the forward pass, one line per node in topological order (`v3 = w * x  # mul`), and the
  engine's checks: `if not math.isfinite(v3 + v4): overflow(...)` after a few nodes, where
  `backward()` would have raised OverflowError for finite inputs turned into nan or ±inf;
- the backward pass, one line per edge in exactly the order `backward()` applies it
  (`grad_w += grad_v3 * x  # mul: ∂/∂w = x`), each node's lines under `if grad_v3 != 0.0:`
  because `backward()` passes nothing on from a node whose gradient is exactly 0 (left out
  where it cannot matter: local derivatives that are always finite, as add's 1).

Every float rule that is more than plain arithmetic (relu, divide, sin's derivative, …) is
called from the operation table (`operations.py`) rather than written again, so compiled code
and the engine agree on nan, ±inf, signed zeros and error messages by construction.

The generated function makes no `Value` objects, so it runs at the speed of hand-written float
code, and it performs the same float operations in the same order as the graph path: its
results are bit-identical to `f(*values)` followed by `backward()`.

Python control flow in `f` that looks at `.data` (an `if`, a `max`, a loop count) is fixed at
the trace: the compiled code follows the branch the example inputs took, for every input.
Branches *inside* operations (relu, abs, sigmoid's two forms, the power rule's cases) run in the
table's functions that the code calls, so those are right everywhere.

Security: the source is executed, so nothing the user wrote reaches it as code. Names are
generated, or (in `compile_gradient` only; a model program names everything by structure) taken
from a label when the label is a plain ASCII identifier that clashes with nothing, the
generated code's own names included; labels otherwise appear only in comments, with line
breaks and every other non-printable character removed; numbers are written as `repr(float)`
(`math.inf`, `math.nan`).
"""

from __future__ import annotations

import builtins
import dataclasses
import functools
import inspect
import keyword
import math
import numbers
import operator
import re
import sys
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from micrograd_ann import engine, operations
from micrograd_ann.checks import shorten
from micrograd_ann.engine import Value, enable_grad, refusing_grad, topological_order

__all__ = [
    "CompiledGradient",
    "compile_gradient",
    "ModelProgram",
    "model_program",
    "Dialect",
    "PYTHON",
    "JAVASCRIPT",
]

_LABEL_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,39}")
_COMMENT_LABEL_LENGTH = 40

# The operations whose float rule the generated code writes out inline, because the rule in
# `operations.py` is that same plain arithmetic (`a + b`, `sum(terms, 0.0)`, `1 - out * out`):
# the same float operations in the same order, so the results are bit-identical.
_INLINE_FORWARD = {"add": "+", "sub": "-", "mul": "*"}
_INLINE_DERIVATIVES = {"add", "sub", "mul", "neg", "exp", "log", "tanh", "sigmoid", "sum", "dot"}

# Every other rule is called, not rewritten: the generated code calls the operation's own
# `forward` and `derivatives` from the table, under these names, so the two cannot drift (nan,
# ±inf, signed zeros and the domain errors' messages all come from the one definition).
_CALLED_NAMES = {
    "div": "divide",
    "pow": "power",
    "neg": "",
    "abs": "abs",
    "exp": "exp",
    "log": "log",
    "tanh": "tanh",
    "sigmoid": "sigmoid",
    "relu": "relu",
    "sin": "sin",
    "cos": "cos",
    "sqrt": "sqrt",
}
_CALLED_FORWARD = {op: name for op, name in _CALLED_NAMES.items() if name}
_CALLED_DERIVATIVES = {
    op: f"{name}_derivatives"
    for op, name in _CALLED_NAMES.items()
    if name and op not in _INLINE_DERIVATIVES
}


def called_rules(op: str) -> tuple[str, str]:
    """The names under which generated code calls `op`'s forward and derivatives rules from the
    operation table, `("divide", "divide_derivatives")`; "" for a rule written inline."""
    return _CALLED_FORWARD.get(op, ""), _CALLED_DERIVATIVES.get(op, "")


# Operations whose local derivatives are finite whatever their inputs (±1, 0): a zero gradient
# times them adds ±0.0, which changes no sum, so their edges need no `if grad != 0.0:`.
_FINITE_DERIVATIVES = {"add", "sub", "neg", "sum", "relu", "abs"}


OverflowInputs = dict[str, tuple[str, tuple[str | float, ...]]]
"""Per checked node's variable: its operation and its inputs (a variable's name, or a constant)."""


def _overflow(inputs_of: OverflowInputs, variables: dict[str, Any], *names: str) -> None:
    """Raise the engine's OverflowError for the first node of `names` whose finite inputs gave
    nan or ±inf, as `engine.check_finite` does after each operation; else return."""
    for name in names:
        operation_name, inputs = inputs_of[name]
        data = [variables[x] if isinstance(x, str) else x for x in inputs]
        engine.check_finite(operations.OPERATIONS[operation_name], variables[name], data)


class _Checks:
    """The checks a program writes: their names, and the inputs of every node overflow() checks.

    Speed trick: the engine tests every node's result at once; the generated code tests a run
    of up to `_CHECK_RUN` nodes with one line, `if not math.isfinite(a + b + c): overflow(...)`
    (a nan or ±inf among them makes the sum so), placed before any operation that can raise.
    Only then does `overflow` look at each node's inputs, here rather than in the source:
    writing every operand again into one call per node made compile() a third slower.
    """

    def __init__(self) -> None:
        self.written: set[str] = set()
        self.overflow_inputs: OverflowInputs = {}


_CHECK_RUN = 8
_MAY_RAISE = {"div", "pow", "exp", "log", "sqrt"}  # forward rules that raise domain errors


def exponent_error(base: float, exponent: float) -> ValueError:
    """The engine's error for `b ** k` with a trainable `k` and `b < 0` (ln b is undefined)."""
    return ValueError(
        f"pow: {base!r} ** {exponent!r} has no derivative with respect to the "
        "exponent (ln of a negative base); use a plain number as the exponent"
    )


# Functions the generated code may call, under the names it calls them by.
_NAMESPACE: dict[str, Any] = {
    "math": math,
    "sum": sum,
    **{name: operations.OPERATIONS[op].forward for op, name in _CALLED_FORWARD.items()},
    **{name: operations.OPERATIONS[op].derivatives for op, name in _CALLED_DERIVATIVES.items()},
    "exponent_error": exponent_error,
}
# Names of the generated programs themselves, which no label may take.
_PROGRAM_NAMES = {
    "value_and_grad", "forward", "backward", "params", "inputs", "state", "output_grads", "grads",
}
_RESERVED = set(_NAMESPACE) | set(dir(builtins)) | _PROGRAM_NAMES | {"overflow", "locals"}
# Words a JavaScript program may not use as a variable, or uses itself (its rules' names).
_JAVASCRIPT_WORDS = """arguments await break case catch class const continue debugger default delete
do else enum eval export extends false finally for function if implements import in instanceof
interface let new null package private protected public return static super switch this throw
true try typeof undefined var void while with yield Infinity NaN Math Number Object Array String
Error RangeError edge repr python_error python_sum window document globalThis"""
_JAVASCRIPT_RESERVED = frozenset(_JAVASCRIPT_WORDS.split())

# Operations whose output can overflow from finite inputs without raising by themselves: the
# engine checks their result (`check_finite`), so the generated code does too.
_MAY_OVERFLOW = {"add", "sub", "mul", "div", "sum", "dot"}


def _namespace(overflow_inputs: OverflowInputs) -> dict[str, Any]:
    return {**_NAMESPACE, "overflow": functools.partial(_overflow, overflow_inputs)}


@dataclass(frozen=True)
class Dialect:
    """How the one emitter spells a program in one language: `PYTHON`, or `JAVASCRIPT` for pages.

    What a program computes is decided once, by the emitter, for both: the nodes and their
    order, each float operation (`a * b`, `(1.0 - out * out)`, `divide(a, b)` — the same text
    in both languages), which rules are called from the operation table, the overflow checks,
    the edges and their `if`. A dialect only spells statements, literals and comments, so the
    Python and the JavaScript of one graph perform the same float operations in the same order.
    With `record_edges`, each edge also calls `edge(k, sum, upstream, local)`, which records
    upstream, local, product and running sum for a page to show (same result: sum + upstream·local).
    """

    name: str
    comment: str  # starts a comment
    end: str  # ends a statement
    constant: str  # before a node's one assignment
    variable: str  # before a gradient's first assignment
    infinity: str
    nan: str
    is_finite: str  # the function testing for a finite number
    negation: str  # "not " or "!"
    raise_word: str  # "raise" or "throw"
    not_equal: str
    record_edges: bool = False

    def literal(self, number: float) -> str:
        """Source for `number`, exact (Python: `float_literal`)."""
        number = float(number)
        if self.name == "python" or math.isfinite(number):
            return float_literal(number)
        if math.isnan(number):
            return self.nan
        return self.infinity if number > 0 else f"(-{self.infinity})"

    def line_comment(self, text: str) -> str:
        return f"{self.comment} {text}"

    def statement(self, text: str, comment: str = "") -> str:
        return f"{text}{self.end}" + (f"  {self.comment} {comment}" if comment else "")

    def if_open(self, condition: str) -> str:
        return f"if {condition}:" if self.name == "python" else f"if ({condition}) {{"

    def block_close(self) -> list[str]:
        return [] if self.name == "python" else ["}"]

    def one_line_if(self, condition: str, statement: str) -> str:
        if self.name == "python":
            return f"if {condition}: {statement}"
        return f"if ({condition}) {statement};"

    def not_finite(self, expression: str) -> str:
        return f"{self.negation}{self.is_finite}({expression})"

    def sum(self, terms: Sequence[str]) -> str:
        """Σ terms from 0.0, as this Python's `sum(terms, 0.0)` adds them: left to right before
        Python 3.12, with Neumaier's compensation from 3.12 on (`python_sum` in JavaScript)."""
        if self.name == "python":
            return f"sum(({', '.join(terms)},), 0.0)"
        if sys.version_info >= (3, 12):
            return f"python_sum([{', '.join(terms)}])"
        return f"({' + '.join(['0.0', *terms])})"

    def sequence(self, names: Sequence[str]) -> str:
        """A tuple in Python, an array in JavaScript."""
        if self.name == "python":
            return _tuple(names)
        return f"[{', '.join(names)}]"

    def function(self, name: str, parameters: Sequence[str], body: list[str]) -> list[str]:
        indented = [f"    {line}" if line else "" for line in body]
        if self.name == "python":
            return [f"def {name}({', '.join(parameters)}):", *indented]
        return [f"function {name}({', '.join(parameters)}) {{", *indented, "}"]

    def overflow_check(self, total: str, checked: list[tuple[str, str, list[str]]]) -> str:
        """The line raising the engine's OverflowError for the first of `checked` (name,
        operation, operands) whose finite inputs made nan or ±inf; only when `total` is not
        finite (see `_Checks`)."""
        if self.name == "python":
            listed = ", ".join(repr(name) for name, _, _ in checked)
            return f"if not math.isfinite({total}): overflow(locals(), {listed})"
        nodes = ", ".join(
            f'["{op}", {name}, [{", ".join(operands)}]]' for name, op, operands in checked
        )
        return f"if (!Number.isFinite({total})) overflow({nodes});"


PYTHON = Dialect(
    name="python", comment="#", end="", constant="", variable="", infinity="math.inf",
    nan="math.nan", is_finite="math.isfinite", negation="not ", raise_word="raise",
    not_equal="!=",
)
"""The generated Python of `compile_gradient` and `model_program`."""

JAVASCRIPT = Dialect(
    name="javascript", comment="//", end=";", constant="const ", variable="let ",
    infinity="Infinity", nan="NaN", is_finite="Number.isFinite", negation="!",
    raise_word="throw", not_equal="!==",
)
"""The same programs in JavaScript, for pages that compute (see `javascript.py`)."""

JAVASCRIPT_STEPS = dataclasses.replace(JAVASCRIPT, record_edges=True)
"""JavaScript that also records every edge's numbers, for the step-through page."""


def _helpers_comment(ops: set[str], checks: set[str], dialect: Dialect = PYTHON) -> list[str]:
    """The comment naming the functions a program calls and where they are defined."""
    rules = sorted({_CALLED_FORWARD[op] for op in ops if op in _CALLED_FORWARD} - {"abs"})
    with_derivatives = {_CALLED_FORWARD[op] for op in ops if op in _CALLED_DERIVATIVES}
    if dialect is not PYTHON:
        called = sorted({_CALLED_FORWARD[op] for op in ops if op in _CALLED_FORWARD})
        if not called:
            return []
        return [
            f"// {', '.join(called)} (and name_derivatives): the operations' own float rules, "
            "as written in JavaScript beside them (micrograd_ann/operations.py)"
        ]
    lines = []
    if rules or with_derivatives:
        names = ", ".join(sorted(set(rules) | with_derivatives))
        lines.append(f"# {names}: the operations' own float rules (micrograd_ann/operations.py)")
        if with_derivatives:
            lines.append("#   and name_derivatives(*inputs, out): their local derivatives")
    if "overflow" in checks:
        lines.append(
            "# overflow(locals(), 'v1', …): the engine's OverflowError if v1, … made nan or ±inf "
            "of finite inputs"
        )
    if "exponent_error" in checks:
        lines.append("# exponent_error: pow's error for a negative base (micrograd_ann/compile.py)")
    return lines


def comment_text(label: str) -> str:
    """`label` made safe for a one-line comment: printable characters only, at most 40."""
    printable = "".join(character for character in label if character.isprintable())
    if len(printable) > _COMMENT_LABEL_LENGTH:
        printable = printable[: _COMMENT_LABEL_LENGTH - 1] + "…"
    return printable


def float_literal(number: float) -> str:
    """Python source for `number`, exact: `repr` for finite floats, `math.inf`/`math.nan`."""
    number = float(number)
    if math.isnan(number):
        return "math.nan"
    if math.isinf(number):
        return "math.inf" if number > 0 else "(-math.inf)"
    text = repr(number)
    return f"({text})" if text.startswith("-") else text


class CompiledGradient:
    """A function and its gradient as generated straight-line Python over floats.

    `compiled(*xs)` returns `(value, grads)`: f's output and ∂output/∂xᵢ for each input, as
    floats. `compiled.source` is the generated code; `compiled.input_names` the names it uses
    for the inputs (from `f`'s parameters or the inputs' labels).
    """

    def __init__(
        self,
        source: str,
        input_names: Sequence[str],
        function_name: str,
        overflow_inputs: OverflowInputs | None = None,
    ) -> None:
        self.source = source
        self.input_names = tuple(input_names)
        namespace = _namespace(overflow_inputs or {})
        exec(compile(source, "<compile_gradient>", "exec"), namespace)
        self._function: Callable[..., tuple[float, tuple[float, ...]]] = namespace[function_name]

    def __call__(self, *xs: float) -> tuple[float, tuple[float, ...]]:
        if len(xs) != len(self.input_names):
            raise TypeError(
                f"this compiled gradient takes {len(self.input_names)} inputs "
                f"({', '.join(self.input_names)}), got {len(xs)}"
            )
        floats = [x if type(x) is float else engine.as_float(x, "compiled input") for x in xs]
        return self._function(*floats)

    def __repr__(self) -> str:
        return f"CompiledGradient({', '.join(self.input_names)})"


def compile_gradient(
    f: Callable[..., Value], example_inputs: Sequence[float]
) -> CompiledGradient:
    """Trace `f` once on `Value`s made from `example_inputs` and compile its gradient.

    `f` takes one `Value` per input and returns a `Value`. The result is a `CompiledGradient`:
    `compiled(*xs)` gives `(f(xs), (∂f/∂x₀, ∂f/∂x₁, …))` computed by generated Python alone, the
    same numbers as the graph path. Values `f` uses that are not among its inputs (a parameter
    it closes over, say) are constants of the compiled code, fixed at their traced data.

    A function that calls `grad` is refused (ValueError): what `grad` returns inside the trace
    is fixed at the example inputs, a constant or a derivative graph whose branches (relu, abs,
    the power rule at 0) are the ones those inputs took, so the program would be wrong elsewhere.
    """
    if (
        not isinstance(example_inputs, Iterable)
        or callable(example_inputs)
        or isinstance(example_inputs, (str, bytes))
    ):
        hint = ""
        if isinstance(example_inputs, Value):
            hint = f"; pass numbers, not Values: [{example_inputs.data!r}]"
        elif isinstance(example_inputs, numbers.Real):
            hint = f"; for one input pass a list of one: [{example_inputs!r}]"
        raise TypeError(
            "compile_gradient(f, example_inputs): example_inputs must be a list of numbers, "
            f"one per argument of f (e.g. [0.5, -1.5]); got {type(example_inputs).__name__} "
            f"{shorten(example_inputs)}{hint}"
        )
    floats = [
        engine.as_float(x, f"compile_gradient: example_inputs[{index}]")
        for index, x in enumerate(example_inputs)
    ]
    names = _parameter_names(f, len(floats))
    inputs = [Value(x, label=name) for x, name in zip(floats, names)]
    # the trace records a graph even inside no_grad(), and refuses derivatives taken inside f
    with enable_grad(), refusing_grad(_GRAD_INSIDE_F):
        root = f(*inputs)
    if not isinstance(root, Value):
        raise TypeError(
            f"compile_gradient: f must return a Value, got {type(root).__name__}: {root!r}"
        )
    if not root.requires_grad:
        raise ValueError(
            "compile_gradient: f's output does not depend on its inputs (it is a constant or "
            "was computed under no_grad()), so there is no gradient to compile"
        )
    source, input_names, overflow_inputs = _generate_source(root, inputs)
    return CompiledGradient(source, input_names, "value_and_grad", overflow_inputs)


_GRAD_INSIDE_F = (
    "compile_gradient cannot compile a function that calls grad(): what grad returns is fixed "
    "at the example inputs (a constant, or a derivative whose branches — relu, abs, the power "
    "rule at 0 — are the ones they took), so the program would be wrong at other inputs; "
    "compile the function itself (compiled(*xs) gives its first derivatives), or take "
    "derivatives of derivatives with grad(..., create_graph=True) on the graph path"
)


def _parameter_names(f: Callable[..., Value], count: int) -> list[str]:
    try:
        parameters = list(inspect.signature(f).parameters.values())
    except (TypeError, ValueError):
        parameters = []
    if len(parameters) == count and all(
        parameter.kind in (parameter.POSITIONAL_ONLY, parameter.POSITIONAL_OR_KEYWORD)
        for parameter in parameters
    ):
        return [parameter.name for parameter in parameters]
    return [f"x{index}" for index in range(count)]


# -------------------------------------------------------------------------------------------------
# Code generation
# -------------------------------------------------------------------------------------------------


class _Names:
    """Variable names: a label when it is a safe, unused identifier, else a generated name.

    Generated names are those `explain()` shows: the operation and a number in the order the
    nodes are computed (`mul1`, `tanh1`); inputs without a label are `x1`, `x2`, ….
    With `use_labels=False` no label becomes a name (the model programs name everything by
    structure), and a caller may give a value a name of its own (`assign(value, name=...)`).
    """

    def __init__(self, use_labels: bool = True, reserved: frozenset[str] = frozenset()) -> None:
        self._reserved = reserved
        self._names: dict[int, str] = {}
        self._used: set[str] = set()
        self._counters: dict[str, int] = {}
        self._use_labels = use_labels

    def __getitem__(self, value: Value) -> str:
        return self._names[id(value)]

    def __contains__(self, value: Value) -> bool:
        return id(value) in self._names

    def get(self, value: Value) -> str | None:
        return self._names.get(id(value))

    def _free(self, name: str) -> bool:
        return (
            _LABEL_NAME.fullmatch(name) is not None
            and not keyword.iskeyword(name)
            and name not in _RESERVED
            and name not in self._reserved
            and not name.startswith("grad_")
            and name not in self._used
        )

    def assign(self, value: Value, prefix: str = "", name: str = "") -> str:
        prefix = prefix or (value.op if value.op in operations.OPERATIONS else "node")
        if not prefix.isascii() or not prefix.isidentifier():
            prefix = "node"
        if not (name and self._free(name)):
            name = value.label if self._use_labels else ""
        if not (name and self._free(name)):
            while True:
                self._counters[prefix] = self._counters.get(prefix, 0) + 1
                name = f"{prefix}{self._counters[prefix]}"
                if name not in self._used:
                    break
        self._used.add(name)
        self._names[id(value)] = name
        return name


def custom_rule_name(op: str) -> str:
    """The name a JavaScript program calls a custom operation's forward rule by:
    `custom_softplus` (its derivatives: `custom_softplus_derivatives`)."""
    spelled = "".join(
        c if c.isascii() and (c.isalnum() or c == "_") else f"_{ord(c):x}_" for c in op
    )
    return f"custom_{spelled}"


def _check_operations(order: list[Value], dialect: Dialect = PYTHON) -> None:
    """Refuse, with what to do instead, a graph holding an operation with no code generator.

    Python covers the built-in operations; JavaScript also a custom operation that was given
    its JavaScript rules (`custom_operation(..., javascript=...)`).
    """
    for node in order:
        custom = operations.CUSTOM_OPERATIONS.get(node.op)
        if dialect is not PYTHON and custom is not None and custom.javascript is not None:
            continue
        if node.op not in operations.OPERATIONS:
            kind = "a custom_operation" if node.op in operations.CUSTOM_OPERATIONS else "unknown"
            raise ValueError(
                f"compile_gradient: no code generator for operation {node.op!r} ({kind}); "
                "generated code covers the built-in operations only. Differentiate this "
                "function on the graph path instead: out = f(*values); out.backward() "
                "(train() falls back to the graph path by itself)"
            )


def _forward_expression(op: str, operands: list[str], dialect: Dialect = PYTHON) -> str:
    """The expression computing a node from its operands' variables."""
    if op in _INLINE_FORWARD:
        return f"{operands[0]} {_INLINE_FORWARD[op]} {operands[1]}"
    if op == "neg":
        return f"-{operands[0]}"
    if op == "sum":
        return dialect.sum(operands)
    if op == "dot":
        count = (len(operands) - 1) // 2
        products = [
            f"{weight} * {x}" for weight, x in zip(operands[:count], operands[count:-1])
        ]
        bias = operands[-1]
        return f"{dialect.sum(products)} + {bias}" if count else f"0.0 + {bias}"
    if op not in _CALLED_FORWARD:  # a custom operation's JavaScript rule
        return f"{custom_rule_name(op)}({', '.join(operands)})"
    return f"{_CALLED_FORWARD[op]}({', '.join(operands)})"  # the table's own forward


# Local derivatives written inline (expression, rule shown): {0}, {1} the operands, {out} the node.
_INLINE_UNARY = {
    "neg": ("-1.0", "-1"),
    "exp": ("{out}", "exp({0})"),
    "log": ("(1.0 / {0})", "1/{0}"),
    "tanh": ("(1.0 - {out} * {out})", "1 - tanh({0})²"),
    "sigmoid": ("({out} * (1.0 - {out}))", "σ({0})·(1 - σ({0}))"),
}
# The rules shown for the local derivatives that call the table's `derivatives`.
_CALLED_RULES = {
    "div": ("1/{1}", "-({0}/{1})/{1}"),
    "pow": ("{1}·{0}^({1}-1)", "{0}^{1}·ln({0})"),
    "abs": ("sign({0})",),
    "relu": ("1 if {0} > 0 else 0",),
    "sin": ("cos({0})",),
    "cos": ("-sin({0})",),
    "sqrt": ("1/(2√{0})",),
}


def _local_derivatives(op: str, operands: list[str], name: str) -> list[tuple[str, str]]:
    """For each child: (the expression of ∂node/∂child, the rule to show in the comment)."""
    if op == "add":
        return [("1.0", "1"), ("1.0", "1")]
    if op == "sub":
        return [("1.0", "1"), ("-1.0", "-1")]
    if op == "mul":
        a, b = operands
        return [(b, b), (a, a)]
    if op == "sum":
        return [("1.0", "1")] * len(operands)
    if op == "dot":
        count = (len(operands) - 1) // 2
        weights, xs = operands[:count], operands[count:-1]
        return [*((x, x) for x in xs), *((w, w) for w in weights), ("1.0", "1")]
    if op in _INLINE_UNARY:
        expression, rule = _INLINE_UNARY[op]
        return [(expression.format(*operands, out=name), rule.format(*operands))]
    if op not in _CALLED_DERIVATIVES:  # a custom operation's JavaScript rule
        call = f"{custom_rule_name(op)}_derivatives({', '.join(operands)}, {name})"
        custom = operations.CUSTOM_OPERATIONS[op]
        rule = comment_text(custom.formula or f"{op}'s derivatives")
        return [(f"{call}[{index}]", rule) for index in range(len(operands))]
    call = f"{_CALLED_DERIVATIVES[op]}({', '.join(operands)}, {name})"
    return [
        (f"{call}[{index}]", rule.format(*operands))
        for index, rule in enumerate(_CALLED_RULES[op])
    ]


def _product(upstream: str, local: str) -> str:
    # upstream * 1.0 and upstream * -1.0 are exactly upstream and -upstream in IEEE arithmetic.
    if local == "1.0":
        return upstream
    if local == "-1.0":
        return f"-{upstream}"
    return f"{upstream} * {local}"


def _forward_lines(
    order: list[Value],
    names: _Names,
    operand_lists: list[list[str]],
    checks: _Checks,
    dialect: Dialect = PYTHON,
) -> list[str]:
    """Every node's line, in topological order, with the engine's checks (see `_Checks`)."""
    body: list[str] = []
    unchecked: list[str] = []
    checked: list[tuple[str, str, list[str]]] = []

    def check_overflow() -> None:
        if unchecked:
            body.append(dialect.overflow_check(" + ".join(unchecked), checked))
            unchecked.clear()
            checked.clear()

    for node, operands in zip(order, operand_lists):
        op = node.op
        name = names[node]
        if op in _MAY_RAISE:
            check_overflow()  # the engine raises an earlier overflow before this error
        shown = comment_text(node.label) if node.label and node.label != name else ""
        comment = f"{op}  {shown}" if shown else op
        expression = _forward_expression(op, operands, dialect)
        body.append(dialect.statement(f"{dialect.constant}{name} = {expression}", comment))
        if op in _MAY_OVERFLOW:
            checks.written.add("overflow")
            checks.overflow_inputs[name] = (
                op, tuple(names.get(child) or child.data for child in node.children)
            )
            unchecked.append(name)
            checked.append((name, op, operands))
            if len(unchecked) == _CHECK_RUN:
                check_overflow()
        elif op == "pow" and node.children[1].requires_grad and node.children[0] in names:
            # the engine refuses b ** k for b < 0 when k wants a gradient (ln b), even a k that
            # is a constant here; a constant b < 0 would have been refused while tracing
            checks.written.add("exponent_error")
            base, exponent = operands
            error = f"{dialect.raise_word} exponent_error({base}, {exponent})"
            body.append(dialect.one_line_if(f"{base} < 0.0", error))
    check_overflow()
    return body


def _backward_lines(
    order: list[Value],
    names: _Names,
    operand_lists: list[list[str]],
    grad_names: dict[int, str],
    unconditional: Value | None,
    dialect: Dialect = PYTHON,
) -> list[str]:
    """One line per edge in `backward()`'s order; each node's edges under `if grad != 0.0:`.

    `backward()` passes nothing on from a node whose gradient is 0. The `if` is left out where
    every local derivative is finite whatever the inputs (±1, 0, a finite constant): 0 times it
    adds ±0.0 to a sum that starts at +0.0, which changes nothing.
    """
    body: list[str] = []
    edge_count = 0  # edges written so far: with `record_edges`, the index of each
    for node, operands in zip(reversed(order), reversed(operand_lists)):
        upstream = grad_names[id(node)]
        edges = []
        locals_written = []
        for child, (local, rule), child_operand in zip(
            node.children, _local_derivatives(node.op, operands, names[node]), operands
        ):
            child_grad = grad_names.get(id(child))
            if child_grad is None or not child.requires_grad:
                continue  # constants get no gradient (nor do Values f closed over)
            locals_written.append(local)
            comment = f"{node.op}: ∂/∂{child_operand} = {rule}"
            if dialect.record_edges:
                recorded = f"edge({edge_count}, {child_grad}, {upstream}, {local})"
                edges.append(dialect.statement(f"{child_grad} = {recorded}", comment))
            else:
                product = _product(upstream, local)
                edges.append(dialect.statement(f"{child_grad} += {product}", comment))
            edge_count += 1
        if not edges:
            continue
        if node is unconditional or _always_finite(node, locals_written, names, dialect):
            body.extend(edges)
        else:
            body.append(dialect.if_open(f"{upstream} {dialect.not_equal} 0.0"))
            body.extend(f"    {edge}" for edge in edges)
            body.extend(dialect.block_close())
    return body


def _always_finite(
    node: Value, locals_written: list[str], names: _Names, dialect: Dialect = PYTHON
) -> bool:
    """True when every local derivative written is finite for every input: the operation's
    are (±1, 0), or each is the literal of a finite constant (`3.0 * x`)."""
    if node.op in _FINITE_DERIVATIVES:
        return True
    constants = {
        dialect.literal(child.data)
        for child in node.children
        if child not in names and math.isfinite(child.data)
    }
    return all(local in constants for local in locals_written)


def _operand_lists(
    order: list[Value], names: _Names, dialect: Dialect = PYTHON
) -> list[list[str]]:
    """Each node's operands as written in the code: a variable, or the literal of a constant
    (a plain number, or a Value `f` closed over, fixed at its traced data)."""
    return [
        [names.get(child) or dialect.literal(child.data) for child in node.children]
        for node in order
    ]


def generate_source(
    root: Value, inputs: Sequence[Value], dialect: Dialect = PYTHON
) -> tuple[str, list[str]]:
    """The source of `value_and_grad(*inputs)` for the graph of `root`, and the input names.

    In `JAVASCRIPT_STEPS` the function returns four arrays' worth: the output, the inputs'
    gradients, and every node's value and gradient in `topological_order(root)`; it calls
    `edge` for every edge (see `Dialect`).
    """
    source, input_names, _ = _generate_source(root, inputs, dialect)
    return source, input_names


def _generate_source(
    root: Value, inputs: Sequence[Value], dialect: Dialect = PYTHON
) -> tuple[str, list[str], OverflowInputs]:
    order = topological_order(root)
    _check_operations(order, dialect)
    names = _Names(reserved=_JAVASCRIPT_RESERVED if dialect is not PYTHON else frozenset())
    input_names = [names.assign(value, "x") for value in inputs]
    if root not in names and not order:
        raise ValueError(
            f"compile_gradient: the output {root!r} is a leaf that is not one of the inputs, so "
            "it does not depend on them; return a Value computed from f's arguments"
        )
    for node in order:
        names.assign(node)
    operand_lists = _operand_lists(order, names, dialect)
    grad_names = {id(value): f"grad_{names[value]}" for value in inputs}
    grad_names.update({id(node): f"grad_{names[node]}" for node in order})
    checks = _Checks()
    forward = _forward_lines(order, names, operand_lists, checks, dialect)
    body = _helpers_comment({node.op for node in order}, checks.written, dialect)
    comment = dialect.line_comment
    body.append(comment("forward pass: one line per node, every node after its inputs"))
    body.extend(forward)
    body.append("")
    body.append(comment("backward pass: the chain rule, one line per edge, in backward()'s order"))
    body.extend(
        dialect.statement(f"{dialect.variable}{grad_names[id(value)]} = 0.0")
        for value in [*order, *inputs]
        if value is not root
    )
    seed = f"∂{names[root]}/∂{names[root]} (the seed)"  # the root's own name, never "out"
    body.append(dialect.statement(f"{dialect.variable}{grad_names[id(root)]} = 1.0", seed))
    body.extend(_backward_lines(order, names, operand_lists, grad_names, root, dialect))
    returned = [names[root], dialect.sequence([grad_names[id(value)] for value in inputs])]
    if dialect.record_edges:
        returned.append(dialect.sequence([names[node] for node in order]))
        returned.append(dialect.sequence([grad_names[id(node)] for node in order]))
    if dialect is PYTHON:
        body.append(f"return {', '.join(returned)}")
    else:
        body.append(dialect.statement(f"return {dialect.sequence(returned)}"))
    lines = dialect.function("value_and_grad", input_names, body)
    return "\n".join(lines) + "\n", input_names, checks.overflow_inputs


# -------------------------------------------------------------------------------------------------
# Models: the compiled path of train()
# -------------------------------------------------------------------------------------------------


def _span(names: Sequence[str]) -> str:
    return f"{names[0]} … {names[-1]}" if len(names) > 3 else ", ".join(names) or "none"


def _tuple(names: Sequence[str]) -> str:
    return f"({', '.join(names)}{',' if len(names) == 1 else ''})"


class ModelProgram:
    """A model's forward and backward passes as generated code, for `train()`.

    `forward(params, inputs) -> (outputs, state)`: the model's outputs for one row, and every
    node's value. `backward(params, inputs, state, output_grads) -> parameter_grads`: the chain
    rule from ∂loss/∂output back to each parameter, edge by edge as `backward()` goes.
    Parameters and inputs are passed as sequences of floats in `model.parameters()` order.
    """

    def __init__(
        self, source: str, single_output: bool, overflow_inputs: OverflowInputs | None = None
    ) -> None:
        self.source = source
        self.single_output = single_output
        namespace = _namespace(overflow_inputs or {})
        exec(compile(source, "<compiled model>", "exec"), namespace)
        self.forward: Callable[..., tuple[tuple[float, ...], tuple[float, ...]]] = namespace[
            "forward"
        ]
        self.backward: Callable[..., tuple[float, ...]] = namespace["backward"]


def parameter_identifier(dotted_name: str) -> str:
    """A parameter's variable in a model program, from its name in `named_parameters()`:
    `layers.1.neurons.3.w.0` → `w_1_3_0` (layer 1, neuron 3, weight 0), `neurons.3.b` → `b_3`."""
    parts = dotted_name.split(".")
    numbers = [part for part in parts if part.isdigit()]
    kind = next((part for part in reversed(parts) if not part.isdigit()), "parameter")
    return "_".join([kind, *numbers])


def generate_model_source(
    outputs: Sequence[Value],
    parameters: Sequence[Value],
    inputs: Sequence[Value],
    parameter_names: Sequence[str] = (),
    dialect: Dialect = PYTHON,
) -> tuple[str, OverflowInputs] | None:
    """The source of a model's `forward` and `backward` (see `ModelProgram`), and the inputs
    of the nodes its overflow checks look at (see `_Checks`). In `JAVASCRIPT` the two functions
    take and return arrays where the Python takes and returns tuples.

    Parameters are named from `parameter_names` (dotted, as `named_parameters()` gives them),
    inputs `x0, x1, …`, nodes by operation (`dot1`, `tanh1`); no label becomes a name.
    None when some parameter is used more than once per sample: its contributions would then
    have to be added in the engine's order across samples, which this program does not do.
    """
    order = topological_order(outputs)
    _check_operations(order, dialect)
    uses: dict[int, int] = {}
    for node in order:
        for child in node.children:
            uses[id(child)] = uses.get(id(child), 0) + 1
    if any(uses.get(id(parameter), 0) != 1 for parameter in parameters):
        return None
    if any(not node.children for node in outputs):
        return None
    names = _Names(
        use_labels=False, reserved=_JAVASCRIPT_RESERVED if dialect is not PYTHON else frozenset()
    )
    dotted = list(parameter_names) or [f"parameter.{index}" for index in range(len(parameters))]
    parameter_variables = [
        names.assign(value, "parameter", parameter_identifier(name))
        for value, name in zip(parameters, dotted)
    ]
    input_names = [names.assign(value, "x", f"x{index}") for index, value in enumerate(inputs)]
    for node in order:
        names.assign(node)
    operand_lists = _operand_lists(order, names, dialect)
    grad_names = {id(value): f"grad_{names[value]}" for value in parameters}
    grad_names.update({id(node): f"grad_{names[node]}" for node in order})
    state = [names[node] for node in order]
    checks = _Checks()
    forward_lines = _forward_lines(order, names, operand_lists, checks, dialect)
    shown = (
        f"{parameter_variables[0]} is {comment_text(dotted[0])}, and so on"
        if parameter_variables else "none"
    )
    if dialect is PYTHON:
        header = [
            f"# params: model.parameters() in order ({shown}); inputs: one row, "
            f"{_span(input_names)}",
            *_helpers_comment({node.op for node in order}, checks.written),
            f"{_tuple(parameter_variables)} = params",
            f"{_tuple(input_names)} = inputs",
        ]
        forward = [*header, *forward_lines]
        forward.append(f"return {_tuple([names[node] for node in outputs])}, {_tuple(state)}")
        output_grads = _tuple([grad_names[id(node)] for node in outputs])
        backward = [*header, f"{_tuple(state)} = state"]
        backward.extend(
            f"{grad_names[id(value)]} = 0.0"
            for value in [*order, *parameters]
            if not any(value is output for output in outputs)
        )
        backward.append(f"{output_grads} = output_grads")
        backward.extend(_backward_lines(order, names, operand_lists, grad_names, None))
        backward.append(f"return {_tuple([grad_names[id(value)] for value in parameters])}")
        lines = ["def forward(params, inputs):", *(f"    {line}" for line in forward), ""]
        lines += ["def backward(params, inputs, state, output_grads):"]
        lines += [f"    {line}" for line in backward]
        return "\n".join(lines) + "\n", checks.overflow_inputs
    # JavaScript: the same lines, arrays for tuples
    header = [
        dialect.line_comment(
            f"params: model.parameters() in order ({shown}); inputs: one row, "
            f"{_span(input_names)}"
        ),
        *_helpers_comment({node.op for node in order}, checks.written, dialect),
        dialect.statement(f"const [{', '.join(parameter_variables)}] = params"),
        dialect.statement(f"const [{', '.join(input_names)}] = inputs"),
    ]
    forward = [*header, *forward_lines]
    forward.append(dialect.statement(
        f"return [[{', '.join(names[node] for node in outputs)}], [{', '.join(state)}]]"
    ))
    backward = [*header, dialect.statement(f"const [{', '.join(state)}] = state")]
    backward.extend(
        dialect.statement(f"let {grad_names[id(value)]} = 0.0")
        for value in [*order, *parameters]
        if not any(value is output for output in outputs)
    )
    output_grads = ", ".join(grad_names[id(node)] for node in outputs)
    backward.append(dialect.statement(f"let [{output_grads}] = output_grads"))
    backward.extend(_backward_lines(order, names, operand_lists, grad_names, None, dialect))
    backward.append(dialect.statement(
        f"return [{', '.join(grad_names[id(value)] for value in parameters)}]"
    ))
    lines = [
        *dialect.function("forward", ["params", "inputs"], forward),
        "",
        *dialect.function("backward", ["params", "inputs", "state", "output_grads"], backward),
    ]
    return "\n".join(lines) + "\n", checks.overflow_inputs


MAX_CACHED_SOURCE = 2_000_000
"""How much generated code the cache of model programs keeps for models built again in a shape
already compiled (a new `MLP` per experiment): at most this many characters of source (about
13 bytes of memory each once compiled, so some 25 MB) in at most `MAX_CACHED_PROGRAMS`
programs, the least recently used dropped first. Besides, a program lives as long as a model
that uses it, whatever its size: a width-150 network's 4-million-character program is kept
while that network (or another of its shape) is trained epoch by epoch, and freed with it."""

MAX_CACHED_PROGRAMS = 64
"""How many shapes the cache of model programs remembers at most (see `MAX_CACHED_SOURCE`)."""

_Key = tuple[object, ...]
_RECENT_PROGRAMS: OrderedDict[_Key, ModelProgram | None] = OrderedDict()
_PROGRAM_OF_MODEL: weakref.WeakKeyDictionary[object, ModelProgram | None] = (
    weakref.WeakKeyDictionary()
)  # what keeps each model's program alive as long as the model
_LIVE_PROGRAMS: weakref.WeakValueDictionary[_Key, ModelProgram] = weakref.WeakValueDictionary()


def _remember(model: object, key: _Key, program: ModelProgram | None) -> None:
    """Keep `program` while `model` lives, and among the recent programs while they fit."""
    _PROGRAM_OF_MODEL[model] = program
    if program is not None:
        _LIVE_PROGRAMS[key] = program
        if len(program.source) > MAX_CACHED_SOURCE:
            return  # too big to keep beyond its models' lives: it would push out all the others
    _RECENT_PROGRAMS[key] = program
    _RECENT_PROGRAMS.move_to_end(key)
    cached = sum(len(kept.source) for kept in _RECENT_PROGRAMS.values() if kept is not None)
    while cached > MAX_CACHED_SOURCE or len(_RECENT_PROGRAMS) > MAX_CACHED_PROGRAMS:
        _, dropped = _RECENT_PROGRAMS.popitem(last=False)
        cached -= len(dropped.source) if dropped is not None else 0


def _remembered(model: object, key: _Key) -> tuple[bool, ModelProgram | None]:
    """(True, the program) for a shape compiled before: recently, or for a model still alive."""
    program: ModelProgram | None
    if key in _RECENT_PROGRAMS:
        program = _RECENT_PROGRAMS[key]
    else:
        program = _LIVE_PROGRAMS.get(key)
        if program is None:
            return False, None
    _remember(model, key, program)
    return True, program


_Structure = tuple[
    int, int, tuple[bool, ...], tuple[tuple[str, tuple[object, ...]], ...], tuple[object, ...]
]


def _traced_structure(
    outputs: Sequence[Value], parameters: Sequence[Value], inputs: Sequence[Value]
) -> _Structure:
    """What a model's trace computes, as a hashable key: each node's operation and where its
    children come from (a parameter, an input or an earlier node by position, or a constant's
    exact literal), which parameters are trainable, and which nodes are the outputs.

    Two traces with the same structure get the same program, whatever the model's attributes
    claim (`neuron.activation` can be reassigned without changing what the neuron computes).
    """
    order = topological_order(outputs)
    position = {id(value): index for index, value in enumerate([*parameters, *inputs, *order])}

    def source_of(child: Value) -> object:
        index = position.get(id(child))
        return index if index is not None else (float_literal(child.data), child.requires_grad)

    nodes = []
    for node in order:
        sources: tuple[object, ...] = tuple(map(position.get, map(id, node.children)))
        if None in sources:  # a constant among the children
            sources = tuple(map(source_of, node.children))
        nodes.append((node.op, sources))
    return (
        len(parameters),
        len(inputs),
        tuple(parameter.requires_grad for parameter in parameters),
        tuple(nodes),
        tuple(map(source_of, outputs)),
    )


def model_program(model: object) -> ModelProgram | None:
    """The compiled program of a built-in model (`Neuron`, `Layer`, `MLP`), made once per shape.

    The model is traced on every call (cheap) and the program is looked up by the structure of
    that trace, so a model whose attributes were changed never gets another model's program.
    None for any other model (subclasses included): `train()` then uses the graph path.
    Programs are kept while their model lives, and a bounded few beyond (`MAX_CACHED_SOURCE`).
    """
    from micrograd_ann.nn import MLP, Layer, Neuron

    if type(model) not in (Neuron, Layer, MLP):
        return None
    width = model.nin  # type: ignore[attr-defined]
    inputs = [Value(0.0, label=f"x{index}", requires_grad=False) for index in range(width)]
    try:
        with enable_grad():  # the trace records a graph even inside no_grad()
            output = model(inputs)  # type: ignore[operator]
    except ArithmeticError:  # parameters so large that the trace overflows: the graph path
        return None  # reports it as training diverging
    outputs = [output] if isinstance(output, Value) else list(output)
    named = model.named_parameters()  # type: ignore[attr-defined]
    parameters = [parameter for _, parameter in named]
    single = isinstance(output, Value)
    structure = _traced_structure(outputs, parameters, inputs)
    key = (type(model).__name__, single, structure)
    found, program = _remembered(model, key)
    if found:
        return program
    if any(op not in operations.OPERATIONS for op, _ in structure[3]):
        program = None  # an operation with no code generator: the graph path
    else:
        generated = generate_model_source(
            outputs, parameters, inputs, [name for name, _ in named]
        )
        if generated is not None:
            source, overflow_inputs = generated
            program = ModelProgram(source, single, overflow_inputs)
    _remember(model, key, program)
    return program


def run_compiled_epoch(
    program: ModelProgram,
    parameters: list[Value],
    rows: list[list[float]],
    targets: list[Any],
    order: list[int],
    batch_size: int,
    per_sample: Callable[[Any, Any], Value],
    predict: Callable[[Any], int] | None,
    optimizer: Any,
) -> tuple[float, int]:
    """`train`'s epoch on the compiled program: the same numbers as the graph path.

    Per batch: each row's forward pass runs as generated code; each sample's loss is built
    with `Value`s on the outputs (the losses branch on the data, so they are not compiled) and
    differentiated with the batch mean's upstream 1/n; the generated backward passes take it
    from the outputs to the parameters, samples in the reverse order `backward()` visits them.
    """
    forward = program.forward
    backward = program.backward
    single = program.single_output
    total_loss = 0.0
    correct = 0
    for start in range(0, len(order), batch_size):
        batch = order[start : start + batch_size]
        params = [parameter.data for parameter in parameters]
        passes = []
        losses = []
        outputs = []
        for index in batch:
            inputs = rows[index]
            result, state = forward(params, inputs)
            leaves = [Value(number) for number in result]
            output: Any = leaves[0] if single else leaves
            outputs.append(output)
            losses.append(per_sample(output, targets[index]))
            passes.append((inputs, state, leaves))
        summed = Value.sum(losses)
        if not math.isfinite(summed.data):
            raise ArithmeticError(f"the loss became {summed.data!r}")
        upstream = 1.0 / len(batch)
        grads = [0.0] * len(parameters)
        for (inputs, state, leaves), sample_loss in zip(reversed(passes), reversed(losses)):
            sample_loss.backward(upstream)  # the batch mean's 1/n as the seed
            contributions = backward(params, inputs, state, [leaf.grad for leaf in leaves])
            grads = list(map(operator.add, grads, contributions))
        optimizer.zero_grad()
        for parameter, grad in zip(parameters, grads):
            parameter.grad += grad
        optimizer.step()
        total_loss += summed.data
        if predict is not None:
            batch_targets = [targets[index] for index in batch]
            correct += sum(map(operator.eq, map(predict, outputs), batch_targets))
    return total_loss, correct
