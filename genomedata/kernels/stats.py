"""Kernels of close-data: per-track statistics and the rows where any track has data.

close-data hands each decoded chunk of a block of rows to :func:`accumulate_chunk` (or, when
HDF5 decodes the chunks, the whole block to :func:`accumulate_tracks` and
:func:`add_block_summaries`, one call per group of track columns), then the block's row mask
to :func:`scan_present_rows`.  Both accumulations make the same operations in the same order,
so they give the same bits.  All are pure functions over numpy arrays.

Block layout: ``block[j, i]`` is the value of track ``col0 + j`` at block row ``i`` (one track
column per contiguous row of the buffer, as the column-wise chunks of ``continuous`` decode).
"""

from __future__ import annotations

import math

import numpy as np

from ._bytes import _unshuffle4
from ._jit import helper, kernel

# state vector of scan_present_rows
FIRST = 0  # first row (supercontig-relative) with finite data in any track, -1 if none yet
LAST = 1   # last such row, -1 if none yet
STATE_SIZE = 2


def new_state():
    """A fresh row-scan state: no finite row seen."""
    return np.full(STATE_SIZE, -1, dtype=np.int64)


def gap_capacity(nrows: int, min_gap: int) -> int:
    """Room that :func:`scan_present_rows` needs for the gaps of one block of ``nrows`` rows.

    Each gap found in a block ends at a finite row of that block, and those rows are at least
    ``min_gap`` apart, so a block holds at most ``(nrows - 1) // min_gap + 1`` of them.
    """
    return max(0, nrows - 1) // max(1, min_gap) + 1


@helper
def _accumulate(values, nrows, lo, hi, total, total_sq, row_any, row0):
    """The one accumulation of close-data: the finite values of ``values[:nrows]``, in order,
    into ``lo``/``hi``/``total``/``total_sq`` (float64), their rows marked in
    ``row_any[row0:]``; returns the new ``(lo, hi, total, total_sq, count)``."""
    count = 0
    for i in range(nrows):
        value = np.float64(values[i])
        if math.isfinite(value):
            if value < lo:
                lo = value
            if value > hi:
                hi = value
            total += value
            total_sq += value * value
            count += 1
            row_any[row0 + i] = 1
    return lo, hi, total, total_sq, count


@kernel
def accumulate_tracks(block, nrows, col0, mins, maxs, sums, sums_squares, counts, row_any):
    """Add the finite values of ``block[:, :nrows]`` to the accumulators of tracks
    ``col0 .. col0 + block.shape[0] - 1`` and mark their rows in ``row_any``.

    ``mins``/``maxs``/``sums``/``sums_squares`` are float64 and ``counts`` int64 vectors indexed
    by track; ``row_any`` is a uint8 vector of at least ``nrows`` entries, set to 1 where some
    track is finite (never cleared here, so several column groups can share it).
    NaN and +-inf are not datapoints.  Each track's sum over the block starts at 0.0 and is
    then added to ``sums`` (as :func:`accumulate_chunk` sums a block chunk by chunk).
    """
    ncols = block.shape[0]
    for j in range(ncols):
        col = col0 + j
        lo, hi, total, total_sq, count = _accumulate(block[j], nrows, mins[col], maxs[col],
                                                     0.0, 0.0, row_any, 0)
        mins[col] = lo
        maxs[col] = hi
        sums[col] += total
        sums_squares[col] += total_sq
        counts[col] += count


def new_accumulators(ncols: int):
    """Fresh accumulators of :func:`accumulate_chunk` for ``ncols`` tracks: float64
    ``(ncols, 4)`` rows of (min, max, sum, sum of squares), starting at (+inf, -inf, 0, 0),
    and int64 counts."""
    acc = np.zeros((ncols, 4))
    acc[:, 0] = np.inf
    acc[:, 1] = -np.inf
    return acc, np.zeros(ncols, dtype=np.int64)


@kernel
def scan_present_rows(row_any, nrows, row0, min_gap, state, gaps):
    """Scan ``row_any[:nrows]`` (rows ``row0 ..`` of a supercontig) for rows with data.

    Updates ``state`` (see FIRST/LAST; carried from block to block) and writes into ``gaps``
    (an int64 array of shape ``(>= gap_capacity(nrows, min_gap), 2)``) one ``(end, start)`` pair
    for every pair of consecutive present rows ``p < q`` with ``q - p >= min_gap``:
    ``end = p + 1`` closes the piece before the gap and ``start = q`` opens the next one.
    Returns the number of pairs written.
    """
    first = state[0]
    last = state[1]
    ngaps = 0
    for i in range(nrows):
        if row_any[i]:
            row = row0 + i
            if last < 0:
                first = row
            elif row - last >= min_gap:
                gaps[ngaps, 0] = last + 1
                gaps[ngaps, 1] = row
                ngaps += 1
            last = row
    state[0] = first
    state[1] = last
    return ngaps


# fields of a block summary (the last axis of ``blocks``)
BLOCK_COUNT = 0   # finite values in the block
BLOCK_SUM = 1     # their sum (0 without any)
BLOCK_MIN = 2     # their minimum (NaN without any)
BLOCK_MAX = 3     # their maximum (NaN without any)
BLOCK_FIELDS = 4


def new_block_summaries(nblocks: int, ncols: int):
    """Empty block summaries of :func:`add_block_summaries`: float32 ``(nblocks, ncols, 4)``,
    every block (0, 0, NaN, NaN)."""
    blocks = np.zeros((nblocks, ncols, BLOCK_FIELDS), dtype=np.float32)
    blocks[:, :, BLOCK_MIN:] = np.nan
    return blocks


@helper
def _block_of(row, i, nrows, block_rows):
    """``(block, stop)``: the block of ``block_rows`` rows that value ``i`` of values
    starting at supercontig row ``row`` falls in, and the index (at most ``nrows``) of the
    first value past that block."""
    index = (row + i) // block_rows
    stop = (index + 1) * block_rows - row
    return index, (stop if stop < nrows else nrows)


@helper
def _add_to_block(cell, count, total, lo, hi):
    """Add ``count`` (> 0) finite values of sum ``total``, minimum ``lo`` and maximum ``hi``
    to a block's summary ``cell`` (count, sum, min, max)."""
    if cell[0] == 0:
        cell[2] = lo
        cell[3] = hi
    else:
        if lo < cell[2]:
            cell[2] = lo
        if hi > cell[3]:
            cell[3] = hi
    cell[0] += count
    cell[1] += total


@kernel
def add_block_summaries(block, nrows, row, block_rows, blocks, block0, col0):
    """Add the finite values of ``block[j, :nrows]`` -- rows ``row .. row + nrows - 1`` of a
    supercontig, track ``col0 + j`` -- to the summaries of the blocks of ``block_rows`` rows
    they fall in (block ``b`` holds rows ``b * block_rows .. (b + 1) * block_rows - 1``):
    ``blocks[b - block0, col0 + j]`` (see :func:`new_block_summaries`).

    Each block's share of the rows is summed in float64 and then added to its float32 cell,
    so a block whose rows come in one call is summed in float64 throughout; rows of one block
    may come in several calls, in any order.  NaN and +-inf are not values.
    """
    ncols = block.shape[0]
    for j in range(ncols):
        values = block[j]
        col = col0 + j
        i = 0
        while i < nrows:
            index, stop = _block_of(row, i, nrows, block_rows)
            count = 0
            total = 0.0
            lo = np.inf
            hi = -np.inf
            for k in range(i, stop):
                value = np.float64(values[k])
                if math.isfinite(value):
                    count += 1
                    total += value
                    if value < lo:
                        lo = value
                    if value > hi:
                        hi = value
            if count:
                _add_to_block(blocks[index - block0, col], count, total, lo, hi)
            i = stop


@kernel
def accumulate_chunk(data, nelem, shuffled, first, nrows, col, acc, counts, row_any, row0,
                     scratch, row, block_rows, blocks, block0):
    """Add values ``first .. first + nrows - 1`` of one decoded chunk of track ``col`` --
    rows ``row .. row + nrows - 1`` of its supercontig -- to ``acc[col]``/``counts[col]``
    (see :func:`new_accumulators`), mark their rows in ``row_any[row0:]`` and add them to the
    summaries of their blocks ``blocks[b - block0, col]`` (see :func:`new_block_summaries`):
    the chunk is read once, in cache (undone byte shuffle into ``scratch``, then one loop).

    ``data``: the chunk's ``4 * nelem`` bytes (uint8), byte-shuffled when ``shuffled``
    (byte ``b`` of value ``i`` at ``data[b * nelem + i]``), else float32 little-endian;
    ``scratch``: a uint8 array of at least ``4 * nrows`` bytes.  Called for consecutive
    chunks of a block, in row order, the accumulators sum exactly as
    :func:`accumulate_tracks` does over the whole block (the same additions in the same
    order; the extremes are taken block by block, which keeps the first of equal ones, as
    value by value), and the block summaries are those of :func:`add_block_summaries`.
    """
    if shuffled:
        _unshuffle4(data, nelem, first, nrows, scratch, 0, 4)
    else:
        scratch[:4 * nrows] = data[4 * first:4 * (first + nrows)]
    values = scratch[:4 * nrows].view(np.float32)
    lo = acc[col, 0]
    hi = acc[col, 1]
    total = acc[col, 2]
    total_sq = acc[col, 3]
    count = 0
    i = 0
    while i < nrows:
        index, stop = _block_of(row, i, nrows, block_rows)
        block_count = 0
        block_total = 0.0
        block_lo = np.inf
        block_hi = -np.inf
        for k in range(i, stop):
            value = np.float64(values[k])
            if math.isfinite(value):
                total += value
                total_sq += value * value
                row_any[row0 + k] = 1
                block_count += 1
                block_total += value
                if value < block_lo:
                    block_lo = value
                if value > block_hi:
                    block_hi = value
        if block_count:
            # the first of equal extremes wins, block by block as value by value
            if block_lo < lo:
                lo = block_lo
            if block_hi > hi:
                hi = block_hi
            _add_to_block(blocks[index - block0, col], block_count, block_total, block_lo,
                          block_hi)
        count += block_count
        i = stop
    acc[col, 0] = lo
    acc[col, 1] = hi
    acc[col, 2] = total
    acc[col, 3] = total_sq
    counts[col] += count
