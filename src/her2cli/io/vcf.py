"""Read the ERBB2 region of a VCF: plain, gzip, BGZF (indexed or not), BCF, or '-' for stdin.

Every path ends in the same thing: the header lines and the VCF text lines of the region, parsed by one
parser (``io.vcftext``: ``parse_record``, ``region_read``), so that the indexed, seeking and streaming paths
give identical output. The caller gets the parsed records (``RegionRead.records``) from one call,
``read_region``: this module picks the reader, the reader finds the region's lines, ``vcftext`` parses them.
A tabix-indexed BGZF file is read in pure Python (``tabix``), text without an index is scanned on raw bytes
(``fastscan``, which never holds the file in memory), BCF and a ``.csi`` go through cyvcf2 (htslib).
"""

from __future__ import annotations

import contextlib
import os
import sys
from typing import Iterator

from her2cli.errors import InputMissingError, MalformedInputError
from her2cli.io.vcftext import (  # noqa: F401 (VcfRecord, header_from_lines: re-exported)
    RegionRead,
    VcfHeader,
    VcfRecord,
    header_from_lines,
    in_regions,
    parse_record,
)
from her2cli.reference.builds import header_contigs, header_values, parse_structured  # noqa: F401 (re-exported)

GZIP_MAGIC = b"\x1f\x8b"


@contextlib.contextmanager
def quiet_c_stderr():
    """Silence htslib's own messages (they are not ours to print); our errors are raised instead."""
    try:
        saved = os.dup(2)
    except OSError:
        yield
        return
    try:
        sys.stderr.flush()
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def sniff(path: str) -> str:
    """'bcf', 'bgzf', 'gzip' or 'text' (raises for a missing file)."""
    if not os.path.exists(path):
        raise InputMissingError("file not found", path=path)
    if os.path.isdir(path):
        raise InputMissingError("is a directory, not a VCF file", path=path)
    try:
        with open(path, "rb") as handle:
            head = handle.read(4096)
    except OSError as exc:
        raise InputMissingError(f"cannot read: {exc.strerror}", path=path) from None
    if not head:
        raise MalformedInputError("empty file, not a VCF", path=path)
    if head[:2] == GZIP_MAGIC:
        is_bgzf = len(head) >= 16 and head[3] & 4 and head[12:14] == b"BC"
        if is_bgzf:
            import zlib

            # BCF is BGZF too: inflate just the first bytes of the first block to tell them apart.
            try:
                start = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, 4)
            except zlib.error:
                raise MalformedInputError("corrupt or truncated gzip/BGZF data", path=path) from None
            return "bcf" if start[:3] == b"BCF" else "bgzf"
        return "gzip"
    if head[:3] == b"BCF":
        return "bcf"  # uncompressed BCF
    return "text"


def find_index(path: str) -> str | None:
    for suffix in (".tbi", ".csi"):
        if os.path.exists(path + suffix):
            return path + suffix
    return None


def read_region(path: str, contigs: set[str], regions: list[tuple[int, int]],
                assume_sorted: bool = False) -> RegionRead:
    """Header and the records on ``contigs`` overlapping any of ``regions`` (1-based closed).

    An unindexed file is read whole unless ``assume_sorted`` (see fastscan); a pipe or device
    (``<(bcftools view ...)``) is read once, as a stream."""
    if path == "-":
        return _read_stdin(contigs, regions, assume_sorted)
    if _is_stream(path):
        from her2cli.io import fastscan
        from her2cli.io.sniff import open_binary

        try:
            with open_binary(path, "VCF") as stream:
                return fastscan.read_stream(stream, path, contigs, regions, assume_sorted)
        except OSError as exc:
            raise InputMissingError(f"cannot read: {exc.strerror}", path=path) from None
    kind = sniff(path)
    index = find_index(path) if kind in ("bgzf", "bcf") else None
    stale = [_stale_index_notice(path, index)] if index is not None and _index_is_stale(path, index) else []
    from her2cli.io.tabix import IndexMismatch

    try:
        if index is not None and index.endswith(".tbi") and kind == "bgzf":
            # A tabix index is read in pure Python: no numpy/htslib start-up for a 60 kb region.
            indexed = _read_with_tabix(path, index, contigs, regions)
            if indexed is not None:
                indexed.notices[:0] = stale
                return indexed
        if kind == "bcf" or index is not None:
            if index is not None:
                _check_index(path, index)
            read = _read_with_htslib(path, kind, contigs, regions, use_index=index is not None)
            read.notices[:0] = stale
            return read
    except IndexMismatch as exc:
        # Never trust an index that does not fit the data: read the whole file instead (exact, slower).
        notice = (f"{path}: the index {os.path.basename(index or '')} does not match the data ({exc.message}); "
                  "read the whole file instead (re-index with tabix -f / bcftools index -f)")
        if kind == "bcf":
            read = _read_with_htslib(path, kind, contigs, regions, use_index=False)
        else:
            read = _scan_file(path, contigs, regions, assume_sorted=False)
        read.notices.insert(0, notice)
        return read
    return _scan_file(path, contigs, regions, assume_sorted)


def _check_index(path: str, index: str) -> None:
    """Before htslib queries ``index``: the data must end with the BGZF end-of-file marker, and the index's
    last offset must be the end of the data (IndexMismatch otherwise; see tabix.check_index_covers)."""
    from her2cli.io.bgzf import BgzfFile, is_bgzf, require_eof_marker
    from her2cli.io.tabix import check_index_covers, csi_last_offset, tbi_last_offset

    with open(path, "rb") as fh:
        head = fh.read(18)
        if not is_bgzf(head):
            return  # an uncompressed BCF has neither blocks nor a marker
        size = fh.seek(0, os.SEEK_END)
        require_eof_marker(fh, size, path)
        last = csi_last_offset(index) if index.endswith(".csi") else tbi_last_offset(index)
        if last is None:
            return  # not the index its name says: htslib says what it thinks of it
        check_index_covers(BgzfFile(fh, size, path), last, index)


def _is_stream(path: str) -> bool:
    """A FIFO, character device or socket: it can be read only once, from the start."""
    import stat

    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False  # sniff() says what is wrong
    return stat.S_ISFIFO(mode) or stat.S_ISCHR(mode) or stat.S_ISSOCK(mode)


def _index_is_stale(path: str, index: str) -> bool:
    try:
        return os.stat(index).st_mtime < os.stat(path).st_mtime
    except OSError:
        return False


def _stale_index_notice(path: str, index: str) -> str:
    # htslib's own warning for the same case: "The index file is older than the data file".
    return (f"{path}: the index {os.path.basename(index)} is older than the data file (its offsets and its end "
            "were checked against the data and fit; re-index with tabix -f to be sure)")


def _read_stdin(contigs: set[str], regions: list[tuple[int, int]], assume_sorted: bool = False) -> RegionRead:
    """Text VCF on stdin is streamed; BCF (bgzipped or not, told by its magic bytes) is spooled to a
    temporary file that htslib reads, since BCF needs htslib and htslib cannot share Python's buffer."""
    import tempfile

    stream = sys.stdin.buffer
    head = stream.peek(18)[:18] if hasattr(stream, "peek") else b""
    if not (head[:3] == b"BCF" or (head[:2] == GZIP_MAGIC and len(head) >= 18 and head[12:14] == b"BC"
                                   and _inflated_start(stream) == b"BCF")):
        from her2cli.io import fastscan

        return fastscan.read_stream(stream, "<stdin>", contigs, regions, assume_sorted)
    with tempfile.NamedTemporaryFile(prefix=".her2-stdin-", suffix=".bcf") as spool:
        while True:
            chunk = stream.read(1 << 20)
            if not chunk:
                break
            spool.write(chunk)
        spool.flush()
        try:
            read = _read_with_htslib(spool.name, "bcf", contigs, regions)
        except MalformedInputError as exc:  # name stdin, not the spool file
            raise MalformedInputError(exc.message, path="<stdin>") from None
    read.header.source = "<stdin>"
    return read


def _record_text(variant, path: str) -> str:
    text = str(variant).rstrip("\n")
    if "\0" in text:
        from her2cli.io.lines import nul_byte

        raise nul_byte(path, None, "a record")
    return text


def _check_eof(path: str) -> None:
    """A BGZF (or BGZF-compressed BCF) file must end with its end-of-file marker block (bgzf.missing_eof)."""
    from her2cli.io.bgzf import is_bgzf, require_eof_marker

    with open(path, "rb") as fh:
        if is_bgzf(fh.read(18)):
            require_eof_marker(fh, fh.seek(0, os.SEEK_END), path)


def _inflated_start(stream) -> bytes:
    """The first inflated bytes of a BGZF stream, from bytes peeked (not consumed) off ``stream``."""
    import zlib

    try:
        return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(stream.peek(4096)[:4096], 3)
    except zlib.error:
        return b""


def _read_with_tabix(path: str, index: str, contigs: set[str], regions: list[tuple[int, int]]):
    from her2cli.io import tabix

    return tabix.read_records(path, index, contigs, regions)  # None: not a VCF TBI, htslib reads it


def _scan_file(path: str, contigs: set[str], regions: list[tuple[int, int]], assume_sorted: bool) -> RegionRead:
    from her2cli.io import fastscan

    try:
        fh = open(path, "rb")
    except OSError as exc:
        raise InputMissingError(f"cannot open file ({exc.strerror})", path=path) from None
    with fh:
        return fastscan.read_file(fh, path, contigs, regions, assume_sorted)


def _read_with_htslib(path: str, kind: str, contigs: set[str], regions: list[tuple[int, int]],
                      use_index: bool | None = None) -> RegionRead:
    import cyvcf2

    if use_index is None:
        use_index = find_index(path) is not None
        if use_index:
            _check_index(path, find_index(path))  # type: ignore[arg-type]
        else:
            _check_eof(path)
    elif not use_index:
        _check_eof(path)

    try:
        with quiet_c_stderr():
            vcf = cyvcf2.VCF(path, lazy=True)
    except (OSError, ValueError, Exception) as exc:  # cyvcf2 raises bare Exception for bad headers
        raise MalformedInputError(f"cannot open as {kind.upper()}: {exc}", path=path) from None
    header_lines = [line for line in vcf.raw_header.splitlines() if line]
    header = header_from_lines(header_lines, path)
    lines: list[str] = []
    method = "htslib-index"
    notices: list[str] = []
    try:
        with quiet_c_stderr():
            names = set(vcf.seqnames) if hasattr(vcf, "seqnames") else set()
            if use_index:
                seen: set[str] = set()
                for contig in sorted(contigs & names) if names else sorted(contigs):
                    for start, end in regions:
                        try:
                            hits = vcf(f"{contig}:{start}-{end}")
                        except Exception:
                            continue  # contig absent from the index
                        for variant in hits:
                            text = _record_text(variant, path)
                            if text not in seen:
                                seen.add(text)
                                lines.append(text)
            else:
                method = "htslib-stream"
                for variant in vcf:
                    if variant.CHROM in contigs and in_regions(variant.POS, len(variant.REF), regions):
                        lines.append(_record_text(variant, path))
    except MalformedInputError:
        raise
    except Exception as exc:
        raise MalformedInputError(f"error while reading records: {exc}", path=path) from None
    finally:
        vcf.close()
    # Two windows (both builds) may come back out of order: file order is (contig, position).
    lines.sort(key=lambda text: (text.split("\t", 1)[0], int(text.split("\t", 2)[1])))
    return RegionRead(header, [parse_record(text, path) for text in lines], method, notices)


def bcf_lines(path: str) -> Iterator[str]:
    """Every line of a BCF (header, then records) as VCF text, decoded by htslib through cyvcf2 (the one
    reader of variants where htslib is needed: docs/design.md)."""
    import cyvcf2

    try:
        with quiet_c_stderr():
            vcf = cyvcf2.VCF(path, lazy=True)
    except Exception as exc:  # cyvcf2 raises bare Exception for a bad file
        raise MalformedInputError(f"cannot read as BCF: {exc}", path=path) from None
    try:
        with quiet_c_stderr():
            yield from vcf.raw_header.rstrip("\n").split("\n")
            for variant in vcf:
                yield str(variant).rstrip("\n")
    except Exception as exc:
        raise MalformedInputError(f"cannot read as BCF: {exc}", path=path) from None
    finally:
        vcf.close()
