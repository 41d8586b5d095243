"""MAF reading speed: ``read_maf`` on a generated 1,000,000-row MAF, side by side with
``LC_ALL=C grep -c ERBB2`` on the same file (target: no more than 2x grep, flat memory).

    python benchmarks/maf_speed.py [rows]

Two files are written (benchmarks/data/, git-ignored), both with the 45 columns of a cBioPortal
MSK-IMPACT MAF, 2,000 samples, rows on every chromosome, and one ERBB2 row in 2,000 (on chr17
inside the gene, with some look-alike chr17 rows at the ERBB2 positions of the other build):
speed_<rows>_grouped.maf has the rows of each sample together, as MAFs are written (cBioPortal,
GDC, GENIE), and speed_<rows>.maf has the samples in random order (the worst case for collecting
barcodes). Each file is read once first so both tools see it in the page cache; then grep and a
fresh ``read_maf`` process per block scanner (the compiled one where the install built it, and the
plain-Python fallback) take turns, five times, and the best time of each counts (the machine is shared, so
the best run is the one least disturbed). CPU is the process's (``time.process_time``)
and, separately, the reading thread's (``time.thread_time``). The probe runs with
``OPENBLAS_NUM_THREADS=1``, as the ``her2`` command sets it (numpy's OpenBLAS would otherwise start
worker threads that spin after import and count in the process figure).
Peak RSS of ``read_maf`` is the child's ``VmHWM`` (/proc/self/status; ``ru_maxrss`` would also count the
parent's memory, which a child started by vfork carries until it execs). The whole command, ``her2 annotate FILE -f tsv -q``
(start-up, reading, annotation of the ERBB2 rows and one verdict per sample included; numpy is not
imported), is timed the same way and printed beside it.
"""

from __future__ import annotations

import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
HER2 = str(Path(sys.executable).with_name("her2"))
COLUMNS = (
    "Hugo_Symbol Entrez_Gene_Id Center NCBI_Build Chromosome Start_Position End_Position Strand Consequence "
    "Variant_Classification Variant_Type Reference_Allele Tumor_Seq_Allele1 Tumor_Seq_Allele2 dbSNP_RS "
    "dbSNP_Val_Status Tumor_Sample_Barcode Matched_Norm_Sample_Barcode Match_Norm_Seq_Allele1 "
    "Match_Norm_Seq_Allele2 Tumor_Validation_Allele1 Tumor_Validation_Allele2 Match_Norm_Validation_Allele1 "
    "Match_Norm_Validation_Allele2 Verification_Status Validation_Status Mutation_Status Sequencing_Phase "
    "Sequence_Source Validation_Method Score BAM_File Sequencer t_ref_count t_alt_count n_ref_count "
    "n_alt_count HGVSc HGVSp HGVSp_Short Transcript_ID RefSeq Protein_position Codons Hotspot"
).split()
GENES = [("TP53", "17", 7577120), ("KRAS", "12", 25398284), ("EGFR", "7", 55249071), ("STK11", "19", 1220500),
         ("KEAP1", "19", 10600400), ("BRAF", "7", 140453136), ("PIK3CA", "3", 178936091),
         ("CDK12", "17", 37627000), ("GRB7", "17", 37897000), ("APC", "5", 112175000),
         ("NF1", "17", 29500000), ("LRP1B", "2", 141200000), ("ERBB4", "2", 212500000)]


def generate(path: Path, rows: int, grouped: bool) -> None:
    rng = random.Random(13)
    samples = [f"P-{i:07d}-T01-IM6" for i in range(2000)]
    per_sample = -(-rows // len(samples))
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as out:
        out.write("#version 2.4\n" + "\t".join(COLUMNS) + "\n")
        for i in range(rows):
            sample = samples[i // per_sample] if grouped else rng.choice(samples)
            if i % 2000 == 7:
                gene, chrom, pos = "ERBB2", "17", 37880220 + rng.randrange(-20000, 4000)
            elif i % 5000 == 11:  # chr17 at the GRCh38 ERBB2 window in a GRCh37 file: a look-alike
                gene, chrom, pos = "Unknown", "17", 39700000 + rng.randrange(20000)
            else:
                gene, chrom, start = rng.choice(GENES)
                pos = start + rng.randrange(5000)
            ref = rng.choice("ACGT")
            alt = rng.choice([b for b in "ACGT" if b != ref])
            values = [gene, "0", "mskcc.org", "GRCh37", chrom, str(pos), str(pos), "+", "missense_variant",
                      "Missense_Mutation", "SNP", ref, ref, alt, "", "", sample, "s_Normal_Pooled", ref, ref,
                      "", "", "", "", "", "", "SOMATIC", "", "", "", "", "", "", str(rng.randrange(300)),
                      str(rng.randrange(100)), str(rng.randrange(300)), "0", "ENST00000269571.5:c.2264T>C",
                      "p.Leu755Ser", "p.L755S", "ENST00000269571", "NM_004448.2", "755", "tTg/tCg", "0"]
            out.write("\t".join(values) + "\n")


def timed(command: list[str]) -> tuple[float, float, str]:
    """Wall time, CPU time (user + system) and output of one run of ``command``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "LC_ALL": "C"}, check=True)
    wall = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, done.stdout.strip()


PROBE = (
    "import sys, time\n"
    "from her2cli.io import maf\n"
    "import her2cli.reference.transcript\n"
    "maf.SCANNER = sys.argv[2]\n"
    "if maf.SCANNER == 'plain':\n"
    "    import her2cli.io.mafscan_plain\n"
    "t, cpu, own = time.perf_counter(), time.process_time(), time.thread_time()\n"
    "r = maf.read_maf(sys.argv[1])\n"
    "took = f'{time.perf_counter() - t:.4f} {time.process_time() - cpu:.4f} {time.thread_time() - own:.4f}'\n"
    "peak = next(l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM:'))\n"
    "print(f'{took} '\n"
    "      f'{len(r.records)} {len(r.samples)} {peak}')\n"
)


def scanners() -> list[str]:
    """The block scanners this install has: the compiled one (when built) and the plain-Python fallback."""
    built = subprocess.run([sys.executable, "-c", "from her2cli.io import maf; print(maf.SCANNER)"],
                           capture_output=True, text=True, check=True).stdout.strip()
    return ["compiled", "plain"] if built == "compiled" else ["plain"]


def measure(path: Path, runs: int = 5) -> None:
    with open(path, "rb") as warm:
        while warm.read(1 << 24):
            pass
    kinds = scanners()
    grep_wall = grep_cpu = command_wall = float("inf")
    ours = {kind: [float("inf")] * 3 for kind in kinds}  # wall, process CPU, reading thread's CPU
    peak = {kind: 0 for kind in kinds}
    for _ in range(runs):
        wall, cpu, grep_count = timed(["grep", "-c", "ERBB2", str(path)])
        grep_wall, grep_cpu = min(grep_wall, wall), min(grep_cpu, cpu)
        for kind in kinds:
            out = subprocess.run([sys.executable, "-c", PROBE, str(path), kind], capture_output=True, text=True,
                                 check=True, env={**os.environ, "OPENBLAS_NUM_THREADS": "1"}).stdout.split()
            ours[kind] = [min(best, float(value)) for best, value in zip(ours[kind], out[:3])]
            records, samples, peak[kind] = int(out[3]), int(out[4]), max(peak[kind], int(out[5]))
        began = time.perf_counter()
        subprocess.run([HER2, "annotate", str(path), "-f", "tsv", "-q"], stdout=subprocess.DEVNULL, check=True)
        command_wall = min(command_wall, time.perf_counter() - began)
    print(f"file: {path.name}, {path.stat().st_size / 1e6:.0f} MB")
    print(f"  grep -c ERBB2: {grep_wall:.3f} s wall, {grep_cpu:.3f} s CPU ({grep_count} lines; "
          "CPU includes process start)")
    for kind in kinds:
        wall, cpu, thread = ours[kind]
        print(f"  read_maf ({kind} scanner): {wall:.3f} s wall, {cpu:.3f} s CPU ({records} ERBB2-region records, "
              f"{samples} samples; inside the process, imports excluded); peak RSS {peak[kind] / 1024:.0f} MB")
        print(f"    ratio to grep: {wall / grep_wall:.2f} wall, {cpu / grep_cpu:.2f} CPU, "
              f"{thread / grep_cpu:.2f} CPU of the reading thread ({thread:.3f} s)")
    print(f"  her2 annotate {path.name} -f tsv -q ({kinds[0]} scanner): {command_wall:.3f} s wall, "
          f"{command_wall / grep_wall:.2f}x grep (the whole command: start-up, reading, annotation, verdicts, output)")


def main(rows: int) -> None:
    for grouped, suffix in ((True, "_grouped"), (False, "")):
        path = HERE / "data" / f"speed_{rows}{suffix}.maf"
        if not path.exists():
            generate(path, rows, grouped)
        measure(path)
    for modules in ("her2cli.io.maf", "her2cli.io.maf, her2cli.io.mafscan_plain"):
        baseline = subprocess.run([sys.executable, "-c", f"import resource, {modules}, her2cli.reference.transcript"
                                   "\nprint(next(l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM:')))"],
                                  capture_output=True, text=True, check=True).stdout.strip()
        print(f"RSS of the interpreter with {modules} imported: {int(baseline) / 1024:.0f} MB")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
