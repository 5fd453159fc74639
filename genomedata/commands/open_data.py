"""``genomedata open-data``: add empty tracks to an archive (``genomedata-open-data``)."""

from __future__ import annotations

SUMMARY = "add empty tracks to an archive"
HELP = ("Add empty tracks to a Genomedata archive: their names are appended to the archive's "
        "track list and every supercontig gets a column of NaN for each.  Load values with "
        "load-data, then run close-data.")


def add_arguments(parser) -> None:
    parser.add_argument("gdarchive", metavar="ARCHIVE",
                        help="Genomedata archive (directory or single file)")
    # one option string only: its prefixes (--trackname, --track, ...) stay unambiguous
    parser.add_argument("--tracknames", dest="tracknames", metavar="NAME", nargs="+",
                        action="extend", required=True,
                        help="names of the tracks to add, in column order (also --trackname; "
                             "the option may be repeated)")
    parser.add_argument("--chunk-size", type=int, metavar="N", default=None,
                        help="rows per HDF5 chunk of the track data created here (default: "
                             "the archive's, else 10000)")


def run(args) -> int:
    from ..ops.open_data import open_data

    open_data(args.gdarchive, args.tracknames, chunk_size=args.chunk_size)
    return 0
