"""Kernels over genomic regions: BED region scanning, and saving/restoring buffer regions."""

from __future__ import annotations

import numpy as np
from numba import njit

OK = 0
ERR_COLUMNS = 1
ERR_COORD = 2
ERR_START_AFTER_END = 3
ERR_OVERFLOW = 4

REGION_MESSAGES = {
    ERR_COLUMNS: "expected at least 3 columns (chrom, start, end) separated by spaces or TABs",
    ERR_COORD: "start and end must be non-negative whole numbers",
    ERR_START_AFTER_END: "start is after end",
    ERR_OVERFLOW: "coordinate too large",
}

_INT64_MAX = 9223372036854775807


@njit(cache=True, nogil=True, inline="always")
def _is_blank(c):
    return c == 32 or c == 9 or c == 13


@njit(cache=True, nogil=True)
def _skip_line(buf, i):
    n = buf.shape[0]
    while i < n and buf[i] != 10:
        i += 1
    return i + 1


@njit(cache=True, nogil=True)
def _parse_uint(buf, i, end):
    """Parse a non-negative integer at buf[i:end]; returns (value, next index, status)."""
    if i >= end or buf[i] < 48 or buf[i] > 57:
        return 0, i, ERR_COORD
    value = 0
    while i < end and 48 <= buf[i] <= 57:
        digit = buf[i] - 48
        if value > (_INT64_MAX - digit) // 10:
            return 0, i, ERR_OVERFLOW
        value = value * 10 + digit
        i += 1
    return value, i, OK


@njit(cache=True, nogil=True)
def scan_bed_regions(buf):
    """Scan BED-like lines ``chrom start end [more columns]``.

    ``track``/``browser``/``#`` and blank lines are skipped.  Returns ``(status, error_offset,
    run_name_offsets, run_name_lengths, run_bounds, starts, ends)``: consecutive lines of one
    chromosome form a run; run ``r`` covers regions ``run_bounds[r]:run_bounds[r + 1]``.
    """
    n = buf.shape[0]
    capacity = 1024
    starts = np.empty(capacity, np.int64)
    ends = np.empty(capacity, np.int64)
    run_capacity = 64
    run_off = np.empty(run_capacity, np.int64)
    run_len = np.empty(run_capacity, np.int64)
    run_first = np.empty(run_capacity + 1, np.int64)
    count = 0
    runs = 0
    i = 0
    while i < n:
        line_start = i
        while i < n and (buf[i] == 32 or buf[i] == 9):
            i += 1
        line_end = i
        while line_end < n and buf[line_end] != 10:
            line_end += 1
        content_end = line_end
        while content_end > i and _is_blank(buf[content_end - 1]):
            content_end -= 1
        if content_end == i or buf[i] == 35:
            i = line_end + 1
            continue
        if content_end - i >= 5 and buf[i] == 116 and buf[i + 1] == 114 and buf[i + 2] == 97 \
                and buf[i + 3] == 99 and buf[i + 4] == 107 and \
                (content_end - i == 5 or _is_blank(buf[i + 5])):
            i = line_end + 1
            continue
        if content_end - i >= 7 and buf[i] == 98 and buf[i + 1] == 114 and buf[i + 2] == 111 \
                and buf[i + 3] == 119 and buf[i + 4] == 115 and buf[i + 5] == 101 and \
                buf[i + 6] == 114 and (content_end - i == 7 or _is_blank(buf[i + 7])):
            i = line_end + 1
            continue
        name_start = i
        while i < content_end and not _is_blank(buf[i]):
            i += 1
        name_len = i - name_start
        while i < content_end and _is_blank(buf[i]):
            i += 1
        if i >= content_end:
            return ERR_COLUMNS, line_start, run_off[:runs], run_len[:runs], \
                run_first[:runs + 1], starts[:count], ends[:count]
        start, i, status = _parse_uint(buf, i, content_end)
        if status == OK and (i >= content_end or not _is_blank(buf[i])):
            status = ERR_COLUMNS if i >= content_end else ERR_COORD
        if status != OK:
            return status, line_start, run_off[:runs], run_len[:runs], \
                run_first[:runs + 1], starts[:count], ends[:count]
        while i < content_end and _is_blank(buf[i]):
            i += 1
        end, i, status = _parse_uint(buf, i, content_end)
        if status == OK and i < content_end and not _is_blank(buf[i]):
            status = ERR_COORD
        if status == OK and start > end:
            status = ERR_START_AFTER_END
        if status != OK:
            return status, line_start, run_off[:runs], run_len[:runs], \
                run_first[:runs + 1], starts[:count], ends[:count]
        same = False
        if runs > 0 and run_len[runs - 1] == name_len:
            same = True
            off = run_off[runs - 1]
            for k in range(name_len):
                if buf[off + k] != buf[name_start + k]:
                    same = False
                    break
        if not same:
            if runs == run_capacity:
                run_capacity *= 2
                grown = np.empty(run_capacity, np.int64)
                grown[:runs] = run_off[:runs]
                run_off = grown
                grown = np.empty(run_capacity, np.int64)
                grown[:runs] = run_len[:runs]
                run_len = grown
                grown = np.empty(run_capacity + 1, np.int64)
                grown[:runs] = run_first[:runs]
                run_first = grown
            run_off[runs] = name_start
            run_len[runs] = name_len
            run_first[runs] = count
            runs += 1
        if count == capacity:
            capacity *= 2
            grown = np.empty(capacity, np.int64)
            grown[:count] = starts[:count]
            starts = grown
            grown = np.empty(capacity, np.int64)
            grown[:count] = ends[:count]
            ends = grown
        starts[count] = start
        ends[count] = end
        count += 1
        i = line_end + 1
    run_first[runs] = count
    return OK, -1, run_off[:runs], run_len[:runs], run_first[:runs + 1], starts[:count], \
        ends[:count]


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
