"""Kernels of ``genomedata export``: run-length encoding of a track block and bedGraph lines.

:func:`find_runs` turns a float32 block into intervals: each maximal run of consecutive equal
values becomes one interval ``[start, end)`` with that value; NaN is "no data" and never part of
an interval.  Equality is numeric (``-0.0 == 0.0``, so they merge; ``inf`` runs merge too).

:func:`format_bedgraph` writes bedGraph lines ``chrom<TAB>start<TAB>end<TAB>value<LF>`` into a
byte buffer, taking each value's text from a table of pre-formatted value strings (the Python
side formats the distinct values of a block once, with shortest round-trip float32 text).
"""

from __future__ import annotations

import numpy as np

from ._bytes import NEWLINE, TAB, put_uint
from ._jit import kernel

MAX_INT_DIGITS = 20  # int64 without sign


@kernel
def count_runs(values):
    """Number of runs of equal non-NaN values in ``values`` (float32, 1-D)."""
    n = values.shape[0]
    count = 0
    i = 0
    while i < n:
        v = values[i]
        if v != v:  # NaN
            i += 1
            continue
        count += 1
        i += 1
        while i < n and values[i] == v:
            i += 1
    return count


@kernel
def find_runs(values):
    """``(starts, ends, runvalues)``: the runs of equal non-NaN values of ``values`` as int64
    offsets into the block (half-open) and their float32 values (the first value of each run,
    which matters only for ``-0.0``/``0.0``)."""
    count = count_runs(values)
    starts = np.empty(count, dtype=np.int64)
    ends = np.empty(count, dtype=np.int64)
    runvalues = np.empty(count, dtype=np.float32)
    n = values.shape[0]
    k = 0
    i = 0
    while i < n:
        v = values[i]
        if v != v:
            i += 1
            continue
        starts[k] = i
        runvalues[k] = v
        i += 1
        while i < n and values[i] == v:
            i += 1
        ends[k] = i
        k += 1
    return starts, ends, runvalues


@kernel
def format_bedgraph(chrom, starts, ends, codes, table, lengths):
    """bedGraph lines for intervals ``starts[i]..ends[i]`` (int64, >= 0) of chromosome
    ``chrom`` (uint8 ASCII) whose value text is ``table[codes[i], :lengths[codes[i]]]``.

    Returns a uint8 array holding the lines (a view of a larger buffer)."""
    n = starts.shape[0]
    nchrom = chrom.shape[0]
    width = 0
    for k in range(lengths.shape[0]):
        if lengths[k] > width:
            width = lengths[k]
    out = np.empty(n * (nchrom + 2 * MAX_INT_DIGITS + width + 4), dtype=np.uint8)
    p = 0
    last_end = -1   # previous line's end and where its digits are
    last_at = 0
    last_len = 0
    for i in range(n):
        for c in range(nchrom):
            out[p + c] = chrom[c]
        p += nchrom
        out[p] = TAB
        p += 1
        if starts[i] == last_end:  # touching intervals: copy the previous end's digits
            for c in range(last_len):
                out[p + c] = out[last_at + c]
            p += last_len
        else:
            p = put_uint(out, p, starts[i])
        out[p] = TAB
        p += 1
        last_at = p
        p = put_uint(out, p, ends[i])
        last_len = p - last_at
        last_end = ends[i]
        out[p] = TAB
        p += 1
        code = codes[i]
        size = lengths[code]
        for c in range(size):
            out[p + c] = table[code, c]
        p += size
        out[p] = NEWLINE
        p += 1
    return out[:p]


@kernel
def distinct_codes(keys):
    """``(distinct, codes)`` of uint32 ``keys``: the distinct keys in order of first
    appearance and, for each key, the index of its value in ``distinct`` (int64)."""
    n = keys.shape[0]
    size = 16
    while size < 2 * n:
        size *= 2
    mask = size - 1
    slots = np.full(size, -1, dtype=np.int64)
    distinct = np.empty(n, dtype=np.uint32)
    codes = np.empty(n, dtype=np.int64)
    count = 0
    for i in range(n):
        key = keys[i]
        h = (np.uint64(key) * np.uint64(0x9E3779B97F4A7C15)) >> np.uint64(40)
        slot = np.int64(h) & mask
        while True:
            code = slots[slot]
            if code < 0:
                slots[slot] = count
                distinct[count] = key
                codes[i] = count
                count += 1
                break
            if distinct[code] == key:
                codes[i] = code
                break
            slot = (slot + 1) & mask
    return distinct[:count].copy(), codes
