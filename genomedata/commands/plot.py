"""``genomedata plot``: a picture of the tracks of a region."""

from __future__ import annotations

from .. import _progress
from ._options import add_picture_options, check_picture_size

SUMMARY = "draw the tracks of a region as a picture (PNG, SVG or PDF)"
HELP = ("Draw the tracks of REGION stacked as filled signal plots over one axis of positions, "
        "each named, and write the picture to FILE (.png, .svg or .pdf). REGION is written "
        "as genome browsers show it: CHROM:START-END, 1-based and inclusive, commas allowed, "
        "or a chromosome name alone (the whole chromosome). The region is cut into one bin "
        "per pixel of the picture's width (at 100 dpi), each summarised by the max (default: "
        "narrow peaks stay visible) or the mean of its values; a bin without data (a gap "
        "between supercontigs, a stretch without values) is drawn as a gap. When each bin "
        "spans at least 16 blocks of the block summaries that close-data stores (1,000 "
        "bases each) and the archive has not changed since, the bins are read from them, "
        "their edges moved to the nearest block edges, so a whole chromosome draws as fast "
        "as a small region; otherwise the values are read exactly. Needs the optional extra "
        "genomedata[plot] (matplotlib).")

DRAWS_PROGRESS = False   # one short step


def add_arguments(parser) -> None:
    parser.add_argument("gdarchive", metavar="ARCHIVE",
                        help="Genomedata archive (or bigWig file)")
    parser.add_argument("region", metavar="REGION",
                        help="CHROM:START-END (1-based, inclusive) or CHROM")
    add_picture_options(parser, width=10.0)
    parser.add_argument("-t", "--track", metavar="NAME", action="append", dest="tracks",
                        help="draw this track (repeatable, top to bottom in this order; "
                             "default: every track, in the archive's order)")
    parser.add_argument("--summary", choices=("max", "mean"), default="max",
                        help="what each bin shows: the max (default) or the mean of its "
                             "values")
    parser.add_argument("--bins", type=int, metavar="N",
                        help="cut the region into N bins (default: the picture's width in "
                             "pixels, at most one bin per base)")


def run(args) -> int:
    from ..ops.plot import figure_format, plot_region, save_figure

    check_picture_size(args)
    figure_format(args.output)
    figure = plot_region(args.gdarchive, args.region, args.tracks, summary=args.summary,
                         bins=args.bins, width=args.width, height=args.height,
                         title=args.title)
    save_figure(figure, args.output)
    _progress.info(f"wrote {args.output}")
    return 0
