"""Kernels that parse signal text: bedGraph / BED3+1, WIG ``fixedStep`` and ``variableStep``.

Two passes over one ``uint8`` buffer holding the whole input:

``scan(buf)``
    validates the whole input and returns its structure: a table of *segments* (maximal runs of
    data lines of one chromosome and one kind), a table of distinct chromosome names and a table
    of "hard" number tokens that the kernels cannot convert exactly (Python converts them with
    ``float()``).  Nothing is written anywhere.  ``scan_window(..., check=False)`` finds the
    same structure without reading the values (a data line is any line that is not blank, a
    comment or a keyword line; bedGraph and variableStep coordinates are still read): loading
    scans so, and ``fill`` then checks each value once, stopping at a malformed line or a hard
    token (the Python side checks that part of the input again in full).

``fill(buf, ...)`` / ``fill_segments(buf, segs, indices, ...)``
    parse the data lines of segments again and write their values into a chromosome's float32
    buffer.  Segments of one chromosome are filled in file order, so later lines overwrite
    earlier ones.

Kernels never raise: they return a status code and a byte offset, and the Python side
(``genomedata._textinput``) turns them into ``FILE:LINE: message``.

Grammar, decided per line (leading spaces/TABs are ignored on every line):

* empty or blank lines (only spaces, TABs, CRs) and lines starting with ``#`` are skipped
  anywhere; they do not end a WIG block;
* ``track ...`` and ``browser ...`` lines are skipped anywhere and end the current WIG block
  (back to bedGraph mode);
* ``fixedStep chrom=C start=S [step=T] [span=P]`` and ``variableStep chrom=C [span=P]`` start a
  WIG block; keys in any order, separated by runs of spaces/TABs; ``start`` is 1-based and
  required, step and span default to 1 and must be >= 1; unknown or repeated keys are errors;
* in a fixedStep block a data line is one number; value i covers 0-based
  ``[S-1 + i*step, S-1 + i*step + span)``;
* in a variableStep block a data line is ``POS VALUE`` (POS 1-based, >= 1), covering
  ``[POS-1, POS-1+span)``;
* otherwise a data line is ``chrom start end value`` (exactly 4 columns, 0-based half-open,
  ``start <= end``; ``start == end`` writes nothing);
* fields are separated by runs of spaces/TABs; a line ends with ``\\n`` or ``\\r\\n`` (trailing
  spaces/TABs/CRs allowed; a CR anywhere else in a line is an error); the last line may lack
  its newline;
* coordinates are unsigned decimal integers <= 2**63-1;
* values: decimal numbers, ``nan``, ``inf`` or ``infinity`` (docs/inputs.md, "Numbers"), read
  and converted by the one tokenizer of every text input (``genomedata.kernels._decimal``).
  The value stored is ``float32(strtod(token))`` (a correctly rounded double, then rounded to
  float32).  Short plain decimals ending their line take a word-at-a-time fast path; the few
  tokens the kernels cannot convert exactly are *hard* tokens, recorded by ``scan`` and
  converted by Python.

Error codes (status returned by ``scan``; the offset points at the offending token, or at the
line for whole-line problems; ``MESSAGES`` holds the text templates):

====  =========================  ==========================================================
code  name                       meaning
====  =========================  ==========================================================
0     OK                         no error
1     ERR_BED_COLUMNS            bedGraph line without exactly 4 columns (info: columns found)
2     ERR_BAD_NUMBER             value is not a decimal number, nan or inf
3     ERR_BAD_INTEGER            coordinate is not an unsigned decimal integer
4     ERR_COORD_OVERFLOW         coordinate (or position + span) larger than 2**63-1
5     ERR_START_AFTER_END        bedGraph start > end
6     ERR_WIG_FIXED_DATA         fixedStep data line is not one field (info: fields found)
7     ERR_WIG_VARIABLE_DATA      variableStep data line is not two fields (info: fields found)
8     ERR_POS_ZERO               variableStep position 0 (positions are 1-based)
9     ERR_HEADER_TOKEN           WIG header word that is not key=value
10    ERR_UNKNOWN_KEY            WIG header key other than chrom/start/step/span
11    ERR_DUPLICATE_KEY          WIG header key given twice
12    ERR_CHROM_MISSING          WIG header without chrom= (or with an empty name)
13    ERR_START_MISSING          fixedStep header without start=
14    ERR_START_ZERO             fixedStep start=0 (positions are 1-based)
15    ERR_STEP_ZERO              step=0
16    ERR_SPAN_ZERO              span=0
17    ERR_VARSTEP_KEY            start= or step= on a variableStep header
18    ERR_HEADER_INTEGER         start/step/span value that is not an unsigned integer
19    ERR_STRAY_CR               carriage return inside a line (not just before its end)
99    ERR_INTERNAL               parser inconsistency (a bug)
====  =========================  ==========================================================

``fill`` returns FILL_OK (0), FILL_ERR_SYNTAX (1: a line of the segment does not parse, i.e. the
segment did not come from ``scan``) or FILL_ERR_HARD (2: the hard-value table is exhausted).
"""

from __future__ import annotations

import numpy as np

from ._bytes import (CARRIAGE_RETURN, EQUALS, HASH, NEWLINE, UINT_BAD, UINT_OK, UINT_OVERFLOW,
                     ctz64, end_of_line, equal_bytes, first_below_bang, is_blank, is_blank_or_cr,
                     is_delim, load8, matches, next_line, parse_uint, parse_uint_words,
                     skip_blanks, word, word_at)
from ._decimal import (NUM_BAD, float32_value, is_hard_float32, line_value, line_value_ok,
                       parse_decimal, short_float32, short_token, short_value)
from ._jit import helper, inlined, kernel
from ._tables import copy_rows, filled, grow_rows

# ------------------------------------------------------------------------------------------------
# public constants

KIND_BED = 0
KIND_FIXED = 1
KIND_VARIABLE = 2
KIND_NAMES = ("bedGraph", "fixedStep", "variableStep")

# columns of the segment table returned by scan (int64, one row per segment)
SEG_DATA_START = 0   # byte offset of the first data line (BED) / of the line after the header
SEG_DATA_END = 1     # byte offset just after the last data line (== SEG_DATA_START if none)
SEG_CHROM = 2        # chromosome id: row of the chromosome table
SEG_CHROM_OFF = 3    # byte offset of this segment's chromosome name (header value or column 1)
SEG_CHROM_LEN = 4    # its length in bytes
SEG_KIND = 5         # KIND_BED, KIND_FIXED or KIND_VARIABLE
SEG_START = 6        # fixedStep: 0-based position of the first value; else 0
SEG_STEP = 7         # fixedStep: step; else 0
SEG_SPAN = 8         # fixedStep/variableStep: span; else 0
SEG_NLINES = 9       # number of data lines
SEG_HARD_FIRST = 10  # index of the segment's first hard token in the hard-token table
SEG_HARD_COUNT = 11  # number of hard tokens in the segment
SEG_MIN_START = 12   # smallest 0-based start of a non-empty interval (INT64_MAX if none)
SEG_MAX_END = 13     # largest 0-based end of a non-empty interval (0 if none)
SEG_LINE_OFF = 14    # byte offset of the header line (WIG) or of the first data line (BED)
SEG_NCOLS = 15

# the parser state between two windows of scan_window (int64[CTX_N])
CTX_MODE = 0         # KIND_* of the block the next data line belongs to
CTX_CUR = 1          # fixedStep: 0-based position of the next value
CTX_OVER = 2         # fixedStep: 1 when that position is beyond INT64_MAX
CTX_STEP = 3         # WIG block: step, span
CTX_SPAN = 4
CTX_COFF = 5         # WIG block: byte offset and length of its chromosome name
CTX_CLEN = 6
CTX_LINE_OFF = 7     # WIG block: byte offset of its header line
CTX_N = 8

# columns of the chromosome table and of the hard-token table: (byte offset, length)
TOKEN_OFF = 0
TOKEN_LEN = 1

# counters of fill
COUNT_LINES = 0      # data lines read
COUNT_WRITTEN = 1    # bases written into the buffer
COUNT_DROPPED = 2    # bases at or beyond the end of the buffer (not written)
COUNT_HARD_NEXT = 3  # index of the next hard token
NCOUNTERS = 4

OK = 0
ERR_BED_COLUMNS = 1
ERR_BAD_NUMBER = 2
ERR_BAD_INTEGER = 3
ERR_COORD_OVERFLOW = 4
ERR_START_AFTER_END = 5
ERR_WIG_FIXED_DATA = 6
ERR_WIG_VARIABLE_DATA = 7
ERR_POS_ZERO = 8
ERR_HEADER_TOKEN = 9
ERR_UNKNOWN_KEY = 10
ERR_DUPLICATE_KEY = 11
ERR_CHROM_MISSING = 12
ERR_START_MISSING = 13
ERR_START_ZERO = 14
ERR_STEP_ZERO = 15
ERR_SPAN_ZERO = 16
ERR_VARSTEP_KEY = 17
ERR_HEADER_INTEGER = 18
ERR_STRAY_CR = 19
ERR_INTERNAL = 99

# Message templates, formatted by genomedata._textinput with: {token} the offending token,
# {key} the key of a key=value token, {header} the header word (fixedStep/variableStep),
# {info} the integer returned with the status, {fields} the same as "N field(s)",
# {start}/{end} the bedGraph coordinates.
MESSAGES = {
    ERR_BED_COLUMNS: "expected 4 columns (chrom start end value) separated by spaces or TABs, "
                     "found {info}",
    ERR_BAD_NUMBER: "invalid number '{token}'",
    ERR_BAD_INTEGER: "invalid coordinate '{token}' (expected a non-negative integer)",
    ERR_COORD_OVERFLOW: "coordinate out of range (larger than 9223372036854775807)",
    ERR_START_AFTER_END: "start {start} is greater than end {end}",
    ERR_WIG_FIXED_DATA: "expected one number per line in a fixedStep block, found {fields}",
    ERR_WIG_VARIABLE_DATA: "expected 'position value' on each line of a variableStep block, "
                           "found {fields}",
    ERR_POS_ZERO: "variableStep position 0: WIG positions are 1-based (the first base is 1)",
    ERR_HEADER_TOKEN: "expected key=value in {header} header, found '{token}'",
    ERR_UNKNOWN_KEY: "unknown key '{key}' in {header} header",
    ERR_DUPLICATE_KEY: "key '{key}' given twice in {header} header",
    ERR_CHROM_MISSING: "{header} header without chrom=NAME",
    ERR_START_MISSING: "fixedStep header without start= (WIG positions are 1-based)",
    ERR_START_ZERO: "fixedStep start=0: WIG positions are 1-based (the first base is 1)",
    ERR_STEP_ZERO: "step=0: step must be at least 1",
    ERR_SPAN_ZERO: "span=0: span must be at least 1",
    ERR_VARSTEP_KEY: "variableStep header does not take '{key}=' "
                     "(positions are given on the data lines)",
    ERR_HEADER_INTEGER: "invalid value in '{token}' (expected a positive integer)",
    ERR_STRAY_CR: "carriage return (\\r) in the middle of a line",
    ERR_INTERNAL: "internal parser error (please report this as a bug)",
}

FILL_OK = 0
FILL_ERR_SYNTAX = 1
FILL_ERR_HARD = 2

INT64_MAX = np.iinfo(np.int64).max

# ------------------------------------------------------------------------------------------------
# private constants

_U = np.uint64

_W_TRACK = word("track")
_W_BROWSER = word("browser")
_W_FIXED = word("fixedStep")
_W_VARIABLE = word("variableStep")
_W_CHROM = word("chrom")
_W_START = word("start")
_W_STEP = word("step")
_W_SPAN = word("span")

_LINE_OTHER = 0
_LINE_SKIP = 1      # track / browser: skipped, ends a WIG block
_LINE_FIXED = 2
_LINE_VARIABLE = 3

_KEY_UNKNOWN = 0
_KEY_CHROM = 1
_KEY_START = 2
_KEY_STEP = 3
_KEY_SPAN = 4

# first bytes of the keywords that start a line
_T = ord("t")   # track
_B = ord("b")   # browser
_F = ord("f")   # fixedStep
_V = ord("v")   # variableStep

# ------------------------------------------------------------------------------------------------
# lines and words


@inlined
def _line_content(buf, pos, n):
    """The line starting at ``pos``: ``(p, -1)`` with ``p`` its first byte after blanks when
    it holds something to parse (``p >= n`` at the end of the input), or ``(p, next)`` for an
    empty, blank or ``#`` comment line, to be skipped by going on at ``next``."""
    p = skip_blanks(buf, pos, n)
    if p >= n:
        return p, -1
    c = buf[p]
    if c == NEWLINE:
        return p, p + 1
    if c == CARRIAGE_RETURN:
        q = end_of_line(buf, p, n)
        if q >= 0:
            return p, q
    if c == HASH:
        return p, next_line(buf, p, n)
    return p, -1


@kernel
def _line_keyword(buf, p, n):
    c = buf[p]
    if c == _T:
        if word_at(buf, p, n, _W_TRACK):
            return _LINE_SKIP
    elif c == _B:
        if word_at(buf, p, n, _W_BROWSER):
            return _LINE_SKIP
    elif c == _F:
        if word_at(buf, p, n, _W_FIXED):
            return _LINE_FIXED
    elif c == _V:
        if word_at(buf, p, n, _W_VARIABLE):
            return _LINE_VARIABLE
    return _LINE_OTHER


# ------------------------------------------------------------------------------------------------
# chromosome names


@kernel
def _hash_bytes(buf, off, length):
    h = np.uint64(14695981039346656037)
    for i in range(length):
        h = (h ^ np.uint64(buf[off + i])) * np.uint64(1099511628211)
    return np.int64(h >> np.uint64(1))


@kernel
def _intern(buf, off, length, table, chroms, nchrom):
    """Id of the chromosome name buf[off:off+length], added to ``chroms`` if new.
    ``table`` is an open-addressing hash table of ids (-1 empty).  Returns (id, table, chroms,
    nchrom)."""
    mask = table.shape[0] - 1
    slot = _hash_bytes(buf, off, length) & mask
    while True:
        cid = table[slot]
        if cid < 0:
            break
        if chroms[cid, TOKEN_LEN] == length and equal_bytes(buf, chroms[cid, TOKEN_OFF], off,
                                                            length):
            return cid, table, chroms, nchrom
        slot = (slot + 1) & mask
    if nchrom == chroms.shape[0]:
        chroms = grow_rows(chroms, nchrom)
    chroms[nchrom, TOKEN_OFF] = off
    chroms[nchrom, TOKEN_LEN] = length
    cid = nchrom
    nchrom += 1
    table[slot] = cid
    if nchrom * 2 > table.shape[0]:
        table = filled(table.shape[0] * 2, np.int64(-1))
        mask = table.shape[0] - 1
        for i in range(nchrom):
            s = _hash_bytes(buf, chroms[i, TOKEN_OFF], chroms[i, TOKEN_LEN]) & mask
            while table[s] >= 0:
                s = (s + 1) & mask
            table[s] = i
    return cid, table, chroms, nchrom


# ------------------------------------------------------------------------------------------------
# error diagnosis (slow path, once per input at most)


@kernel
def _diagnose(buf, ls, n, mode):
    """Why the data line starting at ``ls`` does not parse in ``mode``: (status, offset, info)."""
    le = ls
    while le < n and buf[le] != NEWLINE:
        le += 1
    ce = le
    while ce > ls and is_blank_or_cr(buf[ce - 1]):
        ce -= 1
    for i in range(ls, ce):
        if buf[i] == CARRIAGE_RETURN:
            return ERR_STRAY_CR, i, 0
    fields = np.zeros(4, dtype=np.int64)
    count = 0
    i = ls
    while i < ce:
        while i < ce and is_blank(buf[i]):
            i += 1
        if i >= ce:
            break
        if count < 4:
            fields[count] = i
        count += 1
        while i < ce and not is_blank(buf[i]):
            i += 1
    first = fields[0] if count > 0 else ls
    if mode == KIND_BED:
        if count != 4:
            return ERR_BED_COLUMNS, first, count
        st, a, _ = parse_uint(buf, fields[1], n)
        if st != UINT_OK:
            return ERR_BAD_INTEGER if st == UINT_BAD else ERR_COORD_OVERFLOW, fields[1], 0
        st, b, _ = parse_uint(buf, fields[2], n)
        if st != UINT_OK:
            return ERR_BAD_INTEGER if st == UINT_BAD else ERR_COORD_OVERFLOW, fields[2], 0
        if a > b:
            return ERR_START_AFTER_END, fields[1], 0
        if parse_decimal(buf, fields[3], n)[0] == NUM_BAD:
            return ERR_BAD_NUMBER, fields[3], 0
    elif mode == KIND_FIXED:
        if count != 1:
            return ERR_WIG_FIXED_DATA, first, count
        if parse_decimal(buf, fields[0], n)[0] == NUM_BAD:
            return ERR_BAD_NUMBER, fields[0], 0
    else:
        if count != 2:
            return ERR_WIG_VARIABLE_DATA, first, count
        st, a, _ = parse_uint(buf, fields[0], n)
        if st != UINT_OK:
            return ERR_BAD_INTEGER if st == UINT_BAD else ERR_COORD_OVERFLOW, fields[0], 0
        if parse_decimal(buf, fields[1], n)[0] == NUM_BAD:
            return ERR_BAD_NUMBER, fields[1], 0
    return ERR_INTERNAL, ls, 0


@kernel
def _key_of(buf, t0, eq):
    m = eq - t0
    if m == 5:
        if matches(buf, t0, _W_CHROM):
            return _KEY_CHROM
        if matches(buf, t0, _W_START):
            return _KEY_START
    elif m == 4:
        if matches(buf, t0, _W_STEP):
            return _KEY_STEP
        if matches(buf, t0, _W_SPAN):
            return _KEY_SPAN
    return _KEY_UNKNOWN


@kernel
def _parse_header(buf, p, n, ls, fixed):
    """WIG header words from ``p`` (just after fixedStep/variableStep) to the end of the line.

    Returns (status, error offset, chrom offset, chrom length, 0-based start, step, span,
    offset of the next line)."""
    chrom_off = np.int64(-1)
    chrom_len = np.int64(0)
    start = np.int64(-1)
    step = np.int64(-1)
    span = np.int64(-1)
    while True:
        p = skip_blanks(buf, p, n)
        if p >= n or buf[p] == NEWLINE or buf[p] == CARRIAGE_RETURN:
            q = end_of_line(buf, p, n)
            if q < 0:
                return ERR_STRAY_CR, p, chrom_off, chrom_len, start, step, span, q
            p = q
            break
        t0 = p
        eq = np.int64(-1)
        while p < n and not is_delim(buf[p]):
            if eq < 0 and buf[p] == EQUALS:
                eq = p
            p += 1
        if eq <= t0:
            return ERR_HEADER_TOKEN, t0, chrom_off, chrom_len, start, step, span, p
        key = _key_of(buf, t0, eq)
        if key == _KEY_UNKNOWN:
            return ERR_UNKNOWN_KEY, t0, chrom_off, chrom_len, start, step, span, p
        if not fixed and (key == _KEY_START or key == _KEY_STEP):
            return ERR_VARSTEP_KEY, t0, chrom_off, chrom_len, start, step, span, p
        if key == _KEY_CHROM:
            if chrom_off >= 0:
                return ERR_DUPLICATE_KEY, t0, chrom_off, chrom_len, start, step, span, p
            if p == eq + 1:
                return ERR_CHROM_MISSING, t0, chrom_off, chrom_len, start, step, span, p
            chrom_off = eq + 1
            chrom_len = p - eq - 1
            continue
        if ((key == _KEY_START and start >= 0) or (key == _KEY_STEP and step >= 0)
                or (key == _KEY_SPAN and span >= 0)):
            return ERR_DUPLICATE_KEY, t0, chrom_off, chrom_len, start, step, span, p
        st, v, _ = parse_uint(buf, eq + 1, n)
        if st == UINT_BAD:
            return ERR_HEADER_INTEGER, t0, chrom_off, chrom_len, start, step, span, p
        if st == UINT_OVERFLOW:
            return ERR_COORD_OVERFLOW, t0, chrom_off, chrom_len, start, step, span, p
        if v == 0:
            code = ERR_START_ZERO if key == _KEY_START else (
                ERR_STEP_ZERO if key == _KEY_STEP else ERR_SPAN_ZERO)
            return code, t0, chrom_off, chrom_len, start, step, span, p
        if key == _KEY_START:
            start = v
        elif key == _KEY_STEP:
            step = v
        else:
            span = v
    if chrom_off < 0:
        return ERR_CHROM_MISSING, ls, chrom_off, chrom_len, start, step, span, p
    if fixed and start < 0:
        return ERR_START_MISSING, ls, chrom_off, chrom_len, start, step, span, p
    if step < 0:
        step = 1
    if span < 0:
        span = 1
    if not fixed:
        step = 0
        start = 1
    return OK, 0, chrom_off, chrom_len, start - 1, step, span, p


@helper
def _sat_add(a, b):
    """a + b for non-negative a, b, saturating at INT64_MAX."""
    if b > INT64_MAX - a:
        return INT64_MAX
    return a + b


@inlined
def _write_span(buffer, a, b, v):
    """Write v over [a, b) clipped to the buffer; returns (bases written, bases dropped)."""
    size = buffer.shape[0]
    if a < 0:
        a = 0
    dropped = np.int64(0)
    if b <= a:
        return dropped, dropped
    if b > size:
        dropped = b - (a if a > size else size)
        b = size
    if b <= a:
        return np.int64(0), dropped
    _fill_range(buffer, a, b, v)
    return b - a, dropped


@inlined
def _fill_range(buffer, a, b, v):
    """``buffer[a:b] = v`` for 0 <= a < b <= len(buffer), in stores of 8, 4 or 1 values
    (the last two of a class may overlap): fewer branches than a loop over the values when
    spans have random lengths."""
    u = _U(a)
    e = _U(b)
    if e - u >= _U(8):
        while u + _U(8) <= e:
            for t in range(8):
                buffer[u + _U(t)] = v
            u += _U(8)
        u = e - _U(8)
        for t in range(8):
            buffer[u + _U(t)] = v
    elif e - u >= _U(4):
        for t in range(4):
            buffer[u + _U(t)] = v
            buffer[e - _U(4) + _U(t)] = v
    else:
        buffer[u] = v
        buffer[(u + e) >> _U(1)] = v
        buffer[e - _U(1)] = v


# ------------------------------------------------------------------------------------------------
# runs of common data lines (fast paths of scan and fill)


@inlined
def _field_ends_line(buf, p, n):
    """The last field of a data line at ``p`` when the values are not checked (they are
    checked when filled): whether a field starts there, and the offset of the next line.
    (The general path of :func:`scan_window` calls it when it does not check, so that its
    code holds no copy of :func:`line_value_ok`.)"""
    if p >= n or is_delim(buf[p]):
        return False, p
    return True, next_line(buf, p, n)


@kernel
def _scan_run_fixed(buf, pos, n, cur, step, fast_lim):
    """Consecutive fixedStep data lines from ``pos`` whose values are not hard, while the
    position stays <= fast_lim.  Returns (offset after them, next position, lines)."""
    k = np.int64(0)
    while cur <= fast_lim:
        ok, _mant, _frac, _neg, q = short_value(buf, pos, n)
        if not ok:
            ok, q = line_value_ok(buf, pos, n)
            if not ok:
                break
        cur += step
        k += 1
        pos = q
    return pos, cur, k


_LINES_BLOCK = 4096   # bytes of fixedStep lines counted at once by _skip_run_fixed


@helper
def _plain_start(c):
    """Whether a line starting with byte ``c`` is a data line in a WIG block, whatever else
    it holds: not blank, not a comment, not a keyword line (bytes below "$" go the general
    way, which knows them)."""
    return not (c < 0x24 or c == _T or c == _B or c == _F or c == _V)


@kernel
def _skip_run_fixed(buf, pos, n, cur, step, fast_lim):
    """:func:`_scan_run_fixed` without reading the values (they are checked when filled):
    consecutive fixedStep data lines from ``pos`` that end with a newline, while the position
    stays <= fast_lim.  Whole blocks of lines are counted at once when every line in them
    starts plainly.  Returns (offset after them, next position, lines)."""
    k = np.int64(0)
    while pos < n - 1 and cur <= fast_lim and _plain_start(buf[pos]):
        e = pos + _LINES_BLOCK
        if e > n - 1:
            e = n - 1
        # unsigned indices and 32-bit lanes: LLVM vectorizes this loop
        count = np.uint32(0)
        special = np.uint32(0)
        for i in range(np.uint64(pos), np.uint64(e)):
            nl = np.uint32(buf[i] == NEWLINE)
            c = buf[i + np.uint64(1)]
            count += nl
            special |= nl & np.uint32((c < 0x24) | (c == _T) | (c == _B) | (c == _F)
                                      | (c == _V))
        count = np.int64(count)
        if special == 0 and count > 0 and count <= (fast_lim - cur) // step:
            last = e - 1
            while buf[last] != NEWLINE:
                last -= 1
            pos = last + 1
            cur += count * step
            k += count
            continue
        # line by line up to the first line that is not plain
        while pos < e and cur <= fast_lim and _plain_start(buf[pos]):
            q = pos
            while q < n and buf[q] != NEWLINE:
                q += 1
            if q >= n:
                return pos, cur, k
            pos = q + 1
            cur += step
            k += 1
        if pos < e:
            break
    return pos, cur, k


@kernel
def _scan_run_bed(buf, pos, n, chrom_off, chrom_len, s_min, s_max, check):
    """Consecutive bedGraph lines of chromosome buf[chrom_off:chrom_off+chrom_len] whose
    values are not hard.  Returns (offset after them, lines, updated min start, updated max
    end)."""
    k = np.int64(0)
    while chrom_len > 0:
        q = pos + chrom_len
        if not (q < n and is_blank(buf[q])
                and equal_bytes(buf, chrom_off, pos, chrom_len)):
            break
        r = skip_blanks(buf, q, n)
        st, start, q = parse_uint_words(buf, r, n)
        r2 = skip_blanks(buf, q, n)
        if st != UINT_OK or r2 == q:
            break
        st, end, q = parse_uint_words(buf, r2, n)
        r3 = skip_blanks(buf, q, n)
        if st != UINT_OK or r3 == q or start > end:
            break
        # the value: checked (short_value, else line_value_ok), or only found
        if check:
            ok, _mant, _frac, _neg, q = short_value(buf, r3, n)
            if not ok:
                ok, q = line_value_ok(buf, r3, n)
        else:
            ok, q = _field_ends_line(buf, r3, n)
        if not ok:
            break
        if start < end:
            if start < s_min:
                s_min = start
            if end > s_max:
                s_max = end
        k += 1
        pos = q
    return pos, k, s_min, s_max


@kernel
def _scan_run_variable(buf, pos, n, span, fast_lim, s_min, s_max, check):
    """Consecutive variableStep lines with 1 <= position <= fast_lim whose values are not
    hard.  Returns (offset after them, lines, updated min start, updated max end)."""
    k = np.int64(0)
    while True:
        st, vpos, q = parse_uint_words(buf, pos, n)
        r = skip_blanks(buf, q, n)
        if st != UINT_OK or r == q or vpos < 1 or vpos > fast_lim:
            break
        # the value: checked (short_value, else line_value_ok), or only found
        if check:
            ok, _mant, _frac, _neg, q = short_value(buf, r, n)
            if not ok:
                ok, q = line_value_ok(buf, r, n)
        else:
            ok, q = _field_ends_line(buf, r, n)
        if not ok:
            break
        if vpos - 1 < s_min:
            s_min = vpos - 1
        if vpos - 1 + span > s_max:
            s_max = vpos - 1 + span
        k += 1
        pos = q
    return pos, k, s_min, s_max


_BATCH = 32     # fixedStep lines (step 1, span 1) read at once by _fill_batch
_BLOCK = 64     # bytes whose LFs one word of bits marks


@inlined
def _newlines(buf, p):
    """The LFs of ``buf[p:p+64]`` as the bits of a word (bit i: byte p + i; the caller
    checks that the bytes exist).  Unsigned indices: LLVM compares the bytes with vector
    instructions."""
    m = _U(0)
    q = _U(p)
    for i in range(_BLOCK):
        m |= _U(buf[q + _U(i)] == NEWLINE) << _U(i)
    return m


@kernel
def _fill_batch(buf, pos, n, buffer, cur, lines, values):
    """Up to _BATCH consecutive fixedStep data lines from ``pos`` (step 1, span 1) that the
    fast path of :func:`line_value` reads (a short token, then LF or CR LF), their values
    written to ``buffer[cur:]`` (the caller checks that _BATCH values fit).  Stops before the
    first other line.  Returns (lines read, offset after them).

    Where each line ends comes from words of LF bits, so the next line's start does not wait
    for this line's value; the values are then converted independently of each other (LLVM
    vectorizes that loop).  ``lines`` (int64[3, _BATCH + 1]), ``values`` (float32[_BATCH]):
    scratch space."""
    words = lines[0]
    lengths = lines[1]
    starts = lines[2]
    c = 0
    s = pos
    base = pos
    while c < _BATCH and base + _BLOCK + 8 <= n:
        m = _newlines(buf, base)
        if m == _U(0):
            break          # a line of more than 64 bytes: not for the fast path
        while m != _U(0) and c < _BATCH:
            e = base + np.int64(ctz64(m))
            m &= m - _U(1)
            words[c] = np.int64(load8(buf, s))
            lengths[c] = e - s
            starts[c] = s
            c += 1
            s = e + 1
        base += _BLOCK
    starts[c] = s
    bad = _U(0)
    for i in range(_BATCH):
        w = _U(words[i])
        length = _U(lengths[i])
        # the token ends at the LF or at a CR just before it, within 8 bytes of its start
        cr = _U(((w >> ((length * _U(8) - _U(8)) & _U(63))) & _U(0xFF)) == CARRIAGE_RETURN)
        ok, mant, frac, neg = short_token(w, length - cr)
        values[i] = short_float32(mant, frac, neg)
        bad |= _U((not ok) or length > _U(7)) << _U(i)
    good = np.int64(ctz64(bad))
    if good > c:
        good = c
    # element by element: a slice assignment would make numba compile its shape check's
    # error message (string formatting: seconds of the first run's compilation)
    for t in range(good):
        buffer[cur + t] = values[t]
    return good, starts[good]


@kernel
def _fill_run_fixed(buf, pos, n, buffer, cur, step, span, lines, values):
    """Fill from consecutive fixedStep lines whose values are not hard (``lines``, ``values``:
    scratch space of :func:`_fill_batch`).
    Returns (offset after them, next position, lines, bases written, bases dropped)."""
    size = buffer.shape[0]
    k = np.int64(0)
    written = np.int64(0)
    dropped = np.int64(0)
    if step == 1 and span == 1:
        while cur >= 0:
            if cur <= size - _BATCH and pos + _BLOCK + 8 <= n:
                got, pos = _fill_batch(buf, pos, n, buffer, cur, lines, values)
                cur += got
                k += got
                written += got
                if got == _BATCH:
                    continue
            ok, mant, frac, neg, q = short_value(buf, pos, n)
            if ok:
                v = short_float32(mant, frac, neg)
            else:
                ok, v, q = line_value(buf, pos, n)
                if not ok:
                    break
            if cur < size:
                buffer[cur] = v
                written += 1
            else:
                dropped += 1
            cur += 1
            k += 1
            pos = q
    else:
        while True:
            ok, mant, frac, neg, q = short_value(buf, pos, n)
            if ok:
                v = short_float32(mant, frac, neg)
            else:
                ok, v, q = line_value(buf, pos, n)
                if not ok:
                    break
            w, d = _write_span(buffer, cur, cur + span, v)
            written += w
            dropped = _sat_add(dropped, d)
            cur += step
            k += 1
            pos = q
    return pos, cur, k, written, dropped


@kernel
def _fill_run_variable(buf, pos, n, buffer, span):
    """Fill from consecutive variableStep lines whose values are not hard.
    Returns (offset after them, lines, bases written, bases dropped)."""
    k = np.int64(0)
    written = np.int64(0)
    dropped = np.int64(0)
    while True:
        st, vpos, q = parse_uint_words(buf, pos, n)
        r = skip_blanks(buf, q, n)
        if st != UINT_OK or r == q:
            break
        ok, mant, frac, neg, q = short_value(buf, r, n)
        if ok:
            v = short_float32(mant, frac, neg)
        else:
            ok, v, q = line_value(buf, r, n)
            if not ok:
                break
        w, d = _write_span(buffer, vpos - 1, vpos - 1 + span, v)
        written += w
        dropped = _sat_add(dropped, d)
        k += 1
        pos = q
    return pos, k, written, dropped


@kernel
def _fill_run_bed(buf, pos, n, buffer):
    """Fill from consecutive bedGraph lines whose values are not hard (lines starting with
    "#", "t" or "b" are left to the general path, which knows comment, track and browser
    lines).
    Returns (offset after them, lines, bases written, bases dropped)."""
    k = np.int64(0)
    written = np.int64(0)
    dropped = np.int64(0)
    while pos < n:
        c = buf[pos]
        if c == HASH or c == _T or c == _B:
            break
        # the chromosome name: its end found 8 bytes at a time when it is that short
        q = pos
        if pos + 8 <= n:
            i = np.int64(first_below_bang(load8(buf, pos)))
            if i < 8 and is_delim(buf[pos + i]):
                q = pos + i
        while q < n and not is_delim(buf[q]):
            q += 1
        r = skip_blanks(buf, q, n)
        if q == pos or r == q:
            break
        st, start, q = parse_uint_words(buf, r, n)
        r2 = skip_blanks(buf, q, n)
        if st != UINT_OK or r2 == q:
            break
        st, end, q = parse_uint_words(buf, r2, n)
        r3 = skip_blanks(buf, q, n)
        if st != UINT_OK or r3 == q:
            break
        ok, mant, frac, neg, q = short_value(buf, r3, n)
        if ok:
            v = short_float32(mant, frac, neg)
        else:
            ok, v, q = line_value(buf, r3, n)
            if not ok:
                break
        w, d = _write_span(buffer, start, end, v)
        written += w
        dropped = _sat_add(dropped, d)
        k += 1
        pos = q
    return pos, k, written, dropped


# ------------------------------------------------------------------------------------------------
# pass 1


@kernel
def _close_segment(segs, i, data_end, nlines, hard_count, min_start, max_end):
    segs[i, SEG_DATA_END] = data_end
    segs[i, SEG_NLINES] = nlines
    segs[i, SEG_HARD_COUNT] = hard_count
    segs[i, SEG_MIN_START] = min_start
    segs[i, SEG_MAX_END] = max_end


@kernel
def _open_segment(segs, nseg, data_start, cid, coff, clen, kind, start, step, span, hard_first,
                  line_off):
    if nseg == segs.shape[0]:
        segs = grow_rows(segs, nseg)
    segs[nseg, SEG_DATA_START] = data_start
    segs[nseg, SEG_DATA_END] = data_start
    segs[nseg, SEG_CHROM] = cid
    segs[nseg, SEG_CHROM_OFF] = coff
    segs[nseg, SEG_CHROM_LEN] = clen
    segs[nseg, SEG_KIND] = kind
    segs[nseg, SEG_START] = start
    segs[nseg, SEG_STEP] = step
    segs[nseg, SEG_SPAN] = span
    segs[nseg, SEG_NLINES] = 0
    segs[nseg, SEG_HARD_FIRST] = hard_first
    segs[nseg, SEG_HARD_COUNT] = 0
    segs[nseg, SEG_MIN_START] = INT64_MAX
    segs[nseg, SEG_MAX_END] = 0
    segs[nseg, SEG_LINE_OFF] = line_off
    return segs


@kernel
def _add_hard(hard, nhard, off, length):
    if nhard == hard.shape[0]:
        hard = grow_rows(hard, nhard)
    hard[nhard, TOKEN_OFF] = off
    hard[nhard, TOKEN_LEN] = length
    return hard


def new_context():
    """The parser state at the start of an input, for :func:`scan_window` (int64[CTX_N])."""
    ctx = np.zeros(CTX_N, dtype=np.int64)
    ctx[CTX_MODE] = KIND_BED
    return ctx


@kernel
def scan(buf):
    """Validate the whole input ``buf`` (uint8[:]) and return its structure.

    Returns ``(status, err_offset, err_info, segments, chroms, hard)``:

    * ``status``: OK or an ERR_* code; ``err_offset`` the byte offset of the offending token or
      line; ``err_info`` a number for the message (fields found, for column errors);
    * ``segments``: int64 (nseg, SEG_NCOLS), see the SEG_* columns;
    * ``chroms``: int64 (nchrom, 2) offset and length of each distinct chromosome name, in
      order of first appearance (SEG_CHROM indexes it);
    * ``hard``: int64 (nhard, 2) offset and length of each hard number token, in file order.

    On error the tables hold what was found before the error.
    """
    ctx = np.zeros(CTX_N, dtype=np.int64)
    ctx[CTX_MODE] = KIND_BED
    # int64 and bool, not Literal[int](0) and Literal[bool](True): scan_window is compiled once
    return scan_window(buf, np.int64(0), np.int64(buf.shape[0]), ctx, np.bool_(True))


@kernel
def scan_window(buf, lo, hi, ctx, check):
    """:func:`scan` of the lines in ``buf[lo:hi]`` only, continuing from the parser state
    ``ctx`` (int64[CTX_N], from :func:`new_context` or the previous window) and leaving the
    state at ``hi`` in it.  ``lo`` and ``hi`` must be line starts (or the buffer's end).

    Scanning an input window by window gives the same status and error offset as one
    :func:`scan`, and segments that fill the same values: a WIG block that goes on past a
    window boundary continues in a new segment of the next window (as if a header with the
    next position stood there), a bedGraph run of one chromosome likewise.  Offsets are
    offsets in ``buf``; the chromosome and hard-token tables are the window's own (segments
    index them from 0).  ``check`` False: the values are not read (see the module's
    docstring), and the hard-token table stays empty.
    """
    n = hi
    segs = np.empty((16, SEG_NCOLS), dtype=np.int64)
    # counters and constants passed to other kernels are int64, not Python ints: numba would
    # compile another copy of the callee for each literal value (Literal[int](0), ...)
    nseg = np.int64(0)
    chroms = np.empty((16, 2), dtype=np.int64)
    nchrom = np.int64(0)
    table = filled(np.int64(64), np.int64(-1))
    hard = np.empty((64, 2), dtype=np.int64)
    nhard = np.int64(0)

    status = OK
    err_off = np.int64(0)
    err_info = np.int64(0)

    mode = KIND_BED          # block the next data line belongs to
    seg_open = False         # segment nseg - 1 is open (receives data lines)
    s_lines = np.int64(0)    # open segment: data lines, hard tokens before it, extent, end
    s_hard = np.int64(0)
    s_min = np.int64(INT64_MAX)
    s_max = np.int64(0)
    s_last = np.int64(0)
    cur = np.int64(0)        # fixedStep: position of the next value
    cur_over = False         # fixedStep: that position is beyond INT64_MAX
    step = np.int64(0)
    span = np.int64(0)
    fast_lim = np.int64(-1)  # fixedStep: fast path while cur <= fast_lim; variableStep: pos
    prev_off = np.int64(0)   # bedGraph: chromosome of the open segment (prev_len < 0: none)
    prev_len = np.int64(-1)

    cls = NUM_BAD
    mant = np.int64(0)
    e10 = np.int64(0)
    nd = np.int64(0)
    tr = False
    neg = False
    q2 = np.int64(0)
    r3 = np.int64(0)
    bstart = np.int64(0)
    bend = np.int64(0)

    b_coff = np.int64(0)     # WIG block: chromosome name, header line
    b_clen = np.int64(0)
    b_line = np.int64(0)
    mode0 = ctx[CTX_MODE]
    if mode0 == KIND_FIXED or mode0 == KIND_VARIABLE:
        # a WIG block going on from the previous window: a segment as after its header
        b_coff = ctx[CTX_COFF]
        b_clen = ctx[CTX_CLEN]
        b_line = ctx[CTX_LINE_OFF]
        cid, table, chroms, nchrom = _intern(buf, b_coff, b_clen, table, chroms, nchrom)
        mode = mode0
        cur = ctx[CTX_CUR]
        cur_over = ctx[CTX_OVER] != 0
        step = ctx[CTX_STEP]
        span = ctx[CTX_SPAN]
        segs = _open_segment(segs, nseg, lo, cid, b_coff, b_clen, mode,
                             cur if mode == KIND_FIXED else np.int64(0), step, span, nhard,
                             b_line)
        nseg += 1
        seg_open = True
        s_last = lo
        if mode == KIND_FIXED:
            fast_lim = INT64_MAX - span - step
        else:
            fast_lim = INT64_MAX - span

    pos = np.int64(lo)
    while pos < n:
        # fast paths: runs of common data lines of the current block
        if mode == KIND_FIXED:
            if check:
                pos, cur2, k = _scan_run_fixed(buf, pos, n, cur, step, fast_lim)
            else:
                pos, cur2, k = _skip_run_fixed(buf, pos, n, cur, step, fast_lim)
            if k > 0:
                if s_lines == 0:
                    s_min = cur
                s_max = cur2 - step + span
                cur = cur2
        elif mode == KIND_BED:
            pos, k, s_min, s_max = _scan_run_bed(buf, pos, n, prev_off, prev_len, s_min, s_max,
                                                 check)
        else:
            pos, k, s_min, s_max = _scan_run_variable(buf, pos, n, span, fast_lim, s_min, s_max,
                                                      check)
        if k > 0:
            s_lines += k
            s_last = pos
            continue
        ls = pos

        # general path
        p, skip = _line_content(buf, pos, n)
        if p >= n:
            break
        if skip >= 0:
            pos = skip
            continue
        c = buf[p]

        if mode == KIND_FIXED:
            if check:
                cls, mant, e10, nd, tr, neg, q = parse_decimal(buf, p, n)
                q2 = end_of_line(buf, q, n) if cls != NUM_BAD else -1
            elif (c == _T or c == _B or c == _F or c == _V) and \
                    _line_keyword(buf, p, n) != _LINE_OTHER:
                q2 = np.int64(-1)
            else:
                # a data line, whatever it holds (its value is checked when filled)
                cls = NUM_BAD
                q2 = next_line(buf, p, n)
            if q2 >= 0:
                if cur_over or cur > INT64_MAX - span:
                    status = ERR_COORD_OVERFLOW
                    err_off = ls
                    break
                if check and is_hard_float32(cls, mant, e10, nd, tr, neg):
                    hard = _add_hard(hard, nhard, p, q - p)
                    nhard += 1
                if s_lines == 0:
                    s_min = cur
                s_max = cur + span
                if cur > INT64_MAX - step:
                    cur_over = True
                else:
                    cur += step
                s_lines += 1
                s_last = q2
                pos = q2
                continue
        elif mode == KIND_VARIABLE:
            st, vpos, q = parse_uint(buf, p, n)
            if st == UINT_OK:
                r = skip_blanks(buf, q, n)
                if r > q:
                    if check:
                        cls, mant, e10, nd, tr, neg, q = parse_decimal(buf, r, n)
                        q2 = end_of_line(buf, q, n) if cls != NUM_BAD else -1
                    else:
                        cls = NUM_BAD
                        ok, q2 = _field_ends_line(buf, r, n)
                        if not ok:
                            q2 = np.int64(-1)
                    if q2 >= 0:
                        if vpos == 0:
                            status = ERR_POS_ZERO
                            err_off = p
                            break
                        if vpos - 1 > INT64_MAX - span:
                            status = ERR_COORD_OVERFLOW
                            err_off = p
                            break
                        if check and is_hard_float32(cls, mant, e10, nd, tr, neg):
                            hard = _add_hard(hard, nhard, r, q - r)
                            nhard += 1
                        if vpos - 1 < s_min:
                            s_min = vpos - 1
                        if vpos - 1 + span > s_max:
                            s_max = vpos - 1 + span
                        s_lines += 1
                        s_last = q2
                        pos = q2
                        continue

        kw = _LINE_OTHER
        if c == _T or c == _B or c == _F or c == _V:
            kw = _line_keyword(buf, p, n)
        if kw == _LINE_SKIP:
            # track / browser: ends a WIG block
            if mode != KIND_BED:
                mode = KIND_BED
                if seg_open:
                    _close_segment(segs, nseg - 1, s_last, s_lines, nhard - s_hard, s_min,
                                   s_max)
                    seg_open = False
            pos = next_line(buf, p, n)
            continue
        if kw == _LINE_FIXED or kw == _LINE_VARIABLE:
            fixed = kw == _LINE_FIXED
            word = _W_FIXED.shape[0] if fixed else _W_VARIABLE.shape[0]
            (st, eoff, coff, clen, hstart, hstep, hspan,
             q) = _parse_header(buf, p + word, n, ls, fixed)
            if st != OK:
                status = st
                err_off = eoff
                break
            if seg_open:
                _close_segment(segs, nseg - 1, s_last, s_lines, nhard - s_hard, s_min, s_max)
            cid, table, chroms, nchrom = _intern(buf, coff, clen, table, chroms, nchrom)
            b_coff = coff
            b_clen = clen
            b_line = ls
            mode = KIND_FIXED if fixed else KIND_VARIABLE
            segs = _open_segment(segs, nseg, q, cid, coff, clen, mode,
                                 hstart if fixed else np.int64(0), hstep, hspan, nhard, ls)
            nseg += 1
            seg_open = True
            s_lines = 0
            s_min = np.int64(INT64_MAX)
            s_max = 0
            s_last = q
            s_hard = nhard
            cur = hstart
            cur_over = False
            step = hstep
            span = hspan
            if fixed:
                fast_lim = INT64_MAX - span - step
            else:
                fast_lim = INT64_MAX - span   # position - 1 + span <= INT64_MAX
            prev_len = -1
            pos = q
            continue
        if mode != KIND_BED:
            status, err_off, err_info = _diagnose(buf, ls, n, mode)
            break

        # bedGraph / BED3+1 data line: chrom start end value
        q = p
        while q < n and not is_delim(buf[q]):
            q += 1
        coff = p
        clen = q - p
        r = skip_blanks(buf, q, n)
        good = False
        if r > q:
            st, bstart, q = parse_uint(buf, r, n)
            if st == UINT_OK:
                r2 = skip_blanks(buf, q, n)
                if r2 > q:
                    st, bend, q = parse_uint(buf, r2, n)
                    if st == UINT_OK:
                        r3 = skip_blanks(buf, q, n)
                        if r3 > q:
                            if check:
                                cls, mant, e10, nd, tr, neg, q = parse_decimal(buf, r3, n)
                                if cls != NUM_BAD:
                                    q2 = end_of_line(buf, q, n)
                                    good = q2 >= 0
                            else:
                                cls = NUM_BAD
                                good, q2 = _field_ends_line(buf, r3, n)
        if not good:
            status, err_off, err_info = _diagnose(buf, ls, n, mode)
            break
        if bstart > bend:
            status = ERR_START_AFTER_END
            err_off = r
            break
        if not (prev_len == clen and equal_bytes(buf, prev_off, coff, clen)):
            if seg_open:
                _close_segment(segs, nseg - 1, s_last, s_lines, nhard - s_hard, s_min, s_max)
            cid, table, chroms, nchrom = _intern(buf, coff, clen, table, chroms, nchrom)
            segs = _open_segment(segs, nseg, ls, cid, coff, clen, np.int64(KIND_BED),
                                  np.int64(0), np.int64(0), np.int64(0), nhard, ls)
            nseg += 1
            seg_open = True
            s_lines = 0
            s_min = np.int64(INT64_MAX)
            s_max = 0
            s_hard = nhard
            prev_off = coff
            prev_len = clen
        if check and is_hard_float32(cls, mant, e10, nd, tr, neg):
            hard = _add_hard(hard, nhard, r3, q - r3)
            nhard += 1
        if bstart < bend:
            if bstart < s_min:
                s_min = bstart
            if bend > s_max:
                s_max = bend
        s_lines += 1
        s_last = q2
        pos = q2

    if seg_open:
        _close_segment(segs, nseg - 1, s_last, s_lines, nhard - s_hard, s_min, s_max)
    ctx[CTX_MODE] = mode
    ctx[CTX_CUR] = cur
    ctx[CTX_OVER] = 1 if cur_over else 0
    ctx[CTX_STEP] = step
    ctx[CTX_SPAN] = span
    ctx[CTX_COFF] = b_coff
    ctx[CTX_CLEN] = b_clen
    ctx[CTX_LINE_OFF] = b_line
    return (status, err_off, err_info, copy_rows(segs, nseg, nseg),
            copy_rows(chroms, nchrom, nchrom), copy_rows(hard, nhard, nhard))


# ------------------------------------------------------------------------------------------------
# pass 2


@kernel
def fill(buf, seg_start, seg_end, kind, fixed_start, step, span, buffer, hard_values,
         hard_index, counters):
    """Parse the data lines in ``buf[seg_start:seg_end]`` (one segment found by ``scan``) and
    write their values into ``buffer`` (float32, the chromosome's 0-based positions
    ``[0, len(buffer))``).

    ``kind``: KIND_BED, KIND_FIXED or KIND_VARIABLE; ``fixed_start`` (0-based), ``step``,
    ``span``: the segment's WIG parameters.  Hard tokens take their values from
    ``hard_values[hard_index:]`` in order.  Values or parts of spans at or beyond
    ``len(buffer)`` are dropped.  ``counters`` (int64[4]): COUNT_LINES, COUNT_WRITTEN and
    COUNT_DROPPED are incremented, COUNT_HARD_NEXT is set to the next hard index.
    Returns FILL_OK, FILL_ERR_SYNTAX or FILL_ERR_HARD.
    """
    lines = np.empty((3, _BATCH + 1), dtype=np.int64)
    values = np.empty(_BATCH, dtype=np.float32)
    return _fill(buf, seg_start, seg_end, kind, fixed_start, step, span, buffer, hard_values,
                 hard_index, counters, lines, values)


@kernel
def _fill(buf, seg_start, seg_end, kind, fixed_start, step, span, buffer, hard_values,
          hard_index, counters, lines, values):
    """:func:`fill` with the scratch space of :func:`_fill_batch`."""
    n = buf.shape[0]
    if seg_end < n:
        n = seg_end
    nlines = np.int64(0)
    written = np.int64(0)
    dropped = np.int64(0)
    h = hard_index
    nh = hard_values.shape[0]
    cur = fixed_start
    status = FILL_OK
    a = np.int64(0)
    b = np.int64(0)
    v = np.float32(0.0)
    pos = seg_start if seg_start > 0 else 0
    while pos < n:
        # fast paths: runs of data lines whose values are not hard
        if kind == KIND_FIXED:
            pos, cur, k, w, d = _fill_run_fixed(buf, pos, n, buffer, cur, step, span, lines,
                                                 values)
        elif kind == KIND_VARIABLE:
            pos, k, w, d = _fill_run_variable(buf, pos, n, buffer, span)
        else:
            pos, k, w, d = _fill_run_bed(buf, pos, n, buffer)
        nlines += k
        written += w
        dropped = _sat_add(dropped, d)
        if pos >= n:
            break

        # general path: one line
        p, skip = _line_content(buf, pos, n)
        if p >= n:
            break
        if skip >= 0:
            pos = skip
            continue
        c = buf[p]
        if kind != KIND_FIXED and (c == _T or c == _B):
            if _line_keyword(buf, p, n) == _LINE_SKIP:
                pos = next_line(buf, p, n)
                continue
        if kind == KIND_FIXED:
            r = p
            a = cur
            b = cur + span
            cur += step
        elif kind == KIND_VARIABLE:
            st, vpos, q = parse_uint(buf, p, n)
            r = skip_blanks(buf, q, n)
            if st != UINT_OK or r == q:
                status = FILL_ERR_SYNTAX
                break
            a = vpos - 1
            b = a + span
        else:
            q = p
            while q < n and not is_delim(buf[q]):
                q += 1
            r = skip_blanks(buf, q, n)
            st1, a, q = parse_uint(buf, r, n)
            r2 = skip_blanks(buf, q, n)
            st2, b, q = parse_uint(buf, r2, n)
            if r == p or r2 == r or st1 != UINT_OK or st2 != UINT_OK:
                status = FILL_ERR_SYNTAX
                break
            r = skip_blanks(buf, q, n)
            if r == q:
                status = FILL_ERR_SYNTAX
                break
        # the value
        cls, mant, e10, nd, tr, neg, q = parse_decimal(buf, r, n)
        if cls == NUM_BAD:
            status = FILL_ERR_SYNTAX
            break
        q2 = end_of_line(buf, q, n)
        if q2 < 0:
            status = FILL_ERR_SYNTAX
            break
        resolved, v = float32_value(cls, mant, e10, nd, tr, neg)
        if not resolved:
            if h < 0 or h >= nh:
                status = FILL_ERR_HARD
                break
            v = np.float32(hard_values[h])
            h += 1
        w, d = _write_span(buffer, a, b, v)
        written += w
        dropped = _sat_add(dropped, d)
        nlines += 1
        pos = q2
    counters[COUNT_LINES] += nlines
    counters[COUNT_WRITTEN] += written
    counters[COUNT_DROPPED] = _sat_add(counters[COUNT_DROPPED], dropped)
    counters[COUNT_HARD_NEXT] = h
    return status


@kernel
def fill_segments(buf, segs, indices, buffer, hard_values, counters):
    """``fill`` for the segments ``segs[indices]`` in that order (one chromosome's segments in
    file order), each starting at its own first hard token.  Stops at the first failing
    segment and returns its status."""
    lines = np.empty((3, _BATCH + 1), dtype=np.int64)
    values = np.empty(_BATCH, dtype=np.float32)
    for k in range(indices.shape[0]):
        i = indices[k]
        st = _fill(buf, segs[i, SEG_DATA_START], segs[i, SEG_DATA_END], segs[i, SEG_KIND],
                   segs[i, SEG_START], segs[i, SEG_STEP], segs[i, SEG_SPAN], buffer,
                   hard_values, segs[i, SEG_HARD_FIRST], counters, lines, values)
        if st != FILL_OK:
            return st
    return FILL_OK


# ------------------------------------------------------------------------------------------------
# per-chromosome byte ranges (loads whose chromosomes are parsed by different processes)
#
# ``chromosome_ranges(buf)`` walks the lines once, looking only at what decides a line's
# chromosome (a WIG header's ``chrom=``, a bedGraph line's first column), and returns the
# maximal runs of lines of one chromosome.  Every range starts at a line where the parser's
# state does not depend on what came before: a WIG header line, or a bedGraph line outside any
# WIG block.  So parsing each range on its own (``scan`` from a fresh state) gives the values,
# and the errors, that parsing the whole input in file order gives for those lines.  Numbers
# are not read: a malformed data line is found when its range is parsed.  Blank and ``#``
# lines belong to the range they stand in, ``track``/``browser`` lines end a WIG block.

# columns of the range table (int64, one row per range, in file order)
RANGE_START = 0      # byte offset of the range's first line
RANGE_END = 1        # byte offset just after its last line
RANGE_LINE = 2       # 1-based line number of its first line
RANGE_CHROM_OFF = 3  # byte offset of its chromosome name (header value or first column)
RANGE_CHROM_LEN = 4  # its length in bytes
RANGE_NLINES = 5     # data lines in the range
RANGE_NCOLS = 6


@helper
def _plain_data_start(c):
    """Whether a line starting with byte ``c`` can only be a data line (not blank, a comment,
    a track/browser line or a WIG header: those go the careful way)."""
    return not (c == 116 or c == 98 or c == 102 or c == 118 or c == 32 or c == 9
                or c == 13 or c == 10 or c == 35)     # t b f v space TAB CR LF #


@kernel
def chromosome_ranges(buf):
    """The per-chromosome ranges of the signal text ``buf`` (uint8[:]).

    Returns ``(status, err_offset, ranges)``: ``status`` is ``parse.OK``, or the parse error
    of a malformed WIG header (at ``err_offset``; the caller parses the input to report it);
    ``ranges`` is int64 ``(nranges, RANGE_NCOLS)``."""
    n = buf.shape[0]
    ranges = np.empty((16, RANGE_NCOLS), dtype=np.int64)
    nr = np.int64(0)   # not a literal 0: see scan_window
    wig = False                # inside a WIG block
    line = np.int64(1)
    pos = np.int64(0)
    coff = np.int64(0)         # the open range's chromosome name, and its data lines
    clen = np.int64(-1)
    count = np.int64(0)
    while pos < n:
        # the common lines first: data lines of the open range's chromosome
        if wig:
            while pos < n and _plain_data_start(buf[pos]):
                pos = next_line(buf, pos, n)
                line += 1
                count += 1
        elif clen > 0:
            while (pos + clen < n and _plain_data_start(buf[pos])
                   and (buf[pos + clen] == 9 or buf[pos + clen] == 32)
                   and equal_bytes(buf, pos, coff, clen)):
                pos = next_line(buf, pos + clen, n)
                line += 1
                count += 1
        if pos >= n:
            break
        p, skip = _line_content(buf, pos, n)
        if p >= n:
            break
        if skip >= 0:
            pos = skip
            line += 1
            continue
        kw = _LINE_OTHER
        c = buf[p]
        if c == 116 or c == 98 or c == 102 or c == 118:   # t b f v
            kw = _line_keyword(buf, p, n)
        if kw == _LINE_SKIP:
            wig = False
            pos = next_line(buf, p, n)
            line += 1
            continue
        if kw == _LINE_FIXED or kw == _LINE_VARIABLE:
            fixed = kw == _LINE_FIXED
            word = _W_FIXED.shape[0] if fixed else _W_VARIABLE.shape[0]
            st, eoff, off, length, _, _, _, q = _parse_header(buf, p + word, n, pos, fixed)
            if st != OK:
                return st, eoff, ranges[:nr]
            wig = True
            data = 0
        elif wig:
            pos = next_line(buf, p, n)
            line += 1
            count += 1
            continue
        else:
            off = p
            q = p
            while q < n and not is_delim(buf[q]):
                q += 1
            length = q - p
            q = next_line(buf, q, n)
            data = 1
        if clen != length or not equal_bytes(buf, coff, off, length):
            if nr > 0:
                ranges[nr - 1, RANGE_END] = pos
                ranges[nr - 1, RANGE_NLINES] = count
            if nr == ranges.shape[0]:
                ranges = grow_rows(ranges, nr)
            ranges[nr, RANGE_START] = pos
            ranges[nr, RANGE_LINE] = line
            ranges[nr, RANGE_CHROM_OFF] = off
            ranges[nr, RANGE_CHROM_LEN] = length
            nr += 1
            coff = off
            clen = length
            count = 0
        count += data
        pos = q
        line += 1
    if nr > 0:
        ranges[nr - 1, RANGE_END] = n
        ranges[nr - 1, RANGE_NLINES] = count
    return OK, np.int64(0), ranges[:nr]
