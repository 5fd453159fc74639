"""Kernels of the chunk codec: HDF5's byte shuffle filter and its inverse, and NaN tests."""

from __future__ import annotations

import numpy as np

from ._bytes import _unshuffle4
from ._jit import kernel


@kernel
def shuffle_bytes(src, itemsize, dst):
    """HDF5 shuffle filter: byte ``b`` of element ``i`` goes to ``dst[b * n + i]``.

    ``src`` and ``dst`` are uint8 buffers of the same length, a multiple of ``itemsize``.
    """
    n = src.shape[0] // itemsize
    if itemsize == 4:
        # one pass over the source, four output planes (LLVM vectorises this loop)
        d0, d1, d2, d3 = dst[0:n], dst[n:2 * n], dst[2 * n:3 * n], dst[3 * n:4 * n]
        for i in range(n):
            d0[i] = src[4 * i]
            d1[i] = src[4 * i + 1]
            d2[i] = src[4 * i + 2]
            d3[i] = src[4 * i + 3]
        return n
    for b in range(itemsize):
        base = b * n
        for i in range(n):
            dst[base + i] = src[i * itemsize + b]
    return n


@kernel
def unshuffle_into(src, nelem, itemsize, first, nvalues, dest):
    """Undo HDF5's byte shuffle filter (the inverse of :func:`shuffle_bytes`) for elements
    ``first .. first + nvalues - 1`` of a chunk: the one unshuffle of the package (with
    :func:`unshuffle_pieces`, which shares its loop).

    ``src``: the shuffled bytes of a chunk of ``nelem`` elements of ``itemsize`` bytes (byte
    ``b`` of element ``i`` at ``src[b * nelem + i]``); ``dest``: a uint8 array of at least
    ``nvalues * itemsize`` bytes receiving the elements in their natural byte order.
    """
    if itemsize == 4:
        # (LLVM vectorises this loop: the step is the constant 4 once inlined)
        _unshuffle4(src, nelem, first, nvalues, dest, 0, 4)
        return
    for b in range(itemsize):
        base = b * nelem + first
        for i in range(nvalues):
            dest[i * itemsize + b] = src[base + i]


@kernel
def unshuffle_pieces(stack, nelem, firsts, counts, dest, dest_starts, stride, offsets):
    """Pieces of one chunk row of several track columns, unshuffled straight into a float32
    result seen as uint32 words (``dest``).

    ``stack``: the shuffled bytes of the chunks (uint8, shape ``(columns, 4 * nelem)``, one
    chunk of ``nelem`` float32 values a row).  Piece ``p`` is elements ``firsts[p] ..
    firsts[p] + counts[p] - 1`` of every chunk: element ``j`` of row ``c`` goes to word
    ``dest_starts[p] + j * stride + offsets[c]`` (``stride``: the number of tracks of a
    ``(bases, tracks)`` result, ``offsets[c]``: the track's place in it).  The unshuffle of
    :func:`unshuffle_into` with one little-endian word stored per value, in blocks of 512
    rows: the planes of every column into words, then the words row by row, so that the
    result is written in order.  The caller guarantees the bounds."""
    ncols = stack.shape[0]
    words = np.empty((ncols, 512), dtype=np.uint32)    # one block of rows, as words
    for p in range(firsts.shape[0]):
        first = firsts[p]
        end = first + counts[p]
        for b0 in range(first, end, 512):
            b1 = min(end, b0 + 512)
            for c in range(ncols):          # the four planes into words (vectorised)
                src = stack[c]
                s0 = src[b0:b1]
                s1 = src[nelem + b0:nelem + b1]
                s2 = src[2 * nelem + b0:2 * nelem + b1]
                s3 = src[3 * nelem + b0:3 * nelem + b1]
                row = words[c]
                for i in range(b1 - b0):
                    row[i] = (np.uint32(s0[i]) | (np.uint32(s1[i]) << 8)
                              | (np.uint32(s2[i]) << 16) | (np.uint32(s3[i]) << 24))
            base = dest_starts[p] + (b0 - first) * stride
            for i in range(b1 - b0):        # then the words row by row into the result
                at = base + i * stride
                for c in range(ncols):
                    dest[at + offsets[c]] = words[c, i]


@kernel
def copy_pieces(src, firsts, counts, dest, dest_starts, stride):
    """:func:`unshuffle_pieces` for a chunk stored without shuffle (``src`` float32 values,
    ``dest`` float32)."""
    for p in range(firsts.shape[0]):
        s = firsts[p]
        d = dest_starts[p]
        for j in range(counts[p]):
            dest[d + j * stride] = src[s + j]


@kernel
def nan_blocks(values, block):
    """For consecutive blocks of ``block`` values, 1 where every value is NaN, else 0."""
    n = values.shape[0]
    nblocks = (n + block - 1) // block
    out = np.ones(nblocks, dtype=np.uint8)
    for k in range(nblocks):
        end = min(n, (k + 1) * block)
        for i in range(k * block, end):
            if values[i] == values[i]:
                out[k] = 0
                break
    return out


@kernel
def count_not_nan(values):
    """How many values are not NaN."""
    count = 0
    for i in range(values.shape[0]):
        if values[i] == values[i]:
            count += 1
    return count
