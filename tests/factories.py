"""Test inputs built in code: small typed calls (the tests' own inputs, not expectations) and BGZF files."""

from __future__ import annotations

import struct
import zlib

from her2cli.copynumber.gene_level import Erbb2Assessment
from her2cli.interpret.evidence import match_call
from her2cli.io import bgzf as bgzf_module
from her2cli.results import CopyNumberCall, MutationCall


def mutation_call(subgroup: str, consequence: str = "missense_variant", name: str | None = "p.X1Y",
                  filt: str | None = "PASS", vaf: float | None = 0.3, sample: str = "S", depth: int | None = 500,
                  oncogenicity: str | None = "oncogenic", origin: str | None = "unknown", **extra) -> MutationCall:
    """A driver by default (oncogenic, origin unknown as in a tumour-only file); pass oncogenicity="vus" etc.
    Its evidence lines are matched as the pipeline matches them. The protein position is read from the name
    (p.L755S -> 755, p.Y772_A775dup -> 772-775) unless given."""
    if name and "protein_position" not in extra:
        import re

        numbers = re.findall(r"[A-Z*](\d+)", name)
        extra["protein_position"] = "-".join(dict.fromkeys(numbers[:2])) if numbers else None
    call = MutationCall(sample=sample, source="t.vcf", chrom="chr17", pos=1, ref="A", alt="C", genome="GRCh38",
                        transcript="NM_004448.4", subgroup=subgroup, consequence=consequence,
                        hgvs_p_short=name or None, filter=filt, vaf=vaf, depth=depth, oncogenicity=oncogenicity,
                        origin=origin, **extra)
    call.evidence = match_call(call)
    return call


def cn_call(status: str, calls: str | list[str] = (), focality: str = "none", copy_number: float = 2.0,
            ratio: float | None = 1.0, sample: str = "S", tumour_copy_number: float | None = None) -> CopyNumberCall:
    called = calls.split(";") if isinstance(calls, str) else list(calls)
    assessment = Erbb2Assessment(
        sample=sample, genome="GRCh38", chrom="chr17", pos=39687914, segment_format="cnvkit", log2=0.0,
        copy_number=copy_number, tumour_copy_number=copy_number if tumour_copy_number is None else tumour_copy_number,
        min_copy_number=copy_number, ploidy=2.0, ploidy_source="default", purity=None, purity_source="none",
        chr17_baseline=2.0, ratio_chr17=ratio, breakpoint_in_gene=False, covered_fraction=1.0, focality=focality,
        amplicon_start=None, amplicon_end=None, amplicon_size=None, co_amplified_genes=[],
        calls=[c for c in called if c], cn_status=status, values_adjusted="raw", min_purity_for_amplification=None)
    call = CopyNumberCall(sample=sample, source="t.cns", assessment=assessment)
    call.evidence = match_call(call)
    return call


def bgzf(data: bytes, block: int = 4000, eof: bool = True) -> bytes:
    """A small-block BGZF writer (SAM spec section 4.1): many blocks, lines across block boundaries, then
    the EOF marker unless ``eof`` is False."""
    out = bytearray()
    for i in range(0, len(data), block):
        chunk = data[i:i + block]
        co = zlib.compressobj(6, zlib.DEFLATED, -15)
        comp = co.compress(chunk) + co.flush()
        out += b"\x1f\x8b\x08\x04\0\0\0\0\0\xff\x06\0BC\x02\0" + struct.pack("<H", len(comp) + 25)
        out += comp + struct.pack("<II", zlib.crc32(chunk), len(chunk))
    if eof:
        out += bgzf_module.EOF_MARKER
    return bytes(out)


def vcf_text(records, samples=("TUMOR",), genotypes=None, contigs: dict[str, int] | None = None) -> str:
    """A small GRCh38 VCF: ``records`` are (chrom, pos, ref, alt); each sample gets GT:AD:DP ``0/1:30,20:50``
    unless ``genotypes`` gives its cells; ``contigs`` (name -> length) are declared in the header."""
    lines = ["##fileformat=VCFv4.2", "##reference=GRCh38",
             '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
             '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">',
             '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Depth">']
    lines += [f"##contig=<ID={c},length={n}>" for c, n in (contigs or {}).items()]
    lines.append("\t".join(["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT", *samples]))
    cells = genotypes or ["0/1:30,20:50"] * len(samples)
    lines += ["\t".join([c, str(p), ".", r, a, ".", "PASS", ".", "GT:AD:DP", *cells]) for c, p, r, a in records]
    return "\n".join(lines) + "\n"
