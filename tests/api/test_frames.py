"""pandas DataFrames of the read API (genomedata.api.frames): a region, ``binned``, ``stackup``
and ``read_regions`` with labels.

Expected values come from the model arrays the archive is built from (NaN in assembly gaps and
past the chromosome's end) and from the NumPy forms of the same reads; index and columns are
compared exactly.
"""

from __future__ import annotations

import os
import subprocess
import sys
import warnings

import numpy as np
import pytest

from conftest import model_values
from genomedata import Genome, MissingExtraError
from genomedata.errors import GenomedataError, GenomedataValueError

pd = pytest.importorskip("pandas")
pyBigWig = pytest.importorskip("pyBigWig")

TRACKS = ["a", "b", "c"]
# c1: a gap [1210, 1500) and nothing past 4000 of a chromosome 4500 long; c2: one supercontig
SUPERCONTIGS = {"c1": [(10, 1210), (1500, 4000)], "c2": [(0, 2500)]}
ENDS = {"c1": 4500, "c2": 2500}
PAD = 100   # model rows past the end (NaN)


VALUES = model_values(SUPERCONTIGS, ENDS, len(TRACKS), PAD, seed=16)
VALUES["c1"][2000:2100, 1] = np.nan


@pytest.fixture(scope="module")
def archive(tmp_path_factory, archive_builder):
    path = tmp_path_factory.mktemp("frames") / "frames.genomedata"
    return archive_builder(path, SUPERCONTIGS, tracknames=TRACKS,
                           values={c: v[:ENDS[c]] for c, v in VALUES.items()}, ends=ENDS,
                           chunk_rows=100)


@pytest.fixture(scope="module")
def bigwig(tmp_path_factory):
    """Track b of c1 as a bigWig file (one entry per base with data)."""
    path = str(tmp_path_factory.mktemp("frames-bw") / "b.bw")
    values = VALUES["c1"][:ENDS["c1"], 1]
    where = np.flatnonzero(~np.isnan(values))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bw = pyBigWig.open(path, "w")
        bw.addHeader([("c1", ENDS["c1"])])
        bw.addEntries("c1", where.tolist(), values=values[where].astype(float).tolist(),
                      span=1)
        bw.close()
    return path


def assert_same_values(frame_values, expected):
    np.testing.assert_array_equal(np.asarray(frame_values), np.asarray(expected))


# ------------------------------------------------------------------------------------------------
# a region

@pytest.mark.parametrize("start, end", [(0, 4500), (1200, 1510), (3990, 4600), (500, 500)])
def test_region_values_index_columns_dtypes(archive, start, end):
    with Genome(archive) as genome:
        frame = genome["c1"].to_dataframe(start, end)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            array = genome["c1"][start:end]
    assert frame.index.equals(pd.RangeIndex(start, end, name="position"))
    assert frame.index.name == "position" and frame.index.dtype == np.int64
    assert frame.columns.tolist() == TRACKS and frame.columns.name == "track"
    assert (frame.dtypes == np.float32).all()
    assert_same_values(frame.to_numpy(), VALUES["c1"][start:end])
    if end > start and end <= ENDS["c1"]:
        assert_same_values(frame.to_numpy(), array)


def test_region_gaps_and_past_the_end_are_nan_without_warning(archive):
    with Genome(archive) as genome, warnings.catch_warnings():
        warnings.simplefilter("error")
        frame = genome["c1"].to_dataframe(1200, 1510, tracks="a")
        past = genome["c1"].to_dataframe(4400, 4600, tracks="a")
    assert frame.loc[1209, "a"] == VALUES["c1"][1209, 0]
    assert frame.loc[1210:1499, "a"].isna().all() and len(frame.loc[1210:1499]) == 290
    assert frame.loc[1500, "a"] == VALUES["c1"][1500, 0]
    assert past["a"].isna().all() and len(past) == 200


def test_region_default_is_the_whole_chromosome(archive):
    with Genome(archive) as genome:
        frame = genome["c2"].to_dataframe()
        assert genome["c2"].length == 2500
    assert frame.index.equals(pd.RangeIndex(0, 2500, name="position"))
    assert_same_values(frame.to_numpy(), VALUES["c2"][:2500])


@pytest.mark.parametrize("tracks, names", [
    ("c", ["c"]), (1, ["b"]), (["c", 0], ["c", "a"]), (["b", "b"], ["b", "b"]),
    ([2, "a", 1], ["c", "a", "b"])])
def test_region_track_selection(archive, tracks, names):
    with Genome(archive) as genome:
        frame = genome["c1"].to_dataframe(100, 300, tracks=tracks)
    assert frame.columns.tolist() == names
    columns = [TRACKS.index(name) for name in names]
    assert_same_values(frame.to_numpy(), VALUES["c1"][100:300][:, columns])


def test_genome_region_string_is_one_based_inclusive(archive):
    with Genome(archive) as genome:
        by_string = genome.to_dataframe("c1:1,201-1,210", tracks=["b"])
        by_bounds = genome.to_dataframe("c1", 1200, 1210, tracks=["b"])
        whole = genome.to_dataframe("c2")
    assert by_string.index.equals(pd.RangeIndex(1200, 1210, name="position"))
    pd.testing.assert_frame_equal(by_string, by_bounds)
    assert len(whole) == 2500


def test_a_chromosome_name_with_a_colon_is_a_name(make_archive):
    values = {"HLA:1": np.arange(40, dtype=np.float32).reshape(20, 2)}
    path = make_archive({"HLA:1": [(0, 20)]}, tracknames=["x", "y"], values=values)
    with Genome(path) as genome:
        whole = genome.to_dataframe("HLA:1")
        part = genome.to_dataframe("HLA:1:3-4", tracks="y")
    assert_same_values(whole.to_numpy(), values["HLA:1"])
    assert part.index.tolist() == [2, 3] and part["y"].tolist() == [5.0, 7.0]


def test_region_mistakes(archive):
    with Genome(archive) as genome:
        with pytest.raises(GenomedataError, match="not CHROM:START-END"):
            genome.to_dataframe("c1:10-")
        with pytest.raises(GenomedataError, match="not both"):
            genome.to_dataframe("c1:1-10", 0, 10)
        with pytest.raises(KeyError, match="c9"):
            genome.to_dataframe("c9:1-10")
        with pytest.raises(GenomedataValueError, match="negative"):
            genome["c1"].to_dataframe(-1, 10)
        with pytest.raises(GenomedataValueError, match="before its start"):
            genome["c1"].to_dataframe(10, 5)
        with pytest.raises(GenomedataError, match="Could not find continuous track: z"):
            genome["c1"].to_dataframe(0, 10, tracks="z")


# ------------------------------------------------------------------------------------------------
# binned and stackup

@pytest.mark.parametrize("stat", ["mean", "coverage"])
def test_binned_frame_equals_binned(archive, stat):
    with Genome(archive) as genome:
        chromosome = genome["c1"]
        frame = chromosome.binned(1000, 4300, 7, stat, ["c", "a"], frame=True)
        array = chromosome.binned(1000, 4300, 7, stat, ["c", "a"])
    assert_same_values(frame.to_numpy(), array)
    assert (frame.dtypes == np.float64).all()
    assert frame.columns.tolist() == ["c", "a"] and frame.columns.name == "track"
    edges = 1000 + np.arange(8) * 3300 // 7
    expected = pd.IntervalIndex.from_breaks(edges, closed="left", name="bin")
    assert frame.index.equals(expected) and frame.index.name == "bin"
    assert frame.index.left.tolist() == edges[:-1].tolist()
    assert frame.loc[1000 + 3300 // 7].name == expected[1]   # the bin holding a position


def test_stackup_frame_equals_stackup(archive):
    chroms, starts, ends = ["c2", "c1", "c1"], [100, 3000, 0], [300, 3200, 200]
    with Genome(archive) as genome:
        frame = genome.stackup(chroms, starts, ends, bins=4, stat="max", track="b",
                               frame=True)
        array = genome.stackup(chroms, starts, ends, bins=4, stat="max", track="b")
        one_name = genome.stackup("c1", [0, 10], [40, 50], bins=2, track=0, frame=True)
    assert_same_values(frame.to_numpy(), array)
    assert frame.index.names == ["chrom", "start", "end"]
    assert frame.index.tolist() == [("c2", 100, 300), ("c1", 3000, 3200), ("c1", 0, 200)]
    assert frame.columns.equals(pd.RangeIndex(4, name="bin"))
    assert (frame.dtypes == np.float64).all()
    assert one_name.index.get_level_values("chrom").tolist() == ["c1", "c1"]
    assert one_name.loc[("c1", 10, 50), 1] == pytest.approx(
        np.nanmean(VALUES["c1"][30:50, 0].astype(np.float64)))


def test_binned_frame_refuses_what_binned_refuses(archive):
    with Genome(archive) as genome:
        with pytest.raises(GenomedataValueError, match="do not fit"):
            genome["c1"].binned(0, 5, 6, frame=True)
        with pytest.raises(GenomedataError, match="say which one"):
            genome.stackup("c1", [0], [10], bins=2, frame=True)


# ------------------------------------------------------------------------------------------------
# read_regions

def test_read_regions_frame_is_long(archive):
    chroms, starts, ends = ["c1", "c2", "c1"], [1205, 2490, 4495], [1215, 2495, 4503]
    with Genome(archive) as genome:
        frame = genome.read_regions(chroms, starts, ends, tracks=["c", "a"], frame=True)
        parts = genome.read_regions(chroms, starts, ends, tracks=["c", "a"])
    assert frame.index.names == ["region", "chrom", "position"]
    assert frame.columns.tolist() == ["c", "a"] and (frame.dtypes == np.float32).all()
    assert len(frame) == 10 + 5 + 8
    assert_same_values(frame.to_numpy(), np.concatenate(parts))
    window = frame.xs(1, level="region")
    assert window.index.get_level_values("position").tolist() == list(range(2490, 2495))
    assert window.index.get_level_values("chrom").unique().tolist() == ["c2"]
    assert_same_values(frame.xs(2, level="region").to_numpy(), VALUES["c1"][4495:4503][:, [2, 0]])


def test_read_regions_frame_of_equal_windows(archive):
    with Genome(archive) as genome:
        frame = genome.read_regions("c2", [0, 100], [3, 103], tracks=1, frame=True)
    assert frame.index.tolist() == [(0, "c2", 0), (0, "c2", 1), (0, "c2", 2),
                                    (1, "c2", 100), (1, "c2", 101), (1, "c2", 102)]
    assert frame.columns.tolist() == ["b"]
    assert_same_values(frame["b"], np.concatenate([VALUES["c2"][0:3, 1],
                                                   VALUES["c2"][100:103, 1]]))


# ------------------------------------------------------------------------------------------------
# bigWig genomes

def test_bigwig_frames_equal_the_archive(archive, bigwig):
    with Genome(bigwig) as genome, Genome(archive) as reference:
        name = genome.tracknames_continuous[0]
        frame = genome.to_dataframe("c1", 1100, 1600)
        whole = genome["c1"].to_dataframe()
        binned = genome["c1"].binned(0, 4500, 9, "sum", frame=True)
        stack = genome.stackup("c1", [1900, 3000], [2200, 3300], bins=3, frame=True)
        expected = reference["c1"].to_dataframe(1100, 1600, tracks="b")
        expected_binned = reference["c1"].binned(0, 4500, 9, "sum", "b", frame=True)
        expected_stack = reference.stackup("c1", [1900, 3000], [2200, 3300], bins=3,
                                           track="b", frame=True)
    assert frame.columns.tolist() == [name] and (frame.dtypes == np.float32).all()
    assert frame.index.equals(expected.index)
    assert_same_values(frame.to_numpy(), expected.to_numpy())
    assert whole.index.equals(pd.RangeIndex(0, 4500, name="position"))
    assert_same_values(whole.to_numpy()[:, 0], VALUES["c1"][:4500, 1])
    assert binned.index.equals(expected_binned.index)
    np.testing.assert_allclose(binned.to_numpy(), expected_binned.to_numpy(), rtol=1e-6)
    assert stack.index.equals(expected_stack.index)
    np.testing.assert_allclose(stack.to_numpy(), expected_stack.to_numpy(), rtol=1e-6)


# ------------------------------------------------------------------------------------------------
# without pandas

def test_without_pandas_one_sentence_names_the_extra(archive, monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)    # import pandas raises ImportError
    with Genome(archive) as genome:
        calls = [lambda: genome["c1"].to_dataframe(0, 10),
                 lambda: genome.to_dataframe("c1:1-10"),
                 lambda: genome["c1"].binned(0, 10, 2, frame=True),
                 lambda: genome.stackup("c1", [0], [10], 2, track="a", frame=True),
                 lambda: genome.read_regions("c1", [0], [10], frame=True)]
        for call in calls:
            with pytest.raises(MissingExtraError) as caught:
                call()
            assert str(caught.value) == ("making DataFrames needs the optional extra "
                                         "genomedata[pandas] (pandas): pip install "
                                         "'genomedata[pandas]'")
        assert genome["c1"].binned(0, 10, 2).shape == (2, 3)   # NumPy forms need no pandas


def test_reading_does_not_import_pandas(archive):
    code = ("import sys, genomedata\n"
            f"with genomedata.Genome({str(archive)!r}) as genome:\n"
            "    genome['c1'][0:10]\n"
            "    genome['c1'].binned(0, 100, 2)\n"
            "    genome.read_regions('c1', [0], [10])\n"
            "print('pandas' in sys.modules)\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=300, env=dict(os.environ))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
