"""``genomedata profile``: mean profiles and heat maps of tracks around many regions."""

from __future__ import annotations

from .. import _progress
from ._options import add_picture_options, check_picture_size

SUMMARY = "draw tracks around the regions of a BED file: mean profiles over heat maps"
HELP = ("Draw, for each track, the mean profile of its signal around the regions of a BED "
        "file above a heat map of every region (one row each, sorted by signal: the mean over "
        "every bin of every track, highest first, in every heat map alike), and write the "
        "picture to FILE (.png, .svg or .pdf). By default the window is --around bases on each "
        "side of each region's centre, cut into --bins bins; with --scaled each region's body "
        "is cut into the same number of bins whatever its length (drawn as --body-length "
        "bases) between flanks of --around bases. Each bin shows the mean (or --stat max) of "
        "its values; bins without data are light grey. A region on the minus strand (- in "
        "column 6 of the BED file) is drawn from its end to its start, so that every row "
        "reads 5' to 3' (--ignore-strand: in genome order). Regions on chromosomes the "
        "archive lacks, and regions whose window passes a chromosome's end, are left out with a "
        "warning. Needs the optional extra genomedata[plot] (matplotlib).")


def add_arguments(parser) -> None:
    parser.add_argument("gdarchive", metavar="ARCHIVE",
                        help="Genomedata archive (or bigWig file)")
    parser.add_argument("regions", metavar="REGIONS.bed",
                        help="BED file of regions (3 or more columns, gzip allowed, - for "
                             "standard input)")
    add_picture_options(parser, width=None)
    parser.add_argument("-t", "--track", metavar="NAME", action="append", dest="tracks",
                        help="draw this track (repeatable, left to right in this order; "
                             "default: every track, in the archive's order)")
    parser.add_argument("--around", type=int, metavar="BASES", default=2000,
                        help="bases on each side of the centres, or the flanks with --scaled "
                             "(default: 2000)")
    parser.add_argument("--scaled", action="store_true",
                        help="scale each region's body to the same bins, between flanks, "
                             "instead of a window around its centre")
    parser.add_argument("--body-length", type=int, metavar="BASES", default=1000,
                        help="with --scaled, the length the body is drawn as (default: 1000)")
    parser.add_argument("--bins", type=int, metavar="N", default=100,
                        help="bins across the whole window (default: 100)")
    parser.add_argument("--stat", choices=("mean", "max"), default="mean",
                        help="what each bin shows (default: mean)")
    parser.add_argument("--ignore-strand", action="store_true",
                        help="draw minus-strand regions in genome order too, not from their "
                             "end to their start")
    parser.add_argument("--no-sort", dest="sort", action="store_false",
                        help="keep the regions in the file's order instead of sorting them "
                             "by signal")


def run(args) -> int:
    from ..ops.plot import figure_format, plot_profile, save_figure

    check_picture_size(args)
    figure_format(args.output)
    figure = plot_profile(args.gdarchive, args.regions, args.tracks, around=args.around,
                          scaled=args.scaled, body_length=args.body_length, bins=args.bins,
                          stat=args.stat, sort=args.sort, width=args.width,
                          height=args.height, title=args.title,
                          ignore_strand=args.ignore_strand)
    save_figure(figure, args.output)
    _progress.info(f"wrote {args.output}")
    return 0
