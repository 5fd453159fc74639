"""``genomedata load-seq``: create an archive from FASTA, AGP (--assembly) or sizes (--sizes)."""

from __future__ import annotations

import os

from ._options import expand_globs

SUMMARY = "create an archive from FASTA, AGP (--assembly) or a sizes file (--sizes)"
HELP = ("Create a Genomedata archive ARCHIVE with one chromosome per sequence of the SEQFILEs: "
        "FASTA records (plain or gzip; sequence stored, split into supercontigs at runs of at "
        "least 100000 unknown bases), AGP objects (--assembly) or lines of a sizes file "
        "(--sizes). Quoted globs in SEQFILE are expanded.")


def add_arguments(parser) -> None:
    parser.add_argument("archive", metavar="ARCHIVE", help="the Genomedata archive to create")
    parser.add_argument("seqfiles", metavar="SEQFILE", nargs="+",
                        help="sequence files: FASTA by default (gzip allowed)")
    parser.add_argument("-r", "--assembly-report", metavar="REPORT", default=None,
                        help="NCBI assembly report used to translate sequence names")
    parser.add_argument("-n", "--name-style", metavar="STYLE", default="UCSC-style-name",
                        help="assembly-report column to translate names to "
                             "(default: %(default)s)")
    kind = parser.add_argument_group("input type (default: FASTA)")
    kind.add_argument("-a", "--assembly", dest="seqfile_type", action="store_const",
                      const="agp", default="fasta",
                      help="SEQFILEs are assembly (AGP) files: supercontigs only, no sequence")
    kind.add_argument("-s", "--sizes", dest="seqfile_type", action="store_const",
                      const="sizes",
                      help="SEQFILEs list 'NAME SIZE' per line: one supercontig per "
                           "chromosome, no sequence")
    mode = parser.add_argument_group("archive layout (default: a directory for fewer than 100 "
                                     "sequences, else a single file)")
    mode.add_argument("-f", "--file-mode", dest="mode", action="store_const", const="file",
                      default=None, help="a single HDF5 file holding every chromosome")
    mode.add_argument("-d", "--directory-mode", dest="mode", action="store_const",
                      const="directory", help="a directory with one HDF5 file per chromosome")
    parser.add_argument("--overwrite", action="store_true",
                        help="replace ARCHIVE if it already exists")


def _expand(patterns) -> list[str]:
    result = []
    for pattern in patterns:
        # a name that exists is taken as it is, even if it looks like a glob (the shell has
        # already expanded unquoted globs)
        result.extend([pattern] if os.path.exists(pattern) else expand_globs([pattern]))
    return result


def run(args) -> int:
    from ..ops.load_seq import load_seq
    load_seq(args.archive, _expand(args.seqfiles), True, args.mode, args.seqfile_type,
             args.assembly_report, args.name_style, overwrite=args.overwrite)
    return 0
