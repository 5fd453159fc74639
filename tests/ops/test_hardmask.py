"""``genomedata hardmask`` and ``genomedata._hardmask``."""

from __future__ import annotations

import gzip
import math
import os
import shutil

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from genomedata import Genome
from genomedata.archive import layout as _layout
from genomedata.archive import files as _files
from genomedata._close_data import close_data
from genomedata.inputs.regions import (HardmaskFilter, mask_file_kind, parse_hardmask_option,
                                       read_mask_file)
from genomedata.errors import HardmaskOptionError
from genomedata._hardmask import hardmask_data
from genomedata.errors import GenomedataError, InputError
from conftest import file_hashes, run_cli as cli

NAN = np.nan
TRACK = "zunfiltered"


# ------------------------------------------------------------------------------------------------
# the reference's test_filter_track

@pytest.fixture(scope="module")
def filter_archive_template(tmp_path_factory):
    from genomedata._load_data import load_data
    from genomedata._open_data import open_data
    from genomedata.load_genomedata import load_genomedata
    from conftest import REFDATA
    if not REFDATA.is_dir():
        pytest.skip("reference data not found")
    path = tmp_path_factory.mktemp("filter") / "filter.genomedata"
    load_genomedata(str(path), [("placental",
                                 str(REFDATA / "chr1.phyloP44way.placental.short.wigFix"))],
                    [str(REFDATA / "chr1.short.fa"), str(REFDATA / "chrY.short.fa.gz")],
                    mode="file")
    open_data(path, [TRACK])
    load_data(path, TRACK, str(REFDATA / "unfiltered.bed"))
    close_data(path)
    return path


@pytest.fixture
def filter_archive(filter_archive_template, tmp_path):
    path = tmp_path / "filter.genomedata"
    shutil.copyfile(filter_archive_template, path)
    return path


def assert_filtered(path, masked=True):
    f32 = lambda values: np.array(values, dtype=np.float32)  # noqa: E731
    with Genome(path) as genome:
        chr1 = genome["chr1"]
        np.testing.assert_array_equal(chr1[0:4, TRACK], f32([NAN] * 4))
        np.testing.assert_array_equal(chr1[128:132, TRACK], f32([NAN, NAN, 0.5, 0.5]))
        np.testing.assert_array_equal(chr1[168:172, TRACK], f32([0.9, 0.9, NAN, NAN]))
        np.testing.assert_array_equal(chr1[206:210, TRACK], f32([NAN] * 4))
        # 210 values loaded, [0,130) and [170,210) masked
        assert genome.num_datapoints.tolist() == [496, 40]
        # the other track is untouched
        assert chr1[290, "placental"] == np.float32(-2.297)


WIG_FIXED = ("fixedStep chrom=chr1 start=1 step=10 span=10\n"
             + "0\n" * 10 + "0.49\n" * 3 + "0.51\n" * 4 + "0.49\n" * 3 + "0.3\n")
WIG_VARIABLE = ("variableStep chrom=chr1 span=100\n1 0\nvariableStep chrom=chr1 span=10\n"
                + "".join(f"{pos} {value}\n" for pos, value in zip(
                    range(101, 202, 10),
                    [0.4, 0.45, 0.49, 0.5, 0.6, 0.7, 0.51, 0.49, 0.4, 0.2, 0])))


def test_filter_track_bed(refdata, filter_archive):
    summary = hardmask_data(filter_archive, refdata / "filter.bed", [TRACK], lambda x: x < 0.5)
    assert summary.kind == "bed" and summary.closed
    assert [(c, m.starts.tolist(), m.ends.tolist()) for c, m in summary.chromosomes.items()] \
        == [("chr1", [0, 170], [130, 210])]
    assert summary.values_masked == 170
    assert_filtered(filter_archive)


@pytest.mark.parametrize("name, text, compress", [
    ("filter_fixed.wig", WIG_FIXED, False),
    ("filter_variable.wig", WIG_VARIABLE, False),
    ("filter_variable.wig.gz", WIG_VARIABLE, True),
    ("filter_fixed.wigFix", WIG_FIXED, False),
    ("filter_variable.txt", WIG_VARIABLE, True),  # by content
])
def test_filter_track_wig(filter_archive, tmp_path, name, text, compress):
    mask = tmp_path / name
    mask.write_bytes(gzip.compress(text.encode()) if compress else text.encode())
    summary = hardmask_data(filter_archive, mask, [TRACK], "lt0.5")
    assert summary.kind == "wig"
    assert_filtered(filter_archive)


def test_filter_track_cli(refdata, filter_archive, capsys):
    assert cli("hardmask", str(refdata / "filter.bed"), str(filter_archive), "-t", TRACK,
               "--hardmask", "lt0.5") == 0
    assert_filtered(filter_archive)


@pytest.mark.parametrize("name, line", [("filter_fixed.wig", 1),
                                        ("filter_variable.wig.gz", 2)])
def test_reference_zero_based_wig_is_rejected(refdata, filter_archive, name, line, capsys):
    before = file_hashes(filter_archive)
    mask = refdata / name
    with pytest.raises(InputError) as info:
        hardmask_data(filter_archive, mask, [TRACK], "lt0.5")
    assert str(info.value).startswith(f"{mask}:{line}: ")
    assert "1-based" in str(info.value)
    assert cli("hardmask", str(mask), str(filter_archive), "--hardmask", "lt0.5") == 1
    err = capsys.readouterr().err
    assert f"{mask}:{line}:" in err and "1-based" in err and "Traceback" not in err
    assert file_hashes(filter_archive) == before


def test_dry_run_changes_nothing(refdata, filter_archive, capsys):
    before = file_hashes(filter_archive)
    summary = hardmask_data(filter_archive, refdata / "filter.bed", [TRACK], "lt0.5",
                            dry_run=True)
    assert summary.dry_run and summary.regions == 2 and summary.bases == 170
    assert summary.values_masked == 0 and not summary.closed
    assert file_hashes(filter_archive) == before
    assert cli("hardmask", str(refdata / "filter.bed"), str(filter_archive), "--hardmask",
               "lt0.5", "--dry-run") == 0
    captured = capsys.readouterr()
    assert captured.out == "chr1\t0\t130\nchr1\t170\t210\n"
    assert "chr1" in captured.err and "170" in captured.err
    assert file_hashes(filter_archive) == before
    with Genome(filter_archive) as genome:
        assert genome["chr1"][0, TRACK] == 0


def test_no_filter_masks_every_region_and_all_tracks(refdata, filter_archive):
    summary = hardmask_data(filter_archive, refdata / "filter.bed")
    assert summary.tracks == ["placental", TRACK]
    with Genome(filter_archive) as genome:
        assert np.isnan(genome["chr1"][0:210]).all()
        assert genome.num_datapoints.tolist() == [496, 0]


def test_no_close_leaves_archive_dirty(refdata, filter_archive):
    summary = hardmask_data(filter_archive, refdata / "filter.bed", [TRACK], "lt0.5",
                            keep_archive_open=True)
    assert not summary.closed
    with _files.ArchiveFiles(filter_archive) as files:
        assert _layout.read_dirty(files.chromosome_group("chr1"))
        assert not _layout.read_dirty(files.chromosome_group("chrY"))  # untouched
    close_data(filter_archive)
    assert_filtered(filter_archive)


# ------------------------------------------------------------------------------------------------
# generated archives

def values_for(rng, length, ntracks):
    values = rng.normal(0, 1, (length, ntracks)).astype(np.float32)
    values[rng.random((length, ntracks)) < 0.1] = np.nan
    return values


def write_bed(path, lines):
    path.write_text("".join("\t".join(map(str, line)) + "\n" for line in lines))
    return path


def read_all(path, chrom, length):
    import warnings

    from genomedata._util import OverlapWarning
    with Genome(path) as genome, warnings.catch_warnings():
        warnings.simplefilter("ignore", OverlapWarning)
        return genome[chrom][0:length]


def open_closed(make_archive, supercontigs, values, tracknames, **kwargs):
    path = make_archive(supercontigs, tracknames=tracknames, values=values, closed=False,
                        **kwargs)
    close_data(path)
    return path


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("threads", [0, 3])
def test_random_masks_match_model(make_archive, tmp_path, seed, threads):
    rng = np.random.default_rng(seed)
    supercontigs = {"chr1": [(0, 90), (130, 400), (405, 406)], "chr2": [(10, 77)]}
    ends = {"chr1": 420, "chr2": 80}
    values = {chrom: values_for(rng, end, 3) for chrom, end in ends.items()}
    path = open_closed(make_archive, supercontigs, values, ["a", "b", "c"], chunk_rows=7,
                       ends=ends, kind="directory" if seed % 2 else "file")
    lines = []
    for _ in range(40):
        chrom = str(rng.choice(["chr1", "chr2", "chrM"]))
        start = int(rng.integers(0, 430))
        end = start + int(rng.integers(0, 30))
        score = round(float(rng.normal()), 3)
        lines.append((chrom, start, end, "x", score))
    mask = write_bed(tmp_path / "mask.bed", lines)
    summary = hardmask_data(path, mask, ["c", "a"], "ge0.2", threads=threads, block_rows=14)
    assert set(summary.unknown_chromosomes) <= {"chrM"}
    for chrom, end in ends.items():
        expected = values[chrom].copy()
        inside = np.zeros(end, dtype=bool)
        for start, stop in supercontigs[chrom]:
            inside[start:stop] = True
        expected[~inside] = np.nan
        for c, start, stop, _, score in lines:
            if c == chrom and score >= 0.2:
                expected[start:stop, 0] = np.nan
                expected[start:stop, 2] = np.nan
        np.testing.assert_array_equal(read_all(path, chrom, end), expected)
    with Genome(path) as genome:
        finite = sum(np.isfinite(values[c][s:e]).sum(axis=0)
                     for c in ends for s, e in supercontigs[c])
        masked = finite - genome.num_datapoints
        assert masked[1] == 0 and masked.sum() == summary.values_masked


def test_regions_across_gaps_mask_inside_supercontigs(make_archive, tmp_path):
    rng = np.random.default_rng(1)
    values = {"chr1": values_for(rng, 120, 1)}
    values["chr1"][:] = 1.0
    path = open_closed(make_archive, {"chr1": [(0, 50), (80, 120)]}, values, ["t"])
    mask = write_bed(tmp_path / "m.bed", [("chr1", 40, 100), ("chr1", 115, 500)])
    summary = hardmask_data(path, mask)
    assert summary.bases == 10 + 20 + 5
    data = read_all(path, "chr1", 120)[:, 0]
    assert np.isnan(data[40:50]).all() and np.isnan(data[80:100]).all()
    assert np.isnan(data[115:120]).all()
    assert (data[:40] == 1).all() and (data[100:115] == 1).all()


def test_overlapping_and_unsorted_regions_merge(make_archive, tmp_path):
    values = {"chr1": np.ones((100, 1), dtype=np.float32)}
    path = open_closed(make_archive, {"chr1": [(0, 100)]}, values, ["t"])
    mask = write_bed(tmp_path / "m.bed", [("chr1", 50, 60), ("chr1", 10, 40), ("chr1", 20, 30),
                                           ("chr1", 40, 45), ("chr1", 70, 70)])
    summary = hardmask_data(path, mask)
    mask_pieces = summary.chromosomes["chr1"]
    assert list(zip(mask_pieces.starts, mask_pieces.ends)) == [(10, 45), (50, 60)]


def test_score_columns(make_archive, tmp_path):
    values = {"chr1": np.ones((100, 1), dtype=np.float32)}
    path = open_closed(make_archive, {"chr1": [(0, 100)]}, values, ["t"])
    # 4 columns: the score is column 4; 5+: column 5; exponents and negatives
    mask = write_bed(tmp_path / "m.bed", [("chr1", 0, 10, "-1e-3"), ("chr1", 10, 20, "5"),
                                           ("chr1", 20, 30, "n", "-2", "+"),
                                           ("chr1", 30, 40, "-5", "7")])
    summary = hardmask_data(path, mask, hardmask_function="le -1E-3", dry_run=True)
    pieces = summary.chromosomes["chr1"]
    assert list(zip(pieces.starts, pieces.ends)) == [(0, 10), (20, 30)]
    # no filter: every region, any fourth column
    summary = hardmask_data(path, write_bed(tmp_path / "n.bed", [("chr1", 0, 5, "name")]),
                            dry_run=True)
    assert summary.bases == 5


def test_bed_errors_name_file_and_line(make_archive, tmp_path):
    path = open_closed(make_archive, {"chr1": [(0, 100)]},
                       {"chr1": np.ones((100, 1), dtype=np.float32)}, ["t"])
    before = file_hashes(path)
    three = write_bed(tmp_path / "three.bed", [("chr1", 0, 10, 1), ("chr1", 10, 20)])
    with pytest.raises(InputError, match=r"three\.bed:2: .*score"):
        hardmask_data(path, three, hardmask_function="lt1")
    word = write_bed(tmp_path / "word.bed", [("chr1", 0, 10, "A", "high")])
    with pytest.raises(InputError, match=r"word\.bed:1: the score 'high' is not a number"):
        hardmask_data(path, word, hardmask_function="lt1")
    bad = write_bed(tmp_path / "bad.bed", [("chr1", 0, 10), ("chr1", "x", 20)])
    with pytest.raises(InputError, match=r"bad\.bed:2: "):
        hardmask_data(path, bad)
    assert file_hashes(path) == before


def test_unknown_track_changes_nothing(make_archive, tmp_path, capsys):
    path = open_closed(make_archive, {"chr1": [(0, 100)]},
                       {"chr1": np.ones((100, 1), dtype=np.float32)}, ["t"])
    before = file_hashes(path)
    mask = write_bed(tmp_path / "m.bed", [("chr1", 0, 10)])
    with pytest.raises(GenomedataError, match="Could not find continuous track: nope"):
        hardmask_data(path, mask, ["nope"])
    assert cli("hardmask", str(mask), str(path), "-t", "nope") == 1
    assert cli("hardmask", str(mask), str(path), "--hardmask", "lx0.5") == 1
    err = capsys.readouterr().err
    assert "unknown operator 'lx'" in err and "Traceback" not in err
    assert cli("hardmask", str(tmp_path / "missing.bed"), str(path)) == 1
    assert "missing.bed" in capsys.readouterr().err
    assert file_hashes(path) == before


def _add_unknown_filter_dataset(path, chrom, supercontig):
    """Replace a supercontig's ``continuous`` by one whose chunks use HDF5 filter 32123, which
    no HDF5 here has (stored chunks then cannot be decoded)."""
    import h5py
    with h5py.File(path, "r+") as handle:
        group = handle[chrom][supercontig]
        old = group[_layout.CONTINUOUS]
        shape, values = old.shape, old[...]
        del group[_layout.CONTINUOUS]
        dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
        dcpl.set_chunk((10, 1))
        dcpl.set_filter(32123, h5py.h5z.FLAG_OPTIONAL, (1,))
        dcpl.set_fill_value(np.array(np.nan, dtype=np.float32))
        space = h5py.h5s.create_simple(shape, (shape[0], h5py.h5s.UNLIMITED))
        dataset = h5py.Dataset(h5py.h5d.create(group.id, _layout.CONTINUOUS.encode(),
                                                h5py.h5t.IEEE_F32LE, space, dcpl=dcpl))
        for row in range(0, shape[0], 10):    # stored as if the filter had run
            for col in range(shape[1]):
                chunk = np.full(10, np.nan, dtype=np.float32)
                part = values[row:row + 10, col]
                chunk[:len(part)] = part
                dataset.id.write_direct_chunk((row, col), chunk.tobytes(), 0)


@pytest.mark.parametrize("problem", ["version", "columns", "filter"])
def test_archive_problems_refused_before_anything_is_written(make_archive, tmp_path, problem):
    """An archive hardmask (with its close-data) cannot finish on is refused before the first
    write -- format version 2, more track columns than track names, a filter this HDF5 lacks
    (in a chromosome the mask does not touch) -- and stays byte for byte as it was."""
    import h5py
    values = {"chr1": np.ones((100, 2), dtype=np.float32),
              "chr2": np.ones((50, 2), dtype=np.float32)}
    path = open_closed(make_archive, {"chr1": [(0, 100)], "chr2": [(0, 50)]}, values,
                       ["a", "b"])
    if problem == "version":
        with h5py.File(path, "r+") as handle:
            _layout.write_format_version(handle["/"], 2)
        message = "format version 2"
    elif problem == "columns":
        with h5py.File(path, "r+") as handle:
            _layout.write_tracknames(handle["/"], ["a"])
        message = "2 track columns but the archive lists only 1"
    else:
        _add_unknown_filter_dataset(path, "chr2", "supercontig_0")
        message = "filter 32123 .*cannot"
    before = file_hashes(path)
    mask = write_bed(tmp_path / "m.bed", [("chr1", 0, 10)])
    with pytest.raises((GenomedataError, NotImplementedError), match=message):
        hardmask_data(path, mask, ["a"])
    assert file_hashes(path) == before


def test_masking_and_statistics_are_one_transaction(make_archive, tmp_path, monkeypatch):
    """Interrupted while the statistics are computed (after every value was masked), hardmask
    leaves the archive byte for byte as it was."""
    from genomedata.archive import statistics as _statistics

    values = {"chr1": np.ones((100, 1), dtype=np.float32),
              "chr2": np.ones((50, 1), dtype=np.float32)}
    path = open_closed(make_archive, {"chr1": [(0, 100)], "chr2": [(0, 50)]}, values, ["t"],
                       kind="directory")
    before = file_hashes(path)
    real = _statistics.write_scanned
    calls = []

    def interrupted(group, *args, **kwargs):
        calls.append(group.name)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(group, *args, **kwargs)

    monkeypatch.setattr(_statistics, "write_scanned", interrupted)
    mask = write_bed(tmp_path / "m.bed", [("chr1", 0, 10), ("chr2", 0, 10)])
    with pytest.raises(KeyboardInterrupt):
        hardmask_data(path, mask)
    assert len(calls) == 2
    assert file_hashes(path) == before


def test_python_predicates(make_archive, tmp_path):
    values = {"chr1": np.ones((100, 1), dtype=np.float32)}
    path = open_closed(make_archive, {"chr1": [(0, 100)]}, values, ["t"])
    mask = write_bed(tmp_path / "m.bed", [("chr1", 0, 10, "a", 1), ("chr1", 20, 30, "a", 3)])

    def scalar_only(x):  # math.floor does not take arrays
        return math.floor(x) > 2

    for predicate in (scalar_only, lambda x: x > 2, HardmaskFilter("gt", 2)):
        summary = hardmask_data(path, mask, hardmask_function=predicate, dry_run=True)
        assert summary.bases == 10


def test_wig_mask_with_python_predicate(make_archive, tmp_path):
    values = {"chr1": np.ones((300, 1), dtype=np.float32)}
    path = open_closed(make_archive, {"chr1": [(0, 300)]}, values, ["t"])
    mask = tmp_path / "m.wig"
    mask.write_text(WIG_VARIABLE)
    expected = hardmask_data(path, mask, hardmask_function="lt0.5", dry_run=True)
    for predicate in (lambda x: x < 0.5, HardmaskFilter("lt", 0.5)):
        got = hardmask_data(path, mask, hardmask_function=predicate, dry_run=True)
        assert got.chromosomes["chr1"].starts.tolist() == [0, 170]
        assert got.chromosomes["chr1"].ends.tolist() == [130, 210]
        assert got.bases == expected.bases == 170
    # no filter: every base the file covers
    assert hardmask_data(path, mask, dry_run=True).bases == 210


# ------------------------------------------------------------------------------------------------
# options and file kinds

@pytest.mark.parametrize("text, op, threshold", [
    ("lt0.5", "lt", 0.5), ("le 1", "le", 1.0), ("gt-2", "gt", -2.0), ("ge-1e-3", "ge", -1e-3),
    ("eq .5", "eq", 0.5), ("ne+3E2", "ne", 300.0), ("  LT 7.  ", "lt", 7.0),
])
def test_parse_hardmask_option(text, op, threshold):
    result = parse_hardmask_option(text)
    assert (result.op, result.threshold) == (op, threshold)


@pytest.mark.parametrize("text, message", [
    ("lx0.5", "unknown operator 'lx'"), ("lte0.5", "unknown operator 'lte'"),
    ("0.5", "could not understand"), ("lt", "number ''"), ("lt 0.5.1", "number '0.5.1'"),
    ("lt nan", "number 'nan'"), ("lt 1e", "number '1e'"), ("", "could not"),
])
def test_parse_hardmask_option_errors(text, message):
    with pytest.raises(HardmaskOptionError) as info:
        parse_hardmask_option(text)
    assert isinstance(info.value, ValueError)
    assert message in str(info.value)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["lt", "le", "gt", "ge", "eq", "ne"]),
       st.floats(allow_nan=False, allow_infinity=False), st.sampled_from(["", " ", "\t "]))
def test_parse_hardmask_option_numbers(op, number, space):
    text = f"{op}{space}{number!r}"
    result = parse_hardmask_option(text)
    assert result.op == op and result.threshold == number
    assert bool(result(number)) == (op in ("le", "ge", "eq"))
    x = np.array([number - 1, number, number + 1])
    np.testing.assert_array_equal(result(x), {"lt": x < number, "le": x <= number,
                                              "gt": x > number, "ge": x >= number,
                                              "eq": x == number, "ne": x != number}[op])


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=12))
def test_parse_hardmask_option_never_fails_badly(text):
    try:
        result = parse_hardmask_option(text)
    except HardmaskOptionError:
        return
    assert result.op in ("lt", "le", "gt", "ge", "eq", "ne")


@pytest.mark.parametrize("name, text, kind", [
    ("m.bed", "chr1 0 10\n", "bed"),
    ("m.txt", "chr1 0 10\n", "bed"),
    ("m.WIG", "chr1 0 10 1\n", "wig"),
    ("m.wigVar.gz", "chr1 0 10 1\n", "wig"),
    ("m.wg", "chr1 0 10 1\n", "wig"),
    ("m.bed", "track x\nfixedStep chrom=chr1 start=1\n1\n", "wig"),
    ("m", "# c\n  variableStep chrom=chr1\n1 1\n", "wig"),
])
def test_mask_file_kind(tmp_path, name, text, kind):
    path = tmp_path / name
    path.write_bytes(gzip.compress(text.encode()) if name.endswith(".gz") else text.encode())
    assert mask_file_kind(path) == kind


def test_read_mask_file_regions(tmp_path):
    path = tmp_path / "m.bed.gz"
    path.write_bytes(gzip.compress(b"chr2\t5\t9\t.\t1\nchr1\t0\t5\t.\t0\nchr2\t0\t6\t.\t2\n"
                                   b"chr1\t5\t7\t.\t1"))
    mask = read_mask_file(path, "ge1")
    assert mask.kind == "bed" and mask.lines == 4
    assert {c: (s.tolist(), e.tolist()) for c, (s, e) in mask.regions.items()} == {
        "chr2": ([0], [9]), "chr1": ([5], [7])}


def test_chunks_without_changes_are_not_rewritten(make_archive, tmp_path, monkeypatch):
    from genomedata.archive import writer as _writer
    data = np.ones((40, 1), dtype=np.float32)
    data[3:10] = np.nan
    path = open_closed(make_archive, {"chr1": [(0, 40)]}, {"chr1": data}, ["t"],
                       chunk_rows=10)
    writes = []
    original = _writer.ChunkWriter.write_column

    def spy(self, column, row_start, values):
        writes.append((column, row_start, len(values)))
        return original(self, column, row_start, values)

    monkeypatch.setattr(_writer.ChunkWriter, "write_column", spy)
    mask = write_bed(tmp_path / "m.bed", [("chr1", 5, 8), ("chr1", 25, 26), ("chr1", 30, 40)])
    summary = hardmask_data(path, mask)
    assert summary.values_masked == 11
    assert writes == [(0, 20, 20)]  # chunks 2 and 3; chunk 0 only had NaN in the region
    expected = data[:, 0].copy()
    expected[25] = np.nan
    expected[30:] = np.nan
    np.testing.assert_array_equal(read_all(path, "chr1", 40)[:, 0], expected)
