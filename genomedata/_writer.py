"""The one writer of dataset chunks (``seq`` and ``continuous``).

Chunks are shuffled (a numba kernel), deflated with ISA-L at level 1 on a thread pool (ISA-L
releases the GIL), and stored with HDF5 direct chunk writes, so the files hold ordinary
shuffle + deflate chunks that every HDF5 reader decodes.  Datasets with any other filter
pipeline are written through h5py instead.

* ``write_seq(dataset, values)`` -- the whole 1-D ``seq`` dataset from a uint8 array.
* ``ChunkWriter(dataset)`` with ``write_column(column, row_start, values)`` and ``close()`` --
  values for rows ``[row_start, row_start + len(values))`` of one column of ``continuous``
  (``column=None`` for a 1-D dataset).  Chunks that would be entirely NaN and are not stored
  yet are skipped; a partly covered chunk is merged with what the dataset holds.
"""

from __future__ import annotations

from collections import deque
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from . import _layout
from ._threads import default_threads


def _pipeline(dataset):
    """(shuffle, deflate level or None) when this writer can encode the dataset's chunks
    itself; None when HDF5 must (then h5py writes)."""
    pipeline = _layout.chunk_pipeline(dataset)
    return None if pipeline is None else (pipeline.shuffle, pipeline.level)


def _encode(raw: np.ndarray, itemsize: int, shuffle: bool, level, scratch=None) -> bytes:
    """Filter one chunk's bytes (uint8 array) as HDF5's pipeline would."""
    if shuffle and itemsize > 1:
        from .kernels.chunks import shuffle_bytes
        out = scratch[:len(raw)] if scratch is not None and len(scratch) >= len(raw) \
            else np.empty_like(raw)
        shuffle_bytes(raw, itemsize, out)
        raw = out
    if level is None:
        return raw.tobytes()
    from isal import isal_zlib
    return isal_zlib.compress(raw, min(max(level, 0), 3))


def _encode_batch(raws, itemsize: int, shuffle: bool, level) -> list:
    """:func:`_encode` of several chunks (one task on the pool: less per-chunk overhead)."""
    scratch = np.empty(max(len(raw) for raw in raws), dtype=np.uint8) if shuffle else None
    return [_encode(raw, itemsize, shuffle, level, scratch) for raw in raws]


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
        self.pipeline = _pipeline(dataset)
        self._own_pool = pool is None and self.pipeline is not None
        self._pool = pool if pool is not None else (
            ThreadPoolExecutor(threads or default_threads()) if self._own_pool else None)
        self._pending = deque()       # (coords, future) per batch, oldest first
        self._pending_coords = {}     # coord -> chunks of it still pending
        self._batch = []              # (coord, raw bytes) not submitted yet
        self._max_pending = 4 * (threads or default_threads())
        self._stored_coords = None    # coords of stored chunks (built on first need) ...
        self._stored_known = False    # ... or None: ask HDF5 chunk by chunk

    # -- helpers
    def _stored(self, coord) -> bool:
        if not self._stored_known:
            self._stored_known = True
            self._stored_coords = self._stored_chunk_coords()
            if self._stored_coords is not None:
                self._stored_coords.update(self._pending_coords)  # submitted, not written
        if self._stored_coords is not None:
            return coord in self._stored_coords
        return self.dataset.id.get_chunk_info_by_coord(coord).byte_offset is not None

    def _stored_chunk_coords(self):
        """The offsets of every stored chunk, from one pass over the chunk index; None (ask
        HDF5 chunk by chunk) when the dataset stores many more chunks than one column has,
        or when this h5py cannot iterate chunks."""
        dsid = self.dataset.id
        found = set()
        try:
            stored = dsid.get_num_chunks()
            if stored == 0:
                return found
            if stored > 4 * (-(-self.nrows // self.chunk_rows)) + 64:
                return None
            dsid.chunk_iter(lambda info: found.add(tuple(int(x) for x in info.chunk_offset)))
        except (AttributeError, NotImplementedError, RuntimeError, TypeError):
            return None
        return found

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
        if self._stored_coords is not None:
            self._stored_coords.add(coord)  # written now: a later all-NaN chunk must be too
        if len(self._batch) >= self.BATCH:
            self._flush_batch()

    def _flush_batch(self) -> None:
        if not self._batch:
            return
        shuffle, level = self.pipeline
        coords = [coord for coord, _ in self._batch]
        raws = [raw for _, raw in self._batch]
        self._batch = []
        future = self._pool.submit(_encode_batch, raws, self.itemsize, shuffle, level)
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
            from .kernels.chunks import nan_blocks
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


def write_seq(dataset, values, pool=None) -> None:
    """Write the whole ``seq`` dataset of a supercontig."""
    values = np.ascontiguousarray(values, dtype=_layout.SEQ_DTYPE)
    if len(values) != dataset.shape[0]:
        raise ValueError(f"sequence of {len(values)} bases for a dataset of {dataset.shape[0]}")
    with ChunkWriter(dataset, pool=pool) as writer:
        writer.write_column(None, 0, values)
