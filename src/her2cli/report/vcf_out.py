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

    * ``--vcf-info-field NAME`` names the INFO field (default ``HER2``), as VEP's ``--vcf_info_field``.
    * A header that does not declare every contig, FILTER, INFO or FORMAT name its records use (older
      TCGA callers, VarDictJava) is completed the way htslib does it when it reads such a file: a
      ``##contig=<ID=...>`` line per contig in order of first use, ``Type=String,Number=.`` (``Flag``
      for a bare INFO key) for each undeclared key, with a Description saying her2cli added it; a
      notice lists them. Without this htslib cannot write the BCF or BGZF records ("Can't write record").

Text is produced here; ``write_vcf_file`` turns it into BGZF (``.vcf.gz``, optionally with a tabix index)
or BCF (``.bcf``) with htslib's bcftools (pysam), reads the result back whole before publishing it (a
file bcftools cannot read is an error, exit 7, never a success), and ``--index`` on records out of order
is a usage error (exit 2) naming the first such record.
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

DEFAULT_INFO_FIELD = "HER2"


def info_header(field: str = DEFAULT_INFO_FIELD) -> str:
    """The ``##INFO`` line of the annotation field (``Format: ...`` as VEP's CSQ, for bcftools +split-vep)."""
    return (f'##INFO=<ID={field},Number=.,Type=String,Description="her2cli annotation of ERBB2 on NM_004448.4, '
            'one entry per annotated ALT. Format: ' + "|".join(HER2_FIELDS) + '">')


INFO_HEADER = info_header()

# VCF 4.3 section 1.6.1: an INFO/FORMAT key is [A-Za-z_][0-9A-Za-z_.]* (or 1000G).
_KEY = re.compile(r"^(?:[A-Za-z_][0-9A-Za-z_.]*|1000G)$")


def check_field_name(name: str, option: str) -> str:
    """``name`` if it can be a VCF INFO/FORMAT key, else UsageError naming ``option``."""
    if not _KEY.match(name or ""):
        raise UsageError(f"{option} {name!r}: not a VCF key (letters, digits, '_' and '.', not starting with a digit)")
    return name

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


def _with_her2(info_text: str, entries: list[str], field: str = DEFAULT_INFO_FIELD) -> str:
    kept = [item for item in info_text.split(";") if item and item != "." and item.partition("=")[0] != field]
    kept.append(f"{field}=" + ",".join(entries))
    return ";".join(kept)


def _calls_by_record(results) -> dict[tuple[str, int, str], list]:
    by_record: dict[tuple[str, int, str], list] = {}
    for result in results:
        for call in result.mutations:
            if call.input_pos is not None and call.input_ref:
                by_record.setdefault((call.chrom, int(call.input_pos), call.input_ref.upper()), []).append(call)
    return by_record


def _annotated(fields: list[str], calls: list, protein_accession: str, field: str) -> list[str]:
    ref, alts = fields[3], fields[4].split(",")
    order = {alt.upper(): i for i, alt in enumerate(alts)}
    chosen = sorted((c for c in calls if str(c.input_alt).upper() in order),
                    key=lambda c: order[str(c.input_alt).upper()])
    if not chosen:
        return fields
    entries = [her2_entry(c, vep_allele(ref, alts, str(c.input_alt)), protein_accession) for c in chosen]
    return fields[:7] + [_with_her2(fields[7], entries, field)] + fields[8:]


def render_vcf(results, input_paths: list[str], command: str | None = None, info_field: str = DEFAULT_INFO_FIELD,
               notices: list[str] | None = None) -> str:
    """The annotated VCF of one run as text (see module docstring); what was added to an incomplete
    header is appended to ``notices``."""
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
        from her2cli.io.sniff import MAF, input_kind

        if input_kind(path) == MAF:
            raise UsageError(f"--format vcf/bcf writes the input VCF annotated, and {path} is a MAF: use -f maf, "
                             "tsv or json")
        header_lines, column_line, body = _from_input(path)

    check_field_name(info_field, "--vcf-info-field")
    _check_field_is_free(header_lines, body, info_field, path)
    out = [line for line in header_lines
           if not line.startswith(f"##INFO=<ID={info_field},") and not line.startswith("##her2cli_")]
    added = _undeclared(out, body)
    if added:
        out.extend(added)
        message = (f"{path}: the header does not declare {len(added)} name(s) its records use "
                   f"({_listing(added)}); declared in the output VCF as htslib does (Type=String)")
        if notices is not None:
            notices.append(message)
    out.append(info_header(info_field))
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
        out.append("\t".join(_annotated(fields, calls, tx.protein_accession, info_field)) if calls else line)
    return "\n".join(out) + "\n"


def _check_field_is_free(header_lines: list[str], body: list[str], field: str, path: str) -> None:
    """UsageError when the input already has an INFO field ``field`` that her2cli did not write: replacing
    it would destroy the input's values (``--vcf-info-field DP``)."""
    for line in header_lines:
        if line.startswith(f"##INFO=<ID={field},") and 'Description="her2cli annotation' not in line:
            raise UsageError(f"the input already has an INFO field {field} of its own: name the annotation's "
                             "field with --vcf-info-field NAME (one the input does not use)", path=path)
    declared = any(line.startswith(f"##INFO=<ID={field},") for line in header_lines)
    if not declared:
        prefix = f"{field}="
        for line in body:
            info = line.split("\t", 8)[7] if line.count("\t") >= 7 else ""
            if any(item == field or item.startswith(prefix) for item in info.split(";")):
                raise UsageError(f"the input's records already use an INFO field {field}: name the annotation's "
                                 "field with --vcf-info-field NAME (one they do not use)", path=path)


def _listing(lines: list[str], most: int = 6) -> str:
    """``contig 1, 2, 3 ... (25); FORMAT DP4, FREQ`` from added header lines."""
    by_kind: dict[str, list[str]] = {}
    for line in lines:
        kind, _, rest = line[2:].partition("=<ID=")
        by_kind.setdefault(kind, []).append(re.split(r"[,>]", rest, maxsplit=1)[0])
    parts = []
    for kind, names in by_kind.items():
        shown = ", ".join(names[:most]) + (f" ... ({len(names)})" if len(names) > most else "")
        parts.append(f"{kind} {shown}")
    return "; ".join(parts)


def _undeclared(header_lines: list[str], body: list[str]) -> list[str]:
    """Header lines declaring the contigs, FILTERs, INFO and FORMAT keys the records use but the header
    does not declare (htslib adds the same in memory when it reads such a file, and then cannot write
    the records to BCF/BGZF)."""
    declared: dict[str, set] = {"contig": set(), "FILTER": {"PASS"}, "INFO": set(), "FORMAT": set()}
    for line in header_lines:
        kind, _, rest = line[2:].partition("=<ID=")
        if kind in declared:
            declared[kind].add(re.split(r"[,>]", rest, maxsplit=1)[0])
    found: dict[str, dict[str, bool]] = {kind: {} for kind in declared}  # name -> has a value (INFO)
    for line in body:
        fields = line.split("\t", 9)
        if len(fields) < 8:
            continue  # render_vcf reports it
        if fields[0] not in declared["contig"]:
            found["contig"].setdefault(fields[0], True)
        for name in fields[6].split(";"):
            if name not in (".", "") and name not in declared["FILTER"]:
                found["FILTER"].setdefault(name, True)
        for item in fields[7].split(";"):
            key, eq, _ = item.partition("=")
            if key not in (".", "") and key not in declared["INFO"]:
                found["INFO"][key] = found["INFO"].get(key, False) or bool(eq)
        if len(fields) > 8:
            for key in fields[8].split(":"):
                if key not in (".", "") and key not in declared["FORMAT"]:
                    found["FORMAT"].setdefault(key, True)
    note = 'Description="Not declared in the input header; added by her2cli"'
    lines = [f"##contig=<ID={name}>" for name in found["contig"]]
    lines += [f"##FILTER=<ID={name},{note}>" for name in found["FILTER"]]
    lines += [f"##INFO=<ID={name},Number={'.' if value else 0},Type={'String' if value else 'Flag'},{note}>"
              for name, value in found["INFO"].items()]
    lines += [f"##FORMAT=<ID={name},Number=.,Type=String,{note}>" for name in found["FORMAT"]]
    return lines


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
    with a tabix (.tbi) / CSI index when ``index``; ``path`` ``-`` = stdout. The file is read back whole
    with htslib before it is published. Returns the files written."""
    import tempfile

    from her2cli.io.atomic import directory_for_temporary, is_written_in_place, output_target, publish_file

    if index:
        if path == "-" or is_written_in_place(path):
            raise UsageError("--index needs an output file (-o x.vcf.gz or -o x.bcf), not a stream or device")
        _check_sorted(text, path)
    try:
        work = tempfile.mkdtemp(prefix=".her2-", dir=directory_for_temporary(path))
    except OSError as exc:
        raise OutputError(f"cannot write output: {exc.strerror}", path=path) from None
    try:
        plain = os.path.join(work, "in.vcf")
        with open(plain, "w", encoding="utf-8") as handle:
            handle.write(text)
        out = os.path.join(work, "out." + ("bcf" if binary_kind == "bcf" else "vcf.gz"))
        index_path = _convert(plain, out, binary_kind, index, path, text.count("\n") - _header_count(text))
        if path == "-":
            with open(out, "rb") as handle:
                sys.stdout.flush()
                sys.stdout.buffer.write(handle.read())
                sys.stdout.flush()
            return []
        written = [path]
        if index_path:
            output_target(path + (".csi" if binary_kind == "bcf" else ".tbi"))  # a folder there: before publishing
        publish_file(out, path)
        if index_path:
            companion = path + (".csi" if binary_kind == "bcf" else ".tbi")
            publish_file(index_path, companion)
            written.append(companion)
        return written
    except OSError as exc:
        from her2cli.io.atomic import output_error

        raise output_error(exc, path) from None
    finally:
        for name in os.listdir(work):
            os.unlink(os.path.join(work, name))
        os.rmdir(work)


def _header_count(text: str) -> int:
    count = 0
    for line in text.split("\n"):
        if not line.startswith("#"):
            break
        count += 1
    return count


def _convert(plain: str, out: str, binary_kind: str, index: bool, path: str, n_records: int) -> str | None:
    """bcftools view into ``out`` (and bcftools index), then read ``out`` back whole: an OutputError unless
    htslib reads the same number of records. The index's path, or None."""
    import pysam
    import pysam.bcftools  # htslib's bcftools (not loaded by `import pysam`)

    from her2cli.io.vcf import quiet_c_stderr

    kind = binary_kind.upper()
    with quiet_c_stderr():
        try:
            pysam.bcftools.view("--no-version", "-O", "b" if binary_kind == "bcf" else "z", "-o", out, plain,
                                catch_stdout=False)
        except pysam.utils.SamtoolsError as exc:
            _check_space(out, path)
            raise OutputError(f"htslib cannot write this VCF as {kind}: {_last_line(exc)}", path=path) from None
        try:
            with pysam.VariantFile(out) as check:
                n_read = sum(1 for _ in check)
        except (OSError, ValueError) as exc:
            n_read = f"an unreadable file ({exc})"
        if n_read != n_records:
            raise OutputError(f"the {kind} written by htslib does not read back ({n_read} of {n_records} "
                              "records): not written", path=path)
        if not index:
            return None
        try:
            pysam.bcftools.index(*(["-t"] if binary_kind != "bcf" else []), out)
        except pysam.utils.SamtoolsError as exc:
            _check_space(out, path)
            raise OutputError(f"htslib cannot index this {kind}: {_last_line(exc)}", path=path) from None
    return out + (".csi" if binary_kind == "bcf" else ".tbi")


def _last_line(exc: Exception) -> str:
    lines = [line.strip().strip("'\"") for line in str(exc).replace("\\n", "\n").splitlines()]
    lines = [line for line in lines if line]
    return lines[-1] if lines else "bcftools failed"


def _check_space(out: str, path: str) -> None:
    """htslib says little when the disk fills: a full file system is named as such (exit 7)."""
    import errno
    import shutil

    from her2cli.io.atomic import output_error

    try:
        free = shutil.disk_usage(os.path.dirname(out)).free
    except OSError:
        return
    if free < (1 << 16):
        raise output_error(OSError(errno.ENOSPC, "No space left on device"), path)


def _check_sorted(text: str, path: str) -> None:
    """UsageError (exit 2) when ``--index`` is asked for records that are not sorted by contig and position
    (tabix/CSI index only sorted files): names the first record out of order."""
    finished: set[str] = set()
    chrom, pos = None, 0
    for line in text.split("\n"):
        if not line or line.startswith("#"):
            continue
        fields = line.split("\t", 2)
        try:
            here = int(fields[1])
        except (IndexError, ValueError):
            continue  # render_vcf has checked POS
        if fields[0] != chrom:
            if fields[0] in finished:
                raise UsageError(f"--index needs an input sorted by position, but its record at {fields[0]}:{here} "
                                 "comes after other contigs' records: sort the input first "
                                 "(bcftools sort) or drop --index", path=path)
            if chrom is not None:
                finished.add(chrom)
            chrom, pos = fields[0], here
        elif here < pos:
            raise UsageError(f"--index needs an input sorted by position, but its record at {chrom}:{here} "
                             f"comes after {chrom}:{pos}: sort the input first (bcftools sort) or drop --index",
                             path=path)
        pos = here


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
    return render_vcf(results, context.input_paths, context.command,
                      getattr(context, "vcf_info_field", None) or DEFAULT_INFO_FIELD, context.notices)
