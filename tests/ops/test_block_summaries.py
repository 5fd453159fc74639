"""Block summaries (docs/format.md, ``block_summaries``): what close-data and load store equals
numpy over each block of values read through the API; region plots of long regions use them,
with bin edges moved to block edges, and equal numpy over those bins; summaries that may be
stale (dirty chromosome, other track names, statistics changed by a writer that does not know
them, a supercontig without them) are never used."""

from __future__ import annotations

import warnings

import h5py
import numpy as np
import pytest

from genomedata import Genome, OverlapWarning, close_data
from genomedata.api.binned import bin_edges, binned_blocks
from genomedata.archive import layout as _layout
from genomedata.ops.load import load_genomedata

B = _layout.BLOCK_SUMMARY_ROWS
# supercontig bounds that are not multiples of a block, and a gap of 11,850 bases
BOUNDS = {"chr1": [(0, 40300), (52150, 100000)]}


def chromosome_group(handle, kind, chrom="chr1"):
    return handle["/"] if kind == "directory" else handle[chrom]


def h5_path(path, kind, chrom="chr1"):
    return path / f"{chrom}.genomedata" if kind == "directory" else path


def seeded_values(seed=5, bounds=BOUNDS["chr1"], ntracks=2):
    end = bounds[-1][1]
    rng = np.random.default_rng(seed)
    values = rng.gamma(2.0, 3.0, size=(end, ntracks)).astype(np.float32)
    values[rng.random(end) < 0.2, 0] = np.nan            # scattered missing values
    values[3000:4100, 1] = np.nan                         # block 3 of track 1 empty
    values[7, 0] = np.inf                                 # not a value either
    return values


def read(path, chrom, start, end):
    with Genome(path) as genome, warnings.catch_warnings():
        warnings.simplefilter("ignore", OverlapWarning)
        return np.asarray(genome[chrom][start:end], dtype=np.float64)


def numpy_blocks(values, block_rows=B):
    """(count, sum, min, max) of the finite values of each block of each column."""
    nblocks = -(-len(values) // block_rows)
    out = np.zeros((nblocks, values.shape[1], 4))
    out[:, :, 2:] = np.nan
    for index in range(nblocks):
        part = values[index * block_rows:(index + 1) * block_rows]
        for col in range(values.shape[1]):
            finite = part[np.isfinite(part[:, col]), col]
            if len(finite):
                out[index, col] = len(finite), finite.sum(), finite.min(), finite.max()
    return out


def check_stored(path, kind, bounds):
    with h5py.File(h5_path(path, kind), "r") as handle:
        group = chromosome_group(handle, kind)
        for index, (start, end) in enumerate(bounds):
            dataset = group[f"supercontig_{index}/{_layout.BLOCK_SUMMARIES}"]
            stored = dataset[...]
            expected = numpy_blocks(read(path, "chr1", start, end))
            assert stored.dtype == np.float32 and stored.shape == expected.shape
            np.testing.assert_array_equal(stored[:, :, 0], expected[:, :, 0])
            np.testing.assert_allclose(stored[:, :, 1], expected[:, :, 1], rtol=1e-6)
            np.testing.assert_array_equal(stored[:, :, 2:], expected[:, :, 2:])
            assert int(dataset.attrs[_layout.ATTR_BLOCK_ROWS]) == B
            assert dataset.chunks == (len(expected), 1, 4)
            assert dataset.compression == "gzip" and dataset.shuffle


@pytest.fixture(params=["file", "directory"])
def closed(request, make_archive):
    """An archive loaded dirty (chunks of 777 rows: blocks cross chunks) and closed by
    close-data, which writes the summaries."""
    kind = request.param
    path = make_archive(BOUNDS, kind=kind, tracknames=("signal", "input"),
                        values={"chr1": seeded_values()}, closed=False, chunk_rows=777)
    close_data(path)
    return path, kind


def test_close_data_stores_each_blocks_summary(closed):
    path, kind = closed
    check_stored(path, kind, BOUNDS["chr1"])
    with h5py.File(h5_path(path, kind), "r") as handle:
        group = chromosome_group(handle, kind)
        dataset = group[f"supercontig_0/{_layout.BLOCK_SUMMARIES}"]
        assert _layout.read_tracknames(dataset) == ["signal", "input"]
        stored = dataset.attrs[_layout.ATTR_SUMMARY_STATISTICS]
        np.testing.assert_array_equal(stored[2], group.attrs["sums"])
        np.testing.assert_array_equal(stored[4], group.attrs["num_datapoints"])


def test_load_stores_each_blocks_summary(tmp_path):
    """genomedata load computes the statistics in memory: the summaries too."""
    (tmp_path / "genome.sizes").write_text("chr1\t40300\n")
    rng = np.random.default_rng(3)
    lines = []
    for start in range(0, 40300, 50):
        if rng.random() < 0.8:
            lines.append(f"chr1\t{start}\t{start + 50}\t{rng.normal():.3f}\n")
    (tmp_path / "signal.bedGraph").write_text("".join(lines))
    path = tmp_path / "loaded.gd"
    load_genomedata(path, [("signal", str(tmp_path / "signal.bedGraph"))],
                    [str(tmp_path / "genome.sizes")], seqfile_type="sizes", mode="file")
    check_stored(path, "file", [(0, 40300)])


def test_load_stores_each_tracks_summaries_as_it_goes(tmp_path):
    """genomedata load writes each track's block summaries to the archive as it loads the
    track (a genome's summaries of many tracks need not fit in memory); a track without data
    on a chromosome gets the summaries of no values there."""
    (tmp_path / "genome.sizes").write_text("chr1\t40300\nchr2\t33000\n")
    rng = np.random.default_rng(4)
    for name, chroms in (("both", ("chr1", "chr2")), ("second", ("chr2",))):
        lines = [f"{chrom}\t{start}\t{start + 50}\t{rng.normal():.3f}\n"
                 for chrom in chroms for start in range(0, 33000, 50) if rng.random() < 0.7]
        (tmp_path / f"{name}.bedGraph").write_text("".join(lines))
    path = tmp_path / "loaded.gd"
    load_genomedata(path, [(name, str(tmp_path / f"{name}.bedGraph"))
                           for name in ("both", "second")],
                    [str(tmp_path / "genome.sizes")], seqfile_type="sizes", mode="file")
    check_stored(path, "file", [(0, 40300)])
    with h5py.File(path, "r") as handle:
        stored = handle[f"chr1/supercontig_0/{_layout.BLOCK_SUMMARIES}"][:, 1]
        assert (stored[:, 0] == 0).all() and np.isnan(stored[:, 2:]).all()
        fingerprint = handle[f"chr2/supercontig_0/{_layout.BLOCK_SUMMARIES}"].attrs[
            _layout.ATTR_SUMMARY_STATISTICS]
        np.testing.assert_array_equal(fingerprint[2], handle["chr2"].attrs["sums"])
    with Genome(path) as genome:
        assert binned_blocks(genome["chr2"], 0, 33000, 2, "max") is not None


def by_hand(values, edges, reduce):
    """``reduce`` of the finite values of each bin ``[edges[i], edges[i + 1])`` of values
    starting at base 0, NaN without any."""
    out = np.full((len(edges) - 1, values.shape[1]), np.nan)
    for i in range(len(edges) - 1):
        for col in range(values.shape[1]):
            part = values[edges[i]:edges[i + 1], col]
            part = part[np.isfinite(part)]
            if part.size:
                out[i, col] = reduce(part)
    return out


def plotted(path, region, summary, bins):
    from genomedata.ops.plot import plot_region
    pytest.importorskip("matplotlib")
    figure = plot_region(path, region, summary=summary, bins=bins, width=3)
    data = [axes.patches[0].get_data() for axes in figure.axes]
    values = np.column_stack([values for values, _, _ in data])
    return values, data[0][1]


@pytest.mark.parametrize("summary, reduce", [("max", np.max), ("mean", np.mean)])
def test_plot_of_long_region_uses_summaries_with_snapped_edges(closed, summary, reduce):
    """3 bins over [0, 100000): edges 33333 and 66666 move to the nearest block edges of
    their supercontigs, 33000 and 52150 + 15 * 1000 = 67150."""
    path, _ = closed
    values, edges = plotted(path, "chr1", summary, 3)
    np.testing.assert_array_equal(edges, [0, 33000, 67150, 100000])
    expected = by_hand(read(path, "chr1", 0, 100000), edges, reduce)
    np.testing.assert_allclose(values, expected, rtol=1e-6)


def test_plot_of_part_of_a_chromosome_covers_it(closed):
    """Region 10,501-90,000 in 2 bins: the outer edges go outwards to block edges (10000 and
    52150 + 38 * 1000 = 90150), the middle one (50250) lies in the gap and stays."""
    path, _ = closed
    values, edges = plotted(path, ("chr1", 10500, 90000), "max", 2)
    np.testing.assert_array_equal(edges, [10000, 50250, 90150])
    whole = read(path, "chr1", 0, 100000)
    np.testing.assert_allclose(values, by_hand(whole, edges, np.max), rtol=1e-6)


def test_gaps_stay_gaps(make_archive):
    bounds = {"chr1": [(0, 20000), (60000, 100000)]}
    values = seeded_values(bounds=bounds["chr1"])
    path = make_archive(bounds, tracknames=("signal", "input"), values={"chr1": values},
                        closed=False)
    close_data(path)
    plotted_values, edges = plotted(path, "chr1", "mean", 5)
    np.testing.assert_array_equal(edges, bin_edges(0, 100000, 5))
    assert np.isnan(plotted_values[1:3]).all()
    expected = by_hand(read(path, "chr1", 0, 100000), edges, np.mean)
    np.testing.assert_allclose(plotted_values, expected, rtol=1e-6)


def test_short_regions_and_archives_without_summaries_read_exact_bins(closed, make_archive):
    path, _ = closed
    whole = read(path, "chr1", 0, 100000)
    # 5 bins of 20000 bases: more than 16 blocks each; 10 bins of 10000: fewer
    values, edges = plotted(path, "chr1", "max", 10)
    np.testing.assert_array_equal(edges, bin_edges(0, 100000, 10))
    np.testing.assert_allclose(values, by_hand(whole, edges, np.max), rtol=1e-6)
    # the same data closed by a writer that keeps no summaries
    plain = make_archive(BOUNDS, tracknames=("signal", "input"),
                         values={"chr1": seeded_values()})
    values, edges = plotted(plain, "chr1", "mean", 3)
    np.testing.assert_array_equal(edges, bin_edges(0, 100000, 3))
    np.testing.assert_allclose(values, by_hand(whole, edges, np.mean), rtol=1e-6)


def usable(path, **kwargs):
    with Genome(path, **kwargs) as genome:
        return binned_blocks(genome["chr1"], 0, 100000, 3, "max") is not None


def test_summaries_serve_only_a_clean_unchanged_chromosome(closed):
    path, kind = closed
    assert usable(path)
    with h5py.File(h5_path(path, kind), "r+") as handle:
        _layout.write_dirty(chromosome_group(handle, kind), True)
    assert not usable(path, _dirty_ok=True)


@pytest.mark.parametrize("names", [["signal", "renamed"], ["signal", "input", "added"]])
def test_other_track_names_are_not_served(closed, names):
    """A track renamed, or one more track (its column not yet there), by a writer that does
    not know the summaries."""
    path, kind = closed
    with h5py.File(h5_path(path, kind), "r+") as handle:
        _layout.write_tracknames(handle["/"], names)
    assert not usable(path)


def test_a_supercontig_without_summaries_is_not_served(closed):
    path, kind = closed
    with h5py.File(h5_path(path, kind), "r+") as handle:
        del chromosome_group(handle, kind)[f"supercontig_1/{_layout.BLOCK_SUMMARIES}"]
    assert not usable(path)


def test_data_changed_and_closed_by_an_older_writer_is_read_exactly(closed):
    """An older writer rewrites values and the chromosome's statistics, not the summaries:
    the plot shows the new values."""
    path, kind = closed
    new = seeded_values(seed=9)
    with h5py.File(h5_path(path, kind), "r+") as handle:
        group = chromosome_group(handle, kind)
        rows = []
        for index, (start, end) in enumerate(BOUNDS["chr1"]):
            group[f"supercontig_{index}/continuous"][...] = new[start:end]
            rows.append(new[start:end])
        finite = np.concatenate(rows).astype(np.float64)
        ok = np.isfinite(finite)
        stats = [np.array([f(finite[ok[:, c], c]) for c in range(2)])
                 for f in (np.min, np.max, np.sum, lambda x: np.square(x).sum())]
        _layout.write_statistics(group, *stats, ok.sum(axis=0))
    assert not usable(path)
    values, edges = plotted(path, "chr1", "max", 3)
    np.testing.assert_array_equal(edges, bin_edges(0, 100000, 3))
    np.testing.assert_allclose(values, by_hand(read(path, "chr1", 0, 100000), edges, np.max),
                               rtol=1e-6)


def test_pytables_opens_an_archive_with_summaries(closed):
    tables = pytest.importorskip("tables")
    path, kind = closed
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with tables.open_file(str(h5_path(path, kind))) as handle:
            where = "/" if kind == "directory" else "/chr1"
            node = handle.get_node(f"{where.rstrip('/')}/supercontig_0/"
                                   f"{_layout.BLOCK_SUMMARIES}")
            assert isinstance(node, tables.CArray)
            assert node.shape == (41, 2, 4)
            continuous = handle.get_node(f"{where.rstrip('/')}/supercontig_0/continuous")
            np.testing.assert_array_equal(continuous[:5], read(path, "chr1", 0, 5))


def test_hardmask_and_erase_then_close_leave_no_stale_summaries(closed, tmp_path):
    """hardmask masks and closes: the summaries are those of the masked values; erase-data
    leaves the chromosome dirty (summaries unused) until close-data computes them again."""
    from genomedata.ops.erase_data import erase_data
    from genomedata.ops.hardmask import hardmask_data

    path, kind = closed
    mask = tmp_path / "mask.bed"
    mask.write_text("chr1\t1500\t12345\nchr1\t60000\t61000\n")
    hardmask_data(path, mask)
    assert np.isnan(read(path, "chr1", 1500, 12345)).all()
    check_stored(path, kind, BOUNDS["chr1"])
    assert usable(path)
    erase_data(path, "input")
    assert not usable(path, _dirty_ok=True)
    close_data(path)
    check_stored(path, kind, BOUNDS["chr1"])
    with h5py.File(h5_path(path, kind), "r") as handle:
        stored = chromosome_group(handle, kind)[f"supercontig_0/{_layout.BLOCK_SUMMARIES}"]
        assert (stored[:, 1, 0] == 0).all()
    assert usable(path)


def test_short_supercontigs_store_none_and_are_read_for_plots(make_archive):
    """A supercontig shorter than BLOCK_SUMMARY_MIN_ROWS gets no block summaries (an assembly
    of thousands of small scaffolds would pay a dataset each); a long region over it still
    plots from the summaries of the long ones plus its own values, equal to numpy over the
    snapped bins."""
    short = _layout.BLOCK_SUMMARY_MIN_ROWS - 1500
    bounds = {"chr1": [(0, 40300), (52150, 52150 + short), (90000, 130000)]}
    assert _layout.keeps_block_summaries(40300) and not _layout.keeps_block_summaries(short)
    path = make_archive(bounds, tracknames=("signal", "input"),
                        values={"chr1": seeded_values(bounds=bounds["chr1"])}, closed=False)
    close_data(path)
    with h5py.File(path, "r") as handle:
        group = handle["chr1"]
        assert _layout.BLOCK_SUMMARIES in group["supercontig_0"]
        assert _layout.BLOCK_SUMMARIES not in group["supercontig_1"]
        assert _layout.BLOCK_SUMMARIES in group["supercontig_2"]
    with Genome(path) as genome:
        found = binned_blocks(genome["chr1"], 0, 130000, 3, "mean")
    assert found is not None
    values, edges = found
    whole = read(path, "chr1", 0, 130000)
    for stat, reduce in (("mean", np.mean), ("max", np.max)):
        plotted_values, plotted_edges = plotted(path, "chr1", stat, 3)
        np.testing.assert_array_equal(plotted_edges, edges)
        np.testing.assert_allclose(plotted_values, by_hand(whole, edges, reduce), rtol=1e-6)
