"""Kernel of binned summaries (``Chromosome.binned``, ``Genome.stackup``).

A region ``[edges[0], edges[-1])`` is cut into bins ``[edges[b], edges[b + 1])`` (int64 edges,
non-decreasing; zero-width bins allowed).  :func:`accumulate_bins` adds one block of one track
(float32 values of consecutive positions ``pos, pos + 1, ...``) to per-bin accumulators, so a
region is summarised block by block without holding it in memory.  Values that are not finite
(NaN, +-inf) are missing data.

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

from ._jit import kernel


def new_accumulators(bins: int, ncols: int):
    """Fresh ``(count, total, shift, dsum, dsq, mins, maxs)`` for ``bins`` x ``ncols``."""
    shape = (bins, ncols)
    return (np.zeros(shape, dtype=np.int64), np.zeros(shape), np.zeros(shape),
            np.zeros(shape), np.zeros(shape), np.full(shape, np.inf), np.full(shape, -np.inf))


@kernel
def accumulate_bins(values, pos, edges, col, count, total, shift, dsum, dsq, mins, maxs):
    """Add ``values`` (float32, 1-D; ``values[i]`` is at position ``pos + i``) to column
    ``col`` of the accumulators of the bins given by ``edges``.  Positions outside
    ``[edges[0], edges[-1])`` are ignored."""
    nbins = edges.shape[0] - 1
    n = values.shape[0]
    stop = pos + n
    if nbins < 1 or n == 0 or stop <= edges[0] or pos >= edges[nbins]:
        return
    # first bin whose end is past pos
    b = np.searchsorted(edges, pos, side="right") - 1
    if b < 0:
        b = 0
    while b < nbins:
        lo = edges[b]
        hi = edges[b + 1]
        if lo >= stop:
            break
        if hi > lo:
            i0 = lo - pos if lo > pos else 0
            i1 = hi - pos if hi < stop else n
            cnt = count[b, col]
            k = shift[b, col]
            i = i0
            if cnt == 0:
                # the shift is the bin's first finite value
                while i < i1:
                    first = np.float64(values[i])
                    if math.isfinite(first):
                        k = first
                        break
                    i += 1
            tot = 0.0
            s1 = 0.0
            s2 = 0.0
            lowest = mins[b, col]
            highest = maxs[b, col]
            added = 0
            while i < i1:
                x = np.float64(values[i])
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
                    shift[b, col] = k
                count[b, col] = cnt + added
                total[b, col] += tot
                dsum[b, col] += s1
                dsq[b, col] += s2
                mins[b, col] = lowest
                maxs[b, col] = highest
        if hi > stop:
            break
        b += 1
