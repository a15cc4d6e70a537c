"""The library's version, written once: the package (`micrograd_ann.__version__`), its metadata
(setup.cfg reads this file) and `micrograd-ann --version` all take it from here."""

__version__ = "0.1.0"
