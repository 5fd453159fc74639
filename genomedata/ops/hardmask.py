"""hardmask: write NaN over the regions of a mask file in some or all tracks
(``genomedata hardmask``).

The mask file is read by ``genomedata.inputs.regions`` (BED or WIG, optionally filtered by
score).  Its merged regions are clipped to the supercontigs: parts in gaps between
supercontigs, past the last one or on chromosomes the archive lacks are skipped (the latter
reported).

Masking works per supercontig: the chunk rows that some region touches are read once per
track (decoded on every core), a kernel writes NaN over all regions in them, and the chunks
are written back through the chunk writer.  ``dry_run`` only reads the archive's layout
(opened read-only: not one byte changes) and reports what would be masked.  Unless
``keep_archive_open``, close-data runs at the end, in the same transaction as the masking:
everything that could stop either (format version, track data it cannot read or write,
track names that do not match the columns) is checked before the first write, and a command
interrupted at any moment leaves the archive as it was (``genomedata.archive.journal``).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field

import numpy as np

from .. import _progress
from .._threads import default_threads
from ..archive import files as _files
from ..archive import layout as _layout
from ..archive.blocks import open_block_reader, read_columns
from ..archive.statistics import check_closable, close_files
from ..archive.writer import ChunkWriter
from ..errors import GenomedataError, UnsupportedError, not_found, shorten
from ..inputs.regions import as_filter, read_mask_file
from ._distribute import hardmask_on_executor


BLOCK_ROWS = 1 << 20  # rows per column read and rewritten at a time


# ------------------------------------------------------------------------------------------------
# the filter option


# ------------------------------------------------------------------------------------------------
# mask files


# ------------------------------------------------------------------------------------------------
# the archive

@dataclass
class ChromosomeMask:
    """What is (or would be) masked in one chromosome: the pieces of the merged mask regions
    that lie inside supercontigs."""

    starts: np.ndarray
    ends: np.ndarray

    @property
    def regions(self) -> int:
        return int(len(self.starts))

    @property
    def bases(self) -> int:
        return int((self.ends - self.starts).sum())


@dataclass
class HardmaskSummary:
    """What one ``hardmask_data`` call did (or, with ``dry_run``, would do)."""

    maskfile: str
    kind: str
    tracks: list
    filter: object = None
    dry_run: bool = False
    chromosomes: dict = field(default_factory=dict)     # chrom -> ChromosomeMask
    unknown_chromosomes: dict = field(default_factory=dict)  # chrom -> regions/lines skipped
    values_masked: int = 0     # non-NaN values overwritten with NaN (0 in a dry run)
    closed: bool = False       # close-data ran
    seconds: float = 0.0

    @property
    def regions(self) -> int:
        return sum(mask.regions for mask in self.chromosomes.values())

    @property
    def bases(self) -> int:
        return sum(mask.bases for mask in self.chromosomes.values())


def _archive_tracknames(files, path) -> list:
    result = None
    for root in files.roots():
        names = _layout.read_tracknames(root) or []
        if result is None:
            result = names
        elif names != result:
            raise GenomedataError(f"the chromosome files of {path} have different track "
                                  f"names ({result} and {names} in {root.file.filename}); "
                                  "run 'genomedata validate' for details")
    return result or []


def _select_tracks(all_tracks, track_names, path):
    if track_names is None:
        return list(all_tracks), list(range(len(all_tracks)))
    if isinstance(track_names, str):
        track_names = [track_names]
    names = list(track_names)
    missing = [name for name in names if name not in all_tracks]
    if missing:
        raise not_found("continuous track", missing[0], all_tracks, path)
    unique = list(dict.fromkeys(names))
    return unique, [all_tracks.index(name) for name in unique]


def _supercontig_layout(files) -> dict:
    """{chrom: (starts, ends)} int64 supercontig bounds in start order."""
    layout = {}
    for chrom in files.chromosome_names():
        group = files.chromosome_group(chrom)
        bounds = [_layout.supercontig_bounds(sc) for sc in _layout.supercontig_groups(group)]
        array = np.array(bounds, dtype=np.int64).reshape(-1, 2)
        layout[chrom] = (np.ascontiguousarray(array[:, 0]), np.ascontiguousarray(array[:, 1]))
    return layout


class _H5pyColumnWriter:
    """Column writes through h5py, for datasets the chunk writer does not handle."""

    def __init__(self, dataset):
        self.dataset = dataset

    def write_column(self, column, row_start, values):
        self.dataset[row_start:row_start + len(values), column] = values

    def close(self):
        pass


def mask_dataset(dataset, columns, starts, ends, pool=None, nthreads=1,
                 block_rows: int = BLOCK_ROWS, touched=None) -> int:
    """Write NaN over the merged regions ``starts``/``ends`` (rows of the dataset) in the
    track ``columns`` of one ``continuous`` dataset; returns the number of values that were
    not NaN before.  ``touched``: a list that gets ``(column, first row, end row)`` of every
    run of chunk rows rewritten."""
    from ..kernels.regions import chunk_blocks, mask_rows_chunks

    nrows, ncols = dataset.shape
    if columns and max(columns) >= ncols:
        raise GenomedataError(f"{dataset.name} in {dataset.file.filename} has {ncols} track "
                              "columns, fewer than the archive's track names; run "
                              "'genomedata validate' for details")
    chunk_rows = _layout.continuous_chunk_rows(dataset)
    b0, b1 = chunk_blocks(starts, ends, chunk_rows, nrows, block_rows)
    if not len(b0) or not columns:
        return 0
    try:
        writer = ChunkWriter(dataset, pool=pool)
    except ValueError:
        writer = _H5pyColumnWriter(dataset)
    reader = open_block_reader(dataset, pool, nthreads)
    changed = 0
    try:
        for lo, hi in zip(b0.tolist(), b1.tolist()):
            # fresh buffers each block: the writer may still be compressing the previous ones
            for column, values in zip(columns, read_columns(reader, columns, lo, hi - lo)):
                counts = np.zeros(-(-(hi - lo) // chunk_rows), dtype=np.int64)
                changed += int(mask_rows_chunks(values, lo, starts, ends, chunk_rows, counts))
                # rewrite only the chunks where a value changed, in runs of consecutive ones
                changed_chunks = np.flatnonzero(counts)
                if not len(changed_chunks):
                    continue
                breaks = np.flatnonzero(np.diff(changed_chunks) != 1) + 1
                for run in np.split(changed_chunks, breaks):
                    a = int(run[0]) * chunk_rows
                    b = min((int(run[-1]) + 1) * chunk_rows, hi - lo)
                    writer.write_column(column, lo + a, values[a:b])
                    if touched is not None:
                        touched.append((column, lo + a, lo + b))
    finally:
        try:
            reader.close()
        finally:
            writer.close()
    return changed


@_progress.verbose_argument
def hardmask_data(gd_filename, hardmask_filename, track_names=None, hardmask_function=None,
                  verbose=False, keep_archive_open=False, dry_run=False, *, threads=None,
                  block_rows: int = BLOCK_ROWS, executor=None) -> HardmaskSummary:
    """Mask (write NaN over) the regions of ``hardmask_filename`` (BED or WIG) in the tracks
    ``track_names`` (default: all) of the archive ``gd_filename``.

    ``hardmask_function``: a predicate on each region's score (e.g. ``lambda x: x < 0.5``), a
    :class:`HardmaskFilter` or an option string like ``"lt0.5"``; None masks every region.
    ``keep_archive_open``: skip close-data at the end (the archive stays dirty).
    ``dry_run``: change nothing; the summary says what would be masked.
    ``executor``: a :class:`concurrent.futures.Executor` whose workers see the same paths
    (Dask's ``Client.get_executor()``, a ``ProcessPoolExecutor``): each chromosome is then
    masked by one task there, in a scratch copy of its track arrays beside the archive
    (``threads`` in each task), and this process copies the rewritten chunks back as stored
    and writes the statistics, in one transaction.
    Returns a :class:`HardmaskSummary`.

    Mask the DNase track where the example peak file (BED, score in column 4) has a score
    above 40:

    >>> import os
    >>> from genomedata._hardmask import hardmask_data
    >>> archive = writable_copy()
    >>> peaks = os.path.join(example_data, "peaks.bed")
    >>> summary = hardmask_data(archive, peaks, ["dnase"], "gt40")
    >>> print(summary.regions, summary.bases, summary.values_masked, summary.closed)
    6 1973 640 True
    >>> with Genome(archive) as genome:
    ...     print(genome["chr1"][1869:1872, "dnase"])
    [nan nan nan]

    ``dry_run=True`` only reports what would be masked:

    >>> summary = hardmask_data(writable_copy(), peaks, dry_run=True)
    >>> print(summary.regions, summary.bases)
    22 6843
    """
    from concurrent.futures import ThreadPoolExecutor

    from ..kernels.regions import intersect_regions

    began = time.perf_counter()
    predicate = as_filter(hardmask_function)
    path = os.fspath(gd_filename)
    if _files.archive_kind(path) == "bigwig":
        raise UnsupportedError(f"{path} is a bigWig file, which is read-only")
    if not os.path.exists(os.fspath(hardmask_filename)):
        raise GenomedataError(f"{hardmask_filename}: no such file")

    with _files.ArchiveFiles(path, "r") as files:
        all_tracks = _archive_tracknames(files, path)
        tracks, columns = _select_tracks(all_tracks, track_names, path)
        layout = _supercontig_layout(files)
    if track_names is None:
        _progress.verbose(f"All tracks selected for masking: {tracks}")
    else:
        _progress.verbose(f"Tracks for masking: {tracks}")

    extents = {chrom: int(ends.max()) if len(ends) else 0 for chrom, (_, ends) in layout.items()}
    mask = read_mask_file(hardmask_filename, predicate, extents)
    summary = HardmaskSummary(maskfile=mask.name, kind=mask.kind, tracks=tracks,
                              filter=predicate, dry_run=dry_run)
    summary.unknown_chromosomes.update(mask.skipped)
    for chrom, (starts, ends) in mask.regions.items():
        if chrom not in layout:
            summary.unknown_chromosomes[chrom] = int(len(starts))
            continue
        pieces = intersect_regions(starts, ends, *layout[chrom])
        if len(pieces[0]):
            summary.chromosomes[chrom] = ChromosomeMask(*pieces)
    if summary.unknown_chromosomes:
        names = sorted(summary.unknown_chromosomes)
        shown = ", ".join(shorten(name, 40) for name in names[:5]) + (
            f" and {len(names) - 5} more" if len(names) > 5 else "")
        _progress.warn(f"{mask.name}: regions on chromosomes that {path} does not have were "
                       f"skipped ({shown})")

    if dry_run:
        summary.seconds = time.perf_counter() - began
        return summary

    # everything that could stop the work is checked before the first write
    with _files.ArchiveFiles(path, "r") as files:
        _check_archive(files, columns, close=not keep_archive_open)

    if executor is not None:
        with _files.ArchiveFiles(path, "r") as files:
            kind = files.kind
        summary.values_masked = hardmask_on_executor(
            executor, path, kind, summary.chromosomes, columns, _mask_chromosome,
            close=not keep_archive_open, min_gap=_layout.MIN_GAP_LEN, threads=threads,
            block_rows=block_rows)
        summary.closed = not keep_archive_open
        summary.seconds = time.perf_counter() - began
        return summary

    # masking and the statistics are one transaction: interrupted, nothing changes
    nthreads = default_threads() if threads is None else max(0, int(threads))
    pool = ThreadPoolExecutor(nthreads, thread_name_prefix="hardmask") if nthreads else None
    try:
        with _files.ArchiveFiles(path, "r+") as files:
            with _progress.task("masking", total=len(summary.chromosomes),
                                unit="chromosomes") as task:
                for chrom, chrom_mask in summary.chromosomes.items():
                    _progress.verbose(f"masking {chrom}: {chrom_mask.regions} regions, "
                                      f"{chrom_mask.bases} bases")
                    group = files.chromosome_group(chrom)
                    _layout.write_dirty(group, True)
                    if tracks:
                        summary.values_masked += _mask_chromosome(
                            group, columns, chrom_mask, pool, max(1, nthreads), block_rows)
                    task.advance()
            if not keep_archive_open:
                close_files(files, threads=threads)
    finally:
        if pool is not None:
            pool.shutdown()
    summary.closed = not keep_archive_open
    summary.seconds = time.perf_counter() - began
    return summary


def write_regions(summary: HardmaskSummary, stream) -> None:
    """The regions a (dry) run masks, as BED lines (``chrom start end``) on the binary
    ``stream``, chromosome by chromosome.

    >>> import io, os
    >>> summary = hardmask_data(example_archive, os.path.join(example_data, "peaks.bed"),
    ...                         dry_run=True)
    >>> out = io.BytesIO()
    >>> write_regions(summary, out)
    >>> print(out.getvalue().decode().splitlines()[0])
    chr1	1869	2307
    """
    from ..kernels.mask import format_bed3
    for chrom, mask in summary.chromosomes.items():
        name = np.frombuffer(chrom.encode("ascii"), dtype=np.uint8)
        stream.write(format_bed3(name, mask.starts, mask.ends).tobytes())
    stream.flush()


def _check_archive(files, columns, close: bool) -> None:
    """Refuse, before anything is written, an archive hardmask cannot finish on: a format
    version newer than ours, track data it cannot read or write (``_layout.continuous_of``,
    ``_layout.check_filters``) or without a column for a selected track, and (``close``)
    whatever close-data refuses."""
    for chrom in files.chromosome_names():
        group = files.chromosome_group(chrom)
        _layout.check_format_version(_layout.format_version_of(group))
        for supercontig in _layout.supercontig_groups(group):
            dataset = _layout.continuous_of(supercontig)
            if dataset is None:
                continue
            _layout.check_filters(dataset, write=True)
            if columns and max(columns) >= dataset.shape[1]:
                raise GenomedataError(f"{_layout.describe(dataset)} has {dataset.shape[1]} "
                                      "track columns, fewer than the archive's track names; "
                                      "run 'genomedata validate' for details")
    if close:
        check_closable(files)


def _mask_chromosome(group, columns, chrom_mask, pool, nthreads, block_rows,
                     touched=None) -> int:
    """Mask one chromosome group's supercontigs; ``touched``: a dict that gets, by supercontig
    bounds, the runs of chunk rows rewritten (``mask_dataset``)."""
    changed = 0
    starts, ends = chrom_mask.starts, chrom_mask.ends
    for supercontig in _layout.supercontig_groups(group):
        sc_start, sc_end = _layout.supercontig_bounds(supercontig)
        i0 = int(np.searchsorted(ends, sc_start, side="right"))
        i1 = int(np.searchsorted(starts, sc_end, side="left"))
        if i1 <= i0:
            continue
        dataset = _layout.continuous_of(supercontig, sc_end - sc_start)
        if dataset is None:  # no track was ever opened here: nothing to mask
            continue
        local_starts = np.clip(starts[i0:i1], sc_start, sc_end) - sc_start
        local_ends = np.clip(ends[i0:i1], sc_start, sc_end) - sc_start
        changed += mask_dataset(dataset, columns, local_starts, local_ends, pool, nthreads,
                                block_rows, None if touched is None else
                                touched.setdefault((sc_start, sc_end), []))
    return changed
