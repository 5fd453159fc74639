"""Summarize tracks over peaks: one row per peak, one column per track, as a table.

    python examples/summarize_peaks.py                    # builds the example archive first
    python examples/summarize_peaks.py --archive my.genomedata --peaks peaks.bed \\
        --stat max

Shows ``genomedata.summarize`` (a BED file in, a table out: the same as the command
``genomedata summarize ARCHIVE PEAKS.bed -o peaks.tsv``) and ``Genome.summarize`` (the same
numbers as an array, for regions you have in Python).
"""

import argparse
import os

import numpy as np

import genomedata
from genomedata import Genome

from build_archive import DATA, example_archive, output_directory  # the sibling script


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archive", help="archive to read (default: build the example "
                                          "archive in OUTDIR)")
    parser.add_argument("--outdir", help="where to build the example archive and write the "
                                         "table (default: a new temporary directory)")
    parser.add_argument("--peaks", default=os.path.join(DATA, "peaks.bed"),
                        help="BED regions to summarize")
    parser.add_argument("--stat", default="mean",
                        help="mean, min, max, sum, coverage or std (default: mean)")
    args = parser.parse_args()
    with output_directory(args.outdir) as outdir:
        run(args, args.archive or example_archive(outdir), outdir)


def run(args, archive, outdir):
    # a BED file in, a table out: one row per peak in the file's order
    result = genomedata.summarize(archive, args.peaks, stat=args.stat)
    table = os.path.join(outdir, "peaks.tsv")
    result.write_tsv(table)
    print(f"{args.stat} of {', '.join(result.tracks)} over {len(result.values)} peaks "
          f"-> {os.path.basename(table)}")
    with open(table) as handle:
        for line in handle.readlines()[:4]:
            print("   ", line.rstrip("\n"))

    # the peaks with the most signal in the last track
    last = result.values[:, -1]
    best = np.argsort(np.where(np.isnan(last), -np.inf, last))[::-1][:3]
    chroms = result.regions.chroms
    print(f"highest {result.tracks[-1]}:", ", ".join(
        f"{chroms[k]}:{result.regions.starts[k]}-{result.regions.ends[k]} ({last[k]:.2f})"
        for k in best))

    # the same from Python arrays, with 3 bins per peak: (peaks, bins, tracks)
    with Genome(archive) as genome:
        thirds = genome.summarize(chroms, result.regions.starts, result.regions.ends,
                                  "coverage", bins=3)
    print(f"coverage in thirds of each peak: array {thirds.shape}; "
          f"mean over peaks per third, per track:")
    for j, track in enumerate(result.tracks):
        print(f"    {track}: {np.round(thirds[:, :, j].mean(axis=0), 3).tolist()}")

    try:
        frame = result.to_dataframe()
    except genomedata.MissingExtraError as error:
        print(f"(no DataFrame: {error})")
    else:
        print(f"as a pandas DataFrame: {frame.shape[0]} rows, columns "
              f"{list(frame.columns)}")


if __name__ == "__main__":
    main()
