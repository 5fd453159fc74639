"""The Python API on the archives written by the reference (v0.genomedata, v1.genomedata:
PyTables 2 era, int32 attributes, S10 track names, fill value 0, seq chunks of 8192)."""

from __future__ import annotations

import hashlib
import shutil
import warnings

import h5py
import numpy as np
import pytest

from genomedata import Chromosome, Genome
from genomedata.archive import layout as _layout
from genomedata._chromosome import ClosedError
from genomedata._util import GenomedataDirtyWarning, OverlapWarning

TRACKS = ["placental", "primate", "vertebrate"]
ROW_290 = np.array([-2.297, -2.327, -2.320], dtype=np.float32)
STORED_MINS = [-2.71499991, -2.66000009, -2.71499991]
STORED_MAXS = [0.38100001] * 3
STORED_SUMS = [5.78701973, 6.74101067, 6.37502003]
STORED_SUMS_SQUARES = [375.27502441, 370.22134399, 372.10977173]


@pytest.fixture(params=["v0", "v1"])
def given(request, refdata):
    return request.param, refdata / f"{request.param}.genomedata"


def _sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_interface_reads(given):
    version, path = given
    with Genome(path) as genome:
        assert genome.format_version == (0 if version == "v0" else 1)
        assert "chr1" in genome
        assert "chrZ" not in genome
        assert genome.tracknames_continuous == TRACKS
        chr1 = genome["chr1"]
        assert chr1.tracknames_continuous == genome.tracknames_continuous
        assert chr1.start == 0
        assert chr1.end == 24950
        if version == "v0":
            assert type(chr1.start) is int and type(chr1.end) is int  # computed
        else:
            assert isinstance(chr1.end, np.integer)  # the stored attribute
        assert chr1.seq[0:20].tobytes().decode().lower() == "taaccctaaccctaacccta"
        with pytest.warns(OverlapWarning, match="filling with 'N'"):
            outside = chr1.seq[30000]
        assert isinstance(outside, np.uint8) and chr(outside).lower() == "n"
        row = chr1[290, 0:3]
        assert row.dtype == np.float32
        np.testing.assert_array_equal(row, ROW_290)
        np.testing.assert_array_equal(chr1[290, TRACKS], ROW_290)
        np.testing.assert_array_equal(chr1[290, ["placental", "vertebrate"]], ROW_290[[0, 2]])
        np.testing.assert_array_equal(chr1[290, [0, 2]], ROW_290[[0, 2]])
        np.testing.assert_array_equal(chr1[290, [2, 0]], ROW_290[[2, 0]])
        np.testing.assert_array_equal(chr1[290, np.array([1, 0])], ROW_290[[1, 0]])
        assert chr1[290, "primate"] == ROW_290[1]
        assert chr1[290].shape == (3,)
        assert chr1[280:779].shape == (499, 3)
        chry = genome["chrY"]
        assert np.isnan(list(chry)[0].continuous[0, 2])
        assert np.isnan(chry[0:24950]).all()


def test_values_are_the_stored_ones(given):
    _, path = given
    with h5py.File(path, "r") as handle:
        stored = handle["chr1/supercontig_0/continuous"][...]
    with Genome(path) as genome:
        np.testing.assert_array_equal(genome["chr1"][0:24950], stored)
        # fill value 0: whatever is stored is returned, nothing is invented
        assert np.isfinite(stored).sum() == 3 * 496


def test_statistics(given):
    _, path = given
    with Genome(path) as genome:
        np.testing.assert_array_equal(genome.num_datapoints, [496, 496, 496])
        np.testing.assert_allclose(genome.mins, STORED_MINS)
        np.testing.assert_allclose(genome.maxs, STORED_MAXS)
        np.testing.assert_allclose(genome.sums, STORED_SUMS)
        np.testing.assert_allclose(genome.sums_squares, STORED_SUMS_SQUARES)
        means = np.array(STORED_SUMS) / 496
        np.testing.assert_allclose(genome.means, means)
        np.testing.assert_allclose(genome.vars, np.array(STORED_SUMS_SQUARES) / 496
                                   - means ** 2)
        chry = genome["chrY"]
        np.testing.assert_array_equal(chry.mins, [np.inf] * 3)
        np.testing.assert_array_equal(chry.num_datapoints, [0, 0, 0])
        chunk = list(genome["chr1"])[0].attrs
        assert chunk.chunk_starts.tolist() == [0] and chunk.chunk_ends.tolist() == [24950]


def test_repr_str(given):
    _, path = given
    genome = Genome(str(path), mode="r")
    try:
        assert repr(genome) == f"Genome('{path}', **{{'mode': 'r'}})"
        chr1 = genome["chr1"]
        assert repr(chr1) == f"<Chromosome 'chr1', file='{path}'>"
        assert str(chr1) == "chr1"
        assert repr(list(chr1)[0]) == "<Supercontig 'supercontig_0', [0:24950]>"
    finally:
        genome.close()


def test_no_context(given):
    _, path = given
    genome = Genome(path)
    chr1 = genome["chr1"]
    assert genome.tracknames_continuous == TRACKS
    assert chr1[100:1000].shape == (900, 3)
    chry = genome["chrY"]
    chry.close()
    assert chr1.isopen
    assert not chry.isopen
    genome.close()
    assert not chr1.isopen
    with pytest.raises(ClosedError):
        next(iter(chr1))


def test_open_chromosomes(given):
    _, path = given
    with Genome(path) as genome:
        first = genome["chr1"]
        assert genome["chr1"] is first
        genome["chrY"]
        assert len(genome._chromosomes.open_chromosomes) == 2
    assert genome._chromosomes.open_chromosomes == {}


def test_read_only_changes_no_byte(given, tmp_path):
    _, source = given
    path = tmp_path / source.name
    shutil.copy(source, path)
    before = _sha(path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", OverlapWarning)
        with Genome(path) as genome:
            for chromosome in genome:
                chromosome[0:30000]
                chromosome.seq[0:30000]
                chromosome.attrs.dirty
            genome.vars, genome.format_version, genome.tracknames_continuous
    assert _sha(path) == before
    assert _sha(source) == _sha(path)


def test_interface_writes(refdata, tmp_path):
    path = tmp_path / "v1.genomedata"
    shutil.copy(refdata / "v1.genomedata", path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", GenomedataDirtyWarning)
        with Genome(path, mode="r+") as genome:
            chr1 = genome["chr1"]
            assert np.isfinite(chr1[297, "primate"])
            chr1[290] = 100.0
            chr1[291, TRACKS] = 101.0
            chr1[292, ["placental", "vertebrate"]] = 102.0
            chr1[293, [0, 2]] = 103.0
            chr1[294, [2, 0]] = 104.0
            chr1[295] = [105.0, 106.0, 107.0]
            chr1[296, ["placental", "vertebrate"]] = [108.0, 109.0]
            chr1[297, ["primate"]] = np.nan
            chr1[298, "primate"] = 5.0   # single string track key (reference bug fixed)
            with pytest.raises(ValueError, match="does not overlap any supercontig"):
                chr1[300000] = 110.0
            with pytest.raises(ValueError, match="after end of furthest supercontig"):
                chr1[24900:30000] = 111.0
    # the archive is dirty now: read-only access refuses it
    with Genome(path) as genome:
        with pytest.raises(Chromosome.ChromosomeDirtyError, match="close-data"):
            genome["chr1"]
    # what close-data does to the flag, then read-only
    with h5py.File(path, "r+") as handle:
        for chrom in ("chr1", "chrY"):
            _layout.write_dirty(handle[chrom], False)
    expected = {290: [100, 100, 100], 291: [101, 101, 101], 292: [102, 0.371, 102],
                293: [103, 0.372, 103], 294: [104, 0.372, 104], 295: [105, 106, 107],
                296: [108, -2.327, 109]}
    with Genome(path) as genome:
        chr1 = genome["chr1"]
        for pos, values in expected.items():
            np.testing.assert_array_equal(chr1[pos], np.array(values, dtype=np.float32))
        assert np.isnan(chr1[297, "primate"])
        assert chr1[298, "primate"] == 5.0


def test_version_0_refuses_new_tracks(refdata, tmp_path):
    path = tmp_path / "v0.genomedata"
    shutil.copy(refdata / "v0.genomedata", path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", GenomedataDirtyWarning)
        with Genome(path, "r+") as genome:
            with pytest.raises(NotImplementedError, match="1.2.0 or later"):
                genome.add_track_continuous("dnase")
            assert genome.tracknames_continuous == TRACKS
