"""``genomedata report``: mean and variance of every track (``genomedata-report``)."""

from __future__ import annotations

SUMMARY = "print the mean and variance of every track"
HELP = ("Print the mean and variance of every track, from the statistics of close-data, as "
        "tab-separated rows: 'measurement' and the track names, then 'mean' and 'var'.")

DRAWS_PROGRESS = False   # results on stdout, no long step


def add_arguments(parser) -> None:
    parser.add_argument("gdarchive", metavar="ARCHIVE", help="Genomedata archive (closed)")


def run(args) -> int:
    import sys

    from ..ops.summaries import report, report_lines
    sys.stdout.write("".join(line + "\n" for line in report_lines(report(args.gdarchive))))
    return 0
