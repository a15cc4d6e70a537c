"""`python -m micrograd_ann` runs the `micrograd-ann` command."""

import sys

from micrograd_ann.cli import main

sys.exit(main())
