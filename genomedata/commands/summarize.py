"""``genomedata summarize``: summary statistics of tracks over the regions of a BED file."""

from __future__ import annotations

SUMMARY = "summarize tracks over the regions of a BED file (mean, max, ...), as a table"
HELP = ("Print one TAB-separated line per region of REGIONS.bed (3 or more columns, plain or "
        "gzip; a header line is skipped), in the file's order, with a summary of each track "
        "over the region: mean, min, max, sum, coverage (the fraction of bases with a value) "
        "or std (population standard deviation), over the bases that have a value. The "
        "first line is a header: chrom start end, name when the BED file has a 4th column, "
        "then one column per track named after it (with --bins N, TRACK_bin1 .. TRACK_binN "
        "for N equal bins of each region). Each number is the statistic at float32 precision, "
        "as the shortest text that reads back as that float32; a region without data is NA "
        "(sum: 0). ARCHIVE may be a "
        "bigWig file. Every chromosome of the BED file must be in the archive; bases past a "
        "chromosome's end have no data.")


def add_arguments(parser) -> None:
    from ..api.binned import STATS

    parser.add_argument("gdarchive", metavar="ARCHIVE", help="Genomedata archive or bigWig "
                        "file")
    parser.add_argument("regions", metavar="REGIONS.bed", help="BED file of regions (plain or "
                        "gzip; - for standard input)")
    parser.add_argument("-t", "--track", metavar="NAME", action="append", dest="tracks",
                        help="summarize this track (repeatable, in this order; default: every "
                             "track, in the archive's order)")
    parser.add_argument("-s", "--stat", default="mean", choices=STATS,
                        help="the statistic (default: mean)")
    parser.add_argument("-b", "--bins", type=int, metavar="N",
                        help="summarize N equal bins of each region (columns TRACK_bin1 .. "
                             "TRACK_binN)")
    parser.add_argument("-o", "--output", metavar="FILE",
                        help="write the table to FILE instead of standard output")


def run(args) -> int:
    from ..errors import GenomedataError
    from ..ops.summarize import summarize

    if args.bins is not None and args.bins < 1:
        raise GenomedataError(f"--bins must be a positive number, not {args.bins}")
    result = summarize(args.gdarchive, args.regions, args.tracks, args.stat, args.bins)
    result.write_tsv(args.output)
    return 0
