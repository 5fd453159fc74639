"""Throughput of ``genomedata hardmask`` on a genome-scale mask.

Generates (seeded, under ``--workdir``, default /tmp/genomedata-bench-hardmask):

* an archive of the human chromosome sizes divided by ``--scale`` (default 10: ~310 Mbp) with
  ``--tracks`` tracks (default 2) of phyloP-like values (3 decimals, ~10% NaN), each
  chromosome split into supercontigs by a few gaps, written with the package's layout and
  chunk writer (kept between runs; masking works on a copy);
* a BED5 mask file of ``--regions`` regions (default 1,500,000; lengths 1-400 bp, unsorted
  within chromosomes, some overlapping, some across gaps, scores uniform in [0, 1)).

Then times, with the filter ``--hardmask ge0.5`` (about half of the regions pass):

1. reading the mask file (scan, filter, sort and merge kernels);
2. a dry run (layout + mask file, nothing written);
3. masking (read the touched chunks of each track, NaN over the regions, rewrite), without
   close-data;
4. close-data afterwards (for comparison: what the default ``hardmask`` adds).

    python benchmarks/bench_hardmask.py [--scale 10] [--regions 1500000] [--tracks 2]

The first run after installation includes JIT compilation (excluded: every kernel runs once
on a small input first).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))

from benchmarks.workload import chromosome_sizes  # noqa: E402
from genomedata.archive import files as _files  # noqa: E402
from genomedata.archive import layout as _layout  # noqa: E402


def build_archive(path, sizes, ntracks, rng):
    from genomedata._close_data import close_data
    from genomedata.archive.writer import ChunkWriter

    files = _files.create_archive(path, "file")
    layout = {}
    try:
        root = files.single_file()
        _layout.write_tracknames(root, [f"track{i}" for i in range(ntracks)])
        for chrom, size in sizes.items():
            group = files.create_chromosome(chrom, size)
            # telomeres and two internal gaps
            cuts = np.sort(rng.integers(size // 10, size - size // 10, 2))
            bounds = [(10000, int(cuts[0])), (int(cuts[0]) + 50000, int(cuts[1])),
                      (int(cuts[1]) + 120000, size - 10000)]
            bounds = [(a, b) for a, b in bounds if b > a]
            layout[chrom] = bounds
            for index, (start, end) in enumerate(bounds):
                sc = _layout.create_supercontig(group, index, start, end)
                dataset = _layout.create_continuous(sc, end - start, ntracks)
                with ChunkWriter(dataset) as writer:
                    for column in range(ntracks):
                        values = np.round(rng.normal(0.3, 1.2, end - start), 3).astype(
                            np.float32)
                        values[rng.random(end - start) < 0.1] = np.nan
                        writer.write_column(column, 0, values)
    finally:
        files.close()
    close_data(path)
    return layout


def write_mask(path, sizes, nregions, rng):
    chroms = list(sizes)
    weights = np.array([sizes[c] for c in chroms], dtype=np.float64)
    counts = rng.multinomial(nregions, weights / weights.sum())
    with open(path, "w") as out:
        for chrom, count in zip(chroms, counts):
            starts = rng.integers(0, sizes[chrom] - 400, count)
            lengths = rng.integers(1, 400, count)
            scores = rng.random(count)
            # sorted in blocks of 1000 lines only: the file is not globally sorted
            order = np.argsort(starts)
            blocks = np.array_split(order, max(1, count // 1000))
            rng.shuffle(blocks)
            order = np.concatenate(blocks) if blocks else order
            lines = [f"{chrom}\t{s}\t{s + n}\tr\t{v:.4f}\n" for s, n, v in
                     zip(starts[order].tolist(), lengths[order].tolist(),
                         scores[order].tolist())]
            out.write("".join(lines))


def warm_up(workdir):
    """Compile every kernel on a tiny archive (JIT time is not part of the figures)."""
    from genomedata._hardmask import hardmask_data
    path = os.path.join(workdir, "warm.genomedata")
    if os.path.exists(path):
        os.remove(path)
    rng = np.random.default_rng(0)
    build_archive(path, {"chr1": 300000}, 1, rng)
    mask = os.path.join(workdir, "warm.bed")
    write_mask(mask, {"chr1": 300000}, 100, rng)
    hardmask_data(path, mask, hardmask_function="ge0.5")
    os.remove(path)
    os.remove(mask)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=10.0)
    parser.add_argument("--regions", type=int, default=1_500_000)
    parser.add_argument("--tracks", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", default="/tmp/genomedata-bench-hardmask")
    args = parser.parse_args(argv)

    from genomedata._close_data import close_data
    from genomedata._hardmask import hardmask_data
    from genomedata.inputs.regions import read_mask_file

    os.makedirs(args.workdir, exist_ok=True)
    sizes = chromosome_sizes(args.scale)
    genome_bases = sum(sizes.values())
    tag = f"s{args.scale:g}-t{args.tracks}-seed{args.seed}"
    template = os.path.join(args.workdir, f"archive-{tag}.genomedata")
    mask = os.path.join(args.workdir, f"mask-{tag}-r{args.regions}.bed")
    rng = np.random.default_rng(args.seed)
    if not os.path.exists(template):
        began = time.perf_counter()
        build_archive(template + ".tmp", sizes, args.tracks, rng)
        os.replace(template + ".tmp", template)
        print(f"built {template} in {time.perf_counter() - began:.1f} s")
    if not os.path.exists(mask):
        write_mask(mask + ".tmp", sizes, args.regions, np.random.default_rng(args.seed + 1))
        os.replace(mask + ".tmp", mask)
    warm_up(args.workdir)

    print(f"genome {genome_bases / 1e6:.0f} Mbp, {args.tracks} tracks; mask {args.regions:,} "
          f"regions ({os.path.getsize(mask) / 1e6:.0f} MB), filter ge0.5; "
          f"{len(os.sched_getaffinity(0))} cores")

    began = time.perf_counter()
    parsed = read_mask_file(mask, "ge0.5")
    t_read = time.perf_counter() - began
    merged = sum(len(s) for s, _ in parsed.regions.values())
    print(f"read mask file:  {t_read:7.2f} s  {args.regions / t_read / 1e6:6.2f} M regions/s "
          f"({merged:,} merged regions pass)")

    work = os.path.join(args.workdir, "work.genomedata")
    shutil.copyfile(template, work)
    began = time.perf_counter()
    summary = hardmask_data(work, mask, hardmask_function="ge0.5", dry_run=True)
    t_dry = time.perf_counter() - began
    print(f"dry run:         {t_dry:7.2f} s  {summary.regions:,} pieces, "
          f"{summary.bases / 1e6:.1f} Mbp would be masked")

    began, cpu = time.perf_counter(), time.process_time()
    summary = hardmask_data(work, mask, hardmask_function="ge0.5", keep_archive_open=True)
    t_mask, c_mask = time.perf_counter() - began, time.process_time() - cpu
    print(f"hardmask --no-close: {t_mask:5.2f} s (CPU {c_mask:.1f} s)  "
          f"{args.regions / t_mask / 1e6:6.2f} M regions/s (file), "
          f"{summary.bases / t_mask / 1e6:7.1f} Mbp masked/s, "
          f"{genome_bases * args.tracks / t_mask / 1e6:7.1f} Mbp x tracks of archive/s; "
          f"{summary.values_masked:,} values set to NaN")

    began, cpu = time.perf_counter(), time.process_time()
    close_data(work)
    t_close, c_close = time.perf_counter() - began, time.process_time() - cpu
    print(f"close-data:      {t_close:7.2f} s (CPU {c_close:.1f} s)  (hardmask without "
          f"--no-close: {t_mask + t_close:.2f} s; masking / close-data: "
          f"{t_mask / t_close:.2f}x)")
    os.remove(work)


if __name__ == "__main__":
    main()
