"""Mask a track with a mappability file: remove the signal where reads cannot be mapped.

    python examples/mask_track.py                          # on a new copy of the example
    python examples/mask_track.py --archive my.genomedata --track dnase \\
        --mask mappability.bedGraph --hardmask lt0.5      # changes my.genomedata in place

The same as ``genomedata hardmask MASK ARCHIVE -t TRACK --hardmask lt0.5``: every region of
the mask file whose score is below 0.5 becomes NaN ("no data") in the track, then the
statistics are recomputed.  The mask is BED (score in column 5, or column 4 of a 4-column
bedGraph-like line) or WIG.  Without ``--mask`` a made-up mappability file is written to
OUTDIR: the fraction of uniquely mappable reads in 500-base windows.
"""

import argparse
import os

import numpy as np

from genomedata import Genome, hardmask_data

from build_archive import example_archive, output_directory  # the sibling script


def made_up_mappability(archive, path, window=500):
    """A bedGraph-like BED of mappability scores in [0, 1] over every supercontig."""
    rng = np.random.default_rng(7)
    with Genome(archive) as genome, open(path, "w") as handle:
        for chromosome in genome:
            for supercontig in chromosome:
                for start in range(supercontig.start, supercontig.end, window):
                    end = min(start + window, supercontig.end)
                    handle.write(f"{chromosome.name}\t{start}\t{end}\t"
                                 f"{rng.beta(4, 1.5):.3f}\n")
    return path


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archive", help="archive to change IN PLACE (default: build the "
                                          "example archive in OUTDIR)")
    parser.add_argument("--outdir", help="where to write (default: a new temporary "
                                         "directory)")
    parser.add_argument("--track", action="append",
                        help="track to mask (repeatable; default: dnase)")
    parser.add_argument("--mask", help="mappability BED/WIG file (default: a made-up one)")
    parser.add_argument("--hardmask", default="lt0.5",
                        help="mask regions whose score passes this filter (default: lt0.5)")
    args = parser.parse_args()
    with output_directory(args.outdir) as outdir:
        run(args, outdir)


def run(args, outdir):
    archive = args.archive or example_archive(outdir)
    tracks = args.track or ["dnase"]
    mask = args.mask or made_up_mappability(archive, os.path.join(outdir,
                                                                  "mappability.bedGraph"))

    with Genome(archive) as genome:
        before = {name: int(genome.num_datapoints[genome.index_continuous(name)])
                  for name in tracks}

    # a dry run first: what would go, changing nothing
    plan = hardmask_data(archive, mask, tracks, args.hardmask, dry_run=True)
    print(f"{mask}: {plan.regions:,} regions ({plan.bases:,} bases) with score "
          f"{args.hardmask}")
    summary = hardmask_data(archive, mask, tracks, args.hardmask)   # then close-data
    print(f"masked {summary.values_masked:,} values in {', '.join(summary.tracks)}")

    with Genome(archive) as genome:
        for name in tracks:
            after = int(genome.num_datapoints[genome.index_continuous(name)])
            print(f"{name}: {before[name]:,} -> {after:,} bases with data")


if __name__ == "__main__":
    main()
