"""Kernels over genomic regions: saving and restoring the values of buffer regions."""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def gather_regions(buffer, starts, ends):
    """Copy ``buffer[start:end]`` of every region (clipped to the buffer) into one array."""
    n = buffer.shape[0]
    total = 0
    for k in range(starts.shape[0]):
        a = min(max(starts[k], 0), n)
        b = min(max(ends[k], a), n)
        total += b - a
    out = np.empty(total, buffer.dtype)
    pos = 0
    for k in range(starts.shape[0]):
        a = min(max(starts[k], 0), n)
        b = min(max(ends[k], a), n)
        for i in range(a, b):
            out[pos] = buffer[i]
            pos += 1
    return out


@njit(cache=True, nogil=True)
def scatter_regions(buffer, starts, ends, saved):
    """Put back what :func:`gather_regions` saved; return how many bases changed back."""
    n = buffer.shape[0]
    pos = 0
    changed = 0
    for k in range(starts.shape[0]):
        a = min(max(starts[k], 0), n)
        b = min(max(ends[k], a), n)
        for i in range(a, b):
            old = saved[pos]
            new = buffer[i]
            if not (old == new or (old != old and new != new)):
                changed += 1
                buffer[i] = old
            pos += 1
    return changed
