"""Kernels of close-data: per-track statistics and the rows where any track has data.

close-data reads a supercontig's ``continuous`` dataset in blocks and hands each block to
:func:`accumulate_tracks`, one call per group of track columns, then to :func:`scan_present_rows`
once the block's row mask is complete.  Both are pure functions over numpy arrays.

Block layout: ``block[j, i]`` is the value of track ``col0 + j`` at block row ``i`` (one track
column per contiguous row of the buffer, as the column-wise chunks of ``continuous`` decode).
"""

from __future__ import annotations

import math

import numpy as np

from ._jit import kernel

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


@kernel
def accumulate_tracks(block, nrows, col0, mins, maxs, sums, sums_squares, counts, row_any):
    """Add the finite values of ``block[:, :nrows]`` to the accumulators of tracks
    ``col0 .. col0 + block.shape[0] - 1`` and mark their rows in ``row_any``.

    ``mins``/``maxs``/``sums``/``sums_squares`` are float64 and ``counts`` int64 vectors indexed
    by track; ``row_any`` is a uint8 vector of at least ``nrows`` entries, set to 1 where some
    track is finite (never cleared here, so several column groups can share it).
    NaN and +-inf are not datapoints.
    """
    ncols = block.shape[0]
    for j in range(ncols):
        col = col0 + j
        lo = mins[col]
        hi = maxs[col]
        total = 0.0
        total_sq = 0.0
        count = 0
        for i in range(nrows):
            value = np.float64(block[j, i])
            if math.isfinite(value):
                if value < lo:
                    lo = value
                if value > hi:
                    hi = value
                total += value
                total_sq += value * value
                count += 1
                row_any[i] = 1
        mins[col] = lo
        maxs[col] = hi
        sums[col] += total
        sums_squares[col] += total_sq
        counts[col] += count


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
