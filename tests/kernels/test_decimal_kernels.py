"""The one decimal tokenizer (genomedata.kernels._decimal) through both parsers that use it:
the signal parser (genomedata.kernels.parse) and the mask score parser
(genomedata.kernels.mask), on well-formed, hard, malformed and hostile tokens.

The model is the grammar of docs/inputs.md ("Numbers") and Python's ``float()``: a token is a
number exactly when the grammar says so, and then the signal parser stores
``float32(float(token))`` and the mask parser ``float(token)``.  Hard tokens are converted as
the Python side of both parsers does it, with ``float()`` of the token's bytes.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal, localcontext

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from genomedata.kernels import _decimal as kd
from genomedata.kernels import mask as km
from genomedata.kernels import parse as kp

pytestmark = pytest.mark.kernels

# docs/inputs.md, "Numbers": decimals, and nan / inf / infinity in any case with one sign
GRAMMAR = re.compile(rb"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")
WORDS = re.compile(rb"[+-]?(nan|inf|infinity)", re.IGNORECASE)
DELIMITERS = b" \t\r\n"
LINE_KEYWORDS = (b"track", b"browser", b"fixedStep", b"variableStep")


def model(token: bytes):
    """float(token) when the grammar accepts the token, else None."""
    if GRAMMAR.fullmatch(token) or WORDS.fullmatch(token):
        return float(token)
    return None


def as_float32(value: float) -> np.float32:
    with np.errstate(over="ignore"):
        return np.float32(value)


def same(a, b) -> bool:
    """Equal values of one type: NaN equals NaN, and the sign of zero matters."""
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)


# ------------------------------------------------------------------------------------------------
# each parser, with the Python side's conversion of hard tokens

SIGNAL_LINES = {
    # the text before the token, and a line after it
    "bedGraph": (b"chr1 0 1 ", b"chr1 1 2 0\n"),
    "fixedStep": (b"fixedStep chrom=chr1 start=1\n", b"0\n"),
    "variableStep": (b"variableStep chrom=chr1\n1\t", b"2 0\n"),
}


def signal_value(token: bytes, kind: str, eol: bytes):
    """The float32 the signal parser stores for ``token`` (None: rejected as a number)."""
    before, after = SIGNAL_LINES[kind]
    text = before + token + eol + after
    buf = np.frombuffer(text, dtype=np.uint8)
    status, offset, _info, segments, _chroms, hard = kp.scan(buf)
    if status != kp.OK:
        assert (status, offset) == (kp.ERR_BAD_NUMBER, len(before))
        return None
    hard_values = np.array([float(text[o:o + n]) for o, n in hard.tolist()], dtype=np.float64)
    out = np.full(2, 7, dtype=np.float32)
    counters = np.zeros(kp.NCOUNTERS, dtype=np.int64)
    status = kp.fill_segments(buf, segments, np.arange(len(segments)), out, hard_values,
                              counters)
    assert status == kp.FILL_OK and counters[kp.COUNT_LINES] == 2
    assert out[1] == 0
    return out[0]


def mask_score(token: bytes, eol: bytes):
    """The float64 score the mask parser reads for ``token`` (None: rejected as a number)."""
    before = b"chr1\t0\t1\tpeak\t"
    text = before + token + eol + b"chr1 5 6 x 0\n"
    buf = np.frombuffer(text, dtype=np.uint8)
    (status, offset, _off, _len, _bounds, _starts, _ends, scores,
     hard) = km.scan_bed_scored(buf, True)
    if status != km.OK:
        assert (status, offset) == (km.ERR_SCORE, len(before))
        return None
    for region, o, n in hard.tolist():
        scores[region] = float(text[o:o + n])
    assert scores[1] == 0
    return scores[0]


# ------------------------------------------------------------------------------------------------
# tokens

digits = st.text(alphabet="0123456789", max_size=25)


@st.composite
def decimal_tokens(draw):
    """Tokens of the grammar: signs, points on either side, exponents small and huge."""
    sign = draw(st.sampled_from(["", "-", "+"]))
    whole = draw(digits)
    frac = draw(st.one_of(st.none(), digits))
    if not whole and not frac:
        whole = "0"
    token = sign + whole + ("" if frac is None else "." + frac)
    if draw(st.booleans()):
        exponent = draw(st.one_of(st.integers(-60, 60), st.integers(-400, 400),
                                  st.integers(-10 ** 20, 10 ** 20)))
        plus = draw(st.sampled_from(["", "+"])) if exponent >= 0 else ""
        token += draw(st.sampled_from(["e", "E"])) + plus + str(exponent)
    return token.encode()


@st.composite
def near_float32_midpoints(draw):
    """Decimals at, just below and just above the midpoint of two adjacent float32s: the
    hard tokens of the signal parser."""
    bits = draw(st.integers(0, 0x7F7FFFFE))
    low = np.array([bits], dtype=np.uint32).view(np.float32)[0]
    high = np.nextafter(low, np.float32(np.inf))
    nudge = draw(st.sampled_from([0, 1, -1]))
    with localcontext() as context:
        context.prec = 500
        mid = (Decimal(float(low)) + Decimal(float(high))) / 2
        text = format(mid, "f") if draw(st.booleans()) else format(mid, "e")
        if nudge:
            below = draw(st.integers(17, 30))
            text = format(mid + nudge * Decimal(10) ** (mid.adjusted() - below), "e")
    return (draw(st.sampled_from(["", "-"])) + text).encode()


MALFORMED = [b"-", b"+", b".", b"e5", b"1e", b"1e+", b"1.2.3", b"--1", b"+-1", b"0x10", b"1,5",
             b"1_000", b"nanx", b"infin", b"infinityy", b"-+inf", b"1d5", b".e1", b"1.5e2.0",
             b"\xd9\xa3", b"1\x00", b"\x001", b"5\x0b", b"NaN(1)", b"in", b"na", b"track",
             b"variableStep"]

tokens = st.one_of(
    decimal_tokens(),
    near_float32_midpoints(),
    st.floats().map(lambda v: repr(v).encode()),
    st.floats(width=32).map(lambda v: repr(float(v)).encode()),
    st.sampled_from([b"nan", b"NaN", b"-nan", b"inf", b"+Inf", b"-INFINITY", b"infinity",
                     b"0", b"-0", b"+0.0", b"-0e999999999999", b"5.", b".5", b"5.e3", b"-1E-3",
                     b"3.4028235e38", b"3.40282357e38", b"1e-46", b"7.006492321624085e-46",
                     b"123456789012345678901234567890", b"0.000000000000000000000000000001",
                     b"9007199254740993", b"1e22", b"1e23"] + MALFORMED),
    st.text(alphabet="0123456789+-.eEnaifty", min_size=1, max_size=14).map(str.encode),
    st.binary(min_size=1, max_size=14),     # hostile bytes
).filter(lambda token: token and not any(c in DELIMITERS for c in token))


# ------------------------------------------------------------------------------------------------
# properties


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tokens, st.sampled_from(list(SIGNAL_LINES)), st.sampled_from([b"\n", b"\r\n", b" \t\n"]))
@example(b"0.1", "bedGraph", b"\n")          # the word-at-a-time fast path
@example(b"-1.5", "fixedStep", b"\r\n")
@example(b"1234567", "variableStep", b"\n")
@example(b"12345678", "bedGraph", b"\n")     # one byte too long for it
def test_both_parsers_read_a_token_alike(token, kind, eol):
    # a line of its own in a fixedStep block: not a value when a comment or a keyword line
    assume(not (kind == "fixedStep" and (token.startswith(b"#") or token in LINE_KEYWORDS)))
    expected = model(token)
    signal = signal_value(token, kind, eol)
    score = mask_score(token, eol)
    if expected is None:
        assert signal is None and score is None
        return
    assert signal is not None and score is not None
    assert same(score, expected)                                # float(token)
    assert same(signal, as_float32(expected))                   # float32(float(token))
    assert same(as_float32(score), signal)                      # one value for both parsers


@settings(max_examples=300, deadline=None)
@given(tokens)
def test_parse_score_and_the_tokenizer_agree_with_the_grammar(token):
    buf = np.frombuffer(token, dtype=np.uint8)
    cls, _mant, _e10, _nd, _tr, _neg, end = kd.parse_decimal(buf, 0, len(buf))
    status, value = km.parse_score(buf, 0, len(buf))
    expected = model(token)
    if expected is None:
        assert cls == kd.NUM_BAD and status == km.SCORE_BAD
    else:
        assert cls != kd.NUM_BAD and end == len(buf)
        assert status in (km.SCORE_EXACT, km.SCORE_HARD)
        if status == km.SCORE_EXACT:
            assert same(value, expected)


@settings(max_examples=300, deadline=None)
@given(tokens, st.binary(max_size=3).map(lambda tail: tail.replace(b"\n", b"")))
def test_a_token_ends_at_a_delimiter(token, tail):
    """What follows a token: a delimiter ends it (the reader stops there); any other byte
    makes it invalid."""
    for delimiter in DELIMITERS:
        buf = np.frombuffer(token + bytes([delimiter]) + tail, dtype=np.uint8)
        cls, *_rest, end = kd.parse_decimal(buf, 0, len(buf))
        assert (cls != kd.NUM_BAD) == (model(token) is not None)
        if cls != kd.NUM_BAD:
            assert end == len(token)


# ------------------------------------------------------------------------------------------------
# the conversions, by example


def read(text: bytes):
    buf = np.frombuffer(text, dtype=np.uint8)
    return kd.parse_decimal(buf, 0, len(buf))


def test_parse_decimal_fields():
    assert read(b"-12.5e-1") == (kd.NUM_DEC, 125, -2, 3, False, True, 8)
    assert read(b"+.5") == (kd.NUM_DEC, 5, -1, 1, False, False, 3)
    assert read(b"007") == (kd.NUM_DEC, 7, 0, 1, False, False, 3)
    cls, mant, exp10, nd, trunc, neg, end = read(b"1234567890123456789012")  # 22 digits
    assert (cls, mant, exp10, nd, trunc) == (kd.NUM_DEC, 123456789012345678, 4, 18, True)
    assert read(b"-Infinity")[0] == kd.NUM_INF and read(b"-Infinity")[5]
    assert read(b"nAn")[0] == kd.NUM_NAN
    assert read(b"1.5x")[0] == kd.NUM_BAD


@pytest.mark.parametrize("text, resolved", [
    (b"0.1", True), (b"-0", True), (b"1e22", True), (b"1e23", False),
    (b"9007199254740992", True), (b"9007199254740993", False), (b"1.5e-21", True),
    (b"1.5e-22", False), (b"123456789012345678901", False), (b"nan", True), (b"-inf", True),
])
def test_float64_value_is_exact_or_left_to_python(text, resolved):
    cls, mant, exp10, _nd, trunc, neg, _end = read(text)
    done, value = kd.float64_value(cls, mant, exp10, trunc, neg)
    assert done == resolved
    if done:
        assert same(value, float(text))


@pytest.mark.parametrize("text", [b"9007199254740993", b"1e23", b"1e39", b"-1e-51", b"1e-46",
                                  b"3.5e38", b"123456789012345678901234567890"])
def test_float32_value_resolves_what_float64_leaves(text):
    cls, mant, exp10, nd, trunc, neg, _end = read(text)
    assert not kd.float64_value(cls, mant, exp10, trunc, neg)[0]
    done, value = kd.float32_value(cls, mant, exp10, nd, trunc, neg)
    assert done and same(value, as_float32(float(text)))
    assert not kd.is_hard_float32(cls, mant, exp10, nd, trunc, neg)


def test_a_float32_midpoint_is_hard():
    # halfway between float32(1) and the next float32: float32(strtod) rounds to even (1.0)
    text = format((Decimal(1) + Decimal(float(np.nextafter(np.float32(1), np.float32(2))))) / 2,
                  "f").encode()
    cls, mant, exp10, nd, trunc, neg, _end = read(text)
    assert kd.is_hard_float32(cls, mant, exp10, nd, trunc, neg)
    assert not kd.float32_value(cls, mant, exp10, nd, trunc, neg)[0]


@pytest.mark.parametrize("line, value, fast", [
    (b"0.125\nxxxxxxx", 0.125, True), (b"-7\r\nxxxxxxx", -7.0, True),
    (b"+1234.5\nxxxx", 1234.5, True), (b"12345678\nxxxx", 12345678.0, False),
    (b"1e3\nxxxxxxxxx", 1000.0, False), (b"0.125", 0.125, False),
])
def test_line_value_fast_path(line, value, fast):
    buf = np.frombuffer(line, dtype=np.uint8)
    ok, found, nxt = kd.line_value(buf, 0, len(buf))
    assert ok and found == np.float32(value)
    assert nxt == (line.index(b"\n") + 1 if b"\n" in line else len(line))
    assert kd.short_value(buf, 0, len(buf))[0] == fast
    assert kd.line_value_ok(buf, 0, len(buf)) == (True, nxt)


@pytest.mark.parametrize("line", [b"0.125 x\nxxxxxx", b"0.1.2\nxxxxxxxx", b"\n", b"1e\nxxxxxxx"])
def test_line_value_rejects(line):
    buf = np.frombuffer(line, dtype=np.uint8)
    assert not kd.line_value(buf, 0, len(buf))[0]
    assert not kd.line_value_ok(buf, 0, len(buf))[0]


# ------------------------------------------------------------------------------------------------
# the word-at-a-time path of short tokens, exhaustively near float32 rounding boundaries


def _short_tokens(rng, count):
    """Tokens of at most 7 bytes (the word-at-a-time path): random digits, and the decimals
    nearest to midpoints between two float32s (where a wrong rounding would show), with and
    without a sign, with 0 to 6 fraction digits."""
    tokens = set()
    for frac in range(7):
        for sign in ("", "-"):
            digits = 7 - len(sign) - (1 if frac else 0)
            if digits < frac:
                continue
            for m in rng.integers(0, 10 ** digits, count).tolist():
                tokens.add(sign + (f"{m // 10 ** frac}.{m % 10 ** frac:0{frac}d}" if frac
                                   else str(m)))
            top = 10.0 ** (digits - frac)
            low = np.float32(10.0 ** -frac)
            a = rng.uniform(float(low), top, count).astype(np.float32)
            mid = (a.astype(np.float64) + np.nextafter(a, np.float32(np.inf))) / 2
            for value in mid.tolist():
                text = f"{value:.{frac}f}"
                last = int(text.replace(".", ""))
                for near in (last - 1, last, last + 1):
                    if 0 <= near < 10 ** digits:
                        tokens.add(sign + (f"{near // 10 ** frac}.{near % 10 ** frac:0{frac}d}"
                                           if frac else str(near)))
    return sorted(t for t in tokens if len(t) <= 7)


@pytest.mark.parametrize("check", [True, False])
def test_short_tokens_are_float32_of_strtod(check):
    from genomedata.inputs.signal import parse_signal
    tokens = _short_tokens(np.random.default_rng(11), 4000)
    assert len(tokens) > 100_000
    text = ("fixedStep chrom=c start=1\n" + "\n".join(tokens) + "\n").encode()
    parsed = parse_signal(text, "short.wig", check=check)
    out = np.full(len(tokens), np.nan, dtype=np.float32)
    counters = parsed.fill_chromosome("c", out)
    assert counters[kp.COUNT_LINES] == len(tokens)
    expected = np.array([float(t) for t in tokens], dtype=np.float64).astype(np.float32)
    bad = np.flatnonzero(out.view(np.uint32) != expected.view(np.uint32))
    assert not len(bad), [tokens[i] for i in bad[:10]]


# ------------------------------------------------------------------------------------------------
# the word-wide token reader against the byte-by-byte one, on any bytes

short_bytes = st.sampled_from(list(b"0123456789-+.eE \t\r\n\x00\x2f\x3a\x1e\x80\xb0\xff"))


@settings(max_examples=2000, deadline=None)
@given(st.lists(short_bytes, max_size=8), st.binary(max_size=8), st.integers(0, 9))
def test_short_token_reads_like_parse_decimal(head, tail, length):
    word = (bytes(head) + tail + bytes(8))[:8]
    token = word[:length]
    w = np.frombuffer(word, dtype="<u8")[0]
    ok, mant, frac, neg = kd.short_token(w, np.uint64(length))
    plain = re.fullmatch(rb"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)", token) is not None
    assert ok == (plain and 1 <= length <= 7)
    if ok:
        # the general path: parse_decimal, then float32_value
        buf = np.frombuffer(token, dtype=np.uint8)
        cls, m, e10, nd, tr, ng, end = kd.parse_decimal(buf, 0, len(buf))
        assert cls == kd.NUM_DEC and end == len(token)
        resolved, value = kd.float32_value(cls, m, e10, nd, tr, ng)
        fast = kd.short_float32(mant, frac, neg)
        assert resolved and same(fast, value) and same(fast, as_float32(float(token)))
