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
    for b in range(itemsize):
        base = b * n
        for i in range(n):
            dst[base + i] = src[i * itemsize + b]
    return n


@njit(cache=True, nogil=True)
def unshuffle_bytes(src, itemsize, dst):
    """Inverse of :func:`shuffle_bytes`."""
    n = src.shape[0] // itemsize
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
