"""``genomedata erase-data``: write NaN over whole tracks (``genomedata-erase-data``)."""

from __future__ import annotations

from .. import _progress

SUMMARY = "write NaN over whole tracks (then run close-data)"
HELP = ("Erase tracks: write NaN ('no data') over every value of each named track in every "
        "chromosome.  The archive is then dirty: run close-data afterwards.  To replace a "
        "track, erase it, load the new data into it with load-data, then run close-data.")


def add_arguments(parser) -> None:
    parser.add_argument("gdarchive", metavar="ARCHIVE",
                        help="Genomedata archive (directory or single file)")
    parser.add_argument("--trackname", "--tracknames", dest="tracknames", nargs="+",
                        required=True, metavar="NAME", help="track(s) to erase")


def run(args) -> int:
    from ..ops.erase_data import erase_data

    summary = erase_data(args.gdarchive, args.tracknames)
    _progress.info(f"erased {', '.join(summary.tracks)} in {summary.chromosomes} chromosome(s); "
                   f"run 'genomedata close-data {args.gdarchive}' next")
    return 0
