"""Kernels of binned summaries (``Chromosome.binned``, ``Genome.stackup``,
``Genome.summarize``).

A region ``[start, start + length)`` is cut into ``bins`` bins with edges ``start + (b *
length) // bins``.  :func:`accumulate_windows` adds to per-bin accumulators pieces of regions
read into one flat array (the layout of ``Genome.read_regions``): many regions at once, or one
long region piece by piece, so that it is summarised without holding it in memory; it adds
values through the one helper :func:`add_span`.  :func:`accumulate_totals` gives the same
counts and totals (mean, sum, coverage) from prefix sums, in time independent of how much the
regions overlap.  Values that are not finite (NaN, +-inf) are missing data.

Accumulators, each of shape ``(bins, ncols)``, indexed ``[bin, col]``:

* ``count`` (int64): number of finite values;
* ``total`` (float64): their sum;
* ``shift`` (float64): the first finite value seen in the bin (set when ``count`` is 0), and
  ``dsum``/``dsq`` (float64): sums of ``x - shift`` and ``(x - shift) ** 2`` -- the shifted
  sums give the variance without the cancellation of ``sum(x**2) / n - mean**2``;
* ``mins``/``maxs`` (float64): start at +inf / -inf.
"""

from __future__ import annotations

import math

import numpy as np

from ._jit import helper, inlined, kernel


def new_accumulators(bins: int, ncols: int):
    """Fresh ``(count, total, shift, dsum, dsq, mins, maxs)`` for ``bins`` x ``ncols``."""
    shape = (bins, ncols)
    return (np.zeros(shape, dtype=np.int64), np.zeros(shape), np.zeros(shape),
            np.zeros(shape), np.zeros(shape), np.full(shape, np.inf), np.full(shape, -np.inf))


@helper
def add_span(values, first, n, step, row, col, full, count, total, shift, dsum, dsq, mins,
             maxs):
    """Add the ``n`` values ``values[first + i * step]`` to the accumulators ``[row, col]``
    (the one accumulation of every binned summary).  Without ``full``, only ``count`` and
    ``total`` (all that mean, sum and coverage need)."""
    if not full:
        tot = 0.0
        added = 0
        for i in range(n):
            x = np.float64(values[first + i * step])
            if math.isfinite(x):
                tot += x
                added += 1
        count[row, col] += added
        total[row, col] += tot
        return
    cnt = count[row, col]
    k = shift[row, col]
    i = 0
    if cnt == 0:
        # the shift is the bin's first finite value
        while i < n:
            first_value = np.float64(values[first + i * step])
            if math.isfinite(first_value):
                k = first_value
                break
            i += 1
    tot = 0.0
    s1 = 0.0
    s2 = 0.0
    lowest = mins[row, col]
    highest = maxs[row, col]
    added = 0
    while i < n:
        x = np.float64(values[first + i * step])
        if math.isfinite(x):
            d = x - k
            tot += x
            s1 += d
            s2 += d * d
            if x < lowest:
                lowest = x
            if x > highest:
                highest = x
            added += 1
        i += 1
    if added:
        if cnt == 0:
            shift[row, col] = k
        count[row, col] = cnt + added
        total[row, col] += tot
        dsum[row, col] += s1
        dsq[row, col] += s2
        mins[row, col] = lowest
        maxs[row, col] = highest


@inlined
def first_bin(a, region_start, region_length, bins):
    """The first of the ``bins`` bins of the region ``[region_start, region_start +
    region_length)`` that ends after position ``a`` (bin ``b`` covers ``[region_start + (b *
    region_length) // bins, region_start + ((b + 1) * region_length) // bins)``)."""
    b = ((a - region_start) * bins) // region_length
    if b < 0:
        b = 0
    while b + 1 < bins and region_start + ((b + 1) * region_length) // bins <= a:
        b += 1
    return b


@kernel
def accumulate_windows(flat, dest, stride, pos, length, region_start, region_length, row, bins,
                       full, count, total, shift, dsum, dsq, mins, maxs):
    """Add pieces of windows read into one flat array (``Genome.read_regions``' layout) to
    the accumulators.  Piece ``p`` holds positions ``pos[p] .. pos[p] + length[p] - 1``, the
    value of track ``t`` at position ``x`` being ``flat[dest[p] + (x - pos[p]) * stride +
    t]``; it lies in the region ``[region_start[p], region_start[p] + region_length[p])``,
    whose ``bins`` bins (edges ``region_start + (b * region_length) // bins``) are rows
    ``row[p] .. row[p] + bins - 1``; column ``t`` is track ``t``.  Pieces of length 0 are
    skipped; ``region_length >= bins`` for the others.  ``full``: as for :func:`add_span`."""
    for p in range(pos.shape[0]):
        a = pos[p]
        e = a + length[p]
        rs = region_start[p]
        rl = region_length[p]
        if e <= a or rl <= 0:
            continue
        b = first_bin(a, rs, rl, bins)
        while b < bins:
            lo = rs + (b * rl) // bins
            hi = rs + ((b + 1) * rl) // bins
            if lo >= e:
                break
            s = lo if lo > a else a
            t_end = hi if hi < e else e
            if t_end > s:
                for t in range(stride):
                    add_span(flat, dest[p] + (s - a) * stride + t, t_end - s, stride,
                             row[p] + b, t, full, count, total, shift, dsum, dsq, mins, maxs)
            b += 1


@kernel
def accumulate_totals(flat, dest, stride, pos, length, region_start, region_length, row, bins,
                      count, total):
    """:func:`accumulate_windows` of ``count`` and ``total`` only (mean, sum, coverage), from
    prefix sums of the flat array: one pass over its values however much the pieces overlap,
    then two lookups per bin.  The prefix sums are double-double (each addition's rounding
    error kept, by Knuth's two-sum), so that the difference of two of them is the sum of the
    values between as closely as adding those values one by one; the counts are exact."""
    nrows = flat.shape[0] // stride
    hi = np.empty((nrows + 1, stride), np.float64)      # every row set below
    lo = np.empty((nrows + 1, stride), np.float64)
    finite = np.empty((nrows + 1, stride), np.int64)
    for t in range(stride):
        hi[0, t] = 0.0
        lo[0, t] = 0.0
        finite[0, t] = 0
        s = 0.0
        e = 0.0
        c = 0
        for r in range(nrows):
            x = np.float64(flat[r * stride + t])
            if math.isfinite(x):
                u = s + x
                v = u - s
                e += (s - (u - v)) + (x - v)
                s = u
                c += 1
            hi[r + 1, t] = s
            lo[r + 1, t] = e
            finite[r + 1, t] = c
    for p in range(pos.shape[0]):
        a = pos[p]
        stop = a + length[p]
        rs = region_start[p]
        rl = region_length[p]
        if stop <= a or rl <= 0:
            continue
        base = dest[p] // stride - a      # flat row of position x: base + x
        b = first_bin(a, rs, rl, bins)
        while b < bins:
            first = rs + (b * rl) // bins
            last = rs + ((b + 1) * rl) // bins
            if first >= stop:
                break
            x0 = first if first > a else a
            x1 = last if last < stop else stop
            if x1 > x0:
                r0 = base + x0
                r1 = base + x1
                for t in range(stride):
                    count[row[p] + b, t] += finite[r1, t] - finite[r0, t]
                    total[row[p] + b, t] += (hi[r1, t] - hi[r0, t]) + (lo[r1, t] - lo[r0, t])
            b += 1


@kernel
def batch_bounds(chrom_ids, starts, ends, ntracks, max_values, max_regions):
    """Cut regions sorted by chromosome, then start, into batches: int64 ``(batches, 2)`` of
    ``[first, end)`` region indices.  The union of a batch's regions holds at most
    ``max_values`` values (bases x ``ntracks``), and a batch at most ``max_regions`` regions;
    a region of more than ``max_values`` values is a batch of its own."""
    n = starts.shape[0]
    out = np.empty((n, 2), dtype=np.int64)
    nbatches = 0
    first = 0       # the batch being filled: regions first..k-1
    total = 0       # values of its union
    reach = 0       # the end of its last merged window
    for k in range(n):
        length = ends[k] - starts[k]
        if length * ntracks > max_values:       # a batch of its own
            if k > first:
                out[nbatches, 0] = first
                out[nbatches, 1] = k
                nbatches += 1
            out[nbatches, 0] = k
            out[nbatches, 1] = k + 1
            nbatches += 1
            first = k + 1
            continue
        if k > first:
            merged = chrom_ids[k] == chrom_ids[k - 1] and starts[k] < reach
            added = (ends[k] - reach if ends[k] > reach else 0) if merged else length
            if total + added * ntracks <= max_values and k - first < max_regions:
                total += added * ntracks
                if not merged or ends[k] > reach:
                    reach = ends[k]
                continue
            out[nbatches, 0] = first
            out[nbatches, 1] = k
            nbatches += 1
        first = k       # region k starts a batch
        total = length * ntracks
        reach = ends[k]
    if first < n:
        out[nbatches, 0] = first
        out[nbatches, 1] = n
        nbatches += 1
    return out[:nbatches]
