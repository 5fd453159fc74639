"""Kernels of mask and region files: scored BED lines, finding a WIG header, BED3 output.

(What is done with the regions -- the score filter, merging, masking rows -- is
``genomedata.kernels.regions``.)

``scan_bed_scored(buf, need_score)`` reads BED lines ``chrom start end [name [score ...]]``
(fields separated by runs of spaces/TABs; ``track``/``browser`` (in any case), ``#`` and blank
lines skipped; CRLF accepted; the last line may lack its newline).  The score is column 5 when
the line has 5 or more columns, else column 4.  Scores are parsed only when ``need_score`` is
true; then a line with 3 columns, or a score that is not a number, is an error.  Scores are
decimals as every text input reads them (``genomedata.kernels._decimal``), float64 and equal to
Python's ``float(token)``: the kernel converts the tokens on Clinger's fast path and ``nan``,
``inf``, ``infinity``; any other valid number is a *hard* token, returned as ``(region,
offset, length)`` for Python to convert.
"""

from __future__ import annotations

import numpy as np

from ._bytes import (HASH, MINUS, NEWLINE, PLUS, TAB, UINT_BAD, UINT_OK, UINT_OVERFLOW,
                     digit_count, is_blank_or_cr, lower, next_line, parse_uint, put_bed3, put_uint,
                     skip_blanks, word, word_at, word_is_ignoring_case)
from ._decimal import NUM_BAD, float64_value, parse_decimal
from ._jit import helper, kernel
from ._tables import grow, grow_rows

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

# what parse_score says of a token
SCORE_EXACT = 0   # the value is float(token)
SCORE_HARD = 1    # a number the kernel leaves to Python's float()
SCORE_BAD = 2     # not a number

LOWER_A = ord("a")
LOWER_Z = ord("z")

_TRACK = word("track")
_BROWSER = word("browser")
_FIXED_STEP = word("fixedStep")
_VARIABLE_STEP = word("variableStep")

# columns of the hard-score table
HARD_REGION = 0
HARD_OFF = 1
HARD_LEN = 2


# ------------------------------------------------------------------------------------------------
# fields


@helper
def parse_score(buf, a, b):
    """The number ``buf[a:b]`` (a whole token): ``(status, value)``, status SCORE_EXACT (the
    value is ``float(token)``), SCORE_HARD (a valid number for Python to convert) or
    SCORE_BAD."""
    cls, mant, exp10, _nd, trunc, neg, end = parse_decimal(buf, a, b)
    if cls == NUM_BAD or end != b:
        return SCORE_BAD, 0.0
    resolved, value = float64_value(cls, mant, exp10, trunc, neg)
    if not resolved:
        return SCORE_HARD, 0.0
    return SCORE_EXACT, value


@helper
def _coordinate(buf, i, end):
    """The coordinate at ``i``, a token ending at a blank, a CR or ``end``: ``(status, value,
    offset after its digits)``, status OK, ERR_COORD (no digit at ``i``) or ERR_OVERFLOW.
    Digits followed by another byte are OK here, with the offset of that byte."""
    st, value, q = parse_uint(buf, i, end)
    if st == UINT_BAD and q > i:
        st, value, q = parse_uint(buf, i, q)   # the digits alone
    if st == UINT_OK:
        return OK, value, q
    if st == UINT_OVERFLOW:
        return ERR_OVERFLOW, value, q
    return ERR_COORD, value, q


# ------------------------------------------------------------------------------------------------
# scored BED

@kernel
def scan_bed_scored(buf, need_score):
    """Scan a BED mask file.  Returns ``(status, error_offset, run_name_offsets,
    run_name_lengths, run_bounds, starts, ends, scores, hard)``: consecutive lines of one
    chromosome form a run; run ``r`` covers regions ``run_bounds[r]:run_bounds[r + 1]``;
    ``scores`` is NaN when not ``need_score``; ``hard`` rows are ``(region, offset, length)``
    (columns HARD_*) of scores for Python to convert.  ``error_offset`` is the start of the
    offending line (of the score token for ``ERR_SCORE``)."""
    result = scan_bed(buf, need_score, False, False)
    return result[:9]


@kernel
def scan_bed_regions(buf):
    """Scan a BED file of regions kept as written (``genomedata summarize``): as
    :func:`scan_bed_scored` without scores, plus each region's 1-based line number and the
    ``(offset, length, strand)`` of its columns 4 and 6 (:func:`scan_bed`); a first data line whose
    second column starts with a letter (``chrom start end``) is a header and skipped.
    Returns ``(status, error_offset, run_name_offsets, run_name_lengths, run_bounds, starts,
    ends, lines, column4)``."""
    result = scan_bed(buf, False, True, True)
    return result[:7] + result[9:]


@kernel
def scan_bed(buf, need_score, need_columns, skip_header):
    """The one BED line scanner.  Returns :func:`scan_bed_scored`'s tuple followed by
    ``lines`` (1-based line number of each region) and ``column4`` (``(offset, length,
    strand)`` rows: where column 4 is, ``-1, 0`` for a line without one, and the strand of
    column 6, 1 for ``+``, -1 for ``-``, 0 for anything else or none), both empty unless
    ``need_columns``.  With
    ``skip_header``, the first data line is skipped when its second column starts with an
    ASCII letter."""
    n = buf.shape[0]
    cap = 1024 if need_columns else 0
    lines = np.empty(cap, np.int64)
    column4 = np.empty((cap, 3), np.int64)
    line_no = 0
    header_possible = skip_header
    starts = np.empty(1024, np.int64)
    ends = np.empty(1024, np.int64)
    scores = np.empty(1024, np.float64)
    run_off = np.empty(64, np.int64)
    run_len = np.empty(64, np.int64)
    run_first = np.empty(65, np.int64)
    hard = np.empty((16, 3), np.int64)
    nhard = np.int64(0)  # int64, not a literal 0: grow_rows is compiled once
    count = np.int64(0)   # int64, not Literal[int](0): one signature for the growers
    runs = np.int64(0)
    i = np.int64(0)
    status = OK
    err = -1
    while i < n:
        line_start = i
        line_no += 1
        while i < n and is_blank_or_cr(buf[i]):     # a stray CR separates, as blanks do
            i += 1
        line_end = i
        while line_end < n and buf[line_end] != NEWLINE:
            line_end += 1
        content_end = line_end
        while content_end > i and is_blank_or_cr(buf[content_end - 1]):
            content_end -= 1
        if content_end == i or buf[i] == HASH:
            i = line_end + 1
            continue
        word_end = i
        while word_end < content_end and not is_blank_or_cr(buf[word_end]):
            word_end += 1
        if (word_is_ignoring_case(buf, i, word_end, _TRACK)
                or word_is_ignoring_case(buf, i, word_end, _BROWSER)):
            i = line_end + 1
            continue
        name_start = i
        name_len = word_end - i
        i = word_end
        while i < content_end and is_blank_or_cr(buf[i]):
            i += 1
        if i >= content_end:
            status, err = ERR_COLUMNS, line_start
            break
        if header_possible:
            header_possible = False
            if lower(buf[i]) >= LOWER_A and lower(buf[i]) <= LOWER_Z:
                i = line_end + 1
                continue
        status, start, i = _coordinate(buf, i, content_end)
        if status == OK and (i >= content_end or not is_blank_or_cr(buf[i])):
            status = ERR_COLUMNS if i >= content_end else ERR_COORD
        if status != OK:
            err = line_start
            break
        while i < content_end and is_blank_or_cr(buf[i]):
            i += 1
        status, end, i = _coordinate(buf, i, content_end)
        if status == OK and i < content_end and not is_blank_or_cr(buf[i]):
            status = ERR_COORD
        if status == OK and start > end:
            status = ERR_START_AFTER_END
        if status != OK:
            err = line_start
            break
        score = np.nan
        if need_columns:
            if count == lines.shape[0]:
                lines = grow(lines, count)
                column4 = grow_rows(column4, count)
            lines[count] = line_no
            while i < content_end and is_blank_or_cr(buf[i]):
                i += 1
            a = i
            while i < content_end and not is_blank_or_cr(buf[i]):
                i += 1
            column4[count, 0] = a if i > a else -1
            column4[count, 1] = i - a
            b = i           # column 6, the strand: + (1), - (-1), anything else or none (0)
            column = 4
            while column < 6:
                while b < content_end and is_blank_or_cr(buf[b]):
                    b += 1
                a = b
                while b < content_end and not is_blank_or_cr(buf[b]):
                    b += 1
                column += 1
            strand = 0
            if b == a + 1 and buf[a] == PLUS:
                strand = 1
            elif b == a + 1 and buf[a] == MINUS:
                strand = -1
            column4[count, 2] = strand
        if need_score:
            # columns 4 and 5 (token bounds), if present
            t4a = -1
            t4b = -1
            t5a = -1
            t5b = -1
            column = 3
            while column < 5:
                while i < content_end and is_blank_or_cr(buf[i]):
                    i += 1
                if i >= content_end:
                    break
                a = i
                while i < content_end and not is_blank_or_cr(buf[i]):
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
            if kind == SCORE_BAD:
                status, err = ERR_SCORE, ta
                break
            if kind == SCORE_HARD:
                if nhard == hard.shape[0]:
                    hard = grow_rows(hard, nhard)
                hard[nhard, HARD_REGION] = count
                hard[nhard, HARD_OFF] = ta
                hard[nhard, HARD_LEN] = tb - ta
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
                run_off = grow(run_off, runs)
                run_len = grow(run_len, runs)
                grown = np.empty(run_off.shape[0] + 1, np.int64)
                grown[:runs] = run_first[:runs]
                run_first = grown
            run_off[runs] = name_start
            run_len[runs] = name_len
            run_first[runs] = count
            runs += 1
        if count == starts.shape[0]:
            starts = grow(starts, count)
            ends = grow(ends, count)
            scores = grow(scores, count)
        starts[count] = start
        ends[count] = end
        scores[count] = score
        count += 1
        i = line_end + 1
    run_first[runs] = count
    kept = count if need_columns else 0
    return (status, err, run_off[:runs], run_len[:runs], run_first[:runs + 1], starts[:count],
            ends[:count], scores[:count], hard[:nhard], lines[:kept],
            column4[:kept])


@kernel
def find_wig_header(buf):
    """Offset of the first line that starts (after blanks) with the word ``fixedStep`` or
    ``variableStep``; -1 if there is none."""
    n = buf.shape[0]
    i = np.int64(0)   # not a literal 0: skip_blanks is compiled once
    while i < n:
        i = skip_blanks(buf, i, n)
        if word_at(buf, i, n, _FIXED_STEP) or word_at(buf, i, n, _VARIABLE_STEP):
            return i
        i = next_line(buf, i, n)
    return -1


# ------------------------------------------------------------------------------------------------
# output

@kernel
def format_bed3(name, starts, ends):
    """``name<TAB>start<TAB>end<LF>`` lines as bytes (uint8) for listing regions."""
    n = starts.shape[0]
    size = 0
    for i in range(n):
        size += name.shape[0] + 3 + digit_count(starts[i]) + digit_count(ends[i])
    out = np.empty(size, np.uint8)
    p = 0
    for i in range(n):
        p = put_bed3(out, p, name, 0, name.shape[0], starts[i], ends[i])
        out[p] = NEWLINE
        p += 1
    return out
