"""``genomedata histogram``: histogram of one track's values (``genomedata-histogram``)."""

from __future__ import annotations

SUMMARY = "print a histogram of one track's values"
HELP = ("Print a histogram of a track's values: BINS equal bins between the track's minimum "
        "and maximum (from the statistics of close-data), one line per bin with its lower "
        "edge and the number of finite values in it, then the upper edge of the last bin.  "
        "With --include-coords, only bases inside the regions of a BED file count.")


def add_arguments(parser) -> None:
    parser.add_argument("gdarchive", metavar="ARCHIVE", help="Genomedata archive (closed)")
    parser.add_argument("trackname", metavar="TRACK", help="track to count")
    parser.add_argument("-b", "--bins", type=int, default=100, metavar="BINS",
                        help="number of bins (default: 100)")
    parser.add_argument("--include-coords", metavar="BED",
                        help="count only bases inside the regions of this BED file")


def run(args) -> int:
    import sys

    from ..ops.summaries import histogram, histogram_lines
    counts, edges = histogram(args.gdarchive, args.trackname, args.bins,
                              include_coords=args.include_coords)
    sys.stdout.write("".join(line + "\n" for line in histogram_lines(counts, edges)))
    return 0
