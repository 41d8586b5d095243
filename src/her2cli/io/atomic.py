"""Writing output without ever leaving a partial file or replacing an input: render fully, write a
temporary file next to the target, then rename it into place (atomic on POSIX).

``refuse_inputs(outputs, inputs)`` is the one check that an output is not one of the inputs (same file
by device and inode, so ``./a.vcf``, ``a.vcf`` and a hard link all count); ``output_error`` turns an
OSError into the one-line OutputError (exit 7) that names the cause (disk full, read-only, ...).
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys
from typing import Iterable

from her2cli.errors import OutputError, UsageError

_CAUSES = {
    errno.ENOSPC: "no space left on the device (disk full)",
    errno.EDQUOT: "disk quota exceeded",
    errno.EROFS: "read-only file system",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.ENOTDIR: "a path component is not a folder",
    errno.EISDIR: "is a folder",
    errno.ENOENT: "the folder does not exist",
}


def output_error(exc: OSError, path: str) -> OutputError:
    """One clear line for an output that cannot be written (exit 7)."""
    cause = _CAUSES.get(exc.errno, exc.strerror or str(exc))
    return OutputError(f"cannot write output: {cause}", path=path)


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist (yet): not the same file
        return False


def refuse_inputs(outputs: Iterable[str], inputs: Iterable[str]) -> None:
    """UsageError (exit 2) if an output path is the same file as an input (before anything is written)."""
    real_inputs = [p for p in inputs if p and p != "-"]
    for out in outputs:
        if not out or out == "-":
            continue
        for source in real_inputs:
            if _same_file(out, source):
                raise UsageError(f"output {out} is the input {source}: refusing to overwrite an input "
                                 "(choose another output name)")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_writer(path: str, binary: bool = False):
    """Yield a handle whose content appears at ``path`` only if the block completes."""
    import tempfile  # here, not at the top: a plain call writes to stdout and never needs it

    directory = os.path.dirname(os.path.abspath(path)) or "."
    try:
        fd, tmp = tempfile.mkstemp(prefix=".her2-", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise output_error(exc, path) from None
    try:
        # mkstemp makes 0600 files; give the result the permissions a plain open() would.
        os.fchmod(fd, 0o666 & ~_umask())
        mode = "wb" if binary else "w"
        kwargs = {} if binary else {"encoding": "utf-8", "newline": ""}
        with os.fdopen(fd, mode, **kwargs) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())  # a full disk shows here, not after the rename
        os.replace(tmp, path)
    except OSError as exc:
        raise output_error(exc, path) from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_atomic(path: str, text: str) -> None:
    with atomic_writer(path) as handle:
        handle.write(text)


def write_output(path: str | None, text: str, inputs: Iterable[str] = ()) -> None:
    """``text`` to stdout (``None`` or ``-``) or atomically to ``path``, which must not be an input."""
    if path is None or path == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    refuse_inputs([path], inputs)
    write_atomic(path, text)
