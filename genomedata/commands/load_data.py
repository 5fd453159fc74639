"""``genomedata load-data``: load one track's signal into an archive."""

from __future__ import annotations

from ._options import add_name_options
from ._summary import show

SUMMARY = "load one track's signal (WIG, bedGraph, BED3+1, bigWig; gzip ok)"
HELP = """Load one track's signal into an archive whose tracks are open (see open-data).

The input is WIG (fixedStep/variableStep, 1-based), bedGraph or BED3+1 text, plain or gzip
(detected by content), or a bigWig file; standard input when FILE is absent.  A malformed input
changes nothing: what the load wrote before the bad line is undone.  Run close-data
afterwards."""


def add_arguments(parser):
    parser.add_argument("gdarchive", metavar="ARCHIVE", help="Genomedata archive")
    parser.add_argument("trackname", metavar="TRACK", help="track to load (already opened)")
    parser.add_argument("file", metavar="FILE", nargs="?", default=None,
                        help="input file (default: standard input)")
    parser.add_argument("-m", "--maskfile", metavar="BED",
                        help="BED regions whose input data is not loaded")
    parser.add_argument("-c", "--chunk-size", type=int, metavar="N",
                        help="accepted for compatibility: must equal the archive's chunk "
                             "height (set by open-data --chunk-size)")
    add_name_options(parser)


def run(args):
    from ..ops.load_data import load_data
    summary = load_data(args.gdarchive, args.trackname, args.file, maskfile=args.maskfile,
                        chunk_size=args.chunk_size, chr_prefix=args.chr_prefix,
                        allow_empty=args.allow_empty)
    show([summary])
    return 0
