"""Growable result arrays, for kernels that learn the size of their result as they go.

A kernel starts with a small array, appends at index ``used``, and when the array is full
replaces it with a grown copy (twice the size, at least 16); it returns ``a[:used]`` or a copy of
the used part at the end.  Copies are explicit loops, which compile much faster than slice
assignment.
"""

from __future__ import annotations

import numpy as np

from ._jit import kernel


@kernel
def copy_rows(a, used, rows):
    """A new ``(rows, ncols)`` array holding the first ``used`` rows of ``a``."""
    b = np.empty((rows, a.shape[1]), dtype=a.dtype)
    for i in range(used):
        for j in range(a.shape[1]):
            b[i, j] = a[i, j]
    return b


@kernel
def grow_rows(a, used):
    """A 2-D table with twice the rows of ``a`` (at least 16) holding its first ``used`` rows."""
    return copy_rows(a, used, max(16, 2 * a.shape[0]))


@kernel
def grow(a, used):
    """A 1-D array twice as long as ``a`` (at least 16) holding its first ``used`` items."""
    b = np.empty(max(16, 2 * a.shape[0]), dtype=a.dtype)
    for i in range(used):
        b[i] = a[i]
    return b


@kernel
def append_pair(first, second, used, a, b):
    """Set item ``used`` of two growing arrays to ``a`` and ``b`` (growing both when full);
    returns the arrays, which may be new ones."""
    if used == first.shape[0]:
        first = grow(first, used)
        second = grow(second, used)
    first[used] = a
    second[used] = b
    return first, second


@kernel
def filled(size, value):
    """An int64 array of ``size`` items equal to ``value``."""
    table = np.empty(size, dtype=np.int64)
    for i in range(size):
        table[i] = value
    return table
