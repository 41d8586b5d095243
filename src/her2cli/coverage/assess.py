"""Per-exon and per-hotspot coverage of ERBB2, and the decision behind a negative (docs/coverage.md).

Exons and codons come from the bundled transcript (NM_004448.4, ``reference/transcript.py``): the coding
bases of each exon, and the genomic bases of each hotspot codon. A negative is reported (``assessed``) only
when every coding base of every exon that holds a hotspot (the *driver exons*: 8, 17, 19, 20 and 21) is
targeted and read by at least ``min_depth`` reads; otherwise the basis names the exons that fall short.
"""

from __future__ import annotations

from typing import Optional, Sequence

from her2cli.reference.transcript import Transcript, load_transcript

from .lod import limit_of_detection, min_purity_for_detection
from .model import NOT_IN_TARGETS, CoverageAssessment, ExonCoverage, HotspotCoverage

_BOSE = "Bose et al., Cancer Discov 2013;3(2):224-237, PMID 23220880 (activating kinase-domain mutations)"
_PAHUJA = "Pahuja et al., Cancer Cell 2018;34(5):792-806 (activating transmembrane/juxtamembrane mutations)"
_ECD = "Greulich et al., PNAS 2012;109(36):14476-14481 (S310F/Y activating, extracellular domain)"
_EX20 = "OncoKB ERBB2 'Exon 20 In-Frame Insertions (770_831ins)' (shared/knowledge/her2_nsclc_facts.md 4.5)"

# (label, first codon, last codon, source): the hotspot list; each is a recurrent activating site.
HOTSPOTS: tuple[tuple[str, int, int, str], ...] = (
    ("S310", 310, 310, _ECD),
    ("V659", 659, 659, _PAHUJA),
    ("G660", 660, 660, _PAHUJA),
    ("R678", 678, 678, _PAHUJA),
    ("L755", 755, 755, _BOSE),
    ("D769", 769, 769, _BOSE),
    ("770-831 (exon 20 insertions)", 770, 831, _EX20),
    ("V777", 777, 777, _BOSE),
    ("V842", 842, 842, _BOSE),
)


def coding_exons(genome: str, tx: Optional[Transcript] = None) -> list[tuple[int, int, int]]:
    """(exon number, first coding base, last coding base) of every exon with coding bases, genomic order."""
    tx = tx or load_transcript()
    model = tx.builds[genome]
    out = []
    for exon in model.exons:
        start, end = max(exon.start, model.cds_start), min(exon.end, model.cds_end)
        if start <= end:
            out.append((exon.number, start, end))
    return out


def c_to_genomic(tx: Transcript, genome: str, c_pos: int) -> int:
    """The genomic position of coding position c.``c_pos`` (exonic)."""
    n = c_pos + tx.utr5_length
    for exon in tx.builds[genome].exons:
        if exon.tx_start <= n <= exon.tx_end:
            return exon.start + n - exon.tx_start
    raise ValueError(f"c.{c_pos} is not exonic")


def hotspot_spans(genome: str, tx: Optional[Transcript] = None) -> list[tuple[str, int, int, int, int, int, str]]:
    """(label, first codon, last codon, exon, genomic start, genomic end, source) of each hotspot."""
    tx = tx or load_transcript()
    out = []
    for label, first, last, source in HOTSPOTS:
        start = c_to_genomic(tx, genome, 3 * first - 2)
        end = c_to_genomic(tx, genome, 3 * last)
        exon = tx.exon_index_at(genome, start)
        out.append((label, first, last, tx.builds[genome].exons[exon].number, start, end, source))
    return out


def driver_exons(genome: str) -> set[int]:
    return {span[3] for span in hotspot_spans(genome)}


def _in_targets(pos: int, targets: Sequence[tuple[int, int]]) -> bool:
    return any(start <= pos <= end for start, end in targets)


def assess(genome: str, kind: str, source: Optional[str], min_depth: int, min_alt_reads: int,
           depths: Optional[dict[int, Sequence[float]]] = None, shares: Optional[dict[int, float]] = None,
           targets: Optional[Sequence[tuple[int, int]]] = None, targets_source: Optional[str] = None,
           notes: Optional[list[str]] = None) -> CoverageAssessment:
    """The coverage assessment of one sample.

    ``depths``: {exon number: depth of each coding base, in genomic order} (BAM, CRAM, mosdepth, gVCF);
    ``shares``: {exon number: share of coding bases >= min_depth} when only that is known (mosdepth thresholds);
    neither: targets only (what the panel covers, not how deeply). ``targets``: the panel's chr17 intervals
    (1-based closed), None when not given.
    """
    import statistics

    tx = load_transcript()
    drivers = driver_exons(genome)
    exons: list[ExonCoverage] = []
    for number, start, end in coding_exons(genome, tx):
        targeted = [pos for pos in range(start, end + 1) if targets is None or _in_targets(pos, targets)]
        values = list(depths[number]) if depths is not None and number in depths else None
        median = low = share = None
        if values is not None:
            if targets is not None:  # bases outside the panel are not read by it, whatever a file says
                values = [v if _in_targets(start + i, targets) else 0 for i, v in enumerate(values)]
            median, low = float(statistics.median(values)), float(min(values))
            share = sum(1 for v in values if v >= min_depth) / len(values)
        elif shares is not None and number in shares:
            share = shares[number]
        exons.append(ExonCoverage(number, start, end, len(targeted), median, low, share, number in drivers))
    by_number = {e.exon: e for e in exons}
    hotspots = []
    for label, first, last, exon, start, end, src in hotspot_spans(genome, tx):
        depth = lod = purity = None
        if depths is not None and exon in depths:
            e = by_number[exon]
            values = list(depths[exon])[start - e.start:end - e.start + 1]
            if targets is not None:
                values = [v if _in_targets(start + i, targets) else 0 for i, v in enumerate(values)]
            depth = float(min(values))
            lod = limit_of_detection(int(depth), min_alt_reads)
            purity = min_purity_for_detection(lod)
        hotspots.append(HotspotCoverage(label, first, last, exon, start, end, depth, lod, purity, src))
    assessed, basis = _decide(exons, hotspots, kind, source, min_depth, targets, depths, shares)
    return CoverageAssessment(kind=kind, source=source, genome=genome, min_depth=min_depth,
                              min_alt_reads=min_alt_reads, assessed=assessed, basis=basis, targets=targets_source,
                              exons=exons, hotspots=hotspots, notes=list(notes or []))


def _percent(share: float) -> str:
    text = f"{100 * share:.0f}%"
    if text == "100%" and share < 1:
        return ">99%"
    if text == "0%" and share > 0:
        return "<1%"
    return text


def _decide(exons: list[ExonCoverage], hotspots: list[HotspotCoverage], kind: str, source: Optional[str],
            min_depth: int, targets, depths, shares) -> tuple[bool, str]:
    drivers = [e for e in exons if e.driver]
    if targets is not None and not any(e.bases_targeted for e in exons):
        return False, NOT_IN_TARGETS
    untargeted = [e for e in drivers if e.bases_targeted < e.length]
    if untargeted:
        parts = [f"exon {e.exon}: {_percent(e.bases_targeted / e.length)} of bases in the panel's targets"
                 for e in untargeted]
        return False, "; ".join(parts)
    if depths is None and shares is None:
        # Targets alone say what the panel covers, not how deeply: the negative stays, unqualified by depth.
        return True, "driver exons 8, 17, 19, 20, 21 in the panel's targets; depth not given"
    short = [e for e in drivers if e.share_at_min_depth is None or e.share_at_min_depth < 1.0]
    if short:
        groups: dict[str, list[int]] = {}
        for e in short:
            what = ("depth unknown" if e.share_at_min_depth is None else
                    f"{_percent(e.share_at_min_depth)} of bases >= {min_depth}x")
            groups.setdefault(what, []).append(e.exon)
        return False, "; ".join(f"exon{'s' if len(numbers) > 1 else ''} {', '.join(map(str, numbers))}: {what}"
                                for what, numbers in groups.items())
    numbers = ", ".join(str(e.exon) for e in drivers)
    lods = [h.lod_vaf for h in hotspots if h.lod_vaf is not None]
    text = f"exons {numbers}: 100% of bases >= {min_depth}x ({kind})"
    if lods:
        text += f"; hotspot LoD VAF <= {100 * max(lods):.1f}%"
    return True, text
