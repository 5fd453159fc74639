"""erase-data: write NaN over whole tracks (``genomedata erase-data``, REFERENCE §4.3).

Every track name is checked before anything is written.  Then every chromosome is marked dirty
and, in every supercontig, the track's column is erased chunk by chunk through the chunk writer:
in archives whose fill value is NaN (all that Genomedata writes) only the chunks that are stored
are rewritten (chunks never written already read NaN); in old archives with fill value 0 every
chunk is.  Run close-data afterwards (``erase → load-data → close-data`` replaces a track).
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from . import _layout
from . import _progress
from .errors import GenomedataError, UnsupportedError, not_found

BLOCK_ROWS = 1 << 20  # rows of NaN handed to the chunk writer at a time


@dataclass
class EraseSummary:
    """What one ``erase_data`` call did."""

    tracks: list
    chromosomes: int = 0
    chunks_rewritten: int = 0
    columns: dict = field(default_factory=dict)  # track -> supercontig columns erased


def _stored_chunk_rows(dataset, column: int):
    """Sorted first rows of the stored chunks of one column (None if HDF5 cannot tell)."""
    rows = []
    chunk_rows = _layout.continuous_chunk_rows(dataset)

    def visit(info):
        if info.byte_offset is not None and info.chunk_offset[1] == column:
            rows.append(info.chunk_offset[0])

    try:
        dataset.id.chunk_iter(visit)
    except (AttributeError, NotImplementedError, RuntimeError):
        rows = []
        info = dataset.id.get_chunk_info_by_coord
        for row in range(0, int(dataset.shape[0]), chunk_rows):
            try:
                if info((row, column)).byte_offset is not None:
                    rows.append(row)
            except (RuntimeError, ValueError):
                return None
    return np.unique(np.asarray(rows, dtype=np.int64))


def _row_runs(first_rows, chunk_rows, nrows, max_rows):
    """Runs ``(lo, hi)`` of consecutive chunks (given by their first rows), at most
    ``max_rows`` rows each."""
    if not len(first_rows):
        return []
    breaks = np.flatnonzero(np.diff(first_rows) != chunk_rows) + 1
    runs = []
    for part in np.split(first_rows, breaks):
        lo, end = int(part[0]), min(int(part[-1]) + chunk_rows, nrows)
        while lo < end:
            hi = min(end, lo + max_rows)
            runs.append((lo, hi))
            lo = hi
    return runs


def erase_column(dataset, column: int, pool=None, block_rows: int = BLOCK_ROWS) -> int:
    """Write NaN over one column of a ``continuous`` dataset; returns the chunks written."""
    from ._writer import ChunkWriter

    nrows = int(dataset.shape[0])
    if nrows == 0 or column >= dataset.shape[1]:
        return 0
    chunk_rows = _layout.continuous_chunk_rows(dataset)
    max_rows = max(chunk_rows, block_rows // chunk_rows * chunk_rows)
    stored = None
    if _layout.continuous_fill_is_nan(dataset) and dataset.chunks is not None:
        stored = _stored_chunk_rows(dataset, column)
    if stored is None:  # every chunk (old archives read 0 where nothing was written)
        stored = np.arange(0, nrows, chunk_rows, dtype=np.int64)
    runs = _row_runs(stored, chunk_rows, nrows, max_rows)
    if not runs:
        return 0
    nan = np.full(min(max_rows, nrows), np.nan, dtype=np.float32)
    try:
        writer = ChunkWriter(dataset, pool=pool)
    except ValueError:  # not chunked along single columns: h5py writes
        for lo, hi in runs:
            dataset[lo:hi, column] = nan[:hi - lo]
        return len(stored)
    with writer:
        for lo, hi in runs:
            writer.write_column(column, lo, nan[:hi - lo])
    return len(stored)


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
    data into it with :func:`~genomedata._load_data.load_data`, then run
    :func:`~genomedata._close_data.close_data`.  Unknown track names are refused before
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
    if _layout.archive_kind(path) == "bigwig":
        raise UnsupportedError(f"{path} is a bigWig file, which is read-only")

    with _layout.ArchiveFiles(path, "r") as files:  # check before anything is written
        columns = _check_names(files, names, path)
    names = list(dict.fromkeys(names))
    summary = EraseSummary(tracks=names, columns={name: 0 for name in names})

    from ._threads import default_threads
    nthreads = default_threads() if threads is None else max(0, int(threads))
    pool = ThreadPoolExecutor(nthreads, thread_name_prefix="erase") if nthreads else None
    try:
        with _layout.ArchiveFiles(path, "r+") as files:
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
