"""``genomedata query``: the values of tracks over a region, per base or as bedGraph runs."""

from __future__ import annotations

from .. import _progress
from ..errors import GenomedataError, OverlapWarning

SUMMARY = "print the values of tracks over a region, per base or as bedGraph runs"
HELP = ("Print the values of tracks over REGION, written as genome browsers show it: "
        "CHROM:START-END, 1-based and inclusive, commas allowed (chr1:10,001-10,005 is five "
        "bases), or a chromosome name alone. Every track is printed, one TAB-separated column "
        "each, unless --track names some. By default one line per base (nan where there is no "
        "data); with --bedgraph, bedGraph lines (chrom, start, end: 0-based, half-open; then "
        "one value per track), one per run of bases whose values are equal in every track, "
        "none where no track has data. A region past the chromosome's end is an error.\n\n"
        "genomedata 1.7's form, ARCHIVE TRACK CHROM BEGIN END (BEGIN 0-based, END exclusive), "
        "prints one track's values one per line, as 1.7 did; an END past the chromosome's end "
        "is clipped to it (with a warning).")

DRAWS_PROGRESS = False   # results on stdout, no long step


QUERY_BLOCK = 1 << 20   # bases read at a time (genomedata 1.7's form)
OLD_FORM = "TRACK CHROM BEGIN END"


def add_arguments(parser) -> None:
    parser.usage = ("%(prog)s [options] ARCHIVE REGION [--track NAME]... [--bedgraph]\n"
                    "       %(prog)s [options] ARCHIVE TRACK CHROM BEGIN END")
    parser.add_argument("gdarchive", metavar="ARCHIVE", help="Genomedata archive (or bigWig "
                        "file)")
    parser.add_argument("where", metavar="REGION", nargs="+",
                        help="CHROM:START-END (1-based, inclusive) or CHROM; or genomedata "
                             "1.7's TRACK CHROM BEGIN END (0-based, END exclusive)")
    parser.add_argument("-t", "--track", metavar="NAME", action="append", dest="tracks",
                        help="print this track (repeatable, in this order; default: every "
                             "track, in the archive's order)")
    parser.add_argument("--bedgraph", action="store_true",
                        help="print bedGraph lines merging runs of equal values instead of "
                             "one line per base")


def run(args) -> int:
    where = args.where
    if len(where) == 1:
        from ..ops.query import query_region
        query_region(args.gdarchive, where[0], args.tracks, bedgraph=args.bedgraph)
        return 0
    if len(where) != 4:
        raise GenomedataError(f"{len(where)} arguments after ARCHIVE: give a REGION "
                              f"(CHROM:START-END) or genomedata 1.7's {OLD_FORM}")
    if args.tracks or args.bedgraph:
        raise GenomedataError(f"--track and --bedgraph go with a REGION, not with genomedata "
                              f"1.7's {OLD_FORM}: write the region as CHROM:START-END "
                              "(1-based, inclusive)")
    names = ("BEGIN", "END")
    numbers = []
    for name, text in zip(names, where[2:]):
        try:
            numbers.append(int(text))
        except ValueError:
            raise GenomedataError(f"{name} {text!r} is not an integer") from None
    args.trackname, args.chrom = where[0], where[1]
    args.begin, args.end = numbers
    return _run_old_form(args)


def _run_old_form(args) -> int:
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
