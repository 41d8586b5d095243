"""Writing output without ever leaving a partial file: render fully, write a temporary file next to
the target, then rename it into place (atomic on POSIX)."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile

from her2cli.errors import OutputError


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_writer(path: str, binary: bool = False):
    """Yield a handle whose content appears at ``path`` only if the block completes."""
    directory = os.path.dirname(os.path.abspath(path)) or "."
    try:
        fd, tmp = tempfile.mkstemp(prefix=".her2-", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise OutputError(f"cannot write output: {exc.strerror}", path=path) from None
    try:
        # mkstemp makes 0600 files; give the result the permissions a plain open() would.
        os.fchmod(fd, 0o666 & ~_umask())
        mode = "wb" if binary else "w"
        kwargs = {} if binary else {"encoding": "utf-8", "newline": ""}
        with os.fdopen(fd, mode, **kwargs) as handle:
            yield handle
        os.replace(tmp, path)
    except OSError as exc:
        raise OutputError(f"cannot write output: {exc.strerror}", path=path) from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_atomic(path: str, text: str) -> None:
    with atomic_writer(path) as handle:
        handle.write(text)


def write_output(path: str | None, text: str) -> None:
    if path is None or path == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        write_atomic(path, text)
