"""The oncogenicity knowledge table (resources/oncogenicity.tsv): its format, its sources, and its facts.

Expectations come from the papers (the abstract sentences quoted in each row's locator, read on 2026-12-06), from
the standard genetic code applied to shared/reference/ERBB2_CDS.fa, and from the issue's list of named alleles;
never from the code's own output.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

import pytest

from her2cli.reference.datafiles import read_tsv

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


def _documented_format() -> tuple[list[str], dict[str, set[str]]]:
    """Column order and the effects allowed per evidence kind, as docs/sources.md ('The knowledge table') states."""
    text = (REPO / "docs" / "sources.md").read_text()
    section = text[text.index("## The knowledge table"):text.index("\n## ", text.index("## The knowledge table") + 1)]
    columns: list[str] = []
    effects: dict[str, set[str]] = {}
    for line in section.splitlines():
        cells = line.split("|")
        if len(cells) < 3 or not cells[1].strip().startswith("`"):
            continue
        names = re.findall(r"`([a-z_]+)`", cells[1])
        columns += names
        if names == ["effect"]:
            for part in cells[2].split(";"):
                kind, _, allowed = part.partition(":")
                effects[kind.strip()] = set(re.findall(r"`([a-z_]+)`", allowed))
    return columns, effects


COLUMNS, EFFECTS = _documented_format()

# Issue 21: alleles curated as drivers that her2 missed. Each either has a functional/class row read in its source
# (grade seen) or is listed in docs/sources.md under "Named alleles without a primary source found".
NAMED_DRIVERS = [
    "p.T798M", "p.L726F", "p.L726I", "p.L768S", "p.V773L", "p.V794M", "p.D808N", "p.G815R", "p.D821N", "p.L841V",
    "p.L866M", "p.G309E", "p.E321G", "p.S653C", "p.L755_T759del",
]
# Issue 21: hotspot alleles that functional curation calls likely neutral.
NAMED_PASSENGERS = ["p.L755M", "p.A293T", "p.D277G", "p.R138Q", "p.R138W"]


def table() -> list[dict[str, str]]:
    return read_tsv("oncogenicity.tsv")


def rows_for(variant: str) -> list[dict[str, str]]:
    return [r for r in table() if r["variant"] == variant]


def scoring(variant: str) -> list[dict[str, str]]:
    """Rows that may raise a variant: activating functional, class or regulatory-list rows read in their source."""
    return [
        r for r in rows_for(variant)
        if r["grade"] == "seen" and (r["evidence"], r["effect"]) in {("functional", "activating"),
                                                                     ("class_rule", "oncogenic"),
                                                                     ("regulatory", "listed")}
    ]


def test_table_has_the_shared_format():
    path = REPO / "resources" / "oncogenicity.tsv"
    lines = path.read_text().splitlines()
    assert lines[0].startswith("# built by scripts/build_knowledge.py on ")
    header = next(line for line in lines if not line.startswith("#"))
    assert header.split("\t") == COLUMNS
    assert all(len(line.split("\t")) == len(COLUMNS) for line in lines if not line.startswith("#"))


def test_every_row_names_source_place_date_and_grade():
    rows = table()
    assert len(rows) > 40
    for row in rows:
        what = f"{row['variant']} ({row['evidence']})"
        assert row["effect"] in EFFECTS[row["evidence"]], what
        assert row["grade"] in ("seen", "secondary", "recalled"), what
        assert row["source"] and row["locator"] and row["detail"], what
        assert re.fullmatch(r"\d{6,9}|-", row["pmid"]), what
        assert dt.date.fromisoformat(row["checked"]) <= dt.date(2026, 12, 6), what
        if row["pmid"] == "-" and row["evidence"] != "class_rule" and row["evidence"] != "population":
            assert "doi:" in row["source"] or "PMID not seen" in row["note"] or "PMC" in row["source"], what


def test_no_seen_row_without_a_locator_and_no_recalled_row_hidden():
    for row in table():
        if row["grade"] == "seen":
            assert row["locator"] and not row["locator"].startswith("not located"), row["variant"]
        if row["grade"] == "recalled":
            assert "recalled" in row["note"], row["variant"]  # says so where it is shown


def test_no_recalled_marks_left_in_resources():
    """The issue: '[R]' facts shipped. None remains in any bundled table."""
    for path in (REPO / "resources").glob("*.tsv"):
        assert "[R" not in path.read_text(), path.name


def test_bose_2013_activating_alleles():
    """Bose et al. 2013 abstract: 'Seven of these mutations are activating mutations, including G309A, D769H,
    D769Y, V777L, P780ins, V842I, and R896C' and the 755-759 deletion 'had a neomorphic phenotype'."""
    for variant in ("p.G309A", "p.D769H", "p.D769Y", "p.V777L", "p.V842I", "p.R896C", "p.L755_T759del"):
        assert any(r["pmid"] == "23220880" for r in scoring(variant)), variant
    # 'L755S produced lapatinib resistance, but was not an activating mutation in our experimental systems'
    bose_l755s = [r for r in rows_for("p.L755S") if r["pmid"] == "23220880"]
    assert {(r["evidence"], r["effect"]) for r in bose_l755s} == {("functional", "inconclusive"), ("resistance", "resistance")}


def test_nagano_2018_and_rexer_2013_and_yamamoto_2014():
    # Nagano 2018 abstract: 'G776V, G778_S779insG, and L841V were newly revealed to be activating mutations'
    for variant in ("p.G776V", "p.G778dup", "p.L841V"):
        assert any(r["pmid"] == "29967253" for r in scoring(variant)), variant
    # Rexer 2013 abstract: 'In vitro kinase assays showed increased autocatalytic activity of HER2-T798M'
    assert any(r["pmid"] == "23948973" for r in scoring("p.T798M"))
    assert any(r["evidence"] == "resistance" and r["pmid"] == "23948973" for r in rows_for("p.T798M"))
    # Yamamoto 2014 abstract: 'Both the G660D and V659E mutants activated Akt'
    for variant in ("p.G660D", "p.V659E"):
        assert any(r["pmid"] == "24317180" for r in scoring(variant)), variant


def test_recalled_pahuja_rows_never_score():
    """The issue: a recalled row raised V659E to a driver. The Pahuja 2018 summary names R678Q, E693K and Q709L as
    recurrent only; those rows stay recalled (V659E now rests on Yamamoto 2014, read)."""
    for variant in ("p.R678Q", "p.E693K", "p.Q709L"):
        assert rows_for(variant) and not scoring(variant), variant
        assert {r["grade"] for r in rows_for(variant) if r["evidence"] == "functional"} == {"recalled"}
    assert all(r["pmid"] != "30449325" or r["grade"] != "recalled" for r in scoring("p.V659E"))


def test_exon20_insertion_class_rule():
    rules = [r for r in table() if r["variant"] == "class:exon20_inframe_insertion"]
    assert len(rules) == 1 and rules[0]["grade"] == "seen"
    assert re.search(r"residues 770-831", rules[0]["detail"])
    assert "770_831ins" in rules[0]["locator"]


def _sources_doc() -> str:
    return (REPO / "docs" / "sources.md").read_text()


def _not_found_section() -> str:
    text = _sources_doc()
    start = text.index("## Named alleles without a primary source found")
    end = text.find("\n## ", start + 1)
    return text[start:end if end > 0 else None]


@pytest.mark.parametrize("variant", NAMED_DRIVERS)
def test_named_driver_has_a_read_source_or_is_documented_missing(variant):
    if scoring(variant):
        assert variant not in _not_found_section(), f"{variant} is both sourced and listed as missing"
    else:
        assert f"`{variant}`" in _not_found_section(), f"{variant}: no seen row and not documented as not found"


@pytest.mark.parametrize("variant", NAMED_PASSENGERS)
def test_named_passenger_never_gets_a_driver_row(variant):
    assert not scoring(variant), variant
    assert f"`{variant}`" in _not_found_section()


def test_every_paper_cited_in_the_table_is_in_the_sources_doc():
    doc = _sources_doc()
    for row in table():
        if row["pmid"] != "-":
            assert row["pmid"] in doc, (row["variant"], row["pmid"])


CODE = {
    a + b + c: "FFLLSSSSYY**CC*WLLLLPPPPHHQQRRRRIIIMTTTTNNKKSSRRVVVVAAAADDEEGGGG"[16 * i + 4 * j + k]
    for i, a in enumerate("TCAG") for j, b in enumerate("TCAG") for k, c in enumerate("TCAG")
}


def _fasta(path: Path) -> str:
    return "".join(line.strip() for line in path.read_text().splitlines() if not line.startswith(">"))


def _translate(seq: str) -> str:
    return "".join(CODE[seq[i:i + 3]] for i in range(0, len(seq) - 2, 3)).split("*")[0]


def _apply_c(cds: str, hgvs: str) -> str:
    sub = re.fullmatch(r"c\.(\d+)([ACGT])>([ACGT])", hgvs)
    if sub:
        pos = int(sub.group(1))
        assert cds[pos - 1] == sub.group(2), f"{hgvs}: reference base is {cds[pos - 1]}"
        return cds[:pos - 1] + sub.group(3) + cds[pos:]
    span = re.fullmatch(r"c\.(\d+)_(\d+)(dup|del|delins([ACGT]+))", hgvs)
    assert span, hgvs
    start, end = int(span.group(1)), int(span.group(2))
    if span.group(3) == "dup":
        return cds[:end] + cds[start - 1:end] + cds[end:]
    if span.group(3) == "del":
        return cds[:start - 1] + cds[end:]
    return cds[:start - 1] + span.group(4) + cds[end:]


def _apply_p(protein: str, hgvs: str) -> str:
    sub = re.fullmatch(r"p\.([A-Z])(\d+)([A-Z])", hgvs)
    if sub:
        pos = int(sub.group(2))
        assert protein[pos - 1] == sub.group(1), hgvs
        return protein[:pos - 1] + sub.group(3) + protein[pos:]
    span = re.fullmatch(r"p\.([A-Z])(\d+)(?:_([A-Z])(\d+))?(dup|del)", hgvs)
    assert span, hgvs
    start, end = int(span.group(2)), int(span.group(4) or span.group(2))
    assert protein[start - 1] == span.group(1), hgvs
    if span.group(5) == "dup":
        return protein[:end] + protein[start - 1:end] + protein[end:]
    return protein[:start - 1] + protein[end:]


def test_hgvs_c_values_give_their_protein_change_on_the_reference():
    """Every hgvs_c in the table, applied to NM_004448.4's CDS and translated, gives the row's protein change."""
    ref = SHARED / "reference"
    if not (ref / "ERBB2_CDS.fa").exists():
        pytest.skip("../shared/reference is absent")
    cds, protein = _fasta(ref / "ERBB2_CDS.fa"), _fasta(ref / "ERBB2_protein.fa")
    assert _translate(cds) == protein
    checked = 0
    for row in table():
        for hgvs in filter(None, row["hgvs_c"].split(",")):
            assert _translate(_apply_c(cds, hgvs)) == _apply_p(protein, row["variant"]), (row["variant"], hgvs)
            checked += 1
    assert checked > 40


def test_hand_checked_codons():
    """Codons read by hand from ERBB2_CDS.fa for the rows whose c. change is not a single base."""
    ref = SHARED / "reference" / "ERBB2_CDS.fa"
    if not ref.exists():
        pytest.skip("../shared/reference is absent")
    cds = _fasta(ref)
    assert cds[2391:2394] == "ACA"  # T798: Met needs ATG (two bases), Ile ATA (one)
    assert cds[1974:1977] == "GTT"  # V659: Glu needs GAA/GAG (two bases), Asp GAT (one)
    assert cds[1962:1965] == "ATC"  # I655 (rs1136201 ATC>GTC)
    assert cds[3507:3510] == "CCC"  # P1170 (rs1058808 CCC>GCC)


def test_population_rows_carry_a_frequency_and_where_it_was_printed():
    for row in (r for r in table() if r["evidence"] == "population"):
        assert 0 < float(row["population_af"]) <= 1, row["variant"]
        assert row["population_af_source"] and row["rsid"].startswith("rs"), row["variant"]


# Read on 2026-12-06 in cBioPortal/cancerhotspots webapp/src/main/resources/data/v2_multi_type_residue.txt @ a05eaf80
# (rows ERBB2 S310, L755, R678, V777, V842, D769, G660): residue -> (Tumor_Count, {change: tumours}).
HOTSPOT_COUNTS_READ = {
    "S310": (207, {"F": 163, "Y": 43, "A": 1}),
    "L755": (91, {"S": 86, "M": 3, "F": 1, "W": 1}),
    "R678": (90, {"Q": 87, "W": 3}),
    "V777": (63, {"L": 56, "M": 7}),
    "V842": (78, {"I": 78}),
    "D769": (50, {"Y": 32, "H": 14, "N": 4}),
    "G660": (8, {"D": 7, "R": 1}),
}


def test_hotspot_counts_are_those_printed_in_the_residue_table():
    hotspot = {r["variant"]: r for r in table() if r["evidence"] == "hotspot"}
    for residue, (total, changes) in HOTSPOT_COUNTS_READ.items():
        row = hotspot[f"p.{residue}"]
        assert (row["residue_tumours"], row["allele_tumours"], row["grade"]) == (str(total), "", "seen"), residue
        for alt, n in changes.items():
            allele = hotspot[f"p.{residue}{alt}"]
            assert (allele["residue_tumours"], allele["allele_tumours"]) == (str(total), str(n)), residue + alt
            assert "v2_multi_type_residue.txt" in allele["source"] and allele["pmid"] == "29247016"


# Read on 2026-12-06 in genome-nexus/genome-nexus-importer data/grch38_ensembl95/export/hotspots_v2_and_3d.txt
# @ 08060c797ab6fa49e29629e9e2eb78e69feb2736, rows with version v2 (residue, reference_amino_acid, amino_acid_position,
# variant_amino_acid, tumor_count, type), for the alleles of the v2 list that the webapp residue table lacks:
#   ERBB2 R138     R:3       138      Q:2|W:1                     3   single residue
#   ERBB2 A293     A:6       293      P:1|T:4|V:1                 6   single residue
#   ERBB2 V659     V:5       659      D:1|E:2|V:2                 5   single residue
#   ERBB2 L755     L:44      755      P:5|A:2|S:31|W:1|L:2|M:3    44  single residue
#   ERBB2 772-775  V:1|-:33  772-775  M774dup:1|Y772_A775dup:33   34  in-frame indel
#   ERBB2 778-780  V:8|-:4   778-780  G778_P780dup:12             12  in-frame indel
HOTSPOT_V2_ROWS_READ = {
    "p.R138": (3, None), "p.R138Q": (3, 2), "p.R138W": (3, 1),
    "p.A293": (6, None), "p.A293P": (6, 1), "p.A293T": (6, 4), "p.A293V": (6, 1),
    "p.V659": (5, None), "p.V659D": (5, 1), "p.V659E": (5, 2),
    "p.L755P": (44, 5), "p.L755A": (44, 2),  # L755S/M/W keep the residue table's counts (docs/sources.md)
    "p.Y772_A775": (34, None), "p.Y772_A775dup": (34, 33), "p.M774dup": (34, 1),
    "p.G778_P780": (12, None), "p.G778_P780dup": (12, 12),
}


def test_v2_hotspot_counts_are_those_printed_in_the_v2_rows():
    hotspot = {r["variant"]: r for r in table() if r["evidence"] == "hotspot"}
    for variant, (total, n) in HOTSPOT_V2_ROWS_READ.items():
        row = hotspot[variant]
        expected = (str(total), "" if n is None else str(n), "seen")
        assert (row["residue_tumours"], row["allele_tumours"], row["grade"]) == expected, variant
        assert "hotspots_v2_and_3d.txt @ 08060c79" in row["source"] and row["pmid"] == "29247016", variant
        assert "version v2" in row["locator"], variant
    assert "v2_multi_type_residue.txt" in hotspot["p.L755S"]["source"]  # not replaced by the v2 row's 31


def test_every_listed_hotspot_allele_now_carries_counts():
    """Every allele of the maftools v2 list (R138, A293, V659, L755P/A, the exon 20 insertions too) has seen counts
    from one of the two transcribed tables; an allele never outnumbers its residue or region."""
    rows = [r for r in table() if r["evidence"] == "hotspot"]
    assert rows and all(r["residue_tumours"] and r["grade"] == "seen" for r in rows)
    for row in (r for r in rows if r["allele_tumours"]):
        assert int(row["allele_tumours"]) <= int(row["residue_tumours"]), row["variant"]


def test_curated_file_is_what_the_table_carries():
    path = REPO / "scripts" / "oncogenicity_curated.tsv"
    with path.open() as handle:
        curated = list(csv.DictReader((line for line in handle if not line.startswith("#")), delimiter="\t"))
    bundled = [r for r in table() if r["evidence"] != "hotspot"]
    assert [dict(r) for r in curated] == [dict(r) for r in bundled]


@pytest.mark.parametrize("row, message", [
    ("V659\tV:5\t659\tD:1|E:2|V:2\t0.01\t6\tsingle residue\tv2", "do not add up"),
    ("V660\tV:5\t660\tD:1|E:2|V:2\t0.01\t5\tsingle residue\tv2", "does not match NP_004439.2"),
    ("772-775\tV:1|-:33\t772-775\tM774dup:1|Y772_A776dup:33\t0.01\t34\tin-frame indel\tv2", "Y772_A776dup"),
    ("772-775\tV:1|-:33\t772-775\tM774dup:1|G776dup:33\t0.01\t34\tin-frame indel\tv2", "G776dup"),
    ("V659\tV:5\t659\tD:1|E:2|V:2\t0.01\t5\tsingle residue\tv3", "not a v2 row"),
])
def test_v2_count_rows_are_checked_against_the_protein(tmp_path, monkeypatch, row, message):
    """The build refuses a transcription slip: counts that do not add up, a residue not on NP_004439.2 (V660 is G,
    A776 is G), an indel change outside its region, a row of another release."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("build_knowledge", REPO / "scripts" / "build_knowledge.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    path = tmp_path / "v2.tsv"
    header = "residue\treference_amino_acid\tamino_acid_position\tvariant_amino_acid\tq_value\ttumor_count\ttype\tversion"
    path.write_text(f"# test\n{header}\n{row}\n")
    monkeypatch.setattr(build, "V2_COUNTS", path)
    from her2cli.reference.transcript import load_transcript

    with pytest.raises(SystemExit, match=message):
        build.v2_count_rows(load_transcript().protein, {})
