"""Bundled reference data for her2cli (built by scripts/build_resources.py)."""
