"""``genomedata info``: track names, supercontigs or chromosome sizes of an archive."""

from __future__ import annotations

from .. import _progress
from ..errors import dirty_message

SUMMARY = "print track names, supercontigs or chromosome sizes"
HELP = ("Print information about a Genomedata archive: its track names (as a Python list), "
        "its supercontigs (CHROM START END per line) or its chromosome sizes (CHROM SIZE, "
        "longest first).  It answers on an archive not closed with close-data too (none of "
        "this changes there), with a warning.")

DRAWS_PROGRESS = False   # results on stdout, no long step

COMMANDS = ("tracknames", "tracknames_continuous", "contigs", "sizes")


def add_arguments(parser) -> None:
    # dest must not be "command": the dispatcher keeps the subcommand name there
    parser.add_argument("info_command", choices=COMMANDS,
                        metavar="{" + ",".join(COMMANDS) + "}",
                        help="what to print: tracknames (or tracknames_continuous), contigs, "
                             "sizes")
    parser.add_argument("gdarchive", metavar="ARCHIVE", help="Genomedata archive")


def lines(genome, command: str):
    """The output lines of ``command`` for an open genome."""
    if command in ("tracknames", "tracknames_continuous"):
        yield str(genome.tracknames_continuous)
    elif command == "contigs":
        for chromosome in genome:
            for supercontig in chromosome:
                yield f"{chromosome.name}\t{supercontig.start}\t{supercontig.end}"
    elif command == "sizes":
        sizes = [(int(chromosome.end), chromosome.name) for chromosome in genome]
        for end, name in sorted(sizes, key=lambda item: (-item[0], item[1])):
            yield f"{name}\t{end}"
    else:
        raise ValueError(f"unknown info command: {command}")


def run(args) -> int:
    from ..api.genome import Genome
    dirty = None
    with Genome(args.gdarchive, _dirty_ok=True) as genome:
        for line in lines(genome, args.info_command):
            print(line)
        if genome.__class__ is Genome:
            dirty = genome._chromosomes.first_dirty()
    if dirty is not None:
        _progress.warn(dirty_message(args.gdarchive, dirty))
    return 0
