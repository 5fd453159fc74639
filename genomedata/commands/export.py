"""``genomedata export``: one track of an archive to a bigWig or bedGraph file."""

from __future__ import annotations

from .. import _progress

SUMMARY = "write one track to a bigWig or bedGraph file"
HELP = ("Write one track of an archive (or bigWig file) to OUTPUT as bigWig (.bw, .bigWig) or "
        "bedGraph (.bedGraph, .bg; .bedGraph.gz, .bg.gz compressed; - for standard output). "
        "Runs of equal values become one interval; positions without data (NaN) get none. "
        "bedGraph coordinates are 0-based, half-open.")


def add_arguments(parser) -> None:
    parser.add_argument("gdarchive", metavar="ARCHIVE", help="Genomedata archive")
    parser.add_argument("trackname", metavar="TRACK", help="track name")
    parser.add_argument("output", metavar="OUTPUT",
                        help="output file; its name gives the format unless --format is set")
    parser.add_argument("--chrom", metavar="NAME", action="append", dest="chroms",
                        help="export this chromosome (repeatable)")
    parser.add_argument("--region", metavar="CHROM:START-END", action="append",
                        dest="regions",
                        help="export this region, 0-based half-open like BED, e.g. "
                             "chr1:0-1000 is the first 1000 bases (repeatable; with --chrom "
                             "the export covers everything they name)")
    parser.add_argument("--format", dest="fmt", choices=("bigwig", "bedgraph", "bedgraph.gz"),
                        help="output format (default: from OUTPUT's name)")
    parser.add_argument("--overwrite", action="store_true",
                        help="replace OUTPUT if it exists")


def run(args) -> int:
    from ..ops.export import export_track

    summary = export_track(args.gdarchive, args.trackname, args.output, chroms=args.chroms,
                           regions=args.regions, fmt=args.fmt, overwrite=args.overwrite)
    if args.output != "-":
        _progress.info(f"wrote {summary.intervals} intervals ({summary.bases} bases) to "
                       f"{summary.output}")
    return 0
