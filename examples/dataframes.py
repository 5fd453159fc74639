"""Read an archive into pandas DataFrames: a region, bins along a chromosome, peak profiles.

    python examples/dataframes.py                         # builds the example archive first
    python examples/dataframes.py --archive my.genomedata --region chr1:1,001-6,000 \\
        --track dnase --peaks peaks.bed

Needs the optional extra ``genomedata[pandas]`` (``pip install 'genomedata[pandas]'``).
Shows ``genome.to_dataframe`` (every base of a region, a column per track, indexed by
position), ``chromosome.binned(..., frame=True)`` (bins as intervals, written as a TSV file),
``genome.stackup(..., frame=True)`` (a row per peak, a column per bin) and
``genome.read_regions(..., frame=True)`` (one long table of the bases of many windows).
"""

import argparse
import os

import pandas as pd

from genomedata import Genome

from build_archive import DATA, example_archive, output_directory  # the sibling script


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archive", help="archive to read (default: build the example "
                                          "archive in OUTDIR)")
    parser.add_argument("--outdir", help="where to write (default: a new temporary "
                                         "directory)")
    parser.add_argument("--region", default="chr1:1,001-6,000",
                        help="region to read, 1-based and inclusive as genome browsers show it")
    parser.add_argument("--track", default="dnase", help="track to bin and profile")
    parser.add_argument("--peaks", default=os.path.join(DATA, "peaks.bed"),
                        help="BED regions to profile")
    args = parser.parse_args()
    with output_directory(args.outdir) as outdir:
        run(args, args.archive or example_archive(outdir), outdir)


def run(args, archive, outdir):
    pd.set_option("display.width", 100)
    peaks = pd.read_csv(args.peaks, sep=r"\s+", header=None, comment="#", usecols=[0, 1, 2],
                        names=["chrom", "start", "end"])
    with Genome(archive) as genome:
        # 1. every base of a region: index = position, a float32 column per track
        region = genome.to_dataframe(args.region)
        print(f"{args.region}: {len(region):,} bases x {region.shape[1]} tracks")
        print(region.describe().round(3).to_string())
        print("correlation of the tracks:")
        print(region.corr().round(3).to_string())

        # 2. the first chromosome in 10 bins: mean and coverage side by side, saved as TSV
        chromosome = next(iter(genome))
        chrom = chromosome.name
        means = chromosome.binned(0, chromosome.length, 10, "mean", args.track, frame=True)
        coverage = chromosome.binned(0, chromosome.length, 10, "coverage", args.track,
                                     frame=True)
        bins = pd.DataFrame({"mean": means[args.track], "coverage": coverage[args.track]})
        table = bins.assign(start=bins.index.left, end=bins.index.right)
        path = os.path.join(outdir, f"{args.track}_{chrom}_bins.tsv")
        table.to_csv(path, sep="\t", index=False, float_format="%.4g")
        print(f"{args.track} along {chrom} (10 bins), written to {os.path.basename(path)}:")
        print(bins.round(3).to_string())

        # 3. profiles: 20 bins over +-1 kb around the centre of every peak
        peaks = peaks[peaks["chrom"].isin([c.name for c in genome])]
        centres = (peaks["start"] + peaks["end"]) // 2
        lows = (centres - 1000).clip(lower=0)
        profile = genome.stackup(peaks["chrom"].tolist(), lows, lows + 2000, bins=20,
                                 track=args.track, frame=True)
        print(f"{args.track} around {len(profile)} peaks ({profile.shape[0]} x "
              f"{profile.shape[1]}), average profile:")
        print("  " + " ".join(f"{v:.1f}" for v in profile.mean()))
        strongest = profile.mean(axis=1).nlargest(3)
        print("strongest peaks:")
        print(strongest.round(2).to_string())

        # 4. many windows as one long table: a row per base, mean per window
        windows = genome.read_regions(peaks["chrom"].tolist(), peaks["start"], peaks["end"],
                                      tracks=args.track, frame=True)
        per_peak = windows.groupby(level="region")[args.track].agg(["mean", "max", "count"])
        print(f"{len(windows):,} bases under {len(per_peak)} peaks; first peaks:")
        print(per_peak.head(3).round(3).to_string())


if __name__ == "__main__":
    main()
