"""Tables as text: float32 values in their shortest form and TAB-separated rows of them
(``genomedata summarize``, ``genomedata query``).

A float32 ``v`` is written with the fewest significant digits whose text, read as a double and
rounded to float32 (how numpy, pandas and R read a table), is ``v`` again; of the texts with
that many digits, the one nearest ``v`` (of two as near, the even one).  Notation, as numpy
writes a float32 (``str(np.float32(v))``): positional for 0 and for 1e-4 <= |v| < 1e6
(``0.0``, ``-0.5``, ``12.0``, ``0.00012``, ``999999.94``), scientific otherwise (``1e-05``,
``1.234567e+06``: the exponent has a sign and at least two digits); ``inf`` and ``-inf``;
NaN is the caller's text (``NA``, ``nan``).

Every step is exact in double arithmetic while the powers of ten involved are doubles
(10**0 to 10**22): :func:`format_rows` writes the values with 1e-13 <= |v| < 1e22 and 0
itself; the caller gives the text of the others, which :func:`is_hard` tells (finite, nonzero,
outside that range: no signal of a genome is), in scientific notation.
"""

from __future__ import annotations

import math

import numpy as np

from ._bytes import DOT, MINUS, NEWLINE, TAB, ZERO, digit_count, put_bed3, put_uint
from ._jit import helper, kernel

# 10**k for k = 0..22: every one is a double exactly
_EXACT_POWERS = np.array([10.0 ** k for k in range(23)], dtype=np.float64)
HARD_BELOW = 1e-13
HARD_FROM = 1e22
POSITIONAL_FROM = 1e-4
POSITIONAL_BELOW = 1e6
MAX_VALUE_BYTES = 24    # "-0.000" + 9 digits, or "-1.2345678e+38", and room to spare
MAX_INT_BYTES = 20      # a non-negative int64
_E = ord("e")
_PLUS = ord("+")


@helper
def is_hard(v):
    """True for a float32 that :func:`format_rows` cannot write: finite, nonzero, and below
    1e-13 or at least 1e22 in magnitude."""
    a = abs(np.float64(v))
    return a != 0.0 and a < math.inf and (a < HARD_BELOW or a >= HARD_FROM)


@kernel
def hard_values(values):
    """Flat int64 indices of the values of the C-contiguous float32 array ``values`` that
    :func:`format_rows` cannot write (:func:`is_hard`)."""
    flat = values.reshape(-1)
    count = 0
    for i in range(flat.shape[0]):
        if is_hard(flat[i]):
            count += 1
    out = np.empty(count, dtype=np.int64)
    k = 0
    for i in range(flat.shape[0]):
        if is_hard(flat[i]):
            out[k] = i
            k += 1
    return out


@kernel
def _round_trips(c, n, v):
    """Whether the decimal ``c * 10**-n`` (|n| <= 22), read as a double and rounded to
    float32, is ``v``: both the division and the product of two doubles are rounded once."""
    if n >= 0:
        back = np.float64(c) / _EXACT_POWERS[n]
    else:
        back = np.float64(c) * _EXACT_POWERS[-n]
    return np.float32(back) == v


@kernel
def shortest_digits(v):
    """The shortest decimal of the positive float32 ``v`` (1e-13 <= v < 1e22) that reads back
    as ``v``: ``(digits, n)``, the value being ``digits * 10**-n`` with no trailing zero in
    ``digits``."""
    x = np.float64(v)
    e = np.int64(math.floor(math.log10(x)))     # x in [10**e, 10**(e + 1)): fixed up below
    if e >= 0:
        if x < _EXACT_POWERS[e]:
            e -= 1
        elif e + 1 <= 22 and x >= _EXACT_POWERS[e + 1]:
            e += 1
    else:
        if x * _EXACT_POWERS[-e] < 1.0:
            e -= 1
        elif -e - 1 <= 22 and x * _EXACT_POWERS[-e - 1] >= 1.0:
            e += 1
    best = np.int64(0)
    best_n = np.int64(0)
    for p in range(1, 10):
        n = p - 1 - e
        if n > 22 or n < -22:
            continue
        if n >= 0:
            s = x * _EXACT_POWERS[n]
        else:
            s = x / _EXACT_POWERS[-n]
        c0 = np.int64(math.floor(s))
        found = False
        distance = math.inf
        for c in range(c0 - 1, c0 + 2):
            if c > 0 and _round_trips(c, n, v):
                d = abs(np.float64(c) - s)
                # a tie (v's decimal ends in a 5 just past the last digit): the even one
                if d < distance or (d == distance and c % 2 == 0):
                    distance = d
                    best = c
                    best_n = n
                    found = True
        if found:       # found by p = 9 at the latest: nine digits always read back
            break
    while best > 9 and best % 10 == 0:
        best //= 10
        best_n -= 1
    return best, best_n


@kernel
def put_float32(out, p, v):
    """Write the float32 ``v`` (not NaN, not :func:`is_hard`) at ``out[p:]`` in the notation
    of this module; return the offset after it."""
    if v < 0 or (v == 0 and math.copysign(1.0, np.float64(v)) < 0):
        out[p] = MINUS
        p += 1
        v = -v
    if v == math.inf:
        out[p] = ord("i")
        out[p + 1] = ord("n")
        out[p + 2] = ord("f")
        return p + 3
    if v == 0:
        out[p] = ZERO
        out[p + 1] = DOT
        out[p + 2] = ZERO
        return p + 3
    digits, n = shortest_digits(v)
    ndigits = digit_count(digits)
    start = p
    p = put_uint(out, p, digits)            # the digits, moved into place below
    point = ndigits - 1 - n                 # the power of ten of the first digit
    x = np.float64(v)
    if x >= POSITIONAL_FROM and x < POSITIONAL_BELOW:
        if point >= 0:                      # ddd.ddd, or ddd00.0
            whole = point + 1
            if ndigits <= whole:
                for k in range(ndigits, whole):
                    out[start + k] = ZERO
                out[start + whole] = DOT
                out[start + whole + 1] = ZERO
                return start + whole + 2
            for k in range(ndigits, whole, -1):
                out[start + k] = out[start + k - 1]
            out[start + whole] = DOT
            return start + ndigits + 1
        shift = 1 - point                   # 0.000ddd: "0." and -point - 1 zeros first
        for k in range(ndigits - 1, -1, -1):
            out[start + shift + k] = out[start + k]
        out[start] = ZERO
        out[start + 1] = DOT
        for k in range(2, shift):
            out[start + k] = ZERO
        return start + shift + ndigits
    if ndigits > 1:                         # d.ddde+XX
        for k in range(ndigits, 1, -1):
            out[start + k] = out[start + k - 1]
        out[start + 1] = DOT
        p = start + ndigits + 1
    else:
        p = start + 1
    out[p] = _E
    p += 1
    if point < 0:
        out[p] = MINUS
        point = -point
    else:
        out[p] = _PLUS
    p += 1
    if point < 10:
        out[p] = ZERO
        p += 1
    return put_uint(out, p, point)


@kernel
def format_rows(labels, label_ends, label_codes, starts, ends, names, name_ends, values,
                missing, hard, hard_text, hard_ends):
    """TAB-separated text lines, one per row of the float32 ``values`` (rows, columns):
    ``LABEL<TAB>START<TAB>END<TAB>[NAME<TAB>]V1<TAB>V2...`` with coordinates, ``V1<TAB>V2...``
    without.  Returns the text as a uint8 array.

    Coordinates when ``label_codes`` has one entry per row: row ``i``'s label is label
    ``label_codes[i]`` of ``labels``, its start and end ``starts[i]`` and ``ends[i]`` (int64,
    >= 0); names when ``name_ends`` has one entry per row: row ``i``'s name is name ``i`` of
    ``names``.  ``labels`` and ``names`` are texts joined by a separator byte, ``*_ends`` the
    offset where each ends (label ``j`` is ``labels[label_ends[j - 1] + 1:label_ends[j]]``,
    the first starting at 0).  A NaN is written as the bytes ``missing``; the values at the
    sorted flat indices ``hard`` (:func:`hard_values`) as the texts of ``hard_text`` (joined
    and cut like ``names``)."""
    nrows, ncolumns = values.shape
    coords = label_codes.shape[0] == nrows and nrows > 0
    named = name_ends.shape[0] == nrows and nrows > 0
    widest = 0
    for j in range(label_ends.shape[0]):
        size = label_ends[j] - (label_ends[j - 1] + 1 if j else 0)
        if size > widest:
            widest = size
    per_value = max(MAX_VALUE_BYTES, missing.shape[0]) + 1
    size = nrows * (ncolumns * per_value + 1) + hard_text.shape[0]
    if coords:
        size += nrows * (widest + 2 * MAX_INT_BYTES + 3)
    if named:
        size += names.shape[0] + nrows
    out = np.empty(size, dtype=np.uint8)
    p = 0
    h = 0           # the next hard value
    for i in range(nrows):
        if coords:
            j = label_codes[i]
            p = put_bed3(out, p, labels, label_ends[j - 1] + 1 if j else 0, label_ends[j],
                         starts[i], ends[i])
            out[p] = TAB
            p += 1
        if named:
            a = name_ends[i - 1] + 1 if i else 0
            for k in range(a, name_ends[i]):
                out[p] = names[k]
                p += 1
            out[p] = TAB
            p += 1
        for c in range(ncolumns):
            v = values[i, c]
            flat = i * ncolumns + c
            if v != v:
                for k in range(missing.shape[0]):
                    out[p] = missing[k]
                    p += 1
            elif h < hard.shape[0] and hard[h] == flat:
                a = hard_ends[h - 1] + 1 if h else 0
                for k in range(a, hard_ends[h]):
                    out[p] = hard_text[k]
                    p += 1
                h += 1
            else:
                p = put_float32(out, p, v)
            out[p] = TAB if c + 1 < ncolumns else NEWLINE
            p += 1
        if ncolumns == 0:
            if p > 0 and out[p - 1] == TAB:
                p -= 1
            out[p] = NEWLINE
            p += 1
    return out[:p]
