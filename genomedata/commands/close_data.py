"""``genomedata close-data``: compute statistics, mark the archive clean
(``genomedata-close-data``)."""

from __future__ import annotations

SUMMARY = "compute track statistics and mark the archive clean"
HELP = ("Compute the summary statistics of every track (minimum, maximum, sum, sum of squares, "
        "number of datapoints) and the data chunks of every supercontig, and mark the archive "
        "ready for reading.  Run it after loading or changing data.")


def add_arguments(parser) -> None:
    parser.add_argument("gdarchive", metavar="ARCHIVE",
                        help="Genomedata archive (directory or single file)")


def run(args) -> int:
    from ..ops.close_data import close_data

    close_data(args.gdarchive)
    return 0
