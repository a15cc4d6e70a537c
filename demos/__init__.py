"""The demos: the tutorials' worked examples, one module each.

In the repository they sit in demos/ beside the package; setup.cfg installs this folder as the
subpackage `micrograd_ann.demos` (a wheel holds them there, and an editable install maps the name
to this folder), so `micrograd-ann demo NAME` imports `micrograd_ann.demos.NAME` by name, the same
way in both installs, and never runs a file it merely found on disk.
"""
