"""The decimal numbers of every text input (signal values, mask scores), read by one tokenizer.

Grammar of a token (docs/inputs.md, "Numbers"): ``[+-]digits[.digits][(e|E)[+-]digits]`` with
at least one digit before the exponent, on either side of the point (``5.``, ``.5``, ``5.e3``),
or ``nan``, ``inf``, ``infinity`` in any case with an optional sign.  A token ends at a
delimiter (space, TAB, CR, LF) or at the limit ``n`` given to the reader; anything else after
it makes the token invalid.

:func:`parse_decimal` reads a token into ``(cls, significand, exp10, ndigits, truncated,
negative, end)``: its value is ``(-1)**negative * significand * 10**exp10``, the significand
keeping the first 18 significant digits (``truncated``: nonzero digits were dropped beyond
them).  Two conversions give the value a kernel stores:

* :func:`float32_value`: ``float32(strtod(token))``, a correctly rounded double then rounded to
  float32 (signal values);
* :func:`float64_value`: ``float(token)``, the correctly rounded double (mask scores).

Both compute the double exactly when the significand has at most 18 significant digits and is
at most 2**53, and the decimal exponent is within +-22: one exact multiplication or division
by an exact power of ten (Clinger's fast path).  For float32, other tokens take an
approximation ``y`` with a relative error below 2**-50, accepted when every double within
``|y| * 2**-47`` of it rounds to the same float32 (so the double rounding cannot matter);
magnitudes beyond 10**40 are infinite and below 10**-50 zero.  A token that a conversion
leaves *unresolved* is a *hard* token: the kernel records its offset and length, and Python
converts it with ``float()`` -- so every value equals Python's, rounded to float32 for signal.

:func:`line_value` reads a value that ends its line (the last field of a signal data line).
Short plain decimals (``[+-]digits[.digits]``, at most 7 bytes, directly followed by LF or
CR LF) take a fast path (:func:`short_value`) that loads 8 bytes at once and validates and
converts the token with word-wide bit operations (:func:`short_token`, no data-dependent
branches); everything else goes through :func:`parse_decimal`.  Both paths accept the same
tokens and give the same value.  The parsers' loops call :func:`short_value` themselves and
:func:`line_value` only when it does not apply (see ``genomedata.kernels._jit`` on why).
"""

from __future__ import annotations

import numpy as np

from ._bytes import (CASE_BIT, DOT, MINUS, NEWLINE, PLUS, ZERO, ctz64, digit_values,
                     digits_value, end_of_line, first_below_bang, is_delim, load8, non_digits,
                     word, word_is_ignoring_case)
from ._jit import helper, inlined, kernel

NUM_BAD = 0   # not a number
NUM_DEC = 1   # a decimal
NUM_NAN = 2
NUM_INF = 3

_MAX_DIGITS = 18          # significant digits kept in the int64 significand
_TWO53 = 1 << 53
_CLINGER_MAX_EXP = 22
_MAX_EXP_ACC = 10 ** 15   # larger exponents cannot matter (no buffer has 10**15 digits)
_MAG_INF = 40             # 10**40 > FLT_MAX: +-inf
_MAG_ZERO = -50           # 10**-50 < half the smallest float32 subnormal: +-0
_P10 = np.array([float(10 ** k) for k in range(80)], dtype=np.float64)  # correctly rounded
_TOLERANCE = 2.0 ** -47
_INV_P10 = np.array([1.0 / 10.0 ** k for k in range(8)], dtype=np.float64)  # correctly rounded

_NAN = word("nan")
_INF = word("inf")
_INFINITY = word("infinity")
_LOWER_N = ord("n")
_LOWER_I = ord("i")
_LOWER_E = ord("e")


# ------------------------------------------------------------------------------------------------
# the tokenizer


@kernel
def parse_decimal(buf, p, n):
    """The number token at ``p``, ending at a delimiter or ``n``.

    Returns ``(cls, significand, exp10, ndigits, truncated, negative, end)``: ``cls`` is
    NUM_DEC, NUM_NAN, NUM_INF or NUM_BAD; a decimal's value is
    ``(-1)**negative * significand * 10**exp10`` (``significand`` has ``ndigits`` <= 18
    significant digits; ``truncated``: nonzero digits were dropped beyond them)."""
    neg = False
    mant = np.int64(0)
    exp10 = np.int64(0)
    nd = np.int64(0)
    trunc = False
    if p < n:
        c = buf[p]
        if c == MINUS:
            neg = True
            p += 1
        elif c == PLUS:
            p += 1
    if p >= n:
        return NUM_BAD, mant, exp10, nd, trunc, neg, p
    c = buf[p] | CASE_BIT
    if c == _LOWER_N or c == _LOWER_I:
        end = p
        while end < n and not is_delim(buf[end]):
            end += 1
        if word_is_ignoring_case(buf, p, end, _NAN):
            return NUM_NAN, mant, exp10, nd, trunc, neg, end
        if word_is_ignoring_case(buf, p, end, _INF) or word_is_ignoring_case(buf, p, end,
                                                                             _INFINITY):
            return NUM_INF, mant, exp10, nd, trunc, neg, end
        return NUM_BAD, mant, exp10, nd, trunc, neg, p
    ndig = 0
    while p < n:
        d = np.int64(buf[p]) - ZERO
        if d < 0 or d > 9:
            break
        ndig += 1
        if nd < _MAX_DIGITS:
            mant = mant * 10 + d
            if mant != 0:
                nd += 1
        else:
            exp10 += 1
            if d != 0:
                trunc = True
        p += 1
    if p < n and buf[p] == DOT:
        p += 1
        while p < n:
            d = np.int64(buf[p]) - ZERO
            if d < 0 or d > 9:
                break
            ndig += 1
            if nd < _MAX_DIGITS:
                mant = mant * 10 + d
                exp10 -= 1
                if mant != 0:
                    nd += 1
            elif d != 0:
                trunc = True
            p += 1
    if ndig == 0:
        return NUM_BAD, mant, exp10, nd, trunc, neg, p
    if p < n and (buf[p] | CASE_BIT) == _LOWER_E:
        p += 1
        eneg = False
        if p < n:
            c = buf[p]
            if c == MINUS:
                eneg = True
                p += 1
            elif c == PLUS:
                p += 1
        ev = np.int64(0)
        edig = 0
        while p < n:
            d = np.int64(buf[p]) - ZERO
            if d < 0 or d > 9:
                break
            if ev < _MAX_EXP_ACC:
                ev = ev * 10 + d
            edig += 1
            p += 1
        if edig == 0:
            return NUM_BAD, mant, exp10, nd, trunc, neg, p
        if eneg:
            exp10 -= ev
        else:
            exp10 += ev
    if p < n and not is_delim(buf[p]):
        return NUM_BAD, mant, exp10, nd, trunc, neg, p
    return NUM_DEC, mant, exp10, nd, trunc, neg, p


# ------------------------------------------------------------------------------------------------
# conversions


@helper
def is_exact(mant, exp10, trunc):
    """Clinger's fast path (or zero): the double is computed exactly."""
    return mant == 0 or (not trunc and mant <= _TWO53
                         and exp10 >= -_CLINGER_MAX_EXP and exp10 <= _CLINGER_MAX_EXP)


@helper
def _double(mant, exp10):
    """``mant * 10**exp10`` by one multiplication or division by a correctly rounded power of
    ten (|exp10| < 80): exact when :func:`is_exact`, else within a relative 2**-50."""
    y = np.float64(mant)
    if exp10 >= 0:
        y = y * _P10[exp10]
    else:
        y = y / _P10[-exp10]
    return y


@kernel
def _decimal_float32(mant, exp10, nd, trunc, neg):
    """(resolved, float32 value) of a decimal; resolved is False for a hard token."""
    if mant == 0:
        v = np.float32(0.0)
    elif is_exact(mant, exp10, trunc):
        v = np.float32(_double(mant, exp10))
    else:
        mag = nd + exp10
        if mag > _MAG_INF:
            v = np.float32(np.inf)
        elif mag < _MAG_ZERO:
            v = np.float32(0.0)
        else:
            y = _double(mant, exp10)   # relative error below 2**-50
            tol = y * _TOLERANCE
            lo = np.float32(y - tol)
            hi = np.float32(y + tol)
            if lo != hi:
                return False, np.float32(0.0)
            v = lo
    if neg:
        v = -v
    return True, v


@kernel
def float32_value(cls, mant, exp10, nd, trunc, neg):
    """``(resolved, float32(strtod(token)))`` of a token :func:`parse_decimal` accepted;
    resolved is False for a hard token (the value is then 0)."""
    if cls == NUM_NAN:
        return True, np.float32(np.nan)
    if cls == NUM_INF:
        if neg:
            return True, np.float32(-np.inf)
        return True, np.float32(np.inf)
    return _decimal_float32(mant, exp10, nd, trunc, neg)


@kernel
def is_hard_float32(cls, mant, exp10, nd, trunc, neg):
    """Whether :func:`float32_value` leaves the token to Python (the value is computed only
    off Clinger's fast path)."""
    if cls != NUM_DEC or is_exact(mant, exp10, trunc):
        return False
    resolved, _ = _decimal_float32(mant, exp10, nd, trunc, neg)
    return not resolved


@helper
def float64_value(cls, mant, exp10, trunc, neg):
    """``(resolved, float(token))`` of a token :func:`parse_decimal` accepted; resolved is
    False (and the value 0) for a hard token: any decimal off Clinger's fast path."""
    if cls == NUM_NAN:
        return True, np.nan
    if cls == NUM_INF:
        return True, -np.inf if neg else np.inf
    if mant == 0:
        return True, -0.0 if neg else 0.0
    if not is_exact(mant, exp10, trunc):
        return False, 0.0
    value = _double(mant, exp10)
    return True, -value if neg else value


# ------------------------------------------------------------------------------------------------
# a value ending its line: word-at-a-time fast path, else byte by byte

_U = np.uint64
_W_CRLF = _U(0x0A0D)                 # CR then LF, read little-endian
_DOT_DIGIT = _U(DOT ^ ZERO)          # "." as a digit value ("." xor "0")


@helper
def short_token(w, length):
    """The token ``[+-]digits[.digits]`` held in the ``length`` low bytes of the word ``w``
    (bytes in text order, little-endian), with 1 <= length <= 7.

    Returns (ok, significand, fraction digits, negative); ``ok`` is False for any other length
    or any other token.  When True, the value is exactly ``significand / 10**fraction``
    (< 10**7, Clinger's fast path).  Word-wide bit operations only, no data-dependent branch:
    the bytes become digit values (xor "0"), a byte that is not a digit value (< 10) must be
    the sign (first byte) or the one ".", and the digits without the "." are right-aligned and
    summed pairwise by multiplications."""
    first = w & _U(0xFF)
    neg = first == _U(MINUS)
    sign = _U(neg) | _U(first == _U(PLUS))
    x = (digit_values(w) & ((_U(1) << ((length << _U(3)) & _U(63))) - _U(1))) >> (sign << _U(3))
    other = non_digits(x)                 # 0 in the bytes beyond the token: digit values
    has_dot = _U(other != _U(0))
    dot = ctz64(other) >> _U(3)           # the first non-digit byte (8 when none)
    if dot > _U(7):
        dot = _U(7)                       # no "." (the token's high byte is 0)
    below_dot = (_U(1) << (dot << _U(3))) - _U(1)
    digits = (x & below_dot) | ((x >> _U(8)) & ~below_dot)   # without the "."
    ndigits = length - sign - has_dot
    frac = (length - sign - _U(1) - dot) * has_dot
    ok = ((length - _U(1)) < _U(7)) & ((ndigits - _U(1)) < _U(7))
    ok &= (other & (other - _U(1))) == _U(0)                  # at most one non-digit byte
    ok &= (has_dot == _U(0)) | (((x >> (dot << _U(3))) & _U(0xFF)) == _DOT_DIGIT)
    v = digits_value(digits, ndigits)
    return ok, np.int64(v), np.int64(frac & _U(7)), neg


@inlined
def short_value(buf, p, n):
    """Fast path for a value token at ``p`` that ends its line: ``[+-]digits[.digits]`` of at
    most 7 bytes followed by LF or CR LF.

    Returns (ok, significand, fraction digits, negative, offset of the next line).  ``ok`` is
    False when the fast path does not apply (then nothing is known about the token); when True,
    the value is exactly ``significand / 10**fraction`` (:func:`short_token`).  Loops call it
    and, when it does not apply, :func:`line_value` or :func:`line_value_ok`."""
    if p + 8 > n:
        return False, np.int64(0), np.int64(0), False, p
    w = load8(buf, p)
    length = first_below_bang(w)                 # token length
    if length == _U(8):
        return False, np.int64(0), np.int64(0), False, p
    term = (w >> (length << _U(3))) & _U(0xFFFF)
    crlf = term == _W_CRLF
    if (term & _U(0xFF)) != _U(NEWLINE) and not crlf:
        return False, np.int64(0), np.int64(0), False, p
    ok, mant, frac, neg = short_token(w, length)
    return ok, mant, frac, neg, p + np.int64(length) + 1 + np.int64(crlf)


@helper
def short_float32(mant, frac, neg):
    """``float32(strtod(token))`` of a token of :func:`short_token`: ``mant / 10**frac`` with
    ``mant < 10**7``, ``frac <= 7``, as a multiplication by the correctly rounded ``10**-frac``
    (cheaper than a division).  The double product is within a relative ``2**-52`` of the
    decimal, and a decimal of at most 7 digits is never that near a float32 rounding boundary
    (a midpoint of two float32s: ``k * 2**e`` with ``k`` odd of 25 bits, whose distance to
    ``mant / 10**frac`` is at least ``1 / (10**frac * 2**-e)``, relatively ``2**-48`` or more,
    and which no such decimal equals): so it rounds to the float32 the correctly rounded double
    rounds to."""
    v = np.float32(np.float64(mant) * _INV_P10[frac])
    if neg:
        v = -v
    return v


@kernel
def line_value_ok(buf, p, n):
    """Whether the value token at ``p`` is valid, ends its line and is not hard.
    Returns (ok, offset of the next line)."""
    ok, mant, frac, neg, q = short_value(buf, p, n)
    if ok:
        return True, q
    cls, mant, e10, nd, tr, neg, q = parse_decimal(buf, p, n)
    if cls == NUM_BAD:
        return False, q
    q = end_of_line(buf, q, n)
    if q < 0 or is_hard_float32(cls, mant, e10, nd, tr, neg):
        return False, q
    return True, q


@kernel
def line_value(buf, p, n):
    """The float32 value of the token at ``p`` when it is valid, ends its line and is not hard.
    Returns (ok, value, offset of the next line)."""
    ok, mant, frac, neg, q = short_value(buf, p, n)
    if ok:
        return True, short_float32(mant, frac, neg), q
    cls, mant, e10, nd, tr, neg, q = parse_decimal(buf, p, n)
    if cls == NUM_BAD:
        return False, np.float32(0.0), q
    q = end_of_line(buf, q, n)
    if q < 0:
        return False, np.float32(0.0), q
    resolved, v = float32_value(cls, mant, e10, nd, tr, neg)
    return resolved, v, q
