"""Kernels of hardmask (and of the region handling of erase/histogram): scored BED regions,
the score filter, region merging, and masking rows of a track column.

Regions are half-open ``[start, end)`` int64 coordinates.  "Merged" region lists are sorted by
start, non-empty, and neither overlap nor touch (``end[i] < start[i + 1]``).

Score filter operators (``op``): ``OP_ALL`` (no filter: every region), ``OP_LT`` x < t,
``OP_LE`` x <= t, ``OP_GT`` x > t, ``OP_GE`` x >= t, ``OP_EQ`` x == t, ``OP_NE`` x != t (IEEE
comparisons: a NaN score passes only ``ne``).

``scan_bed_scored(buf, need_score)`` reads BED lines ``chrom start end [name [score ...]]``
(fields separated by runs of spaces/TABs; ``track``/``browser``/``#``/blank lines skipped; CRLF
accepted; the last line may lack its newline).  The score is column 5 when the line has 5 or
more columns, else column 4.  Scores are parsed only when ``need_score`` is true; then a line
with 3 columns, or a score that is not a number, is an error.  Scores are float64 and equal to
Python's ``float(token)``: plain decimals whose significand has at most 18 digits and is at most
2**53, with a decimal exponent within +-22, are converted exactly here (one exact product or
quotient, Clinger's fast path); ``nan``/``inf``/``infinity`` (any case, signed) too; any other
valid number is a *hard* token, returned as ``(region, offset, length)`` for Python to convert.
"""

from __future__ import annotations

import numpy as np
from numba import njit

OP_ALL = 0
OP_LT = 1
OP_LE = 2
OP_GT = 3
OP_GE = 4
OP_EQ = 5
OP_NE = 6
OPERATORS = {"lt": OP_LT, "le": OP_LE, "gt": OP_GT, "ge": OP_GE, "eq": OP_EQ, "ne": OP_NE}

OK = 0
ERR_COLUMNS = 1
ERR_COORD = 2
ERR_START_AFTER_END = 3
ERR_OVERFLOW = 4
ERR_NO_SCORE = 5
ERR_SCORE = 6

MESSAGES = {
    ERR_COLUMNS: "expected at least 3 columns (chrom, start, end) separated by spaces or TABs",
    ERR_COORD: "start and end must be non-negative whole numbers",
    ERR_START_AFTER_END: "start is after end",
    ERR_OVERFLOW: "coordinate too large",
    ERR_NO_SCORE: "the --hardmask filter needs a score: BED column 5 (or column 4 of a "
                  "4-column line), but this line has only 3 columns",
    ERR_SCORE: "the score is not a number",
}

_INT64_MAX = 9223372036854775807
_TWO53 = 9007199254740992
_MAX_DIGITS = 18
_P10 = np.array([10.0 ** k for k in range(23)], dtype=np.float64)


# ------------------------------------------------------------------------------------------------
# small helpers

@njit(cache=True, nogil=True, inline="always")
def _is_blank(c):
    return c == 32 or c == 9 or c == 13


@njit(cache=True, nogil=True)
def _parse_uint(buf, i, end):
    """Non-negative integer at buf[i:end]: (value, next index, status)."""
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
def _lower(c):
    return c | 32


@njit(cache=True, nogil=True)
def _word_is(buf, a, b, word):
    """buf[a:b] equals ``word`` (lower-case ASCII codes, a tuple) ignoring case."""
    if b - a != len(word):
        return False
    for k in range(len(word)):
        if _lower(buf[a + k]) != word[k]:
            return False
    return True


_NAN_WORD = (110, 97, 110)
_INF_WORD = (105, 110, 102)
_INFINITY_WORD = (105, 110, 102, 105, 110, 105, 116, 121)


@njit(cache=True, nogil=True)
def parse_score(buf, a, b):
    """The number ``buf[a:b]`` (a whole token): (status, value) with status 0 = exact value,
    1 = valid but hard (Python converts it), 2 = not a number."""
    if a >= b:
        return 2, 0.0
    neg = False
    p = a
    if buf[p] == 45 or buf[p] == 43:
        neg = buf[p] == 45
        p += 1
    if p < b and (_lower(buf[p]) == 110 or _lower(buf[p]) == 105):
        if _word_is(buf, p, b, _NAN_WORD):
            return 0, np.nan
        if _word_is(buf, p, b, _INF_WORD) or _word_is(buf, p, b, _INFINITY_WORD):
            return 0, -np.inf if neg else np.inf
        return 2, 0.0
    mant = 0
    nd = 0          # significant digits kept in mant
    exp10 = 0
    ndigits = 0     # digits seen
    truncated = False
    while p < b and 48 <= buf[p] <= 57:
        ndigits += 1
        if nd < _MAX_DIGITS:
            mant = mant * 10 + (buf[p] - 48)
            if mant != 0:
                nd += 1
        else:
            exp10 += 1
            if buf[p] != 48:
                truncated = True
        p += 1
    if p < b and buf[p] == 46:
        p += 1
        while p < b and 48 <= buf[p] <= 57:
            ndigits += 1
            if nd < _MAX_DIGITS:
                mant = mant * 10 + (buf[p] - 48)
                exp10 -= 1
                if mant != 0:
                    nd += 1
            elif buf[p] != 48:
                truncated = True
            p += 1
    if ndigits == 0:
        return 2, 0.0
    if p < b and _lower(buf[p]) == 101:
        p += 1
        eneg = False
        if p < b and (buf[p] == 45 or buf[p] == 43):
            eneg = buf[p] == 45
            p += 1
        edigits = 0
        ev = 0
        while p < b and 48 <= buf[p] <= 57:
            if ev < 100000000:
                ev = ev * 10 + (buf[p] - 48)
            edigits += 1
            p += 1
        if edigits == 0:
            return 2, 0.0
        exp10 += -ev if eneg else ev
    if p != b:
        return 2, 0.0
    if mant == 0:
        return 0, -0.0 if neg else 0.0
    if truncated or mant > _TWO53 or exp10 > 22 or exp10 < -22:
        return 1, 0.0
    value = np.float64(mant)
    if exp10 >= 0:
        value = value * _P10[exp10]
    else:
        value = value / _P10[-exp10]
    return 0, -value if neg else value


@njit(cache=True, nogil=True)
def _grow(a, used):
    b = np.empty(max(16, 2 * a.shape[0]), a.dtype)
    b[:used] = a[:used]
    return b


@njit(cache=True, nogil=True)
def _grow2(a, used):
    b = np.empty((max(16, 2 * a.shape[0]), a.shape[1]), a.dtype)
    b[:used] = a[:used]
    return b


# ------------------------------------------------------------------------------------------------
# scored BED

@njit(cache=True, nogil=True)
def scan_bed_scored(buf, need_score):
    """Scan a BED mask file.  Returns ``(status, error_offset, run_name_offsets,
    run_name_lengths, run_bounds, starts, ends, scores, hard)``: consecutive lines of one
    chromosome form a run; run ``r`` covers regions ``run_bounds[r]:run_bounds[r + 1]``;
    ``scores`` is NaN when not ``need_score``; ``hard`` rows are ``(region, offset, length)``
    of scores for Python to convert.  ``error_offset`` is the start of the offending line (of
    the score token for ``ERR_SCORE``)."""
    n = buf.shape[0]
    starts = np.empty(1024, np.int64)
    ends = np.empty(1024, np.int64)
    scores = np.empty(1024, np.float64)
    run_off = np.empty(64, np.int64)
    run_len = np.empty(64, np.int64)
    run_first = np.empty(65, np.int64)
    hard = np.empty((16, 3), np.int64)
    nhard = 0
    count = 0
    runs = 0
    i = 0
    status = OK
    err = -1
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
        word_end = i
        while word_end < content_end and not _is_blank(buf[word_end]):
            word_end += 1
        if _word_is(buf, i, word_end, (116, 114, 97, 99, 107)) or \
                _word_is(buf, i, word_end, (98, 114, 111, 119, 115, 101, 114)):
            i = line_end + 1
            continue
        name_start = i
        name_len = word_end - i
        i = word_end
        while i < content_end and _is_blank(buf[i]):
            i += 1
        if i >= content_end:
            status, err = ERR_COLUMNS, line_start
            break
        start, i, status = _parse_uint(buf, i, content_end)
        if status == OK and (i >= content_end or not _is_blank(buf[i])):
            status = ERR_COLUMNS if i >= content_end else ERR_COORD
        if status != OK:
            err = line_start
            break
        while i < content_end and _is_blank(buf[i]):
            i += 1
        end, i, status = _parse_uint(buf, i, content_end)
        if status == OK and i < content_end and not _is_blank(buf[i]):
            status = ERR_COORD
        if status == OK and start > end:
            status = ERR_START_AFTER_END
        if status != OK:
            err = line_start
            break
        score = np.nan
        if need_score:
            # columns 4 and 5 (token bounds), if present
            t4a = -1
            t4b = -1
            t5a = -1
            t5b = -1
            column = 3
            while column < 5:
                while i < content_end and _is_blank(buf[i]):
                    i += 1
                if i >= content_end:
                    break
                a = i
                while i < content_end and not _is_blank(buf[i]):
                    i += 1
                column += 1
                if column == 4:
                    t4a, t4b = a, i
                else:
                    t5a, t5b = a, i
            if t4a < 0:
                status, err = ERR_NO_SCORE, line_start
                break
            ta, tb = (t5a, t5b) if t5a >= 0 else (t4a, t4b)
            kind, score = parse_score(buf, ta, tb)
            if kind == 2:
                status, err = ERR_SCORE, ta
                break
            if kind == 1:
                if nhard == hard.shape[0]:
                    hard = _grow2(hard, nhard)
                hard[nhard, 0] = count
                hard[nhard, 1] = ta
                hard[nhard, 2] = tb - ta
                nhard += 1
                score = np.nan
        same = False
        if runs > 0 and run_len[runs - 1] == name_len:
            same = True
            off = run_off[runs - 1]
            for k in range(name_len):
                if buf[off + k] != buf[name_start + k]:
                    same = False
                    break
        if not same:
            if runs == run_off.shape[0]:
                run_off = _grow(run_off, runs)
                run_len = _grow(run_len, runs)
                grown = np.empty(run_off.shape[0] + 1, np.int64)
                grown[:runs] = run_first[:runs]
                run_first = grown
            run_off[runs] = name_start
            run_len[runs] = name_len
            run_first[runs] = count
            runs += 1
        if count == starts.shape[0]:
            starts = _grow(starts, count)
            ends = _grow(ends, count)
            scores = _grow(scores, count)
        starts[count] = start
        ends[count] = end
        scores[count] = score
        count += 1
        i = line_end + 1
    run_first[runs] = count
    return (status, err, run_off[:runs], run_len[:runs], run_first[:runs + 1], starts[:count],
            ends[:count], scores[:count], hard[:nhard])


@njit(cache=True, nogil=True)
def find_wig_header(buf):
    """Offset of the first line that starts (after blanks) with the word ``fixedStep`` or
    ``variableStep``; -1 if there is none."""
    n = buf.shape[0]
    i = 0
    while i < n:
        while i < n and (buf[i] == 32 or buf[i] == 9):
            i += 1
        a = i
        while i < n and not (_is_blank(buf[i]) or buf[i] == 10):
            i += 1
        length = i - a
        if length == 9 or length == 12:
            word_fixed = (102, 105, 120, 101, 100, 83, 116, 101, 112)
            word_variable = (118, 97, 114, 105, 97, 98, 108, 101, 83, 116, 101, 112)
            match = True
            if length == 9:
                for k in range(9):
                    if buf[a + k] != word_fixed[k]:
                        match = False
                        break
            else:
                for k in range(12):
                    if buf[a + k] != word_variable[k]:
                        match = False
                        break
            if match:
                return a
        while i < n and buf[i] != 10:
            i += 1
        i += 1
    return -1


# ------------------------------------------------------------------------------------------------
# filter and merge

@njit(cache=True, nogil=True, inline="always")
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


@njit(cache=True, nogil=True)
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


@njit(cache=True, nogil=True)
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


@njit(cache=True, nogil=True)
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


@njit(cache=True, nogil=True)
def signal_runs(values, op, threshold):
    """Maximal runs of positions whose value is not NaN and passes ``op threshold`` (all
    non-NaN values for ``OP_ALL``): merged regions of a WIG mask read as signal."""
    n = values.shape[0]
    out_s = np.empty(16, np.int64)
    out_e = np.empty(16, np.int64)
    k = 0
    i = 0
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
        if k == out_s.shape[0]:
            out_s = _grow(out_s, k)
            out_e = _grow(out_e, k)
        out_s[k] = a
        out_e[k] = i
        k += 1
    return out_s[:k], out_e[:k]


@njit(cache=True, nogil=True)
def flag_runs(flags):
    """Maximal runs of non-zero flags (uint8) as regions."""
    n = flags.shape[0]
    out_s = np.empty(16, np.int64)
    out_e = np.empty(16, np.int64)
    k = 0
    i = 0
    while i < n:
        if flags[i] == 0:
            i += 1
            continue
        a = i
        while i < n and flags[i] != 0:
            i += 1
        if k == out_s.shape[0]:
            out_s = _grow(out_s, k)
            out_e = _grow(out_e, k)
        out_s[k] = a
        out_e[k] = i
        k += 1
    return out_s[:k], out_e[:k]


@njit(cache=True, nogil=True)
def intersect_regions(a_starts, a_ends, b_starts, b_ends):
    """Pieces of the merged regions ``a`` that lie inside the merged regions ``b`` (e.g. mask
    regions and supercontigs), in order."""
    na = a_starts.shape[0]
    nb = b_starts.shape[0]
    out_s = np.empty(16, np.int64)
    out_e = np.empty(16, np.int64)
    k = 0
    i = 0
    j = 0
    while i < na and j < nb:
        lo = max(a_starts[i], b_starts[j])
        hi = min(a_ends[i], b_ends[j])
        if lo < hi:
            if k == out_s.shape[0]:
                out_s = _grow(out_s, k)
                out_e = _grow(out_e, k)
            out_s[k] = lo
            out_e[k] = hi
            k += 1
        if a_ends[i] < b_ends[j]:
            i += 1
        else:
            j += 1
    return out_s[:k], out_e[:k]


# ------------------------------------------------------------------------------------------------
# applying a mask to a column

@njit(cache=True, nogil=True)
def chunk_blocks(starts, ends, chunk_rows, nrows, max_rows):
    """Row blocks ``[b0, b1)`` to read and rewrite for the merged regions (rows of one
    supercontig): unions of whole chunks that some region touches, consecutive chunks joined
    up to ``max_rows`` rows (a multiple of ``chunk_rows``), the last block ending at
    ``nrows``."""
    step = max(chunk_rows, max_rows // chunk_rows * chunk_rows)
    out0 = np.empty(16, np.int64)
    out1 = np.empty(16, np.int64)
    k = 0
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
        if k == out0.shape[0]:
            out0 = _grow(out0, k)
            out1 = _grow(out1, k)
        out0[k] = lo
        out1[k] = hi
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


@njit(cache=True, nogil=True)
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


@njit(cache=True, nogil=True)
def format_bed3(name, starts, ends):
    """``name<TAB>start<TAB>end<LF>`` lines as bytes (uint8) for listing regions."""
    n = starts.shape[0]
    size = 0
    for i in range(n):
        size += name.shape[0] + 3 + _ndigits(starts[i]) + _ndigits(ends[i])
    out = np.empty(size, np.uint8)
    p = 0
    for i in range(n):
        for k in range(name.shape[0]):
            out[p] = name[k]
            p += 1
        out[p] = 9
        p = _put_int(out, p + 1, starts[i])
        out[p] = 9
        p = _put_int(out, p + 1, ends[i])
        out[p] = 10
        p += 1
    return out


@njit(cache=True, nogil=True)
def _ndigits(v):
    d = 1
    while v >= 10:
        v //= 10
        d += 1
    return d


@njit(cache=True, nogil=True)
def _put_int(out, p, v):
    d = _ndigits(v)
    for k in range(d - 1, -1, -1):
        out[p + k] = 48 + v % 10
        v //= 10
    return p + d
