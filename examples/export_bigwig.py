"""Export a track of an archive to bigWig, to show it in a genome browser (IGV, UCSC).

    python examples/export_bigwig.py                      # builds the example archive first
    python examples/export_bigwig.py --archive my.genomedata --track dnase --output dnase.bw

The same as ``genomedata export ARCHIVE TRACK OUTPUT.bw``.  Runs of equal values become one
bigWig interval; bases without data get none.  The file is then checked twice: with
pyBigWig (the library genome browsers' tools build on), and by opening it as a Genome.
"""

import argparse
import os
import warnings

import numpy as np
import pyBigWig

from genomedata import Genome, OverlapWarning, export_track

from build_archive import example_archive, output_directory  # the sibling script


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archive", help="archive to export from (default: build the "
                                          "example archive in OUTDIR)")
    parser.add_argument("--outdir", help="where to write (default: a new temporary "
                                         "directory)")
    parser.add_argument("--track", default="dnase", help="track to export")
    parser.add_argument("--output", help="bigWig file to write (default: OUTDIR/TRACK.bw)")
    args = parser.parse_args()
    with output_directory(args.outdir) as outdir:
        run(args, outdir)


def run(args, outdir):
    archive = args.archive or example_archive(outdir)
    output = args.output or os.path.join(outdir, f"{args.track}.bw")

    summary = export_track(archive, args.track, output, overwrite=True)
    print(f"wrote {output}: {summary.intervals:,} intervals covering {summary.bases:,} bases "
          f"of {', '.join(summary.chromosomes)}")

    # the bigWig's own index and summaries, as a genome browser reads them
    bw = pyBigWig.open(output)
    try:
        for chrom, size in bw.chroms().items():
            mean, = bw.stats(chrom, 0, size, type="mean")
            if mean is None:   # pyBigWig's answer for a chromosome without any interval
                print(f"  {chrom}: length {size:,}, no data")
                continue
            covered, = bw.stats(chrom, 0, size, type="coverage")
            print(f"  {chrom}: length {size:,}, mean {mean:.3f}, {covered:.1%} covered")
    finally:
        bw.close()

    # a bigWig file opens as a read-only genome with one track: same values as the archive
    # (a read spanning assembly gaps warns that the gaps read NaN: expected here)
    warnings.simplefilter("ignore", OverlapWarning)
    with Genome(archive) as genome, Genome(output) as exported:
        for chromosome in genome:
            end = int(chromosome.end)
            original = chromosome[0:end, args.track]
            copy = exported[chromosome.name][0:end, 0]   # the bigWig's one track
            same = np.array_equal(original, copy, equal_nan=True)
            print(f"  {chromosome.name}: values identical to the archive: {same}")
            if not same:
                raise SystemExit(f"{chromosome.name}: exported values differ")


if __name__ == "__main__":
    main()
