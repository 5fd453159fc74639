"""Kernels over genomic regions: the score filter, merging, intersecting, turning values into
regions, the chunks that regions touch, and saving, restoring or masking the values under
regions.

Regions are half-open ``[start, end)`` int64 coordinates.  "Merged" region lists are sorted by
start, non-empty, and neither overlap nor touch (``end[i] < start[i + 1]``).

Score filter operators (``op``): ``OP_ALL`` (no filter: every region), ``OP_LT`` x < t,
``OP_LE`` x <= t, ``OP_GT`` x > t, ``OP_GE`` x >= t, ``OP_EQ`` x == t, ``OP_NE`` x != t (IEEE
comparisons: a NaN score passes only ``ne``).
"""

from __future__ import annotations

import numpy as np

from ._jit import helper, kernel
from ._tables import append_pair

OP_ALL = 0
OP_LT = 1
OP_LE = 2
OP_GT = 3
OP_GE = 4
OP_EQ = 5
OP_NE = 6
OPERATORS = {"lt": OP_LT, "le": OP_LE, "gt": OP_GT, "ge": OP_GE, "eq": OP_EQ, "ne": OP_NE}


# ------------------------------------------------------------------------------------------------
# filter, merge, intersect

@helper
def _passes(x, op, t):
    if op == OP_ALL:
        return True
    if op == OP_LT:
        return x < t
    if op == OP_LE:
        return x <= t
    if op == OP_GT:
        return x > t
    if op == OP_GE:
        return x >= t
    if op == OP_EQ:
        return x == t
    return x != t


@kernel
def filter_regions(starts, ends, scores, op, threshold):
    """The regions whose score passes ``op threshold`` (all for ``OP_ALL``), in input order;
    empty regions (start >= end) are dropped."""
    n = starts.shape[0]
    out_s = np.empty(n, np.int64)
    out_e = np.empty(n, np.int64)
    k = 0
    for i in range(n):
        if starts[i] < ends[i] and _passes(scores[i], op, threshold):
            out_s[k] = starts[i]
            out_e[k] = ends[i]
            k += 1
    return out_s[:k], out_e[:k]


@kernel
def keep_regions(starts, ends, keep):
    """The non-empty regions where ``keep`` (uint8) is non-zero, in input order."""
    n = starts.shape[0]
    out_s = np.empty(n, np.int64)
    out_e = np.empty(n, np.int64)
    k = 0
    for i in range(n):
        if keep[i] != 0 and starts[i] < ends[i]:
            out_s[k] = starts[i]
            out_e[k] = ends[i]
            k += 1
    return out_s[:k], out_e[:k]


@kernel
def merge_regions(starts, ends):
    """Sort regions by start and merge the ones that overlap or touch (merged end = the
    largest end); empty regions are dropped."""
    n = starts.shape[0]
    ordered = True
    for i in range(1, n):
        if starts[i] < starts[i - 1]:
            ordered = False
            break
    if ordered:
        s = starts
        e = ends
    else:
        order = np.argsort(starts, kind="mergesort")
        s = starts[order]
        e = ends[order]
    out_s = np.empty(n, np.int64)
    out_e = np.empty(n, np.int64)
    k = 0
    for i in range(n):
        a = s[i]
        b = e[i]
        if a >= b:
            continue
        if k > 0 and a <= out_e[k - 1]:
            if b > out_e[k - 1]:
                out_e[k - 1] = b
        else:
            out_s[k] = a
            out_e[k] = b
            k += 1
    return out_s[:k], out_e[:k]


@kernel
def intersect_regions(a_starts, a_ends, b_starts, b_ends):
    """Pieces of the merged regions ``a`` that lie inside the merged regions ``b`` (e.g. mask
    regions and supercontigs), in order."""
    na = a_starts.shape[0]
    nb = b_starts.shape[0]
    out_s = np.empty(16, np.int64)
    out_e = np.empty(16, np.int64)
    k = np.int64(0)   # int64, not Literal[int](0): append_pair is compiled once
    i = np.int64(0)
    j = 0
    while i < na and j < nb:
        lo = max(a_starts[i], b_starts[j])
        hi = min(a_ends[i], b_ends[j])
        if lo < hi:
            out_s, out_e = append_pair(out_s, out_e, k, lo, hi)
            k += 1
        if a_ends[i] < b_ends[j]:
            i += 1
        else:
            j += 1
    return out_s[:k], out_e[:k]


# ------------------------------------------------------------------------------------------------
# regions from values

@kernel
def signal_runs(values, op, threshold):
    """Maximal runs of positions whose value is not NaN and passes ``op threshold`` (all
    non-NaN values for ``OP_ALL``): merged regions of a WIG mask read as signal."""
    n = values.shape[0]
    out_s = np.empty(16, np.int64)
    out_e = np.empty(16, np.int64)
    k = np.int64(0)   # int64, not Literal[int](0): append_pair is compiled once
    i = np.int64(0)
    while i < n:
        x = values[i]
        if x != x or not _passes(x, op, threshold):
            i += 1
            continue
        a = i
        i += 1
        while i < n:
            x = values[i]
            if x != x or not _passes(x, op, threshold):
                break
            i += 1
        out_s, out_e = append_pair(out_s, out_e, k, a, i)
        k += 1
    return out_s[:k], out_e[:k]


@kernel
def flag_runs(flags):
    """Maximal runs of non-zero flags (uint8) as regions."""
    n = flags.shape[0]
    out_s = np.empty(16, np.int64)
    out_e = np.empty(16, np.int64)
    k = np.int64(0)   # int64, not Literal[int](0): append_pair is compiled once
    i = np.int64(0)
    while i < n:
        if flags[i] == 0:
            i += 1
            continue
        a = i
        while i < n and flags[i] != 0:
            i += 1
        out_s, out_e = append_pair(out_s, out_e, k, a, i)
        k += 1
    return out_s[:k], out_e[:k]


# ------------------------------------------------------------------------------------------------
# the chunks that regions touch

@kernel
def chunk_blocks(starts, ends, chunk_rows, nrows, max_rows):
    """Row blocks ``[b0, b1)`` to read and rewrite for the merged regions (rows of one
    supercontig): unions of whole chunks that some region touches, consecutive chunks joined
    up to ``max_rows`` rows (a multiple of ``chunk_rows``), the last block ending at
    ``nrows``."""
    step = max(chunk_rows, max_rows // chunk_rows * chunk_rows)
    out0 = np.empty(16, np.int64)
    out1 = np.empty(16, np.int64)
    k = np.int64(0)   # int64, not Literal[int](0): append_pair is compiled once
    for i in range(starts.shape[0]):
        a = max(starts[i], 0)
        b = min(ends[i], nrows)
        if a >= b:
            continue
        lo = a // chunk_rows * chunk_rows
        hi = min(-(-b // chunk_rows) * chunk_rows, nrows)
        if k > 0 and lo <= out1[k - 1]:
            if hi > out1[k - 1]:
                out1[k - 1] = hi
            continue
        out0, out1 = append_pair(out0, out1, k, lo, hi)
        k += 1
    # split long blocks at multiples of ``step`` rows from their start
    total = 0
    for i in range(k):
        total += -(-(out1[i] - out0[i]) // step)
    res0 = np.empty(total, np.int64)
    res1 = np.empty(total, np.int64)
    m = 0
    for i in range(k):
        lo = out0[i]
        while lo < out1[i]:
            res0[m] = lo
            res1[m] = min(lo + step, out1[i])
            lo = res1[m]
            m += 1
    return res0, res1


# ------------------------------------------------------------------------------------------------
# the values under regions

@kernel
def mask_rows_chunks(values, row0, starts, ends, chunk_rows, counts):
    """Set NaN where the merged regions (supercontig rows) overlap ``values``, which holds rows
    ``[row0, row0 + len(values))`` (``row0`` the first row of a chunk).  Returns how many values
    were not NaN before, and adds to ``counts[k]`` those of the k-th chunk of ``values`` (rows
    ``[k * chunk_rows, (k + 1) * chunk_rows)``), so that unchanged chunks need not be
    rewritten."""
    n = values.shape[0]
    row1 = row0 + n
    # first region ending after row0
    lo = 0
    hi = starts.shape[0]
    while lo < hi:
        mid = (lo + hi) // 2
        if ends[mid] <= row0:
            lo = mid + 1
        else:
            hi = mid
    changed = 0
    nan = np.float32(np.nan)
    for r in range(lo, starts.shape[0]):
        if starts[r] >= row1:
            break
        a = max(starts[r], row0) - row0
        b = min(ends[r], row1) - row0
        for i in range(a, b):
            if values[i] == values[i]:
                changed += 1
                counts[i // chunk_rows] += 1
            values[i] = nan
    return changed


@kernel
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


@kernel
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
