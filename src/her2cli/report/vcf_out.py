"""``--format vcf`` / ``bcf``: the input VCF, every header line and record kept in order, with a ``HER2``
INFO field on the ERBB2 records, the way ``vep --vcf`` adds ``CSQ`` and ``bcftools csq`` adds ``BCSQ``.

What is written
    * The input's ``##`` header lines in order (an earlier ``HER2`` INFO declaration and earlier
      ``##her2cli_*`` lines are dropped), then ``INFO_HEADER`` (``Format: Allele|Consequence|...``, the
      form ``bcftools +split-vep -a HER2`` reads), ``##her2cli_version``, ``##her2cli_command``,
      ``##her2cli_transcript``, ``##her2cli_genome`` and ``##her2cli_note`` lines, then the ``#CHROM`` line.
    * Every record of the input, in input order, non-ERBB2 and FILTER-failed ones too. A record with
      annotated ALT alleles gets ``HER2=entry[,entry...]`` appended to INFO (a previous ``HER2`` value is
      replaced): one entry per annotated ALT, in ALT order, each the ``|``-joined ``HER2_FIELDS``.
      The CLI annotates every allele for this format (as ``--all-records``), so FILTER-failed ERBB2
      records carry ``HER2`` as well; their FILTER column says they failed.
    * ``Allele`` is VEP's allele string: the ALT without the first base when REF and every ALT share it
      (``-`` when nothing is left), so an entry maps to its ALT as in VEP's CSQ.
    * Values are made VCF-legal as VEP does it (``Bio::EnsEMBL::VEP::OutputFactory::VCF``): ``,`` and
      ``|`` inside a value become ``&``, ``;`` becomes ``%3B``, ``=`` becomes ``%3D`` and white space
      becomes ``_`` (``kinase domain`` -> ``kinase_domain``, ``p.Leu755=`` -> ``p.Leu755%3D``).
    * Copy-number calls have no place in a VCF record; a ``##her2cli_note`` line says so (and the CLI
      prints a notice).
    * Standard input cannot be read twice: the CLI spools it to a file first (cli._stdin_spooled); given
      ``-`` itself, the records are re-built from the annotation (the ERBB2 sites only: CHROM, POS, REF,
      ALT, FILTER and ``HER2``; a note line says so).

Text is produced here; ``write_vcf_file`` turns it into BGZF (``.vcf.gz``, optionally with a tabix index)
or BCF (``.bcf``) through htslib (pysam).
"""

from __future__ import annotations

import gzip
import os
import re
import shlex
import sys
from typing import Iterator

from her2cli.errors import MalformedInputError, OutputError, UsageError

GENE_ID = "ENSG00000141736"  # Ensembl gene of ERBB2

# VEP's usual CSQ subfield names first (so split-vep users need nothing new), then her2cli's own.
HER2_FIELDS = [
    "Allele", "Consequence", "SYMBOL", "Gene", "Feature_type", "Feature", "BIOTYPE", "EXON", "INTRON",
    "HGVSc", "HGVSp", "HGVSg", "Protein_position", "DOMAINS",
    "HGVSp_Short", "subgroup", "legacy_name", "oncogenicity", "origin",
]

INFO_HEADER = (
    '##INFO=<ID=HER2,Number=.,Type=String,Description="her2cli annotation of ERBB2 on NM_004448.4, one entry '
    'per annotated ALT. Format: ' + "|".join(HER2_FIELDS) + '">'
)

# VEP's replacements for characters a CSQ-style value cannot hold.
_VEP_REPLACEMENTS = ((re.compile(r"[,|]"), "&"), (re.compile(r";"), "%3B"), (re.compile(r"="), "%3D"),
                     (re.compile(r"\s+"), "_"))

_COLUMNS = ["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO"]


def encode_value(value: object) -> str:
    """One subfield value, VCF-legal the way VEP writes it (None -> empty)."""
    if value is None:
        return ""
    text = str(value)
    for pattern, replacement in _VEP_REPLACEMENTS:
        text = pattern.sub(replacement, text)
    return text


def vep_allele(ref: str, alts: list[str], alt: str) -> str:
    """VEP's Allele: the first base is dropped when REF and every ALT share it."""
    alleles = [ref, *alts]
    if all(len(a) > 0 for a in alleles) and len({a[0].upper() for a in alleles}) == 1 and \
            any(len(a) != len(ref) for a in alts):
        return alt[1:] or "-"
    return alt


def her2_entry(call, allele: str, protein_accession: str) -> str:
    """The ``|``-joined HER2 entry of one MutationCall."""
    values = {
        "Allele": allele, "Consequence": call.consequence, "SYMBOL": "ERBB2", "Gene": GENE_ID,
        "Feature_type": "Transcript", "Feature": call.transcript, "BIOTYPE": "protein_coding",
        "EXON": call.exon, "INTRON": call.intron,
        "HGVSc": f"{call.transcript}:{call.hgvs_c}" if call.hgvs_c else None,
        "HGVSp": f"{protein_accession}:{call.hgvs_p}" if call.hgvs_p and call.hgvs_p != "p.?" else None,
        "HGVSg": call.hgvs_g, "Protein_position": call.protein_position, "DOMAINS": call.domain,
        "HGVSp_Short": call.hgvs_p_short, "subgroup": call.subgroup, "legacy_name": call.legacy_name,
        "oncogenicity": getattr(call, "oncogenicity", None), "origin": getattr(call, "origin", None),
    }
    return "|".join(encode_value(values[name]) for name in HER2_FIELDS)


def _default_command() -> str:
    return "her2 " + " ".join(shlex.quote(arg) for arg in sys.argv[1:])


def _with_her2(info_text: str, entries: list[str]) -> str:
    kept = [item for item in info_text.split(";") if item and item != "." and item.partition("=")[0] != "HER2"]
    kept.append("HER2=" + ",".join(entries))
    return ";".join(kept)


def _calls_by_record(results) -> dict[tuple[str, int, str], list]:
    by_record: dict[tuple[str, int, str], list] = {}
    for result in results:
        for call in result.mutations:
            if call.input_pos is not None and call.input_ref:
                by_record.setdefault((call.chrom, int(call.input_pos), call.input_ref.upper()), []).append(call)
    return by_record


def _annotated(fields: list[str], calls: list, protein_accession: str) -> list[str]:
    ref, alts = fields[3], fields[4].split(",")
    order = {alt.upper(): i for i, alt in enumerate(alts)}
    chosen = sorted((c for c in calls if str(c.input_alt).upper() in order),
                    key=lambda c: order[str(c.input_alt).upper()])
    if not chosen:
        return fields
    entries = [her2_entry(c, vep_allele(ref, alts, str(c.input_alt)), protein_accession) for c in chosen]
    return fields[:7] + [_with_her2(fields[7], entries)] + fields[8:]


def render_vcf(results, input_paths: list[str], command: str | None = None) -> str:
    """The annotated VCF of one run as text (see module docstring)."""
    from her2cli.version import __version__
    from her2cli.reference.transcript import load_transcript

    paths = list(input_paths or [])
    if not paths:
        raise UsageError("--format vcf needs an input VCF (copy-number results alone have no VCF form)")
    if len(paths) > 1:
        raise UsageError("--format vcf takes one input VCF (one annotated VCF per input)")
    path = paths[0]
    tx = load_transcript()
    by_record = _calls_by_record(results)
    genome = next((r.genome for r in results if r.genome), None)
    notes: list[str] = []
    if any(result.copy_numbers for result in results):
        notes.append("copy-number calls are not represented in this VCF (use --format tsv, json or cna)")
    if path == "-":
        header_lines, column_line, body = _from_calls(by_record, genome)
        notes.append("standard input cannot be re-read: ERBB2 records re-built from the annotation (sites only)")
    else:
        header_lines, column_line, body = _from_input(path)

    out = [line for line in header_lines
           if not line.startswith("##INFO=<ID=HER2,") and not line.startswith("##her2cli_")]
    out.append(INFO_HEADER)
    out.append(f"##her2cli_version={__version__}")
    out.append(f"##her2cli_command={command if command is not None else _default_command()}")
    out.append(f"##her2cli_transcript={tx.accession}")
    if genome:
        out.append(f"##her2cli_genome={genome}")
    out.extend(f"##her2cli_note={note}" for note in notes)
    for result in results:  # what each sample's mutation status rests on (docs/coverage.md)
        if result.verdict is not None and result.verdict.assessment_basis:
            basis = result.verdict.assessment_basis.replace("\\", "\\\\").replace('"', '\\"')
            out.append(f'##her2cli_assessment=<Sample={result.sample},MutationStatus='
                       f'{result.verdict.mutation_status},Basis="{basis}">')
    out.append(column_line)
    for line in body:
        fields = line.split("\t")
        if len(fields) < 8:
            raise MalformedInputError("not a VCF record (fewer than 8 columns)", path=path)
        try:
            key = (fields[0], int(fields[1]), fields[3].upper())
        except ValueError:
            raise MalformedInputError(f"POS is not an integer: {fields[1]!r}", path=path) from None
        calls = by_record.get(key)
        out.append("\t".join(_annotated(fields, calls, tx.protein_accession)) if calls else line)
    return "\n".join(out) + "\n"


def _text_lines(path: str) -> Iterator[str]:
    from her2cli.io.vcf import sniff

    kind = sniff(path)
    if kind == "bcf":
        from her2cli.io.vcf import bcf_lines

        yield from bcf_lines(path)
        return
    opener = gzip.open if kind in ("gzip", "bgzf") else open
    try:
        with opener(path, "rt", encoding="utf-8", newline="") as handle:
            for line in handle:
                yield line.rstrip("\r\n")
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        raise MalformedInputError(f"cannot read: {exc}", path=path) from None


def _from_input(path: str) -> tuple[list[str], str, list[str]]:
    header: list[str] = []
    column_line = None
    body: list[str] = []
    for line in _text_lines(path):
        if column_line is None:
            if line.startswith("#CHROM"):
                column_line = line
            elif line.startswith("##"):
                header.append(line)
        elif line:
            body.append(line)
    if column_line is None:
        raise MalformedInputError("VCF header has no #CHROM line", path=path)
    return header, column_line, body


def _from_calls(by_record: dict, genome: str | None) -> tuple[list[str], str, list[str]]:
    header = ["##fileformat=VCFv4.2", '##FILTER=<ID=PASS,Description="All filters passed">']
    filters = sorted({part for calls in by_record.values() for call in calls
                      for part in str(call.filter or "").replace(",", ";").split(";")
                      if part not in ("", ".", "PASS")})
    header.extend(f'##FILTER=<ID={name},Description="from the input VCF">' for name in filters)
    lengths = {"GRCh37": 81195210, "GRCh38": 83257441}  # chr17 (GRC assembly reports)
    for chrom in sorted({key[0] for key in by_record}):
        header.append(f"##contig=<ID={chrom},length={lengths[genome]},assembly={genome}>" if genome in lengths
                      else f"##contig=<ID={chrom}>")
    body = []
    for key in sorted(by_record, key=lambda k: (k[0], k[1])):
        calls = by_record[key]
        alts = list(dict.fromkeys(str(c.input_alt) for c in calls))
        body.append("\t".join([key[0], str(key[1]), ".", key[2], ",".join(alts), ".", calls[0].filter or ".", "."]))
    return header, "\t".join(_COLUMNS), body


def write_vcf_file(text: str, path: str, binary_kind: str, index: bool) -> list[str]:
    """Write VCF ``text`` to ``path`` as BGZF (``binary_kind == "vcf.gz"``) or BCF (``"bcf"``), atomically,
    with a tabix (.tbi) / CSI index when ``index``; ``path`` ``-`` = stdout. Returns the files written."""
    import tempfile

    import pysam
    import pysam.bcftools  # htslib's BCF indexer (not loaded by `import pysam`)

    from her2cli.io.vcf import quiet_c_stderr

    directory = os.path.dirname(os.path.abspath(path)) if path != "-" else None
    try:
        work = tempfile.mkdtemp(prefix=".her2-", dir=directory)
    except OSError as exc:
        raise OutputError(f"cannot write output: {exc.strerror}", path=path) from None
    try:
        plain = os.path.join(work, "in.vcf")
        with open(plain, "w", encoding="utf-8") as handle:
            handle.write(text)
        out = os.path.join(work, "out." + ("bcf" if binary_kind == "bcf" else "vcf.gz"))
        with quiet_c_stderr():
            with pysam.VariantFile(plain) as source, \
                    pysam.VariantFile(out, "wb" if binary_kind == "bcf" else "wz", header=source.header) as sink:
                for record in source:
                    sink.write(record)
            index_path = None
            if index:
                if binary_kind == "bcf":
                    pysam.bcftools.index(out)
                    index_path = out + ".csi"
                else:
                    index_path = pysam.tabix_index(out, preset="vcf", force=True, keep_original=True) + ".tbi"
        if path == "-":
            with open(out, "rb") as handle:
                sys.stdout.flush()
                sys.stdout.buffer.write(handle.read())
                sys.stdout.flush()
            return []
        written = [path]
        os.replace(out, path)
        if index_path:
            suffix = ".csi" if binary_kind == "bcf" else ".tbi"
            os.replace(index_path, path + suffix)
            written.append(path + suffix)
        return written
    except (OSError, ValueError) as exc:
        raise OutputError(f"cannot write {binary_kind.upper()}: {exc}", path=path) from None
    finally:
        for name in os.listdir(work):
            os.unlink(os.path.join(work, name))
        os.rmdir(work)


def write_vcf_output(text: str, path: str, index: bool) -> list[str]:
    if path.lower().endswith((".gz", ".bgz")):
        return write_vcf_file(text, path, "vcf.gz", index)
    if index:
        raise UsageError("--index needs a compressed VCF (.vcf.gz) or a .bcf output file")
    from her2cli.io.atomic import write_output

    write_output(None if path == "-" else path, text)
    return [] if path == "-" else [path]


def write_bcf_output(text: str, path: str, index: bool) -> list[str]:
    if index and path == "-":
        raise UsageError("--index needs an output file (-o x.bcf)")
    return write_vcf_file(text, path, "bcf", index)


def render_format(results, context) -> str:
    return render_vcf(results, context.input_paths, context.command)
