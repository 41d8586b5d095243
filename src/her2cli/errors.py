"""Errors the CLI turns into one line on stderr and a documented exit code.

The library raises these; it never prints. Exit codes (documented in the README):
  0  success
  1  some samples of a cohort failed (the others completed)
  2  usage error (bad option or argument; Typer/Click's own code)
  3  input file missing or unreadable
  4  input file malformed (not a VCF / segment file, truncated, bad values)
  5  genome build unknown or contradictory
  6  reference mismatch (REF bases do not match the bundled or given reference)
  7  output cannot be written (disk full, read-only, not a folder, would replace an input)
 70  internal error (a bug: please report it)
130  interrupted (Ctrl-C)
143  terminated (SIGTERM)
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_PARTIAL = 1
EXIT_USAGE = 2
EXIT_MISSING = 3
EXIT_MALFORMED = 4
EXIT_BUILD = 5
EXIT_REFERENCE = 6
EXIT_OUTPUT = 7
EXIT_INTERNAL = 70
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143

# Shown by `her2 --help` (and kept in step with docs/exit-codes.md by a test).
EXIT_CODES_HELP = (
    "Exit codes: 0 success; 1 some samples of a cohort failed; 2 usage error; 3 input missing or unreadable; "
    "4 input malformed; 5 genome build unknown or contradictory; 6 REF bases do not match the reference; "
    "7 output cannot be written; 70 internal error; 130 interrupted; 143 terminated."
)


class Her2Error(Exception):
    """Base class: a user-facing problem with one-line message and an exit code."""

    exit_code = EXIT_MALFORMED

    def __init__(self, message: str, path: str | None = None, line: int | None = None):
        self.message = message
        self.path = path
        self.line = line
        super().__init__(self.one_line())

    def one_line(self) -> str:
        where = ""
        if self.path is not None:
            where = f"{self.path}"
            if self.line is not None:
                where += f":{self.line}"
            where += ": "
        return f"{where}{self.message}".replace("\n", " ")


class UsageError(Her2Error):
    exit_code = EXIT_USAGE


class InputMissingError(Her2Error):
    exit_code = EXIT_MISSING


class MalformedInputError(Her2Error):
    exit_code = EXIT_MALFORMED


class GenomeBuildError(Her2Error):
    exit_code = EXIT_BUILD


class ReferenceMismatchError(Her2Error):
    exit_code = EXIT_REFERENCE


class OutputError(Her2Error):
    exit_code = EXIT_OUTPUT


class Terminated(BaseException):
    """SIGTERM, turned into an exception so that `finally` blocks (temporary files, workers) run."""


# The stop signal received, if any (set by the CLI's handlers). A signal's exception can be swallowed where
# Python ignores exceptions (a finaliser, an at-fork hook: "Exception ignored in ..."), so long-running loops
# and the publisher also ask ``raise_if_stopped()`` at safe points, and the CLI checks it once more at the end.
_STOPPED: list[int] = []


def note_stop(signum: int) -> None:
    _STOPPED.append(signum)


def stop_signal() -> int | None:
    return _STOPPED[0] if _STOPPED else None


def raise_if_stopped() -> None:
    """Raise the stop exception again when a SIGINT/SIGTERM arrived (and may have been swallowed)."""
    import signal

    signum = stop_signal()
    if signum == signal.SIGTERM:
        raise Terminated()
    if signum == signal.SIGINT:
        raise KeyboardInterrupt()
