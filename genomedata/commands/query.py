"""``genomedata query``: one track's values over a region, one per line."""

from __future__ import annotations

from .. import _progress
from ..errors import GenomedataError, OverlapWarning

SUMMARY = "print one track's values over a region, one per line"
HELP = ("Print the values of one track over CHROM:BEGIN-END (0-based, half-open), one value "
        "per line; nan where there is no data. An END past the chromosome's end is clipped to "
        "it (with a warning).")

DRAWS_PROGRESS = False   # results on stdout, no long step


QUERY_BLOCK = 1 << 20   # bases read at a time


def add_arguments(parser) -> None:
    parser.add_argument("gdarchive", metavar="ARCHIVE", help="Genomedata archive")
    parser.add_argument("trackname", metavar="TRACK", help="track name")
    parser.add_argument("chrom", metavar="CHROM", help="chromosome name")
    parser.add_argument("begin", metavar="BEGIN", type=int, help="first base (0-based)")
    parser.add_argument("end", metavar="END", type=int, help="end (exclusive)")


def run(args) -> int:
    import sys
    import warnings

    from ..api.genome import Genome

    if args.begin < 0:
        raise GenomedataError(f"BEGIN is {args.begin}: coordinates start at 0")
    if args.end < args.begin:
        raise GenomedataError(f"END {args.end} is before BEGIN {args.begin}")
    with Genome(args.gdarchive) as genome:
        column = genome.index_continuous(args.trackname)
        chromosome = genome[args.chrom]
        out = sys.stdout
        shown = set()
        end = args.end
        chrom_end = int(chromosome.end)
        if end > chrom_end:
            # nothing lies past the end: clipped, so that any END takes bounded time
            _progress.warn(f"END {end} is past the end of {args.chrom} ({chrom_end} bases); values "
                           f"are printed up to {max(chrom_end, args.begin)}")
            end = max(chrom_end, args.begin)
        # read and print a block at a time: memory stays bounded for any region
        blocks = ((start, min(end, start + QUERY_BLOCK))
                  for start in range(args.begin, end, QUERY_BLOCK))
        for start, stop in blocks:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", OverlapWarning)
                values = chromosome[start:stop, column]
            for warning in caught:
                if str(warning.message) not in shown:
                    shown.add(str(warning.message))
                    _progress.warn(str(warning.message))
            # str() of a numpy float32 is what the reference prints: 0.372, -2.0, nan
            for first in range(0, len(values), 65536):
                out.write("".join([str(value) + "\n" for value in values[first:first + 65536]]))
    return 0
