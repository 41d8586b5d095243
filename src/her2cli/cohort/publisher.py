"""Publishing a cohort's outputs as one set, and never touching a file the run did not create.

* ``check_output_dir(directory, inputs, force)`` before anything is written: the folder must be absent,
  empty, or one her2 wrote (it holds a manifest ``her2-run.json``; ``force`` allows any other folder);
  an output name may replace only a file the previous manifest lists; no output may be an input
  (compared through links: device and inode).
* ``lock_output_dir(directory)``: one run at a time per folder; finishes an interrupted publication first.
* ``stage(directory, files, pages)`` writes every table, the report and the manifest into
  ``DIR/.her2-staging/`` (the sample pages are hard links to the workers' pages); ``commit(directory)``
  then swaps the sets, in an order that never leaves old and new files side by side:

  1. the old manifest moves into the staging folder (the folder now has no manifest: no complete set);
  2. every file the old manifest lists is removed; then the moved old manifest is removed (step 2 done);
  3. each new file is renamed into place, the new manifest last; the staging folder is removed.

  A kill at any point leaves either the old set, part of the old set, or part of the new set, never a
  mix, and no manifest unless the set is complete. The next run into the folder (``recover``, under the
  lock) completes the interrupted publication from the staging folder.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import shutil
import time
import uuid
from typing import Callable, Iterable, Optional, Union

from her2cli.errors import OutputError, UsageError
from her2cli.io.atomic import atomic_writer, output_error, write_atomic

__all__ = ["OUTPUT_FILES", "MANIFEST", "STAGING_DIR", "LOCK_FILE", "REPORT", "PAGES", "page_names",
           "check_output_dir", "lock_output_dir", "stage", "commit", "recover", "publish", "read_manifest"]

OUTPUT_FILES = {
    "alterations": "alterations.tsv",
    "samples": "samples.tsv",
    "cohort": "cohort.tsv",
    "errors": "errors.tsv",
    "cna": "cna.tsv",  # OncoKB annotator / cBioPortal long CNA table (report/cna.py)
    "data_cna": "data_CNA.txt",  # cBioPortal's wide discrete CNA matrix
}
REPORT = "report.html"
PAGES = "samples"  # DIR/samples/<page name>.html
MANIFEST = "her2-run.json"  # the run's id and the sha256 of every file it published
STAGING_DIR = ".her2-staging"
LOCK_FILE = ".her2-lock"
_OLD_MANIFEST = ".old-" + MANIFEST  # inside the staging folder, while the old files are removed
_OURS = (".her2-",)  # the run's own working names (lock, journal, staging) in the output folder

# ------------------------------------------------------------------------------------------- page names

_STEM_MAX = 80  # characters of the sample name kept in a page name (file names are limited to 255 bytes)
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}


def page_names(samples: Iterable[str]) -> dict[str, str]:
    """A file name for each sample's page: the name itself when it is short, plain ASCII letters, digits,
    '-', '_' and '.' (not leading), and not a Windows device name; otherwise its plain characters, cut to
    80 (a device name prefixed with '_'), plus 10 hex digits of the name's SHA-1. Names equal but for case (one file on macOS and Windows)
    get the suffix too. Depends only on the sample names, so every run of a sheet names pages alike."""
    names: dict[str, str] = {}
    taken: set[str] = set()
    for sample in samples:
        plain = "".join(ch if (ch.isascii() and ch.isalnum()) or ch in "-_." else "_" for ch in sample)
        plain = plain.lstrip(".")
        stem = plain[:_STEM_MAX]
        digest = hashlib.sha1(sample.encode("utf-8", "surrogatepass")).hexdigest()
        if stem.split(".")[0].lower() in _RESERVED:
            stem = "_" + stem  # Windows reads "con.txt" as the device CON
        if stem != sample or not stem or stem.lower() in taken:
            stem = f"{stem}-{digest[:10]}" if stem else digest[:10]
        name, i = stem, 2
        while name.lower() in taken:  # two different names with the same digest prefix and plain stem
            name, i = f"{stem}-{i}", i + 1
        taken.add(name.lower())
        names[sample] = f"{name}.html"
    return names


# ---------------------------------------------------------------------------------------------- checks


def read_manifest(directory: str) -> Optional[dict]:
    """The folder's manifest, or None (no complete set there)."""
    return _read_json(os.path.join(directory, MANIFEST))


def _read_json(path: str) -> Optional[dict]:
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _listed(manifest: Optional[dict]) -> set[str]:
    """The relative paths a manifest says its run published. A manifest from before the pages were listed
    ("tables" only) also owns report.html and the pages folder's .html files."""
    if manifest is None:
        return set()
    files = manifest.get("files")
    if isinstance(files, dict):
        return set(files)
    return set(manifest.get("tables") or {}) | {REPORT}


def _file_ids(paths: Iterable[str]) -> dict[tuple[int, int], str]:
    ids = {}
    for path in paths:
        if not path or path == "-":
            continue
        with contextlib.suppress(OSError):
            st = os.stat(path)
            ids[(st.st_dev, st.st_ino)] = path
    return ids


def check_output_dir(directory: str, inputs: Iterable[str], force: bool = False, pages: Iterable[str] = ()) -> None:
    """Refuse, before anything is written, an output folder the run may not write into:

    * a path that exists but is not a folder (OutputError, exit 7);
    * a non-empty folder without a her2 manifest, unless ``force`` (UsageError, exit 2);
    * an existing file with an output's name that the folder's manifest does not list: her2 did not
      write it (UsageError), also with ``force``; a pages folder holding such files;
    * an output that is an input, through links (UsageError).

    ``pages`` are the page file names the run may write (in DIR/samples/). Inputs are checked first."""
    if os.path.lexists(directory) and not os.path.isdir(directory):
        raise OutputError("is not a folder (--output-dir takes a folder for the tables)", path=directory)
    pages = list(pages)
    outputs = [*OUTPUT_FILES.values(), REPORT, MANIFEST] + [f"{PAGES}/{name}" for name in pages]
    # The outputs that exist already (none in a new folder), then each input against them: one pass over
    # the inputs (a sheet of 10,000 samples names ~50,000 paths), none of them kept.
    output_ids = _file_ids(os.path.join(directory, name) for name in outputs)
    for source in inputs if output_ids else ():
        if not source or source == "-":
            continue
        with contextlib.suppress(OSError):
            st = os.stat(source)
            path = output_ids.get((st.st_dev, st.st_ino))
            if path is not None:
                raise UsageError(f"output {path} is the input {source}: refusing to overwrite an input "
                                 "(choose another output folder)")
    if os.path.isdir(directory):
        # An interrupted publication (finished by the run's lock) counts: its staged and old manifests.
        staging = os.path.join(directory, STAGING_DIR)
        staged = read_manifest(staging) if os.path.exists(os.path.join(staging, MANIFEST)) else None
        manifest = read_manifest(directory) or staged
        present = [name for name in os.listdir(directory) if not name.startswith(_OURS)]
        if manifest is None and present and not force:
            shown = ", ".join(sorted(present)[:3]) + (" ..." if len(present) > 3 else "")
            raise UsageError(f"output folder {directory} is not empty ({shown}) and was not written by her2 (no "
                             f"{MANIFEST}): choose a new or empty folder, or add --force to write beside those files")
        listed = _listed(manifest) | _listed(staged) | _listed(_read_json(os.path.join(staging, _OLD_MANIFEST)))
        legacy_pages = manifest is not None and not isinstance(manifest.get("files"), dict)
        pages_dir = os.path.join(directory, PAGES)
        if pages and (os.path.islink(pages_dir) or (os.path.lexists(pages_dir) and not os.path.isdir(pages_dir))):
            raise UsageError(f"{pages_dir} is not a folder her2 wrote: the sample pages go there; move it or "
                             "choose another --output-dir")
        foreign = [name for name in outputs
                   if os.path.lexists(os.path.join(directory, name)) and name not in listed
                   and not (name == MANIFEST and manifest is not None)
                   and not (legacy_pages and name.startswith(f"{PAGES}/") and name.endswith(".html"))]
        if pages and os.path.isdir(pages_dir):
            foreign += [f"{PAGES}/{name}" for name in sorted(os.listdir(pages_dir))
                        if f"{PAGES}/{name}" not in listed and not (legacy_pages and name.endswith(".html"))
                        and f"{PAGES}/{name}" not in foreign]
        if foreign:
            raise UsageError(f"{os.path.join(directory, foreign[0])} was not written by her2 (not in {MANIFEST}): "
                             "refusing to replace it or to write beside it; move it or choose another --output-dir"
                             + (f" ({len(foreign)} such files)" if len(foreign) > 1 else ""))


# ---------------------------------------------------------------------------------------------- lock


@contextlib.contextmanager
def lock_output_dir(directory: str):
    """Hold an exclusive lock on ``directory`` (created if needed) while a run writes there; a second
    run gets OutputError at once. Finishes an interrupted publication first (``recover``)."""
    import fcntl

    lock_path = os.path.join(directory, LOCK_FILE)
    try:
        os.makedirs(directory, exist_ok=True)
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o666)
    except OSError as exc:
        raise output_error(exc, directory) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise output_error(exc, lock_path) from None
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "?"
            raise OutputError(f"another her2 run (pid {holder}) is writing to this folder; wait for it or "
                              "choose another --output-dir", path=directory) from None
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        recover(directory)
        yield
    finally:
        os.close(fd)  # releases the lock


# ------------------------------------------------------------------------------------------- publish


def _sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _remove_tree(path: str) -> None:
    shutil.rmtree(path, ignore_errors=True)


def _move(source: str, target: str) -> None:
    try:
        os.replace(source, target)
    except OSError:  # another file system
        shutil.copyfile(source, target)


def _link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def stage(directory: str, files: dict[str, Union[str, Callable[[], Union[str, Iterable[str]]], os.PathLike]],
          pages: Optional[dict[str, tuple[str, str]]] = None) -> dict:
    """Write ``files`` (relative name -> text, or a function rendering it: one at a time in memory, or in
    pieces; or the path (``os.PathLike``) of a finished file, moved in; the tables and the report) and ``pages`` (page file name ->
    (path of the page a worker wrote, its sha256)) into the staging folder, the manifest last; returns the
    manifest. A failure (a full disk) removes the staging folder: the previous set stays as it was."""
    staging = os.path.join(directory, STAGING_DIR)
    try:
        _remove_tree(staging)
        os.makedirs(staging)
        run = {"run_id": uuid.uuid4().hex, "finished": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
               "tables": {}, "files": {}}
        tables = set(OUTPUT_FILES.values())
        for name, text in files.items():
            target = os.path.join(staging, name)
            if isinstance(text, os.PathLike):  # a finished file (a cohort's spooled table): moved, not copied
                _move(os.fspath(text), target)
            else:
                content = text() if callable(text) else text
                if isinstance(content, str):
                    write_atomic(target, content)
                else:  # pieces (report.html around a long table), written as they come
                    with atomic_writer(target) as handle:
                        for chunk in content:
                            handle.write(chunk)
            run["files"][name] = _sha256(target)
            if name in tables:
                run["tables"][name] = run["files"][name]
        if pages:
            os.makedirs(os.path.join(staging, PAGES))
            for name, (source, digest) in pages.items():
                _link_or_copy(source, os.path.join(staging, PAGES, name))
                run["files"][f"{PAGES}/{name}"] = digest
        write_atomic(os.path.join(staging, MANIFEST), json.dumps(run, indent=1, sort_keys=True) + "\n")
    except OutputError:
        _remove_tree(staging)
        raise
    except OSError as exc:
        _remove_tree(staging)
        raise output_error(exc, staging) from None
    return run


def _unlink(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


def commit(directory: str) -> None:
    """Swap the staged set in (steps in the module docstring); a no-op without a complete staging folder."""
    staging = os.path.join(directory, STAGING_DIR)
    new_manifest = os.path.join(staging, MANIFEST)
    if not os.path.isdir(staging):
        return
    try:
        if not os.path.exists(new_manifest):
            _remove_tree(staging)  # the run died while staging: the previous set stays
            return
        old_manifest = os.path.join(staging, _OLD_MANIFEST)
        if os.path.exists(os.path.join(directory, MANIFEST)):  # 1. the folder holds no complete set from here
            os.replace(os.path.join(directory, MANIFEST), old_manifest)
        if os.path.exists(old_manifest):  # 2. the old set goes
            old = _read_json(old_manifest)
            for name in sorted(_listed(old)):
                if name != MANIFEST:
                    _unlink(os.path.join(directory, name))
            if isinstance(old, dict) and not isinstance(old.get("files"), dict):  # legacy: every page was ours
                with contextlib.suppress(OSError):
                    for name in os.listdir(os.path.join(directory, PAGES)):
                        if name.endswith(".html"):
                            _unlink(os.path.join(directory, PAGES, name))
            with contextlib.suppress(OSError):
                os.rmdir(os.path.join(directory, PAGES))  # only if empty
            os.unlink(old_manifest)
        staged_pages = os.path.join(staging, PAGES)  # 3. the new set comes
        if os.path.isdir(staged_pages):
            os.makedirs(os.path.join(directory, PAGES), exist_ok=True)
            for name in sorted(os.listdir(staged_pages)):
                os.replace(os.path.join(staged_pages, name), os.path.join(directory, PAGES, name))
        for name in sorted(os.listdir(staging)):
            if name != MANIFEST and name != PAGES and not name.startswith("."):
                os.replace(os.path.join(staging, name), os.path.join(directory, name))
        os.replace(new_manifest, os.path.join(directory, MANIFEST))
        _remove_tree(staging)
    except OSError as exc:
        raise output_error(exc, directory) from None


recover = commit  # finishing an interrupted publication is committing what was staged


def publish(directory: str, files: dict[str, Union[str, Callable[[], Union[str, Iterable[str]]], os.PathLike]],
            pages: Optional[dict[str, tuple[str, str]]] = None) -> dict:
    """``stage`` then ``commit``: ``files`` and ``pages`` appear in ``directory`` as one set. A stopped run
    (SIGINT/SIGTERM, even one whose exception Python swallowed) publishes nothing."""
    from her2cli.errors import raise_if_stopped

    manifest = stage(directory, files, pages)
    raise_if_stopped()
    commit(directory)
    return manifest
