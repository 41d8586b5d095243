"""Depth from the VCF itself when it is a genome VCF (docs/coverage.md).

A gVCF (GATK HaplotypeCaller ``-ERC GVCF``, bcftools ``call -g``, DeepVariant, Illumina Pisces/Strelka genome
VCFs) writes every callable position: reference blocks (``<NON_REF>``/``<*>`` ALT with ``END`` and ``MIN_DP``,
or single reference sites with ALT ``.``) and variant records. A base no record covers was not callable: depth 0.
Depth of a block: its ``MIN_DP`` (GATK, DeepVariant: the lowest depth in the block), else INFO ``MinDP``
(bcftools ``call -g``), else its ``DP``; of a variant record: ``DP`` over its REF bases.
"""

from __future__ import annotations

from typing import Optional, Sequence

_BLOCK_ALTS = ("<NON_REF>", "<*>")


def header_says_gvcf(lines: Sequence[str]) -> bool:
    """GATK's ##GVCFBlock lines, or a declared <NON_REF>/<*> allele."""
    return any(line.startswith(("##GVCFBlock", "##ALT=<ID=NON_REF", "##ALT=<ID=*,")) for line in lines)


def record_is_reference_block(record) -> bool:
    if any(alt in _BLOCK_ALTS for alt in record.alts):
        return True
    info = record.info()
    return not record.alts and ("END" in info or "DP" in info or "MinDP" in info)  # a genome VCF's reference site


def first_record_is_reference_block(path: str) -> bool:
    """Whether the file's first data record is a reference block or site (a genome VCF with no record near
    ERBB2 says so nowhere else). Reads the header and one record; False for unreadable or binary files."""
    import gzip

    from her2cli.io.vcf import parse_record

    try:
        with open(path, "rb") as raw:
            magic = raw.read(2)
        opener = gzip.open if magic == b"\x1f\x8b" else open
        with opener(path, "rt", encoding="utf-8", errors="replace") as handle:
            for line in handle:
                if not line.startswith("#"):
                    return record_is_reference_block(parse_record(line, path))
    except Exception:  # noqa: BLE001 - a BCF, stdin, or anything odd: not a genome VCF we can read this way
        return False
    return False


def _value(record, key: str, sample: Optional[int]) -> Optional[int]:
    if sample is not None and key in record.format_keys and sample < len(record.sample_columns):
        values = record.sample_columns[sample].split(":")
        index = record.format_keys.index(key)
        if index < len(values):
            try:
                return int(values[index])
            except ValueError:
                pass
    info = record.info()
    if key in info:
        try:
            return int(info[key])
        except ValueError:
            return None
    return None


def depths_from_records(records, intervals: Sequence[tuple[int, int]], sample: Optional[int]) -> list[list[int]]:
    """Per-base depth over each interval (1-based closed) from gVCF records; 0 where no record lies."""
    out = [[0] * (end - start + 1) for start, end in intervals]
    for record in records:
        block = record_is_reference_block(record)
        info = record.info()
        end_text = info.get("END") if block else None
        last = int(end_text) if end_text and end_text.isdigit() else record.pos + len(record.ref) - 1
        depth = _value(record, "MIN_DP", sample) if block else None  # GATK, DeepVariant
        if depth is None and block:
            depth = _value(record, "MinDP", None)  # bcftools call -g: INFO/MinDP
        if depth is None:
            depth = _value(record, "DP", sample)
        if depth is None:
            continue
        for (start, end), values in zip(intervals, out):
            for pos in range(max(start, record.pos), min(end, last) + 1):
                values[pos - start] = max(values[pos - start], depth) if not block else depth
    return out
