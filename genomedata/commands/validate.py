"""``genomedata validate``: check an archive and explain its problems."""

from __future__ import annotations

from .. import _progress

SUMMARY = "check an archive and explain its problems (exit 1 if any)"
HELP = ("Check an archive without changing it: layout and attribute types, format version, "
        "dirty chromosomes, track lists that differ between chromosome files, supercontigs "
        "without track data, missing statistics, and tracks without any data.  Prints each "
        "problem with what to do about it; the exit status is 0 only when there is none.")


def add_arguments(parser) -> None:
    parser.add_argument("gdarchive", metavar="ARCHIVE",
                        help="Genomedata archive (directory or single file)")


def run(args) -> int:
    from ..ops.validate import validate
    findings = validate(args.gdarchive)
    for finding in findings:
        print(f"{finding.severity}: {finding}")
    if findings:
        errors = sum(f.severity == "error" for f in findings)
        warnings = len(findings) - errors
        _progress.info(f"{args.gdarchive}: {errors} error(s), {warnings} warning(s)")
        return 1
    print(f"{args.gdarchive}: no problems found")
    return 0
