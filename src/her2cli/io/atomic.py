"""Writing output without ever leaving a partial file or replacing an input: render fully, write a
temporary file next to the target, then rename it into place (atomic on POSIX).

``refuse_inputs(outputs, inputs)`` is the one check that an output is not one of the inputs (same file
by device and inode, or by resolved path, so ``./a.vcf``, ``a.vcf``, a symbolic and a hard link all
count); ``guard_inputs(inputs)`` makes every file written through this module during a command check
itself against those inputs too (outputs whose names are only known late, e.g. one picture per sample).
``output_error`` turns an OSError into the one-line OutputError (exit 7) that names the cause.

Where the output goes (``output_target``)
    A regular file, or a name that does not exist yet, is replaced atomically; through a symbolic link,
    the file the link points to is replaced and the link kept. Anything else that exists (a device such as
    ``/dev/null``, a FIFO) is opened for writing in place and written through: it is never replaced by a
    regular file. A name of one of this process's open descriptors (``/dev/stdout``, ``/dev/fd/1``,
    ``/proc/self/fd/1``, or a link to one) is written to that descriptor as it is, even when the shell
    pointed it at a regular file (``-o /dev/stdout >> log`` appends to log). A folder is refused (exit 7).
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
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


def _same_file(output: str, source: str) -> bool:
    """``output`` would replace ``source``: the same inode, or the same resolved path. An output that is
    written through in place (a device, a FIFO) replaces nothing."""
    try:
        if not stat.S_ISREG(os.stat(output).st_mode):
            return False
    except OSError:  # does not exist yet: only a path that resolves to the input's can be it
        return os.path.realpath(output) == os.path.realpath(source)
    try:
        return os.path.samefile(output, source)
    except OSError:
        return False


# Inputs of the running command (guard_inputs): every file this module writes is checked against them.
_GUARDED: list[str] = []


def refuse_inputs(outputs: Iterable[str], inputs: Iterable[str] = ()) -> None:
    """UsageError (exit 2) if an output path is the same file as an input (before anything is written);
    the inputs given to ``guard_inputs`` count as well."""
    real_inputs = [p for p in (*inputs, *_GUARDED) if p and p != "-"]
    for out in outputs:
        if not out or out == "-":
            continue
        for source in real_inputs:
            if _same_file(out, source):
                raise UsageError(f"output {out} is the input {source}: refusing to overwrite an input "
                                 "(choose another output name)")


@contextlib.contextmanager
def guard_inputs(inputs: Iterable[str]):
    """While the block runs, every output written through this module is refused if it is one of
    ``inputs`` (checked again at write time: a picture per sample, an index beside the output)."""
    added = [p for p in inputs if p and p != "-"]
    _GUARDED.extend(added)
    try:
        yield
    finally:
        del _GUARDED[len(_GUARDED) - len(added):]


_FD_PATH = re.compile(r"^/(?:proc/(?:self|thread-self|\d+)/fd|dev/fd)/(\d+)$")
_STD_NAMES = {"/dev/stdout": 1, "/dev/stderr": 2}


def open_descriptor(path: str) -> int | None:
    """The descriptor of this process that ``path`` names (``/dev/stdout``, ``/dev/fd/1``,
    ``/proc/self/fd/1``, or a link to one of them), or None. Such an output is written to the open
    descriptor itself, so that a shell's ``>> log`` keeps its log and nothing is renamed over it."""
    seen = 0
    while seen < 40:
        if path in _STD_NAMES:
            return _STD_NAMES[path]
        match = _FD_PATH.match(path)
        if match:
            return int(match.group(1))
        if not os.path.islink(path):
            return None
        target = os.readlink(path)
        path = target if os.path.isabs(target) else os.path.join(os.path.dirname(path), target)
        path = os.path.normpath(path)
        seen += 1
    return None


def output_target(path: str) -> tuple[str, bool]:
    """(the path to write, whether to write it in place): see the module docstring. OutputError for a
    folder."""
    if open_descriptor(path) is not None:
        return path, True
    if not path:
        raise UsageError("-o needs a file name (or - for standard output)")
    try:
        mode = os.stat(path).st_mode  # follows links
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise OutputError("cannot write output: a loop of symbolic links", path=path) from None
        return os.path.realpath(path) if os.path.islink(path) else path, False
    if stat.S_ISDIR(mode):
        raise OutputError("cannot write output: is a folder", path=path)
    if stat.S_ISREG(mode):
        return os.path.realpath(path), False
    return path, True  # a device, FIFO or socket: written through, never replaced


def is_written_in_place(path: str) -> bool:
    """True for an output that is a device, FIFO or socket (``/dev/null``, ``/dev/stdout``)."""
    return path not in (None, "-") and output_target(path)[1]


def publish_file(finished: str, path: str) -> None:
    """Move the finished file ``finished`` (written in a temporary folder beside the target) to ``path``,
    following the rules of ``output_target``; OutputError (exit 7) when it cannot be written."""
    import shutil

    refuse_inputs([path])
    target, in_place = output_target(path)
    try:
        if in_place:
            with open(finished, "rb") as source, _written_in_place(path, binary=True) as sink:
                shutil.copyfileobj(source, sink, 1 << 20)
            return
        os.replace(finished, target)
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise output_error(exc, path) from None
        with open(finished, "rb") as source, atomic_writer(path, binary=True) as sink:
            shutil.copyfileobj(source, sink, 1 << 20)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_writer(path: str, binary: bool = False):
    """Yield a handle whose content appears at ``path`` only if the block completes."""
    import tempfile  # here, not at the top: a plain call writes to stdout and never needs it

    refuse_inputs([path])
    target, in_place = output_target(path)
    if in_place:
        with _written_in_place(path, binary) as handle:
            yield handle
        return
    directory = os.path.dirname(os.path.abspath(target)) or "."
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
        os.replace(tmp, target)
    except OSError as exc:
        raise output_error(exc, path) from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


@contextlib.contextmanager
def _written_in_place(path: str, binary: bool):
    """A device or FIFO opened for writing as it is (nothing to rename), or this process's own open
    descriptor that ``path`` names (written at its offset, never truncated); a short write is exit 7."""
    kwargs = {} if binary else {"encoding": "utf-8", "newline": ""}
    descriptor = open_descriptor(path)
    if descriptor is not None:
        sys.stdout.flush()
    try:
        with (os.fdopen(os.dup(descriptor), "wb" if binary else "w", **kwargs) if descriptor is not None
              else open(path, "wb" if binary else "w", **kwargs)) as handle:
            yield handle
            handle.flush()
    except OSError as exc:
        raise output_error(exc, path) from None


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


def directory_for_temporary(path: str) -> str:
    """The folder in which to build an output before ``publish_file`` (beside the file it will replace,
    so that the rename is atomic; the system's temporary folder for a device)."""
    import tempfile

    if path in (None, "-"):
        return tempfile.gettempdir()
    target, in_place = output_target(path)
    return tempfile.gettempdir() if in_place else (os.path.dirname(os.path.abspath(target)) or ".")
