"""The statistics and data chunks that close-data writes, computed once for every caller.

Per chromosome, in one pass over the data:

1. every supercontig's ``continuous`` dataset is cut into blocks of whole chunk rows
   (``blocks.plan_blocks``), one task per block on a thread per core: each chunk of the block
   is read by pread, inflated (ISA-L, without the GIL) and handed to one numba kernel that
   undoes its byte shuffle in cache and adds its finite values to per-track accumulators
   (min, max, float64 sum and sum of squares, count) and marks the rows where any track is
   finite; a second kernel turns those row marks into the block's first and last present row
   and its internal gaps of at least ``MIN_GAP_LEN`` rows.  The calling thread adds the
   blocks up in row order, so each track's sums are those of one sequential pass, whatever
   the number of threads (datasets whose chunks HDF5 must decode are read in blocks through
   h5py instead, :func:`scan_continuous`, with the same results);
2. ``chunk_starts``/``chunk_ends`` of every supercontig then follow from those summaries alone
   (:func:`chunk_bounds`), without reading the following supercontigs again as genomedata 1.7
   did.

While one chromosome is written, the following ones are being read.

:func:`close_files` is close-data on an archive open for writing (close-data itself, and
hardmask, which masks and closes in one transaction); :class:`StatisticsCollector` computes the
same results from values in memory (``genomedata load`` builds a new archive and does not read
it back).  :func:`check_closable` finds, before anything is written, what close-data refuses.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from .. import _progress
from .._threads import default_threads
from ..errors import GenomedataError
from .blocks import Block, RawChunkReader, open_block_reader, plan_blocks
from .files import ArchiveFiles
from .layout import (BLOCK_SUMMARY_ROWS, DEFAULT_CHUNK_ROWS, MIN_GAP_LEN, RootCache,
                     block_count, block_summaries_dataset, check_filters, check_format_version,
                     continuous_chunk_rows, continuous_of, describe, keeps_block_summaries,
                     read_tracknames, remove_block_summaries, statistics_fingerprint,
                     supercontig_bounds, supercontig_groups, supercontig_groups_with_bounds,
                     write_chunk_bounds, write_dirty, write_statistics)
from .writer import write_array


# ------------------------------------------------------------------------------------------------
# Summaries and chunk bounds (pure Python, per supercontig)

@dataclass
class SupercontigScan:
    """What close-data needs to know about one supercontig's rows with data.

    ``first``/``last``: supercontig-relative first and last row where some track is finite
    (``None`` when no row is); ``gaps``: ``(end, start)`` pairs, one per run of at least
    ``min_gap`` rows without data between two present rows (``end`` = last present row before
    the gap + 1, ``start`` = first present row after it), in order; ``blocks``: the
    summaries of its blocks of ``BLOCK_SUMMARY_ROWS`` rows, float32 ``(blocks, ntracks, 4)``
    (``kernels.stats.new_block_summaries``), None when it has no track data.
    """

    start: int
    length: int
    first: int | None = None
    last: int | None = None
    gaps: list = field(default_factory=list)
    name: str = ""
    blocks: object = None


def chunk_bounds(scans, min_gap: int = MIN_GAP_LEN):
    """``(chunk_starts, chunk_ends)`` lists for each supercontig of a chromosome.

    ``scans``: :class:`SupercontigScan` objects of one chromosome in start order.  Follows
    genomedata 1.7's rule exactly (docs/format.md), except that a data position at chromosome
    coordinate 0 counts as data in the look-ahead (genomedata 1.7 tested it for truth).
    """
    scans = list(scans)
    count = len(scans)

    # next_start[i]: first chromosome coordinate with data in supercontig i+1 or later
    next_start = [None] * count
    following = None
    for index in range(count - 1, -1, -1):
        next_start[index] = following
        scan = scans[index]
        if scan.first is not None:
            following = scan.start + scan.first

    result = []
    prev_end = 0  # chromosome coordinate where data was last present
    for index, scan in enumerate(scans):
        has_prev = index > 0
        has_next = index < count - 1
        upcoming = next_start[index]
        if scan.first is not None:
            if len(scan.gaps):
                starts = [scan.first] + [int(start) for _end, start in scan.gaps]
                ends = [int(end) for end, _start in scan.gaps] + [scan.last + 1]
            else:
                starts = [0]
                ends = [scan.length]
            if not has_prev or (scan.start + scan.first) - prev_end > min_gap:
                starts[0] = scan.first
            last = scan.last + 1
            if (not has_next or upcoming is None
                    or upcoming - (scan.start + last) > min_gap):
                ends[-1] = last
            prev_end = scan.start + ends[-1]
        elif has_next and upcoming is not None and upcoming - prev_end < min_gap:
            starts = [0]
            ends = [scan.length]
        else:
            starts = []
            ends = []
        result.append((starts, ends))
    return result


# ------------------------------------------------------------------------------------------------
# Scanning one supercontig

class TrackStats:
    """Per-track accumulators of one chromosome, starting as genomedata 1.7's do (+inf, -inf,
    0, 0, 0), and the names of the tracks (None: those on the chromosome's file root)."""

    def __init__(self, ntracks: int, tracknames=None):
        self.tracknames = None if tracknames is None else list(tracknames)
        self.mins = np.full(ntracks, np.inf)
        self.maxs = np.full(ntracks, -np.inf)
        self.sums = np.zeros(ntracks)
        self.sums_squares = np.zeros(ntracks)
        self.num_datapoints = np.zeros(ntracks, dtype=np.int64)


def scan_continuous(dataset, stats: TrackStats, *, min_gap: int = MIN_GAP_LEN,
                    block_rows=None, block_tracks=None, pool=None, nthreads: int = 1,
                    raw_chunks: bool = True, summaries=None):
    """Add one supercontig's ``continuous`` to ``stats`` and summarise its present rows.

    Returns ``(first, last, gaps)`` as in :class:`SupercontigScan`; with ``summaries``
    (``new_block_summaries`` of the supercontig's blocks and the archive's tracks), its
    block summaries are added there too.  Columns beyond the
    archive's track count are an error; missing trailing columns count as no data.
    ``pool``: an executor (``nthreads`` workers) that reads and decodes the next block while
    the kernels scan the current one; ``raw_chunks=False`` leaves all decoding to HDF5.
    """
    from ..kernels.stats import (accumulate_tracks, add_block_summaries, gap_capacity,
                                 new_state, scan_present_rows)

    if dataset.ndim != 2:
        raise GenomedataError(f"{dataset.name} is not a table of track columns "
                              f"(shape {dataset.shape})")
    nrows, ncols = dataset.shape
    ntracks = len(stats.mins)
    if ncols > ntracks:
        raise GenomedataError(
            f"{dataset.name} has {ncols} track columns but the archive lists only {ntracks} "
            "track names")
    state = new_state()
    if nrows == 0 or ncols == 0:
        return None, None, []
    # (a contiguous dataset, which Genomedata never writes, is read in default-sized blocks)
    chunk_rows = (continuous_chunk_rows(dataset) if dataset.chunks
                  else DEFAULT_CHUNK_ROWS)
    rows, tracks = plan_blocks(nrows, ncols, chunk_rows, block_rows, block_tracks)
    min_gap = max(1, int(min_gap))
    blocks = [Block(row0, min(rows, nrows - row0), col0, min(ncols, col0 + tracks))
              for row0 in range(0, nrows, rows) for col0 in range(0, ncols, tracks)]

    reader = open_block_reader(dataset, pool, nthreads, raw_chunks)
    # with a pool, the next block is read into the other buffer while this one is scanned
    double = pool is not None and len(blocks) > 1
    buffers = [np.empty((tracks, rows), dtype=np.float32) for _ in range(2 if double else 1)]
    row_any = np.zeros(rows, dtype=np.uint8)
    gap_parts = []
    pending = []
    try:
        pending = reader.submit(blocks[0], buffers[0])
        for index, block in enumerate(blocks):
            for future in pending:
                future.result()
            pending = []
            buffer = buffers[index % len(buffers)]
            more = index + 1 < len(blocks)
            if double and more:
                pending = reader.submit(blocks[index + 1], buffers[(index + 1) % 2])
            if block.col0 == 0:
                row_any[:block.nrows] = 0
            accumulate_tracks(buffer[:block.col1 - block.col0], block.nrows, block.col0,
                              stats.mins, stats.maxs, stats.sums, stats.sums_squares,
                              stats.num_datapoints, row_any)
            if summaries is not None:
                add_block_summaries(buffer[:block.col1 - block.col0], block.nrows, block.row0,
                                    BLOCK_SUMMARY_ROWS, summaries, 0, block.col0)
            if block.col1 == ncols:
                gaps = np.empty((gap_capacity(block.nrows, min_gap), 2), dtype=np.int64)
                found = scan_present_rows(row_any, block.nrows, block.row0, min_gap, state,
                                          gaps)
                if found:
                    gap_parts.append(gaps[:found])
            if more and not double:
                pending = reader.submit(blocks[index + 1], buffers[0])
    finally:
        for future in pending:
            try:
                future.result()
            except Exception:  # noqa: BLE001 - the first error is already being raised
                pass
        reader.close()

    first, last = int(state[0]), int(state[1])
    if last < 0:
        return None, None, []
    gaps = [(int(end), int(start)) for part in gap_parts for end, start in part]
    return first, last, gaps


# ------------------------------------------------------------------------------------------------
# Chromosomes and archives

def _name_of(group) -> str:
    return group.name.rpartition("/")[2] or group.name


# ``SupercontigScan.blocks`` of summaries already written to the archive's dataset
STORED_IN_ARCHIVE = "stored in the archive"


def _write_metadata(group, supercontigs, scans, stats: TrackStats, min_gap: int) -> None:
    """Chunk bounds and block summaries of every supercontig, the chromosome's statistics,
    ``dirty = False``."""
    tracknames = fingerprint = None
    for supercontig, scan, (starts, ends) in zip(supercontigs, scans,
                                                 chunk_bounds(scans, min_gap)):
        write_chunk_bounds(supercontig, starts, ends)
        stored = scan.blocks is STORED_IN_ARCHIVE
        if stored or (scan.blocks is not None and len(scan.blocks)
                      and keeps_block_summaries(scan.length)):
            if fingerprint is None:
                tracknames = stats.tracknames
                if tracknames is None:
                    tracknames = read_tracknames(group.file["/"])
                fingerprint = statistics_fingerprint(stats.mins, stats.maxs, stats.sums,
                                                     stats.sums_squares,
                                                     stats.num_datapoints)
            nblocks = block_count(scan.length) if stored else len(scan.blocks)
            dataset = block_summaries_dataset(supercontig, nblocks, tracknames, fingerprint)
            if not stored:
                write_array(dataset, scan.blocks)
        else:
            remove_block_summaries(supercontig)
    write_statistics(group, stats.mins, stats.maxs, stats.sums, stats.sums_squares,
                     stats.num_datapoints)
    write_dirty(group, False)


def _scan_rows(reader, row0: int, nrows: int, ncols: int, min_gap: int,
               summarise: bool = True):
    """One task of close-data: rows ``row0 .. row0 + nrows - 1`` of every track column, one
    chunk at a time (pread, inflate, then one kernel call that unshuffles it in cache and adds
    it to the statistics and to the summaries of its blocks).
    Returns the columns' accumulators (``new_accumulators``), the rows' ``(first, last,
    gaps)`` (``first``/``last`` -1 when no row has data), the first block the rows touch and
    the summaries of the blocks from there (``new_block_summaries``; None unless
    ``summarise``: a supercontig too short to store them)."""
    from ..kernels.stats import (accumulate_chunk, gap_capacity, new_accumulators,
                                 new_block_summaries, new_state, scan_present_rows)

    acc, counts = new_accumulators(ncols)
    if summarise:
        block_rows = BLOCK_SUMMARY_ROWS
        block0 = row0 // block_rows
        summaries = new_block_summaries((row0 + nrows - 1) // block_rows - block0 + 1, ncols)
    else:
        # one block spanning every row: the kernel's block summaries land in a scratch cell
        # (the statistics are the same whatever the block height)
        block_rows, block0 = _ONE_BLOCK, 0
        summaries = new_block_summaries(1, ncols)
    row_any = np.zeros(nrows, dtype=np.uint8)
    chunk_rows = reader.chunk_rows
    scratch = np.empty(4 * chunk_rows, dtype=np.uint8)
    fill = None if np.isnan(reader.fill) else np.full(chunk_rows, reader.fill, "<f4").tobytes()
    end = row0 + nrows
    chunks = range(row0 // chunk_rows, -(-end // chunk_rows))
    for col in range(ncols):
        for chunk in chunks:
            data, shuffled = reader.chunk_data(chunk, col)
            if data is None:
                if fill is None:    # a NaN fill adds nothing
                    continue
                data = fill
            base = chunk * chunk_rows
            lo = base if base > row0 else row0
            count = (base + chunk_rows if base + chunk_rows < end else end) - lo
            accumulate_chunk(np.frombuffer(data, dtype=np.uint8), chunk_rows, shuffled,
                             lo - base, count, col, acc, counts, row_any, lo - row0, scratch,
                             lo, block_rows, summaries, block0)
    state = new_state()
    gaps = np.empty((gap_capacity(nrows, min_gap), 2), dtype=np.int64)
    found = scan_present_rows(row_any, nrows, row0, min_gap, state, gaps)
    return (acc, counts, int(state[0]), int(state[1]), gaps[:found], block0,
            summaries if summarise else None)


_ONE_BLOCK = 1 << 62   # a block height no supercontig reaches


def merge_block_summaries(into, part) -> None:
    """Add block summaries ``part`` (``new_block_summaries``) to those of the same blocks
    and tracks ``into``: the counts and sums add up, minima and maxima of blocks with values
    win over the NaN of blocks without."""
    into[..., 0] += part[..., 0]
    into[..., 1] += part[..., 1]
    np.fmin(into[..., 2], part[..., 2], out=into[..., 2])
    np.fmax(into[..., 3], part[..., 3], out=into[..., 3])


# datasets of at most this many values (rows x tracks) are scanned by the thread that opens
# them, not on the pool
INLINE_SCAN_VALUES = 1 << 16


def _done(value):
    future = Future()
    future.set_result(value)
    return future


class _SupercontigScan:
    """One supercontig's ``continuous`` being scanned: by row blocks on the pool when
    :class:`RawChunkReader` can decode its chunks (started at once), else by
    :func:`scan_continuous` when finished."""

    def __init__(self, dataset, ntracks, *, min_gap, block_rows, block_tracks, pool,
                 nthreads, raw_chunks):
        self.dataset = dataset
        self.ntracks = ntracks
        self.options = dict(min_gap=min_gap, block_rows=block_rows, block_tracks=block_tracks,
                            pool=pool, nthreads=nthreads, raw_chunks=raw_chunks)
        self.min_gap = max(1, int(min_gap))
        self.reader = None
        self.futures = []
        nrows, ncols = dataset.shape if dataset.ndim == 2 else (0, 0)
        if (not raw_chunks or nrows == 0 or ncols == 0 or ncols > ntracks
                or dataset.chunks is None):
            return
        self.reader = RawChunkReader.open(dataset, None, 1, flush=False)
        if self.reader is None:
            return
        rows, _ = plan_blocks(nrows, ncols, self.reader.chunk_rows, block_rows, block_tracks)
        # a dataset of a few chunks is scanned here: handing it to a worker costs more
        inline = pool is None or nrows * ncols <= INLINE_SCAN_VALUES
        for row0 in range(0, nrows, rows):
            args = (self.reader, row0, min(rows, nrows - row0), ncols, self.min_gap,
                    keeps_block_summaries(nrows))
            self.futures.append(_done(_scan_rows(*args)) if inline
                                else pool.submit(_scan_rows, *args))

    def finish(self, stats: TrackStats):
        """Add the supercontig's values to ``stats``; ``(first, last, gaps, blocks)`` (see
        :class:`SupercontigScan`)."""
        from ..kernels.stats import new_block_summaries

        nrows = int(self.dataset.shape[0]) if self.dataset.ndim == 2 else 0
        blocks = (new_block_summaries(block_count(nrows), self.ntracks)
                  if keeps_block_summaries(nrows) else None)
        if self.reader is None:
            return scan_continuous(self.dataset, stats, summaries=blocks,
                                   **self.options) + (blocks,)
        ncols = self.dataset.shape[1]
        first = last = -1
        gaps = []
        mins, maxs = stats.mins[:ncols], stats.maxs[:ncols]
        for future in self.futures:    # in row order, as a sequential scan would add them
            acc, counts, block_first, block_last, block_gaps, block0, part = future.result()
            if blocks is not None:
                merge_block_summaries(blocks[block0:block0 + len(part), :ncols], part)
            np.copyto(mins, acc[:, 0], where=acc[:, 0] < mins)
            np.copyto(maxs, acc[:, 1], where=acc[:, 1] > maxs)
            stats.sums[:ncols] += acc[:, 2]
            stats.sums_squares[:ncols] += acc[:, 3]
            stats.num_datapoints[:ncols] += counts
            if block_last < 0:
                continue
            if last < 0:
                first = block_first
            elif block_first - last >= self.min_gap:
                gaps.append((last + 1, block_first))
            gaps += [(int(e), int(s)) for e, s in block_gaps]
            last = block_last
        if last < 0:
            return None, None, [], blocks
        return first, last, gaps, blocks

    def close(self):
        """Wait for the tasks still running (after an error), then close the reader."""
        for future in self.futures:
            if not future.cancel():
                try:
                    future.result()
                except BaseException:  # noqa: BLE001 - the first error is already raised
                    pass
        self.futures = []
        if self.reader is not None:
            self.reader.close()
            self.reader = None


class ChromosomeScan:
    """close-data's reading half for one chromosome group (it may be open read-only): its
    supercontigs' row blocks start on ``pool`` at once (a few chromosomes can be scanned
    ahead of the one being written); :meth:`finish` then adds them up in row order, so the
    results are those of one sequential pass, whatever the number of threads."""

    def __init__(self, group, tracknames, *, min_gap: int = MIN_GAP_LEN, block_rows=None,
                 block_tracks=None, pool=None, nthreads: int = 1, raw_chunks: bool = True,
                 layout=None):
        """``layout``: the group's supercontigs as :func:`check_closable` read them (else
        they are read here)."""
        self.group = group
        self.tracknames = list(tracknames or ())
        self.ntracks = len(self.tracknames)
        self.parts = []         # (SupercontigScan with its bounds, _SupercontigScan or None)
        self.supercontigs = []  # their groups
        if self.ntracks == 0:
            return
        try:
            if layout is None:
                layout = [(bounds, supercontig, continuous_of(supercontig, bounds[1] - bounds[0]))
                          for bounds, supercontig in supercontig_groups_with_bounds(group)]
            for (start, end), supercontig, dataset in layout:
                self.supercontigs.append(supercontig)
                name = _name_of(supercontig)
                scan = SupercontigScan(start, end - start, name=name)
                if dataset is None:  # never opened for data: no data (the reference crashed)
                    self.parts.append((scan, None))
                    continue
                scan.length = int(dataset.shape[0])
                self.parts.append((scan, _SupercontigScan(
                    dataset, self.ntracks, min_gap=min_gap, block_rows=block_rows,
                    block_tracks=block_tracks, pool=pool, nthreads=nthreads,
                    raw_chunks=raw_chunks)))
        except BaseException:
            self.close()
            raise

    @property
    def ntasks(self) -> int:
        return sum(len(part.futures) for _, part in self.parts if part is not None)

    def finish(self):
        """``(TrackStats, [SupercontigScan])``, or ``(None, [])`` when the archive has no
        tracks."""
        if self.ntracks == 0:
            return None, []
        stats = TrackStats(self.ntracks, self.tracknames)
        scans = []
        try:
            for scan, part in self.parts:
                _progress.verbose(f" scanning {scan.name}")
                if part is not None:
                    scan.first, scan.last, scan.gaps, scan.blocks = part.finish(stats)
                scans.append(scan)
        finally:
            self.close()
        return stats, scans

    def close(self):
        for _, part in self.parts:
            if part is not None:
                part.close()


def write_chromosome_metadata(group, tracknames, *, min_gap: int = MIN_GAP_LEN,
                              block_rows=None, block_tracks=None, pool=None, nthreads: int = 1,
                              raw_chunks: bool = True):
    """close-data for one chromosome group: statistics, chunk bounds, ``dirty = False``.

    Returns the :class:`TrackStats` (``None`` when the archive has no tracks).
    """
    stats, scans = scan_chromosome(group, tracknames, min_gap=min_gap, block_rows=block_rows,
                                   block_tracks=block_tracks, pool=pool, nthreads=nthreads,
                                   raw_chunks=raw_chunks)
    write_scanned(group, stats, scans, min_gap)
    return stats


def scan_chromosome(group, tracknames, **options):
    """close-data's reading half for one chromosome group (it may be open read-only):
    ``(TrackStats, [SupercontigScan])``, or ``(None, [])`` when the archive has no tracks.
    ``options``: those of :class:`ChromosomeScan`."""
    return ChromosomeScan(group, tracknames, **options).finish()


def write_scanned(group, stats, scans, min_gap: int = MIN_GAP_LEN, supercontigs=None) -> None:
    """close-data's writing half: what :func:`scan_chromosome` found, written to the group
    (open for writing), which is then clean.  ``supercontigs``: the group's supercontig
    groups in order, when the caller has them."""
    if stats is None:
        write_dirty(group, False)
        return
    if supercontigs is None:
        supercontigs = supercontig_groups(group)
    _write_metadata(group, supercontigs, scans, stats, min_gap)


def check_closable(files: ArchiveFiles) -> dict:
    """Everything close-data refuses, found before it writes anything: a format version newer
    than ours, track data it cannot read (see ``continuous_of``: other shapes, data
    outside the file, a filter this HDF5 lacks) or with more columns than track names.

    Returns what it read, for :func:`close_files` (``layouts``): ``{chromosome: [((start,
    end), supercontig group, continuous dataset or None), ...]}``."""
    roots = RootCache()
    layouts = {}
    for chrom in files.chromosome_names():
        group = files.chromosome_group(chrom)
        check_format_version(roots.format_version_of(group))
        ntracks = len(roots.tracknames(group) or ())
        layout = layouts[chrom] = []
        for (start, end), supercontig in supercontig_groups_with_bounds(group):
            dataset = continuous_of(supercontig, end - start)
            layout.append(((start, end), supercontig, dataset))
            if dataset is None or not ntracks:
                continue
            check_filters(dataset)
            if dataset.shape[1] > ntracks:
                raise GenomedataError(
                    f"{describe(dataset)} has {dataset.shape[1]} track columns but the "
                    f"archive lists only {ntracks} track names")
    return layouts


def close_files(files: ArchiveFiles, *, min_gap: int = MIN_GAP_LEN, block_rows=None,
                block_tracks=None, threads=None, raw_chunks: bool = True,
                layouts=None) -> None:
    """close-data on an archive open for writing (its writes join the caller's transaction:
    ``hardmask`` masks and closes in one).  ``layouts``: what :func:`check_closable`
    returned for these files, if nothing changed since (else each chromosome is read again);
    its entries are taken out as the chromosomes are closed (HDF5 objects left open make
    closing the file slower).

    Every chunk is decoded once, on ``threads`` worker threads (default: every core); the
    chromosomes are written in order while the following ones are being read."""
    nthreads = default_threads() if threads is None else max(0, int(threads))
    chromosomes = files.chromosome_names()
    pool = (ThreadPoolExecutor(nthreads, thread_name_prefix="close-data")
            if nthreads else None)
    options = dict(min_gap=min_gap, block_rows=block_rows, block_tracks=block_tracks,
                   pool=pool, nthreads=max(1, nthreads), raw_chunks=raw_chunks)
    # chunks written through this handle (hardmask) reach the file before workers read it:
    # one flush per file (with the undo journal, each flush costs fsyncs)
    for root in files.roots():
        root.file.flush()
    ahead = []      # ChromosomeScan objects started, in chromosome order
    queue = list(chromosomes)
    roots = RootCache()
    try:
        with _progress.task("computing statistics", total=len(chromosomes),
                            unit="chromosomes") as task:
            for chrom in chromosomes:
                # keep the workers busy: start chromosomes ahead up to a few tasks per thread
                while queue and (not ahead or sum(scan.ntasks for scan in ahead)
                                 < 4 * max(1, nthreads)):
                    name = queue.pop(0)
                    group = files.chromosome_group(name)
                    check_format_version(roots.format_version_of(group))
                    ahead.append(ChromosomeScan(group, roots.tracknames(group),
                                                layout=(layouts or {}).pop(name, None),
                                                **options))
                scan = ahead.pop(0)
                _progress.verbose(f"writing metadata for {chrom}")
                stats, scans = scan.finish()
                write_scanned(scan.group, stats, scans, min_gap, scan.supercontigs)
                task.advance()
    finally:
        for scan in ahead:
            scan.close()
        if pool is not None:
            pool.shutdown()


# ------------------------------------------------------------------------------------------------
# The same results from values in memory (a new archive built by ``genomedata load``)

def _present_groups(first, last, gaps):
    """A track's rows with data in one supercontig as closed row ranges ``[(a, e), ...]``:
    runs of present rows in which consecutive present rows are less than ``min_gap`` apart."""
    if first is None:
        return []
    starts = [first] + [start for _end, start in gaps]
    ends = [end - 1 for end, _start in gaps] + [last]
    return list(zip(starts, ends))


def merge_presence(per_track, start: int, length: int, min_gap: int = MIN_GAP_LEN,
                   name: str = "") -> SupercontigScan:
    """The :class:`SupercontigScan` of a supercontig from each track's own ``(first, last,
    gaps)`` (as :func:`scan_continuous` returns them for one column).

    Two consecutive rows with data in some track, ``p < q``, are at least ``min_gap`` apart
    exactly when every track's present runs end at or before ``p`` or start at or after
    ``q``: merging the tracks' runs (sorted by start, joined while the next one starts less
    than ``min_gap`` after the furthest end so far) gives the union's first and last rows and
    its gaps."""
    runs = sorted(run for item in per_track for run in _present_groups(*item))
    if not runs:
        return SupercontigScan(start, length, name=name)
    first = runs[0][0]
    furthest = runs[0][1]
    gaps = []
    for a, e in runs[1:]:
        if a - furthest >= min_gap:
            gaps.append((furthest + 1, a))
        furthest = max(furthest, e)
    return SupercontigScan(start, length, first, furthest, gaps, name)


class StatisticsCollector:
    """close-data's results for an archive whose tracks are being loaded, computed from each
    chromosome's values while they are in memory, so that the archive need not be read back.

    ``add_column`` runs the same kernels over the same blocks of rows as :func:`close_data`
    (per track the accumulation order is identical, so the sums are bit for bit the same);
    ``write`` then writes every chromosome's metadata.  Only valid when every value of every
    track went through ``add_column`` -- a new archive, as ``genomedata load`` builds.
    Thread-safe for different (chromosome, column) pairs.
    """

    def __init__(self, min_gap: int = MIN_GAP_LEN, files: ArchiveFiles | None = None):
        self.min_gap = max(1, int(min_gap))
        # (chromosome, column) -> (five accumulators, [(first, last, gaps)], [block summaries])
        # per supercontig
        self._columns = {}
        # with ``files`` (the archive being loaded), each column's block summaries go to its
        # datasets at once: a genome's summaries of many tracks need not fit in memory (16
        # bytes per 1,000 bases and track: 5 GB for 100 human tracks)
        self._files = files
        self._lock = threading.Lock()
        self._datasets = {}    # chromosome -> (supercontig groups, {index: block_summaries})

    def add_column(self, chrom: str, column: int, buffer, bounds, ncols: int,
                   chunk_rows: int) -> None:
        """Summarise track ``column`` of ``chrom`` from ``buffer`` (float32 by chromosome
        coordinate; ``bounds``: the supercontigs' ``(start, end)`` in order) -- the final
        values, replacing what an earlier call for the same pair found."""
        from ..kernels.stats import (accumulate_tracks, add_block_summaries, gap_capacity,
                                     new_block_summaries, new_state, scan_present_rows)

        stats = TrackStats(1)
        scans = []
        summaries = []
        for index, (start, end) in enumerate(bounds):
            start, end = int(start), int(end)
            nrows = end - start
            rows, _ = plan_blocks(nrows, ncols, chunk_rows)
            keep = keeps_block_summaries(nrows)
            blocks = new_block_summaries(block_count(nrows), 1) if keep else None
            summaries.append(blocks)
            state = new_state()
            row_any = np.zeros(max(1, rows), dtype=np.uint8)
            gaps = []
            for row0 in range(0, nrows, rows):
                count = min(rows, nrows - row0)
                row_any[:count] = 0
                block = buffer[start + row0:start + row0 + count].reshape(1, count)
                accumulate_tracks(block, count, 0, stats.mins, stats.maxs, stats.sums,
                                  stats.sums_squares, stats.num_datapoints, row_any)
                if keep:
                    add_block_summaries(block, count, row0, BLOCK_SUMMARY_ROWS, blocks, 0, 0)
                found_gaps = np.empty((gap_capacity(count, self.min_gap), 2), dtype=np.int64)
                found = scan_present_rows(row_any, count, row0, self.min_gap, state,
                                          found_gaps)
                gaps += [(int(e), int(s)) for e, s in found_gaps[:found]]
            first, last = int(state[0]), int(state[1])
            scans.append((None, None, []) if last < 0 else (first, last, gaps))
            if keep and self._files is not None:
                self._store_blocks(chrom, index, int(column), blocks)
                summaries[-1] = STORED_IN_ARCHIVE
        self._columns[(chrom, int(column))] = (stats, scans, summaries)

    def __getstate__(self):
        # a collector of a load spread over processes returns from its task to the caller
        # (it keeps its summaries in memory: no archive handle, no lock to pickle)
        if self._files is not None:
            raise TypeError("a StatisticsCollector writing to an archive stays in its process")
        return {"min_gap": self.min_gap, "_columns": self._columns}

    def __setstate__(self, state):
        self.__init__(state["min_gap"])
        self._columns = state["_columns"]

    def _summaries_dataset(self, chrom: str, index: int, nblocks: int):
        """The ``block_summaries`` of supercontig ``index`` (in start order) of ``chrom`` in
        the archive being loaded, made on first need (its statistics attribute is NaN until
        :meth:`write`); call with the lock held."""
        supercontigs, datasets = self._datasets.get(chrom, (None, None))
        if supercontigs is None:
            supercontigs = supercontig_groups(self._files.chromosome_group(chrom))
            datasets = {}
            self._datasets[chrom] = supercontigs, datasets
        dataset = datasets.get(index)
        if dataset is None:
            tracknames = self._files.tracknames() or []
            dataset = datasets[index] = block_summaries_dataset(
                supercontigs[index], nblocks, tracknames, np.full((5, len(tracknames)), np.nan))
        return dataset

    def _store_blocks(self, chrom: str, index: int, column: int, blocks) -> None:
        """Track ``column``'s summaries (``(nblocks, 1, 4)``) into its chunks of the dataset
        (each chunk holds one track)."""
        with self._lock:
            write_array(self._summaries_dataset(chrom, index, len(blocks)), blocks,
                        (0, column, 0))

    def _store_empty(self, chrom: str, index: int, columns, nblocks: int) -> None:
        """Summaries of no values for ``columns`` of a supercontig whose dataset exists (a
        new dataset holds zeros)."""
        from ..kernels.stats import new_block_summaries
        empty = new_block_summaries(nblocks, 1)
        for column in columns:
            self._store_blocks(chrom, index, column, empty)

    def merge(self, other: "StatisticsCollector") -> None:
        """Take over what ``other`` (a collector of other chromosomes, say filled by another
        process) found."""
        self._columns.update(other._columns)

    def write(self, files: ArchiveFiles) -> None:
        """Every chromosome's statistics, chunk bounds and block summaries (tracks without
        values on a chromosome get close-data's values for no data)."""
        from ..kernels.stats import new_block_summaries

        tracknames = files.tracknames() or []
        ntracks = len(tracknames)
        for chrom in files.chromosome_names():
            group = files.chromosome_group(chrom)
            if ntracks == 0:
                write_dirty(group, False)
                continue
            stats = TrackStats(ntracks, tracknames)
            supercontigs = supercontig_groups(group)
            per_column = {}
            per_column_blocks = {}
            for column in range(ntracks):
                found = self._columns.get((chrom, column))
                if found is None:
                    continue
                column_stats, column_scans, column_blocks = found
                for attr in ("mins", "maxs", "sums", "sums_squares", "num_datapoints"):
                    getattr(stats, attr)[column] = getattr(column_stats, attr)[0]
                per_column[column] = column_scans
                per_column_blocks[column] = column_blocks
            scans = []
            for index, supercontig in enumerate(supercontigs):
                start, end = supercontig_bounds(supercontig)
                length = end - start
                scan = merge_presence([found[index] for found in per_column.values()],
                                      start, length, self.min_gap, _name_of(supercontig))
                stored = [column for column, column_blocks in per_column_blocks.items()
                          if column_blocks[index] is STORED_IN_ARCHIVE]
                if stored:
                    self._store_empty(chrom, index, sorted(set(range(ntracks)) - set(stored)),
                                      block_count(length))
                    scan.blocks = STORED_IN_ARCHIVE
                elif keeps_block_summaries(length):
                    scan.blocks = new_block_summaries(block_count(length), ntracks)
                    for column, column_blocks in per_column_blocks.items():
                        scan.blocks[:, column] = column_blocks[index][:, 0]
                scans.append(scan)
            _progress.verbose(f"writing metadata for {chrom}")
            _write_metadata(group, supercontigs, scans, stats, self.min_gap)
