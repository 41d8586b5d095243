"""Which kind of variant file an input is: a VCF/BCF or a MAF, decided from its first bytes.

A name ending in .maf/.maf.gz says MAF at once; anything else is decided by content: BCF magic or a
``##fileformat=VCF`` / ``#CHROM`` line means VCF, a tab-separated header naming ``Tumor_Sample_Barcode``
means MAF. Standard input is sniffed too: the bytes read to decide are put back in front of the stream, so
that the reader chosen sees the whole input.
"""

from __future__ import annotations

import io
import os
import stat
import sys
import zlib

from her2cli.io.lines import Prepended, read_full

__all__ = ["VCF", "MAF", "Prepended", "open_binary", "kind_of_head", "input_kind"]

VCF = "vcf"
MAF = "maf"

_SNIFF_BYTES = 1 << 16
_MAF_SUFFIXES = (".maf", ".maf.gz", ".maf.txt", ".maf.tsv")


def open_binary(path: str, kind: str):
    """``path`` opened for binary reading; a missing file, a folder or another failure is one clear
    InputMissingError naming the file (``kind`` says what it should have been: "VCF", "MAF")."""
    from her2cli.errors import InputMissingError
    from her2cli.io.lines import is_stream, open_input, take_opened

    opened = take_opened(path)  # a stream whose first bytes input_kind read: those bytes are put back
    if opened is not None:
        return opened
    if is_stream(path):
        return open_input(path, f"{kind} file")  # hashed as it is read (lines.digest_of_read)
    try:
        return open(path, "rb")
    except FileNotFoundError as exc:
        raise InputMissingError("no such file", path=path) from exc
    except IsADirectoryError as exc:
        raise InputMissingError(f"is a directory, not a {kind} file", path=path) from exc
    except OSError as exc:
        raise InputMissingError(f"cannot open file ({exc.strerror})", path=path) from exc


def _text_head(head: bytes) -> str:
    """The first bytes as text, inflated when gzip/BGZF (as far as the head goes)."""
    if head[:2] == b"\x1f\x8b":
        try:
            head = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, _SNIFF_BYTES)
        except zlib.error:
            return ""
    return head.decode("utf-8", errors="replace")


def kind_of_head(head: bytes, name: str = "") -> str:
    """VCF or MAF from a name and the first bytes; VCF when nothing says MAF (the VCF reader then gives its
    own precise error)."""
    if name.lower().endswith(_MAF_SUFFIXES):
        return MAF
    text = _text_head(head)
    if text.startswith("BCF") or "##fileformat=VCF" in text[:200] or text.startswith("#CHROM"):
        return VCF
    for line in text.splitlines():
        if line.startswith("#") and not line.lower().startswith("#hugo_symbol"):
            continue
        if not line.strip():
            continue
        return MAF if "tumor_sample_barcode" in line.lower() else VCF
    return VCF


def input_kind(path: str) -> str:
    """VCF or MAF for a path or '-' (stdin, which is re-wound for the reader)."""
    if path == "-":
        raw = sys.stdin.buffer
        head = read_full(raw, _SNIFF_BYTES)
        sys.stdin = io.TextIOWrapper(io.BufferedReader(Prepended(head, raw)), encoding="utf-8", newline="")
        return kind_of_head(head)
    if path.lower().endswith(_MAF_SUFFIXES):
        return MAF
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            # A pipe (<(bcftools view ...)) cannot be read twice: its first bytes are read once and put back
            # for the reader (io.lines.peek).
            from her2cli.errors import Her2Error
            from her2cli.io.lines import peek

            try:
                return kind_of_head(peek(path, _SNIFF_BYTES, "input"), path)
            except Her2Error:
                return VCF  # the VCF reader reports it with its usual message
        with open(path, "rb") as handle:
            head = handle.read(_SNIFF_BYTES)
    except OSError:
        return VCF  # the VCF reader reports the missing/unreadable file with its usual message
    return kind_of_head(head, path)
