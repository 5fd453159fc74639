"""Binned summaries (``Chromosome.binned``) against reading then reducing per bin in numpy.

Generates (seeded) a ~50 Mbp, 2-track single-file archive in /tmp -- two chromosomes with
gaps between supercontigs; a dense phyloP-like track and a sparse piecewise-constant track --
then times, over the same random 100 kbp regions cut into 100 bins:

* ``binned``:   ``chromosome.binned(a, b, 100, "mean")`` (both tracks);
* ``per-bin``:  ``chromosome[a:b]`` then ``np.nanmean`` of each bin in a Python loop;
* ``reduceat``: ``chromosome[a:b]`` then one vectorised numpy reduction (``np.add.reduceat``
  over finite values and counts) -- the best one can do in numpy;
* ``read``:     ``chromosome[a:b]`` alone (the floor of both numpy variants);
* ``stackup``:  ``genome.stackup(...)`` of one track over all regions at once;

then one long region, as ``genomedata plot`` draws it: the whole of chrA (30 Mbp) against
10 kbp of it, both tracks in 1000 bins, ``max`` (best of 3 calls each), read exactly by
``binned`` and, for the whole chromosome, from the block summaries close-data stores
(``genomedata.api.binned.binned_blocks``, what ``genomedata plot`` uses for such bins).

    python benchmarks/bench_binned.py [--regions 1000] [--bins 100] [--width 100000]

JIT compilation is excluded (every kernel runs once first); the archive is kept between runs
(``--rebuild`` to regenerate it).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))

from genomedata import Genome  # noqa: E402
from genomedata.api.binned import binned_blocks  # noqa: E402
from genomedata.archive import files as _files  # noqa: E402
from genomedata.archive import layout as _layout  # noqa: E402
from genomedata._util import OverlapWarning  # noqa: E402

from bench_read import reduce_bins  # noqa: E402  (the sibling script)

ARCHIVE = "/tmp/genomedata-bench-binned.genomedata"
LAYOUT = {  # chrom: (length, supercontigs)
    "chrA": (30_000_000, [(10_000, 12_000_000), (12_150_000, 29_990_000)]),
    "chrB": (20_000_000, [(0, 7_500_000), (7_700_000, 20_000_000)]),
}
TRACKS = ("conservation", "coverage")


def _dense(rng, n):
    values = np.round(rng.normal(0.2, 1.1, n), 3).astype(np.float32)
    values[rng.random(n) < 0.01] = np.nan
    return values


def _sparse(rng, n):
    lengths = rng.integers(20, 2000, n // 300 + 2)
    levels = rng.integers(0, 40, len(lengths)).astype(np.float32)
    levels[rng.random(len(levels)) < 0.5] = np.nan
    return np.repeat(levels, lengths)[:n]


def build(path):
    """Write the archive with the package's chunk writer, then close-data."""
    from genomedata._close_data import close_data
    from genomedata.archive.writer import ChunkWriter
    rng = np.random.default_rng(12345)
    if os.path.exists(path):
        os.remove(path)
    files = _files.create_archive(path, "file")
    try:
        for chrom, (length, supercontigs) in LAYOUT.items():
            group = files.create_chromosome(chrom, length)
            for index, (start, end) in enumerate(supercontigs):
                sc = _layout.create_supercontig(group, index, start, end)
                dataset = _layout.create_continuous(sc, end - start, len(TRACKS))
                with ChunkWriter(dataset) as writer:
                    writer.write_column(0, 0, _dense(rng, end - start))
                    writer.write_column(1, 0, _sparse(rng, end - start))
        _layout.write_tracknames(files.single_file()["/"], list(TRACKS))
    finally:
        files.close()
    close_data(path)


def regions(count, width, seed=7):
    rng = np.random.default_rng(seed)
    names = list(LAYOUT)
    sizes = np.array([LAYOUT[name][0] for name in names], dtype=np.float64)
    picks = rng.choice(len(names), count, p=sizes / sizes.sum())
    chroms = [names[k] for k in picks]
    starts = np.array([rng.integers(0, LAYOUT[c][0] - width) for c in chroms])
    return chroms, starts, starts + width


def per_bin(chromosome, start, end, bins):
    data = chromosome[start:end]
    edges = (np.arange(bins + 1) * (end - start)) // bins
    out = np.empty((bins, data.shape[1]))
    for b in range(bins):
        part = data[edges[b]:edges[b + 1]]
        with np.errstate(invalid="ignore"):
            finite = np.isfinite(part)
            counts = finite.sum(axis=0)
            out[b] = np.where(finite, part, 0).sum(axis=0, dtype=np.float64) / counts
    return out


def reduceat(chromosome, start, end, bins):
    """Read, then bin with the vectorised numpy reduction of bench_read.py."""
    return reduce_bins(chromosome[start:end], start, end, bins)


def timed(label, function, count):
    began = time.perf_counter()
    result = function()
    seconds = time.perf_counter() - began
    print(f"{label:<10} {seconds:8.3f} s  {count / seconds:10.1f} regions/s", flush=True)
    return seconds, result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--regions", type=int, default=1000)
    parser.add_argument("--bins", type=int, default=100)
    parser.add_argument("--width", type=int, default=100_000)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()

    if args.rebuild or not os.path.exists(ARCHIVE):
        began = time.perf_counter()
        build(ARCHIVE)
        print(f"built {ARCHIVE} ({os.path.getsize(ARCHIVE) / 1e6:.0f} MB) in "
              f"{time.perf_counter() - began:.1f} s")
    chroms, starts, ends = regions(args.regions, args.width)
    bins = args.bins
    warnings.simplefilter("ignore", OverlapWarning)
    print(f"{args.regions} regions of {args.width} bp, {bins} bins, {len(TRACKS)} tracks "
          "(mean)")

    with Genome(ARCHIVE) as genome:
        genome["chrA"].binned(0, 1000, 10)  # JIT warm-up
        genome.stackup(["chrA"], [0], [1000], 10, track=0)

        def run_binned():
            return [genome[c].binned(int(a), int(b), bins) for c, a, b in
                    zip(chroms, starts, ends)]

        def run_per_bin():
            return [per_bin(genome[c], int(a), int(b), bins) for c, a, b in
                    zip(chroms, starts, ends)]

        def run_reduceat():
            return [reduceat(genome[c], int(a), int(b), bins) for c, a, b in
                    zip(chroms, starts, ends)]

        def run_read():
            for c, a, b in zip(chroms, starts, ends):
                genome[c][int(a):int(b)]

        run_read()  # untimed: the archive's pages are then in memory for every variant
        t_binned, ours = timed("binned", run_binned, args.regions)
        t_loop, theirs = timed("per-bin", run_per_bin, args.regions)
        t_reduce, vectorised = timed("reduceat", run_reduceat, args.regions)
        t_read, _ = timed("read", run_read, args.regions)
        t_stack, table = timed("stackup", lambda: genome.stackup(
            chroms, starts, ends, bins, "mean", track=0), args.regions)

        for mine, other, other2, row in zip(ours, theirs, vectorised, table):
            np.testing.assert_allclose(mine, other, rtol=1e-6, equal_nan=True)
            np.testing.assert_allclose(mine, other2, rtol=1e-6, equal_nan=True)
            np.testing.assert_allclose(mine[:, 0], row, rtol=1e-12, equal_nan=True)

        chromosome = genome["chrA"]
        whole = {}
        for label, (a, b) in (("10 kbp", (5_000_000, 5_010_000)),
                              ("whole chrA", (0, LAYOUT["chrA"][0]))):
            times = []
            for _ in range(3):
                began = time.perf_counter()
                chromosome.binned(a, b, 1000, "max")
                times.append(time.perf_counter() - began)
            whole[label] = min(times)
            print(f"{label:<10} {min(times):8.3f} s  (1000 bins, max, best of 3)", flush=True)
        times = []
        for _ in range(3):
            began = time.perf_counter()
            found = binned_blocks(chromosome, 0, LAYOUT["chrA"][0], 1000, "max")
            times.append(time.perf_counter() - began)
        if found is None:
            print("whole chrA from block summaries: none stored (an archive built before "
                  "they were; run with --rebuild)")
        else:
            whole["summaries"] = min(times)
            print(f"{'whole chrA from block summaries':<10} {min(times):8.3f} s  (1000 bins "
                  "moved to block edges, max, best of 3)", flush=True)

    print(f"binned vs per-bin numpy loop: {t_loop / t_binned:.1f}x faster")
    print(f"binned vs vectorised numpy:   {t_reduce / t_binned:.2f}x faster")
    print(f"binned vs plain read:         {t_read / t_binned:.2f}x "
          "(binned reads only the tracks' chunks and reduces without a float32 copy)")
    print(f"stackup (1 track) vs binned (2 tracks): {t_binned / t_stack:.2f}x the rate")
    print(f"whole chrA vs 10 kbp in 1000 bins: {whole['whole chrA'] / whole['10 kbp']:.0f}x "
          "the time")
    if "summaries" in whole:
        print(f"whole chrA from block summaries vs 10 kbp: "
              f"{whole['summaries'] / whole['10 kbp']:.1f}x the time")


if __name__ == "__main__":
    main()
