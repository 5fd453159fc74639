"""``genomedata query``: one track's values over a region, one per line."""

from __future__ import annotations

HELP = ("Print the values of one track over CHROM:BEGIN-END (0-based, half-open), one value "
        "per line; nan where there is no data.")


def add_arguments(parser) -> None:
    parser.add_argument("gdarchive", metavar="ARCHIVE", help="Genomedata archive")
    parser.add_argument("trackname", metavar="TRACK", help="track name")
    parser.add_argument("chrom", metavar="CHROM", help="chromosome name")
    parser.add_argument("begin", metavar="BEGIN", type=int, help="first base (0-based)")
    parser.add_argument("end", metavar="END", type=int, help="end (exclusive)")


def run(args, ui) -> int:
    import sys
    import warnings

    from .._genome import Genome
    from .._util import OverlapWarning

    with Genome(args.gdarchive) as genome:
        column = genome.index_continuous(args.trackname)
        chromosome = genome[args.chrom]
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", OverlapWarning)
            values = chromosome[args.begin:args.end, column]
        for warning in caught:
            ui.warn(str(warning.message))
        out = sys.stdout
        # str() of a numpy float32 is what the reference prints: 0.372, -2.0, nan
        for start in range(0, len(values), 65536):
            block = values[start:start + 65536]
            out.write("".join([str(value) + "\n" for value in block]))
    return 0
