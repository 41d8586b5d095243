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
    from her2cli import annotate_run, cohort_run
    from her2cli.guard import guarded

    for parse_simple, run in ((annotate_run.parse_simple, annotate_run.run_annotate),
                              (cohort_run.parse_simple, cohort_run.run_cohort_command)):
        simple = parse_simple(argv)
        if simple is not None:
            sys.exit(guarded(lambda: run(simple)))
    from her2cli.cli import main as typer_main

    typer_main()


if __name__ == "__main__":
    main()
