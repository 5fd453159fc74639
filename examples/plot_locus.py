"""Draw pictures of an archive: a locus with every track, and profiles around peaks.

    python examples/plot_locus.py --outdir pictures        # keeps the archive and pictures
    python examples/plot_locus.py --archive my.genomedata --region chr1:1,000,001-1,100,000 \\
        --peaks peaks.bed --outdir pictures

Needs the optional extra genomedata[plot] (matplotlib). The same pictures on the command line:
``genomedata plot ARCHIVE REGION -o locus.png`` and
``genomedata profile ARCHIVE PEAKS.bed -o profile.png``.
"""

import argparse
import os

import numpy as np

from genomedata import Genome, plot_profile, plot_region, save_figure

from build_archive import DATA, example_archive, output_directory  # the sibling script


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archive", help="archive (or bigWig file) to draw (default: build "
                                          "the example archive in OUTDIR)")
    parser.add_argument("--outdir", help="where to write the pictures (default: a new "
                                         "temporary directory, removed at the end)")
    parser.add_argument("--region", default="chr2",
                        help="region to draw, CHROM:START-END (1-based) or CHROM "
                             "(default: chr2, whose two supercontigs have a gap between them)")
    parser.add_argument("--peaks", default=os.path.join(DATA, "peaks.bed"),
                        help="BED regions to profile")
    parser.add_argument("--around", type=int, default=1000,
                        help="bases on each side of the peak centres")
    args = parser.parse_args()
    with output_directory(args.outdir) as outdir:
        run(args, args.archive or example_archive(outdir), outdir)


def run(args, archive, outdir):
    with Genome(archive) as genome:
        # 1. a locus: one filled panel per track, one bin (the max of its bases) per pixel
        figure = plot_region(genome, args.region, width=10)
        path = os.path.join(outdir, "locus.png")
        save_figure(figure, path)
        print(f"wrote {os.path.basename(path)}: {args.region}, tracks "
              f"{', '.join(ax.get_ylabel() for ax in figure.axes)}")
        for ax in figure.axes:
            values, edges, _ = ax.patches[0].get_data()    # what the panel draws
            print(f"  {ax.get_ylabel()}: {len(values)} bins of {edges[1] - edges[0]} bases, "
                  f"{np.isnan(values).sum()} without data (drawn as gaps), "
                  f"highest {np.nanmax(values):.2f}")

        # 2. profiles: every track around the centre of every peak, rows sorted by signal
        figure = plot_profile(genome, args.peaks, around=args.around, bins=40)
        path = os.path.join(outdir, "profile.png")
        save_figure(figure, path)
        ntracks = genome.num_tracks_continuous
        heat = figure.axes[ntracks].images[0].get_array()    # the first track's heat map
        print(f"wrote {os.path.basename(path)}: {heat.shape[0]} regions x {heat.shape[1]} "
              f"bins per track, +-{args.around} bases around their centres")


if __name__ == "__main__":
    main()
