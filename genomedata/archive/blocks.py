"""Reading blocks of rows of a ``continuous`` dataset: every reader of track values goes through
here, and every chunk it decodes through ``codec``.

* :func:`open_block_reader` and :func:`read_columns`: blocks of whole chunk rows and track
  columns decoded on a thread pool, for the passes over whole tracks (loading into a track
  that holds values, hardmask, histogram).  For the chunk layouts Genomedata writes the
  chunks are decoded by :class:`RawChunkReader` outside HDF5 (close-data asks it for one
  decoded chunk at a time, :meth:`RawChunkReader.chunk_data`, and summarises each in cache);
  any other layout by HDF5 (:class:`H5pyReader`).
* :class:`CachedColumnReader` with its :class:`ChunkCache`: the read API's reader of windows
  (``chromosome[a:b]``, binned summaries), which keeps recently decoded chunks, and
  :func:`read_pieces`, its engine for large reads and many windows at once
  (``Genome.read_regions``): each chunk decoded once, on every core.
* :func:`read_hyperslab`: one HDF5 read straight into an array, for everything else.
"""

from __future__ import annotations

import os

import numpy as np

from .._threads import default_threads
from . import codec
from .journal import writer_in_this_process
from .layout import _h5py, creation_plist, describe, format_error

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

# HDF5 file number (unique to each opening of a file in this process) -> the file's name
# when its chunks can be read by pread, else None: asked once per file, not per dataset (a
# file of thousands of chromosomes has thousands)
_READABLE_FILES = {}


def _readable_file(dataset):
    """The name of the dataset's file if its chunks lie where HDF5's chunk index says (no user
    block; the sec2 driver, or the undo journal's file object while this process writes the
    file), else None."""
    key = dataset.id.fileno
    if key in _READABLE_FILES:
        return _READABLE_FILES[key]
    handle = dataset.file
    filename = handle.filename
    if handle.userblock_size != 0:
        filename = None
    elif handle.driver != "sec2":
        # written through the undo journal (fileobj driver): the bytes are in the file
        if handle.driver != "fileobj" or writer_in_this_process(handle.filename) is None:
            filename = None
    if len(_READABLE_FILES) > 1024:
        _READABLE_FILES.clear()
    _READABLE_FILES[key] = filename
    return filename


class RawChunkReader:
    """Reads blocks by decoding the dataset's chunks itself, in parallel on ``pool``.

    The chunk index (file offset, stored size, filter mask of every chunk) is read once per
    dataset; worker threads then pread, inflate and unshuffle whole columns of a block without
    calling into HDF5, so they never wait for the GIL behind h5py's lock.
    """

    @classmethod
    def open(cls, dataset, pool, nthreads, flush: bool = True):
        """A reader for ``dataset``, or None when its layout needs HDF5's own decoding.
        ``flush=False``: the caller has flushed the dataset's file since its chunks were last
        written (a flush of a file written through the undo journal costs an fsync)."""
        import h5py

        if not hasattr(os, "pread"):
            return None
        if dataset.chunks is None or len(dataset.chunks) != 2 or dataset.chunks[1] != 1:
            return None
        if dataset.dtype.str != "<f4" or np.dtype(np.float32).str != "<f4":
            return None
        filename = _readable_file(dataset)
        if filename is None:
            return None
        dcpl = creation_plist(dataset)
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
        if flush:
            # this dataset's chunks still in HDF5's caches (written through any handle of
            # this file in this process) reach the disk; flushing the dataset, not the whole
            # file, keeps opening readers cheap when a file holds thousands of chromosomes
            dataset.id.flush()
        index = codec.chunk_index(dataset)
        if index is None:
            return None
        try:
            fd = os.open(filename, os.O_RDONLY)
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

    def chunk_data(self, chunk, col):
        """Chunk row ``chunk`` of column ``col``, read by pread, its deflate undone (any
        thread): ``(bytes, shuffled)``, ``4 * chunk_rows`` bytes; ``(None, False)`` for a
        chunk that is not stored (it reads as the fill value)."""
        offset = int(self.offsets[chunk, col])
        if offset < 0:
            return None, False
        size = int(self.sizes[chunk, col])
        data = os.pread(self.fd, size, offset)
        if len(data) != size:
            raise format_error(
                f"{self._where(chunk, col)} lies past the end of the file (a truncated "
                "file)")
        return codec.decode_chunk(
            data, int(self.masks[chunk, col]), self.pipeline, 4 * self.chunk_rows,
            self.partial_edge and chunk == self.offsets.shape[0] - 1,
            lambda: self._where(chunk, col))

    def _decode(self, block, items, buffer):
        chunk_rows = self.chunk_rows
        block_end = block.row0 + block.nrows
        for col, chunk in items:
            chunk_row0 = chunk * chunk_rows
            lo = max(block.row0, chunk_row0)
            count = min(block_end, chunk_row0 + chunk_rows) - lo
            row = col - block.col0
            dest0 = lo - block.row0
            src0 = lo - chunk_row0
            dest = buffer[row, dest0:dest0 + count]
            data, shuffled = self.chunk_data(chunk, col)
            if data is None:  # never written: the fill value
                dest[:] = self.fill
            elif shuffled:
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
# The read API's reader of windows, its chunk cache and its parallel engine

# decoded chunks a read-only genome keeps (Genome.chunk_cache_size changes it; 0 turns it off)
CACHE_BYTES = 64 * 2 ** 20
# what an entry costs beyond its array (the dict entry, the key, the array object)
_ENTRY_BYTES = 256


class ChunkCache:
    """Decoded chunks (inflated, still byte-shuffled as stored: planes ``(4, rows)``) of the
    ``continuous`` datasets of a genome's chromosomes, least recently used first out, holding
    at most ``max_bytes`` (arrays plus a small cost per entry).  Only archives opened
    read-only use it (nothing can change them behind the API's back); it is cleared by every
    write made through the API anyway.  Keys start with the chromosome's name."""

    def __init__(self, max_bytes=CACHE_BYTES):
        self.max_bytes = max(0, int(max_bytes))
        self.items = {}
        self.nbytes = 0

    def get(self, key):
        value = self.items.pop(key, None)
        if value is not None:
            self.items[key] = value  # most recent last
        return value

    def put(self, key, value):
        if self.max_bytes <= 0:
            return
        items = self.items
        old = items.pop(key, None)
        if old is not None:
            self.nbytes -= old.nbytes + _ENTRY_BYTES
        items[key] = value
        self.nbytes += value.nbytes + _ENTRY_BYTES
        self._shrink()

    def _shrink(self):
        items = self.items
        while self.nbytes > self.max_bytes and items:
            oldest = items.pop(next(iter(items)))
            self.nbytes -= oldest.nbytes + _ENTRY_BYTES

    def resize(self, max_bytes):
        self.max_bytes = max(0, int(max_bytes))
        self._shrink()

    def clear(self, owner=None):
        """Forget every chunk, or only those of chromosome ``owner``."""
        if owner is None:
            self.items.clear()
            self.nbytes = 0
            return
        for key in [key for key in self.items if key[0] == owner]:
            self.nbytes -= self.items.pop(key).nbytes + _ENTRY_BYTES


class RawFile:
    """One file descriptor of an archive file opened read-only, for ``pread`` of stored
    chunks from worker threads (HDF5 is asked only where the chunks are); opened on first
    use, closed by :meth:`close`."""

    __slots__ = ("filename", "fd")

    def __init__(self, filename):
        self.filename = filename
        self.fd = None

    def get(self):
        if self.fd is None:
            self.fd = os.open(self.filename, os.O_RDONLY)
        return self.fd

    def close(self):
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


class CachedColumnReader:
    """Reads rows of a ``continuous`` dataset chunked along single columns, decompressing the
    chunks itself (ISA-L inflate) and keeping them in the genome's :class:`ChunkCache`.

    Small reads (:meth:`read`, :meth:`read_column`) run in the calling thread: the byte
    shuffle of only the rows needed is undone by four strided copies straight into the
    output (no kernel: a small read never imports numba), or by the unshuffle kernel for
    long runs of one column.  Large reads and many windows at once go through
    :func:`read_pieces`, which decodes each chunk once on every core.  Used only for float32
    little-endian datasets whose filters are shuffle and/or deflate; anything else is read
    through HDF5."""

    __slots__ = ("dataset", "key", "chunk_rows", "pipeline", "last_chunk", "fill", "cache",
                 "raw_file", "_index", "_fill_chunk")

    def __init__(self, dataset, key, cache, pipeline, raw_file=None):
        self.dataset = dataset
        self.key = key
        self.chunk_rows = int(dataset.chunks[0])
        self.pipeline = pipeline
        self.last_chunk = (int(dataset.shape[0]) - 1) // self.chunk_rows
        self.fill = dataset.fillvalue
        self.cache = cache
        self.raw_file = raw_file
        self._index = None        # the chunk index for pread, False when unusable
        self._fill_chunk = None

    @classmethod
    def create(cls, dataset, key, cache, raw_file=None):
        """A reader, or None when the dataset's layout needs HDF5's own decoding.
        ``key``: the dataset's key in ``cache`` (a tuple starting with the chromosome
        name); ``raw_file``: a :class:`RawFile` of the dataset's file when it is opened
        read-only (chunks then read by ``pread`` in worker threads)."""
        if (dataset.chunks is None or len(dataset.chunks) != 2 or dataset.chunks[1] != 1
                or dataset.dtype != np.dtype("<f4")):
            return None
        pipeline = codec.chunk_pipeline(dataset)
        if pipeline is None:
            return None
        return cls(dataset, key, cache, pipeline, raw_file)

    def _where(self, column, k):
        return (f"the chunk at row {k * self.chunk_rows}, column {column} of "
                f"{describe(self.dataset)}")

    def _decode(self, k, column, mask, raw):
        raw, shuffled = codec.decode_chunk(
            raw, mask, self.pipeline, 4 * self.chunk_rows,
            k == self.last_chunk and self.dataset.shape[0] % self.chunk_rows != 0,
            lambda: self._where(column, k))
        buf = np.frombuffer(raw, dtype=np.uint8)
        return buf.reshape(4, -1) if shuffled else buf.view("<f4")

    def _chunk(self, column, k):
        """The chunk's values as a 1-D float32 array, or its byte planes ``(4, rows)`` when
        shuffled; None for a chunk that is not stored (fill value)."""
        cache_key = self.key + (column, k)
        planes = self.cache.get(cache_key)
        if planes is not None:
            return None if planes is _NOT_STORED else planes
        coord = (k * self.chunk_rows, column)
        stored = codec.read_stored_chunk(self.dataset, coord)
        if stored is None:
            self.cache.put(cache_key, _NOT_STORED)
            return None
        planes = self._decode(k, column, *stored)
        self.cache.put(cache_key, planes)
        return planes

    # -- many chunks (read_pieces)
    def raw_index(self):
        """``(offsets, sizes, masks)`` of every chunk (see :func:`codec.chunk_index`) when
        chunks can be read by ``pread`` from worker threads, else None."""
        if self._index is None:
            self._index = False
            if (self.raw_file is not None and hasattr(os, "pread")
                    and self.dataset.file.userblock_size == 0
                    and self.dataset.file.driver == "sec2"
                    and creation_plist(self.dataset).get_layout() == _h5py().h5d.CHUNKED):
                index = codec.chunk_index(self.dataset)
                if index is not None:
                    self.raw_file.get()     # opened here, not by racing worker threads
                    self._index = index
        return self._index or None

    def decode_raw(self, column, k, index):
        """The chunk as :meth:`_chunk` gives it, read by ``pread`` (any thread; no cache)."""
        offsets, sizes, masks = index
        offset = int(offsets[k, column])
        if offset < 0:
            return _NOT_STORED
        size = int(sizes[k, column])
        raw = os.pread(self.raw_file.get(), size, offset)
        if len(raw) != size:
            raise format_error(f"{self._where(column, k)} lies past the end of the file "
                               "(a truncated file)")
        return self._decode(k, column, int(masks[k, column]), raw)

    def fill_planes(self):
        """A chunk of the fill value, shuffled (planes ``(4, rows)``)."""
        if self._fill_chunk is None:
            values = np.full(self.chunk_rows, self.fill, dtype="<f4")
            self._fill_chunk = np.ascontiguousarray(values.view(np.uint8).reshape(-1, 4).T)
        return self._fill_chunk

    # -- small reads in the calling thread
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


class PieceJob:
    """Pieces of one chunk row (``k``) of ``reader``'s dataset, in track ``columns``, to copy
    into a flat float32 result: piece ``p`` is rows ``firsts[p] .. firsts[p] + counts[p] -
    1`` of the chunks, the ``j``-th value of column ``columns[c]`` going to ``out[dest[p] +
    j * stride + offsets[c]]`` (int64 arrays)."""

    __slots__ = ("reader", "k", "columns", "offsets", "firsts", "counts", "dest", "chunks",
                 "pending")

    def __init__(self, reader, k, columns, offsets, firsts, counts, dest):
        self.reader, self.k, self.columns, self.offsets = reader, k, columns, offsets
        self.firsts, self.counts, self.dest = firsts, counts, dest
        self.chunks = self.pending = None


# a read of fewer decoded chunks than this runs in the calling thread (a task on the pool
# costs more than decoding one chunk)
POOL_MIN_JOBS = 4
_POOL = []


def _forget_pool():
    _POOL.clear()


if hasattr(os, "register_at_fork"):
    # a forked child (a data loader's worker process) has none of the parent's threads: it
    # starts a pool of its own instead of waiting forever on the parent's
    os.register_at_fork(after_in_child=_forget_pool)


def read_pool():
    """The read API's worker threads (one per core, started on first use)."""
    if not _POOL:
        from concurrent.futures import ThreadPoolExecutor

        _POOL.append((ThreadPoolExecutor(default_threads(), thread_name_prefix="read"),
                      default_threads()))
    return _POOL[0]


def read_pieces(jobs, out, stride: int, cache) -> None:
    """Run :class:`PieceJob` s into the flat float32 array ``out``: each chunk is taken from
    ``cache`` or decoded once (read by ``pread``, inflated by ISA-L, without the GIL, on
    every core), then the pieces of a chunk row copied into the result by one kernel call
    for all its track columns (unshuffled on the way).  The chunks decoded are put in the
    cache unless they would fill more than half of it (a whole chromosome read does not
    flush the chunks of neighbouring windows)."""
    from ..kernels.chunks import copy_pieces, unshuffle_pieces

    out_words = out.view(np.uint32)
    npending = 0
    for job in jobs:
        reader, k = job.reader, job.k
        raw = reader.raw_index() is not None
        chunks, pending = [], []
        for c, column in enumerate(job.columns):
            chunk = cache.get(reader.key + (column, k))
            if chunk is None:
                if raw:
                    pending.append(c)
                else:       # HDF5 reads it, in this thread
                    chunk = reader._chunk(column, k)
                    chunk = _NOT_STORED if chunk is None else chunk
            chunks.append(chunk)
        job.chunks, job.pending = chunks, pending
        npending += len(pending)

    def run(batch):
        scratch = None
        for job in batch:
            reader, chunks = job.reader, job.chunks
            rows = reader.chunk_rows
            if scratch is None or scratch.shape[1] != 4 * rows \
                    or scratch.shape[0] < len(chunks):
                scratch = np.empty((len(chunks), 4 * rows), dtype=np.uint8)
            stacked = []
            for c in range(len(chunks)):
                chunk = chunks[c]
                if chunk is None:
                    chunk = chunks[c] = reader.decode_raw(job.columns[c], job.k,
                                                          reader.raw_index())
                if chunk is _NOT_STORED:
                    chunk = reader.fill_planes()
                if chunk.ndim == 2:
                    scratch[len(stacked)] = chunk.reshape(-1)
                    stacked.append(job.offsets[c])
                else:
                    copy_pieces(chunk, job.firsts, job.counts, out, job.dest + job.offsets[c],
                                stride)
            if stacked:
                unshuffle_pieces(scratch[:len(stacked)], rows, job.firsts, job.counts,
                                 out_words, job.dest, stride, np.array(stacked, dtype=np.int64))

    if npending < POOL_MIN_JOBS:
        run(jobs)
    else:
        pool, nthreads = read_pool()
        ntasks = min(len(jobs), 8 * nthreads)
        per_task = -(-len(jobs) // ntasks)
        futures = [pool.submit(run, jobs[i:i + per_task])
                   for i in range(0, len(jobs), per_task)]
        for future in futures:
            future.result()
    if npending and cache.max_bytes > 0:
        size = npending * (4 * jobs[0].reader.chunk_rows + _ENTRY_BYTES)
        if size <= cache.max_bytes // 2:
            for job in jobs:
                for c in job.pending:
                    cache.put(job.reader.key + (job.columns[c], job.k), job.chunks[c])
    for job in jobs:
        job.chunks = job.pending = None


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
