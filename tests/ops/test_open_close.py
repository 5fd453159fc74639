"""open-data and close-data: statistics, data chunks (genomedata 1.7's rules, docs/format.md),
commands."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import h5py
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from genomedata.archive import layout as _layout
from genomedata.archive import files as _files
from genomedata._close_data import close_data
from genomedata._open_data import open_data
from genomedata.archive.blocks import RawChunkReader
from genomedata.archive.layout import MSG_ADD_TRACK_VERSION as ADD_TRACK_VERSION_MESSAGE
from genomedata.archive.statistics import chunk_bounds, write_chromosome_metadata
from genomedata.errors import GenomedataError
from genomedata.commands.main import main
from conftest import REFDATA


needs_refdata = pytest.mark.skipif(not REFDATA.is_dir(),
                                   reason=f"reference data not found at {REFDATA}")


# ------------------------------------------------------------------------------------------------
# helpers

def new_archive(path, chromosomes, tracknames, *, kind="file", chunk_rows=64, values=None,
                continuous=True):
    """An archive built with _layout + h5py, left dirty (as after loading).

    ``chromosomes``: {chrom: [(start, end), ...]}; ``values``: {chrom: array (chrom end,
    ntracks)} written into every supercontig's rows (all of them, NaN included).
    """
    files = _files.create_archive(path, kind)
    try:
        for chrom, bounds in chromosomes.items():
            end = max(e for _s, e in bounds)
            group = files.create_chromosome(chrom, end)
            for index, (start, stop) in enumerate(sorted(bounds)):
                supercontig = _layout.create_supercontig(group, index, start, stop)
                if tracknames and continuous:
                    dataset = _layout.create_continuous(supercontig, stop - start,
                                                        len(tracknames), chunk_rows)
                    if values is not None and chrom in values:
                        dataset[...] = values[chrom][start:stop]
        if tracknames:
            for root in files.roots():
                _layout.write_tracknames(root, list(tracknames))
    finally:
        files.close()
    return path


def expected_stats(rows):
    """close-data statistics of a (rows, ntracks) array, finite values, float64 sums."""
    ntracks = rows.shape[1]
    out = {"mins": np.full(ntracks, np.inf), "maxs": np.full(ntracks, -np.inf),
           "sums": np.zeros(ntracks), "sums_squares": np.zeros(ntracks),
           "num_datapoints": np.zeros(ntracks, dtype=np.int64), "abs": np.zeros(ntracks)}
    for col in range(ntracks):
        values = rows[np.isfinite(rows[:, col]), col].astype(np.float64)
        if len(values):
            out["mins"][col], out["maxs"][col] = values.min(), values.max()
            out["sums"][col] = values.sum()
            out["sums_squares"][col] = np.square(values).sum()
            out["num_datapoints"][col] = len(values)
            out["abs"][col] = np.abs(values).sum()
    return out


def assert_stats(attrs, expected):
    np.testing.assert_array_equal(attrs["mins"], expected["mins"])
    np.testing.assert_array_equal(attrs["maxs"], expected["maxs"])
    np.testing.assert_array_equal(attrs["num_datapoints"], expected["num_datapoints"])
    tolerance = 1e-9 * (expected["abs"] + 1)
    assert np.all(np.abs(attrs["sums"] - expected["sums"]) <= tolerance)
    tolerance = 1e-9 * (expected["sums_squares"] + 1)
    assert np.all(np.abs(attrs["sums_squares"] - expected["sums_squares"]) <= tolerance)


def chromosome_group(handle, chrom):
    return handle[chrom] if chrom in handle else handle["/"]


def read_chromosome(path, chrom):
    """(chromosome attrs dict, [(chunk_starts, chunk_ends), ...]) read with h5py."""
    path = Path(path)
    filename = path / f"{chrom}.genomedata" if path.is_dir() else path
    with h5py.File(filename, "r") as handle:
        group = handle[chrom] if not path.is_dir() else handle["/"]
        attrs = {name: group.attrs[name] for name in group.attrs}
        bounds = [(sc.attrs["chunk_starts"], sc.attrs["chunk_ends"])
                  for sc in _layout.supercontig_groups(group)]
    return attrs, bounds


def attr_type(obj, name):
    """(HDF5 type class, size in bytes, signed or None, shape) of an attribute."""
    attr = h5py.h5a.open(obj.id, name.encode())
    tid = attr.get_type()
    signed = None
    if tid.get_class() == h5py.h5t.INTEGER:
        signed = tid.get_sign() == h5py.h5t.SGN_2
    return tid.get_class(), tid.get_size(), signed, attr.shape


def file_hashes(path):
    path = Path(path)
    files = sorted(path.rglob("*")) if path.is_dir() else [path]
    return {str(f): hashlib.sha256(f.read_bytes()).hexdigest() for f in files if f.is_file()}


def random_values(rng, nrows, ntracks, special_fraction=0.3):
    values = rng.normal(0, 2, (nrows, ntracks)).astype(np.float32)
    where = rng.random((nrows, ntracks)) < special_fraction
    values[where] = rng.choice(np.array([np.nan, np.nan, np.inf, -np.inf], np.float32),
                               where.sum())
    return values


# ------------------------------------------------------------------------------------------------
# statistics

LAYOUT = {"chr1": [(0, 500), (600, 1700), (2000, 2101)], "chr2": [(10, 300)]}


def layout_values(seed=0, ntracks=3):
    rng = np.random.default_rng(seed)
    values = {}
    for chrom, bounds in LAYOUT.items():
        end = max(e for _s, e in bounds)
        data = random_values(rng, end, ntracks)
        data[:, 1] = np.nan  # an empty track
        data[0:200, :] = np.nan  # whole chunks without data
        values[chrom] = data
    return values


def layout_expected(values, chrom):
    rows = np.concatenate([values[chrom][s:e] for s, e in LAYOUT[chrom]])
    return expected_stats(rows)


@pytest.mark.parametrize("kind", ["file", "directory"])
@pytest.mark.parametrize("threads,raw_chunks", [(None, True), (1, True), (2, True), (0, True),
                                                (2, False)])
@pytest.mark.parametrize("block_rows,block_tracks", [(None, None), (7, 1), (128, 2), (64, 3)])
def test_statistics_match_numpy(tmp_path, kind, threads, raw_chunks, block_rows, block_tracks):
    values = layout_values()
    path = new_archive(tmp_path / "a", LAYOUT, ["t0", "t1", "t2"], kind=kind, values=values)
    close_data(path, threads=threads, raw_chunks=raw_chunks, block_rows=block_rows,
               block_tracks=block_tracks)
    for chrom in LAYOUT:
        attrs, _bounds = read_chromosome(path, chrom)
        assert_stats(attrs, layout_expected(values, chrom))
        assert attrs["dirty"] == 0
        assert attrs["num_datapoints"][1] == 0
        assert attrs["mins"][1] == np.inf and attrs["maxs"][1] == -np.inf
        assert attrs["sums"][1] == 0 and attrs["sums_squares"][1] == 0


def test_all_readers_agree(tmp_path):
    """Raw-chunk decoding, HDF5 decoding, threads or not: identical attributes."""
    values = layout_values(seed=5)
    results = []
    for options in ({}, {"threads": 0}, {"raw_chunks": False}, {"threads": 3, "block_rows": 5}):
        path = new_archive(tmp_path / uuid.uuid4().hex, LAYOUT, ["a", "b", "c"], values=values)
        close_data(path, **options)
        results.append([read_chromosome(path, chrom) for chrom in LAYOUT])
    for number, other in enumerate(results[1:], 1):
        for (attrs0, bounds0), (attrs1, bounds1) in zip(results[0], other):
            for name in _layout.STAT_ATTRS:
                if number == 3 and name in ("sums", "sums_squares"):
                    # other blocks group the float64 partial sums differently
                    np.testing.assert_allclose(attrs0[name], attrs1[name], rtol=1e-13)
                else:
                    np.testing.assert_array_equal(attrs0[name], attrs1[name])
            for (s0, e0), (s1, e1) in zip(bounds0, bounds1):
                np.testing.assert_array_equal(s0, s1)
                np.testing.assert_array_equal(e0, e1)


def _dataset_variants():
    return {
        "deflate only": dict(compression="gzip", compression_opts=1),
        "uncompressed": dict(),
        "shuffle only": dict(shuffle=True),
        "fletcher32": dict(shuffle=True, compression="gzip", fletcher32=True),
        "lzf": dict(compression="lzf"),
        "two columns per chunk": dict(compression="gzip", chunks=(16, 2)),
        "contiguous": dict(chunks=None, maxshape=None),
        "deflate level 9": dict(shuffle=True, compression="gzip", compression_opts=9),
    }


@pytest.mark.parametrize("variant", sorted(_dataset_variants()))
def test_other_dataset_layouts(tmp_path, variant):
    """Datasets written by other tools: decoded ourselves when the layout allows it, by HDF5
    otherwise; statistics always right."""
    options = dict(chunks=(16, 1), maxshape=(None, None), dtype="f4", fillvalue=np.nan)
    options.update(_dataset_variants()[variant])
    rng = np.random.default_rng(3)
    data = random_values(rng, 203, 2)
    data[32:64] = np.nan
    path = new_archive(tmp_path / "a", {"chr1": [(0, 203)]}, ["x", "y"], continuous=False)
    with h5py.File(path, "r+") as handle:
        supercontig = handle["chr1/supercontig_0"]
        dataset = supercontig.create_dataset(_layout.CONTINUOUS, data=data, **options)
        raw = RawChunkReader.open(dataset, ThreadPoolExecutor(1), 1)
        decodes_itself = raw is not None
        if raw is not None:
            raw.close()
    assert decodes_itself == (variant in ("deflate only", "uncompressed", "deflate level 9"))
    close_data(path, block_rows=40)
    attrs, bounds = read_chromosome(path, "chr1")
    assert_stats(attrs, expected_stats(data))


def test_unwritten_chunks_read_as_fill_value(tmp_path):
    """Chunks never written are NaN (no data) for us as for HDF5."""
    path = new_archive(tmp_path / "a", {"chr1": [(0, 1000)]}, ["x", "y"], chunk_rows=100)
    with h5py.File(path, "r+") as handle:
        handle["chr1/supercontig_0/continuous"][450:460, 1] = 2.5
    close_data(path)
    attrs, bounds = read_chromosome(path, "chr1")
    np.testing.assert_array_equal(attrs["num_datapoints"], [0, 10])
    assert attrs["sums"][1] == 25.0
    assert [b.tolist() for b in bounds[0]] == [[450], [460]]


def test_corrupt_chunk_is_an_error(tmp_path):
    path = new_archive(tmp_path / "a", {"chr1": [(0, 1000)]}, ["x"], chunk_rows=100,
                       values={"chr1": np.ones((1000, 1), np.float32)})
    with h5py.File(path, "r") as handle:
        info = handle["chr1/supercontig_0/continuous"].id.get_chunk_info_by_coord((300, 0))
    with open(path, "r+b") as handle:
        handle.seek(info.byte_offset + 2)
        handle.write(b"\xff" * (info.size - 4))
    with pytest.raises(Exception):
        close_data(path)


def test_no_tracks_only_clears_dirty(tmp_path):
    path = new_archive(tmp_path / "a", {"chr1": [(0, 100)]}, [])
    close_data(path)
    with h5py.File(path, "r") as handle:
        group = handle["chr1"]
        assert _layout.read_dirty(group) is False
        assert not any(name in group.attrs for name in _layout.STAT_ATTRS)
        assert "chunk_starts" not in group["supercontig_0"].attrs


def test_supercontig_without_continuous_has_no_data(tmp_path):
    values = np.full((3000, 2), np.nan, np.float32)
    values[2100:2200, 0] = 1.0
    path = new_archive(tmp_path / "a", {"chr1": [(0, 1000), (2000, 3000)]}, ["x", "y"],
                       values={"chr1": values})
    with h5py.File(path, "r+") as handle:
        del handle["chr1/supercontig_0/continuous"]
    close_data(path, min_gap=50)
    attrs, bounds = read_chromosome(path, "chr1")
    np.testing.assert_array_equal(attrs["num_datapoints"], [100, 0])
    assert [b.tolist() for b in bounds[0]] == [[], []]
    assert [b.tolist() for b in bounds[1]] == [[100], [200]]


def test_fewer_columns_than_tracks_and_too_many(tmp_path):
    path = new_archive(tmp_path / "a", {"chr1": [(0, 100)]}, ["x", "y"])
    with h5py.File(path, "r+") as handle:
        handle["chr1/supercontig_0/continuous"].resize((100, 1))
        handle["chr1/supercontig_0/continuous"][:, 0] = 1.0
    close_data(path)
    attrs, _ = read_chromosome(path, "chr1")
    np.testing.assert_array_equal(attrs["num_datapoints"], [100, 0])
    with h5py.File(path, "r+") as handle:
        handle["chr1/supercontig_0/continuous"].resize((100, 3))
    with pytest.raises(GenomedataError, match="3 track columns"):
        close_data(path)


def test_attribute_types_after_close(tmp_path):
    values = np.full((400, 2), np.nan, np.float32)
    values[10:20] = 1.0
    path = new_archive(tmp_path / "a", {"chr1": [(0, 100), (300, 400)]}, ["x", "y"],
                       values={"chr1": values})
    close_data(str(path))
    with h5py.File(path, "r") as handle:
        group = handle["chr1"]
        for name in ("mins", "maxs", "sums", "sums_squares"):
            assert attr_type(group, name) == (h5py.h5t.FLOAT, 8, None, (2,))
        assert attr_type(group, "num_datapoints") == (h5py.h5t.INTEGER, 8, True, (2,))
        assert attr_type(group, "dirty")[:2] == (h5py.h5t.BITFIELD, 1)
        assert group.attrs["dirty"] == 0
        first, second = _layout.supercontig_groups(group)
        assert attr_type(first, "chunk_starts") == (h5py.h5t.INTEGER, 8, True, (1,))
        assert attr_type(first, "chunk_ends") == (h5py.h5t.INTEGER, 8, True, (1,))
        assert attr_type(second, "chunk_starts") == (h5py.h5t.FLOAT, 8, None, (0,))
        assert attr_type(second, "chunk_ends") == (h5py.h5t.FLOAT, 8, None, (0,))


def test_close_data_twice_is_stable(tmp_path):
    values = layout_values(seed=9)
    path = new_archive(tmp_path / "a", LAYOUT, ["a", "b", "c"], values=values)
    close_data(path)
    first = read_chromosome(path, "chr1")
    close_data(Path(path))
    second = read_chromosome(path, "chr1")
    for name in _layout.STAT_ATTRS:
        np.testing.assert_array_equal(first[0][name], second[0][name])


# ------------------------------------------------------------------------------------------------
# chunk_starts / chunk_ends

TEST_CHUNKS_SUPERCONTIGS = [(0, 100), (100000, 100200), (200300, 200400), (200500, 200600),
                            (200700, 200800)]
TEST_CHUNKS_TRACK1 = [(50, 75), (100125, 100150), (200500, 200525), (200700, 200725)]
TEST_CHUNKS_TRACK2 = [(70, 100), (200550, 200600)]
TEST_CHUNKS_EXPECTED = [([50], [100]), ([125], [150]), ([], []), ([0], [100]), ([0], [25])]


def write_intervals(path, chrom, column, intervals, value=0.0):
    path = Path(path)
    filename = path / f"{chrom}.genomedata" if path.is_dir() else path
    with h5py.File(filename, "r+") as handle:
        group = handle["/"] if path.is_dir() else handle[chrom]
        for supercontig in _layout.supercontig_groups(group):
            start, end = _layout.supercontig_bounds(supercontig)
            dataset = supercontig[_layout.CONTINUOUS]
            for lo, hi in intervals:
                lo, hi = max(lo, start), min(hi, end)
                if lo < hi:
                    dataset[lo - start:hi - start, column] = value


@pytest.mark.parametrize("kind", ["file", "directory"])
@pytest.mark.parametrize("options", [{}, {"threads": 0}, {"block_rows": 3}])
def test_reference_test_chunks(tmp_path, kind, options):
    """genomedata 1.7's own TestChunks, values written directly (0.0 is finite)."""
    path = new_archive(tmp_path / "chunk_test", {"chr1": TEST_CHUNKS_SUPERCONTIGS},
                       ["track1", "track2"], kind=kind, chunk_rows=10000)
    write_intervals(path, "chr1", 0, TEST_CHUNKS_TRACK1)
    write_intervals(path, "chr1", 1, TEST_CHUNKS_TRACK2)
    close_data(path, **options)
    attrs, bounds = read_chromosome(path, "chr1")
    assert [(s.tolist(), e.tolist()) for s, e in bounds] == TEST_CHUNKS_EXPECTED
    for (starts, ends), (want, _) in zip(bounds, TEST_CHUNKS_EXPECTED):
        dtype = np.int64 if want else np.float64
        assert starts.dtype == dtype and ends.dtype == dtype
    np.testing.assert_array_equal(attrs["num_datapoints"], [25 * 4, 30 + 50])
    np.testing.assert_array_equal(attrs["sums"], [0.0, 0.0])


def test_next_supercontig_data_at_its_first_row(tmp_path):
    """The look-ahead finds data in the next supercontig's row 0 (and counts coordinate 0 of
    the chromosome as data in the first one)."""
    values = np.full((600, 1), np.nan, np.float32)
    values[0:10] = 1.0       # chromosome coordinate 0
    values[300] = 1.0        # row 0 of the second supercontig
    values[590:600] = 1.0
    path = new_archive(tmp_path / "a", {"chr1": [(0, 100), (300, 400), (500, 600)]}, ["x"],
                       values={"chr1": values})
    close_data(path, min_gap=150)
    _attrs, bounds = read_chromosome(path, "chr1")
    # first: data [0, 10), next data at 300: 300 - 10 > 150 -> trimmed to 10
    # second: 300 - 10 > 150 -> starts at its row 0; next data 590 - 301 > 150 -> ends at 1
    # third: 590 - 301 > 150 -> starts at 90; last -> ends at 100
    assert [(s.tolist(), e.tolist()) for s, e in bounds] == [([0], [10]), ([0], [1]),
                                                              ([90], [100])]
    close_data(path, min_gap=300)
    _attrs, bounds = read_chromosome(path, "chr1")
    # gaps of 290 and 289 are small now: nothing is trimmed between supercontigs
    assert [(s.tolist(), e.tolist()) for s, e in bounds] == [([0], [100]), ([0], [100]),
                                                              ([0], [100])]


def test_internal_gaps_split_chunks(tmp_path):
    values = np.full((1000, 2), np.nan, np.float32)
    values[[5, 6, 200, 260, 700], 0] = 1.0
    values[[262, 990], 1] = 2.0
    path = new_archive(tmp_path / "a", {"chr1": [(0, 1000)]}, ["x", "y"], chunk_rows=32,
                       values={"chr1": values})
    close_data(path, min_gap=100, block_rows=50)
    _attrs, bounds = read_chromosome(path, "chr1")
    assert [(s.tolist(), e.tolist()) for s, e in bounds] == [([5, 200, 700, 990],
                                                               [7, 263, 701, 991])]


def test_chunk_bounds_empty_supercontig_between():
    """An empty supercontig is kept whole when data on both sides is close (rule 3)."""
    from genomedata.archive.statistics import SupercontigScan
    scans = [SupercontigScan(0, 10, 2, 9), SupercontigScan(12, 5), SupercontigScan(20, 10, 1, 3),
             SupercontigScan(40, 10)]
    assert chunk_bounds(scans, min_gap=20) == [([2], [10]), ([0], [5]), ([0], [4]), ([], [])]


# an independent model of genomedata 1.7's chunk_starts/chunk_ends rule (docs/format.md),
# written from its description, on whole row masks

def model_chunk_bounds(supercontigs, masks, min_gap):
    result = []
    prev_end = 0
    count = len(supercontigs)
    for i, ((start, end), mask) in enumerate(zip(supercontigs, masks)):
        length = end - start
        has_prev, has_next = i > 0, i < count - 1
        next_start = None
        for (later_start, _), later in zip(supercontigs[i + 1:], masks[i + 1:]):
            if later.any():
                next_start = later_start + int(np.argmax(later))
                break
        if mask.any():
            idx = np.flatnonzero(mask)
            cuts = np.flatnonzero(np.diff(idx) >= min_gap)
            if len(cuts):
                starts = [int(idx[0])] + [int(idx[c + 1]) for c in cuts]
                ends = [int(idx[c]) + 1 for c in cuts] + [int(idx[-1]) + 1]
            else:
                starts, ends = [0], [length]
            first, last = int(idx[0]), int(idx[-1]) + 1
            if not has_prev or (start + first) - prev_end > min_gap:
                starts[0] = first
            if not has_next or next_start is None or next_start - (start + last) > min_gap:
                ends[-1] = last
            prev_end = start + ends[-1]
        elif has_next and next_start is not None and next_start - prev_end < min_gap:
            starts, ends = [0], [length]
        else:
            starts, ends = [], []
        result.append((starts, ends))
    return result


@st.composite
def chromosome_layouts(draw):
    min_gap = draw(st.integers(1, 10))
    # short supercontigs and spaces between them (compared with min_gap) exercise the rules
    # that keep data chunks across supercontigs, long ones the trimming and internal gaps
    max_space = draw(st.sampled_from([1, min_gap, 3 * min_gap + 2]))
    max_length = draw(st.sampled_from([min_gap // 2 + 1, 2 * min_gap, 6 * min_gap + 3]))
    position = 0
    supercontigs = []
    for index in range(draw(st.integers(1, 6))):
        position += draw(st.integers(0, max_space))
        length = draw(st.integers(1, max_length))
        supercontigs.append((position, position + length))
        position += length
    ntracks = draw(st.integers(1, 3))
    seed = draw(st.integers(0, 2 ** 32 - 1))
    rng = np.random.default_rng(seed)
    data = []
    missing = []
    for start, end in supercontigs:
        density = draw(st.sampled_from([0.0, 0.02, 0.1, 0.5, 1.0]))
        block = random_values(rng, end - start, ntracks, special_fraction=1.0)
        present = rng.random((end - start, ntracks)) < density
        block[present] = rng.choice(np.array([0.0, -1.5, 3.25], np.float32), present.sum())
        if draw(st.booleans()) and end - start > 1:
            block[0, rng.integers(ntracks)] = 0.0  # data on the first row
        data.append(block)
        missing.append(draw(st.integers(0, 9)) == 0)  # no continuous dataset
    chunk_rows = draw(st.integers(1, 12))
    block_rows = draw(st.one_of(st.none(), st.integers(1, 20)))
    block_tracks = draw(st.one_of(st.none(), st.integers(1, 3)))
    return min_gap, supercontigs, data, missing, chunk_rows, block_rows, block_tracks


def _fill_group(group, supercontigs, data, missing, chunk_rows):
    for index, ((start, end), block, absent) in enumerate(zip(supercontigs, data, missing)):
        supercontig = _layout.create_supercontig(group, index, start, end)
        if not absent:
            dataset = _layout.create_continuous(supercontig, end - start, block.shape[1],
                                                chunk_rows)
            dataset[...] = block


def _check_layout(group, supercontigs, data, missing, min_gap):
    masks = [np.zeros(end - start, bool) if absent else np.isfinite(block).any(axis=1)
             for (start, end), block, absent in zip(supercontigs, data, missing)]
    expected = model_chunk_bounds(supercontigs, masks, min_gap)
    got = [(sc.attrs["chunk_starts"].tolist(), sc.attrs["chunk_ends"].tolist())
           for sc in _layout.supercontig_groups(group)]
    assert got == expected
    rows = np.concatenate([block for block, absent in zip(data, missing) if not absent]
                          or [np.zeros((0, data[0].shape[1]), np.float32)])
    assert_stats({name: group.attrs[name] for name in group.attrs}, expected_stats(rows))


@settings(max_examples=300, deadline=None)
@given(chromosome_layouts())
def test_chunk_bounds_match_model(layout):
    """Random layouts, through the kernels with HDF5 decoding (in-memory file)."""
    min_gap, supercontigs, data, missing, chunk_rows, block_rows, block_tracks = layout
    ntracks = data[0].shape[1]
    with h5py.File(f"mem-{uuid.uuid4().hex}", "w", driver="core",
                   backing_store=False) as handle:
        group = handle.create_group("chr1")
        _fill_group(group, supercontigs, data, missing, chunk_rows)
        write_chromosome_metadata(group, [f"t{i}" for i in range(ntracks)], min_gap=min_gap,
                                  block_rows=block_rows, block_tracks=block_tracks)
        _check_layout(group, supercontigs, data, missing, min_gap)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(chromosome_layouts())
def test_chunk_bounds_match_model_on_disk(layout):
    """Random layouts, through close_data on a file (raw chunk decoding, worker threads)."""
    min_gap, supercontigs, data, missing, chunk_rows, block_rows, block_tracks = layout
    ntracks = data[0].shape[1]
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "archive")
        files = _files.create_archive(path, "file")
        try:
            group = files.create_chromosome("chr1", supercontigs[-1][1])
            _fill_group(group, supercontigs, data, missing, chunk_rows)
            _layout.write_tracknames(files.roots()[0], [f"t{i}" for i in range(ntracks)])
        finally:
            files.close()
        close_data(path, min_gap=min_gap, block_rows=block_rows, block_tracks=block_tracks,
                   threads=2)
        with h5py.File(path, "r") as handle:
            _check_layout(handle["chr1"], supercontigs, data, missing, min_gap)


# ------------------------------------------------------------------------------------------------
# reference archives

REFERENCE_MINS = [-2.71499991, -2.66000009, -2.71499991]
REFERENCE_MAXS = [0.38100001] * 3
REFERENCE_SUMS = [5.78700256, 6.74100304, 6.37500572]
REFERENCE_SUMS_SQUARES = [375.27493286, 370.22149658, 372.10986328]


@needs_refdata
@pytest.mark.parametrize("options", [{}, {"threads": 0}, {"raw_chunks": False}])
def test_reference_values_v1(tmp_path, options):
    path = tmp_path / "v1.genomedata"
    shutil.copyfile(REFDATA / "v1.genomedata", path)
    close_data(path, **options)
    with h5py.File(path, "r") as handle:
        chr1 = handle["chr1"]
        data = handle["chr1/supercontig_0/continuous"][...]
        finite = np.where(np.isfinite(data), data, 0).astype(np.float64)
        np.testing.assert_allclose(chr1.attrs["mins"], REFERENCE_MINS, rtol=0, atol=5e-9)
        np.testing.assert_allclose(chr1.attrs["maxs"], REFERENCE_MAXS, rtol=0, atol=5e-9)
        np.testing.assert_array_equal(chr1.attrs["mins"],
                                      np.nanmin(np.where(np.isfinite(data), data, np.nan), 0))
        np.testing.assert_array_equal(chr1.attrs["num_datapoints"], [496, 496, 496])
        tolerance = 1e-6 * np.abs(finite).sum(axis=0)
        assert np.all(np.abs(chr1.attrs["sums"] - REFERENCE_SUMS) <= tolerance)
        assert np.all(np.abs(chr1.attrs["sums_squares"] - REFERENCE_SUMS_SQUARES)
                      <= 1e-6 * np.square(finite).sum(axis=0))
        supercontig = handle["chr1/supercontig_0"]
        assert supercontig.attrs["chunk_starts"].tolist() == [280]
        assert supercontig.attrs["chunk_ends"].tolist() == [779]
        for name in ("mins", "maxs", "sums", "sums_squares"):
            assert attr_type(chr1, name)[:2] == (h5py.h5t.FLOAT, 8)
        assert attr_type(chr1, "num_datapoints")[:3] == (h5py.h5t.INTEGER, 8, True)
        assert attr_type(chr1, "dirty")[:2] == (h5py.h5t.BITFIELD, 1)
        assert attr_type(supercontig, "chunk_starts")[:3] == (h5py.h5t.INTEGER, 8, True)

        chry = handle["chrY"]
        np.testing.assert_array_equal(chry.attrs["mins"], [np.inf] * 3)
        np.testing.assert_array_equal(chry.attrs["maxs"], [-np.inf] * 3)
        np.testing.assert_array_equal(chry.attrs["sums"], [0.0] * 3)
        np.testing.assert_array_equal(chry.attrs["sums_squares"], [0.0] * 3)
        np.testing.assert_array_equal(chry.attrs["num_datapoints"], [0] * 3)
        assert attr_type(handle["chrY/supercontig_0"], "chunk_starts") == (
            h5py.h5t.FLOAT, 8, None, (0,))
        assert attr_type(handle["chrY/supercontig_0"], "chunk_ends") == (
            h5py.h5t.FLOAT, 8, None, (0,))
        for group in (chr1, chry):
            assert _layout.read_dirty(group) is False


@needs_refdata
def test_close_data_on_format_version_0(tmp_path):
    """close-data works on version-0 archives (only adding tracks is refused)."""
    path = tmp_path / "v0.genomedata"
    shutil.copyfile(REFDATA / "v0.genomedata", path)
    close_data(str(path))
    attrs, bounds = read_chromosome(path, "chr1")
    np.testing.assert_array_equal(attrs["num_datapoints"], [496, 496, 496])
    assert [(s.tolist(), e.tolist()) for s, e in bounds] == [([280], [779])]


# ------------------------------------------------------------------------------------------------
# open-data

@pytest.mark.parametrize("kind", ["file", "directory"])
def test_open_data_adds_nan_tracks(tmp_path, kind):
    path = new_archive(tmp_path / "a", {"chr1": [(0, 250), (300, 400)], "chr2": [(0, 30)]},
                       [], kind=kind)
    close_data(path)
    open_data(path, ["first", "second"])
    open_data(str(path), ("third",))
    for filename in file_hashes(path):
        with h5py.File(filename, "r") as handle:
            assert _layout.read_tracknames(handle["/"]) == ["first", "second", "third"]
            assert attr_type(handle["/"], "tracknames")[0] == h5py.h5t.STRING
            chromosomes = [handle["/"]] if kind == "directory" else list(handle.values())
            for group in chromosomes:
                assert _layout.read_dirty(group) is True
                for supercontig in _layout.supercontig_groups(group):
                    start, end = _layout.supercontig_bounds(supercontig)
                    dataset = supercontig[_layout.CONTINUOUS]
                    assert dataset.shape == (end - start, 3)
                    assert dataset.chunks == (_layout.DEFAULT_CHUNK_ROWS, 1)
                    assert dataset.maxshape == (max(end - start, 10000), None)
                    assert np.isnan(dataset[...]).all()
                    # PyTables' EArray attributes, as genomedata 1.7.4 writes them
                    assert attr_type(dataset, "EXTDIM") == (h5py.h5t.INTEGER, 4, True, ())
                    assert dataset.attrs["EXTDIM"] == 1
                    for name, text in (("CLASS", b"EARRAY"), ("VERSION", b"1.1")):
                        assert attr_type(dataset, name)[0] == h5py.h5t.STRING
                        assert dataset.attrs[name] == text
    write_intervals(path, "chr1", 2, [(310, 320)], value=4.0)
    close_data(path)
    attrs, bounds = read_chromosome(path, "chr1")
    np.testing.assert_array_equal(attrs["num_datapoints"], [0, 0, 10])
    assert attrs["sums"].tolist() == [0.0, 0.0, 40.0]
    # with the format's MIN_GAP_LEN, 310 is close to coordinate 0: nothing is trimmed in front
    assert [(s.tolist(), e.tolist()) for s, e in bounds] == [([0], [250]), ([0], [20])]


def test_open_data_chunk_size(tmp_path):
    path = new_archive(tmp_path / "a", {"chr1": [(0, 250)]}, [])
    open_data(path, ["x"], chunk_size=100)
    with h5py.File(path, "r") as handle:
        dataset = handle["chr1/supercontig_0/continuous"]
        assert dataset.chunks == (100, 1) and dataset.maxshape == (250, None)
    before = file_hashes(path)
    with pytest.raises(GenomedataError, match="chunks of 100 rows"):
        open_data(path, ["y"], chunk_size=50)
    assert file_hashes(path) == before
    open_data(path, ["y"], chunk_size=100)
    open_data(path, ["z"])  # the archive's chunk height is kept
    with h5py.File(path, "r") as handle:
        assert handle["chr1/supercontig_0/continuous"].shape == (250, 3)
        assert handle["chr1/supercontig_0/continuous"].chunks == (100, 1)
    for bad in (0, -3, 2.5):
        with pytest.raises(GenomedataError, match="chunk size"):
            open_data(path, ["w"], chunk_size=bad)


@pytest.mark.parametrize("kind", ["file", "directory"])
def test_open_data_refuses_duplicates_and_writes_nothing(tmp_path, kind):
    path = new_archive(tmp_path / "a", {"chr1": [(0, 100)], "chr2": [(0, 50)]}, ["x", "y"],
                       kind=kind)
    before = file_hashes(path)
    with pytest.raises(GenomedataError, match="'y' already exists"):
        open_data(path, ["new", "y"])
    assert file_hashes(path) == before
    with pytest.raises(GenomedataError, match="'new' is given more than once"):
        open_data(path, ["new", "other", "new"])
    assert file_hashes(path) == before
    for bad in ([], [""], ["caf\u00e9"], ["a\0b"]):
        with pytest.raises(GenomedataError):
            open_data(path, bad)
    assert file_hashes(path) == before


@needs_refdata
def test_open_data_refuses_format_version_0(tmp_path):
    path = tmp_path / "v0.genomedata"
    shutil.copyfile(REFDATA / "v0.genomedata", path)
    before = file_hashes(path)
    with pytest.raises(NotImplementedError) as info:
        open_data(path, ["new"])
    assert str(info.value) == ADD_TRACK_VERSION_MESSAGE
    assert file_hashes(path) == before


@needs_refdata
def test_open_data_on_old_archive_reads_nan(tmp_path):
    """v1 (PyTables 2) archives have fill value 0: new columns must still read NaN."""
    path = tmp_path / "v1.genomedata"
    shutil.copyfile(REFDATA / "v1.genomedata", path)
    open_data(path, ["dnase"])
    with h5py.File(path, "r") as handle:
        dataset = handle["chr1/supercontig_0/continuous"]
        assert dataset.shape == (24950, 4)
        assert np.isnan(dataset[:, 3]).all()
        assert _layout.read_tracknames(handle["/"]) == ["placental", "primate", "vertebrate",
                                                        "dnase"]
    close_data(path)
    attrs, _ = read_chromosome(path, "chr1")
    np.testing.assert_array_equal(attrs["num_datapoints"], [496, 496, 496, 0])


def test_open_data_interoperates_with_pytables(tmp_path):
    tables = pytest.importorskip("tables")
    path = new_archive(tmp_path / "a", {"chr1": [(0, 120), (200, 300)]}, [])
    open_data(path, ["x", "y"])
    with tables.open_file(str(path), "r+") as handle:
        names = handle.root._v_attrs.tracknames
        assert [name.decode() for name in names] == ["x", "y"]
        chromosome = handle.get_node("/chr1")
        assert bool(chromosome._v_attrs.dirty) is True
        node = handle.get_node("/chr1/supercontig_0/continuous")
        assert isinstance(node, tables.EArray)
        assert node.extdim == 1
        assert node.shape == (120, 2)
        node.truncate(3)  # what the reference's open-data does to add a track
        node[5, 2] = 1.5
        handle.root._v_attrs.tracknames = np.array([b"x", b"y", b"z"])
        other = handle.get_node("/chr1/supercontig_1/continuous")
        other.truncate(3)
    close_data(path)
    attrs, bounds = read_chromosome(path, "chr1")
    np.testing.assert_array_equal(attrs["num_datapoints"], [0, 0, 1])
    assert [(s.tolist(), e.tolist()) for s, e in bounds] == [([5], [6]), ([], [])]
    with tables.open_file(str(path), "r") as handle:
        chromosome = handle.get_node("/chr1")
        assert bool(chromosome._v_attrs.dirty) is False
        np.testing.assert_array_equal(chromosome._v_attrs.num_datapoints, [0, 0, 1])


# ------------------------------------------------------------------------------------------------
# commands

def test_commands(tmp_path, capsys):
    path = new_archive(tmp_path / "a", {"chr1": [(0, 100)], "chr2": [(0, 10)]}, [])
    assert main(["open-data", str(path), "--trackname", "a", "b"]) == 0
    assert main(["open-data", str(path), "--tracknames", "c", "--trackname", "d"]) == 0
    assert main(["open-data", str(path), "--tracknames", "e", "--chunk-size", "10000"]) == 0
    with h5py.File(path, "r") as handle:
        assert _layout.read_tracknames(handle["/"]) == ["a", "b", "c", "d", "e"]
    capsys.readouterr()

    assert main(["open-data", str(path), "--trackname", "a"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "genomedata open-data: error: track 'a' already exists" in err

    assert main(["close-data", "--verbose", str(path)]) == 0
    err = capsys.readouterr().err
    assert "writing metadata for chr1\n" in err
    assert "writing metadata for chr2\n" in err
    assert " scanning supercontig_0\n" in err
    attrs, _ = read_chromosome(path, "chr1")
    assert attrs["dirty"] == 0 and len(attrs["num_datapoints"]) == 5

    assert main(["close-data", str(tmp_path / "missing")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("genomedata close-data: error: ") and err.count("\n") == 1


@needs_refdata
def test_command_open_data_version_0(tmp_path, capsys):
    path = tmp_path / "v0"
    shutil.copyfile(REFDATA / "v0.genomedata", path)
    assert main(["open-data", str(path), "--tracknames", "x"]) == 1
    err = capsys.readouterr().err
    assert err == f"genomedata open-data: error: {ADD_TRACK_VERSION_MESSAGE}\n"


def test_large_chunk_index_left_to_hdf5(tmp_path, monkeypatch):
    import genomedata.archive.codec as codec_module

    values = layout_values(seed=11)
    path = new_archive(tmp_path / "a", LAYOUT, ["a", "b", "c"], values=values)
    monkeypatch.setattr(codec_module, "MAX_INDEXED_CHUNKS", 2)
    with h5py.File(path, "r") as handle:
        dataset = handle["chr1/supercontig_1/continuous"]
        assert RawChunkReader.open(dataset, ThreadPoolExecutor(1), 1) is None
    close_data(path)
    for chrom in LAYOUT:
        attrs, _bounds = read_chromosome(path, chrom)
        assert_stats(attrs, layout_expected(values, chrom))
