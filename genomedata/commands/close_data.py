"""``genomedata close-data``: compute statistics, mark the archive clean
(``genomedata-close-data``)."""

from __future__ import annotations

from .._threads import default_threads
from ._cluster import dask_executor
from ._options import add_cluster_options

SUMMARY = "compute track statistics and mark the archive clean"
HELP = ("Compute the summary statistics of every track (minimum, maximum, sum, sum of squares, "
        "number of datapoints) and the data chunks of every supercontig, and mark the archive "
        "ready for reading.  Run it after loading or changing data.  With --workers, "
        "--scheduler or --scheduler-file each chromosome is read by one task on a Dask "
        "cluster whose workers see the same paths (a shared file system).")


def add_arguments(parser) -> None:
    parser.add_argument("gdarchive", metavar="ARCHIVE",
                        help="Genomedata archive (directory or single file)")
    add_cluster_options(parser)


def run(args) -> int:
    from ..ops.close_data import close_data

    threads = max(1, default_threads() // args.workers) if args.workers else None
    with dask_executor(args.workers, args.scheduler, args.scheduler_file) as executor:
        close_data(args.gdarchive, threads=threads, executor=executor)
    return 0
