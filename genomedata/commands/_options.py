"""Options and arguments that more than one command takes."""

from __future__ import annotations

import glob
import os


def add_name_options(parser):
    """--chr-prefix and --allow-empty (load-data and load)."""
    parser.add_argument("--chr-prefix", choices=("add", "remove"),
                        help="add or remove the 'chr' of the input's chromosome names to "
                             "match the archive's: 'add' reads 1 as chr1 (and MT as chrM), "
                             "'remove' reads chr1 as 1 (chrM as MT)")
    parser.add_argument("--allow-empty", action="store_true",
                        help="accept an input without data on the archive's chromosomes "
                             "(the track stays as it is) instead of failing")


def add_cluster_options(parser):
    """--workers, --scheduler and --scheduler-file: one task per chromosome on a Dask cluster
    (load, close-data, hardmask)."""
    group = parser.add_argument_group(
        "on a Dask cluster (extra genomedata[dask]; workers must see the same paths: a "
        "shared file system)")
    where = group.add_mutually_exclusive_group()
    where.add_argument("--workers", type=int, metavar="N",
                       help="start a local Dask cluster of N worker processes for this "
                            "command (one chromosome at a time each) and stop it afterwards")
    where.add_argument("--scheduler", metavar="ADDRESS",
                       help="run the chromosomes on the running Dask scheduler at ADDRESS "
                            "(e.g. tcp://10.0.0.5:8786)")
    where.add_argument("--scheduler-file", metavar="PATH",
                       help="run the chromosomes on the Dask scheduler described by PATH "
                            "(what 'dask scheduler --scheduler-file PATH' writes)")


def expand_globs(patterns) -> list[str]:
    """Expand each pattern with glob (sorted); a pattern without a match is kept as given, so
    that a missing file is reported by name."""
    result = []
    for pattern in patterns:
        pattern = os.fspath(pattern)
        matches = sorted(glob.glob(os.path.expanduser(pattern)))
        result.extend(matches if matches else [pattern])
    return result


def add_picture_options(parser, width):
    """-o/--output, --width, --height and --title (plot, profile)."""
    parser.add_argument("-o", "--output", metavar="FILE", required=True,
                        help="the picture to write: FILE.png, FILE.svg or FILE.pdf (the "
                             "suffix gives the format; an existing file is replaced)")
    parser.add_argument("--width", type=float, metavar="INCHES", default=width,
                        help="width of the picture in inches, 100 pixels each in a PNG "
                             + (f"(default: {width:g})" if width else
                                "(default: from the number of tracks)"))
    parser.add_argument("--height", type=float, metavar="INCHES",
                        help="height of the picture in inches (default: from the number of "
                             "tracks)")
    parser.add_argument("--title", help="title above the picture")


def check_picture_size(args):
    """The --width and --height of a picture, checked."""
    from ..errors import GenomedataError
    for name in ("width", "height"):
        value = getattr(args, name)
        if value is not None and not 0.5 <= value <= 100:
            raise GenomedataError(f"--{name} {value:g} is not a size in inches between 0.5 "
                                  f"and 100")
