"""Genome.summarize (genomedata.api.binned.summarize) and genomedata.summarize (the BED-file
form, its table and DataFrame): equal to numpy over the values read through the API."""

from __future__ import annotations

import gzip
import io

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import genomedata
from genomedata import Genome
from genomedata.api import binned as _binned
from genomedata.errors import GenomedataError

pytestmark = pytest.mark.kernels

STATS = ("mean", "min", "max", "sum", "coverage", "std")
TRACKS = ["dense", "steps", "sparse"]
CHUNK = 1000
LAYOUT = {"chr1": [(0, 30000), (40000, 90000), (95000, 110000)], "chr2": [(5000, 25000)]}
ENDS = {"chr1": 120000, "chr2": 26000}


@pytest.fixture(scope="module")
def archive(tmp_path_factory, archive_builder):
    rng = np.random.default_rng(16)
    values = {}
    for chrom, end in ENDS.items():
        dense = rng.normal(3, 2, end).astype(np.float32)
        special = rng.random(end) < 0.02
        dense[special] = rng.choice(np.array([np.nan, np.inf, -np.inf], dtype=np.float32),
                                    int(special.sum()))
        steps = np.repeat(rng.integers(-3, 4, end // 500).astype(np.float32), 500)
        steps[rng.random(end) < 0.1] = np.nan
        sparse = np.full(end, np.nan, dtype=np.float32)
        for start in rng.integers(0, end - 300, 30):
            sparse[start:start + int(rng.integers(1, 300))] = rng.random()
        values[chrom] = np.stack([dense, steps, sparse], axis=1)
    path = tmp_path_factory.mktemp("summarize") / "archive.genomedata"
    archive_builder(path, LAYOUT, tracknames=TRACKS, values=values, ends=ENDS,
                    chunk_rows=CHUNK)
    return path


@pytest.fixture(scope="module")
def genome(archive):
    with Genome(archive) as genome:
        yield genome


def api_values(genome, chrom, start, end):
    """float64 values of [start, end) through the API, NaN past the chromosome's end."""
    chromosome = genome[chrom]
    stop = min(end, int(chromosome.end))
    out = np.full((end - start, len(TRACKS)), np.nan)
    if stop > start:
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out[:stop - start] = chromosome[start:stop]
    return out


def numpy_stat(part, stat, width):
    finite = part[np.isfinite(part)]
    if stat == "coverage":
        return len(finite) / width if width else np.nan
    if stat == "sum":
        return finite.sum()
    if not len(finite):
        return np.nan
    return {"mean": np.mean, "min": np.min, "max": np.max, "std": np.std}[stat](finite)


def expected(genome, chroms, starts, ends, stat, columns, bins):
    out = np.empty((len(starts), bins or 1, len(columns)))
    for k, (chrom, start, end) in enumerate(zip(chroms, starts, ends)):
        raw = api_values(genome, chrom, int(start), int(end))[:, columns]
        edges = (np.arange((bins or 1) + 1) * (int(end) - int(start))) // (bins or 1)
        for b in range(bins or 1):
            for j in range(len(columns)):
                out[k, b, j] = numpy_stat(raw[edges[b]:edges[b + 1], j], stat,
                                          edges[b + 1] - edges[b])
    return out if bins else out[:, 0, :]


def assert_equal_to_numpy(observed, wanted, stat):
    """min, max, coverage: equal; sums (mean, sum, std): numpy adds in another order, so equal
    to 1e-12 relative."""
    assert observed.shape == wanted.shape and observed.dtype == np.float64
    assert np.array_equal(np.isnan(observed), np.isnan(wanted))
    if stat in ("min", "max", "coverage"):
        np.testing.assert_array_equal(observed, wanted)
    else:
        finite = ~np.isnan(wanted)
        np.testing.assert_allclose(observed[finite], wanted[finite], rtol=1e-12, atol=1e-9)


# regions across supercontig gaps, chunk edges, past the chromosome's end, overlapping,
# duplicated, unsorted, of one base, of 0 bases
REGIONS = [("chr1", 29500, 40500), ("chr2", 0, 26000), ("chr1", 999, 1001), ("chr1", 0, 1),
           ("chr1", 105000, 125000), ("chr1", 29500, 40500), ("chr2", 24999, 30000),
           ("chr1", 88000, 96000), ("chr1", 1000, 2000), ("chr1", 500, 1500),
           ("chr1", 115000, 118000), ("chr1", 7, 7)]


@pytest.mark.parametrize("stat", STATS)
def test_every_stat_equals_numpy(genome, stat):
    chroms, starts, ends = zip(*REGIONS)
    observed = genome.summarize(list(chroms), starts, ends, stat)
    assert observed.shape == (len(REGIONS), 3)
    assert_equal_to_numpy(observed, expected(genome, chroms, starts, ends, stat, [0, 1, 2],
                                             None), stat)
    empty = observed[-1]        # 0 bases: no value (sum 0)
    assert (empty == 0).all() if stat == "sum" else np.isnan(empty).all()


@pytest.mark.parametrize("stat", STATS)
def test_bins_equal_numpy_and_binned(genome, stat):
    regions = [r for r in REGIONS if r[2] - r[1] >= 7]
    chroms, starts, ends = zip(*regions)
    observed = genome.summarize(list(chroms), starts, ends, stat, tracks=["sparse", 0],
                                bins=7)
    assert observed.shape == (len(regions), 7, 2)
    assert_equal_to_numpy(observed, expected(genome, chroms, starts, ends, stat, [2, 0], 7),
                          stat)
    for k, (chrom, start, end) in enumerate(regions):
        alone = genome[chrom].binned(start, end, 7, stat, tracks=["sparse", 0])
        assert_equal_to_numpy(observed[k], alone, stat)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2 ** 32 - 1), nregions=st.integers(0, 40),
       bins=st.sampled_from([None, 1, 3]), stat=st.sampled_from(STATS),
       batch=st.sampled_from([3000, 20000, 1 << 22]))
def test_random_regions_in_small_batches(genome, monkeypatch, seed, nregions, bins, stat,
                                         batch):
    """Small batches: many reads, regions cut into pieces; the answer does not change."""
    monkeypatch.setattr(_binned, "BATCH_VALUES", batch)
    rng = np.random.default_rng(seed)
    chroms = [str(c) for c in rng.choice(["chr1", "chr2"], nregions)]
    starts = rng.integers(0, 121000, nregions)
    ends = starts + rng.integers(3, 9000, nregions)
    observed = genome.summarize(chroms, starts, ends, stat, bins=bins)
    assert_equal_to_numpy(observed, expected(genome, chroms, starts, ends, stat, [0, 1, 2],
                                             bins), stat)


@pytest.mark.parametrize("overlap", [0, 10 ** 9])     # always prefix sums; never
@pytest.mark.parametrize("stat", ["mean", "sum", "coverage"])
def test_prefix_sums_or_each_region_alike(genome, monkeypatch, overlap, stat):
    """The two ways to the totals (prefix sums of the union, each region's own values) give
    numpy's answer, however much the regions overlap."""
    monkeypatch.setattr(_binned, "PREFIX_OVERLAP", overlap)
    rng = np.random.default_rng(5)
    chroms = [str(c) for c in rng.choice(["chr1", "chr2"], 60)]
    starts = rng.integers(0, 121000, 60)
    ends = starts + rng.integers(3, 9000, 60)
    observed = genome.summarize(chroms, starts, ends, stat, bins=3)
    assert_equal_to_numpy(observed, expected(genome, chroms, starts, ends, stat, [0, 1, 2],
                                             3), stat)


def test_stackup_is_summarize_of_one_track(genome):
    chroms, starts, ends = ["chr2", "chr1"], [5000, 100], [9000, 20100]
    stack = genome.stackup(chroms, starts, ends, 5, "max", track="steps")
    np.testing.assert_array_equal(stack, genome.summarize(chroms, starts, ends, "max", 1,
                                                          bins=5)[:, :, 0])


def test_arguments(genome):
    assert genome.summarize([], [], []).shape == (0, 3)
    assert genome.summarize("chr1", [0, 5], [10, 20], tracks="dense").shape == (2, 1)
    with pytest.raises(GenomedataError, match="Could not find chromosome: chrZ"):
        genome.summarize(["chrZ"], [0], [10])
    with pytest.raises(GenomedataError, match="unknown statistic"):
        genome.summarize(["chr1"], [0], [10], "median")
    with pytest.raises(GenomedataError, match="ends before it starts"):
        genome.summarize(["chr1"], [10], [5])
    with pytest.raises(GenomedataError, match="^chr1: 4 bins do not fit in the 3 bases"):
        genome.summarize(["chr1", "chr1"], [0, 10], [100, 13], bins=4)


# ------------------------------------------------------------------------------------------------
# genomedata.summarize: a BED file

BED = ("track name=regions\n"
       "chr2\t24999\t30000\tpast_end\n"
       "chr1\t29500\t40500\tgap\n"
       "chr1\t29500\t40500\tgap\n"
       "chr1\t999\t1001\tedge\n")


def bed_regions():
    rows = [line.split("\t") for line in BED.splitlines()[1:]]
    return [r[0] for r in rows], [int(r[1]) for r in rows], [int(r[2]) for r in rows], \
        [r[3] for r in rows]


@pytest.mark.parametrize("packed", [False, True])
def test_bed_file_table(genome, archive, tmp_path, packed):
    path = tmp_path / ("regions.bed.gz" if packed else "regions.bed")
    path.write_bytes(gzip.compress(BED.encode()) if packed else BED.encode())
    result = genomedata.summarize(archive, path, tracks=["steps", "dense"], stat="mean")
    chroms, starts, ends, names = bed_regions()
    assert result.columns == ["chrom", "start", "end", "name", "steps", "dense"]
    np.testing.assert_array_equal(result.values, genome.summarize(chroms, starts, ends,
                                                                  "mean", ["steps", "dense"]))
    out = io.BytesIO()
    result.write_tsv(out)
    lines = out.getvalue().decode().splitlines()
    assert lines[0] == "chrom\tstart\tend\tname\tsteps\tdense"
    for k, line in enumerate(lines[1:]):
        fields = line.split("\t")
        assert fields[:4] == [chroms[k], str(starts[k]), str(ends[k]), names[k]]
        for text, value in zip(fields[4:], result.values[k]):
            if np.isnan(value):
                assert text == "NA"
            else:       # the statistic at float32 precision, read back exactly
                assert np.float32(float(text)) == np.float32(value)


def test_bed_file_bins_and_dataframe(genome, archive, tmp_path):
    pandas = pytest.importorskip("pandas")
    path = tmp_path / "regions.bed"
    path.write_text("chr1 0 10\nchr1 5 9\n")
    result = genomedata.summarize(archive, path, stat="max", bins=2)
    frame = result.to_dataframe()
    assert list(frame.columns) == ["chrom", "start", "end"] + [
        f"{t}_bin{b}" for t in TRACKS for b in (1, 2)]
    assert frame["start"].tolist() == [0, 5]
    values = genome.summarize(["chr1", "chr1"], [0, 5], [10, 9], "max", bins=2)
    np.testing.assert_array_equal(frame["steps_bin2"].to_numpy(), values[:, 1, 1])
    out = io.BytesIO()
    result.write_tsv(out)
    back = pandas.read_csv(io.BytesIO(out.getvalue()), sep="\t")
    assert list(back.columns) == list(frame.columns)
    np.testing.assert_array_equal(back["dense_bin1"].to_numpy(np.float32),
                                  frame["dense_bin1"].to_numpy(np.float32))


def test_bed_file_mistakes(archive, tmp_path):
    path = tmp_path / "r.bed"
    path.write_text("chr1 0 10\n1 5 9\n")
    with pytest.raises(GenomedataError, match=r"r.bed:2: chromosome '1' \(1 region\) is not "
                                              r"in .*the archive calls it 'chr1'"):
        genomedata.summarize(archive, path)
    path.write_text("chr1 0 10\nchr1 5 7\n")
    with pytest.raises(GenomedataError, match=r"r.bed:2: the region has 2 bases, too few "
                                              r"for 3 bins"):
        genomedata.summarize(archive, path, bins=3)
    with pytest.raises(GenomedataError, match="Could not find continuous track: nope"):
        genomedata.summarize(archive, path, tracks=["nope"])


def test_bigwig_input(genome, archive, tmp_path):
    from genomedata.ops.export import export_track
    bigwig = tmp_path / "steps.bw"      # (bigWig files hold no infinite values)
    export_track(str(archive), "steps", str(bigwig), fmt="bigwig")
    bed = tmp_path / "r.bed"
    chroms, starts, ends, _ = bed_regions()
    bed.write_text("".join(f"{c}\t{s}\t{e}\n" for c, s, e in zip(chroms, starts, ends)))
    for stat in STATS:
        result = genomedata.summarize(bigwig, bed, stat=stat, bins=2)
        assert result.columns[3:] == ["steps_bin1", "steps_bin2"]
        with Genome(str(bigwig)) as big:
            raw = [big[c][s:min(e, 26000 if c == "chr2" else 120000)] for c, s, e in
                   zip(chroms, starts, ends)]
        assert result.values.shape == (4, 2, 1)
        want = expected(genome, chroms, starts, ends, stat, [1], 2)
        assert_equal_to_numpy(result.values, want, stat)
        assert all(r.shape[1] == 1 for r in raw)


# ------------------------------------------------------------------------------------------------
# the kernels: prefix sums (mean, sum, coverage) against the one accumulator

@settings(max_examples=150, deadline=None)
@given(seed=st.integers(0, 2 ** 32 - 1), npieces=st.integers(0, 30),
       stride=st.integers(1, 3), bins=st.integers(1, 5))
def test_prefix_totals_equal_the_accumulator(seed, npieces, stride, bins):
    from genomedata.kernels.binned import (accumulate_totals, accumulate_windows,
                                           new_accumulators)
    rng = np.random.default_rng(seed)
    nrows = 400
    flat = rng.normal(0, 100, nrows * stride).astype(np.float32)
    flat[rng.random(flat.size) < 0.2] = np.nan
    flat[rng.random(flat.size) < 0.05] = np.inf
    lengths = rng.integers(bins, 120, npieces)
    starts = rng.integers(0, nrows - lengths + 1) + 10 ** 6     # positions of the genome
    dest = (starts - 10 ** 6) * stride                          # overlapping in the flat
    rows = np.arange(npieces, dtype=np.int64) * bins
    args = (flat, dest.astype(np.int64), stride, starts.astype(np.int64),
            lengths.astype(np.int64), starts.astype(np.int64), lengths.astype(np.int64),
            rows, bins)
    one = new_accumulators(npieces * bins, stride)
    two = new_accumulators(npieces * bins, stride)
    accumulate_windows(*args, True, *one)
    accumulate_totals(*args, two[0], two[1])
    np.testing.assert_array_equal(two[0], one[0])
    np.testing.assert_allclose(two[1], one[1], rtol=1e-13, atol=1e-10)


@settings(max_examples=200, deadline=None)
@given(seed=st.integers(0, 2 ** 32 - 1), nregions=st.integers(0, 60),
       ntracks=st.integers(1, 3), max_values=st.integers(1, 400),
       max_regions=st.integers(1, 10))
def test_batches_hold_at_most_their_values_and_regions(seed, nregions, ntracks, max_values,
                                                       max_regions):
    from genomedata.kernels.binned import batch_bounds
    rng = np.random.default_rng(seed)
    chrom_ids = np.sort(rng.integers(0, 2, nregions))
    starts = rng.integers(0, 300, nregions)
    lengths = rng.integers(0, 150, nregions)
    lengths[rng.random(nregions) < 0.1] = 400       # long regions reach over later ones
    order = np.lexsort((starts + lengths, starts, chrom_ids))
    chrom_ids, starts, lengths = chrom_ids[order], starts[order], lengths[order]
    bounds = batch_bounds(chrom_ids, starts, starts + lengths, np.int64(ntracks),
                          np.int64(max_values), np.int64(max_regions))
    # consecutive, covering every region once
    assert bounds.reshape(-1)[1:-1:2].tolist() == bounds.reshape(-1)[2::2].tolist()
    assert (bounds[:1, 0].tolist(), bounds[-1:, 1].tolist()) == (
        ([0], [nregions]) if nregions else ([], []))
    for first, end in bounds.tolist():
        assert end > first
        union = set()       # the bases of the batch's regions, counted by hand
        for k in range(first, end):
            union |= {(chrom_ids[k], b) for b in range(starts[k], starts[k] + lengths[k])}
        if end - first > 1:
            assert len(union) * ntracks <= max_values and end - first <= max_regions
        else:       # alone: too long for any batch, or the next region would not fit
            assert lengths[first] * ntracks > max_values or end == nregions or (
                len(union | {(chrom_ids[end], b) for b in range(starts[end], starts[end]
                                                                 + lengths[end])})
                * ntracks > max_values or max_regions == 1)
