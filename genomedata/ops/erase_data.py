"""erase-data: write NaN over whole tracks (``genomedata erase-data``).

Every track name is checked before anything is written.  Then every chromosome is marked dirty
and, in every supercontig, the track's column is erased (``archive.writer.erase_column``: only
the chunks that are stored, in archives whose fill value is NaN).  Run close-data afterwards
(``erase → load-data → close-data`` replaces a track).
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from .. import _progress
from .._threads import default_threads
from ..archive import layout as _layout
from ..archive.files import ArchiveFiles, archive_kind
from ..archive.writer import erase_column
from ..errors import GenomedataError, UnsupportedError, not_found


@dataclass
class EraseSummary:
    """What one ``erase_data`` call did."""

    tracks: list
    chromosomes: int = 0
    chunks_rewritten: int = 0
    columns: dict = field(default_factory=dict)  # track -> supercontig columns erased


def _check_names(files, names, path) -> dict:
    """{name: column}, the same in every file of the archive."""
    columns = None
    for root in files.roots():
        tracknames = _layout.read_tracknames(root) or []
        missing = [name for name in names if name not in tracknames]
        if missing:
            raise not_found("continuous track", missing[0], tracknames, path)
        these = {name: tracknames.index(name) for name in names}
        if columns is None:
            columns = these
        elif these != columns:
            raise GenomedataError(f"the chromosome files of {path} list the tracks in "
                                  "different orders; run 'genomedata validate' for details")
    if columns is None:
        raise GenomedataError(f"{path} has no chromosomes, so no tracks to erase")
    return columns


@_progress.verbose_argument
def erase_data(gdfilename, trackname, verbose=False, *, threads=None):
    """Write NaN over the track ``trackname`` (a name, or a list of names) in every
    chromosome of the archive ``gdfilename`` and mark the archive dirty (run close-data
    afterwards).  Returns an :class:`EraseSummary`.

    The track keeps its name and column.  To replace a track's data: erase it, load the new
    data into it with :func:`~genomedata.ops.load_data.load_data`, then run
    :func:`~genomedata.ops.close_data.close_data`.  Unknown track names are refused before
    anything is written.

    >>> from genomedata import close_data
    >>> from genomedata._erase_data import erase_data
    >>> archive = writable_copy()
    >>> summary = erase_data(archive, "dnase")
    >>> summary.tracks, summary.chromosomes
    (['dnase'], 2)
    >>> close_data(archive)
    >>> with Genome(archive) as genome:
    ...     print(genome.tracknames_continuous, genome.num_datapoints)
    ['conservation', 'dnase'] [16000     0]
    """
    names = [trackname] if isinstance(trackname, str) else list(trackname)
    if not names:
        raise GenomedataError("no track name given")
    path = os.fspath(gdfilename)
    if archive_kind(path) == "bigwig":
        raise UnsupportedError(f"{path} is a bigWig file, which is read-only")

    with ArchiveFiles(path, "r") as files:  # check before anything is written
        columns = _check_names(files, names, path)
    names = list(dict.fromkeys(names))
    summary = EraseSummary(tracks=names, columns={name: 0 for name in names})

    nthreads = default_threads() if threads is None else max(0, int(threads))
    pool = ThreadPoolExecutor(nthreads, thread_name_prefix="erase") if nthreads else None
    try:
        with ArchiveFiles(path, "r+") as files:
            chromosomes = files.chromosome_names()
            for name in names:
                _progress.verbose(f"Erasing data for track: {name}.")
            with _progress.task("erasing", total=len(chromosomes), unit="chromosomes") as task:
                for chrom in chromosomes:
                    group = files.chromosome_group(chrom)
                    _layout.write_dirty(group, True)
                    for supercontig in _layout.supercontig_groups(group):
                        dataset = _layout.continuous_of(supercontig)
                        if dataset is None:
                            continue
                        for name in names:
                            summary.chunks_rewritten += erase_column(dataset, columns[name],
                                                                     pool)
                            summary.columns[name] += 1
                    summary.chromosomes += 1
                    _progress.verbose(f" erased {chrom}")
                    task.advance()
    finally:
        if pool is not None:
            pool.shutdown()
    _progress.verbose("done")
    return summary
