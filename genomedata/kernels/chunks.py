"""Kernels of the chunk writer: byte shuffle (HDF5's shuffle filter) and NaN tests."""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
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


@njit(cache=True, nogil=True)
def unshuffle_bytes(src, itemsize, dst):
    """Inverse of :func:`shuffle_bytes`."""
    n = src.shape[0] // itemsize
    if itemsize == 4:
        s0, s1, s2, s3 = src[0:n], src[n:2 * n], src[2 * n:3 * n], src[3 * n:4 * n]
        for i in range(n):
            dst[4 * i] = s0[i]
            dst[4 * i + 1] = s1[i]
            dst[4 * i + 2] = s2[i]
            dst[4 * i + 3] = s3[i]
        return n
    for b in range(itemsize):
        base = b * n
        for i in range(n):
            dst[i * itemsize + b] = src[base + i]
    return n


@njit(cache=True, nogil=True)
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


@njit(cache=True, nogil=True)
def count_not_nan(values):
    """How many values are not NaN."""
    count = 0
    for i in range(values.shape[0]):
        if values[i] == values[i]:
            count += 1
    return count
