"""Reading blocks of rows of a ``continuous`` dataset: every reader of track values goes through
here, and every chunk it decodes through ``codec``.

* :func:`open_block_reader` and :func:`read_columns`: blocks of whole chunk rows and track
  columns decoded on a thread pool, for the passes over whole tracks (close-data's statistics,
  loading into a track that holds values, hardmask, histogram).  For the chunk layouts
  Genomedata writes the chunks are decoded by :class:`RawChunkReader` outside HDF5; any other
  layout by HDF5 (:class:`H5pyReader`).
* :class:`CachedColumnReader` with its :class:`ChunkCache`: the read API's reader of windows
  (``chromosome[a:b]``, binned summaries), which keeps recently decoded chunks.
* :func:`read_hyperslab`: one HDF5 read straight into an array, for everything else.
"""

from __future__ import annotations

import os

import numpy as np

from . import codec
from .journal import writer_in_this_process
from .layout import _h5py, describe, format_error

# upper bound of one block buffer (two are in use at a time: one read, one scanned)
BLOCK_BYTES = 32 * 2 ** 20


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


class Block:
    """Rows ``row0 .. row0 + nrows - 1`` and track columns ``col0 .. col1 - 1``."""

    __slots__ = ("row0", "nrows", "col0", "col1")

    def __init__(self, row0, nrows, col0, col1):
        self.row0, self.nrows, self.col0, self.col1 = row0, nrows, col0, col1


class H5pyReader:
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
# unshuffled on every core.  Anything else goes through h5py (H5pyReader).

class RawChunkReader:
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
            # written through the undo journal (fileobj driver): the bytes are in the file
            if handle.driver != "fileobj" or writer_in_this_process(handle.filename) is None:
                return None
        dcpl = dataset.id.get_create_plist()
        if dcpl.get_layout() != h5py.h5d.CHUNKED:
            return None
        pipeline = codec.chunk_pipeline(dataset)
        if pipeline is None:
            return None
        if pipeline.shuffle and pipeline.level is None:
            # HDF5 may store partial edge chunks unfiltered (a creation option h5py cannot
            # query); with deflate in the pipeline such a chunk fails to inflate and is taken
            # as it is, but shuffle alone would be undone silently on unshuffled bytes
            return None
        handle.flush()  # chunks written through another handle of this file reach the disk
        index = codec.chunk_index(dataset)
        if index is None:
            return None
        try:
            fd = os.open(handle.filename, os.O_RDONLY)
        except OSError:
            return None
        return cls(dataset, pool, nthreads, pipeline, index, fd)

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
                raise format_error(
                    f"{self._where(chunk, col)} lies past the end of the file (a truncated "
                    "file)")
            data, shuffled = codec.decode_chunk(
                data, mask, self.pipeline, nbytes,
                self.partial_edge and chunk == self.offsets.shape[0] - 1,
                lambda: self._where(chunk, col))
            if shuffled:
                codec.unshuffle_into(np.frombuffer(data, dtype=np.uint8), chunk_rows, 4, src0,
                                     count, dest.view(np.uint8))
            else:
                dest[:] = np.frombuffer(data, dtype="<f4", count=count, offset=4 * src0)

    def _where(self, chunk, col) -> str:
        return (f"the chunk at row {chunk * self.chunk_rows}, column {col} of "
                f"{describe(self.dataset)}")

    def close(self):
        os.close(self.fd)


def open_block_reader(dataset, pool, nthreads, raw_chunks: bool = True):
    """A reader of blocks of ``dataset``: chunks decoded on ``pool`` by
    :class:`RawChunkReader` when their layout allows (and ``raw_chunks``), else by HDF5.
    Close it after use."""
    reader = RawChunkReader.open(dataset, pool, nthreads) if raw_chunks else None
    return reader if reader is not None else H5pyReader(dataset, pool)


def read_columns(reader, columns, row0, nrows, out=None) -> list:
    """Rows ``[row0, row0 + nrows)`` of each of ``columns``, read in parallel: one float32
    array per column, new or the given ``out`` arrays (contiguous, ``nrows`` long)."""
    buffers = [np.empty(nrows, dtype=np.float32) for _ in columns] if out is None else out
    futures = []
    for buffer, column in zip(buffers, columns):
        futures += reader.submit(Block(row0, nrows, column, column + 1),
                                 buffer.reshape(1, nrows))
    for future in futures:
        future.result()
    return buffers


# ------------------------------------------------------------------------------------------------
# The read API's reader of windows

CACHE_CHUNKS = 128  # decompressed chunks kept per chromosome (10000 rows: 40 kB each)


class ChunkCache:
    """Decompressed chunks of one chromosome's ``continuous`` datasets, least recently used
    first out.  Only archives opened read-only use it (nothing can change them behind the
    API's back); it is cleared by every write made through the API anyway."""

    def __init__(self, capacity=CACHE_CHUNKS):
        self.capacity = capacity
        self.items = {}

    def get(self, key):
        value = self.items.pop(key, None)
        if value is not None:
            self.items[key] = value  # most recent last
        return value

    def put(self, key, value):
        if self.capacity <= 0:
            return
        items = self.items
        items[key] = value
        if len(items) > self.capacity:
            del items[next(iter(items))]

    def clear(self):
        self.items.clear()


class CachedColumnReader:
    """Reads rows of a ``continuous`` dataset chunked along single columns, decompressing the
    chunks itself (ISA-L inflate) and keeping them in the chromosome's :class:`ChunkCache`;
    the byte shuffle of only the rows needed is undone by four strided copies straight into
    the output (no temporary array, and no kernel: reading values never imports numba), or
    by the unshuffle kernel for whole columns (:meth:`read_column`).  Used only for float32
    little-endian datasets whose filters are shuffle and/or deflate; anything else is read
    through HDF5."""

    __slots__ = ("dataset", "key", "chunk_rows", "pipeline", "last_chunk", "fill", "cache")

    def __init__(self, dataset, key, cache, pipeline):
        self.dataset = dataset
        self.key = key
        self.chunk_rows = int(dataset.chunks[0])
        self.pipeline = pipeline
        self.last_chunk = (int(dataset.shape[0]) - 1) // self.chunk_rows
        self.fill = dataset.fillvalue
        self.cache = cache

    @classmethod
    def create(cls, dataset, key, cache):
        if (dataset.chunks is None or len(dataset.chunks) != 2 or dataset.chunks[1] != 1
                or dataset.dtype != np.dtype("<f4")):
            return None
        pipeline = codec.chunk_pipeline(dataset)
        if pipeline is None:
            return None
        return cls(dataset, key, cache, pipeline)

    def _chunk(self, column, k):
        """The chunk's values as a 1-D float32 array, or its byte planes ``(4, rows)`` when
        shuffled; None for a chunk that is not stored (fill value)."""
        cache_key = (self.key, column, k)
        planes = self.cache.get(cache_key)
        if planes is not None:
            return None if planes is _NOT_STORED else planes
        coord = (k * self.chunk_rows, column)
        stored = codec.read_stored_chunk(self.dataset, coord)
        if stored is None:
            self.cache.put(cache_key, _NOT_STORED)
            return None
        mask, raw = stored
        raw, shuffled = codec.decode_chunk(
            raw, mask, self.pipeline, 4 * self.chunk_rows,
            k == self.last_chunk and self.dataset.shape[0] % self.chunk_rows != 0,
            lambda: (f"the chunk at row {coord[0]}, column {column} of "
                     f"{describe(self.dataset)}"))
        buf = np.frombuffer(raw, dtype=np.uint8)
        if shuffled:
            planes = buf.reshape(4, -1)
        else:
            planes = buf.view("<f4")
        self.cache.put(cache_key, planes)
        return planes

    def read(self, row, col, out):
        """``out[:] = dataset[row:row+n, col:col+m]`` for a 2-D ``out`` of shape (n, m)."""
        size = self.chunk_rows
        nrows, ncols = out.shape
        stop = row + nrows
        first, last = row // size, (stop - 1) // size
        # the output's bytes (rows, columns, 4): byte b of a value comes from plane b
        out_bytes = (out.view(np.uint8).reshape(nrows, ncols, 4)
                     if out.flags.c_contiguous and out.dtype == np.dtype("<f4") else None)
        for j in range(ncols):
            target = out[:, j]
            for k in range(first, last + 1):
                base = k * size
                lo = row if row > base else base
                hi = stop if stop < base + size else base + size
                chunk = self._chunk(col + j, k)
                if chunk is None:
                    target[lo - row:hi - row] = self.fill
                elif chunk.ndim == 1:
                    target[lo - row:hi - row] = chunk[lo - base:hi - base]
                elif out_bytes is not None:
                    codec.unshuffle_planes(chunk, lo - base, hi - base,
                                           out_bytes[lo - row:hi - row, j])
                else:
                    target[lo - row:hi - row] = np.ascontiguousarray(
                        chunk[:, lo - base:hi - base].T).view("<f4")[:, 0]

    def read_column(self, col, row, out):
        """``out[:] = dataset[row:row + len(out), col]`` (1-D float32 ``out``), the byte
        shuffle undone by the kernel (binned summaries read long runs of rows)."""
        size = self.chunk_rows
        stop = row + len(out)
        for k in range(row // size, (stop - 1) // size + 1):
            base = k * size
            lo = max(row, base)
            hi = min(stop, base + size)
            dest = out[lo - row:hi - row]
            chunk = self._chunk(col, k)
            if chunk is None:
                dest[:] = self.fill
            elif chunk.ndim == 2:
                codec.unshuffle_into(chunk.reshape(-1), size, 4, lo - base, hi - lo,
                                     dest.view(np.uint8))
            else:
                dest[:] = chunk[lo - base:hi - base]


_NOT_STORED = np.empty(0, dtype=np.uint8)  # cached "this chunk is not stored"


# ------------------------------------------------------------------------------------------------
# Anything else

def read_hyperslab(dataset, row, col, out) -> None:
    """Read ``dataset[row:row+n, col:col+m]`` (or ``[row:row+n]`` for 1-D) into the C-contiguous
    array ``out`` of shape ``(n, m)`` / ``(n,)``: one HDF5 hyperslab read, no temporary."""
    fspace = dataset.id.get_space()
    start = (row,) if out.ndim == 1 else (row, col)
    fspace.select_hyperslab(start, out.shape)
    mspace = _h5py().h5s.create_simple(out.shape)
    dataset.id.read(mspace, fspace, out)
