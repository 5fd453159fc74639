"""``genomedata validate`` and ``genomedata.ops.validate.validate``: each problem is found on an
archive built to have it (library functions, then broken with h5py), a clean archive gives no
finding, and validating never changes a byte."""

from __future__ import annotations

import os

import h5py
import numpy as np
import pytest

from genomedata.archive import layout as _layout
from genomedata._close_data import close_data
from genomedata.ops.validate import Finding, validate
from conftest import file_hashes, run_cli as cli


SUPERCONTIGS = {"chr1": [(0, 60), (100, 150)], "chr2": [(0, 40)]}
ENDS = {"chr1": 150, "chr2": 40}


def clean_archive(make_archive, kind="file", empty_track=False):
    rng = np.random.default_rng(3)
    values = {chrom: rng.normal(size=(end, 2)).astype(np.float32) for chrom, end in ENDS.items()}
    if empty_track:
        for data in values.values():
            data[:, 1] = np.nan
    path = make_archive(SUPERCONTIGS, tracknames=["a", "b"], values=values, closed=False,
                        ends=ENDS, kind=kind, chunk_rows=16,
                        seq={c: "ACGT" * (e // 4) + "A" * (e % 4) for c, e in ENDS.items()})
    close_data(path)
    return path


def open_chromosome(path, chrom):
    """(h5py file, chromosome group) opened for writing, to break the archive."""
    if os.path.isdir(path):
        handle = h5py.File(os.path.join(path, chrom + _layout.SUFFIX), "r+")
        return handle, handle["/"]
    handle = h5py.File(path, "r+")
    return handle, handle[chrom]


def findings_text(path):
    before = file_hashes(path)
    findings = validate(path)
    assert file_hashes(path) == before  # read-only: not one byte changed
    assert all(isinstance(f, Finding) and f.problem and f.advice for f in findings)
    return "\n".join(str(f) for f in findings), findings


@pytest.mark.parametrize("kind", ["file", "directory"])
def test_clean_archive_has_no_findings(make_archive, kind, capsys):
    path = clean_archive(make_archive, kind)
    assert validate(path) == []
    before = file_hashes(path)
    assert cli("validate", str(path)) == 0
    assert "no problems found" in capsys.readouterr().out
    assert file_hashes(path) == before


def test_reference_archive(refdata):
    """The old PyTables 2 archive validates (int32 attributes are fine)."""
    text, findings = findings_text(refdata / "v1.genomedata")
    assert findings == [] or all(f.severity == "warning" for f in findings), text


@pytest.mark.parametrize("kind", ["file", "directory"])
def test_dirty_chromosome(make_archive, kind, capsys):
    path = clean_archive(make_archive, kind)
    handle, group = open_chromosome(path, "chr2")
    with handle:
        _layout.write_dirty(group, True)
    text, findings = findings_text(path)
    # the sentence every reader says about such an archive
    message = (f"{path} was modified after close-data (chromosome chr2), so its statistics "
               f"are out of date; run 'genomedata close-data {path}' first")
    assert text == message
    assert len(findings) == 1
    assert cli("validate", str(path)) == 1
    assert capsys.readouterr().out == f"error: {message}\n"


def test_track_without_data(make_archive):
    path = clean_archive(make_archive, empty_track=True)
    text, findings = findings_text(path)
    assert len(findings) == 1
    assert "track 'b' has no data" in text and "Segway" in text and "load-data" in text


def test_track_lists_differ_between_chromosome_files(make_archive):
    path = clean_archive(make_archive, "directory")
    handle, group = open_chromosome(path, "chr2")
    with handle:
        _layout.write_tracknames(group, ["a", "c"])
    text, _ = findings_text(path)
    assert "chr2.genomedata lists the tracks ['a', 'c'] but chr1.genomedata lists ['a', 'b']" \
        in text


def test_path_to_one_chromosome_file(make_archive, capsys):
    path = clean_archive(make_archive, "directory")
    one = os.path.join(path, "chr1.genomedata")
    text, findings = findings_text(one)
    assert len(findings) == 1
    # the message every command gives for this mistake
    assert text == (f"{one} is the file of chromosome chr1 in the directory archive {path}, "
                    f"not an archive by itself; give the directory: {path}")
    assert cli("validate", one) == 1


def test_missing_continuous(make_archive):
    path = clean_archive(make_archive)
    handle, group = open_chromosome(path, "chr1")
    with handle:
        del group["supercontig_1"][_layout.CONTINUOUS]
    text, _ = findings_text(path)
    assert "chromosome chr1: supercontig_1 has no track data array ('continuous')" in text


@pytest.mark.parametrize("kind", ["file", "directory"])
def test_unsupported_format_version(make_archive, kind):
    path = clean_archive(make_archive, kind)
    handle, group = open_chromosome(path, "chr1")
    with handle:
        _layout.write_format_version(handle["/"], 2)
    text, _ = findings_text(path)
    assert "format version 2" in text and "supports format version 1" in text


def test_format_version_zero_is_a_warning(make_archive):
    path = clean_archive(make_archive)
    with h5py.File(path, "r+") as handle:
        _layout.write_format_version(handle["/"], 0)
    _, findings = findings_text(path)
    assert [f.severity for f in findings] == ["warning"]
    assert "cannot be added" in findings[0].problem


def test_attribute_types(make_archive):
    path = clean_archive(make_archive)
    with h5py.File(path, "r+") as handle:
        group = handle["chr1"]
        del group.attrs[_layout.ATTR_DIRTY]
        group.attrs[_layout.ATTR_DIRTY] = np.bool_(False)  # HDF5 enum: PyTables reads None
        handle["chr2"].attrs[_layout.ATTR_END] = 40.0      # not an integer
        del handle["/"].attrs[_layout.ATTR_TRACKNAMES]
        handle["/"].attrs.create(_layout.ATTR_TRACKNAMES, ["a", "b"],
                                 dtype=h5py.string_dtype())
    text, findings = findings_text(path)
    assert "the 'dirty' flag is stored as a numpy bool (HDF5 enum), not an 8-bit bitfield" \
        in text
    assert "chromosome chr2: 'end' is not a whole number" in text
    assert "variable-length strings" in text


def test_layout_problems(make_archive):
    path = clean_archive(make_archive)
    with h5py.File(path, "r+") as handle:
        chr1 = handle["chr1"]
        chr1.create_group("notes")
        chr1["supercontig_0"][_layout.CONTINUOUS].resize((60, 3))
        del chr1.attrs["mins"]
        del handle["chr2"]["supercontig_0"].attrs[_layout.ATTR_CHUNK_STARTS]
        handle["chr2"]["supercontig_0"].attrs[_layout.ATTR_END] = np.uint32(45)
    text, _ = findings_text(path)
    assert "chromosome chr1 contains 'notes', which is not a supercontig group" in text
    assert "track data have 3 column(s) but the archive lists 2 track(s)" in text
    assert "marked clean but has no statistics (mins)" in text
    assert "supercontig_0 lacks 'chunk_starts'/'chunk_ends'" in text
    assert "supercontig_0 ends at 45, after the chromosome's end 40" in text
    assert "track data have 40 rows for a supercontig of 45 bases" in text


def test_not_an_archive(tmp_path, refdata, capsys):
    text, _ = findings_text(refdata / "ENCFF324BPE.bigWig")
    assert "bigWig file" in text
    missing = tmp_path / "nope"
    assert "does not exist" in str(validate(missing)[0])
    empty = tmp_path / "empty"
    empty.mkdir()
    assert "without chromosome files" in str(validate(empty)[0])
    junk = tmp_path / "junk"
    junk.write_text("hello")
    assert str(validate(junk)[0]) == (
        f"{junk} is not a Genomedata archive (it is a text file); give an archive: a "
        "directory or an HDF5 file made by 'genomedata load' or 'load-seq'")
    assert cli("validate", str(junk)) == 1
    assert "Traceback" not in capsys.readouterr().err


@pytest.mark.parametrize("kind", ["file", "directory"])
def test_coordinates_outside_the_format(make_archive, kind):
    """A chromosome start of -1, an end of 2**40 or a supercontig end past 2**32 - 1 do not fit
    the format's uint32 coordinates; a chromosome starting elsewhere than 0 is wrong too."""
    path = clean_archive(make_archive, kind)
    handle, group = open_chromosome(path, "chr1")
    with handle:
        del group.attrs[_layout.ATTR_START]
        group.attrs[_layout.ATTR_START] = np.int64(-1)
        del group.attrs[_layout.ATTR_END]
        group.attrs[_layout.ATTR_END] = np.int64(2 ** 40)
    handle, group = open_chromosome(path, "chr2")
    with handle:
        group.attrs[_layout.ATTR_START] = np.uint32(5)
        group["supercontig_0"].attrs[_layout.ATTR_END] = np.int64(2 ** 32)
    text, _ = findings_text(path)
    assert "chromosome chr1" in text and "'start' is -1, outside the format's coordinates" in text
    assert "'end' is 1099511627776, outside the format's coordinates 0 to 4294967295" in text
    assert "chromosome chr2" in text and "starts at 5; chromosomes start at 0" in text
    assert "supercontig_0: 'end' is 4294967296, outside" in text
