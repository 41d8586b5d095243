"""The compiled MAF block scanner (src/her2cli/io/_mafscan.c); everything else is in pyproject.toml.

The extension is optional: where it cannot be built (no C compiler), the install goes on and
her2cli.io.maf falls back to the numpy scanner, which gives the same answers, slower."""

from setuptools import Extension, setup

setup(ext_modules=[Extension("her2cli.io._mafscan", ["src/her2cli/io/_mafscan.c"], optional=True)])
