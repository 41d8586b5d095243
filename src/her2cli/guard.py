"""The last line of defence of the command line: whatever happens, one line on stderr, never a traceback."""

from __future__ import annotations

import os
import sys
from typing import Callable

from her2cli.errors import Her2Error

EXIT_INTERNAL = 70
EXIT_INTERRUPTED = 130


def print_error(message: str) -> None:
    """The one stderr line of a failed command."""
    sys.stderr.write(f"her2: error: {message}\n")
    sys.stderr.flush()


def guarded(run: Callable[[], object]) -> int:
    """Run a command; turn every escape into an exit code and at most one stderr line."""
    try:
        result = run()
        return int(result) if isinstance(result, int) else 0
    except KeyboardInterrupt:
        sys.stderr.write("her2: interrupted\n")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (e.g. `her2 annotate x.vcf | head`): not an error of ours.
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except OSError:
            pass
        return 0
    except Her2Error as exc:
        sys.stderr.write(f"her2: error: {exc.one_line()}\n")
        return exc.exit_code
    except SystemExit as exc:
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    except Exception as exc:  # a bug of ours: still one line, and a distinct exit code
        sys.stderr.write(f"her2: internal error: {type(exc).__name__}: {exc} (please report this)\n")
        return EXIT_INTERNAL
