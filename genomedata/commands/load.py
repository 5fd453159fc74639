"""``genomedata load``: build an archive in one step."""

from __future__ import annotations

from .. import _progress
from .._threads import default_threads
from ..errors import GenomedataError
from ._cluster import dask_executor
from ._options import add_cluster_options, add_name_options, expand_globs
from ._summary import show

SUMMARY = "build an archive in one step: sequence, tracks, statistics"
HELP = """Build an archive in one step: load the sequence, open the tracks, load every track
(concurrently, compressing on all cores) and compute the statistics from the values while
they are in memory (the archive is not read back).

With --workers, --scheduler or --scheduler-file, each chromosome (all its tracks) is loaded
by one task on a Dask cluster, whose workers must see the same paths (a shared file system);
the archive is the same.

Example: genomedata load -s 'chr*.fa.gz' -t dnase=dnase.bedGraph -t cons=phyloP.wigFix out.gd"""


def add_arguments(parser):
    parser.add_argument("gdarchive", metavar="ARCHIVE", help="archive to create")
    parser.add_argument("-s", "--sequence", action="append", required=True, metavar="SEQFILE",
                        help="sequence file (FASTA, AGP with --assembly, sizes with --sizes); "
                             "repeatable; quoted globs are expanded")
    parser.add_argument("-t", "--track", action="append", default=[], metavar="NAME=FILE",
                        help="track name and signal file; repeatable; several files for one "
                             "name load in order")
    parser.add_argument("-m", "--maskfile", metavar="BED",
                        help="BED regions to remove from the tracks before loading")
    kind = parser.add_mutually_exclusive_group()
    kind.add_argument("--assembly", "-a", dest="seqfile_type", action="store_const",
                      const="agp", help="sequence files are AGP assembly files")
    kind.add_argument("--sizes", dest="seqfile_type", action="store_const", const="sizes",
                      help="the sequence file lists chromosome sizes")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("-f", "--file-mode", dest="mode", action="store_const", const="file",
                      help="one HDF5 file for the whole archive")
    mode.add_argument("-d", "--directory-mode", dest="mode", action="store_const",
                      const="dir", help="one HDF5 file per chromosome in a directory")
    parser.add_argument("-r", "--assembly-report", metavar="FILE",
                        help="NCBI assembly report used to rename chromosomes")
    parser.add_argument("-n", "--name-style", default="UCSC-style-name", metavar="STYLE",
                        help="assembly-report column to name chromosomes by "
                             "(default: %(default)s)")
    parser.add_argument("--chunk-size", type=int, metavar="N",
                        help="rows per chunk of the track arrays (default 10000)")
    parser.add_argument("-j", "--jobs", type=int, metavar="N",
                        help="threads for compression (default: all cores)")
    parser.add_argument("--overwrite", action="store_true",
                        help="replace ARCHIVE if it exists")
    add_name_options(parser)
    add_cluster_options(parser)


def parse_track(text):
    name, sep, filename = text.partition("=")
    if not sep or not name or not filename:
        raise GenomedataError(f"--track wants NAME=FILE, not {text!r}")
    return name, filename


def run(args):
    from ..ops.load import build_archive
    tracks = [parse_track(text) for text in args.track]
    jobs = args.jobs
    if jobs is None and args.workers:
        jobs = max(1, default_threads() // args.workers)   # the cores shared by the workers
    with dask_executor(args.workers, args.scheduler, args.scheduler_file) as executor:
        summaries = build_archive(
            args.gdarchive, tracks, expand_globs(args.sequence), args.mode,
            args.seqfile_type or "fasta", args.chunk_size, args.assembly_report,
            args.name_style, args.maskfile, overwrite=args.overwrite, jobs=jobs,
            chr_prefix=args.chr_prefix, allow_empty=args.allow_empty, executor=executor)
    show(summaries)
    _progress.info(f"Genomedata archive created: {args.gdarchive}")
    return 0
