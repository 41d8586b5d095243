"""The ``her2`` console script. Plain ``her2 annotate ...`` calls and ``--version`` are served without
importing the CLI framework (it costs more than the work on an indexed VCF); everything else goes to the
Typer app in ``her2cli.cli``."""

from __future__ import annotations

import sys


def main() -> None:
    argv = sys.argv[1:]
    if argv == ["--version"]:
        from her2cli import __version__

        sys.stdout.write(f"her2 {__version__}\n")
        return
    from her2cli.annotate_run import parse_simple

    simple = parse_simple(argv)
    if simple is None:
        from her2cli.cli import main as typer_main

        typer_main()
        return
    from her2cli.annotate_run import run_annotate
    from her2cli.guard import guarded

    sys.exit(guarded(lambda: run_annotate(simple)))


if __name__ == "__main__":
    main()
