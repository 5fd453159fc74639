"""close-data: compute every chromosome's track statistics and data chunks, mark it clean.

The computation is ``genomedata.archive.statistics`` (hardmask and ``genomedata load`` write
the same results); this is the command's library function.
"""

from __future__ import annotations

import os

from .. import _progress
from ..archive.files import ArchiveFiles
from ..archive.layout import MIN_GAP_LEN
from ..archive.statistics import check_closable, close_files
from ._distribute import close_on_executor


@_progress.verbose_argument
def close_data(gdfilename, verbose=False, *, min_gap: int = MIN_GAP_LEN,
               block_rows=None, block_tracks=None, threads=None, raw_chunks: bool = True,
               executor=None):
    """Compute the statistics and data chunks of every chromosome and mark it clean.

    ``gdfilename``: a directory or single-file archive (str or Path).  ``verbose`` prints the
    reference's progress lines on stderr (unless a reporter is current: see
    ``genomedata._progress``).

    Tuning and testing knobs: ``threads`` (default: every available core; 0 reads, decodes and
    scans in the calling thread only), ``block_rows``/``block_tracks`` (block size),
    ``min_gap`` (the gap that splits data chunks; the format's value is ``MIN_GAP_LEN``),
    ``raw_chunks=False`` (let HDF5 decode every chunk).

    ``executor``: a :class:`concurrent.futures.Executor` whose workers see the same paths
    (Dask's ``Client.get_executor()``, a ``ProcessPoolExecutor``): each chromosome is then
    read by one task there (``threads`` in each), and the results written here.

    Run it after anything that changes data (load-data, writes through ``Genome(path,
    "r+")``, erase-data, hardmask with ``keep_archive_open``): until then the archive is
    dirty and cannot be opened read-only.

    >>> from genomedata import close_data
    >>> archive = writable_copy()
    >>> with Genome(archive, "r+") as genome:
    ...     genome["chr1"][0:10, "dnase"] = 1.0
    >>> close_data(archive)
    >>> with Genome(archive) as genome:
    ...     print(genome["chr1"].num_datapoints)
    [ 5000 26003]
    """
    path = os.fspath(gdfilename)
    if executor is not None:
        close_on_executor(executor, path, min_gap=min_gap, threads=threads)
        return
    with ArchiveFiles(path, "r+") as files:
        layouts = check_closable(files)
        close_files(files, min_gap=min_gap, block_rows=block_rows,
                    block_tracks=block_tracks, threads=threads, raw_chunks=raw_chunks,
                    layouts=layouts)
