"""The one writer of dataset chunks (``seq`` and ``continuous``), and erasing a track column.

Chunks are encoded by ``codec`` (shuffle kernel, ISA-L deflate) on a thread pool and stored with
HDF5 direct chunk writes, so the files hold ordinary shuffle + deflate chunks that every HDF5
reader decodes.  Datasets with any other filter pipeline are written through h5py instead.

* ``write_seq(dataset, values)`` -- the whole 1-D ``seq`` dataset from a uint8 array.
* ``ChunkWriter(dataset)`` with ``write_column(column, row_start, values)`` and ``close()`` --
  values for rows ``[row_start, row_start + len(values))`` of one column of ``continuous``
  (``column=None`` for a 1-D dataset).  Chunks that would be entirely NaN and are not stored
  yet are skipped; a partly covered chunk is merged with what the dataset holds.
* ``write_array(dataset, values, offset=None)`` -- whole chunks of a small dataset of any
  shape (the block summaries of close-data, and one track of them at a time for ``load``),
  in the calling thread.
* ``erase_column(dataset, column)`` -- NaN over a whole column (erase-data, and the new track
  columns of old archives whose fill value is 0).
"""

from __future__ import annotations

from collections import deque

import numpy as np

from .._threads import default_threads
from . import codec
from .layout import SEQ_DTYPE, continuous_chunk_rows, continuous_fill_is_nan

ERASE_BLOCK_ROWS = 1 << 20  # rows of NaN handed to the chunk writer at a time


class ChunkWriter:
    """Writes columns of a chunked dataset whose chunks span one column.

    Chunks are encoded in batches of :attr:`BATCH` on the pool; the encoded chunks are
    written (HDF5 direct chunk writes, in the calling thread) when the writer waits for
    room, when :meth:`poll` is called, and at :meth:`close`.  The arrays given to
    :meth:`write_column` are read by the pool threads until they are written: do not change
    them before :meth:`close` (or a :meth:`poll` that leaves nothing pending)."""

    BATCH = 32

    def __init__(self, dataset, threads=None, pool=None):
        self.dataset = dataset
        chunks = dataset.chunks
        if chunks is None or (len(chunks) == 2 and chunks[1] != 1):
            raise ValueError("ChunkWriter needs a dataset chunked along single columns")
        self.chunk_rows = int(chunks[0])
        self.nrows = int(dataset.shape[0])
        self.dtype = dataset.dtype
        self.itemsize = self.dtype.itemsize
        self.fill = dataset.fillvalue
        self.pipeline = codec.chunk_pipeline(dataset)
        self._own_pool = pool is None and self.pipeline is not None
        if self._own_pool:
            # (imported here: the read API imports this module, and commands that only read,
            # such as genomedata info, start faster without concurrent.futures)
            from concurrent.futures import ThreadPoolExecutor
            pool = ThreadPoolExecutor(threads or default_threads())
        self._pool = pool
        self._pending = deque()       # (coords, future) per batch, oldest first
        self._pending_coords = {}     # coord -> chunks of it still pending
        self._batch = []              # (coord, raw bytes) not submitted yet
        self._max_pending = 4 * (threads or default_threads())
        # column -> first rows of its stored chunks (built on first need), or None: ask HDF5
        # chunk by chunk
        self._stored_rows = {}

    # -- helpers
    def _stored(self, coord) -> bool:
        """Whether the chunk at ``coord`` is stored, or submitted to be."""
        if coord in self._pending_coords:
            return True
        column = coord[1] if len(coord) == 2 else None
        if column not in self._stored_rows:
            rows = codec.stored_chunk_rows(self.dataset, column, lookups=False)
            self._stored_rows[column] = None if rows is None else set(rows.tolist())
        rows = self._stored_rows[column]
        if rows is None:
            return codec.chunk_is_stored(self.dataset, coord)
        return coord[0] in rows

    def _coord(self, chunk_index: int, column):
        row = chunk_index * self.chunk_rows
        return (row,) if column is None else (row, column)

    def _read_chunk(self, chunk_index: int, column) -> np.ndarray:
        """The current full-chunk content (fill value past the dataset's end)."""
        lo = chunk_index * self.chunk_rows
        hi = min(lo + self.chunk_rows, self.nrows)
        out = np.full(self.chunk_rows, self.fill, dtype=self.dtype)
        if column is None:
            out[:hi - lo] = self.dataset[lo:hi]
        else:
            out[:hi - lo] = self.dataset[lo:hi, column]
        return out

    def _submit(self, coord, chunk: np.ndarray) -> None:
        raw = np.ascontiguousarray(chunk).view(np.uint8)
        self._batch.append((coord, raw))
        self._pending_coords[coord] = self._pending_coords.get(coord, 0) + 1
        rows = self._stored_rows.get(coord[1] if len(coord) == 2 else None)
        if rows is not None:
            rows.add(coord[0])  # written now: a later all-NaN chunk must be too
        if len(self._batch) >= self.BATCH:
            self._flush_batch()

    def _flush_batch(self) -> None:
        if not self._batch:
            return
        coords = [coord for coord, _ in self._batch]
        raws = [raw for _, raw in self._batch]
        self._batch = []
        future = self._pool.submit(codec.encode_chunks, raws, self.itemsize, self.pipeline)
        self._pending.append((coords, future))
        while len(self._pending) >= self._max_pending:
            self._write_oldest()

    def _write_oldest(self) -> None:
        coords, future = self._pending.popleft()
        write = self.dataset.id.write_direct_chunk
        for coord, data in zip(coords, future.result()):
            write(coord, data, 0)
            left = self._pending_coords.pop(coord) - 1
            if left:
                self._pending_coords[coord] = left

    def _drain(self) -> None:
        self._flush_batch()
        while self._pending:
            self._write_oldest()

    # -- public
    def poll(self) -> None:
        """Write the chunks whose encoding has finished, without waiting for the others."""
        while self._pending and self._pending[0][1].done():
            self._write_oldest()

    def write_column(self, column, row_start: int, values) -> None:
        values = np.asarray(values, dtype=self.dtype)
        row_end = row_start + len(values)
        if not len(values):
            return
        if row_start < 0 or row_end > self.nrows:
            raise IndexError(f"rows {row_start}:{row_end} outside dataset of {self.nrows} rows")
        if self.pipeline is None:
            if column is None:
                self.dataset[row_start:row_end] = values
            else:
                self.dataset[row_start:row_end, column] = values
            return
        size = self.chunk_rows
        first, last = row_start // size, (row_end - 1) // size
        skip_nan = self.dtype.kind == "f" and bool(np.isnan(self.fill))
        if skip_nan:
            from ..kernels.chunks import nan_blocks
            # all-NaN flags of the chunks, computed once over the aligned values
            head = (size - row_start % size) % size
            aligned_nan = nan_blocks(values[head:], size)
        for k in range(first, last + 1):
            lo, hi = k * size, min((k + 1) * size, self.nrows)
            a, b = max(lo, row_start), min(hi, row_end)
            part = values[a - row_start:b - row_start]
            coord = self._coord(k, column)
            if a == lo and b == hi:
                if skip_nan and aligned_nan[(a - row_start - head) // size] \
                        and not self._stored(coord):
                    continue
                if hi - lo == size:
                    chunk = part
                else:
                    chunk = np.full(size, self.fill, dtype=self.dtype)
                    chunk[:hi - lo] = part
            else:
                if coord in self._pending_coords:
                    self._drain()  # the chunk's newest content is still being encoded
                chunk = self._read_chunk(k, column)
                chunk[a - lo:b - lo] = part
                if skip_nan and np.isnan(chunk).all() and not self._stored(coord):
                    continue
            self._submit(coord, chunk)
        self._flush_batch()

    def close(self) -> None:
        try:
            self._drain()
        finally:
            if self._own_pool and self._pool is not None:
                self._pool.shutdown()
                self._pool = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def write_array(dataset, values, offset=None) -> None:
    """Write ``values`` into a small chunked dataset of any shape, at ``offset`` (default: the
    origin; ``values`` then has the dataset's shape), each chunk encoded by ``codec`` in the
    calling thread (edge chunks padded with zeros to the chunk's size, as HDF5 stores them);
    through h5py when ``codec`` does not encode its filters.  ``offset`` lies on chunk edges
    and ``values`` covers whole chunks, but where it reaches the dataset's end."""
    values = np.ascontiguousarray(values, dtype=dataset.dtype)
    shape, chunks = dataset.shape, dataset.chunks
    offset = (0,) * len(shape) if offset is None else tuple(int(o) for o in offset)
    stop = tuple(o + n for o, n in zip(offset, values.shape))
    if len(offset) != len(shape) or len(values.shape) != len(shape) or any(
            o % c or (e % c and e != n) or e > n
            for o, e, c, n in zip(offset, stop, chunks, shape)):
        raise ValueError(f"values of shape {values.shape} at {offset} do not cover whole "
                         f"chunks {chunks} of a dataset of {shape}")
    pipeline = codec.chunk_pipeline(dataset)
    if pipeline is None or not values.size:
        dataset[tuple(slice(o, e) for o, e in zip(offset, stop))] = values
        return
    itemsize = dataset.dtype.itemsize
    buffer = np.zeros(chunks, dtype=dataset.dtype)
    scratch = np.empty(buffer.nbytes, dtype=np.uint8)
    write = dataset.id.write_direct_chunk
    for index in np.ndindex(*(-(-n // c) for n, c in zip(values.shape, chunks))):
        corner = tuple(i * c for i, c in zip(index, chunks))
        part = values[tuple(slice(k, k + c) for k, c in zip(corner, chunks))]
        if part.shape != chunks:
            buffer[...] = 0
        buffer[tuple(slice(0, n) for n in part.shape)] = part
        write(tuple(o + k for o, k in zip(offset, corner)),
              codec.encode_chunk(buffer.view(np.uint8).reshape(-1), itemsize, pipeline,
                                 scratch), 0)


def write_seq(dataset, values, pool=None) -> None:
    """Write the whole ``seq`` dataset of a supercontig."""
    values = np.ascontiguousarray(values, dtype=SEQ_DTYPE)
    if len(values) != dataset.shape[0]:
        raise ValueError(f"sequence of {len(values)} bases for a dataset of {dataset.shape[0]}")
    with ChunkWriter(dataset, pool=pool) as writer:
        writer.write_column(None, 0, values)


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


def erase_column(dataset, column: int, pool=None, block_rows: int = ERASE_BLOCK_ROWS) -> int:
    """Write NaN over one column of a ``continuous`` dataset; returns the chunks written.

    Where the fill value is NaN (every archive Genomedata writes) only the stored chunks are
    rewritten: chunks never written read NaN already.  In old archives with fill value 0 every
    chunk is."""
    nrows = int(dataset.shape[0])
    if nrows == 0 or column >= dataset.shape[1]:
        return 0
    chunk_rows = continuous_chunk_rows(dataset)
    max_rows = max(chunk_rows, block_rows // chunk_rows * chunk_rows)
    stored = None
    if continuous_fill_is_nan(dataset) and dataset.chunks is not None:
        stored = codec.stored_chunk_rows(dataset, column)
    if stored is None:
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
