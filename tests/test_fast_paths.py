"""Issue #6: every fast path (tabix index, BGZF seek, raw-byte scans of gzip and plain text, stdin)
gives byte-identical output to the plain streaming path, on a generated file big enough (> 1 MB of
BGZF) for the seeking path to be taken rather than a full read."""

from __future__ import annotations

import gzip
import random
import subprocess
import sys

import pysam
import pytest

from her2cli.genome import CHR17_NAMES
from her2cli.io.vcf import read_region

CONTIGS = [f"chr{i}" for i in range(1, 23)]
LENGTHS = {"chr17": 83257441}
ERBB2_38 = (39687914, 39730426)
# Planted ERBB2 variants with published names (GRCh38): S310F, L755S, the YVMA duplication.
PLANTED = [(39711955, "C", "T"), (39723967, "T", "C"), (39724730, "C", "CATACGTGATGGC")]


def _write_vcf(path, n_per_contig=4000, seed=7):
    rng = random.Random(seed)
    lines = ["##fileformat=VCFv4.2", "##reference=GRCh38"]
    lines += [f"##contig=<ID={c},length={LENGTHS.get(c, 100_000_000)}>" for c in CONTIGS]
    lines += ['##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
              '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">',
              '##INFO=<ID=DP,Number=1,Type=Integer,Description="Depth">',
              "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tTUMOR"]
    for contig in CONTIGS:
        positions = sorted(rng.sample(range(1_000, 80_000_000), n_per_contig))
        records = [(p, rng.choice("ACGT"), None) for p in positions]
        if contig == "chr17":
            records = [r for r in records if not ERBB2_38[0] - 5 <= r[0] <= ERBB2_38[1] + 5]
            records += [(p, ref, alt) for p, ref, alt in PLANTED]
            records.sort()
        for pos, ref, alt in records:
            if alt is None:
                # Intergenic filler (REF bases are only checked inside ERBB2 exons, where we plant).
                alt = rng.choice([b for b in "ACGT" if b != ref])
            dp = rng.randint(20, 400)
            ad = rng.randint(1, dp)
            lines.append(f"{contig}\t{pos}\t.\t{ref}\t{alt}\t{rng.randint(10, 999)}\tPASS\tDP={dp}\t"
                         f"GT:AD\t0/1:{dp - ad},{ad}")
    path.write_text("\n".join(lines) + "\n")


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("fast")
    plain = tmp / "g.vcf"
    _write_vcf(plain)
    gz = tmp / "g.gzip.vcf.gz"
    gz.write_bytes(gzip.compress(plain.read_bytes(), compresslevel=1))
    bgz = tmp / "g.bgz.vcf.gz"
    pysam.tabix_compress(str(plain), str(bgz))
    tbi = tmp / "g.tbi.vcf.gz"
    pysam.tabix_compress(str(plain), str(tbi))
    pysam.tabix_index(str(tbi), preset="vcf")
    return {"plain": plain, "gzip": gz, "bgzip": bgz, "tabix": tbi}


def test_generated_file_takes_the_seek_path(generated):
    assert generated["bgzip"].stat().st_size > 1_000_000
    methods = {kind: read_region(str(path), CHR17_NAMES, [ERBB2_38]).method for kind, path in generated.items()}
    assert methods["bgzip"] == "bgzf-seek"
    assert methods["tabix"] == "tabix-index"
    reads = {kind: read_region(str(path), CHR17_NAMES, [ERBB2_38]).lines for kind, path in generated.items()}
    assert len(reads["plain"]) == 3
    for kind, lines in reads.items():
        assert lines == reads["plain"], kind


def test_cli_output_identical_across_paths(generated):
    outputs = {}
    for kind, path in generated.items():
        proc = subprocess.run([sys.executable, "-m", "her2cli", "annotate", str(path), "-f", "tsv"],
                              capture_output=True, timeout=120)
        assert proc.returncode == 0, (kind, proc.stderr)
        outputs[kind] = proc.stdout
    with open(generated["plain"], "rb") as handle:
        proc = subprocess.run([sys.executable, "-m", "her2cli", "annotate", "-", "-f", "tsv"], stdin=handle,
                              capture_output=True, timeout=120)
    outputs["stdin"] = proc.stdout
    names = [line.split(b"\t")[10] for line in outputs["plain"].splitlines()[1:]]
    assert names == [b"c.929C>T", b"c.2264T>C", b"c.2313_2324dup"]
    for kind, text in outputs.items():
        assert text == outputs["plain"], kind
