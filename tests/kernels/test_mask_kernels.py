"""The kernels of mask files and regions (genomedata.kernels.mask, genomedata.kernels.regions)
against pure-Python models."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from genomedata.kernels import mask as km
from genomedata.kernels import regions as kr

pytestmark = pytest.mark.kernels

OPS = [kr.OP_ALL, kr.OP_LT, kr.OP_LE, kr.OP_GT, kr.OP_GE, kr.OP_EQ, kr.OP_NE]


def passes(x, op, t):
    return {kr.OP_ALL: True, kr.OP_LT: x < t, kr.OP_LE: x <= t, kr.OP_GT: x > t,
            kr.OP_GE: x >= t, kr.OP_EQ: x == t, kr.OP_NE: x != t}[op]


def model_merge(starts, ends):
    """Sort by start, drop empty regions, merge overlapping or touching ones (max end)."""
    merged = []
    for a, b in sorted((a, b) for a, b in zip(starts, ends) if a < b):
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    return [tuple(x) for x in merged]


def pairs(result):
    return list(zip(result[0].tolist(), result[1].tolist()))


def as_arrays(regions):
    starts = np.array([a for a, _ in regions], dtype=np.int64)
    ends = np.array([b for _, b in regions], dtype=np.int64)
    return starts, ends


regions_st = st.lists(st.tuples(st.integers(0, 200), st.integers(0, 60)), max_size=60).map(
    lambda items: [(a, a + length - 10) for a, length in items])  # some empty / reversed
scores_st = st.one_of(st.floats(allow_nan=True, allow_infinity=True, width=64),
                      st.sampled_from([0.0, -0.0, 0.5, 1.0, -1.0]))


def merged_regions_st(limit=300):
    return regions_st.map(lambda r: model_merge([a for a, _ in r], [b for _, b in r])).filter(
        lambda r: all(0 <= a and b <= limit for a, b in r))


# ------------------------------------------------------------------------------------------------
# merge and filter

@settings(max_examples=300, deadline=None)
@given(regions_st)
def test_merge_regions_matches_model(regions):
    starts, ends = as_arrays(regions)
    assert pairs(kr.merge_regions(starts, ends)) == model_merge(starts.tolist(), ends.tolist())


def test_merge_regions_examples():
    # adjacent and overlapping merge; the merged end is the largest (not the last) end
    starts = np.array([0, 100, 130, 120, 300, 300], dtype=np.int64)
    ends = np.array([100, 200, 150, 125, 300, 301], dtype=np.int64)
    assert pairs(kr.merge_regions(starts, ends)) == [(0, 200), (300, 301)]
    empty = np.zeros(0, dtype=np.int64)
    assert pairs(kr.merge_regions(empty, empty)) == []


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 100), st.integers(0, 100), scores_st), max_size=40),
       st.sampled_from(OPS), st.one_of(st.floats(allow_nan=False, width=64),
                                        st.sampled_from([0.0, 0.5, -1.0])))
def test_filter_regions_matches_model(items, op, threshold):
    starts = np.array([a for a, _, _ in items], dtype=np.int64)
    ends = np.array([b for _, b, _ in items], dtype=np.int64)
    scores = np.array([s for _, _, s in items], dtype=np.float64)
    expected = [(a, b) for a, b, s in items if a < b and passes(s, op, threshold)]
    assert pairs(kr.filter_regions(starts, ends, scores, op, threshold)) == expected


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 50), st.integers(0, 50), st.booleans()), max_size=40))
def test_keep_regions_matches_model(items):
    starts = np.array([a for a, _, _ in items], dtype=np.int64)
    ends = np.array([b for _, b, _ in items], dtype=np.int64)
    keep = np.array([k for _, _, k in items], dtype=np.uint8)
    expected = [(a, b) for a, b, k in items if k and a < b]
    assert pairs(kr.keep_regions(starts, ends, keep)) == expected


def model_runs(flags):
    runs, start = [], None
    for i, flag in enumerate(list(flags) + [False]):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            runs.append((start, i))
            start = None
    return runs


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.floats(width=32), st.sampled_from([0.0, 0.5, 1.0])), max_size=80),
       st.sampled_from(OPS), st.sampled_from([0.0, 0.5, -1.0, 0.1]))
def test_signal_runs_matches_model(values, op, threshold):
    array = np.array(values, dtype=np.float32)
    t = np.float32(threshold)
    flags = [not math.isnan(v) and passes(np.float32(v), op, t) for v in array]
    assert pairs(kr.signal_runs(array, op, t)) == model_runs(flags)
    assert pairs(kr.flag_runs(np.array(flags, dtype=np.uint8))) == model_runs(flags)


@settings(max_examples=300, deadline=None)
@given(merged_regions_st(), merged_regions_st())
def test_intersect_regions_matches_model(a, b):
    covered_a = set(x for s, e in a for x in range(s, e))
    covered_b = set(x for s, e in b for x in range(s, e))
    result = pairs(kr.intersect_regions(*as_arrays(a), *as_arrays(b)))
    covered = [x for s, e in result for x in range(s, e)]
    assert sorted(covered) == sorted(covered_a & covered_b)
    assert len(covered) == len(set(covered))
    assert result == sorted(result)


# ------------------------------------------------------------------------------------------------
# applying masks

@settings(max_examples=300, deadline=None)
@given(merged_regions_st(), st.integers(1, 12), st.integers(0, 12), st.integers(0, 120),
       st.data())
def test_mask_rows_chunks_matches_model(regions, chunk_rows, first_chunk, n, data):
    row0 = first_chunk * chunk_rows
    values = np.array(data.draw(st.lists(st.sampled_from([1.0, np.nan, -2.5, np.inf]),
                                         min_size=n, max_size=n)), dtype=np.float32)
    expected = values.copy()
    masked_rows = {x for s, e in regions for x in range(s, e)}
    counts_expected = np.zeros(-(-n // chunk_rows), dtype=np.int64)
    for i in range(n):
        if row0 + i in masked_rows:
            if not np.isnan(expected[i]):
                counts_expected[i // chunk_rows] += 1
            expected[i] = np.nan
    counts = np.zeros(len(counts_expected), dtype=np.int64)
    changed = kr.mask_rows_chunks(values, row0, *as_arrays(regions), chunk_rows, counts)
    assert changed == counts_expected.sum()
    np.testing.assert_array_equal(counts, counts_expected)
    np.testing.assert_array_equal(values, expected)


@settings(max_examples=300, deadline=None)
@given(merged_regions_st(), st.integers(1, 40), st.integers(0, 300), st.integers(1, 200))
def test_chunk_blocks_cover_exactly_the_touched_chunks(regions, chunk_rows, nrows, max_rows):
    b0, b1 = kr.chunk_blocks(*as_arrays(regions), chunk_rows, nrows, max_rows)
    touched = {x // chunk_rows for s, e in regions for x in range(s, min(e, nrows))}
    blocks = list(zip(b0.tolist(), b1.tolist()))
    covered = []
    step = max(chunk_rows, max_rows // chunk_rows * chunk_rows)
    for lo, hi in blocks:
        assert lo % chunk_rows == 0
        assert hi == nrows or hi % chunk_rows == 0
        assert 0 <= lo < hi <= nrows and hi - lo <= step
        covered.extend(range(lo // chunk_rows, -(-hi // chunk_rows)))
    assert covered == sorted(touched)  # in order, each chunk once


# ------------------------------------------------------------------------------------------------
# scored BED, numbers, output

number_text = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.integers(-10 ** 25, 10 ** 25).map(str),
    st.builds(lambda m, e: f"{m}e{e}", st.integers(-999999, 999999), st.integers(-400, 400)),
    st.from_regex(r"[+-]?([0-9]{1,25}\.?[0-9]{0,25}|\.[0-9]{1,25})([eE][+-]?[0-9]{1,3})?",
                  fullmatch=True),
    st.sampled_from(["nan", "NaN", "-inf", "+Infinity", "inf"]),
)


@settings(max_examples=500, deadline=None)
@given(number_text)
def test_parse_score_equals_python_float(text):
    raw = np.frombuffer(text.encode(), dtype=np.uint8)
    status, value = km.parse_score(raw, 0, len(raw))
    assert status in (0, 1)
    expected = float(text)
    if status == 0:
        if math.isnan(expected):
            assert math.isnan(value)
        else:
            assert value == expected and math.copysign(1, value) == math.copysign(1, expected)


@pytest.mark.parametrize("text", ["", "-", "abc", "1e", "1.2.3", "0x10", "1,5", "--1", "e5",
                                  ".", "nanx", "infin"])
def test_parse_score_rejects(text):
    raw = np.frombuffer(text.encode(), dtype=np.uint8)
    assert km.parse_score(raw, 0, len(raw))[0] == 2


bed_line_st = st.tuples(
    st.sampled_from(["chr1", "chr2", "chrUn_x"]), st.integers(0, 10 ** 9), st.integers(0, 1000),
    st.sampled_from([3, 4, 5, 6]), st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.sampled_from(["\t", " ", " \t "]), st.sampled_from(["\n", "\r\n"]))


@settings(max_examples=200, deadline=None)
@given(st.lists(bed_line_st, max_size=30), st.booleans())
def test_scan_bed_scored_matches_model(lines, final_newline):
    text = []
    expected = []
    for chrom, start, length, ncols, score, sep, eol in lines:
        fields = [chrom, str(start), str(start + length)]
        if ncols == 4:
            fields.append(repr(score))
        elif ncols >= 5:
            fields += ["name", repr(score)] + ["+"] * (ncols - 5)
        text.append(sep.join(fields) + eol)
        expected.append((chrom, start, start + length, score if ncols > 3 else None))
    raw = "# comment\ntrack name=x\n" + "".join(text)
    if not final_newline:
        raw = raw.rstrip("\r\n")
    buf = np.frombuffer(raw.encode(), dtype=np.uint8)
    need = all(item[3] is not None for item in expected)
    (status, _off, run_off, run_len, run_first, starts, ends, scores,
     hard) = km.scan_bed_scored(buf, need)
    assert status == km.OK
    for index, off, length in hard.tolist():
        scores[index] = float(raw.encode()[off:off + length])
    chroms = []
    for r in range(len(run_off)):
        name = raw.encode()[run_off[r]:run_off[r] + run_len[r]].decode()
        chroms += [name] * int(run_first[r + 1] - run_first[r])
    got = list(zip(chroms, starts.tolist(), ends.tolist()))
    assert got == [(c, s, e) for c, s, e, _ in expected]
    if need:
        assert scores.tolist() == [item[3] for item in expected]
    else:
        assert np.isnan(scores).all()


@pytest.mark.parametrize("text, need, status, line", [
    ("chr1\t0\t10\nchr1\t5\n", False, km.ERR_COLUMNS, 2),
    ("chr1\t0\t10\nchr1\t-5\t9\n", False, km.ERR_COORD, 2),
    ("chr1\t20\t10\n", False, km.ERR_START_AFTER_END, 1),
    ("chr1\t0\t10\n", True, km.ERR_NO_SCORE, 1),
    ("chr1\t0\t10\tname\n", True, km.ERR_SCORE, 1),
    ("chr1\t0\t10\tA\tx1\n", True, km.ERR_SCORE, 1),
    ("chr1\t0\t99999999999999999999\n", False, km.ERR_OVERFLOW, 1),
])
def test_scan_bed_scored_errors(text, need, status, line):
    buf = np.frombuffer(text.encode(), dtype=np.uint8)
    result = km.scan_bed_scored(buf, need)
    assert result[0] == status
    assert text.encode()[:result[1]].count(b"\n") + 1 == line


def test_scan_bed_scored_without_score_reads_any_fourth_column():
    buf = np.frombuffer(b"chr1 0 10 name\nchr1 10 20\n", dtype=np.uint8)
    result = km.scan_bed_scored(buf, False)
    assert result[0] == km.OK and result[5].tolist() == [0, 10]


@pytest.mark.parametrize("text, found", [
    ("fixedStep chrom=chr1 start=1\n1\n", 0),
    ("# c\ntrack type=wiggle_0\n  variableStep\tchrom=chr1\n1 2\n", 26),
    ("chr1\t0\t10\tfixedStep\n", -1),
    ("fixedStepX chrom=chr1\n", -1),
    ("variableStep", 0),
    ("", -1),
])
def test_find_wig_header(text, found):
    assert km.find_wig_header(np.frombuffer(text.encode(), dtype=np.uint8)) == found


@settings(max_examples=100, deadline=None)
@given(merged_regions_st(10 ** 6))
def test_format_bed3(regions):
    name = np.frombuffer(b"chrX", dtype=np.uint8)
    text = km.format_bed3(name, *as_arrays(regions)).tobytes().decode()
    assert text == "".join(f"chrX\t{a}\t{b}\n" for a, b in regions)


# ------------------------------------------------------------------------------------------------
# BED regions as written (scan_bed_regions)

def _regions_of(raw, result):
    """[(chrom, start, end, column4 or None, line, strand)] of a successful
    scan_bed_regions."""
    (_status, _off, run_off, run_len, run_first, starts, ends, lines, column4) = result
    chroms = []
    for r in range(len(run_off)):
        name = raw[run_off[r]:run_off[r] + run_len[r]].decode("latin-1")
        chroms += [name] * int(run_first[r + 1] - run_first[r])
    col4 = [raw[a:a + n].decode("latin-1") if a >= 0 else None
            for a, n, _ in column4.tolist()]
    return list(zip(chroms, starts.tolist(), ends.tolist(), col4, lines.tolist(),
                    column4[:, 2].tolist()))


def test_scan_bed_regions_keeps_order_names_and_lines():
    raw = (b"browser position chr1\n# a comment\nchrom\tstart\tend\tname\n\n"
           b"chr2 50 60 peakA 3.5\r\nchr1\t0\t10\nchr2 5 6\tpeakC 0 -\r\n"
           b"  chr1 7 9 x 1 + 4")
    result = km.scan_bed_regions(np.frombuffer(raw, dtype=np.uint8))
    assert result[0] == km.OK
    assert _regions_of(raw, result) == [
        ("chr2", 50, 60, "peakA", 5, 0), ("chr1", 0, 10, None, 6, 0),
        ("chr2", 5, 6, "peakC", 7, -1), ("chr1", 7, 9, "x", 8, 1)]


@pytest.mark.parametrize("text, line", [
    ("chrom start end\nchr1 s 10\n", 2),          # only the first data line may be a header
    ("chr1 0 10\nchrom start end\n", 2),
    ("chr1 0\n", 1),
    ("chr1 -5 10\n", 1),
    ("chr1 10 5\n", 1),
    ("fixedStep chrom=chr1 start=1\n0.5\n", 2),   # (the reader names a WIG file as such)
])
def test_scan_bed_regions_errors(text, line):
    raw = text.encode()
    status, offset = km.scan_bed_regions(np.frombuffer(raw, dtype=np.uint8))[:2]
    assert status != km.OK
    assert raw[:offset].count(b"\n") + 1 == line


def test_scan_bed_scored_is_unchanged_by_the_header_rule():
    # mask files keep their rule: a header line is an error there
    raw = b"chrom start end\nchr1 0 10\n"
    assert km.scan_bed_scored(np.frombuffer(raw, dtype=np.uint8), False)[0] == km.ERR_COORD


bed_bytes_st = st.one_of(
    st.binary(max_size=300),
    st.lists(st.sampled_from([b"chr1", b"chrB", b" ", b"\t", b"\r", b"\n", b"0", b"17",
                              b"99999999999999999999", b"-", b"+", b"#", b"track", b"name", b"x"]),
             max_size=80).map(b"".join))


@settings(max_examples=400, deadline=None)
@given(bed_bytes_st)
@example(b"\r0 0")                  # a CR before the chromosome name separates, as blanks do
@example(b"chr1 0 5\r\rx 0 1 n 0 -\n")
def test_scan_bed_regions_hostile_bytes(raw):
    """Any bytes: no crash; an error points into the buffer at a line start; a success gives
    regions that the line they name says, field by field."""
    buf = np.frombuffer(raw, dtype=np.uint8)
    result = km.scan_bed_regions(buf)
    status, offset = result[:2]
    if status != km.OK:
        assert 0 <= offset < max(1, len(raw))
        assert offset == 0 or raw[offset - 1:offset] == b"\n"
        return
    text_lines = raw.split(b"\n")
    previous = 0
    for chrom, start, end, col4, line, strand in _regions_of(raw, result):
        assert line > previous
        previous = line
        fields = [f for f in re.split(rb"[ \t\r]+", text_lines[line - 1]) if f]
        assert fields[0].decode("latin-1") == chrom
        assert int(fields[1]) == start and int(fields[2]) == end and start <= end
        assert (fields[3].decode("latin-1") if len(fields) > 3 else None) == col4
        assert {b"+": 1, b"-": -1}.get(fields[5] if len(fields) > 5 else None, 0) == strand
