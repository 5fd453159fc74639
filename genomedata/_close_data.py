"""close-data: compute every chromosome's track statistics and data chunks, mark it clean.

Per chromosome (REFERENCE §5), in one pass over the data:

1. every supercontig's ``continuous`` dataset is read in blocks of whole chunk rows; a numba
   kernel adds each block to per-track accumulators (min, max, float64 sum and sum of squares,
   count of finite values) and marks the rows where any track is finite, and a second kernel
   turns those row marks into the supercontig's first and last present row and its internal
   gaps of at least ``MIN_GAP_LEN`` rows (carried from block to block);
2. ``chunk_starts``/``chunk_ends`` of every supercontig then follow from those summaries alone
   (:func:`chunk_bounds`, REFERENCE §5.2, with coordinate 0 counted as data), without reading
   the following supercontigs again as the reference did.

While the kernels scan one block in the calling thread, worker threads read and decode the next
one.  For the chunk layouts Genomedata writes the workers decode the chunks themselves (pread,
ISA-L inflate, unshuffle kernel) on every core; other layouts are decoded by HDF5 through h5py.
The results do not depend on the number of threads.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from . import _layout
from ._layout import MIN_GAP_LEN, ArchiveFiles
from ._ui import UI, get_ui
from ._util import GenomedataError, UnsupportedError

# upper bound of one block buffer (two are in use at a time: one read, one scanned)
BLOCK_BYTES = 32 * 2 ** 20
# chunks of one dataset beyond which its chunk index (13 bytes a chunk) is not built and HDF5
# decodes instead (e.g. 250 Mbp x 160 tracks in chunks of 10000 rows)
MAX_INDEXED_CHUNKS = 4 * 2 ** 20


# ------------------------------------------------------------------------------------------------
# Summaries and chunk bounds (pure Python, per supercontig)

@dataclass
class SupercontigScan:
    """What close-data needs to know about one supercontig's rows with data.

    ``first``/``last``: supercontig-relative first and last row where some track is finite
    (``None`` when no row is); ``gaps``: ``(end, start)`` pairs, one per run of at least
    ``min_gap`` rows without data between two present rows (``end`` = last present row before
    the gap + 1, ``start`` = first present row after it), in order.
    """

    start: int
    length: int
    first: int | None = None
    last: int | None = None
    gaps: list = field(default_factory=list)
    name: str = ""


def chunk_bounds(scans, min_gap: int = MIN_GAP_LEN):
    """``(chunk_starts, chunk_ends)`` lists for each supercontig of a chromosome.

    ``scans``: :class:`SupercontigScan` objects of one chromosome in start order.  Follows
    REFERENCE §5.2 exactly, except that a data position at chromosome coordinate 0 counts as
    data in the look-ahead (the reference tested it for truth).
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
    """Per-track accumulators of one chromosome (REFERENCE §5.1 initial values)."""

    def __init__(self, ntracks: int):
        self.mins = np.full(ntracks, np.inf)
        self.maxs = np.full(ntracks, -np.inf)
        self.sums = np.zeros(ntracks)
        self.sums_squares = np.zeros(ntracks)
        self.num_datapoints = np.zeros(ntracks, dtype=np.int64)


def plan_blocks(nrows: int, ncols: int, chunk_rows: int, block_rows=None, block_tracks=None,
                block_bytes=None):
    """Rows and track columns per block: whole chunk rows, at most ``block_bytes`` (default
    ``BLOCK_BYTES``) of float32 (at least one chunk of one column).  Explicit values (tests)
    are taken as they are."""
    block_bytes = BLOCK_BYTES if block_bytes is None else block_bytes
    chunk_rows = max(1, int(chunk_rows))
    if block_tracks is None:
        fit = block_bytes // (4 * chunk_rows)
        block_tracks = max(1, min(ncols, fit))
    block_tracks = max(1, min(int(block_tracks), max(1, ncols)))
    if block_rows is None:
        fit = block_bytes // (4 * block_tracks)
        block_rows = max(chunk_rows, fit // chunk_rows * chunk_rows)
    block_rows = max(1, min(int(block_rows), max(1, nrows)))
    return block_rows, block_tracks


class _Block:
    """Rows ``row0 .. row0 + nrows - 1`` and track columns ``col0 .. col1 - 1``."""

    __slots__ = ("row0", "nrows", "col0", "col1")

    def __init__(self, row0, nrows, col0, col1):
        self.row0, self.nrows, self.col0, self.col1 = row0, nrows, col0, col1


class _H5pyReader:
    """Reads blocks through h5py (HDF5 decodes the chunks): works for any dataset."""

    def __init__(self, dataset, pool):
        self.dataset = dataset
        self.pool = pool

    def _read(self, block, buffer):
        for col in range(block.col0, block.col1):
            self.dataset.read_direct(buffer, np.s_[block.row0:block.row0 + block.nrows, col],
                                     np.s_[col - block.col0, 0:block.nrows])

    def submit(self, block, buffer):
        if self.pool is None:
            self._read(block, buffer)
            return []
        return [self.pool.submit(self._read, block, buffer)]

    def close(self):
        pass


# ------------------------------------------------------------------------------------------------
# Reading chunks without HDF5's filter pipeline
#
# HDF5 decodes chunks one at a time while holding h5py's lock, so a supercontig is read on one
# core at about 100 MB/s.  For the chunk layouts that Genomedata writes -- one track column per
# chunk, float32 little-endian, filters shuffle and/or deflate or none -- the chunks' file
# positions are asked from HDF5 and their bytes read with pread, inflated (ISA-L, or zlib) and
# unshuffled on every core.  Anything else goes through h5py (_H5pyReader).

class _RawChunkReader:
    """Reads blocks by decoding the dataset's chunks itself, in parallel on ``pool``.

    The chunk index (file offset, stored size, filter mask of every chunk) is read once per
    dataset; worker threads then pread, inflate and unshuffle whole columns of a block without
    calling into HDF5, so they never wait for the GIL behind h5py's lock.
    """

    @classmethod
    def open(cls, dataset, pool, nthreads):
        """A reader for ``dataset``, or None when its layout needs HDF5's own decoding."""
        import h5py

        if not hasattr(os, "pread"):
            return None
        if dataset.chunks is None or len(dataset.chunks) != 2 or dataset.chunks[1] != 1:
            return None
        if dataset.dtype.str != "<f4" or np.dtype(np.float32).str != "<f4":
            return None
        handle = dataset.file
        if handle.userblock_size != 0:
            return None
        if handle.driver != "sec2":
            from ._journal import writer_in_this_process
            # written through the undo journal (fileobj driver): the bytes are in the file
            if handle.driver != "fileobj" or writer_in_this_process(handle.filename) is None:
                return None
        dcpl = dataset.id.get_create_plist()
        if dcpl.get_layout() != h5py.h5d.CHUNKED:
            return None
        pipeline = _layout.chunk_pipeline(dataset)
        if pipeline is None:
            return None
        if pipeline.shuffle and pipeline.level is None:
            # HDF5 may store partial edge chunks unfiltered (a creation option h5py cannot
            # query); with deflate in the pipeline such a chunk fails to inflate and is taken
            # as it is, but shuffle alone would be undone silently on unshuffled bytes
            return None
        handle.flush()  # chunks written through another handle of this file reach the disk
        index = cls._chunk_index(dataset)
        if index is None:
            return None
        try:
            fd = os.open(handle.filename, os.O_RDONLY)
        except OSError:
            return None
        return cls(dataset, pool, nthreads, pipeline, index, fd)

    @staticmethod
    def _chunk_index(dataset):
        """``(offsets, sizes, masks)``, arrays indexed by ``[chunk row, column]``; offset -1 for
        chunks never written.  None when this h5py/HDF5 cannot iterate chunks."""
        chunk_rows = int(dataset.chunks[0])
        nrows, ncols = dataset.shape
        shape = (-(-nrows // chunk_rows), ncols)
        if shape[0] * shape[1] > MAX_INDEXED_CHUNKS:
            return None
        offsets = np.full(shape, -1, dtype=np.int64)
        sizes = np.zeros(shape, dtype=np.uint32)
        masks = np.zeros(shape, dtype=np.uint8)  # only the bits of our <= 2 filters matter

        def visit(info):
            row, col = info.chunk_offset
            row //= chunk_rows
            if row < shape[0] and col < shape[1] and info.byte_offset is not None:
                offsets[row, col] = info.byte_offset
                sizes[row, col] = info.size
                masks[row, col] = info.filter_mask & 0xFF

        try:
            dataset.id.chunk_iter(visit)
        except (AttributeError, NotImplementedError, RuntimeError):
            return None
        return offsets, sizes, masks

    def __init__(self, dataset, pool, nthreads, pipeline, index, fd):
        self.dataset = dataset
        self.pool = pool
        self.nthreads = max(1, nthreads)
        self.pipeline = pipeline
        self.offsets, self.sizes, self.masks = index
        self.fill = np.float32(dataset.fillvalue)
        self.fd = fd
        self.chunk_rows = int(dataset.chunks[0])
        self.partial_edge = int(dataset.shape[0]) % self.chunk_rows != 0

    def submit(self, block, buffer):
        """Start decoding ``block`` into ``buffer``; returns the futures to wait for."""
        chunk_rows = self.chunk_rows
        chunks = range(block.row0 // chunk_rows, -(-(block.row0 + block.nrows) // chunk_rows))
        items = [(col, chunk) for col in range(block.col0, block.col1) for chunk in chunks]
        if self.pool is None:
            self._decode(block, items, buffer)
            return []
        ntasks = min(len(items), 4 * self.nthreads)
        per_task = -(-len(items) // ntasks)
        return [self.pool.submit(self._decode, block, items[i:i + per_task], buffer)
                for i in range(0, len(items), per_task)]

    def _decode(self, block, items, buffer):
        from .kernels.chunks import unshuffle_into

        chunk_rows = self.chunk_rows
        nbytes = 4 * chunk_rows
        block_end = block.row0 + block.nrows
        for col, chunk in items:
            chunk_row0 = chunk * chunk_rows
            lo = max(block.row0, chunk_row0)
            count = min(block_end, chunk_row0 + chunk_rows) - lo
            row = col - block.col0
            dest0 = lo - block.row0
            src0 = lo - chunk_row0
            dest = buffer[row, dest0:dest0 + count]
            offset = int(self.offsets[chunk, col])
            if offset < 0:  # never written: the fill value
                dest[:] = self.fill
                continue
            size = int(self.sizes[chunk, col])
            mask = int(self.masks[chunk, col])
            data = os.pread(self.fd, size, offset)
            if len(data) != size:
                raise _layout.format_error(
                    f"{self._where(chunk, col)} lies past the end of the file (a truncated "
                    "file)")
            data, shuffled = _layout.unfilter_chunk(
                data, mask, self.pipeline, nbytes,
                self.partial_edge and chunk == self.offsets.shape[0] - 1,
                lambda: self._where(chunk, col))
            if shuffled:
                unshuffle_into(np.frombuffer(data, dtype=np.uint8), chunk_rows, 4, src0, count,
                               dest.view(np.uint8))
            else:
                dest[:] = np.frombuffer(data, dtype="<f4", count=count, offset=4 * src0)

    def _where(self, chunk, col) -> str:
        return (f"the chunk at row {chunk * self.chunk_rows}, column {col} of "
                f"{_layout.describe(self.dataset)}")

    def close(self):
        os.close(self.fd)


def open_block_reader(dataset, pool, nthreads):
    """A reader of blocks of ``dataset``: chunks decoded on ``pool`` by
    :class:`_RawChunkReader` when their layout allows, else by HDF5.  Close it after use."""
    reader = _RawChunkReader.open(dataset, pool, nthreads)
    return reader if reader is not None else _H5pyReader(dataset, pool)


def read_columns(reader, columns, row0, nrows, out=None) -> list:
    """Rows ``[row0, row0 + nrows)`` of each of ``columns``, read in parallel: one float32
    array per column, new or the given ``out`` arrays (contiguous, ``nrows`` long)."""
    buffers = [np.empty(nrows, dtype=np.float32) for _ in columns] if out is None else out
    futures = []
    for buffer, column in zip(buffers, columns):
        futures += reader.submit(_Block(row0, nrows, column, column + 1),
                                 buffer.reshape(1, nrows))
    for future in futures:
        future.result()
    return buffers


def scan_continuous(dataset, stats: TrackStats, *, min_gap: int = MIN_GAP_LEN,
                    block_rows=None, block_tracks=None, pool=None, nthreads: int = 1,
                    raw_chunks: bool = True):
    """Add one supercontig's ``continuous`` to ``stats`` and summarise its present rows.

    Returns ``(first, last, gaps)`` as in :class:`SupercontigScan`.  Columns beyond the
    archive's track count are an error; missing trailing columns count as no data.
    ``pool``: an executor (``nthreads`` workers) that reads and decodes the next block while
    the kernels scan the current one; ``raw_chunks=False`` leaves all decoding to HDF5.
    """
    from .kernels.stats import (accumulate_tracks, gap_capacity, new_state,
                                scan_present_rows)

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
    chunk_rows = (_layout.continuous_chunk_rows(dataset) if dataset.chunks
                  else _layout.DEFAULT_CHUNK_ROWS)
    rows, tracks = plan_blocks(nrows, ncols, chunk_rows, block_rows, block_tracks)
    min_gap = max(1, int(min_gap))
    blocks = [_Block(row0, min(rows, nrows - row0), col0, min(ncols, col0 + tracks))
              for row0 in range(0, nrows, rows) for col0 in range(0, ncols, tracks)]

    reader = _RawChunkReader.open(dataset, pool, nthreads) if raw_chunks else None
    if reader is None:
        reader = _H5pyReader(dataset, pool)
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


def _write_metadata(group, supercontigs, scans, stats: TrackStats, min_gap: int) -> None:
    """Chunk bounds of every supercontig, the chromosome's statistics, ``dirty = False``."""
    for supercontig, (starts, ends) in zip(supercontigs, chunk_bounds(scans, min_gap)):
        _layout.write_chunk_bounds(supercontig, starts, ends)
    _layout.write_statistics(group, stats.mins, stats.maxs, stats.sums, stats.sums_squares,
                             stats.num_datapoints)
    _layout.write_dirty(group, False)


def write_chromosome_metadata(group, tracknames, *, ui=None, min_gap: int = MIN_GAP_LEN,
                              block_rows=None, block_tracks=None, pool=None, nthreads: int = 1,
                              raw_chunks: bool = True):
    """close-data for one chromosome group: statistics, chunk bounds, ``dirty = False``.

    Returns the :class:`TrackStats` (``None`` when the archive has no tracks).
    """
    ui = get_ui(ui)
    ntracks = len(tracknames or ())
    if ntracks == 0:
        _layout.write_dirty(group, False)
        return None

    stats = TrackStats(ntracks)
    supercontigs = _layout.supercontig_groups(group)
    scans = []
    for supercontig in supercontigs:
        name = _name_of(supercontig)
        ui.verbose(f" scanning {name}")
        start, end = _layout.supercontig_bounds(supercontig)
        dataset = _layout.continuous_of(supercontig, end - start)
        if dataset is None:  # never opened for data: no data (the reference crashed)
            scans.append(SupercontigScan(start, end - start, name=name))
            continue
        first, last, gaps = scan_continuous(dataset, stats, min_gap=min_gap,
                                            block_rows=block_rows, block_tracks=block_tracks,
                                            pool=pool, nthreads=nthreads,
                                            raw_chunks=raw_chunks)
        scans.append(SupercontigScan(start, int(dataset.shape[0]), first, last, gaps, name))

    _write_metadata(group, supercontigs, scans, stats, min_gap)
    return stats


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

    def __init__(self, min_gap: int = MIN_GAP_LEN):
        self.min_gap = max(1, int(min_gap))
        self._columns = {}   # (chromosome, column) -> (five accumulators, [(first, last, gaps)])

    def add_column(self, chrom: str, column: int, buffer, bounds, ncols: int,
                   chunk_rows: int) -> None:
        """Summarise track ``column`` of ``chrom`` from ``buffer`` (float32 by chromosome
        coordinate; ``bounds``: the supercontigs' ``(start, end)`` in order) -- the final
        values, replacing what an earlier call for the same pair found."""
        from .kernels.stats import (accumulate_tracks, gap_capacity, new_state,
                                    scan_present_rows)

        stats = TrackStats(1)
        scans = []
        for start, end in bounds:
            start, end = int(start), int(end)
            nrows = end - start
            rows, _ = plan_blocks(nrows, ncols, chunk_rows)
            state = new_state()
            row_any = np.zeros(max(1, rows), dtype=np.uint8)
            gaps = []
            for row0 in range(0, nrows, rows):
                count = min(rows, nrows - row0)
                row_any[:count] = 0
                block = buffer[start + row0:start + row0 + count].reshape(1, count)
                accumulate_tracks(block, count, 0, stats.mins, stats.maxs, stats.sums,
                                  stats.sums_squares, stats.num_datapoints, row_any)
                found_gaps = np.empty((gap_capacity(count, self.min_gap), 2), dtype=np.int64)
                found = scan_present_rows(row_any, count, row0, self.min_gap, state,
                                          found_gaps)
                gaps += [(int(e), int(s)) for e, s in found_gaps[:found]]
            first, last = int(state[0]), int(state[1])
            scans.append((None, None, []) if last < 0 else (first, last, gaps))
        self._columns[(chrom, int(column))] = (stats, scans)

    def write(self, files: ArchiveFiles, ui=None) -> None:
        """Every chromosome's statistics and chunk bounds (tracks without values on a
        chromosome get close-data's values for no data)."""
        ui = get_ui(ui)
        ntracks = len(files.tracknames() or ())
        for chrom in files.chromosome_names():
            group = files.chromosome_group(chrom)
            if ntracks == 0:
                _layout.write_dirty(group, False)
                continue
            stats = TrackStats(ntracks)
            supercontigs = _layout.supercontig_groups(group)
            per_column = {}
            for column in range(ntracks):
                found = self._columns.get((chrom, column))
                if found is None:
                    continue
                column_stats, column_scans = found
                for attr in ("mins", "maxs", "sums", "sums_squares", "num_datapoints"):
                    getattr(stats, attr)[column] = getattr(column_stats, attr)[0]
                per_column[column] = column_scans
            scans = []
            for index, supercontig in enumerate(supercontigs):
                start, end = _layout.supercontig_bounds(supercontig)
                length = end - start
                scans.append(merge_presence([found[index] for found in per_column.values()],
                                            start, length, self.min_gap,
                                            _name_of(supercontig)))
            ui.verbose(f"writing metadata for {chrom}")
            _write_metadata(group, supercontigs, scans, stats, self.min_gap)


def default_threads() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def check_format_version(group) -> int:
    """The chromosome's format version (root attribute, else the chromosome group's, else 0,
    as the reference looks it up); newer versions than ours are refused."""
    version = _layout.read_format_version(group.file["/"])
    if version is None:
        version = _layout.read_format_version(group)
    if version is None:
        version = 0
    if version > _layout.FORMAT_VERSION:
        raise UnsupportedError(
            f"This archive has format version {version}, but the installed Genomedata software "
            f"only supports format version {_layout.FORMAT_VERSION}")
    return version


def close_data(gdfilename, verbose=False, *, ui=None, min_gap: int = MIN_GAP_LEN,
               block_rows=None, block_tracks=None, threads=None, raw_chunks: bool = True):
    """Compute the statistics and data chunks of every chromosome and mark it clean.

    ``gdfilename``: a directory or single-file archive (str or Path).  ``verbose`` prints the
    reference's progress lines on stderr when no ``ui`` is given.

    Tuning and testing knobs: ``threads`` (default: every available core; 0 reads, decodes and
    scans in the calling thread only), ``block_rows``/``block_tracks`` (block size),
    ``min_gap`` (the gap that splits data chunks; the format's value is ``MIN_GAP_LEN``),
    ``raw_chunks=False`` (let HDF5 decode every chunk).

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
    if ui is None:
        ui = UI(verbosity=2, progress=False) if verbose else get_ui(None)
    path = os.fspath(gdfilename)
    with ArchiveFiles(path, "r+") as files:
        check_closable(files)
        close_files(files, ui=ui, min_gap=min_gap, block_rows=block_rows,
                    block_tracks=block_tracks, threads=threads, raw_chunks=raw_chunks)


def check_closable(files: ArchiveFiles) -> None:
    """Everything close-data refuses, found before it writes anything: a format version newer
    than ours, track data it cannot read (see ``_layout.continuous_of``: other shapes, data
    outside the file, a filter this HDF5 lacks) or with more columns than track names."""
    for chrom in files.chromosome_names():
        group = files.chromosome_group(chrom)
        check_format_version(group)
        ntracks = len(_layout.read_tracknames(group.file["/"]) or ())
        for supercontig in _layout.supercontig_groups(group):
            dataset = _layout.continuous_of(supercontig)
            if dataset is None or not ntracks:
                continue
            _layout.check_filters(dataset)
            if dataset.shape[1] > ntracks:
                raise GenomedataError(
                    f"{_layout.describe(dataset)} has {dataset.shape[1]} track columns but the "
                    f"archive lists only {ntracks} track names")


def close_files(files: ArchiveFiles, *, ui=None, min_gap: int = MIN_GAP_LEN, block_rows=None,
                block_tracks=None, threads=None, raw_chunks: bool = True) -> None:
    """close-data on an archive open for writing (its writes join the caller's transaction:
    ``hardmask`` masks and closes in one)."""
    ui = get_ui(ui)
    nthreads = default_threads() if threads is None else max(0, int(threads))
    chromosomes = files.chromosome_names()
    pool = (ThreadPoolExecutor(nthreads, thread_name_prefix="close-data")
            if nthreads else None)
    try:
        with ui.progress("computing statistics", total=len(chromosomes),
                         unit="chromosomes") as task:
            for chrom in chromosomes:
                group = files.chromosome_group(chrom)
                check_format_version(group)
                ui.verbose(f"writing metadata for {chrom}")
                tracknames = _layout.read_tracknames(group.file["/"])
                write_chromosome_metadata(group, tracknames, ui=ui, min_gap=min_gap,
                                          block_rows=block_rows,
                                          block_tracks=block_tracks, pool=pool,
                                          nthreads=max(1, nthreads),
                                          raw_chunks=raw_chunks)
                task.advance()
    finally:
        if pool is not None:
            pool.shutdown()
