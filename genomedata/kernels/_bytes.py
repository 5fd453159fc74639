"""Bytes and lines: the helpers every text kernel shares (signal and mask parsers, sequence
readers, bedGraph and BED writers).

Text is a ``uint8`` buffer; ``p`` is an offset into it and ``n`` the offset where reading must
stop (the buffer's length, or the end of a token or window).  Bytes are compared with the named
constants below, never with bare numbers.

Byte classes:

* *blank*: space or TAB (separates fields);
* *blank or CR*: also a carriage return (what a line may end with before its LF);
* *delimiter*: space, TAB, CR or LF (ends a token).

Unsigned integers (coordinates, sizes, positions) are ASCII digits only, at most 2**63-1, read
byte by byte (:func:`parse_uint`) or, in the parsers' loops, 8 bytes at a time
(:func:`parse_uint_words`, with the word-wide digit helpers that the decimal reader shares).

Also the one loop that undoes HDF5's byte shuffle of 4-byte values (:func:`_unshuffle4`), shared
by the chunk kernels and close-data's statistics kernel.
"""

from __future__ import annotations

import numpy as np
from llvmlite import ir
from numba.core import types
from numba.extending import intrinsic

from ._jit import helper, inlined, kernel

# ------------------------------------------------------------------------------------------------
# named bytes

NEWLINE = ord("\n")
CARRIAGE_RETURN = ord("\r")
SPACE = ord(" ")
TAB = ord("\t")
HASH = ord("#")
PLUS = ord("+")
MINUS = ord("-")
DOT = ord(".")
EQUALS = ord("=")
GREATER_THAN = ord(">")
ZERO = ord("0")
NINE = ord("9")
CASE_BIT = ord("a") - ord("A")   # an ASCII letter or-ed with it is lower case


def word(text: str) -> np.ndarray:
    """The ASCII ``text`` as a uint8 array, for kernels to compare bytes with."""
    return np.frombuffer(text.encode("ascii"), dtype=np.uint8)


# ------------------------------------------------------------------------------------------------
# byte classes


@helper
def is_blank(c):
    return c == SPACE or c == TAB


@helper
def is_blank_or_cr(c):
    return c == SPACE or c == TAB or c == CARRIAGE_RETURN


@helper
def is_delim(c):
    return c == SPACE or c == TAB or c == NEWLINE or c == CARRIAGE_RETURN


@helper
def lower(c):
    """The lower case of an ASCII letter (other bytes change too: compare with letters only)."""
    return c | CASE_BIT


# ------------------------------------------------------------------------------------------------
# lines


@inlined
def skip_blanks(buf, p, n):
    """The first offset from ``p`` that is not a blank (``n`` at most)."""
    while p < n and (buf[p] == SPACE or buf[p] == TAB):
        p += 1
    return p


@inlined
def end_of_line(buf, p, n):
    """The end of a line after its last field: blanks and CRs, then LF or ``n``.  Returns the
    offset of the next line, or -1 if something else follows."""
    while p < n:
        c = buf[p]
        if c == NEWLINE:
            return p + 1
        if c != SPACE and c != TAB and c != CARRIAGE_RETURN:
            return -1
        p += 1
    return n


@inlined
def next_line(buf, p, n):
    """The offset after the next LF from ``p`` (``n`` if there is none)."""
    while p < n and buf[p] != NEWLINE:
        p += 1
    return p + 1 if p < n else n


# ------------------------------------------------------------------------------------------------
# words


@inlined
def equal_bytes(buf, a, b, m):
    """Whether ``buf[a:a+m]`` equals ``buf[b:b+m]``."""
    for i in range(m):
        if buf[a + i] != buf[b + i]:
            return False
    return True


@kernel
def matches(buf, p, text):
    """Whether ``buf[p:p+len(text)]`` equals ``text`` (the caller checks that it fits)."""
    for i in range(text.shape[0]):
        if buf[p + i] != text[i]:
            return False
    return True


@kernel
def word_at(buf, p, n, text):
    """Whether the word ``text`` starts at ``p`` and a delimiter or ``n`` follows it."""
    m = text.shape[0]
    if p + m > n:
        return False
    for i in range(m):
        if buf[p + i] != text[i]:
            return False
    return p + m == n or is_delim(buf[p + m])


@helper
def word_is_ignoring_case(buf, a, b, text):
    """Whether ``buf[a:b]`` is ``text`` (lower-case letters) in any case."""
    if b - a != text.shape[0]:
        return False
    for k in range(text.shape[0]):
        if lower(buf[a + k]) != text[k]:
            return False
    return True


# ------------------------------------------------------------------------------------------------
# unsigned integers

UINT_OK = 0
UINT_BAD = 1        # not an unsigned integer
UINT_OVERFLOW = 2   # larger than 2**63-1

_INT64_MAX_TENTH = 922337203685477580   # (2**63-1) // 10; the last digit of 2**63-1 is 7
_POWERS = np.array([10 ** k for k in range(19)], dtype=np.int64)


@inlined
def parse_uint(buf, p, n):
    """The unsigned integer token at ``p``, which a delimiter or ``n`` must end:
    ``(status, value, end)``, status UINT_OK, UINT_BAD (no digit at ``p``, or something other
    than a digit before the delimiter) or UINT_OVERFLOW; ``end``: the offset after the digits.

    (One loop, not a digit reader called from a checker: nesting inlined helpers here made
    the bedGraph parser 10% slower.  The loop has one exit and keeps the byte after the
    digits, so that the buffer is not read after it: numba can then drop its count of a
    reference to the buffer, which otherwise costs two calls per integer.)"""
    v = np.int64(0)
    q = p
    over = False
    after = np.uint8(NEWLINE)     # the byte after the digits (a delimiter at n)
    more = q < n
    while more:
        c = buf[q]
        d = np.int64(c) - ZERO
        if d < 0 or d > 9:
            after = c
            more = False
        else:
            if v > _INT64_MAX_TENTH or (v == _INT64_MAX_TENTH and d > 7):
                over = True
            else:
                v = v * 10 + d
            q += 1
            more = q < n
    if q == p or not is_delim(after):
        return UINT_BAD, v, q
    if over:
        return UINT_OVERFLOW, v, q
    return UINT_OK, v, q


@helper
def digit_count(value):
    """Number of decimal digits of ``value`` (>= 0)."""
    ndigits = 1
    while ndigits < 19 and value >= _POWERS[ndigits]:
        ndigits += 1
    return ndigits


@helper
def put_uint(out, p, value):
    """Write the decimal digits of ``value`` (>= 0) at ``out[p:]``; return the offset after
    them."""
    ndigits = digit_count(value)
    q = p + ndigits - 1
    rest = np.uint64(value)  # unsigned: plain division, no floor-division fix-ups
    ten = np.uint64(10)
    while q >= p:
        out[q] = np.uint8(ZERO) + np.uint8(rest % ten)
        rest = rest // ten
        q -= 1
    return p + ndigits


@inlined
def put_bed3(out, p, text, a, b, start, end):
    """Write ``text[a:b]`` (a chromosome name), TAB, ``start``, TAB, ``end`` (>= 0) at
    ``out[p:]``: the first three fields of a BED line; return the offset after them."""
    for k in range(a, b):
        out[p] = text[k]
        p += 1
    out[p] = TAB
    p = put_uint(out, p + 1, start)
    out[p] = TAB
    return put_uint(out, p + 1, end)


# ------------------------------------------------------------------------------------------------
# eight bytes at once


@intrinsic
def ctz64(typingctx, x):
    """Count of trailing zero bits of a uint64 (64 for 0)."""
    if x != types.uint64:
        return None

    def codegen(context, builder, signature, args):
        return builder.cttz(args[0], ir.Constant(ir.IntType(1), 0))

    return types.uint64(types.uint64), codegen


_U = np.uint64


@helper
def load8(buf, p):
    """The 8 bytes buf[p:p+8] as a little-endian uint64 (the caller checks p + 8 <= len).
    Unsigned indices let LLVM merge the byte loads into one load."""
    q = _U(p)
    return (_U(buf[q]) | (_U(buf[q + _U(1)]) << _U(8)) | (_U(buf[q + _U(2)]) << _U(16))
            | (_U(buf[q + _U(3)]) << _U(24)) | (_U(buf[q + _U(4)]) << _U(32))
            | (_U(buf[q + _U(5)]) << _U(40)) | (_U(buf[q + _U(6)]) << _U(48))
            | (_U(buf[q + _U(7)]) << _U(56)))


_W_ZEROS = _U(0x3030303030303030)      # eight "0" characters
_W_LOW7 = _U(0x7F7F7F7F7F7F7F7F)
_W_HIGHS = _U(0x8080808080808080)
_W_NOT_DIGIT = _U(0x7676767676767676)  # + x & 0x7F sets the high bit of bytes x >= 10
_W_PAIRS = _U(0x00FF00FF00FF00FF)
_W_LOW2 = _U(0x000000FF000000FF)
_W_MUL1 = _U(100 + (1000000 << 32))
_W_MUL2 = _U(1 + (10000 << 32))
_W_BELOW = _U(0x2121212121212121)     # for "byte < 0x21"
_P10_16 = np.array([10 ** k for k in range(17)], dtype=np.int64)


@helper
def first_below_bang(w):
    """The index of the first byte of the word ``w`` below "!" (space, TAB, CR, LF and
    control bytes), 8 when there is none."""
    return ctz64((w - _W_BELOW) & ~w & _W_HIGHS) >> _U(3)   # the first one is exact


@helper
def digit_values(w):
    """The bytes of the word ``w`` as digit values (each byte xor "0": a digit is < 10)."""
    return w ^ _W_ZEROS


@helper
def non_digits(x):
    """The high bit of each byte of ``x`` (digit values) that is not a digit (>= 10)."""
    return (((x & _W_LOW7) + _W_NOT_DIGIT) | x) & _W_HIGHS


@helper
def digits_value(x, k):
    """The number written by the ``k`` (1..8) low bytes of ``x``, digit values in text order
    (the first is the most significant): right-aligned, then summed pairwise by three
    multiplications."""
    v = x << (((_U(8) - k) << _U(3)) & _U(63))       # the other bytes shift out
    v = (v * _U(10) + (v >> _U(8))) & _W_PAIRS
    return ((v & _W_LOW2) * _W_MUL1 + ((v >> _U(16)) & _W_LOW2) * _W_MUL2) >> _U(32)


@inlined
def parse_uint_words(buf, p, n):
    """:func:`parse_uint` of an integer of at most 15 digits followed by a delimiter, read 8
    bytes at a time; anything else (or fewer than 16 bytes before ``n``) goes to
    :func:`parse_uint`.  Same results."""
    if p + 16 <= n:
        x = digit_values(load8(buf, p))
        k = ctz64(non_digits(x)) >> _U(3)            # leading digits, 8 when all are
        if k > _U(0) and k < _U(8):
            if is_delim(((x >> (k << _U(3))) & _U(0xFF)) ^ _U(ZERO)):
                return UINT_OK, np.int64(digits_value(x, k)), p + np.int64(k)
        elif k == _U(8):
            y = digit_values(load8(buf, p + 8))
            j = ctz64(non_digits(y)) >> _U(3)
            if j < _U(8) and is_delim(((y >> (j << _U(3))) & _U(0xFF)) ^ _U(ZERO)):
                v = np.int64(digits_value(x, _U(8)))
                if j > _U(0):
                    v = v * _P10_16[j] + np.int64(digits_value(y, j))
                return UINT_OK, v, p + 8 + np.int64(j)
    return parse_uint(buf, p, n)


@helper
def _unshuffle4(src, nelem, first, nvalues, dest, byte0, step):
    """Elements ``first .. first + nvalues - 1`` of a shuffled chunk of ``nelem`` 4-byte
    elements into ``dest`` (uint8): element ``i`` to bytes ``byte0 + i * step ..
    byte0 + i * step + 3``.  One pass over the destination, four input planes."""
    s0 = src[first:first + nvalues]
    s1 = src[nelem + first:nelem + first + nvalues]
    s2 = src[2 * nelem + first:2 * nelem + first + nvalues]
    s3 = src[3 * nelem + first:3 * nelem + first + nvalues]
    for i in range(nvalues):
        d = byte0 + i * step
        dest[d] = s0[i]
        dest[d + 1] = s1[i]
        dest[d + 2] = s2[i]
        dest[d + 3] = s3[i]
