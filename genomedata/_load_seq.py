"""Create a Genomedata archive from sequence (FASTA), an assembly (AGP) or chromosome sizes.

``load_seq`` is the library function behind ``genomedata load-seq``; its positional parameters
are those of genomedata 1.7.4's ``genomedata._load_seq.load_seq``.  ``load_sequence`` writes the
chromosomes into a new archive being built (``load_seq``, and ``genomedata load``).
"""

from __future__ import annotations

import os

from . import _progress
from .archive.build import ArchiveBuild
from .archive.layout import (FILE_MODE_CHROMS, MIN_GAP_LEN, SUFFIX, create_seq,
                             create_supercontig)
from .archive.writer import write_seq
from .errors import GenomedataError, InputError, shorten
from .inputs.sequence import (NameRegistry, SequenceBuffer, count_fasta_records,
                              iter_fasta_records, read_agp, read_assembly_report, read_sizes)

SEQFILE_TYPES = ("fasta", "agp", "sizes")
MODES = {None: None, "dir": "directory", "directory": "directory", "file": "file"}
DEFAULT_NAME_STYLE = "UCSC-style-name"


@_progress.verbose_argument
def load_seq(gdfilename, seqfilenames, include_seq=True, mode=None, seqfile_type="fasta",
             assembly_report_file=None, chromosome_name_style=DEFAULT_NAME_STYLE,
             verbose=False, *, overwrite=False):
    """Create the archive ``gdfilename`` with one chromosome per sequence of ``seqfilenames``.

    ``seqfile_type``:

    * ``"fasta"`` (plain or gzip, any number of records per file): a chromosome per record,
      named by the first word of its ``>`` line, with ``seq`` datasets (unless ``include_seq``
      is false).  It is split into supercontigs at gaps, runs of at least ``MIN_GAP_LEN``
      (100000) characters other than ``ACGTacgt``.  A record with no sequence creates no
      chromosome (a warning says so) and the records after it load as usual.  A sequence made
      only of one gap gives a chromosome with its length and no supercontig.
    * ``"agp"``: a chromosome per AGP object; supercontigs are the component rows merged where
      they touch, split at gap rows; no ``seq``.  An object without component rows creates no
      chromosome (warning).
    * ``"sizes"``: ``NAME SIZE`` lines; one supercontig [0, SIZE) per chromosome, no ``seq``.
      A size of 0 creates no chromosome (warning).

    ``mode``: ``"dir"``/``"directory"``, ``"file"``, or None to use a directory for fewer than
    ``FILE_MODE_CHROMS`` (100) sequences and a single file otherwise.

    ``assembly_report_file`` (a path or an open file) translates every sequence name to the
    ``chromosome_name_style`` column of an NCBI assembly report.

    An existing ``gdfilename`` is an error unless ``overwrite`` is true (it must then look like a
    Genomedata archive: an HDF5 file, or a directory of ``*.genomedata`` files); an existing empty
    directory is used as it is for a directory archive.  The archive is built under a temporary
    name beside ``gdfilename`` and renamed into place when complete, so a failure (malformed
    input, interruption) leaves nothing half-written and leaves an archive being replaced as it
    was.  Errors in the input are :class:`~genomedata.errors.InputError` (``FILE:LINE: ...``).

    The archive is left dirty, ready for :func:`~genomedata._open_data.open_data`; run
    :func:`~genomedata._close_data.close_data` before reading it.

    >>> import os
    >>> from genomedata import close_data, load_seq
    >>> archive = scratch_dir() + "/seq.genomedata"
    >>> load_seq(archive, [os.path.join(example_data, "chr1.fa"),
    ...                    os.path.join(example_data, "chr2.fa.gz")])
    >>> close_data(archive)
    >>> with Genome(archive) as genome:
    ...     for chromosome in genome:
    ...         print(chromosome.name, [(sc.start, sc.end) for sc in chromosome])
    chr1 [(0, 60000)]
    chr2 [(0, 30000), (130000, 150000)]

    From a sizes file (``NAME SIZE`` per line), without sequence:

    >>> sizes = os.path.join(scratch_dir(), "genome.sizes")
    >>> _ = open(sizes, "w").write("chrA 5000\\nchrB 3000\\n")
    >>> load_seq(scratch_dir() + "/sizes.genomedata", [sizes], seqfile_type="sizes")
    """
    build = ArchiveBuild(gdfilename, overwrite)
    try:
        load_sequence(build, seqfilenames, include_seq, mode, seqfile_type,
                      assembly_report_file, chromosome_name_style)
        build.finish()
    except BaseException:
        build.abandon()
        raise
    _progress.verbose(f"created {gdfilename} with {len(build.created)} chromosomes")


def load_sequence(build: ArchiveBuild, seqfilenames, include_seq=True, mode=None,
                  seqfile_type="fasta", assembly_report_file=None,
                  chromosome_name_style=DEFAULT_NAME_STYLE) -> None:
    """Start ``build`` (its kind chosen from ``mode`` and the number of sequences) and write
    one chromosome per sequence of ``seqfilenames`` into it (see :func:`load_seq`); its files
    are closed at the end.  An input without any sequence is an error."""
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
    from .kernels.seq import supercontig_bounds
    buffer = SequenceBuffer()
    with _progress.task("loading sequence", total=_total_size(filenames), unit="bytes") as task:
        for record in iter_fasta_records(filenames, buffer, rename=rename, registry=registry,
                                         progress=task.advance,
                                         on_file=lambda name: _progress.verbose(f"reading {name}")):
            if not record.length:
                _progress.warn(f"{record.filename}:{record.line}: sequence {shorten(record.name)} is empty; "
                               "no chromosome created for it")
                continue
            seq = buffer.view()
            starts, ends = supercontig_bounds(seq, MIN_GAP_LEN)
            _progress.verbose(f"{shorten(record.name)}: {record.length} bases, {len(starts)} supercontigs")
            _check_file_name(archive, record.name, record.filename, record.line)
            build.created.append(record.name)
            write_chromosome(archive, record.name, record.length, starts, ends,
                             seq if include_seq else None)
            del seq


def _write_specs(archive, specs, build):
    with _progress.task("creating chromosomes", total=len(specs), unit="items") as task:
        for spec in specs:
            if not spec.supercontigs:
                _progress.warn(f"{spec.filename}:{spec.line}: sequence {shorten(spec.name)} has no bases; no "
                               "chromosome created for it")
            else:
                _check_file_name(archive, spec.name, spec.filename, spec.line)
                build.created.append(spec.name)
                starts = [start for start, _ in spec.supercontigs]
                ends = [end for _, end in spec.supercontigs]
                write_chromosome(archive, spec.name, spec.end, starts, ends)
            task.advance(1)


def _total_size(filenames) -> int:
    return sum(os.path.getsize(name) for name in filenames)
