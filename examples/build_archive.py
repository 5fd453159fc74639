"""Build a Genomedata archive from a genome (FASTA) and signal files (bedGraph, WIG, bigWig).

    python examples/build_archive.py                       # the files in examples/data
    python examples/build_archive.py --outdir /tmp/gd --fasta genome.fa.gz \\
        --track dnase=dnase.bedGraph --track cons=phyloP.wigFix

The same as ``genomedata load -s FASTA ... -t NAME=FILE ... ARCHIVE`` on the command line.
Prints what the archive holds.
"""

import argparse
import contextlib
import os
import sys
import tempfile

from genomedata import Genome, load_genomedata

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
FASTA = [os.path.join(DATA, "chr1.fa"), os.path.join(DATA, "chr2.fa.gz")]
TRACKS = [("conservation", os.path.join(DATA, "conservation.wigFix")),
          ("dnase", os.path.join(DATA, "dnase.bedGraph"))]


def example_archive(outdir, name="example.genomedata", fasta=FASTA, tracks=TRACKS):
    """Build the archive (by default the one of examples/data) in ``outdir``; its path.
    The other example scripts use this when not given an archive."""
    archive = os.path.join(outdir, name)
    # sequence, tracks and statistics in one call; overwrite=True replaces an older archive
    load_genomedata(archive, tracks, fasta, overwrite=True)
    return archive


@contextlib.contextmanager
def output_directory(outdir):
    """``outdir`` (created if needed, and kept), or else a new temporary directory that is
    removed when the block ends, also when it ends with an error.  The other example scripts
    write their files in it."""
    if outdir:
        os.makedirs(outdir, exist_ok=True)
        yield outdir
        return
    with tempfile.TemporaryDirectory(prefix="genomedata-example-") as temporary:
        print(f"(writing in {temporary}, removed at the end; --outdir DIR keeps the files)",
              file=sys.stderr)
        yield temporary


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--outdir", help="where to write the archive (default: a new "
                                         "temporary directory)")
    parser.add_argument("--fasta", action="append",
                        help="FASTA file, plain or gzip (repeatable; default: examples/data)")
    parser.add_argument("--track", action="append", metavar="NAME=FILE",
                        help="a track and its signal file (repeatable; default: examples/data)")
    parser.add_argument("--name", default="example.genomedata", help="archive name")
    args = parser.parse_args()

    with output_directory(args.outdir) as outdir:
        run(args, outdir)


def run(args, outdir):
    tracks = [tuple(text.split("=", 1)) for text in args.track] if args.track else TRACKS
    archive = example_archive(outdir, args.name, args.fasta or FASTA, tracks)

    print(f"archive: {archive}")
    with Genome(archive) as genome:
        print(f"tracks: {', '.join(genome.tracknames_continuous)}")
        for chromosome in genome:
            spans = ", ".join(f"{sc.start}-{sc.end}" for sc in chromosome)
            print(f"{chromosome.name}: {int(chromosome.end):,} bases; supercontigs {spans}")
        for name, count, mean in zip(genome.tracknames_continuous, genome.num_datapoints,
                                     genome.means):
            print(f"{name}: {int(count):,} bases with data, mean {mean:.4f}")


if __name__ == "__main__":
    main()
