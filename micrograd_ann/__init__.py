"""micrograd_ann: a scalar autograd engine and neural-network library for learning.

    >>> from micrograd_ann import Value
    >>> x = Value(2.0, label="x")
    >>> y = (x * x + 1).tanh()
    >>> y.backward()
    >>> round(x.grad, 6)   # d/dx tanh(x² + 1) = 2x · (1 − tanh²(x² + 1))
    0.000726
"""

from micrograd_ann import datasets, losses
from micrograd_ann.compile import CompiledGradient, compile_gradient
from micrograd_ann.custom import custom_operation
from micrograd_ann.engine import Value, grad, is_grad_enabled, no_grad
from micrograd_ann.explain import explain
from micrograd_ann.gradcheck import GradcheckError, gradcheck, numerical_grad
from micrograd_ann.hessian import hessian
from micrograd_ann.history import History, TrainingDiverged
from micrograd_ann.nn import MLP, Layer, Module, Neuron
from micrograd_ann.optim import SGD
from micrograd_ann.pages import backprop_page
from micrograd_ann.perceptron import Perceptron
from micrograd_ann.replay import TrainingRecorder, training_page
from micrograd_ann.serialization import load, save
from micrograd_ann.train import train
from micrograd_ann.viz import draw_graph, draw_network, install_notebook_display, render_svg

__all__ = [
    "Value",
    "no_grad",
    "is_grad_enabled",
    "grad",
    "hessian",
    "custom_operation",
    "gradcheck",
    "GradcheckError",
    "numerical_grad",
    "draw_graph",
    "draw_network",
    "render_svg",
    "explain",
    "compile_gradient",
    "CompiledGradient",
    "backprop_page",
    "training_page",
    "TrainingRecorder",
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
    "losses",
]

__version__ = "0.1.0"

# Jupyter shows a Value as its computation graph and a Module as its architecture.
install_notebook_display()
