"""The ``her2`` console script. Plain ``her2 annotate ...`` and ``her2 cohort ...`` calls and ``--version`` are served without
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
    from her2cli.guard import guarded

    command = argv[0] if argv else ""
    if command in ("annotate", "cohort"):
        # Import only the runner this command needs (start-up is what an indexed run costs).
        if command == "annotate":
            from her2cli.annotate_run import parse_simple, run_annotate as run
        else:
            from her2cli.cohort_run import parse_simple, run_cohort_command as run
        simple = parse_simple(argv)
        if simple is not None:
            sys.exit(guarded(lambda: run(simple)))
    from her2cli.cli import main as typer_main

    typer_main()


if __name__ == "__main__":
    main()
