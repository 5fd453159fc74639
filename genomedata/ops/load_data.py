"""load-data: load one track's signal into an archive (``genomedata load-data``).

The loading itself is ``_track.load_track`` (``genomedata load`` loads each track with it too);
this is the command's library function: it opens the input and the archive, and the archive's
writes are one transaction (a failure or an interruption leaves the archive as it was).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from .. import _progress
from .._threads import default_threads
from ..archive.files import ArchiveFiles
from ..inputs.sources import open_source
from ._track import LoadSummary, load_track


@_progress.verbose_argument
def load_data(gdfilename, trackname, datafile=None, maskfile=None, verbose=False, *,
              chunk_size=None, chr_prefix=None, allow_empty=False) -> LoadSummary:
    """Load ``datafile`` (WIG, bedGraph, BED3+1 or bigWig; gzip allowed; standard input when
    None or "-") into track ``trackname`` of archive ``gdfilename``.

    ``maskfile``: BED regions whose input data is not loaded.  ``chunk_size``: if given, must
    equal the archive's chunk height.  ``chr_prefix``: ``"add"`` or ``"remove"`` the ``chr``
    of the input's chromosome names to match the archive's
    (:func:`~genomedata.ops._track.chromosome_renamer`).  Returns a :class:`LoadSummary`.

    An input without data, or none of whose chromosomes are in the archive, is an error
    (nothing is written) unless ``allow_empty``; data on some chromosomes the archive lacks
    is skipped with a warning.

    The track must exist (:func:`~genomedata.ops.open_data.open_data`).  Values already in the
    track stay where the input has none; run :func:`~genomedata.ops.close_data.close_data`
    afterwards.  The format is recognised from the content (see docs/inputs.md).

    >>> import os
    >>> from genomedata import close_data, load_data, open_data
    >>> archive = writable_copy()
    >>> open_data(archive, ["peaks"])
    >>> summary = load_data(archive, "peaks", os.path.join(example_data, "peaks.bed"))
    >>> print(summary.values, summary.bases)
    24 6843
    >>> close_data(archive)
    >>> with Genome(archive) as genome:
    ...     print(genome["chr1"][1868:1871, "peaks"])
    [ nan 49.3 49.3]
    """
    source = open_source(datafile)
    try:
        # an exception leaving the block undoes what was written (archive.journal)
        with ArchiveFiles(gdfilename, "r+") as archive, \
                ThreadPoolExecutor(default_threads()) as pool:
            return load_track(archive, trackname, source, pool=pool, shown=gdfilename,
                              maskfile=maskfile, chunk_size=chunk_size, chr_prefix=chr_prefix,
                              allow_empty=allow_empty)
    finally:
        source.close()
