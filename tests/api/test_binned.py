"""Binned summaries: the kernel that adds pieces of a region (genomedata.kernels.binned) and
``Chromosome.binned`` / ``Genome.stackup`` (genomedata.api.binned) against numpy on the raw
values."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from genomedata import Genome
from genomedata.api import binned as _binned
from genomedata.errors import GenomedataError
from genomedata.kernels.binned import accumulate_windows, new_accumulators

pytestmark = pytest.mark.kernels

STATS = ("mean", "min", "max", "sum", "coverage", "std")
TRACKS = ["dense", "steps", "sparse"]
CHUNK = 1000
LAYOUT = {
    # chromosome end 120000: data stops at 110000, [110000, 120000) has no supercontig
    "chr1": [(0, 30000), (40000, 90000), (95000, 110000)],
    "chr2": [(5000, 25000)],
}
ENDS = {"chr1": 120000, "chr2": 26000}


def make_values(rng, end):
    dense = rng.normal(3, 2, end).astype(np.float32)
    special = rng.random(end) < 0.02
    dense[special] = rng.choice(np.array([np.nan, np.inf, -np.inf], dtype=np.float32),
                                int(special.sum()))
    edges = np.sort(rng.integers(0, end, 60))
    steps = np.repeat(rng.integers(-3, 4, len(edges) + 1).astype(np.float32),
                      np.diff(np.concatenate(([0], edges, [end]))))
    steps[rng.random(end) < 0.1] = np.nan
    sparse = np.full(end, np.nan, dtype=np.float32)
    for start in rng.integers(0, end - 500, 25):
        sparse[start:start + int(rng.integers(1, 500))] = rng.random()
    return np.stack([dense, steps, sparse], axis=1)


@pytest.fixture(scope="module")
def archive(tmp_path_factory, archive_builder):
    """(path, {chrom: float64 (end + 20000, ntracks) array of what the archive holds, NaN
    outside supercontigs and past the end})."""
    rng = np.random.default_rng(2024)
    values, truth = {}, {}
    for chrom, end in ENDS.items():
        values[chrom] = make_values(rng, end)
        full = np.full((end + 20000, len(TRACKS)), np.nan)
        for start, stop in LAYOUT[chrom]:
            full[start:stop] = values[chrom][start:stop]
        truth[chrom] = full
    path = tmp_path_factory.mktemp("binned") / "archive.genomedata"
    archive_builder(path, LAYOUT, tracknames=TRACKS, values=values, ends=ENDS,
                    chunk_rows=CHUNK)
    return path, truth


@pytest.fixture(scope="module")
def genome(archive):
    with Genome(archive[0]) as genome:
        yield genome


def expected_binned(raw, start, end, bins, stat):
    """numpy, one bin at a time, over the finite values (raw: (positions, ntracks))."""
    edges = start + (np.arange(bins + 1) * (end - start)) // bins
    out = np.full((bins, raw.shape[1]), np.nan)
    for b in range(bins):
        lo, hi = edges[b], edges[b + 1]
        for j in range(raw.shape[1]):
            part = raw[lo:hi, j]
            part = part[np.isfinite(part)]
            if stat == "coverage":
                out[b, j] = len(part) / (hi - lo) if hi > lo else np.nan
            elif stat == "sum":
                out[b, j] = part.sum()
            elif len(part):
                out[b, j] = {"mean": np.mean, "min": np.min, "max": np.max,
                             "std": np.std}[stat](part)
    return out


def padded(truth, end):
    if end > len(truth):
        extra = np.full((end - len(truth), truth.shape[1]), np.nan)
        truth = np.concatenate([truth, extra])
    return truth


def assert_same(observed, expected):
    assert observed.shape == expected.shape
    assert observed.dtype == np.float64
    assert np.array_equal(np.isnan(observed), np.isnan(expected))
    finite = ~np.isnan(expected)
    np.testing.assert_allclose(observed[finite], expected[finite], rtol=1e-9, atol=1e-9)


# ------------------------------------------------------------------------------------------------
# kernel

def add_pieces(flat, stride, cuts, start, end, bins, full, acc):
    """accumulate_windows of the pieces ``[cuts[i], cuts[i + 1])`` of a flat array holding
    positions 0, 1, ... (``stride`` tracks) to the ``bins`` bins of ``[start, end)``."""
    cuts = np.asarray(cuts, dtype=np.int64)
    pos = cuts[:-1]
    ones = np.ones(len(pos), dtype=np.int64)
    accumulate_windows(flat, pos * stride, stride, pos, np.diff(cuts), start * ones,
                       (end - start) * ones, 0 * ones, bins, full, *acc)


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_kernel_pieces_equal_one_pass(data):
    """Feeding a region in arbitrary pieces, some reaching outside it, gives the numpy
    answer (``full=False``: the counts and totals of mean, sum and coverage only)."""
    n = data.draw(st.integers(1, 400))
    seed = data.draw(st.integers(0, 2 ** 32 - 1))
    rng = np.random.default_rng(seed)
    values = rng.normal(0, 10, (n, 2)).astype(np.float32)
    values[rng.random((n, 2)) < 0.3] = np.nan
    values[rng.random((n, 2)) < 0.05] = np.inf
    start = data.draw(st.integers(0, 50))
    region_end = start + data.draw(st.integers(1, n + 50))
    bins = data.draw(st.integers(1, min(60, region_end - start)))
    edges = start + (np.arange(bins + 1, dtype=np.int64) * (region_end - start)) // bins
    cuts = sorted(set(data.draw(st.lists(st.integers(0, n), max_size=8))) | {0, n})
    raw = np.full((max(n, region_end), 2), np.nan)
    raw[:n] = values
    for full in (True, False):
        acc = new_accumulators(bins, 2)
        add_pieces(values.ravel(), 2, cuts, start, region_end, bins, full, acc)
        for stat in STATS if full else ("mean", "sum", "coverage"):
            expected = expected_binned(raw, start, region_end, bins, stat)
            widths = np.diff(edges).astype(np.float64)[:, None]
            assert_same(_binned._finish(stat, widths, *acc), expected)


def test_kernel_std_is_stable():
    """Large offset, small spread: the shifted sums keep the variance exact."""
    values = (np.float32(1e6) + np.arange(8, dtype=np.float32))
    acc = new_accumulators(1, 1)
    add_pieces(values, 1, [0, 3, 8], 0, 8, 1, True, acc)
    std = _binned._finish("std", np.array([[8.0]]), *acc)[0, 0]
    assert std == pytest.approx(np.std(values.astype(np.float64)), rel=1e-12)


def test_kernel_ignores_positions_outside_the_region():
    values = np.ones(1100, dtype=np.float32)
    for full in (True, False):
        acc = new_accumulators(2, 1)
        add_pieces(values, 1, [0, 100, 1000, 1100], 40, 60, 2, full, acc)
        assert acc[0][:, 0].tolist() == [10, 10] and acc[1][:, 0].tolist() == [10.0, 10.0]


# ------------------------------------------------------------------------------------------------
# Chromosome.binned

@pytest.mark.parametrize("stat", STATS)
def test_each_stat_over_gaps_and_past_end(genome, archive, stat):
    truth = archive[1]["chr1"]
    # [25000, 125000): a gap, several supercontigs, no supercontig after 110000, past the end
    observed = genome["chr1"].binned(25000, 125000, 40, stat)
    assert_same(observed, expected_binned(padded(truth, 125000), 25000, 125000, 40, stat))


@pytest.mark.parametrize("stat", STATS)
def test_long_region_read_in_pieces(genome, monkeypatch, stat):
    """A whole chromosome and past its end (120 chunks, two gaps between supercontigs, no
    supercontig after 110000) read in 30 pieces that are not chunk-aligned: the numbers of
    numpy over the values read through the API in one go."""
    end = 125000
    values = genome.read_regions("chr1", [0], [end])[0].astype(np.float64)
    expected = expected_binned(values, 0, end, 97, stat)
    monkeypatch.setattr(_binned, "BATCH_VALUES", 3 * 4321)    # 4321 bases of 3 tracks
    assert_same(genome["chr1"].binned(0, end, 97, stat), expected)
    # one track of three: 3 * 4321 bases a piece
    assert_same(genome["chr1"].binned(0, end, 97, stat, tracks="steps"), expected[:, [1]])


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(chrom=st.sampled_from(["chr1", "chr2"]), start=st.integers(0, 130000),
       width=st.integers(1, 60000), bins=st.integers(1, 80), stat=st.sampled_from(STATS),
       tracks=st.sampled_from([None, "dense", 1, ["sparse", "dense"], [2, 2, 0]]),
       block=st.sampled_from([None, 301, 2500, 7000]))
def test_random_regions(genome, archive, monkeypatch, chrom, start, width, bins, stat, tracks,
                        block):
    # small batches: a region read in many pieces (not chunk-aligned) into one set of
    # accumulators
    monkeypatch.setattr(_binned, "BATCH_VALUES", block or (1 << 22))
    bins = min(bins, width)   # more bins than bases is an error (test_more_bins_than_bases)
    end = start + width
    columns = {None: [0, 1, 2], "dense": [0], 1: [1], ("sparse", "dense"): [2, 0],
               (2, 2, 0): [2, 2, 0]}[tuple(tracks) if isinstance(tracks, list) else tracks]
    raw = padded(archive[1][chrom], end)[:, columns]
    observed = genome[chrom].binned(start, end, bins, stat, tracks=tracks)
    assert_same(observed, expected_binned(raw, start, end, bins, stat))


def test_more_bins_than_bases(genome, archive):
    """More bins than bases is an error (some bins would be empty), as many bins as bases
    is one base per bin."""
    for stat in ("mean", "coverage", "sum"):
        with pytest.raises(ValueError, match=r"^6 bins do not fit in the 3 bases of region "
                                             r"5000-5003: use at most 3 bins$"):
            genome["chr2"].binned(5000, 5003, 6, stat, tracks="dense")
    with pytest.raises(GenomedataError, match=r"^chr2: 4 bins do not fit in the 3 bases"):
        genome.stackup("chr2", [0, 5000], [100, 5003], 4, track="dense")
    observed = genome["chr2"].binned(5000, 5003, 3, "mean", tracks="dense")
    raw = archive[1]["chr2"][5000:5003, :1]
    np.testing.assert_array_equal(observed, raw.astype(np.float64))


def test_empty_region_summaries(genome):
    chromosome = genome["chr1"]
    # a gap: no data at all
    assert np.isnan(chromosome.binned(31000, 39000, 4, "mean")).all()
    assert (chromosome.binned(31000, 39000, 4, "sum") == 0).all()
    assert (chromosome.binned(31000, 39000, 4, "coverage") == 0).all()
    assert np.isnan(chromosome.binned(200000, 300000, 2, "max")).all()  # past the end


def test_shapes_and_track_selection(genome):
    chromosome = genome["chr1"]
    assert chromosome.binned(0, 1000, 10).shape == (10, 3)
    assert chromosome.binned(0, 1000, 10, tracks="steps").shape == (10, 1)
    assert chromosome.binned(0, 1000, 10, tracks=[]).shape == (10, 0)
    both = chromosome.binned(0, 1000, 10, "max", tracks=["sparse", 0])
    np.testing.assert_array_equal(both[:, 0], chromosome.binned(0, 1000, 10, "max",
                                                                tracks=2)[:, 0])
    np.testing.assert_array_equal(both[:, 1], chromosome.binned(0, 1000, 10, "max",
                                                                tracks="dense")[:, 0])
    assert chromosome.binned(np.int64(0), np.int64(1000), np.int32(5)).shape == (5, 3)


def test_against_reading_then_reducing(genome):
    """Same numbers as reading chromosome[a:b] through the API and reducing with numpy."""
    chromosome = genome["chr1"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        raw = chromosome[12345:98765].astype(np.float64)
    observed = chromosome.binned(12345, 98765, 33, "mean")
    raw_padded = np.full((98765, 3), np.nan)
    raw_padded[12345:] = raw
    assert_same(observed, expected_binned(raw_padded, 12345, 98765, 33, "mean"))


@pytest.mark.parametrize("call, message", [
    (lambda c: c.binned(0, 100, 10, "median"), "unknown statistic"),
    (lambda c: c.binned(0, 100, 0), "positive integer"),
    (lambda c: c.binned(0, 100, 2.5), "positive integer"),
    (lambda c: c.binned(100, 100, 1), "greater than its start"),
    (lambda c: c.binned(-5, 100, 1), "negative"),
    (lambda c: c.binned(0.5, 100, 1), "integers"),
    (lambda c: c.binned(0, 100, 1, tracks="nope"), "Could not find continuous track"),
    (lambda c: c.binned(0, 100, 1, tracks=3), "out of range"),
    (lambda c: c.binned(0, 100, 1, tracks=1.5), "name or index"),
])
def test_errors(genome, call, message):
    with pytest.raises(GenomedataError, match=message):
        call(genome["chr1"])


# ------------------------------------------------------------------------------------------------
# Genome.stackup

@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2 ** 32 - 1), nregions=st.integers(0, 12),
       bins=st.integers(1, 30), stat=st.sampled_from(STATS),
       track=st.sampled_from(["dense", "steps", 2]))
def test_stackup(genome, archive, seed, nregions, bins, stat, track):
    rng = np.random.default_rng(seed)
    chroms = [str(c) for c in rng.choice(["chr1", "chr2"], nregions)]
    starts = rng.integers(0, 125000, nregions)
    # at least one base per bin: more bins than bases is an error (test_more_bins_than_bases)
    ends = starts + rng.integers(bins, 30000, nregions)
    observed = genome.stackup(chroms, starts, ends, bins, stat, track=track)
    assert observed.shape == (nregions, bins) and observed.dtype == np.float64
    col = {"dense": 0, "steps": 1, 2: 2}[track]
    for k in range(nregions):
        raw = padded(archive[1][chroms[k]], int(ends[k]))[:, [col]]
        expected = expected_binned(raw, int(starts[k]), int(ends[k]), bins, stat)[:, 0]
        assert_same(observed[k], expected)


def test_stackup_arguments(genome):
    table = genome.stackup("chr1", [0, 50000], [1000, 60000], 4, "mean", track="dense")
    assert table.shape == (2, 4)
    np.testing.assert_array_equal(table[1], genome["chr1"].binned(50000, 60000, 4,
                                                                  tracks="dense")[:, 0])
    with pytest.raises(GenomedataError, match="say which one"):
        genome.stackup("chr1", [0], [10], 2)
    with pytest.raises(GenomedataError, match="Could not find chromosome: chrZ"):
        genome.stackup(["chrZ"], [0], [10], 2, track=0)
    with pytest.raises(GenomedataError, match="same length"):
        genome.stackup(["chr1"], [0, 1], [10], 2, track=0)
    with pytest.raises(GenomedataError, match="2 chromosome names for 1 regions"):
        genome.stackup(["chr1", "chr2"], [0], [10], 2, track=0)
    with pytest.raises(GenomedataError, match="greater than its start"):
        genome.stackup(["chr1"], [10], [10], 2, track=0)


def test_directory_archive(make_archive):
    values = np.arange(40, dtype=np.float32).reshape(20, 2)
    path = make_archive({"chrA": [(0, 8), (12, 20)]}, kind="directory",
                        tracknames=["x", "y"], values={"chrA": values}, chunk_rows=3)
    with Genome(path) as genome:
        observed = genome["chrA"].binned(0, 20, 5, "sum")
    expected = values.astype(np.float64).copy()
    expected[8:12] = 0
    np.testing.assert_array_equal(observed, expected.reshape(5, 4, 2).sum(axis=1))


@pytest.mark.parametrize("name", ["v0.genomedata", "v1.genomedata"])
def test_reference_archives(refdata, name):
    """Old PyTables-2 archives (no shuffle, chunks of 8192 rows, fill value 0): same numbers
    as reading through the API and reducing with numpy."""
    with Genome(refdata / name) as genome:
        chromosome = genome["chr1"]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            raw = chromosome[0:30000].astype(np.float64)
        for stat in STATS:
            observed = chromosome.binned(0, 30000, 17, stat, tracks=None)
            assert_same(observed, expected_binned(raw, 0, 30000, 17, stat))
        table = genome.stackup(["chr1", "chrY"], [250, 0], [800, 24950], 5, "max",
                               track="primate")
        assert_same(table[:1], expected_binned(raw[:, [1]], 250, 800, 5, "max").T)
