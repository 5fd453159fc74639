"""load-seq: FASTA, AGP, sizes and assembly-report input; archive layout; errors; the command."""

import gzip
import io
import os
import re
import tempfile
from pathlib import Path

import h5py
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from genomedata._load_seq import load_seq
from genomedata.inputs.sequence import (NameRegistry, SequenceBuffer, count_fasta_records,
                                        iter_fasta_records, read_assembly_report)
from genomedata._progress import Reporter, reporting
from genomedata.errors import GenomedataError, InputError
from genomedata.commands.main import main
from conftest import REFDATA

REF = REFDATA
needs_ref = pytest.mark.skipif(not REF.is_dir(), reason="reference data not available")

GAP = 100000


# ------------------------------------------------------------------------------------------------
# Helpers

def read_archive(path):
    """{chrom: {"start", "end", "dirty", "supercontigs": [(start, end, seq bytes or None)]}}."""
    path = Path(path)
    result = {}
    if path.is_dir():
        handles = [(p.name[:-len(".genomedata")], h5py.File(p, "r"), True)
                   for p in sorted(path.glob("*.genomedata"))]
    else:
        handle = h5py.File(path, "r")
        handles = [(name, handle, False) for name in sorted(handle)]
    try:
        for name, handle, is_dir in handles:
            group = handle["/"] if is_dir else handle[name]
            supercontigs = []
            for child in group.values():
                seq = child["seq"][...].tobytes() if "seq" in child else None
                supercontigs.append((int(child.attrs["start"]), int(child.attrs["end"]), seq))
            supercontigs.sort()
            result[name] = {"start": int(group.attrs["start"]), "end": int(group.attrs["end"]),
                            "dirty": int(np.asarray(group.attrs["dirty"]).astype(np.uint8)),
                            "supercontigs": supercontigs}
    finally:
        for _, handle, _ in handles:
            handle.close()
    return result


def bounds(archive, chrom):
    return [(start, end) for start, end, _ in archive[chrom]["supercontigs"]]


def fasta_text(path) -> bytes:
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rb") as handle:
        lines = handle.read().splitlines()
    return b"".join(line.strip() for line in lines if not line.startswith(b">"))


def write(path, data: bytes, compress=False):
    path = Path(path)
    path.write_bytes(gzip.compress(data) if compress else data)
    return str(path)


def random_bases(rng, n, alphabet=b"ACGTacgt"):
    return rng.choice(np.frombuffer(alphabet, dtype=np.uint8), n).tobytes()


def wrap(seq: bytes, width=60, newline=b"\n") -> bytes:
    return b"".join(seq[i:i + width] + newline for i in range(0, len(seq), width))


def quiet_ui():
    """A verbose reporter into a string (made current by ``with``), and the string."""
    stream = io.StringIO()
    return reporting(Reporter(verbosity=2, stream=stream, progress=False)), stream


def attr_type(obj, name):
    return obj.attrs.get_id(name).get_type()


# ------------------------------------------------------------------------------------------------
# Reference data

@needs_ref
@pytest.mark.parametrize("mode", ["dir", "directory", "file", None])
def test_reference_fasta(tmp_path, mode):
    out = tmp_path / "archive"
    load_seq(out, [REF / "chr1.short.fa", REF / "chrY.short.fa.gz"], True, mode)
    assert out.is_dir() == (mode != "file")
    archive = read_archive(out)
    assert sorted(archive) == ["chr1", "chrY"]
    for chrom, source in (("chr1", "chr1.short.fa"), ("chrY", "chrY.short.fa.gz")):
        info = archive[chrom]
        assert (info["start"], info["end"], info["dirty"]) == (0, 24950, 1)
        [(start, end, seq)] = info["supercontigs"]
        assert (start, end) == (0, 24950)
        assert seq == fasta_text(REF / source)
    assert archive["chr1"]["supercontigs"][0][2][:20] == b"taaccctaaccctaacccta"


@needs_ref
@pytest.mark.parametrize("mode", ["dir", "file"])
def test_reference_layout_types(tmp_path, mode):
    out = tmp_path / "archive"
    load_seq(out, [REF / "chr1.short.fa", REF / "chrY.short.fa.gz"], True, mode)
    filename = out / "chr1.genomedata" if mode == "dir" else out
    with h5py.File(filename, "r") as handle:
        root = handle["/"]
        chrom = root if mode == "dir" else root["chr1"]
        version = attr_type(root, "genomedata_format_version")
        assert version.get_class() == h5py.h5t.INTEGER and version.get_size() == 8
        assert version.get_sign() == h5py.h5t.SGN_2
        assert int(root.attrs["genomedata_format_version"]) == 1
        for obj in (chrom, chrom["supercontig_0"]):
            for name in ("start", "end"):
                tid = attr_type(obj, name)
                assert tid.get_class() == h5py.h5t.INTEGER and tid.get_size() == 4
                assert tid.get_sign() == h5py.h5t.SGN_NONE
        dirty = attr_type(chrom, "dirty")
        assert dirty.get_class() == h5py.h5t.BITFIELD and dirty.get_size() == 1
        seq = chrom["supercontig_0"]["seq"]
        assert seq.dtype == np.uint8 and seq.shape == (24950,)
        assert seq.chunks == (65536,) and seq.maxshape == (65536,)
        assert seq.shuffle and seq.compression == "gzip" and seq.compression_opts == 1
        assert seq.fillvalue == 0
        assert list(chrom) == ["supercontig_0"]


@needs_ref
def test_reference_fasta_readable_by_pytables(tmp_path):
    tables = pytest.importorskip("tables")
    out = tmp_path / "archive"
    load_seq(out, [REF / "chr1.short.fa"], mode="file")
    with tables.open_file(str(out)) as handle:
        chrom = handle.root.chr1
        assert chrom._v_attrs.dirty is not None and bool(chrom._v_attrs.dirty)
        assert int(chrom._v_attrs.end) == 24950
        seq = chrom.supercontig_0.seq
        assert seq.filters.complevel == 1 and seq.filters.shuffle
        assert seq[:4].tobytes() == b"taac"


@needs_ref
def test_reference_agp_test_chunks(tmp_path):
    out = tmp_path / "archive"
    load_seq(out, [REF / "test_chunks.agp"], seqfile_type="agp")
    archive = read_archive(out)
    assert list(archive) == ["chr1"]
    assert bounds(archive, "chr1") == [(0, 100), (100000, 100200), (200300, 200400),
                                       (200500, 200600), (200700, 200800)]
    assert archive["chr1"]["end"] == 200800
    assert all(seq is None for _, _, seq in archive["chr1"]["supercontigs"])


@needs_ref
def test_reference_agp_adjacent(tmp_path):
    out = tmp_path / "archive"
    load_seq(out, [REF / "adjacent.agp.gz"], seqfile_type="agp", mode="file")
    archive = read_archive(out)
    assert bounds(archive, "chr10") == [(39239118, 39254773), (39254793, 39338430),
                                        (39338450, 39341685)]
    assert archive["chr10"]["end"] == 39341685


@needs_ref
@pytest.mark.parametrize("as_file", [False, True])
def test_reference_assembly_report(tmp_path, as_file):
    out = tmp_path / "archive"
    report = REF / "assembly_report.txt"
    if as_file:
        with open(report) as handle:
            load_seq(out, [REF / "chrY.agp.gz", REF / "chr1.agp.gz"], True, None, "agp", handle)
    else:
        load_seq(out, [REF / "chrY.agp.gz", REF / "chr1.agp.gz"], seqfile_type="agp",
                 assembly_report_file=report)
    archive = read_archive(out)
    assert sorted(archive) == ["chr1", "chrY"]
    assert archive["chr1"]["end"] <= 248956422
    assert len(archive["chrY"]["supercontigs"]) > 1


@needs_ref
def test_assembly_report_other_style_and_lookup(tmp_path):
    report = read_assembly_report(REF / "assembly_report.txt")
    assert "UCSC-style-name" in report.styles and "RefSeq-Accn" in report.styles
    assert report.translate("chr1", "RefSeq-Accn") == "NC_000001.11"
    assert report.translate("CM000686.2", "UCSC-style-name") == "chrY"
    sizes = write(tmp_path / "sizes", b"chr1 1000\nchrY 50\n")
    out = tmp_path / "archive"
    load_seq(out, [sizes], seqfile_type="sizes", assembly_report_file=REF / "assembly_report.txt",
             chromosome_name_style="GenBank-Accn")
    assert sorted(read_archive(out)) == ["CM000663.2", "CM000686.2"]


@needs_ref
def test_assembly_report_errors(tmp_path):
    sizes = write(tmp_path / "sizes", b"chr1 1000\nNC_999 50\n")
    out = tmp_path / "archive"
    with pytest.raises(InputError) as info:
        load_seq(out, [sizes], seqfile_type="sizes",
                 assembly_report_file=REF / "assembly_report.txt")
    assert str(info.value) == f"{sizes}:2: Cannot find NC_999 in assembly report"
    assert not out.exists()
    with pytest.raises(GenomedataError) as info:
        load_seq(out, [sizes], seqfile_type="sizes",
                 assembly_report_file=REF / "assembly_report.txt",
                 chromosome_name_style="UCSC-name")
    message = str(info.value)
    assert "unknown name style 'UCSC-name'" in message and "UCSC-style-name" in message
    assert "GenBank-Accn" in message
    assert not out.exists()


def test_assembly_report_small(tmp_path):
    text = ("# Assembly name: test\r\n# comment\r\n"
            "# Sequence-Name\tGenBank-Accn\tUCSC-style-name\r\n"
            "1\tCM1.1\tchr1\r\nMT\tCM2.1\tna\r\n")
    report = read_assembly_report(io.StringIO(text))
    assert report.styles == ["Sequence-Name", "GenBank-Accn", "UCSC-style-name"]
    assert report.translate("1", "UCSC-style-name") == "chr1"
    assert report.translate("CM1.1", "Sequence-Name") == "1"
    with pytest.raises(InputError, match="MT has no UCSC-style-name"):
        report.translate("MT", "UCSC-style-name", "x.fa", 3)
    fasta = write(tmp_path / "x.fa", b">1 first\nACGT\n>CM2.1\nAC\n")
    out = tmp_path / "archive"
    report_path = write(tmp_path / "report.txt", text.encode())
    with pytest.raises(InputError) as info:
        load_seq(out, [fasta], assembly_report_file=report_path)
    assert str(info.value) == (f"{fasta}:3: CM2.1 has no UCSC-style-name in assembly report "
                               f"{report_path}")
    assert not out.exists()
    fasta = write(tmp_path / "y.fa", b">1 first\nACGT\n>CM2.1\nAC\n")
    load_seq(out, [fasta], assembly_report_file=report_path,
             chromosome_name_style="Sequence-Name")
    assert sorted(read_archive(out)) == ["1", "MT"]


# ------------------------------------------------------------------------------------------------
# FASTA

def test_gap_examples(tmp_path):
    rng = np.random.default_rng(1)
    first = b"N" * 5 + random_bases(rng, 10) + b"N" * GAP + random_bases(rng, 7)
    second = b"N" * 10
    third = b"N" * GAP + b"ACGT" + b"n" * GAP
    fasta = write(tmp_path / "gaps.fa", b">first\n" + wrap(first) + b">second\n" + wrap(second)
                  + b">third\n" + wrap(third, width=70))
    out = tmp_path / "archive"
    load_seq(out, [fasta])
    archive = read_archive(out)
    assert archive["first"]["end"] == len(first)
    assert archive["first"]["supercontigs"] == [(0, 15, first[:15]),
                                                (15 + GAP, len(first), first[15 + GAP:])]
    assert archive["second"]["supercontigs"] == [(0, 10, second)]
    assert archive["third"]["supercontigs"] == [(GAP, GAP + 4, b"ACGT")]
    assert archive["third"]["end"] == 2 * GAP + 4


def test_all_gap_sequence_has_no_supercontig(tmp_path):
    fasta = write(tmp_path / "n.fa", b">chrN\n" + wrap(b"N" * GAP))
    out = tmp_path / "archive"
    load_seq(out, [fasta])
    archive = read_archive(out)
    assert archive["chrN"]["end"] == GAP and archive["chrN"]["supercontigs"] == []


def test_random_gaps_match_model(tmp_path):
    rng = np.random.default_rng(7)
    pieces = []
    for _ in range(12):
        pieces.append(random_bases(rng, int(rng.integers(1, 5000)), b"ACGTNacgtnR"))
        pieces.append(b"N" * int(rng.choice([GAP - 1, GAP, GAP + 17, 50])))
    seq = b"".join(pieces)
    fasta = write(tmp_path / "r.fa.gz", b">chrR\n" + wrap(seq, width=61), compress=True)
    out = tmp_path / "archive"
    load_seq(out, [fasta], mode="file")
    archive = read_archive(out)
    expected, position = [], 0
    for match in re.finditer(rb"[^ACGTacgt]+", seq):
        if match.end() - match.start() >= GAP:
            if match.start() > position:
                expected.append((position, match.start()))
            position = match.end()
    if position < len(seq):
        expected.append((position, len(seq)))
    assert bounds(archive, "chrR") == expected
    for start, end, stored in archive["chrR"]["supercontigs"]:
        assert stored == seq[start:end]


def test_fasta_names_crlf_case_multiple_files(tmp_path):
    a = write(tmp_path / "a.fa", b">chr1 Homo sapiens chromosome 1\r\nACGTacgt\r\nNNnn\r\nAC\r\n"
              b">chr2\tdescription\r\nggcc  \r\n\r\nTT\r\n")
    b = write(tmp_path / "b.fa.gz", b"\n>chr3\nA\nrYkM-\n>chr4", compress=True)
    out = tmp_path / "archive"
    load_seq(out, [a, b])
    archive = read_archive(out)
    assert sorted(archive) == ["chr1", "chr2", "chr3"]
    assert archive["chr1"]["supercontigs"] == [(0, 14, b"ACGTacgtNNnnAC")]
    assert archive["chr2"]["supercontigs"] == [(0, 6, b"ggccTT")]
    assert archive["chr3"]["supercontigs"] == [(0, 6, b"ArYkM-")]


@pytest.mark.parametrize("line,what", [
    (b";not a comment", "the character ';'"), (b"ACGT ACGT", "a space"),
    (b"AC\tGT", "a TAB"), (b"AC\0GT", "a NUL byte"), (b"ACGT1234", "the character '1'"),
    (b"AC.GT", "the character '.'")])
def test_fasta_bytes_that_are_not_sequence_are_refused(tmp_path, line, what):
    """NUL, blanks inside a line, digits, punctuation: not bases -- refused with FILE:LINE
    instead of being stored as bases."""
    fasta = write(tmp_path / "x.fa", b">chr1\nACGT  \nAC\r\n" + line + b"\nGG\n")
    with pytest.raises(InputError) as info:
        load_seq(tmp_path / "archive", [fasta])
    assert str(info.value) == (f"{fasta}:4: {what} in the sequence of chr1: sequence lines "
                               "hold letters (IUPAC codes) and '-' only")
    assert sorted(os.listdir(tmp_path)) == ["x.fa"]


def test_empty_record_warns_and_later_records_load(tmp_path):
    fasta = write(tmp_path / "e.fa", b">a\nACGT\n>b\n>c\nGGGG\n>d\n\n")
    out = tmp_path / "archive"
    ui, stream = quiet_ui()
    with ui:
        load_seq(out, [fasta])
    archive = read_archive(out)
    assert sorted(archive) == ["a", "c"]
    assert archive["c"]["supercontigs"] == [(0, 4, b"GGGG")]
    messages = stream.getvalue()
    assert f"warning: {fasta}:3: sequence b is empty; no chromosome created for it" in messages
    assert f"warning: {fasta}:6: sequence d is empty" in messages


def test_include_seq_false(tmp_path):
    fasta = write(tmp_path / "x.fa", b">x\nACGT\n")
    out = tmp_path / "archive"
    load_seq(out, [fasta], False, "file")
    assert read_archive(out)["x"]["supercontigs"] == [(0, 4, None)]


def test_verbose_reports_mode(tmp_path):
    fasta = write(tmp_path / "x.fa", b">x\nACGT\n")
    ui, stream = quiet_ui()
    with ui:
        load_seq(tmp_path / "archive", [fasta])
    text = stream.getvalue()
    assert "found 1 sequences, so using a directory archive" in text
    assert f"reading {fasta}" in text


@pytest.mark.parametrize("records,expected_dir", [(99, True), (100, False)])
def test_default_mode_by_record_count(tmp_path, records, expected_dir):
    data = b"".join(b">s%d\nAC\n" % i for i in range(records))
    fasta = write(tmp_path / "many.fa", data)
    out = tmp_path / "archive"
    load_seq(out, [fasta])
    assert out.is_dir() == expected_dir
    assert len(read_archive(out)) == records


@pytest.mark.parametrize("lines,expected_dir", [(99, True), (100, False)])
def test_default_mode_sizes(tmp_path, lines, expected_dir):
    sizes = write(tmp_path / "sizes", b"".join(b"s%d\t%d\n" % (i, i + 1) for i in range(lines)))
    out = tmp_path / "archive"
    load_seq(out, [sizes], seqfile_type="sizes")
    assert out.is_dir() == expected_dir


def test_count_fasta_records_stops_at_limit(tmp_path):
    fasta = write(tmp_path / "many.fa", b"".join(b">s%d\nAC\n" % i for i in range(250)))
    assert count_fasta_records([fasta]) == 250
    assert count_fasta_records([fasta], limit=100) == 250  # counted a block at a time
    assert 100 <= count_fasta_records([fasta], limit=100, block_size=16) < 110
    # '>' inside a line is not a record
    fasta = write(tmp_path / "x.fa", b">a\nAC>GT\n>b\n")
    assert count_fasta_records([fasta, fasta], block_size=3) == 4


# -- streaming: a block-size-independent parser, checked against a line-by-line model

def model_fasta(data: bytes):
    """The records, or ("error", line) at the first sequence line holding anything but
    letters and '-' once its CRs and trailing blanks are gone."""
    records, name, seq = [], None, []
    for number, line in enumerate(data.split(b"\n"), 1):
        if line.startswith(b">"):
            if name is not None:
                records.append((name, b"".join(seq)))
            name, seq = line[1:].split()[0].decode(), []
        elif name is not None:
            line = line.replace(b"\r", b"").rstrip(b" \t")
            if not re.fullmatch(rb"[A-Za-z-]*", line):
                return "error", number
            seq.append(line)
    if name is not None:
        records.append((name, b"".join(seq)))
    return records


fasta_lines = st.lists(
    st.tuples(st.sampled_from([b"ACGT", b"nnNN", b"A" * 70, b"", b"  ", b"GT\t", b"AC-gt",
                               b"acg t", b"A1", b"\0"]),
              st.sampled_from([b"\n", b"\r\n"])),
    max_size=8)


@settings(max_examples=150, deadline=None)
@given(records=st.lists(st.tuples(st.text("abcXYZ019_.", min_size=1, max_size=40)
                                  .map(lambda name: "s" + name),
                                  st.sampled_from(["", " desc", "\tmore words"]), fasta_lines),
                        max_size=5, unique_by=lambda r: r[0]),
       final_newline=st.booleans(), block_size=st.integers(16, 90), leading_blank=st.booleans())
def test_fasta_stream_matches_model(records, final_newline, block_size, leading_blank):
    data = b"\n" if leading_blank else b""
    for name, description, lines in records:
        data += b">" + name.encode() + description.encode() + b"\n"
        data += b"".join(text + end for text, end in lines)
    if not final_newline and data.endswith(b"\n"):
        data = data[:-1]
    buffer = SequenceBuffer(capacity=4)
    got = []
    with tempfile.TemporaryDirectory() as directory:
        fasta = write(Path(directory) / "mem.fa", data)
        try:
            for record in iter_fasta_records([fasta], buffer, registry=NameRegistry(),
                                             block_size=block_size):
                got.append((record.name, buffer.view().tobytes()))
                assert record.length == len(got[-1][1])
        except InputError as exc:
            assert "sequence lines hold letters (IUPAC codes) and '-' only" in exc.message
            got = ("error", exc.line)
    assert got == model_fasta(data)


def test_fasta_line_numbers_across_blocks(tmp_path):
    data = b">a\n" + b"ACGT\n" * 50 + b">b\n" + b"AC\n" * 10 + b"A\xffC\n"
    fasta = write(tmp_path / "x.fa", data)
    with pytest.raises(InputError) as info:
        list(iter_fasta_records([fasta], SequenceBuffer(), block_size=17))
    assert str(info.value) == f"{fasta}:63: non-ASCII byte 0xff in the sequence of b"


def test_long_single_line_sequence(tmp_path):
    rng = np.random.default_rng(3)
    seq = random_bases(rng, 5000)
    fasta = write(tmp_path / "x.fa", b">" + b"x" * 300 + b" desc\n" + seq + b"   \n>y\nAC")
    buffer = SequenceBuffer(capacity=1)
    got = [(r.name, buffer.view().tobytes())
           for r in iter_fasta_records([fasta], buffer, block_size=64)]
    assert got == [("x" * 300, seq), ("y", b"AC")]


# ------------------------------------------------------------------------------------------------
# AGP and sizes

def test_agp_merging_and_gaps(tmp_path):
    agp = write(tmp_path / "x.agp", (
        "# comment\n"
        "c1\t1\t10\t1\tW\tA.1\t1\t10\t+\n"
        "c1\t11\t20\t2\tW\tA.2\t1\t10\t+\n"         # adjacent: merges
        "c1\t15\t25\t3\tW\tA.3\t1\t11\t+\n"         # overlapping: merges, end = max
        "c1\t26\t30\t4\tN\t5\tscaffold\tyes\tpaired-ends\n"
        "c1\t31\t40\t5\tF\tA.4\t1\t10\t-\n"
        "c1\t41\t50\t6\tU\t10\tcontig\tno\n"        # 8-column gap row (AGP 1.1)
        "c2\t1\t5\t1\tN\t5\ttelomere\tno\tna\n"
        "c2\t6\t9\t2\tW\tB.1\t1\t4\t+\n").encode(), compress=True)
    out = tmp_path / "archive"
    load_seq(out, [agp], seqfile_type="agp")
    archive = read_archive(out)
    assert bounds(archive, "c1") == [(0, 25), (30, 40)]
    assert archive["c1"]["end"] == 40
    assert bounds(archive, "c2") == [(5, 9)]
    assert archive["c2"]["end"] == 9


def test_sizes(tmp_path):
    sizes = write(tmp_path / "chrom.sizes", b"chr1\t1000\textra\n\n# comment\nchr2 2000\r\n"
                  b"chrE 0\n")
    out = tmp_path / "archive"
    ui, stream = quiet_ui()
    with ui:
        load_seq(out, [sizes], seqfile_type="sizes", mode="file")
    archive = read_archive(out)
    assert sorted(archive) == ["chr1", "chr2"]
    assert archive["chr1"]["supercontigs"] == [(0, 1000, None)]
    assert archive["chr2"]["end"] == 2000
    assert f"{sizes}:5: sequence chrE has no bases" in stream.getvalue()


# ------------------------------------------------------------------------------------------------
# Bad input: FILE:LINE messages, nothing half-written

BAD_INPUTS = [
    ("fasta", b"\n  \nACGT\n>chr1\nACGT\n", 3,
     "sequence data before the first '>' definition line"),
    ("fasta", b">chr1\nACGT\nAC\xe9T\n", 3, "non-ASCII byte 0xe9 in the sequence of chr1"),
    # the first bad byte is reported, even when a non-ASCII byte follows in the same block
    ("fasta", b">chr1\n\x00A\n\n\n\n\x00\x00\x00\x80", 2,
     "a NUL byte in the sequence of chr1: sequence lines hold letters (IUPAC codes) and '-' only"),
    ("fasta", b">chr1\nACGT\n>\nAC\n", 3, "definition line without a sequence name"),
    ("fasta", b">chr1\nACGT\n>chr2\nA\n>chr1 again\nAC\n", 5,
     "chromosome chr1 is defined twice: here and at {path}:1"),
    ("fasta", b">chr/1\nACGT\n", 1,
     "sequence name 'chr/1' cannot name a chromosome (it contains '/' or is '.' or '..')"),
    ("agp", b"# c\nchr1\t1\t10\t1\tW\tA.1\t1\t10\t+\nchr1\t11\t20\t2\tW\tA.2\t1\t10\n", 3,
     "expected 9 TAB-separated columns, found 8"),
    ("agp", b"chr1\t1\tten\t1\tW\tA.1\t1\t10\t+\n", 1,
     "object_end 'ten' is not an integer (digits 0-9 only)"),
    ("agp", b"chr1\t1\t10\t1\tW\tA.1\t1\t10\t+\n\nchr1\t11\t20\t2\tW\tA.2\t1\t10\t+\n", 2,
     "blank line among AGP rows"),
    ("agp", b"chr1 1 10 1 W A.1 1 10 +\n", 1, "expected 9 TAB-separated columns, found 1"),
    ("agp", b"chr1\t11\t20\t1\tW\tA.1\t1\t10\t+\nchr1\t1\t10\t2\tW\tA.2\t1\t10\t+\n", 2,
     "rows of chr1 are not in order of position (this row begins before the previous one)"),
    ("agp", b"chr1\t1\t10\t1\tN\t10\tcontig\tmaybe\tna\n", 1,
     "linkage 'maybe' (column 8) is neither 'yes' nor 'no'"),
    ("sizes", b"chr1 100\nchr2 abc\n", 2, "size 'abc' is not an integer (digits 0-9 only)"),
    ("sizes", b"chr1 100\nchr2\n", 2, "expected a sequence name and its size"),
    ("sizes", b"chr1 100\nchr1 200\n", 2, "chromosome chr1 is defined twice: here and at {path}:1"),
    ("sizes", b"chr1 -5\n", 1, "size '-5' is not an integer (digits 0-9 only)"),
    ("sizes", b"chr1 1_000\n", 1, "size '1_000' is not an integer (digits 0-9 only)"),
    ("sizes", b"chr1 4294967296\n", 1,
     "size 4294967296 does not fit the archive's 32-bit coordinates"),
]


@pytest.mark.parametrize("existing", ["absent", "empty_dir"])
@pytest.mark.parametrize("kind,data,line,message", BAD_INPUTS)
def test_bad_input(tmp_path, kind, data, line, message, existing):
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    good = write(inputs / "good.fa", b">good\nACGT\n")
    path = write(inputs / f"bad.{kind}", data)
    target_dir = tmp_path / "target"
    target_dir.mkdir()
    out = target_dir / "archive"
    if existing == "empty_dir":
        out.mkdir()
    files = [good, path] if kind == "fasta" else [path]
    with pytest.raises(InputError) as info:
        load_seq(out, files, seqfile_type=kind, mode="dir" if existing == "empty_dir" else None)
    assert str(info.value) == f"{path}:{line}: " + message.format(path=path)
    if existing == "empty_dir":
        assert out.is_dir() and os.listdir(out) == []
    else:
        assert not out.exists()
    assert os.listdir(target_dir) == (["archive"] if existing == "empty_dir" else [])


def test_duplicate_across_files_after_write(tmp_path):
    a = write(tmp_path / "a.fa", b">chr1\nACGT\n>chr2\nAC\n")
    b = write(tmp_path / "b.fa.gz", b">chr3\nA\n>chr1\nC\n", compress=True)
    (tmp_path / "out").mkdir()
    out = tmp_path / "out" / "archive"
    for mode in ("dir", "file"):
        with pytest.raises(InputError) as info:
            load_seq(out, [a, b], mode=mode)
        assert str(info.value) == f"{b}:3: chromosome chr1 is defined twice: here and at {a}:1"
        assert os.listdir(tmp_path / "out") == []


def test_missing_file(tmp_path):
    out = tmp_path / "archive"
    missing = str(tmp_path / "missing.fa")
    with pytest.raises(GenomedataError) as info:
        load_seq(out, [missing])
    assert str(info.value) == f"{missing}: no such file"
    assert os.listdir(tmp_path) == []


def test_bad_arguments(tmp_path):
    fasta = write(tmp_path / "x.fa", b">x\nA\n")
    with pytest.raises(GenomedataError, match="unknown archive mode 'folder'"):
        load_seq(tmp_path / "a", [fasta], mode="folder")
    with pytest.raises(GenomedataError, match="unknown sequence file type 'fastq'"):
        load_seq(tmp_path / "a", [fasta], seqfile_type="fastq")
    with pytest.raises(GenomedataError, match="no sequence file given"):
        load_seq(tmp_path / "a", [])
    assert os.listdir(tmp_path) == ["x.fa"]


# ------------------------------------------------------------------------------------------------
# Existing archives

@pytest.mark.parametrize("mode", ["dir", "file"])
def test_existing_archive_refused_then_replaced(tmp_path, mode):
    first = write(tmp_path / "first.fa", b">old\nACGT\n")
    second = write(tmp_path / "second.fa", b">new\nGGGGCC\n")
    out = tmp_path / "archive"
    load_seq(out, [first], mode=mode)
    before = read_archive(out)
    with pytest.raises(GenomedataError) as info:
        load_seq(out, [second], mode=mode)
    assert str(info.value) == f"{out} already exists; use --overwrite to replace it"
    assert read_archive(out) == before
    # a failing overwrite leaves the old archive as it was
    bad = write(tmp_path / "bad.fa", b"ACGT\n")
    with pytest.raises(InputError):
        load_seq(out, [bad], mode=mode, overwrite=True)
    assert read_archive(out) == before
    # the other mode replaces it too
    other = "file" if mode == "dir" else "dir"
    load_seq(out, [second], mode=other, overwrite=True)
    assert out.is_dir() == (other == "dir")
    assert list(read_archive(out)) == ["new"]
    assert sorted(os.listdir(tmp_path)) == ["archive", "bad.fa", "first.fa", "second.fa"]


def test_overwrite_refuses_non_archive(tmp_path):
    fasta = write(tmp_path / "x.fa", b">x\nA\n")
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "notes.txt").write_text("keep me")
    with pytest.raises(GenomedataError, match="is not a Genomedata archive; refusing"):
        load_seq(precious, [fasta], overwrite=True)
    assert (precious / "notes.txt").read_text() == "keep me"
    text_file = tmp_path / "text"
    text_file.write_text("keep")
    with pytest.raises(GenomedataError, match="is not a Genomedata archive"):
        load_seq(text_file, [fasta], overwrite=True)
    assert text_file.read_text() == "keep"


@pytest.mark.parametrize("layout", ["hidden", "home", "hdf5", "empty_file", "mixed"])
def test_overwrite_replaces_only_genomedata_files(tmp_path, capsys, layout):
    """--overwrite replaces only what this package writes; a folder of hidden entries (a
    repository, a home folder), another program's HDF5 file, an empty file or a folder mixing
    chromosome files with anything else is refused and left as it was."""
    from genomedata.load_genomedata import load_genomedata

    fasta = write(tmp_path / "x.fa", b">x\nACGT\n")
    target = tmp_path / "target"
    if layout == "hidden":
        (target / ".git" / "objects").mkdir(parents=True)
        (target / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
        (target / ".env").write_text("SECRET=1\n")
    elif layout == "home":
        (target / ".ssh").mkdir(parents=True)
        (target / ".ssh" / "id_ed25519").write_text("key\n")
        (target / ".bashrc").write_text("export X=1\n")
    elif layout == "hdf5":
        with h5py.File(target, "w") as handle:
            handle["weights"] = np.arange(10)
    elif layout == "empty_file":
        target.write_bytes(b"")
    else:
        load_seq(target, [fasta], mode="dir")
        (target / "notes.txt").write_text("mine\n")
    before = {p: (p.read_bytes() if p.is_file() else None) for p in sorted(tmp_path.rglob("*"))}
    with pytest.raises(GenomedataError, match="is not a Genomedata archive; refusing"):
        load_seq(target, [fasta], overwrite=True)
    with pytest.raises(GenomedataError, match="is not a Genomedata archive; refusing"):
        load_genomedata(str(target), [], [str(fasta)], overwrite=True)
    assert main(["load-seq", "-q", "--overwrite", str(target), str(fasta)]) == 1
    assert "is not a Genomedata archive" in capsys.readouterr().err
    after = {p: (p.read_bytes() if p.is_file() else None) for p in sorted(tmp_path.rglob("*"))}
    assert after == before


def test_overwrite_replaces_an_archive_with_its_journal_files(tmp_path):
    """A directory archive holding its own undo journals, inode links, commit markers and the
    incomplete marker is still an archive to replace."""
    fasta = write(tmp_path / "x.fa", b">x\nACGT\n")
    target = tmp_path / "target"
    load_seq(target, [fasta], mode="dir")
    for name in (".x.genomedata.journal", ".x.genomedata.journal-inode",
                 ".genomedata-commit-00ff", ".genomedata-incomplete"):
        (target / name).write_bytes(b"")
    new = write(tmp_path / "y.fa", b">y\nGG\n")
    load_seq(target, [new], mode="dir", overwrite=True)
    assert os.listdir(target) == ["y.genomedata"]


def test_empty_directory(tmp_path):
    fasta = write(tmp_path / "x.fa", b">x\nA\n")
    out = tmp_path / "empty"
    out.mkdir()
    load_seq(out, [fasta])
    assert os.listdir(out) == ["x.genomedata"]
    # a file archive cannot go where an empty directory is, unless asked to replace it
    out2 = tmp_path / "empty2"
    out2.mkdir()
    with pytest.raises(GenomedataError, match="already exists; use --overwrite"):
        load_seq(out2, [fasta], mode="file")
    assert out2.is_dir()
    load_seq(out2, [fasta], mode="file", overwrite=True)
    assert out2.is_file()


def test_empty_directory_stays_empty_until_the_archive_is_complete(tmp_path, monkeypatch):
    """load-seq into an existing empty directory builds beside it and renames the finished
    archive over it: while it runs, the directory is untouched (so a kill leaves it as it was),
    and the finished archive keeps the directory's permissions."""
    from genomedata.ops import _sequence as _load_seq

    fasta = write(tmp_path / "g.fa", b">a\nACGT\n>b\nGG\n>c\nT\n")
    out = tmp_path / "empty"
    out.mkdir()
    os.chmod(out, 0o750)
    seen = []
    real = _load_seq.write_chromosome

    def watching(archive, name, *args, **kwargs):
        seen.append(os.listdir(out))
        return real(archive, name, *args, **kwargs)

    monkeypatch.setattr(_load_seq, "write_chromosome", watching)
    load_seq(out, [fasta], mode="dir")
    assert seen == [[], [], []]
    assert sorted(os.listdir(out)) == ["a.genomedata", "b.genomedata", "c.genomedata"]
    assert os.stat(out).st_mode & 0o777 == 0o750
    assert sorted(os.listdir(tmp_path)) == ["empty", "g.fa"]


def test_concurrent_loads_into_one_empty_directory(tmp_path, monkeypatch):
    """Two load-seq runs into the same empty directory: the one that finishes first puts its
    archive in place; the other fails without touching it."""
    from genomedata.ops import _sequence as _load_seq

    first = write(tmp_path / "first.fa", b">a\nACGT\n>b\nGG\n")
    second = write(tmp_path / "second.fa", b">a\nTTTT\n")
    out = tmp_path / "empty"
    out.mkdir()
    real = _load_seq.write_chromosome
    ran = []

    def other_run_meanwhile(archive, name, *args, **kwargs):
        if not ran:
            ran.append(True)
            monkeypatch.setattr(_load_seq, "write_chromosome", real)
            load_seq(out, [second], mode="dir")       # runs to completion in between
        return real(archive, name, *args, **kwargs)

    monkeypatch.setattr(_load_seq, "write_chromosome", other_run_meanwhile)
    with pytest.raises(GenomedataError, match="changed while loading"):
        load_seq(out, [first], mode="dir")
    assert read_archive(out) == {"a": {"start": 0, "end": 4, "dirty": 1,
                                       "supercontigs": [(0, 4, b"TTTT")]}}
    assert sorted(os.listdir(tmp_path)) == ["empty", "first.fa", "second.fa"]


def test_in_place_build_under_the_incomplete_marker(tmp_path, monkeypatch, capsys):
    """Where the finished archive cannot be renamed over the empty directory (a mount point, a
    parent that cannot be written), it is built in place under a marker: a second run fails
    at once, an interrupted build is reported by validate and refused without --overwrite."""
    from genomedata.ops import _sequence as _load_seq
    from genomedata.ops.validate import validate
    from genomedata.archive import build as _build

    monkeypatch.setattr(_build, "_can_rename_over", lambda path: False)
    fasta = write(tmp_path / "g.fa", b">a\nACGT\n>b\nGG\n")
    out = tmp_path / "mount"
    out.mkdir()
    real = _load_seq.write_chromosome
    calls = []

    def interrupted(archive, name, *args, **kwargs):
        calls.append(name)
        if len(calls) == 1:
            with pytest.raises(GenomedataError, match=r"incomplete archive \(a load into it is "
                               r"running, or did not finish\)"):
                load_seq(out, [fasta], mode="dir")
        if len(calls) == 2:
            raise KeyboardInterrupt     # as a kill would, after the first chromosome
        return real(archive, name, *args, **kwargs)

    monkeypatch.setattr(_load_seq, "write_chromosome", interrupted)
    monkeypatch.setattr(_build.ArchiveBuild, "abandon", lambda self: None)   # killed: no cleanup
    with pytest.raises(KeyboardInterrupt):
        load_seq(out, [fasta], mode="dir")
    assert sorted(os.listdir(out)) == [".genomedata-incomplete", "a.genomedata"]
    assert any("is incomplete" in finding.problem for finding in validate(out))
    monkeypatch.setattr(_load_seq, "write_chromosome", real)
    with pytest.raises(GenomedataError, match="is an incomplete archive"):
        load_seq(out, [fasta], mode="dir")
    load_seq(out, [fasta], mode="dir", overwrite=True)
    assert sorted(read_archive(out)) == ["a", "b"]
    assert validate(out) == [] or not any("incomplete" in f.problem for f in validate(out))


@pytest.mark.parametrize("mode", ["dir", "file"])
def test_validate_reports_only_a_marked_archive_incomplete(tmp_path, mode):
    """An archive missing chromosomes looks complete; only the marker of an unfinished build
    makes validate say it is incomplete."""
    from genomedata.archive import layout as _layout
    from genomedata._close_data import close_data
    from genomedata.ops.validate import validate

    fasta = write(tmp_path / "g.fa", b">a\nACGT\n")
    out = tmp_path / "archive"
    load_seq(out, [fasta], mode=mode)
    close_data(out)
    assert validate(out) == []
    if mode == "dir":
        (out / _layout.INCOMPLETE_MARKER).write_bytes(b"")
    else:
        with h5py.File(out, "r+") as handle:
            handle.attrs[_layout.ATTR_INCOMPLETE] = 1
    problems = [finding.problem for finding in validate(out)]
    assert problems == [f"{out} is incomplete: the command that built it did not finish, so "
                        "chromosomes (or tracks) may be missing"]


@pytest.mark.parametrize("mode", ["dir", "file"])
def test_stale_partial_archives_are_cleaned(tmp_path, mode):
    """A partial archive left beside ARCHIVE by a killed load (its process gone) is removed by
    the next load of ARCHIVE; one of a process still running is left alone."""
    import subprocess
    import sys

    from genomedata.archive.build import _hostname
    from genomedata.load_genomedata import load_genomedata

    fasta = write(tmp_path / "g.fa", b">a\nACGT\n")
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    dead = int(gone.stdout)
    stale = tmp_path / f".out.partial-{_hostname()}-{dead}-0a1b2c3d"
    live = tmp_path / f".out.partial-{_hostname()}-{os.getpid()}-0a1b2c3d"
    other_host = tmp_path / f".out.partial-elsewhere-{dead}-0a1b2c3d"
    for path in (stale, live, other_host):
        if mode == "dir":
            path.mkdir()
            (path / "a.genomedata").write_bytes(b"x")
        else:
            path.write_bytes(b"x")
    (tmp_path / f".{stale.name}.journal").write_bytes(b"x")
    load_seq(tmp_path / "out", [fasta], mode=mode)
    assert sorted(os.listdir(tmp_path)) == sorted(["g.fa", "out", live.name, other_host.name])
    (tmp_path / stale.name).write_bytes(b"x")
    load_genomedata(str(tmp_path / "out2"), [], [str(fasta)])   # load cleans its own
    assert (tmp_path / stale.name).exists()
    stale2 = tmp_path / f".out2.partial-{_hostname()}-{dead}-00000000"
    stale2.write_bytes(b"x")
    load_genomedata(str(tmp_path / "out2"), [], [str(fasta)], overwrite=True)
    assert not stale2.exists()


def test_public_import():
    import genomedata
    assert genomedata.load_seq is load_seq


# ------------------------------------------------------------------------------------------------
# The command

def test_command_fasta_glob(tmp_path, capsys):
    write(tmp_path / "a.fa", b">a\nACGT\n")
    write(tmp_path / "b.fa.gz", b">b\nAC\n", compress=True)
    out = tmp_path / "archive"
    assert main(["load-seq", "-q", str(out), str(tmp_path / "*.fa*")]) == 0
    assert sorted(read_archive(out)) == ["a", "b"]
    assert out.is_dir()
    assert main(["load-seq", "-q", "--file-mode", "--overwrite", str(out),
                 str(tmp_path / "a.fa")]) == 0
    assert out.is_file()


@needs_ref
def test_command_options(tmp_path, capsys):
    out = tmp_path / "archive"
    assert main(["load-seq", "-r", str(REF / "assembly_report.txt"), "-n", "UCSC-style-name",
                 "-s", "-a", "-d", str(out), str(REF / "chrY.agp.gz")]) == 0
    assert list(read_archive(out)) == ["chrY"]
    assert main(["load-seq", "--verbose", "-a", "-f", str(tmp_path / "chunks"),
                 str(REF / "test_chunks.agp")]) == 0
    assert (tmp_path / "chunks").is_file()
    sizes = write(tmp_path / "sizes", b"chr1 10\n")
    assert main(["load-seq", "--assembly", "--sizes", "--directory-mode",
                 str(tmp_path / "sized"), sizes]) == 0
    assert read_archive(tmp_path / "sized")["chr1"]["supercontigs"] == [(0, 10, None)]


def test_command_bad_input(tmp_path, capsys):
    bad = write(tmp_path / "bad.fa", b">chr1\nAC\xe9T\n")
    out = tmp_path / "archive"
    assert main(["load-seq", str(out), bad]) == 1
    err = capsys.readouterr().err
    assert err == (f"genomedata load-seq: error: {bad}:2: non-ASCII byte 0xe9 in the sequence "
                   "of chr1\n")
    assert not out.exists()


def test_command_existing_and_missing(tmp_path, capsys):
    good = write(tmp_path / "good.fa", b">chr1\nACGT\n")
    out = tmp_path / "archive"
    assert main(["load-seq", "-q", str(out), good]) == 0
    assert main(["load-seq", str(out), good]) == 1
    err = capsys.readouterr().err
    assert err == (f"genomedata load-seq: error: {out} already exists; use --overwrite to "
                   "replace it\n")
    missing = str(tmp_path / "nothing.fa")
    assert main(["load-seq", str(tmp_path / "other"), missing]) == 1
    assert capsys.readouterr().err == f"genomedata load-seq: error: {missing}: no such file\n"
    assert not (tmp_path / "other").exists()


# ------------------------------------------------------------------------------------------------
# One number grammar for every text input

INTEGER_TOKENS = ["100", "007", "+100", "-5", "1_000", "1,000", "5.", "5.0", "1e3", "0x10",
                  "\u0663"]
DECIMAL_TOKENS = ["2", "-2.5", "+100", "5.", ".5", "5.e3", "-1E-3", "1_000", "1,5", ".",
                  "e3", "0x10", "\u0663", "5e", "--1"]


def _accepts(function) -> bool:
    try:
        function()
    except (GenomedataError, ValueError):
        return False
    return True


@pytest.mark.parametrize("token", INTEGER_TOKENS)
def test_integers_read_alike_in_sizes_agp_and_signal(tmp_path, token):
    """A sizes file, an AGP file and a signal file's coordinates take the same integers:
    ASCII digits only (the sizes file took '+100' and '1_000', which the signal parser
    refuses)."""
    from genomedata.inputs.sequence import read_agp, read_sizes
    from genomedata.inputs.signal import parse_signal

    sizes = write(tmp_path / "g.sizes", f"chr1\t{token}\n".encode())
    agp = write(tmp_path / "g.agp", f"chr1\t1\t{token}\t1\tW\tA\t1\t{token}\t+\n".encode())
    outcomes = {
        "sizes": _accepts(lambda: read_sizes(sizes)),
        "agp": _accepts(lambda: read_agp(agp)),
        "bedGraph": _accepts(lambda: parse_signal(f"chr1\t0\t{token}\t1\n".encode(), "s")),
        "fixedStep": _accepts(lambda: parse_signal(
            f"fixedStep chrom=chr1 start={token}\n1\n".encode(), "s")),
    }
    assert len(set(outcomes.values())) == 1, outcomes
    assert outcomes["sizes"] == bool(re.fullmatch("[0-9]+", token))


@pytest.mark.parametrize("token", DECIMAL_TOKENS)
def test_decimals_read_alike_in_signal_masks_and_filters(tmp_path, token):
    """Signal values, BED mask scores and --hardmask thresholds take the same decimals."""
    from genomedata.inputs.regions import parse_hardmask_option, read_mask_file
    from genomedata.inputs.signal import parse_signal

    mask = write(tmp_path / "m.bed", f"chr1\t0\t10\tx\t{token}\n".encode())
    outcomes = {
        "signal": _accepts(lambda: parse_signal(f"chr1\t0\t10\t{token}\n".encode(), "s")),
        "mask score": _accepts(lambda: read_mask_file(mask, "lt1")),
        "--hardmask": _accepts(lambda: parse_hardmask_option(f"lt{token}")),
    }
    assert len(set(outcomes.values())) == 1, outcomes
