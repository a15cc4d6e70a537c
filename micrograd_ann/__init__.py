"""micrograd_ann: a scalar autograd engine and neural-network library for learning.

    >>> from micrograd_ann import Value
    >>> x = Value(2.0, label="x")
    >>> y = (x * x + 1).tanh()
    >>> y.backward()
    >>> round(x.grad, 6)   # d/dx tanh(x² + 1) = 2x · (1 − tanh²(x² + 1))
    0.000726

The drawing floor (`draw_graph`, `draw_network`, `render_svg`, `draw_dot`, `backprop_page`,
`training_page`, `TrainingRecorder`, `playground_page`), files (`save`, `load`) and `Perceptron`
load on first use, so `import micrograd_ann` reads no graphviz (nor tqdm, which `train` imports
when it runs).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from micrograd_ann import datasets, losses
from micrograd_ann.compile import CompiledGradient, compile_gradient
from micrograd_ann.custom import custom_operation
from micrograd_ann.engine import Value, grad, is_grad_enabled, no_grad
from micrograd_ann.explain import explain
from micrograd_ann.gradcheck import GradcheckError, gradcheck, numerical_grad
from micrograd_ann.hessian import hessian
from micrograd_ann.history import History, TrainingDiverged
from micrograd_ann.nn import MLP, Layer, Module, Neuron
from micrograd_ann.operations import JavaScriptRules
from micrograd_ann.optim import SGD, Adam, AdamW
from micrograd_ann.train import train
from micrograd_ann.version import __version__ as __version__

if TYPE_CHECKING:
    from micrograd_ann.micrograd_drawing import draw_dot
    from micrograd_ann.pages import backprop_page
    from micrograd_ann.perceptron import Perceptron
    from micrograd_ann.playground import playground_page
    from micrograd_ann.replay import TrainingRecorder, training_page
    from micrograd_ann.serialization import load, save
    from micrograd_ann.viz import draw_graph, draw_network, render_svg
    from micrograd_ann.viz import install_notebook_display as install_notebook_display

__all__ = [
    "Value",
    "no_grad",
    "is_grad_enabled",
    "grad",
    "hessian",
    "custom_operation",
    "JavaScriptRules",
    "gradcheck",
    "GradcheckError",
    "numerical_grad",
    "draw_graph",
    "draw_network",
    "render_svg",
    "draw_dot",
    "explain",
    "compile_gradient",
    "CompiledGradient",
    "backprop_page",
    "training_page",
    "TrainingRecorder",
    "playground_page",
    "Module",
    "Neuron",
    "Layer",
    "MLP",
    "Perceptron",
    "save",
    "load",
    "datasets",
    "History",
    "TrainingDiverged",
    "train",
    "SGD",
    "Adam",
    "AdamW",
    "losses",
]

ON_FIRST_USE = {
    # the drawing floor: these modules import graphviz (some 40 ms)
    "draw_graph": "viz",
    "draw_network": "viz",
    "render_svg": "viz",
    "install_notebook_display": "viz",
    "draw_dot": "micrograd_drawing",
    "backprop_page": "pages",
    "training_page": "replay",
    "TrainingRecorder": "replay",
    "playground_page": "playground",
    # files and the perceptron: building and training a network needs neither
    "save": "serialization",
    "load": "serialization",
    "Perceptron": "perceptron",
}
"""Public name → the module it is imported from the first time it is asked for."""


def __getattr__(name: str) -> Any:
    """`micrograd_ann.draw_graph` and the other names ON_FIRST_USE, imported when first asked for
    (PEP 562). Saves graphviz's import (some 40 ms) and more for everyone who does not draw, and
    for every `import hypothesis` (whose plugin hook imports micrograd_ann.testing)."""
    if name not in ON_FIRST_USE:
        raise AttributeError(f"module 'micrograd_ann' has no attribute {name!r}")
    module = importlib.import_module(f"micrograd_ann.{ON_FIRST_USE[name]}")
    found = getattr(module, name)
    globals()[name] = found
    return found


def __dir__() -> list[str]:
    return sorted({*globals(), *ON_FIRST_USE})


def _draw_for_notebook(shown: Value | Module) -> str | None:
    """Jupyter shows a Value as its computation graph and a Module as its architecture: the
    first picture asked for puts viz's hooks in place of this one, then draws."""
    from micrograd_ann.viz import install_notebook_display

    install_notebook_display()
    picture: str | None = shown._repr_svg_()  # type: ignore[union-attr]
    return picture


setattr(Value, "_repr_svg_", _draw_for_notebook)  # noqa: B010 (engine.py does not define it)
setattr(Module, "_repr_svg_", _draw_for_notebook)  # noqa: B010 (nor does nn.py)
