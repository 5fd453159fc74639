"""load-seq: create a Genomedata archive from sequence (FASTA), an assembly (AGP) or chromosome
sizes (``genomedata load-seq``).

``load_seq`` keeps the positional parameters of genomedata 1.7.4's
``genomedata._load_seq.load_seq``; the chromosomes are written by ``_sequence.load_sequence``
into an archive built under a temporary name (``archive.build``).
"""

from __future__ import annotations

from .. import _progress
from ..archive.build import ArchiveBuild
from ._sequence import DEFAULT_NAME_STYLE, load_sequence


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

    The archive is left dirty, ready for :func:`~genomedata.ops.open_data.open_data`; run
    :func:`~genomedata.ops.close_data.close_data` before reading it.

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
