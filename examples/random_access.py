"""Read an archive from Python: values of a region, binned summaries, profiles around peaks.

    python examples/random_access.py                      # builds the example archive first
    python examples/random_access.py --archive my.genomedata --track dnase \\
        --peaks peaks.bed

Shows ``chromosome[a:b]`` (every base), ``chromosome.binned`` (a summary per bin, computed
while reading) and ``genome.stackup`` (the same bins around many regions: a matrix for a
heat map or an average profile).
"""

import argparse
import os
import warnings

import numpy as np

from genomedata import Genome, OverlapWarning

from build_archive import DATA, example_archive, output_directory  # the sibling script


def read_bed(path):
    """(chroms, starts, ends) of the first three columns of a BED file."""
    chroms, starts, ends = [], [], []
    with open(path) as handle:
        for line in handle:
            fields = line.split()
            if fields and not fields[0].startswith(("#", "track", "browser")):
                chroms.append(fields[0])
                starts.append(int(fields[1]))
                ends.append(int(fields[2]))
    return chroms, np.array(starts), np.array(ends)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archive", help="archive to read (default: build the example "
                                          "archive in OUTDIR)")
    parser.add_argument("--outdir", help="where to build the example archive (default: a "
                                         "new temporary directory)")
    parser.add_argument("--track", default="dnase", help="track to summarise")
    parser.add_argument("--peaks", default=os.path.join(DATA, "peaks.bed"),
                        help="BED regions to profile")
    args = parser.parse_args()
    if args.archive:
        run(args, args.archive)
        return
    with output_directory(args.outdir) as outdir:
        run(args, example_archive(outdir))


def run(args, archive):
    # reads that touch an assembly gap warn (the gap reads as NaN); not news here
    warnings.simplefilter("ignore", OverlapWarning)
    with Genome(archive) as genome:
        chromosome = next(iter(genome))
        print(f"{chromosome.name}, tracks {genome.tracknames_continuous}")

        # 1. every base of a region: rows = bases, columns = tracks; NaN = no data
        start = next(iter(chromosome)).start + 1000   # 1 kb into the first supercontig
        values = chromosome[start:start + 5]
        print(f"bases {start}-{start + 5}:")
        for offset, row in enumerate(values):
            print(f"  {start + offset}: " + "  ".join(f"{v:8.3f}" for v in row))
        one_track = chromosome[start:start + 1000, args.track]
        present = one_track[~np.isnan(one_track)]
        print(f"{args.track} over {start}-{start + 1000}: {len(present)} bases with data, "
              f"mean {present.mean() if len(present) else np.nan:.3f}")

        # 2. the whole chromosome in 10 bins, without reading it into memory at once
        end = int(chromosome.end)
        means = chromosome.binned(0, end, 10, "mean", args.track)[:, 0]
        coverage = chromosome.binned(0, end, 10, "coverage", args.track)[:, 0]
        print(f"{args.track} along {chromosome.name} (10 bins): mean / fraction covered")
        for i, (mean, covered) in enumerate(zip(means, coverage)):
            print(f"  bin {i}: {mean:7.3f} / {covered:5.3f}")

        # 3. a profile: 20 bins over +-1 kb around the centre of every peak
        chroms, starts, ends = read_bed(args.peaks)
        keep = [i for i, name in enumerate(chroms) if name in genome]
        chroms = [chroms[i] for i in keep]
        centres = (starts[keep] + ends[keep]) // 2
        lows = np.maximum(centres - 1000, 0)
        matrix = genome.stackup(chroms, lows, lows + 2000, bins=20, stat="mean",
                                track=args.track)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # bins without data anywhere
            profile = np.nanmean(matrix, axis=0)
        print(f"{args.track} around {len(chroms)} peaks ({matrix.shape[0]} x "
              f"{matrix.shape[1]} matrix), average profile:")
        print("  " + " ".join(f"{v:.1f}" for v in profile))


if __name__ == "__main__":
    main()
