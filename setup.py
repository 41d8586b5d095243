"""The compiled MAF block scanner (src/her2cli/io/_mafscan.c); everything else is in pyproject.toml.

The extension is optional: where it cannot be built (no C compiler), the install goes on and
her2cli.io.maf falls back to the plain-Python scanner (io/mafscan_plain.py), which gives the same
answers, slower, and says so in a notice."""

from setuptools import Extension, setup

setup(ext_modules=[Extension("her2cli.io._mafscan", ["src/her2cli/io/_mafscan.c"], optional=True)])
