"""``--format vcf``: the input's ERBB2 records with a VEP-CSQ-like ``HER2`` INFO annotation.

What is written
    * The input VCF's own ``##`` header lines (an existing ``HER2`` INFO declaration and earlier
      ``##her2cli_*`` lines are replaced), then::

        ##INFO=<ID=HER2,Number=.,Type=String,Description="her2cli annotation: Allele|...">
        ##her2cli_version=0.1.0
        ##her2cli_command=her2 annotate tumour.vcf --format vcf
        ##her2cli_transcript=NM_004448.4
        ##her2cli_genome=GRCh38
        ##her2cli_note=...            (copy-number results, re-constructed records)

      and the input's ``#CHROM`` line (same sample columns).
    * Only the records behind the mutation rows (the reported ERBB2 alleles; FILTER-failed and
      no-alt-read alleles only with ``--all-records``), unchanged except for ``HER2`` appended to
      INFO. Records come out in the order the input has them.
    * ``HER2`` holds one entry per annotated ALT of the record, comma-separated (``Number=.``),
      each the ``|``-joined fields of ``HER2_FIELDS``. ``Allele`` is the record's ALT as written in
      the input, so an entry maps to its ALT even when the row's own pos/ref/alt were
      left-aligned or trimmed. Empty field = not applicable.
    * Characters with a meaning in INFO or in the entry (``%`` ``:`` ``;`` ``=`` ``,`` ``|``,
      space, tab, CR, LF) are percent-encoded (VCF 4.3 section 1.2), e.g. the domain
      ``kinase domain`` is written ``kinase%20domain``.
    * Copy-number rows have no VCF representation here; a ``##her2cli_note`` header line says so
      (use ``--format tsv``/``json`` for them).
    * Standard input (``-``) cannot be read twice, so its records are re-built from the rows
      (sites only: CHROM, POS, REF, ALT, FILTER and ``HER2``; a note line says so).

One VCF per run: several input VCFs raise ``UsageError`` (exit code 2).
"""

from __future__ import annotations

import shlex
import sys

from her2cli.errors import EXIT_USAGE, Her2Error
from her2cli.report.columns import alteration_row

HER2_FIELDS = [
    "Allele", "hgvs_c", "hgvs_p", "hgvs_p_short", "consequence", "exon", "domain", "subgroup", "legacy_name",
]

INFO_HEADER = (
    '##INFO=<ID=HER2,Number=.,Type=String,Description="her2cli annotation of ERBB2 NM_004448.4, one entry '
    'per annotated ALT. Format: ' + "|".join(HER2_FIELDS) + '">'
)

# VCF 4.3 section 1.2 percent-encoding, plus '|' (our field separator) and space (VCF 4.2 forbids it).
_ENCODE = {"%": "%25", ":": "%3A", ";": "%3B", "=": "%3D", ",": "%2C", "|": "%7C", " ": "%20",
           "\t": "%09", "\r": "%0D", "\n": "%0A"}

_COLUMNS = ["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO"]


class UsageError(Her2Error):
    """A format/option combination that cannot work (exit code 2)."""

    exit_code = EXIT_USAGE


def encode_value(value: object) -> str:
    """Percent-encode one annotation field (None -> empty)."""
    if value is None:
        return ""
    return "".join(_ENCODE.get(ch, ch) for ch in str(value))


def her2_entry(row: dict) -> str:
    """The '|'-joined HER2 entry of one mutation row."""
    values = [row.get("input_alt") or row.get("alt")] + [row.get(name) for name in HER2_FIELDS[1:]]
    return "|".join(encode_value(v) for v in values)


def _default_command() -> str:
    return "her2 " + " ".join(shlex.quote(arg) for arg in sys.argv[1:])


def _with_her2(info_text: str, entries: list[str]) -> str:
    kept = [item for item in info_text.split(";") if item and item != "." and item.partition("=")[0] != "HER2"]
    kept.append("HER2=" + ",".join(entries))
    return ";".join(kept)


def _record_key(chrom: str, pos: int, ref: str) -> tuple[str, int, str]:
    return (chrom, int(pos), ref.upper())


def render_vcf(results, input_paths: list[str], command: str | None = None) -> str:
    """The annotated VCF of one run (see module docstring). ``command`` defaults to ``her2`` + argv."""
    paths = list(input_paths or [])
    if len(paths) != 1:
        if not paths:
            raise UsageError("--format vcf needs an input VCF (copy-number results alone have no VCF form)")
        raise UsageError("--format vcf takes one input VCF")
    path = paths[0]
    mutations = [alteration_row(call) for result in results for call in result.mutations]
    has_cn = any(result.copy_numbers for result in results)
    genome = next((r.genome for r in results if r.genome), None) or next(
        (row.get("genome") for row in mutations if row.get("genome")), None)

    # Entries per input record, ALTs in input order.
    by_record: dict[tuple[str, int, str], list[dict]] = {}
    for row in mutations:
        if row.get("input_pos") is None or not row.get("input_ref"):
            continue
        key = _record_key(str(row["chrom"]), int(row["input_pos"]), str(row["input_ref"]))
        by_record.setdefault(key, []).append(row)

    notes: list[str] = []
    if has_cn:
        notes.append("copy-number results are not represented in this VCF (use --format tsv or json)")

    if path == "-":
        header_lines, column_line, body = _from_rows(by_record, genome)
        notes.append("standard input cannot be re-read: records re-built from the annotation (sites only)")
    else:
        header_lines, column_line, body = _from_input(path, by_record, genome)

    out = [line for line in header_lines
           if not line.startswith("##INFO=<ID=HER2,") and not line.startswith("##her2cli_")]
    from her2cli import __version__

    out.append(INFO_HEADER)
    out.append(f"##her2cli_version={__version__}")
    out.append(f"##her2cli_command={command if command is not None else _default_command()}")
    transcript = next((row.get("transcript") for row in mutations if row.get("transcript")), "NM_004448.4")
    out.append(f"##her2cli_transcript={transcript}")
    if genome:
        out.append(f"##her2cli_genome={genome}")
    for note in notes:
        out.append(f"##her2cli_note={note}")
    out.append(column_line)
    out.extend(body)
    return "\n".join(out) + "\n"


def _entries(record_alts: list[str], rows: list[dict]) -> list[str]:
    order = {alt.upper(): i for i, alt in enumerate(record_alts)}
    rows = sorted(rows, key=lambda r: order.get(str(r.get("input_alt") or "").upper(), len(order)))
    return [her2_entry(row) for row in rows]


def _from_input(path: str, by_record: dict, genome: str | None) -> tuple[list[str], str, list[str]]:
    from her2cli.reference.builds import CHR17_NAMES
    from her2cli.io.vcf import parse_record, read_region
    from her2cli.reference.transcript import GENOMES, load_transcript

    tx = load_transcript()
    builds = [genome] if genome in GENOMES else list(GENOMES)
    regions = [(tx.builds[g].gene_start, tx.builds[g].gene_end) for g in builds]
    read = read_region(path, CHR17_NAMES, regions)
    columns = _COLUMNS + (["FORMAT"] + read.header.samples if read.header.samples else [])
    body: list[str] = []
    done: set[tuple[str, int, str]] = set()
    for text in read.lines:
        record = parse_record(text, read.header.source)
        key = _record_key(record.chrom, record.pos, record.ref)
        alts = {a.upper() for a in record.alts}
        rows = [r for r in by_record.get(key, ()) if str(r.get("input_alt") or "").upper() in alts]
        if not rows or key in done:
            continue
        done.add(key)
        fields = text.rstrip("\r\n").split("\t")
        fields[7] = _with_her2(fields[7], _entries(record.alts, rows))
        body.append("\t".join(fields))
    return list(read.header.lines), "\t".join(columns), body


def _from_rows(by_record: dict, genome: str | None) -> tuple[list[str], str, list[str]]:
    from her2cli.reference.transcript import load_transcript

    header = ["##fileformat=VCFv4.2"]
    filters = sorted({str(r.get("filter")) for rows in by_record.values() for r in rows
                      if r.get("filter") not in (None, "", ".", "PASS")})
    header.append('##FILTER=<ID=PASS,Description="All filters passed">')
    for name in filters:
        for part in name.replace(",", ";").split(";"):
            header.append(f'##FILTER=<ID={part},Description="from the input VCF">')
    chroms = sorted({key[0] for key in by_record})
    if genome:
        tx = load_transcript()
        refseq = tx.builds[genome].refseq_chrom
        length = {"GRCh37": 81195210, "GRCh38": 83257441}.get(genome)
        for chrom in chroms or ["chr17"]:
            header.append(f"##contig=<ID={chrom},length={length},assembly={genome}>" if length
                          else f"##contig=<ID={chrom},assembly={genome}>")
        header.append(f"##reference={genome} ({refseq})")
    body = []
    for key in sorted(by_record, key=lambda k: (k[0], k[1])):
        rows = by_record[key]
        alts: list[str] = []
        for row in rows:
            alt = str(row.get("input_alt"))
            if alt not in alts:
                alts.append(alt)
        filt = str(rows[0].get("filter") or ".")
        body.append("\t".join([key[0], str(key[1]), ".", key[2], ",".join(alts), ".", filt,
                               _with_her2(".", _entries(alts, rows))]))
    return header, "\t".join(_COLUMNS), body
