"""The chunk codec: how a ``continuous`` chunk is encoded and decoded, and which chunks are stored.

HDF5 stores a chunk of float32 values through the dataset's filter pipeline -- for every archive
Genomedata writes, a byte shuffle of the element size (byte ``b`` of value ``i`` at ``b * rows +
i``) then deflate.  For such pipelines (:func:`chunk_pipeline`) this package encodes and decodes
chunks itself, outside HDF5's one-chunk-at-a-time pipeline: ISA-L deflate at level 1 and the
shuffle kernel on write (:func:`encode_chunk`), inflate and unshuffle on read
(:func:`decode_chunk`, :func:`unshuffle_into`), in parallel; any other pipeline is left to HDF5.
The files hold ordinary shuffle + deflate chunks that every HDF5 reader decodes.

Which chunks are stored (a chunk never written reads as the fill value, NaN): the chunk index
of a dataset (:func:`chunk_index`), the stored chunks of one column (:func:`stored_chunk_rows`)
and one chunk (:func:`chunk_is_stored`).

The writer of chunks is ``writer``; the readers of blocks of rows, ``blocks``.
"""

from __future__ import annotations

import numpy as np

from .layout import DEFLATE_LEVEL, creation_plist, format_error

# A dataset's chunk index is read whole (13 bytes a chunk) only up to this many chunks; beyond
# (e.g. 250 Mbp x 160 tracks in chunks of 10000 rows) HDF5 decodes instead.
MAX_INDEXED_CHUNKS = 4 * 2 ** 20
# Which chunks of one column are stored: one pass over the dataset's chunk index when it holds
# at most this many times the chunks of one column, else one lookup per chunk row (a lookup
# that misses costs about this many times a visited index entry).
INDEX_PASS_FACTOR = 6

# HDF5 filter identifiers (H5Z_FILTER_DEFLATE, H5Z_FILTER_SHUFFLE)
FILTER_DEFLATE = 1

FILTER_SHUFFLE = 2


class ChunkPipeline:
    """A dataset's filter pipeline when it is one this package encodes and decodes itself:
    byte shuffle of the dataset's element size and/or deflate, in that order.

    ``shuffle``: whether the bytes are shuffled; ``level``: the deflate level, None without
    deflate; ``shuffle_bit``/``deflate_bit``: the filter's bit in a chunk's filter mask (set
    when HDF5 skipped that filter for the chunk), 0 when the filter is absent."""

    __slots__ = ("shuffle", "level")

    def __init__(self, shuffle: bool, level):
        self.shuffle = shuffle
        self.level = level

    @property
    def shuffle_bit(self) -> int:
        return 1 if self.shuffle else 0

    @property
    def deflate_bit(self) -> int:
        return 0 if self.level is None else (2 if self.shuffle else 1)

    def __repr__(self):
        return f"ChunkPipeline(shuffle={self.shuffle}, level={self.level})"


def chunk_pipeline(dataset):
    """The :class:`ChunkPipeline` of a chunked dataset, or None when its filters are anything
    else (other filters, another order, a shuffle of another element size): HDF5 must then
    encode and decode its chunks."""
    if dataset.chunks is None:
        return None
    dcpl = creation_plist(dataset)
    filters = [dcpl.get_filter(i) for i in range(dcpl.get_nfilters())]
    codes = [code for code, _flags, _values, _name in filters]
    shuffle = bool(codes) and codes[0] == FILTER_SHUFFLE
    if shuffle:
        values = filters[0][2]
        if values and int(values[0]) != dataset.dtype.itemsize:
            return None
        filters, codes = filters[1:], codes[1:]
    if not codes:
        return ChunkPipeline(shuffle, None)
    if codes == [FILTER_DEFLATE]:
        values = filters[0][2]
        return ChunkPipeline(shuffle, int(values[0]) if values else DEFLATE_LEVEL)
    return None


def inflate_chunk(data, nbytes: int, where) -> bytes:
    """Inflate one deflated chunk that must hold exactly ``nbytes`` bytes, never producing more
    than ``nbytes + 1`` (a "decompression bomb" is refused, not inflated); ``where()`` names the
    chunk for the :class:`ArchiveFormatError` of a chunk that is corrupt or the wrong size."""
    try:
        from isal.isal_zlib import decompressobj
    except ImportError:  # pragma: no cover - isal is a dependency; zlib decodes the same data
        from zlib import decompressobj
    inflater = decompressobj()
    try:
        out = inflater.decompress(data, nbytes + 1)
    except Exception as exc:  # noqa: BLE001 - IsalError / zlib.error: a damaged chunk
        raise format_error(f"{where()} is corrupt: it cannot be inflated ({exc})") from None
    if len(out) > nbytes or (len(out) == nbytes and inflater.unconsumed_tail):
        raise format_error(f"{where()} inflates to more than the {nbytes} bytes of a chunk; "
                           "refused (a damaged or hostile file)")
    if len(out) < nbytes:
        raise format_error(f"{where()} is corrupt: it inflates to {len(out)} bytes, not the "
                           f"{nbytes} of a chunk")
    return out


def decode_chunk(raw, mask: int, pipeline, nbytes: int, edge: bool, where):
    """The bytes of one stored chunk with its deflate undone, and whether they are still
    shuffled: ``(data, shuffled)``, ``len(data) == nbytes`` (else an
    :class:`ArchiveFormatError` naming the chunk, ``where()``).  ``mask``: the chunk's filter
    mask; ``pipeline``: the dataset's :class:`ChunkPipeline`; ``edge``: the chunk is a partial
    edge chunk, which HDF5 may store unfiltered (a creation option h5py cannot query)."""
    data = raw
    try:
        if pipeline.level is not None and not mask & pipeline.deflate_bit:
            data = inflate_chunk(raw, nbytes, where)
    except Exception:
        if not (edge and len(raw) == nbytes):
            raise
        return raw, False
    if len(data) != nbytes:
        raise format_error(f"{where()} holds {len(data)} bytes, not the {nbytes} of a chunk")
    return data, bool(pipeline.shuffle and not mask & pipeline.shuffle_bit)


# ------------------------------------------------------------------------------------------------
# Encoding

def encode_chunk(raw: np.ndarray, itemsize: int, pipeline: ChunkPipeline, scratch=None) -> bytes:
    """One chunk's bytes (a uint8 array) filtered as HDF5's pipeline would: shuffled (a numba
    kernel; ``scratch`` a uint8 array to shuffle into, else a new one), then deflated with
    ISA-L (which releases the GIL)."""
    if pipeline.shuffle and itemsize > 1:
        from ..kernels.chunks import shuffle_bytes
        out = scratch[:len(raw)] if scratch is not None and len(scratch) >= len(raw) \
            else np.empty_like(raw)
        shuffle_bytes(raw, itemsize, out)
        raw = out
    if pipeline.level is None:
        return raw.tobytes()
    from isal import isal_zlib
    return isal_zlib.compress(raw, min(max(pipeline.level, 0), 3))


def encode_chunks(raws, itemsize: int, pipeline: ChunkPipeline) -> list:
    """:func:`encode_chunk` of several chunks (one task on a pool: less per-chunk overhead)."""
    scratch = (np.empty(max(len(raw) for raw in raws), dtype=np.uint8) if pipeline.shuffle
               else None)
    return [encode_chunk(raw, itemsize, pipeline, scratch) for raw in raws]


# ------------------------------------------------------------------------------------------------
# Decoding

def unshuffle_into(src, nelem: int, itemsize: int, first: int, count: int, dest) -> None:
    """Undo the byte shuffle of elements ``first .. first + count - 1`` of a chunk of ``nelem``
    elements (``src``: its shuffled bytes, uint8) into the uint8 array ``dest`` (a numba
    kernel, run without the GIL)."""
    from ..kernels.chunks import unshuffle_into as kernel
    if src.flags.writeable:
        # a read-only view, as chunks read from bytes are: the kernel is compiled once
        src = src.view()
        src.flags.writeable = False
    kernel(src, nelem, itemsize, first, count, dest)


def unshuffle_planes(planes, lo: int, hi: int, out_bytes) -> None:
    """``out_bytes[:, b] = planes[b, lo:hi]``: the byte planes of a shuffled chunk (``planes``,
    shape ``(itemsize, rows)``) into the bytes of values ``lo .. hi - 1`` (``out_bytes``,
    shape ``(hi - lo, itemsize)``, any strides), one strided copy per byte.  The read API's
    unshuffle: it needs no kernel, so reading values never imports numba."""
    for b in range(planes.shape[0]):
        out_bytes[:, b] = planes[b, lo:hi]


def read_stored_chunk(dataset, coord):
    """``(filter mask, raw bytes)`` of the stored chunk at ``coord``; None when the chunk is
    not stored (it reads as the fill value)."""
    try:
        return dataset.id.read_direct_chunk(coord)
    except (RuntimeError, MemoryError, OSError, ValueError) as exc:
        # h5py reports a chunk that is not allocated by RuntimeError ("... chunk storage is
        # not allocated"), or MemoryError when the dataset has no chunk at all; asking HDF5
        # whether it is stored is slow (~0.1 ms), so only other errors ask
        if "not allocated" not in str(exc) and chunk_is_stored(dataset, coord):
            raise
        return None


# ------------------------------------------------------------------------------------------------
# Which chunks are stored

def chunk_is_stored(dataset, coord) -> bool:
    """Whether the chunk at ``coord`` is stored (True when HDF5 cannot tell)."""
    try:
        return dataset.id.get_chunk_info_by_coord(coord).byte_offset is not None
    except (AttributeError, RuntimeError, ValueError):
        return True


def chunk_index(dataset):
    """``(offsets, sizes, masks)`` of a dataset chunked along single columns, arrays indexed
    by ``[chunk row, column]``: file offset (-1 for a chunk not stored), stored size, filter
    mask.  None when it has more than :data:`MAX_INDEXED_CHUNKS` chunks or this h5py/HDF5
    cannot iterate chunks."""
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


def stored_chunk_rows(dataset, column=None, *, lookups: bool = True):
    """Sorted first rows (int64 array) of the stored chunks that hold ``column`` (None: a 1-D
    dataset) of a chunked dataset.

    One pass over the dataset's chunk index when it holds at most :data:`INDEX_PASS_FACTOR`
    times the chunks of one column; otherwise (other columns hold most chunks) one lookup per
    chunk row of the column -- or, with ``lookups=False``, None: the caller asks
    :func:`chunk_is_stored` for the few chunks it needs."""
    chunk_rows = int(dataset.chunks[0])
    nrows = int(dataset.shape[0])
    if column is not None:
        column -= column % int(dataset.chunks[1])    # the first column of its chunks
    dsid = dataset.id
    try:
        stored = dsid.get_num_chunks()
        if stored == 0:
            return np.zeros(0, dtype=np.int64)
        if stored <= INDEX_PASS_FACTOR * -(-nrows // chunk_rows):
            rows = []

            def visit(info):
                offset = info.chunk_offset
                if info.byte_offset is not None and (column is None or offset[1] == column):
                    rows.append(offset[0])

            dsid.chunk_iter(visit)
            return np.unique(np.asarray(rows, dtype=np.int64))
    except (AttributeError, NotImplementedError, RuntimeError, TypeError):
        pass    # (an h5py that cannot count or iterate chunks)
    if not lookups:
        return None
    return np.asarray([row for row in range(0, nrows, chunk_rows)
                       if chunk_is_stored(dataset, (row,) if column is None else (row, column))],
                      dtype=np.int64)
