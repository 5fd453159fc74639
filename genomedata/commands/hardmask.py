"""``genomedata hardmask``: write NaN over the regions of a mask file (``genomedata-hardmask``)."""

from __future__ import annotations

import sys

from .. import _progress
from .._threads import default_threads
from ._cluster import dask_executor
from ._options import add_cluster_options

SUMMARY = "write NaN over the regions of a BED or WIG mask file, optionally filtered by score"
HELP = """Mask tracks: write NaN ('no data') over the regions of a mask file, in the tracks
given with -t (default: all tracks), then run close-data (unless --no-close).

The mask file is BED (chrom start end ..., 0-based) or WIG (fixedStep/variableStep, 1-based),
plain or gzip.  It is WIG if a line starts with fixedStep or variableStep, or if it has no such
line but its name ends in .wig, .wg, .wigFix or .wigVar (any case, .gz removed); otherwise BED.
With --hardmask, only regions whose score passes the filter mask: an operator lt, le, gt, ge,
eq or ne followed by a number ('lt0.5', 'ge -1e-3'); the BED score is column 5, or column 4
of a 4-column line; a WIG region's score is its value.  Overlapping and adjacent regions are
merged; parts outside supercontigs are skipped.  --dry-run changes nothing: it prints the
regions that would be masked (BED, clipped to supercontigs) on stdout and a summary per
chromosome on stderr.  With --workers, --scheduler or --scheduler-file each chromosome is
masked by one task on a Dask cluster whose workers see the same paths (a shared file system),
in a scratch copy beside the archive; the command then writes the masked chunks back in one
transaction.  Interrupted at any moment, the archive stays as it was."""


def add_arguments(parser) -> None:
    parser.add_argument("maskfile", metavar="MASKFILE", help="BED or WIG mask file")
    parser.add_argument("gdarchive", metavar="ARCHIVE",
                        help="Genomedata archive (directory or single file)")
    parser.add_argument("-t", "--trackname", "--tracknames", dest="tracknames", nargs="+",
                        metavar="TRACK", help="tracks to mask (default: all tracks)")
    parser.add_argument("--hardmask", metavar="OPERATOR",
                        help="mask only regions whose score passes this filter, e.g. lt0.5 "
                             "(operators lt le gt ge eq ne)")
    parser.add_argument("--no-close", action="store_true",
                        help="do not run close-data at the end (the archive stays dirty)")
    parser.add_argument("--dry-run", action="store_true",
                        help="change nothing; print what would be masked")
    add_cluster_options(parser)


def run(args) -> int:
    from ..ops.hardmask import hardmask_data, write_regions
    from ..inputs.regions import parse_hardmask_option

    option = parse_hardmask_option(args.hardmask) if args.hardmask is not None else None
    threads = max(1, default_threads() // args.workers) if args.workers else None
    with dask_executor(*((None, None, None) if args.dry_run else
                         (args.workers, args.scheduler, args.scheduler_file))) as executor:
        summary = hardmask_data(args.gdarchive, args.maskfile, args.tracknames, option,
                                keep_archive_open=args.no_close, dry_run=args.dry_run,
                                threads=threads, executor=executor)
    rows = [(chrom, f"{mask.regions:,}", f"{mask.bases:,}")
            for chrom, mask in summary.chromosomes.items()]
    rows.append(("total", f"{summary.regions:,}", f"{summary.bases:,}"))
    tracks = ", ".join(summary.tracks) or "none"
    if args.dry_run:
        write_regions(summary, sys.stdout.buffer)
        _progress.table(f"Dry run (nothing changed): would mask these bases in tracks {tracks}",
                        ["chromosome", "regions", "bases"], rows)
    else:
        _progress.table(f"Masked in tracks {tracks} ({summary.values_masked:,} values set to NaN)",
                        ["chromosome", "regions", "bases"], rows)
        if not summary.closed:
            _progress.info(f"the archive is dirty: run 'genomedata close-data {args.gdarchive}'")
    return 0
