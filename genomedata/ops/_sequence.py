"""The chromosomes of sequence files (FASTA), an assembly (AGP) or chromosome sizes written into
a new archive being built: the work of ``genomedata load-seq`` and the first step of
``genomedata load``.
"""

from __future__ import annotations

import os

from .. import _progress
from ..archive.build import ArchiveBuild
from ..archive.layout import (FILE_MODE_CHROMS, MIN_GAP_LEN, SUFFIX, create_seq,
                              create_supercontig)
from ..archive.writer import write_seq
from ..errors import GenomedataError, InputError, shorten
from ..inputs.sequence import (NameRegistry, SequenceBuffer, count_fasta_records,
                               iter_fasta_records, read_agp, read_assembly_report, read_sizes)

SEQFILE_TYPES = ("fasta", "agp", "sizes")
MODES = {None: None, "dir": "directory", "directory": "directory", "file": "file"}
DEFAULT_NAME_STYLE = "UCSC-style-name"


def load_sequence(build: ArchiveBuild, seqfilenames, include_seq=True, mode=None,
                  seqfile_type="fasta", assembly_report_file=None,
                  chromosome_name_style=DEFAULT_NAME_STYLE) -> None:
    """Start ``build`` (its kind chosen from ``mode`` and the number of sequences) and write
    one chromosome per sequence of ``seqfilenames`` into it; its files are closed at the end.
    An input without any sequence is an error.  The arguments are
    :func:`~genomedata.ops.load_seq.load_seq`'s."""
    if isinstance(seqfilenames, (str, bytes, os.PathLike)):
        seqfilenames = [seqfilenames]
    filenames = [os.fspath(name) for name in seqfilenames]
    if not filenames:
        raise GenomedataError("no sequence file given")
    if seqfile_type not in SEQFILE_TYPES:
        raise GenomedataError(f"unknown sequence file type {seqfile_type!r}; use one of: "
                              + ", ".join(SEQFILE_TYPES))
    if mode not in MODES:
        raise GenomedataError(f"unknown archive mode {mode!r}; use 'dir' or 'file'")
    kind = MODES[mode]
    for filename in filenames:
        if not os.path.exists(filename):
            raise GenomedataError(f"{filename}: no such file")
        if os.path.isdir(filename):
            raise GenomedataError(f"{filename}: is a directory, not a sequence file")

    rename = None
    if assembly_report_file is not None:
        report = read_assembly_report(assembly_report_file)
        rename = report.translator(chromosome_name_style)
    build.check()

    registry = NameRegistry()
    specs = None
    if seqfile_type == "fasta":
        if kind is None:
            with _progress.task("counting sequences", total=_total_size(filenames),
                                unit="bytes") as task:
                count = count_fasta_records(filenames, limit=FILE_MODE_CHROMS,
                                            progress=task.advance)
            found = f"at least {count}" if count >= FILE_MODE_CHROMS else str(count)
    else:
        reader = read_agp if seqfile_type == "agp" else read_sizes
        specs = []
        for filename in filenames:
            _progress.verbose(f"reading {filename}")
            specs.extend(reader(filename, rename, registry))
        count = len(specs)
        found = str(count)
    if kind is None:
        kind = "directory" if count < FILE_MODE_CHROMS else "file"
        _progress.verbose(f"no mode given: found {found} sequences, so using a "
                          f"{'directory' if kind == 'directory' else 'single-file'} archive")

    archive = build.start(kind)
    try:
        if specs is not None:
            _write_specs(archive, specs, build)
        else:
            _write_fasta(archive, filenames, include_seq, rename, registry, build)
    finally:
        archive.close()
    if not build.created:
        # an archive without chromosomes is of no use to any later command
        raise GenomedataError(f"{', '.join(filenames)}: no sequence with any bases; no "
                              "archive created")


# ------------------------------------------------------------------------------------------------
# Writing chromosomes

def write_chromosome(archive, name, end, starts, ends, seq=None):
    """Create chromosome ``name`` of length ``end`` with supercontigs ``[starts[i], ends[i])``
    and, when ``seq`` (the chromosome's uint8 sequence) is given, their ``seq`` datasets."""
    group = archive.create_chromosome(name, end)
    for index, (start, stop) in enumerate(zip(starts, ends)):
        start, stop = int(start), int(stop)
        supercontig = create_supercontig(group, index, start, stop)
        if seq is not None:
            write_seq(create_seq(supercontig, stop - start), seq[start:stop])
    if archive.kind == "directory":
        group.file.close()   # one file per chromosome: do not keep thousands open


def _check_file_name(archive, name, filename, line) -> None:
    """In a directory archive a chromosome is a file ``<name>.genomedata``: a name too long for
    a file name is an InputError at the line that defines it."""
    if archive.kind != "directory":
        return
    try:
        limit = os.pathconf(archive.path, "PC_NAME_MAX")
    except (OSError, ValueError):
        limit = 255
    length = len(os.fsencode(name + SUFFIX))
    if length > limit:
        raise InputError(filename, line, f"sequence name of {len(name)} characters is too "
                         f"long for a chromosome file name in a directory archive (at most "
                         f"{limit - len(SUFFIX)}); use a single-file archive (--file-mode)")


def _write_fasta(archive, filenames, include_seq, rename, registry, build):
    from ..kernels.seq import supercontig_bounds
    buffer = SequenceBuffer()
    with _progress.task("loading sequence", total=_total_size(filenames), unit="bytes") as task:
        for record in iter_fasta_records(filenames, buffer, rename=rename, registry=registry,
                                         progress=task.advance,
                                         on_file=lambda name: _progress.verbose(
                                             f"reading {name}")):
            if not record.length:
                _progress.warn(f"{record.filename}:{record.line}: sequence "
                               f"{shorten(record.name)} is empty; no chromosome created for it")
                continue
            seq = buffer.view()
            starts, ends = supercontig_bounds(seq, MIN_GAP_LEN)
            _progress.verbose(f"{shorten(record.name)}: {record.length} bases, "
                              f"{len(starts)} supercontigs")
            _check_file_name(archive, record.name, record.filename, record.line)
            build.created.append(record.name)
            write_chromosome(archive, record.name, record.length, starts, ends,
                             seq if include_seq else None)
            del seq


def _write_specs(archive, specs, build):
    with _progress.task("creating chromosomes", total=len(specs), unit="items") as task:
        for spec in specs:
            if not spec.supercontigs:
                _progress.warn(f"{spec.filename}:{spec.line}: sequence {shorten(spec.name)} has "
                               "no bases; no chromosome created for it")
            else:
                _check_file_name(archive, spec.name, spec.filename, spec.line)
                build.created.append(spec.name)
                starts = [start for start, _ in spec.supercontigs]
                ends = [end for _, end in spec.supercontigs]
                write_chromosome(archive, spec.name, spec.end, starts, ends)
            task.advance(1)


def _total_size(filenames) -> int:
    return sum(os.path.getsize(name) for name in filenames)
