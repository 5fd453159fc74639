"""``genomedata load`` computes close-data's metadata while the values are in memory.

The oracle is close-data itself: running it again over the finished archive (reading every
stored chunk back) must give exactly the same statistics, bit for bit, and the same chunk
bounds, for inputs whose data has gaps longer and shorter than the 100 kbp that splits data
chunks, several supercontigs, tracks without data on some chromosomes, non-finite values and
several files for one track.
"""

from __future__ import annotations

import numpy as np
import pytest

from genomedata.archive import blocks as _blocks
from genomedata.archive import layout as _layout
from genomedata.archive import files as _files
from genomedata._close_data import close_data
from genomedata.archive.statistics import (SupercontigScan, TrackStats, merge_presence,
                                           scan_continuous)
from genomedata.load_genomedata import load_genomedata

STAT_ATTRS = ("mins", "maxs", "sums", "sums_squares", "num_datapoints")


def _metadata(path):
    """{chromosome: (statistics..., [(chunk_starts, chunk_ends) per supercontig])}."""
    result = {}
    with _files.ArchiveFiles(str(path), "r") as files:
        for chrom in files.chromosome_names():
            group = files.chromosome_group(chrom)
            stats = tuple(np.asarray(group.attrs[name]).copy() for name in STAT_ATTRS)
            bounds = [(np.asarray(sc.attrs["chunk_starts"]).tolist(),
                       np.asarray(sc.attrs["chunk_ends"]).tolist())
                      for sc in _layout.supercontig_groups(group)]
            result[chrom] = (stats, bounds, _layout.read_dirty(group))
    return result


def _genome(rng, tmp_path):
    """chr1: 150 kbp, 120 kbp of N, 330 kbp (two supercontigs); chr2: 40 kbp; chr3: 25 kbp."""
    def bases(count):
        return "".join(rng.choice(list("ACGT"), count))
    fasta = tmp_path / "genome.fa"
    fasta.write_text(f">chr1\n{bases(150_000)}{'N' * 120_000}{bases(330_000)}\n"
                     f">chr2\n{bases(40_000)}\n>chr3\n{bases(25_000)}\n")
    return fasta


def _bedgraph(rng, path, chrom_sizes, pieces, spread, values=None):
    """``pieces`` random intervals per chromosome, in order, with up to ``spread`` bases
    between them, stopping at the chromosome's size."""
    lines = []
    for chrom, size in chrom_sizes.items():
        position = int(rng.integers(0, 2_000))
        for _ in range(pieces):
            length = int(rng.integers(1, 3_000))
            if position + length >= size:
                break
            value = (rng.choice(values) if values is not None
                     else round(float(rng.normal(0, 3)), 3))
            lines.append(f"{chrom}\t{position}\t{position + length}\t{value}\n")
            position += length + int(rng.integers(0, spread))
    path.write_text("".join(lines))
    return path


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("mode", ["file", "dir"])
@pytest.mark.parametrize("block_bytes", [None, 4 * 5 * 20_000])
def test_load_metadata_equals_close_data(tmp_path, seed, mode, block_bytes, monkeypatch):
    """(with small blocks, a supercontig spans several blocks, whose partial sums both sides
    must add in the same order)"""
    if block_bytes is not None:
        monkeypatch.setattr(_blocks, "BLOCK_BYTES", block_bytes)
    rng = np.random.default_rng(seed)
    fasta = _genome(rng, tmp_path)
    sizes = {"chr1": 600_000, "chr2": 40_000}
    # dense with short gaps (start of chr1); sparse with gaps up to 250 kbp; non-finite values
    # (first half of chr1); a second file for one track; a track with data on chr3 only
    dense = _bedgraph(rng, tmp_path / "dense.bedGraph", {"chr1": 120_000, "chr2": 40_000}, 400,
                      2_000)
    sparse = _bedgraph(rng, tmp_path / "sparse.bedGraph", sizes, 12, 250_000)
    odd = _bedgraph(rng, tmp_path / "odd.bedGraph", {"chr1": 300_000}, 30, 40_000,
                    values=["inf", "-inf", "nan", "1e30", "-2.5", "0"])
    again = _bedgraph(rng, tmp_path / "again.bedGraph", {"chr2": 40_000}, 20, 1_000)
    only3 = _bedgraph(rng, tmp_path / "only3.bedGraph", {"chr3": 25_000}, 5, 3_000)
    # in chr1's second supercontig (270,000-600,000): gaps of 149, 18 and 119 kbp
    islands = tmp_path / "islands.bedGraph"
    islands.write_text("".join(f"chr1\t{a}\t{b}\t{rng.normal():.3f}\n" for a, b in
                               [(300_000, 301_000), (450_000, 452_000), (470_000, 471_000),
                                (590_000, 591_000)]))
    path = tmp_path / "archive.genomedata"
    load_genomedata(str(path), [("dense", str(dense)), ("sparse", str(sparse)),
                                ("odd", str(odd)), ("sparse", str(again)),
                                ("only3", str(only3)), ("sparse", str(islands))],
                    [str(fasta)], mode=mode)
    loaded = _metadata(path)
    assert all(not dirty for _stats, _bounds, dirty in loaded.values())
    close_data(str(path))
    recomputed = _metadata(path)
    assert loaded.keys() == recomputed.keys()
    for chrom in loaded:
        for mine, theirs in zip(loaded[chrom][0], recomputed[chrom][0]):
            assert mine.dtype == theirs.dtype
            np.testing.assert_array_equal(mine, theirs)
        assert loaded[chrom][1] == recomputed[chrom][1]
    # the inputs did produce what the test is about
    chr1_bounds = recomputed["chr1"][1]
    assert len(chr1_bounds) == 2 and any(len(starts) > 1 for starts, _ in chr1_bounds)
    counts = recomputed["chr3"][0][4]
    assert counts[0] == counts[1] == counts[2] == 0 and counts[3] > 0


@pytest.mark.parametrize("seed", range(20))
def test_merge_presence_equals_scanning_all_tracks_together(tmp_path, seed):
    """Merging each track's present runs gives the scan of all tracks together."""
    import h5py

    rng = np.random.default_rng(seed)
    min_gap = int(rng.integers(1, 12))
    nrows = int(rng.integers(1, 120))
    ntracks = int(rng.integers(1, 4))
    data = np.full((nrows, ntracks), np.nan, dtype=np.float32)
    for track in range(ntracks):
        for row in rng.choice(nrows, int(rng.integers(0, max(1, nrows // 4))), replace=False):
            data[row, track] = 1.0
    with h5py.File(tmp_path / "scan.h5", "w") as handle:
        both = handle.create_dataset("both", data=data, chunks=(7, 1))
        first, last, gaps = scan_continuous(both, TrackStats(ntracks), min_gap=min_gap,
                                            block_rows=7)
        alone = []
        for track in range(ntracks):
            column = handle.create_dataset(f"t{track}", data=data[:, track:track + 1],
                                           chunks=(7, 1))
            alone.append(scan_continuous(column, TrackStats(1), min_gap=min_gap,
                                         block_rows=7))
    merged = merge_presence(alone, 0, nrows, min_gap)
    assert merged == SupercontigScan(0, nrows, first, last, gaps)
